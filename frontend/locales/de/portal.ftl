## Layout
skip-to-content = Zum Inhalt springen
language = Sprache
nav-main = Hauptnavigation
nav-search = Suche
nav-reports = Meldungen
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
filter-category = Kategorie
filter-district = Stadtteil
filter-open-now = Jetzt geöffnet
filter-wheelchair = Rollstuhlgerecht
filter-reset = Filter zurücksetzen
filter-remove = Filter entfernen: { $name }
sort = Sortieren nach
sort-relevance = Relevanz
sort-distance = Entfernung
sort-name = Name
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
search-unavailable-title = Die Suche ist gerade nicht verfügbar
search-unavailable-text = Die Suche konnte nicht antworten. Bitte versuchen Sie es in einigen Minuten noch einmal.

## Kinds
kind-business = Geschäft
kind-municipal_service = Dienstleistung der Stadt

## Listing and service pages
open-until = Jetzt geöffnet, bis { $time } Uhr
opens-today = Jetzt geschlossen, öffnet heute um { $time } Uhr
opens-on = Jetzt geschlossen, öffnet { $day } um { $time } Uhr
closed-now = Jetzt geschlossen
opening-hours = Öffnungszeiten
hours-today = (heute)
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
show-map = Ergebnisse auf der Karte zeigen
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
error-rate-limited = { $minutes ->
    [one] Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie eine Minute.
   *[other] Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie { $minutes } Minuten.
}
error-too-many-requests = { $minutes ->
    [one] Zu viele Anfragen. Bitte warten Sie eine Minute.
   *[other] Zu viele Anfragen. Bitte warten Sie { $minutes } Minuten.
}
error-too-many-registrations = { $minutes ->
    [one] Von dieser Adresse wurden zu viele Konten registriert. Bitte warten Sie eine Minute.
   *[other] Von dieser Adresse wurden zu viele Konten registriert. Bitte warten Sie { $minutes } Minuten.
}
error-csrf = Das Formular ist abgelaufen. Bitte senden Sie es noch einmal.
account-title = Mein Konto
account-greeting = Hallo, { $name }
account-profile = Profil
account-bookings = Meine Buchungen
account-organizations = Meine Organisationen
account-organizations-empty = Sie sind in keiner Organisation Mitglied.
account-data = Meine Daten
account-access-log = Zugriffsprotokoll
account-access-log-empty = Niemand außer Ihnen hat Ihre Daten gelesen.
error-email-invalid = Geben Sie eine E-Mail-Adresse wie name@example.org ein.
error-password-length = Das Passwort braucht mindestens 10 Zeichen.
error-display-name = Geben Sie Ihren Namen ein (höchstens 120 Zeichen).
error-password-wrong = Das Passwort ist falsch.
account-export = Meine Daten herunterladen
account-export-text = Alles, was wir über Sie speichern, als JSON-Datei.
account-delete = Mein Konto löschen
account-delete-text = Ihre kommenden Buchungen werden abgesagt (die Unternehmen erfahren es) und Ihre Wartelistenplätze freigegeben. Dann löschen wir Ihr Konto, Ihre Mitgliedschaften, Ihre API-Schlüssel, Ihren Kalender-Feed und Ihr Zugriffsprotokoll; Buchungen, die ein Unternehmen für seine Unterlagen behält, verlieren Ihren Namen, Ihre E-Mail-Adresse und Telefonnummer. Das lässt sich nicht rückgängig machen.
account-delete-password = Ihr Passwort zur Bestätigung
account-delete-button = Mein Konto endgültig löschen
account-email = E-Mail
account-role-owner = Inhaber/in
account-role-staff = Mitarbeiter/in
account-deleted = Ihr Konto und seine Daten sind gelöscht.
access-when = Wann
access-what = Was
access-why = Warum
access-who = Wer
access-times = { $count ->
    [one] einmal gelesen
   *[other] { $count }-mal gelesen
}
access-who-city = Stadtverwaltung
access-role-owner = Inhaber*in
access-role-staff = Mitarbeiter*in
access-role-admin = Administrator*in
access-role-editor = Redakteur*in
access-fields-name = Ihr Name
access-fields-name-email = Ihr Name und Ihre E-Mail-Adresse
access-fields-name-phone = Ihr Name und Ihre Telefonnummer
access-fields-name-email-phone = Ihr Name, Ihre E-Mail-Adresse und Ihre Telefonnummer
access-booking-data = { $fields }, für { $kind ->
    [appointment] Ihren Termin
    [class] Ihren Kurs
    [membership] Ihre Mitgliedschaft
   *[other] Ihre Buchung
} „{ $offer }“ am { $when }
logged-out = Sie sind abgemeldet.

## Privacy

## Dashboard and editor
nav-manage = Mein Betrieb
nav-admin = Stadtverwaltung
manage-title = Mein Betrieb
manage-listings = Einträge
manage-name = Name
manage-status = Status
manage-actions = Aktionen
manage-view = Ansehen
manage-no-listings = Noch keine Einträge.
manage-new-listing = Neuer Eintrag
manage-members = Mitglieder
manage-remove = Entfernen
manage-member-email = E-Mail des neuen Mitglieds (es braucht ein Konto)
manage-member-role = Rolle
manage-add-member = Mitglied hinzufügen
manage-new-org = Betrieb registrieren
manage-new-org-text = Legen Sie eine Organisation für Ihren Betrieb an; Sie werden Inhaberin bzw. Inhaber und können dann Einträge und Mitglieder hinzufügen.
manage-org-name = Name des Betriebs
manage-create-org = Organisation anlegen
status-draft = Entwurf (nicht öffentlich)
status-published = Veröffentlicht
status-suspended = Von der Stadt gesperrt
done-org-created = Die Organisation ist angelegt.
done-member-added = Das Mitglied ist hinzugefügt.
done-member-removed = Das Mitglied ist entfernt.
done-created = Der Eintrag ist als Entwurf angelegt. Veröffentlichen Sie ihn, wenn er fertig ist.
done-saved = Ihre Änderungen sind gespeichert.
done-publish = Der Eintrag ist veröffentlicht.
done-unpublish = Der Eintrag ist nicht mehr öffentlich.
done-suspend = Der Eintrag ist gesperrt.
done-restore = Der Eintrag ist wiederhergestellt.
done-deleted = Der Eintrag ist gelöscht.
editor-new = Neuer Eintrag
editor-edit = Eintrag bearbeiten
editor-publish = Veröffentlichen
editor-unpublish = Nicht mehr veröffentlichen
editor-basics = Grunddaten
editor-name-de = Name (Deutsch)
editor-name-en = Name (Englisch)
editor-description-de = Beschreibung (Deutsch)
editor-description-en = Beschreibung (Englisch)
editor-category = Kategorie
editor-category-2 = Zweite Kategorie (optional)
editor-choose = Bitte wählen …
editor-tags = Stichwörter
editor-tags-hint = Durch Kommas getrennt, z. B. Bäckerei, Bio.
editor-street = Straße und Hausnummer
editor-postcode = Postleitzahl
editor-city = Ort
editor-lat = Breitengrad
editor-lng = Längengrad
editor-coordinates-hint = Dezimalgrad, z. B. 60.1699 und 24.9384. Für Karte und Entfernungen.
editor-website-hint = Eine vollständige Adresse, die mit https:// beginnt
editor-unknown = Keine Angabe
editor-languages-hint = Zweibuchstabige Kürzel, durch Kommas getrennt, z. B. de, en, tr.
editor-hours-hint = Bis zu zwei Öffnungszeiten pro Tag, in der Ortszeit der Stadt. Lassen Sie geschlossene Tage leer.
editor-day = Tag
editor-opens = Öffnet
editor-closes = Schließt
editor-interval = Zeitraum { $n }
editor-exceptions-hint = Feiertage, Schließungen oder besondere Zeiten an einem Datum. Nicht benötigte Zeilen leer lassen.
editor-exception = Besonderer Tag { $n }
editor-date = Datum
editor-closed-all-day = Ganztägig geschlossen
editor-note = Hinweis (z. B. Feiertag)
editor-one-per-line = Ein Punkt pro Zeile.
editor-save = Speichern
editor-delete = Diesen Eintrag löschen
admin-title = Stadtverwaltung
admin-moderation = Moderation
admin-any-status = Jeder Status
admin-restore = Wiederherstellen
admin-reason = Grund für die Sperre
admin-suspend = Sperren
admin-new-service = Neue Dienstleistung der Stadt
admin-organizations = Organisationen
org-kind-business = Betrieb
org-kind-department = städtisches Amt
org-kind-module_operator = Modulbetreiber
error-stale = Jemand anderes hat diesen Eintrag inzwischen geändert. Prüfen Sie die aktuelle Fassung unten und speichern Sie erneut.
error-reason = Geben Sie einen Grund mit 3 bis 500 Zeichen an.
error-staff-only = Diese Seite ist für Beschäftigte der Stadt.
error-sessions-unavailable = Ihre Sitzung kann gerade nicht gelesen werden. Bitte versuchen Sie es gleich noch einmal; Sie bleiben angemeldet.
error-form-nul = Das Feld „{ $field }“ enthält ein Zeichen, das kein Text enthalten darf (NUL). Gehen Sie zurück, entfernen Sie es und senden Sie das Formular erneut.
error-unknown-action = Diese Aktion ist unbekannt. Bitte gehen Sie zurück und versuchen Sie es erneut.

## Booking (residents)
booking-book = Buchen
booking-choose-appointment = Termin wählen
booking-choose-class = Kurstermin wählen
booking-choose-membership = Startdatum wählen
booking-login-hint = Zum Buchen melden Sie sich zuerst an (oder registrieren sich); danach geht es direkt hier weiter.
booking-pick-heading = Buchen: { $name }
booking-reschedule-heading = Buchung verschieben: { $name }
booking-current-time = Ihre Buchung jetzt: { $when }
booking-your-details = Ihre Kontaktdaten für { $who }
booking-details-hint = Nur, was dieses Angebot braucht. Vor dem Bestätigen sehen Sie alles, was weitergegeben wird.
booking-field-email = E-Mail-Adresse
booking-field-phone = Telefonnummer
booking-start-dates = Startdaten
booking-pick-date-hint = Wählen Sie, wann Ihre Mitgliedschaft beginnt. Der Termin ist nur für Sie reserviert, bis Sie ihn auf der nächsten Seite bestätigen.
booking-pick-hint = Wählen Sie eine Zeit. Sie wird einige Minuten für Sie reserviert, während Sie Ihre Buchung auf der nächsten Seite prüfen und bestätigen.
booking-weeks = Wochen
booking-previous-week = Vorige Woche
booking-next-week = Nächste Woche
booking-week-of = { $from } bis { $to }
booking-your-time = Ihre jetzige Zeit
booking-full = ausgebucht
booking-seats-left = { $n ->
    [one] noch 1 Platz frei
   *[other] noch { $n } Plätze frei
}
booking-start-on = Beginn am { $date }
booking-starts-on = Beginnt am { $date }
booking-no-times = In dieser Woche ist keine Zeit frei. Versuchen Sie die nächste Woche.
booking-no-dates = Zurzeit gibt es keine Startdaten.
booking-keep-time = Die jetzige Zeit behalten
booking-review-title = Buchung prüfen und bestätigen
booking-title = Ihre Buchung
booking-what = Was
booking-where = Wo
booking-when = Wann
booking-status = Status
booking-shares-heading = Das erhält { $who }
booking-shared-heading = Das hat { $who } erhalten
booking-shared-name = Name
booking-shared-email = E-Mail-Adresse
booking-shared-phone = Telefonnummer
booking-shared-nothing-else = Sonst nichts: { $who } sieht weder Ihr Konto noch Ihre anderen Buchungen. Jedes Mal, wenn diese Buchung dort geöffnet wird, steht es in Ihrem Zugriffsprotokoll.
booking-policy = Buchungsbedingungen
booking-confirm-heading = Bestätigen
booking-change-heading = Ändern oder absagen
booking-held-until = Diese Zeit ist bis { $time } Uhr für Sie reserviert. Wenn Sie bis dahin nicht bestätigen, wird sie freigegeben.
booking-confirm = Buchung bestätigen
booking-send-request = Buchungsanfrage senden
booking-release = Abbrechen und Zeit freigeben
booking-expired-text = Die Reservierung ist abgelaufen, die Zeit wurde freigegeben.
booking-pick-again = Erneut eine Zeit wählen
booking-cancellable-until = Sie können bis { $until } Uhr absagen.
booking-cancel-closed = Online absagen war bis { $until } Uhr möglich. Bitte wenden Sie sich direkt an den Anbieter.
booking-no-changes = Diese Buchung kann nicht mehr geändert werden.
booking-reschedule = Andere Zeit wählen
booking-cancel = Buchung absagen
booking-cancel-title = Diese Buchung absagen?
booking-cancel-explained = Ihr Platz wird wieder frei, und { $who } erfährt, dass Sie abgesagt haben. Das lässt sich nicht rückgängig machen; wenn Sie doch kommen möchten, buchen Sie neu, sofern ein Platz frei ist.
booking-cancel-yes = Ja, Buchung absagen
booking-cancel-no = Nein, behalten
booking-all-mine = Alle meine Buchungen
booking-review-continue = Prüfen und bestätigen
booking-upcoming = Bevorstehend
booking-past = Vergangen und abgesagt
booking-none-upcoming = Sie haben keine bevorstehenden Buchungen.
booking-find-something = Etwas zum Buchen finden
booking-none-past = Hier ist noch nichts.
booking-done-confirmed = Ihre Buchung ist bestätigt.
booking-done-requested = Ihre Buchungsanfrage ist gesendet. Der Anbieter nimmt sie an oder lehnt sie ab; die Antwort sehen Sie hier.
booking-done-cancelled = Ihre Buchung ist abgesagt.
booking-done-released = Die Zeit ist freigegeben; es wurde nichts gebucht.
booking-done-rescheduled = Ihre Buchung ist auf die neue Zeit verschoben.
booking-done-pending = Ihre Buchung wird noch bearbeitet. Bitte sehen Sie gleich noch einmal nach.
booking-status-held = Für Sie reserviert, noch nicht bestätigt
booking-status-requested = Wartet auf Bestätigung durch den Anbieter
booking-status-confirmed = Bestätigt
booking-status-rejected = Vom Anbieter abgelehnt
booking-status-expired = Reservierung abgelaufen
booking-status-cancelled = Abgesagt
booking-status-completed = Hat stattgefunden
booking-status-no_show = Verpasst
booking-days = { $n ->
    [one] 1 Tag
   *[other] { $n } Tage
}
booking-hours = { $n ->
    [one] 1 Stunde
   *[other] { $n } Stunden
}
booking-minutes = { $n ->
    [one] 1 Minute
   *[other] { $n } Minuten
}
booking-kind-appointment-line = Termin, { $duration }
booking-kind-class-line = Kurs, { $duration }, { $seats ->
    [one] für 1 Person
   *[other] bis zu { $seats } Personen
}
booking-kind-membership-line = Mitgliedschaft, { $price } ({ $period })
period-month = monatlich
period-quarter = vierteljährlich
period-half_year = halbjährlich
period-year = jährlich
booking-policy-instant = Ihre Buchung ist bestätigt, sobald Sie sie bestätigen.
booking-policy-approval = { $who } nimmt jede Buchung an oder lehnt sie ab; bis dahin ist sie eine Anfrage.
booking-policy-membership-anytime = Mitglieder können vor Ende des Zeitraums kündigen.
booking-policy-membership-period = Eine Mitgliedschaft läuft mindestens einen vollen Zeitraum.
booking-policy-cancel-until-start = Sie können online bis zum Beginn absagen.
booking-policy-cancel-until = Sie können online bis { $span } vor Beginn absagen.
booking-policy-lead-time = Buchen Sie mindestens { $span } im Voraus.
booking-policy-limit = { $n ->
    [one] Höchstens eine aktive Buchung pro Person.
   *[other] Höchstens { $n } aktive Buchungen pro Person.
}
booking-policy-shares = Weitergegeben an { $who }: { $what }.
booking-shares-name = Ihr Name
booking-shares-name-email = Ihr Name und Ihre E-Mail-Adresse
booking-shares-name-phone = Ihr Name und Ihre Telefonnummer
booking-shares-all = Ihr Name, Ihre E-Mail-Adresse und Ihre Telefonnummer
account-bookings-link = Meine Buchungen ansehen und ändern

booking-join-waitlist = Auf die Warteliste
booking-on-waitlist = Sie stehen auf der Warteliste
booking-waitlist-hint = Für eine ausgebuchte Zeit können Sie sich auf die Warteliste setzen: Wird ein Platz frei, wird er für Sie reserviert und Sie bestätigen ihn unter „Meine Buchungen“.
booking-waitlists = Wartelisten
booking-no-waitlists = Sie stehen auf keiner Warteliste.
booking-leave-waitlist = Warteliste verlassen
booking-waitlist-position = Wartet: Sie sind an { $n }. Stelle.
booking-waitlist-offered = Ein Platz ist bis { $until } Uhr für Sie reserviert: Bitte bestätigen Sie ihn.
booking-waitlist-waiting = Wartet
booking-done-waitlist-joined = Sie stehen auf der Warteliste. Wird ein Platz frei, wird er für Sie reserviert und Sie bestätigen ihn hier.
booking-done-waitlist-left = Sie haben die Warteliste verlassen.

booking-ics = In meinen Kalender (.ics)

## Booking (businesses)
manage-offers = Angebote
offers-title = Angebote von { $name }
offers-back-to-listing = { $name } bearbeiten
offers-listing-not-public = Der Eintrag ist nicht veröffentlicht: Erst danach können Einwohner seine Angebote buchen.
offers-kind = Art
offers-bookings = Buchungen
offers-none = Noch keine Angebote.
offers-new = Angebot hinzufügen
offers-new-text = Termine (eine Zeit bei Ihnen), Kurse (Plätze in Kursterminen) oder Mitgliedschaften (ein Tarif mit Startdaten).
offer-new-appointment = Neues Terminangebot
offer-new-class = Neuer Kurs
offer-new-membership = Neue Mitgliedschaft
offer-edit = Angebot bearbeiten
offer-status-active = Buchbar
offer-status-draft = Entwurf (nicht buchbar)
offer-status-archived = Archiviert
offer-appointments = Termine
offer-duration = Dauer in Minuten
offer-parallel = Gleichzeitig buchbar
offer-parallel-hint = Wie viele Personen dieselbe Zeit buchen können (Mitarbeitende, Räume).
offer-availability = Wann Termine buchbar sind
offer-availability-hint = Bis zu zwei Zeiträume pro Tag, in der Ortszeit der Stadt. Termine folgen direkt aufeinander. Tage ohne Termine leer lassen.
offer-from = Von
offer-until = Bis
offer-exceptions = Besondere Tage
offer-exceptions-hint = Tage ohne Termine oder mit anderen Zeiten. Nicht benötigte Zeilen leer lassen.
offer-no-appointments = An diesem Tag keine Termine
offer-class = Kurs
offer-seats = Plätze pro Kurstermin
offer-sessions = Einzelne Kurstermine
offer-sessions-hint = Datum und Ortszeit jedes Kurstermins. Nicht benötigte Zeilen leer lassen.
offer-session = Kurstermin { $n }
offer-recurrence = Wöchentliche Kurstermine
offer-recurrence-hint = Kurstermine an diesen Tagen zu dieser Uhrzeit, vom ersten bis zum letzten Tag (höchstens ein Jahr).
offer-recurrence-days = An diesen Tagen
offer-recurrence-time = Um (Ortszeit)
offer-recurrence-from = Erster Tag
offer-recurrence-until = Letzter Tag
offer-membership = Mitgliedschaft
offer-period = Abrechnungszeitraum
offer-price = Preis
offer-price-hint = So, wie Einwohner ihn lesen sollen, z. B. 39 € pro Monat.
offer-start-dates = Startdaten
offer-start-dates-hint = Die Tage, an denen eine Mitgliedschaft beginnen kann. Nicht benötigte Zeilen leer lassen.
offer-start-date = Startdatum { $n }
offer-cancel-anytime = Mitglieder können vor Ende des Zeitraums kündigen
offer-policy = Buchungsbedingungen
offer-confirmation = Bestätigung
offer-confirmation-instant = Sofort: Eine Buchung ist bestätigt, sobald die Person sie bestätigt
offer-confirmation-approval = Nach Freigabe: Sie nehmen jede Buchung an oder lehnen sie ab
offer-cancel-deadline = Absagefrist (Minuten vor Beginn)
offer-cancel-deadline-hint = Bis dahin kann online abgesagt werden; 0: bis zum Beginn.
offer-lead-time = Vorlauf (Minuten)
offer-lead-time-hint = Wie weit im Voraus mindestens gebucht werden muss; 0: bis zum Beginn.
offer-horizon = Buchungszeitraum (Tage)
offer-horizon-hint = Wie viele Tage im Voraus gebucht werden kann (1 bis 365).
offer-limit = Aktive Buchungen pro Person
offer-limit-hint = 0: keine Grenze.
offer-data = Daten, die Sie erhalten
offer-data-hint = Den Namen erhalten Sie immer. Fragen Sie nur nach mehr, wenn Sie es brauchen: Vor dem Bestätigen sehen Einwohner genau, was Sie erhalten.
offer-collect-email = E-Mail-Adresse
offer-collect-phone = Telefonnummer
offer-error-stale = Jemand anderes hat dieses Angebot inzwischen geändert. Prüfen Sie die aktuelle Fassung unten und speichern Sie erneut.
done-offer-created = Das Angebot ist angelegt.
done-offer-saved = Ihre Änderungen sind gespeichert.
done-decided-approve = Die Buchung ist bestätigt.
done-decided-reject = Die Buchung ist abgelehnt und ihr Platz freigegeben.
done-decided-completed = Die Buchung ist als stattgefunden eingetragen.
done-decided-no-show = Die Buchung ist als nicht erschienen eingetragen.
offer-bookings-title = Buchungen: { $name }
offer-bookings-logged = Jede hier gezeigte Buchung wird im Zugriffsprotokoll der Person vermerkt, mit Ihrem Namen und dem Grund.
offer-bookings-from = Von
offer-bookings-to = Bis
offer-bookings-show = Anzeigen
offer-bookings-range = { $from } bis { $to }
offer-bookings-contact = Kontakt
offer-bookings-no-contact = nicht weitergegeben
offer-bookings-none = Keine Buchungen in diesem Zeitraum.
offer-approve = Annehmen
offer-reject = Ablehnen
offer-completed = Hat stattgefunden
offer-no-show = Nicht erschienen
offer-booking-status-held = Reserviert, noch nicht bestätigt
offer-bookings-not-shared = Name und Kontakt sehen Sie, sobald die Person bestätigt.
offer-booking-status-requested = Anfrage: wartet auf Sie
offer-booking-status-confirmed = Bestätigt
offer-booking-status-rejected = Abgelehnt
offer-booking-status-expired = Reservierung abgelaufen
offer-booking-status-cancelled = Von der Person abgesagt
offer-booking-status-completed = Hat stattgefunden
offer-booking-status-no_show = Nicht erschienen

## Messages of the service layer on pages (see i18n::CATALOGUE)
v-max-chars = Bitte höchstens { $max } Zeichen.
v-control-chars = Bitte entfernen Sie Steuerzeichen wie Tabulatoren oder unsichtbare Zeichen.
v-time = Geben Sie eine Uhrzeit zwischen 00:00 und 24:00 an, z. B. 09:30.
v-max-rules = Höchstens 28 Öffnungszeiträume.
v-max-exceptions = Höchstens 400 besondere Tage.
v-closes-after-opens-midnight = Die Schließzeit muss nach der Öffnungszeit liegen. Für Zeiten über Mitternacht nutzen Sie zwei Zeiträume.
v-closes-after-opens = Die Schließzeit muss nach der Öffnungszeit liegen.
v-overlap = Dieser Zeitraum überschneidet sich mit einem anderen am selben Tag.
v-exception-same-date = Ein anderer besonderer Tag hat dasselbe Datum.
v-exception-times = Geben Sie Öffnungs- und Schließzeit an oder wählen Sie „Ganztägig geschlossen“.
v-max-items = Höchstens 30 Einträge.
v-date-window = Geben Sie ein Datum zwischen { $from } und { $to } an.
v-not-empty = Dies darf nicht leer sein.
v-url = Geben Sie eine vollständige Webadresse an, die mit https:// oder http:// beginnt.
v-name-required = Geben Sie einen Namen auf Deutsch oder Englisch an.
v-max-categories = Höchstens 5 Kategorien.
v-unknown-category = Unbekannte Kategorie „{ $c }“.
v-max-tags = Höchstens 20 Stichwörter.
v-tag-chars = Bitte nur Buchstaben, Ziffern, Leerzeichen und Bindestriche.
v-lat-range = Geben Sie einen Breitengrad zwischen -90 und 90 an.
v-lng-range = Geben Sie einen Längengrad zwischen -180 und 180 an.
v-phone = Geben Sie eine Telefonnummer an (nur Ziffern, Leerzeichen und + - / ( )).
v-language-code = Bitte Sprachkürzel aus zwei Buchstaben wie de, en oder tr.
v-max-languages = Höchstens 30 Sprachen.
v-service-only-municipal = Nur städtische Leistungen haben Angaben zur Leistung.
v-channel-required = Wählen Sie mindestens einen Weg, den Antrag zu stellen.
v-service-required = Beschreiben Sie, wer den Antrag stellen kann, was mitzubringen ist, die Gebühren und wie man den Antrag stellt.
v-category-required = Wählen Sie eine Kategorie.
v-category-before-publish = Wählen Sie vor dem Veröffentlichen eine Kategorie.
v-organization-required = Ein Geschäftseintrag gehört zu einer Organisation, deren Mitglied Sie sind.
v-department = Wählen Sie ein Amt der Stadt.
v-number = Geben Sie eine Zahl an, z. B. 60,1699.
v-both-coordinates = Geben Sie Breiten- und Längengrad an.
v-date = Geben Sie ein Datum an, z. B. 24.12.2026.
v-password-max = Das Passwort darf höchstens 256 Zeichen haben.
v-organization-name = Geben Sie einen Namen mit 2 bis 200 Zeichen an.
v-member-unknown = Zu dieser E-Mail-Adresse gibt es kein Konto. Bitten Sie die Person, sich zuerst zu registrieren.
problem-title-bad-request = Die Anfrage konnte nicht bearbeitet werden
problem-title-forbidden = Das dürfen Sie nicht
problem-title-not-found = Nicht gefunden
problem-title-conflict = Das ist gerade nicht möglich
problem-title-validation = Einige Angaben müssen korrigiert werden
problem-title-rate-limited = Zu viele Anfragen
problem-title-error = Etwas ist schiefgegangen
access-member-data = Name und E-Mail-Adresse als Mitglied von { $organization }
access-purpose-member-review = Stadtverwaltung: Prüfung der Mitglieder einer Organisation
access-booking = Buchung { $booking } ({ $fields })
access-purpose-booking-list = Buchungsliste von { $offer }
access-purpose-booking-marked = { $status ->
    [confirmed] Buchung bestätigt
    [rejected] Buchung abgelehnt
    [no_show] als nicht erschienen vermerkt
    [completed] als wahrgenommen vermerkt
   *[other] Buchung geändert: { $status }
}
access-purpose-partner-sent = mit der Buchung an das Buchungssystem des Unternehmens übermittelt

## Errors
not-found-title = Seite nicht gefunden
not-found-text = Die Seite gibt es nicht, oder sie ist nicht mehr öffentlich.
back-home = Zur Startseite

## Notifications (emails about bookings, calendar files)
mail-greeting = Hallo { $name },
mail-what = Was
mail-when = Wann
mail-where = Wo
mail-cancel-until = Sie können bis { $until } absagen.
mail-manage = Ihre Buchungen: { $url }
mail-attachment = Den Termin finden Sie als Kalenderdatei im Anhang (booking.ics).
mail-signature = Ihr Stadtportal { $city }
mail-confirmed-subject = Buchung bestätigt: { $offer }
mail-confirmed-intro = Ihre Buchung ist bestätigt.
mail-requested-subject = Buchungsanfrage erhalten: { $offer }
mail-requested-intro = wir haben Ihre Buchungsanfrage erhalten. { $with } nimmt sie an oder lehnt sie ab; wir sagen Ihnen Bescheid.
mail-rescheduled-subject = Buchung verschoben: { $offer }
mail-rescheduled-intro = Ihre Buchung wurde auf einen neuen Termin verschoben.
mail-reminder-subject = Erinnerung: { $offer }, { $when }
mail-reminder-intro = wir erinnern Sie an Ihre bevorstehende Buchung.
mail-cancelled-subject = Buchung storniert: { $offer }
mail-cancelled-intro = Ihre Buchung wurde storniert.
mail-rejected-subject = Buchung abgelehnt: { $offer }
mail-rejected-intro = leider kann { $with } Ihre Buchung nicht annehmen. Der Platz wurde freigegeben.
mail-expired-subject = Reservierung abgelaufen: { $offer }
mail-expired-intro = Ihre Reservierung wurde nicht rechtzeitig bestätigt und ist abgelaufen. Der Platz wurde freigegeben.
mail-waitlist-subject = Ein Platz ist für Sie frei: { $offer }
mail-waitlist-intro = auf der Warteliste ist ein Platz frei geworden und bis { $until } für Sie reserviert. Bestätigen Sie ihn bis dahin unter „Meine Buchungen“, sonst geht er an die nächste Person auf der Warteliste.
mail-partner-kept-subject = Bitte prüfen Sie Ihre Stornierung: { $offer }
mail-partner-kept-intro = { $with } hat die Stornierung Ihrer Buchung nicht angenommen: Das Buchungssystem war bei Ihrer Stornierung nicht erreichbar und hat sie später abgelehnt. Hier ist die Buchung storniert, { $with } rechnet aber womöglich noch mit Ihnen. Bitte wenden Sie sich direkt an { $with }.
ics-description = Gebucht über das Stadtportal { $city }. Ihre Buchungen: { $url }
ics-feed-name = Meine Buchungen – { $city }

## Partner connections (a business's own booking system, in the dashboard)
pc-title = Buchungssysteme
pc-intro = Verbinden Sie Ihr eigenes Buchungssystem: Das Portal bucht die Angebote, die Sie damit verknüpfen, dann dort, und Ihr System verwaltet deren Zeiten und Plätze.
pc-org-title = Buchungssysteme von { $name }
pc-edit-title = Buchungssystem: { $name }
pc-back = Zurück zu „Mein Betrieb“
pc-none = Noch kein Buchungssystem verbunden.
pc-name = Name
pc-name-hint = Für Sie und Ihr Team, z. B. „Unser Buchungssystem“.
pc-base-url = Basis-URL der Partner Booking API
pc-base-url-short = Basis-URL
pc-base-url-hint = https://…, ohne /partner/v1 (unverschlüsseltes http nur für ein System auf diesem Rechner).
pc-token-url = Token-URL (optional)
pc-token-url-short = Token-URL
pc-token-url-hint = Leer lassen, um die Basis-URL mit /oauth/token zu verwenden.
pc-client-id = Client-ID
pc-client-secret = Client-Secret
pc-webhook-secret = Webhook-Signaturschlüssel
pc-webhook-secret-hint = whsec_ gefolgt von Base64, so wie Ihr Buchungssystem ihn anzeigt.
pc-secret-new = Er wird verschlüsselt gespeichert und nie wieder angezeigt.
pc-secret-keep = Leer lassen, um den gespeicherten Schlüssel zu behalten (er wird nie angezeigt).
pc-secrets-again = Zu Ihrer Sicherheit werden Schlüssel nicht erneut eingetragen: Geben Sie sie bitte noch einmal ein.
pc-status = Status
pc-status-active = Aktiv
pc-status-disabled = Deaktiviert (nichts wird darüber gebucht)
pc-webhook-url = Webhook-URL
pc-webhook-url-hint = Geben Sie die Webhook-URL in Ihrem Buchungssystem an: Es sendet seine Statusänderungen dorthin, signiert mit dem Webhook-Signaturschlüssel.
pc-add-title = Buchungssystem verbinden
pc-add = Buchungssystem verbinden
pc-edit = Verbindung ändern
pc-save = Speichern
pc-linked = Angebote, die darüber gebucht werden
pc-linked-none = Noch kein Angebot wird darüber gebucht.
pc-offer-ref = Kennung
pc-partner-offers = Was das Buchungssystem gerade anbietet
pc-partner-offers-hint = Live bei Ihrem Buchungssystem abgefragt; ein Angebot im Portal wird über seine Kennung mit einem davon verknüpft.
pc-partner-time-zone = Seine Zeitzone: { $tz }.
pc-partner-offers-none = Das Buchungssystem führt keine Angebote.
pc-partner-down = Ihr Buchungssystem hat gerade nicht verwertbar geantwortet, daher können seine Angebote nicht angezeigt werden. Prüfen Sie Basis-URL, Token-URL und Zugangsdaten, oder versuchen Sie es später noch einmal.
pc-kind-appointment = Termin
pc-kind-class = Kurs
pc-kind-membership = Mitgliedschaft
pc-confirmation-instant = Sofort
pc-confirmation-approval = Nach Freigabe
pc-remove = Verbindung entfernen
pc-remove-hint = Nur möglich, solange kein Angebot darüber gebucht wird: Archivieren oder ändern Sie diese Angebote zuerst, oder deaktivieren Sie die Verbindung stattdessen.
done-connection-created = Das Buchungssystem ist verbunden.
done-connection-saved = Ihre Änderungen sind gespeichert.
done-connection-removed = Die Verbindung ist entfernt.
offer-partner-note = Dieses Angebot wird über Ihr Buchungssystem gebucht (Kennung { $ref }): Zeiten, Plätze, Bestätigung und die Daten, die eine Buchung weitergibt, werden dort verwaltet. Hier ändern Sie Name, Beschreibung, Status und Bedingungen.
offer-booking-system = Buchungssystem
offer-booking-system-hint = Buchen Sie dieses Angebot im Kalender des Portals oder über eines der Buchungssysteme Ihrer Organisation: Dann verwaltet dieses System Zeiten, Plätze und Tarif, und die Felder dafür unten werden nicht verwendet. Solange ein Angebot aktive Buchungen hat, lässt sich nicht ändern, wo es gebucht wird.
offer-booking-system-where = Gebucht über
offer-booking-system-portal = Kalender des Portals
offer-booking-system-disabled = deaktiviert
offer-partner-offer = Angebot im Buchungssystem
offer-partner-offer-hint = Die Angebote dieser Art, die Ihre Buchungssysteme gerade anbieten, nach System. Nötig, wenn das Angebot über ein Buchungssystem gebucht wird.
offer-partner-offer-none = Bitte wählen …
offer-partner-ref = Kennung des Angebots im Buchungssystem
offer-partner-ref-hint = So, wie Ihr Buchungssystem das Angebot nennt, z. B. sandbox-gym.yoga. Nötig, wenn das Angebot über ein Buchungssystem gebucht wird.
offer-partner-down = Das Buchungssystem { $names } hat gerade nicht geantwortet, daher können seine Angebote nicht angezeigt werden. Geben Sie unten die Kennung des Angebots in diesem System ein oder versuchen Sie es später erneut.
offer-partner-unchecked = Das Buchungssystem hat nicht geantwortet, daher kann das Angebot gerade nicht geprüft werden. Es wurde nichts gespeichert: Bitte versuchen Sie es später erneut.

## Maps: drawn only when asked for (the tile server sees the visitor's address)
map-show-one = Karte anzeigen
map-hide = Karte ausblenden
map-third-party = Die Karte lädt ihre Bilder von { $host }; dieser Server sieht dann Ihre IP-Adresse.
map-zoom-in = Vergrößern
map-zoom-out = Verkleinern
map-close-popup = Schließen
map-attribution = OpenStreetMap-Mitwirkende

## The search page's filters and sorting, in one disclosure
refine-summary = Filtern und sortieren
refine-chosen = ({ $count } gewählt)
sort-apply = Sortieren
