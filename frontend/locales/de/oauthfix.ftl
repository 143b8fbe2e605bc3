## OAuth nach der Durchsicht: Prüfungen bei der Registrierung eines Clients.

v-oauth-redirect-uri-control = Rücksprungadresse { $index } enthält Steuerzeichen wie Tabulatoren, Zeilenumbrüche oder unsichtbare Zeichen.
v-oauth-redirect-uri-long = Rücksprungadresse { $index } ist länger als { $max } Zeichen.
