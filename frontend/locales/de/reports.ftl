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
