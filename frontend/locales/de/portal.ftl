## Layout
skip-to-content = Zum Inhalt springen
language = Sprache
nav-main = Hauptnavigation
nav-search = Suche
nav-account = Mein Konto
nav-login = Anmelden
nav-register = Registrieren
nav-logout = Abmelden
footer-privacy = Wie wir mit Ihren Daten umgehen
footer-api = Offene Schnittstelle für Entwickler
footer-osm = Karten- und Firmendaten © OpenStreetMap-Mitwirkende (ODbL)

## Home
home-lead = Alles Lokale an einem Ort: Geschäfte, Vereine, Ärztinnen und Ärzte und die Dienstleistungen der Stadt.
home-search-label = Was suchen Sie?
home-search-placeholder = z. B. Apotheke, Fitnessstudio, Reisepass
home-search-button = Suchen
home-categories = Nach Kategorie stöbern
home-city-services = Dienstleistungen der Stadt
home-all-services = Alle Dienstleistungen der Stadt
home-data-line = Wir fragen nur, was eine Buchung braucht, protokollieren jeden Zugriff auf Ihre Daten und Sie können alles exportieren oder löschen.
home-data-link = Wie wir mit Ihren Daten umgehen
home-stats = { $businesses } Geschäfte und Orte, { $services } Dienstleistungen der Stadt

## Search
search-title = Suche
search-heading = Suchergebnisse
search-heading-for = Ergebnisse für „{ $q }“
search-label = Suchbegriff
search-button = Suchen
results-count = { $count ->
    [one] 1 Ergebnis
   *[other] { $count } Ergebnisse
}
filters = Filter
filter-kind = Art
filter-kind-any = Geschäfte und Dienstleistungen der Stadt
filter-category = Kategorie
filter-category-any = Alle Kategorien
filter-district = Stadtteil
filter-district-any = Alle Stadtteile
filter-open-now = Jetzt geöffnet
filter-wheelchair = Rollstuhlgerecht
filter-apply = Filter anwenden
filter-reset = Filter zurücksetzen
filter-remove = Filter entfernen: { $name }
sort = Sortieren nach
sort-relevance = Relevanz
sort-distance = Entfernung
sort-name = Name
near-hint = Für die Sortierung nach Entfernung braucht es einen Standort: near=Breite,Länge in der Adresse oder Standortfreigabe.
facet-count = { $label } ({ $count })
empty-title = Nichts gefunden
empty-hint = Versuchen Sie weniger oder andere Wörter, prüfen Sie die Schreibweise oder entfernen Sie Filter.
empty-browse = Oder stöbern Sie in den Dienstleistungen der Stadt:
pagination = Seiten
page-previous = Vorherige Seite
page-next = Nächste Seite
page-n = Seite { $n }
page-current = Seite { $n }, aktuelle Seite
distance-away = { $distance } entfernt
engine-database = Ergebnisse aus der Datenbanksuche.

## Kinds
kind-business = Geschäft
kind-municipal_service = Dienstleistung der Stadt

## Listing and service pages
open-until = Jetzt geöffnet, bis { $time } Uhr
opens-today = Jetzt geschlossen, öffnet heute um { $time } Uhr
opens-on = Jetzt geschlossen, öffnet { $day } um { $time } Uhr
closed-now = Jetzt geschlossen
opening-hours = Öffnungszeiten
no-hours = Keine Öffnungszeiten bekannt.
closed-day = geschlossen
hours-exceptions = Besondere Tage
hours-osm = Laut OpenStreetMap: { $text }
address-contact = Adresse und Kontakt
address = Adresse
phone = Telefon
email = E-Mail
website = Webseite
accessibility = Barrierefreiheit
wheelchair-yes = Rollstuhlgerecht
wheelchair-limited = Teilweise rollstuhlgerecht
wheelchair-no = Nicht rollstuhlgerecht
languages-spoken = Gesprochene Sprachen
categories = Kategorien
map = Karte
show-on-map = Auf OpenStreetMap zeigen
source-osm = Aus OpenStreetMap übernommen. Daten © OpenStreetMap-Mitwirkende (ODbL).
about-service = Über diese Dienstleistung
eligibility = Wer kann das beantragen?
what-to-bring = Was Sie mitbringen
fees = Gebühren
processing-time = Bearbeitungszeit
channels = Wie Sie es beantragen
apply-online = Online beantragen
related-services = Verwandte Dienstleistungen
responsible = Zuständige Stelle
channel-in_person = Vor Ort
channel-online = Online
channel-post = Per Post
channel-phone = Per Telefon
channel-email = Per E-Mail

## Days
day-0 = Montag
day-1 = Dienstag
day-2 = Mittwoch
day-3 = Donnerstag
day-4 = Freitag
day-5 = Samstag
day-6 = Sonntag

## Accounts
login-title = Anmelden
login-button = Anmelden
login-no-account = Noch kein Konto?
register-title = Registrieren
register-button = Konto anlegen
register-have-account = Schon registriert?
field-email = E-Mail-Adresse
field-password = Passwort
field-password-hint = Mindestens 10 Zeichen.
field-display-name = Ihr Name
field-display-name-hint = So begrüßt Sie das Portal.
error-summary = Bitte korrigieren Sie Folgendes:
error-invalid-credentials = E-Mail-Adresse oder Passwort ist falsch.
error-rate-limited = Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie { $minutes } Minuten.
error-email-taken = Zu dieser E-Mail-Adresse gibt es schon ein Konto. Bitte melden Sie sich an.
error-csrf = Das Formular ist abgelaufen. Bitte senden Sie es noch einmal.
account-title = Mein Konto
account-greeting = Hallo, { $name }
account-profile = Profil
account-bookings = Meine Buchungen
account-bookings-empty = Sie haben noch keine Buchungen.
account-organizations = Meine Organisationen
account-organizations-empty = Sie sind in keiner Organisation Mitglied.
account-data = Meine Daten
account-data-text = Sehen Sie, wer Ihre Daten gelesen hat.
account-access-log = Zugriffsprotokoll
account-access-log-empty = Niemand außer Ihnen hat Ihre Daten gelesen.
error-email-invalid = Geben Sie eine E-Mail-Adresse wie name@example.org ein.
error-password-length = Das Passwort braucht mindestens 10 Zeichen.
error-display-name = Geben Sie Ihren Namen ein (höchstens 120 Zeichen).
error-password-wrong = Das Passwort ist falsch.
error-last-owner = Sie sind die letzte Inhaberin bzw. der letzte Inhaber einer Organisation. Machen Sie zuerst ein anderes Mitglied zur Inhaberin oder zum Inhaber.
account-export = Meine Daten herunterladen
account-export-text = Alles, was wir über Sie speichern, als JSON-Datei.
account-delete = Mein Konto löschen
account-delete-text = Damit löschen Sie Ihr Konto, Ihre Mitgliedschaften, Ihre API-Schlüssel und Ihr Zugriffsprotokoll. Das lässt sich nicht rückgängig machen.
account-delete-password = Ihr Passwort zur Bestätigung
account-delete-button = Mein Konto endgültig löschen
account-email = E-Mail
account-role-owner = Inhaber/in
account-role-staff = Mitarbeiter/in
account-deleted = Ihr Konto und seine Daten sind gelöscht.
access-when = Wann
access-what = Was
access-why = Warum
logged-out = Sie sind abgemeldet.

## Privacy
privacy-title = Wie wir mit Ihren Daten umgehen
privacy-intro = Dieses Portal betreibt die Stadt für ihre Einwohnerinnen und Einwohner. Hier steht in einfachen Worten, was mit Ihren Daten geschieht.
privacy-1-title = Wir speichern nur, was nötig ist
privacy-1-text = Zum Suchen brauchen Sie kein Konto, und wir speichern nichts über Sie. Ein Konto enthält Ihre E-Mail-Adresse, Ihren Namen und ein Passwort, das wir nicht lesen können (es wird nur als Einweg-Prüfwert gespeichert).
privacy-2-title = Betriebe sehen nur, was eine Buchung braucht
privacy-2-text = Buchen kommt bald. Dann sehen Sie vor dem Bestätigen genau, welche Ihrer Daten an wen gehen: immer Ihren Namen, E-Mail oder Telefon nur, wenn das Angebot sie braucht.
privacy-3-title = Jeder Zugriff wird protokolliert, und Sie sehen ihn
privacy-3-text = Wenn Beschäftigte der Stadt, ein Betrieb oder ein städtisches Modul Ihre Daten liest, halten wir fest, wer, wann und warum. Dieses Protokoll finden Sie unter „Mein Konto“.
privacy-4-title = Ihre Daten bleiben Ihre Daten
privacy-4-text = Sie können alles exportieren, was wir über Sie speichern, und Ihr Konto mit allen Daten löschen.
privacy-5-title = Kein Tracking
privacy-5-text = Keine Werbung, keine Tracker Dritter, keine Analyse-Cookies. Wir setzen nur die Cookies, die das Portal braucht: Ihre Anmeldung, Ihre Sprache und einen Schutz für Formulare.

## Errors
not-found-title = Seite nicht gefunden
not-found-text = Die Seite gibt es nicht, oder sie ist nicht mehr öffentlich.
back-home = Zur Startseite
