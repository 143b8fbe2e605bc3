## Meldungen: das Meldeformular, Meine Meldungen, die öffentliche Liste, die Open311-API-Schlüssel.

report-attribute-yes = Ja
report-attribute-no = Nein
report-state-open = Offen
report-state-investigating = Wird geprüft
report-state-in-progress = In Arbeit
report-state-action-scheduled = Maßnahme geplant
report-state-fixed = Behoben
report-state-duplicate = Doppelt gemeldet
report-state-not-councils-responsibility = Nicht Sache der Stadt
report-state-no-further-action = Keine weiteren Maßnahmen
report-state-internal-referral = Weitergeleitet
report-state-closed = Erledigt
access-report-data = { $fields ->
    [name-email-location] Ihr Name, Ihre E-Mail-Adresse und der Ort
    [name-email] Ihr Name und Ihre E-Mail-Adresse
    [name-location] Ihr Name und der Ort
    [email-location] Ihre E-Mail-Adresse und der Ort
    [name] Ihr Name
    [email] Ihre E-Mail-Adresse
   *[location] der Ort
  } Ihrer Meldung { $report }
access-purpose-report = Bearbeitung Ihrer Meldung ({ $module })
admin-open311-title = Open311-API-Schlüssel
admin-open311-intro = Apps anderer Anbieter melden Anliegen an die Leistungen der Stadt über Open311 GeoReport v2, mit einem eigenen Schlüssel. Zum Lesen der Meldungen braucht es keinen. Die Adresse:
admin-open311-admins-only = Nur die Admins der Stadt vergeben Open311-API-Schlüssel.
admin-open311-key-once = Der Schlüssel von „{ $name }“, nur dieses eine Mal angezeigt (gespeichert wird nur sein Hash): Geben Sie ihn jetzt an die Macher der App weiter.
admin-open311-create = Schlüssel vergeben
admin-open311-app-name = Name der App
admin-open311-create-button = Schlüssel vergeben
admin-open311-keys = Schlüssel
admin-open311-prefix = Beginnt mit
admin-open311-created = Vergeben am
admin-open311-last-used = Zuletzt benutzt
admin-open311-never = nie
admin-open311-revoked = Widerrufen am { $date }: Die App kann keine Meldungen mehr senden.
admin-open311-revoke = Widerrufen
admin-open311-none = Noch keine App hat einen Schlüssel.
report-title = Melden: { $service }
report-intro = Sagen Sie der Stadt, was nicht in Ordnung ist und wo. Ihre Meldung geht an { $module }; dort wird sie bearbeitet, und was geschieht, sehen Sie hier.
report-public = Was Sie schreiben, der Ort und das Foto stehen öffentlich in der Liste der offenen Meldungen, Ihr Name nie.
report-module-receives = { $module } erhält: { $data }.
report-where = Wo ist es?
report-address = Adresse
report-address-hint = Straße und Hausnummer, z. B. Mannerheimintie 5, oder ein Platz oder eine Straße.
report-map-show = Ort auf einer Karte zeigen
report-map-hint = Wählen Sie den Ort auf der Karte: Ihr Punkt gilt statt der Adresse.
report-description = Was ist nicht in Ordnung?
report-description-hint = Bis zu 4000 Zeichen. Bitte lassen Sie Namen und andere persönliche Angaben weg.
report-photo = Foto (freiwillig)
report-photo-hint = Ein JPEG- oder PNG-Bild von höchstens { $max } MB.
report-send = Meldung senden
report-link = Ein Problem melden
report-state = Stand
report-photo-link = Foto
my-reports-title = Meine Meldungen
my-reports-sent = Danke: Ihre Meldung ist abgeschickt. Unten sehen Sie, was aus ihr wird.
my-reports-timeline = Was geschah
my-reports-comment = Hinweis der Stadt
my-reports-none = Sie haben noch nichts gemeldet.
account-reports = Meldungen
account-reports-link = Meine Meldungen: was Sie gemeldet haben und was die Stadt getan hat
reports-title = Offene Meldungen
reports-intro = Probleme, die Bewohner gemeldet haben und die die Stadt noch nicht erledigt hat. Wer sie gemeldet hat, steht hier nicht.
reports-report-one = Selbst ein Problem melden:
reports-map-show = Meldungen auf einer Karte zeigen
reports-none = Es gibt keine offenen Meldungen.
reports-open311 = Apps können Meldungen über Open311 GeoReport v2 lesen und senden:
my-reports-added = Ihr Hinweis ging an die bearbeitende Stelle.
my-reports-mine = Ihr Hinweis
my-reports-add = Etwas ergänzen
my-reports-add-hint = Nur für die bearbeitende Stelle; nicht öffentlich.
my-reports-add-send = Hinweis senden

privacy-reports-erasure = Meldungen: Wenn Sie Ihr Konto löschen, bleiben Ihre Meldungen bei der Stadt (der Ort, die Antworten auf die Fragen der Leistung, was getan wurde), nennen Sie aber nicht mehr; Ihre Beschreibung, Ihr Foto und Ihre Ergänzungen werden gelöscht. Ihr Datenexport listet Ihre Meldungen, mit einem Link auf jedes Foto.
privacy-reports-apps = E-Mail-Adresse, Namen und Telefonnummer, die eine App mit einer Meldung sendet, erhält nur das Modul der Meldung; sie werden { $days } Tage nach der Meldung gelöscht. Geräte- und Konto-Kennungen, die eine App sendet, werden nicht gespeichert.
