## OAuth nach der Durchsicht: Prüfungen bei der Registrierung eines Clients.

v-oauth-redirect-uri-control = Rücksprungadresse { $index } enthält Steuerzeichen wie Tabulatoren, Zeilenumbrüche oder unsichtbare Zeichen.
v-oauth-redirect-uri-long = Rücksprungadresse { $index } ist länger als { $max } Zeichen.

admin-oauth-change-scopes = Berechtigungen, die er erfragen darf
admin-oauth-change-scopes-hint = Eine entzogene Berechtigung gilt sofort: Die Einwilligungen der Bürgerinnen und Bürger und die Token der App verlieren sie ebenfalls. Eine hinzugefügte erweitert keine Einwilligung; dafür stimmen sie auf der Einwilligungsseite zu.
admin-oauth-change-scopes-save = Berechtigungen speichern
