access-report-answers = the contact details you gave in the answers of your report { $report }
