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
