## Antragsformulare (Issue 16): was das Formular neben den Feldern eines Moduls sagt.

appform-required = Pflichtfeld
appform-choose = Bitte wählen
appform-address-street = Straße und Hausnummer
appform-address-postcode = Postleitzahl
appform-address-city = Ort
appform-file-note = { $types }, höchstens { $max } MB.
appform-file-again = Bitte wählen Sie die Datei erneut: Der Browser behält sie nicht, wenn ein Formular zurückkommt.
appform-file-kept = Beigefügt ist { $name }; wählen Sie nur eine Datei, um sie zu ersetzen.
