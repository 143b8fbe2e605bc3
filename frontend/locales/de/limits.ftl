access-report-answers = die Kontaktdaten in den Antworten Ihrer Meldung { $report }
