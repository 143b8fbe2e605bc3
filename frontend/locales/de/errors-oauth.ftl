## Fehler von OAuth (siehe ../README.md): Feldmeldungen und problem-<code> der
## Client-Registrierung, und oauth-error-<why>: die error_description der Token-,
## Widerrufs- und Prüf-Endpunkte (RFC 6749 5.2), für die Entwickler der App.

v-oauth-client-name = Geben Sie dem Client einen Namen mit höchstens { $max } Zeichen.
v-oauth-client-kind = Wählen Sie, ob der Client vertraulich oder öffentlich ist.
v-oauth-scope = „{ $scope }“ ist keine Berechtigung dieses Portals.
v-oauth-scopes-empty = Wählen Sie mindestens eine Berechtigung.
v-oauth-redirect-uri = Rücksprungadresse { $index } ist keine absolute HTTPS-Adresse ohne Fragment (einfaches HTTP nur als http://127.0.0.1 oder http://[::1], mit beliebigem Port).
v-oauth-redirect-uris-public = Ein öffentlicher Client braucht mindestens eine Rücksprungadresse.
v-oauth-redirect-uris-many = Geben Sie höchstens { $max } Rücksprungadressen an.

problem-oauth-public-client = Ein öffentlicher Client hat kein Geheimnis, das erneuert werden könnte.

oauth-error-content-type = Der Inhalt der Anfrage muss application/x-www-form-urlencoded sein.
oauth-error-body = Der Inhalt der Anfrage konnte nicht gelesen werden.
oauth-error-duplicate = Ein Parameter wurde mehrfach gesendet.
oauth-error-two-methods = Der Client hat sich auf mehr als eine Weise angemeldet.
oauth-error-grant-type-missing = grant_type fehlt.
oauth-error-code-missing = code fehlt.
oauth-error-refresh-missing = refresh_token fehlt.
oauth-error-token-missing = token fehlt.
oauth-error-verifier-missing = code_verifier fehlt (PKCE ist Pflicht).
oauth-error-client = Die Anmeldung des Clients ist fehlgeschlagen.
oauth-error-grant-type = Diese Art der Berechtigung wird nicht unterstützt.
oauth-error-scope = Die Berechtigung ist unbekannt, leer oder mehr, als Client oder Erlaubnis zulassen.
oauth-error-server = Der Server konnte die Anfrage nicht bearbeiten.
oauth-error-code = Der Autorisierungscode ist ungültig oder wurde nicht diesem Client ausgestellt.
oauth-error-code-reused = Der Autorisierungscode wurde schon benutzt; die dafür ausgestellten Token sind widerrufen.
oauth-error-code-expired = Der Autorisierungscode ist abgelaufen.
oauth-error-redirect-uri = redirect_uri stimmt nicht mit der Autorisierungsanfrage überein.
oauth-error-verifier = code_verifier passt nicht zur code_challenge.
oauth-error-refresh = Das Refresh-Token ist ungültig, abgelaufen, widerrufen oder gehört nicht diesem Client.
oauth-error-refresh-reused = Das Refresh-Token wurde schon benutzt; alle Token seiner Familie sind widerrufen.
oauth-error-public-client-credentials = Ein öffentlicher Client kann keine Client-Credentials nutzen.
