## Fehler des Modulregisters (siehe ../README.md): Feldmeldungen eines Manifests
## (v-module-...; das Feld ist sein Pfad, z. B. services[1].leika_key) und problem-<code>.

v-module-required = Das fehlt.
v-module-unknown-field = Dieses Feld gehört nicht zum Manifestformat.
v-module-type = Das hat den falschen Typ.
v-module-one-of = Das muss eines davon sein: { $allowed }.
v-module-constant = Das muss { $expected } sein.
v-module-length = Das muss { $min } bis { $max } Zeichen lang sein.
v-module-min-items = Geben Sie mindestens { $min } an.
v-module-max-items = Geben Sie höchstens { $max } an.
v-module-unique = Jeder Eintrag darf nur einmal vorkommen.
v-module-leika-key = Ein LeiKa-Leistungsschlüssel hat genau 14 Ziffern.
v-module-url = Das ist keine absolute HTTPS-Adresse ohne Fragment (einfaches HTTP nur für diesen Rechner).
v-module-slug = Verwenden Sie Kleinbuchstaben, Ziffern und einzelne Bindestriche.
v-module-jwk-base64url = Die Teile des Schlüssels müssen base64url ohne Auffüllung sein.
v-module-jwk-rsa = Das ist kein brauchbarer öffentlicher RSA-Schlüssel.
v-module-jwk-size = Der RSA-Schlüssel muss mindestens 2048 Bit haben.
v-module-format = Das ist kein gültiges Format „{ $format }“.
v-module-invalid = Das ist ungültig.
v-module-control-characters = Das enthält Steuerzeichen.
v-module-service-twice = Dieselbe Leistung mit derselben Fähigkeit steht zweimal da.
v-module-form-not-application = Ein Formular haben nur Antrags- und Meldeleistungen.
v-module-event-capability = Das Ereignis „{ $event }“ braucht eine Leistung dieser Art im Manifest.
v-module-operator = Es gibt kein Amt und keinen Modulbetreiber mit dieser Kennung.
v-module-listing = Es gibt keine Leistung mit dieser Kennung.
v-module-listing-kind = Dieser Eintrag ist keine Verwaltungsleistung.
v-module-acr = Dieses Anmeldeniveau kennt die Stadt-Anmeldung nicht ({ $levels }).
v-module-service-taken = Das Modul „{ $module }“ bietet diese Leistung mit dieser Fähigkeit schon an.
v-module-reason = Sagen Sie, warum, mit höchstens 2000 Zeichen.
v-module-id-changed = Eine Aktualisierung muss die Kennung des Moduls behalten.

problem-module-manifest-too-large = Das Manifest ist zu groß.
problem-module-exists = Ein Modul mit dieser Kennung ist schon registriert.
problem-module-state = Das geht im jetzigen Zustand des Moduls nicht.
problem-module-version-stale = Ein neueres Manifest ist eingegangen; prüfen Sie erst dieses.
problem-module-service-taken = Ein anderes Modul hat inzwischen eine dieser Leistungen übernommen.
v-module-json = Das Manifest ist kein JSON (Zeile { $line }, Spalte { $column }).
v-module-too-large = Das Manifest ist größer als { $max } Bytes.
v-module-offers-not-appointment = Angebote bucht nur eine Terminleistung.
v-module-offer-id = Verwenden Sie 1 bis 100 Buchstaben, Ziffern, Punkte, Unterstriche und Bindestriche.
v-module-booking-required = Geben Sie die Client-ID und das Geheimnis ein, die das Modul dem Portal für seine Partner-Buchungs-API ausgestellt hat.
v-module-booking-client-id = Geben Sie höchstens 200 Zeichen ohne Steuerzeichen ein.
v-module-booking-client-secret = Geben Sie höchstens 500 Zeichen ohne Steuerzeichen ein.
v-module-booking-refused = Der Token-Endpunkt des Moduls hat diese Zugangsdaten abgelehnt.
v-module-offer-unknown = Die Partner-Buchungs-API des Moduls hat kein Angebot „{ $offer }“.
v-module-offer-data = Das Angebot „{ $offer }“ verlangt „{ $data }“, was die Leistung nicht unter ihren Daten nennt.
problem-module-booking-unreachable = Das Terminsystem des Moduls konnte nicht nach seinen Angeboten gefragt werden.
