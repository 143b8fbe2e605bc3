## Fehler der Meldungen und von Open311 (siehe ../README.md).

v-report-required = Das fehlt.
v-report-lat = Geben Sie einen Breitengrad zwischen -90 und 90 an.
v-report-long = Geben Sie einen Längengrad zwischen -180 und 180 an.
v-report-lat-long-pair = Geben Sie Breiten- und Längengrad zusammen an.
v-report-location = Sagen Sie, wo: Wählen Sie einen Ort auf der Karte oder geben Sie eine Adresse ein.
v-report-place-unknown = Diese Adresse kennen wir in der Stadt nicht. Prüfen Sie sie oder wählen Sie einen Ort auf der Karte.
v-report-email = Das ist keine E-Mail-Adresse.
v-report-phone = Das ist keine Telefonnummer.
v-report-media-url = Das ist keine http- oder https-Adresse.
v-report-photo-type = Ein Foto muss ein JPEG- oder PNG-Bild sein.
v-report-photo-size = Ein Foto darf höchstens { $max } MB groß sein.
v-report-state = Das ist kein Stand einer Meldung.
v-report-update-empty = Schreiben Sie etwas.
v-report-date = Das ist kein Datum mit Uhrzeit.
v-report-date-range = Eine Suche umfasst höchstens 90 Tage.
v-report-status-filter = Wählen Sie offen oder erledigt.
v-report-id = Das ist keine Nummer einer Meldung.
v-report-app-name = Geben Sie der App einen Namen mit 1 bis 100 Zeichen.
v-report-list-too-long = Geben Sie höchstens { $max } an.
v-report-form-required-field = Eine Meldeleistung darf eine Datei oder Adresse ({ $field }) erfragen, aber nicht verlangen: Open311-Apps können sie nicht senden.

problem-report-service-unknown = Diese Leistung nimmt keine Meldungen an.
problem-open311-api-key = Der API-Schlüssel fehlt, ist unbekannt oder widerrufen.
problem-open311-jurisdiction = Das ist nicht die Zuständigkeit dieser Stadt.
problem-open311-body-too-large = Die Anfrage ist zu groß.
problem-open311-content-type = Die Anfrage ist nicht als Formular kodiert.
problem-open311-rate-limited = Zu viele Anfragen.
