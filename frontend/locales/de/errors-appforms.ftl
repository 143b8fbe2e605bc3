## Fehler der Antragsformulare (Issue 16): ein Formular eines Moduls außerhalb der
## dokumentierten Teilmenge (v-form-schema-*, für Admins der Stadt und Entwickler von
## Modulen, mit dem JSON-Pfad), und Eingaben, die nicht zum Formular passen (v-form-*).

v-form-schema-not-object = Hier muss ein JSON-Objekt stehen.
v-form-schema-unsupported = Das Schlüsselwort { $keyword } gehört nicht zur Teilmenge für Formulare.
v-form-schema-invalid = Der Wert von { $keyword } ist hier nicht erlaubt.
v-form-schema-missing = Das Schlüsselwort { $keyword } fehlt.
v-form-schema-field-name = Ein Feldname beginnt mit einem Kleinbuchstaben und hat höchstens 40 Kleinbuchstaben, Ziffern oder Unterstriche (und heißt nicht csrf, lang, intent, action oder next).

v-form-required = Bitte füllen Sie dieses Feld aus.
v-form-too-large = Das ist zu groß.
v-form-min-chars = Bitte mindestens { $min } Zeichen.
v-form-pattern = Das hat nicht die verlangte Form; siehe den Hinweis.
v-form-invalid = Dieser Wert ist nicht gültig.
v-form-email = Geben Sie eine E-Mail-Adresse an, z. B. name@example.org.
v-form-tel = Geben Sie eine Telefonnummer an, z. B. +49 711 123456.
v-form-uri = Geben Sie eine Webadresse an, die mit https:// oder http:// beginnt.
v-form-integer = Geben Sie eine ganze Zahl an, z. B. 3.
v-form-number = Geben Sie eine Zahl an, z. B. 3 oder 2,5.
v-form-range = Geben Sie eine Zahl von { $min } bis { $max } an.
v-form-choice = Wählen Sie eine der Möglichkeiten.
v-form-confirm = Bitte setzen Sie zur Bestätigung das Häkchen.
v-form-date = Geben Sie ein Datum an, das es gibt, als JJJJ-MM-TT, z. B. 2026-12-24.
v-form-date-min = Wählen Sie den { $date } oder später.
v-form-date-max = Wählen Sie den { $date } oder früher.
v-form-address-street = Geben Sie Straße und Hausnummer an.
v-form-address-postcode = Geben Sie eine Postleitzahl an, z. B. 70173.
v-form-address-city = Geben Sie den Ort an.
v-form-file-size = Die Datei ist größer als { $max } MB.
v-form-file-type = Wählen Sie eine Datei dieser Typen: { $types }.
v-form-file-mismatch = Der Inhalt der Datei passt nicht zu ihrem Typ. Bitte wählen Sie die Originaldatei.
