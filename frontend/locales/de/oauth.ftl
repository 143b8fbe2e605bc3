## Apps, die für Bürgerinnen und Bürger handeln (OAuth): die Zustimmungsseite, die Liste
## der Apps auf der Kontoseite und die Verwaltungsseite der Clients.

oauth-consent-title = Darf „{ $app }“ für Sie handeln?
oauth-consent-intro = Sie sind als { $name } angemeldet. Die App „{ $app }“ möchte Ihr Konto auf diesem Portal nutzen. Wenn Sie zustimmen, darf sie:
oauth-consent-scopes = Was die App darf
oauth-consent-where = Nach Ihrer Antwort kehren Sie zur App unter { $host } zurück.
oauth-consent-revoke = Sie können diese Erlaubnis jederzeit auf Ihrer Kontoseite zurücknehmen.
oauth-consent-allow = Erlauben
oauth-consent-deny = Nicht erlauben

oauth-scope-account-read = Ihren Namen, Ihre E-Mail-Adresse und die Einsicht in Ihre Daten sehen
oauth-scope-bookings-read = Ihre Buchungen und Ihre Plätze auf Wartelisten sehen
oauth-scope-bookings-write = für Sie Termine buchen, bestätigen, verschieben und absagen sowie sich auf Wartelisten eintragen und austragen
oauth-scope-listings-write = die Einträge und Angebote Ihrer Organisationen anlegen und ändern
oauth-scope-organizations-manage = Ihre Organisationen verwalten: Mitglieder, Buchungssysteme und Buchungen
oauth-scope-tokens-introspect = die Zugangstoken prüfen, die Apps vorlegen (für die Module der Stadt)

oauth-refused-client = Diese App ist dem Portal nicht bekannt oder wurde abgeschaltet. Bitte wenden Sie sich an die Anbieter der App.
oauth-refused-redirect-uri = Diese App hat eine Rücksprungadresse geschickt, die für sie nicht eingetragen ist; das Portal leitet Sie deshalb nicht dorthin. Bitte wenden Sie sich an die Anbieter der App.
oauth-refused-duplicate = Die Anfrage der App ist fehlerhaft (ein Parameter kommt doppelt vor). Bitte wenden Sie sich an die Anbieter der App.

access-app-request = Ihre Daten über { $method } { $path }
access-purpose-app = genutzt von einer App, der Sie erlaubt haben, für Sie zu handeln
access-who-app = die App „{ $app }“

account-apps-title = Apps, die für Sie handeln
account-apps-none = Keine App darf für Sie handeln.
account-apps-intro = Diese Apps dürfen Ihr Konto nutzen, mit dem, was Sie erlaubt haben. Jedes Mal, wenn eine Ihre Daten liest, steht es unten in der Einsicht in Ihre Daten.
account-apps-since = erlaubt am { $date }
account-apps-last-used = zuletzt genutzt am { $date }
account-apps-revoke-app = Erlaubnis für „{ $app }“ zurücknehmen
account-apps-revoke = Zurücknehmen
account-done-apps = Die App kann nicht mehr für Sie handeln.

admin-oauth-title = Apps und Module (OAuth-Clients)
admin-oauth-intro = Apps handeln für Bürgerinnen und Bürger, die es ihnen erlauben; Module handeln für sich selbst. Jeder Client darf nur die hier eingetragenen Berechtigungen erfragen und nur zu den hier eingetragenen Adressen zurückkehren.
admin-oauth-name = Name
admin-oauth-kind = Art
admin-oauth-kind-confidential = vertraulich (hält ein Geheimnis: ein Server oder Modul)
admin-oauth-kind-public = öffentlich (ohne Geheimnis: eine Mobil- oder Browser-App)
admin-oauth-scopes = Berechtigungen
admin-oauth-redirect-uris = Rücksprungadressen, eine pro Zeile
admin-oauth-create = Eintragen
admin-oauth-secret-once = Das Geheimnis von „{ $name }“. Kopieren Sie es jetzt: Es wird nicht noch einmal angezeigt.
admin-oauth-rotate = Neues Geheimnis
admin-oauth-rotate-overlap = Die bisherigen Geheimnisse gelten noch bis { $until }.
admin-oauth-disable = Abschalten
admin-oauth-disabled = abgeschaltet am { $date }
admin-oauth-none = Es sind keine Clients eingetragen.
admin-oauth-client-id = Client-ID
admin-oauth-admins-only = Nur die Admins der Stadt verwalten Apps und Module.
