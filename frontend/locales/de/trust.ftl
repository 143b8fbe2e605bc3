# Die Vertrauensseiten: Datenschutz, Impressum, Erklärung zur Barrierefreiheit; die
# Seitenbeschreibungen (meta description) und die Links im Fuß der Seiten.

footer-impressum = Impressum
footer-accessibility = Barrierefreiheit

## Zeitspannen, wie die Seiten sie nennen.

dur-seconds = { $n ->
    [one] { $n } Sekunde
   *[other] { $n } Sekunden
}
dur-minutes = { $n ->
    [one] { $n } Minute
   *[other] { $n } Minuten
}
dur-hours = { $n ->
    [one] { $n } Stunde
   *[other] { $n } Stunden
}
dur-days = { $n ->
    [one] { $n } Tag
   *[other] { $n } Tage
}

## Die Datenschutzseite (/privacy). Jeder Satz wird nach dem Code und der laufenden
## Konfiguration gewählt: nur sagen, was der Code tut.

privacy-title = Wie wir mit Ihren Daten umgehen
privacy-intro = Dieses Portal betreibt { $operator } für die Einwohnerinnen und Einwohner von { $city }. Diese Seite wird aus dem Code des Portals und den Einstellungen dieser Installation zusammengestellt; sie sagt also, was mit Ihren Daten tatsächlich geschieht.
privacy-controller = Verantwortlich für Ihre Daten ist { $operator }, { $address }, E-Mail { $email }.
privacy-controller-link = Alle Angaben zum Betreiber stehen im Impressum.
privacy-visit-title = Zum Umsehen brauchen Sie kein Konto
privacy-visit-text = Zum Umsehen und Suchen brauchen Sie kein Konto. Das Portal hält nicht fest, welche Seiten Sie öffnen oder wonach Sie suchen.
privacy-search-meili = Ihre Suchbegriffe gehen an den eigenen Suchserver der Stadt, der für dieses Portal läuft und nur die öffentlichen Einträge enthält.
privacy-search-db = Suchen laufen in der eigenen Datenbank des Portals; kein anderer Server sieht Ihre Suchbegriffe.
privacy-login-limit = Schlägt eine Anmeldung fehl, zählt das Portal den Fehlversuch { $window } lang unter Ihrer IP-Adresse und unter einem Einweg-Prüfwert der eingegebenen E-Mail-Adresse, um das Erraten von Passwörtern zu bremsen.
privacy-account-title = Ihr Konto
privacy-account-text = Ein Konto enthält Ihre E-Mail-Adresse, Ihren Namen und Ihr Passwort als Einweg-Prüfwert, aus dem niemand das Passwort zurückgewinnen kann. Es bleibt, bis Sie es löschen.
privacy-account-org = Gehören Sie zu einer Organisation (einem Betrieb, einem Verein, einer Dienststelle der Stadt), speichert das Portal Ihre Mitgliedschaft und ihre Rolle; persönliche API-Schlüssel als Einweg-Prüfwert und ihre ersten Zeichen, damit Sie sie unterscheiden können.
privacy-session-memory = Wenn Sie sich anmelden, nennt das Cookie cp_session Ihre Sitzung; die Sitzung liegt { $ttl } lang oder bis zur Abmeldung im Arbeitsspeicher des Portal-Servers und geht bei einem Neustart des Servers verloren.
privacy-session-redis = Wenn Sie sich anmelden, nennt das Cookie cp_session Ihre Sitzung; die Sitzung liegt { $ttl } lang oder bis zur Abmeldung im Sitzungsspeicher der Stadt.
privacy-booking-title = Buchungen: Betriebe sehen nur, was eine Buchung braucht
privacy-booking-fields = Eine Buchung teilt dem Betrieb Ihren Namen mit, Ihre E-Mail-Adresse oder Telefonnummer nur, wenn das Angebot danach fragt. Welche Daten das sind, sehen Sie vor dem Bestätigen.
privacy-booking-hold = Einen Platz vorzumerken teilt nichts mit: Eine Vormerkung hält den Platz { $hold } lang, während Sie sich entscheiden, und der Betrieb sieht weder Ihren Namen noch Ihre Kontaktdaten. Diese gehen erst an ihn, wenn Sie bestätigen (oder sofort buchen).
privacy-booking-partners-none = In dieser Installation nimmt kein Betrieb Buchungen über ein eigenes Buchungssystem an: Jede Buchung bleibt im Portal.
privacy-booking-partners = Manche Betriebe nehmen Buchungen in ihrem eigenen Buchungssystem an. Dann gehen dieselben Angaben an dieses System, ebenfalls erst, wenn Sie bestätigen. In dieser Installation sind das:
privacy-booking-partner = { $connection } (Buchungssystem von { $organization })
privacy-booking-waitlist = Wenn Sie sich auf eine Warteliste setzen, speichert das Portal Ihren Platz und die Angaben, deren Weitergabe Sie zugestimmt haben. Wird ein Platz frei, wird er für Sie vorgemerkt, und Sie haben { $claim } Zeit, ihn zu bestätigen.
privacy-booking-idempotency = Wenn eine App für Sie bucht, hebt das Portal seine Antwort auf diese Anfrage { $keep } lang auf, damit eine wiederholte Anfrage nicht doppelt bucht; danach wird sie gelöscht.
privacy-booking-kept = Ihre Buchungen bleiben in Ihrem Konto, solange es besteht, damit Sie und der Betrieb sie sehen können.
privacy-mail-title = E-Mails und Kalender
privacy-mail-smtp = Das Portal schreibt Ihnen zu Ihren Buchungen E-Mails (Bestätigung, Änderungen, Absage, eine Erinnerung { $reminder } vor Beginn), jeweils mit einer Kalenderdatei. Die E-Mails kommen von { $from } und gehen über den für dieses Portal eingerichteten Mailserver hinaus, der Ihre E-Mail-Adresse und die Nachricht sieht.
privacy-mail-none = Diese Installation verschickt keine E-Mails: Es ist kein Mailserver eingerichtet. Eine Nachricht, die hinausgegangen wäre, wird nur im Protokoll des Servers vermerkt, mit gekürzter E-Mail-Adresse.
privacy-feed = Wenn Sie einen persönlichen Kalender-Feed anlegen, speichert das Portal nur einen Einweg-Prüfwert seiner geheimen Adresse. Sie können den Feed jederzeit löschen.
privacy-events = Jede Änderung an einer Buchung oder einem Eintrag wird außerdem ohne Namen und Kontaktdaten in eine interne Ereignisliste geschrieben, aus der die E-Mails und die Suche aktualisiert werden.
privacy-events-retention = Erledigte Ereignisse werden nach { $days } gelöscht.
privacy-events-kept = In dieser Installation werden erledigte Ereignisse aufbewahrt.
privacy-access-title = Jeder Zugriff wird protokolliert, und Sie sehen ihn
privacy-access-text = Wenn Beschäftigte der Stadt die Mitglieder einer Organisation lesen, wenn ein Betrieb Ihre Buchungen liest oder über sie entscheidet und wenn eine Buchung Ihre Angaben an das Buchungssystem eines Betriebs schickt, hält das Portal fest, wer, wann und warum. Dieses Protokoll finden Sie unter „Mein Konto“.
privacy-map-title = Karten kommen von einem Kachelserver
privacy-map-text = Karten bestehen aus Bildkacheln, die Ihr Browser direkt von { $host } lädt, und zwar erst, wenn Sie auf einer Seite die Karte anfordern (Knopf „Karte anzeigen“); vorher verlässt keine Anfrage das Portal. Ohne JavaScript lädt keine Karte. Wie jede Website sieht dieser Server Ihre IP-Adresse, welchen Kartenausschnitt Sie ansehen und dass Sie von diesem Portal kommen, aber nicht von welcher Seite. Das Portal übermittelt ihm sonst nichts: kein Konto, keine Suchbegriffe, keine Cookies.
privacy-tracking-title = Kein Tracking
privacy-tracking-text = Keine Werbung, keine Tracker Dritter, keine Analyse-Cookies. Das Portal setzt nur die Cookies, die es braucht: cp_session für Ihre Anmeldung, cp_csrf zum Schutz von Formularen und lang für die gewählte Sprache (ein Jahr lang).
privacy-rights-title = Ihre Daten bleiben Ihre Daten
privacy-rights-export = Unter „Mein Konto“ können Sie alles, was das Portal über Sie speichert, als Datei herunterladen.
privacy-rights-delete = Dort können Sie Ihr Konto auch löschen. Das sagt Ihre anstehenden Buchungen ab (die Betriebe erfahren es), gibt Ihre Wartelistenplätze auf, entfernt Ihren Namen, Ihre E-Mail-Adresse und Ihre Telefonnummer aus den Buchungen, die ein Betrieb für seine Unterlagen behält, löscht Ihren Kalender-Feed, Ihr Zugriffsprotokoll und die gespeicherten Antworten Ihrer Anfragen und meldet Sie überall ab.
privacy-rights-ask = Sie können auch an { $email } schreiben, um Auskunft über Ihre Daten zu erhalten, sie berichtigen zu lassen oder ihrer Verwendung zu widersprechen, und Sie können sich bei einer Datenschutz-Aufsichtsbehörde beschweren.
privacy-account-link = Zu meinem Konto

## Das Impressum (/impressum), § 5 DDG.

impressum-title = Impressum
impressum-intro = Angaben gemäß § 5 Digitale-Dienste-Gesetz (DDG).
impressum-demo = Diese Installation ist eine Demo: Die Angaben unten sind Beispieldaten, nicht die eines wirklichen Betreibers.
impressum-operator = Betreiber
impressum-represented = Vertreten durch
impressum-contact = Kontakt
impressum-phone = Telefon
impressum-email = E-Mail
impressum-vat = Umsatzsteuer-Identifikationsnummer gemäß § 27a Umsatzsteuergesetz
impressum-content-title = Inhalte
impressum-content-text = Betriebe, Vereine und Organisationen schreiben ihre Einträge und Angebote selbst und sind für sie verantwortlich; der Betreiber prüft und moderiert sie. Karten- und Betriebsdaten stammen zum Teil aus OpenStreetMap.
impressum-software-title = Software
impressum-software-text = Das Portal läuft mit City Portal, freier Software unter der GNU Affero General Public License (AGPL-3.0-or-later).
impressum-more = Siehe auch:

## Die Erklärung zur Barrierefreiheit (/accessibility), BITV 2.0 und Richtlinie (EU) 2016/2102.

a11y-title = Erklärung zur Barrierefreiheit
a11y-intro = { $operator } möchte, dass alle dieses Portal nutzen können, wie es die Gesetze zur Barrierefreiheit öffentlicher Stellen verlangen (die Barrierefreie-Informationstechnik-Verordnung BITV 2.0 und die Gesetze zur Umsetzung der Richtlinie (EU) 2016/2102). Diese Erklärung gilt für { $url }.
a11y-status-title = Wie barrierefrei ist dieses Portal?
a11y-status-text = Dieses Portal ist wegen der unten genannten Lücken teilweise vereinbar mit den Richtlinien für barrierefreie Webinhalte (WCAG) 2.1 auf Stufe AA und der europäischen Norm EN 301 549.
a11y-gaps-title = Was noch nicht barrierefrei ist
a11y-gap-map = Karten: Die Karten auf den Seiten der Einträge und (auf Anforderung) auf Ergebnisseiten lassen sich nicht vollständig mit der Tastatur oder einem Screenreader bedienen. Jeder Eintrag zeigt seine Adresse als Text mit einem Link zu OpenStreetMap, und auch die Ergebnisse stehen als Textliste da.
a11y-gap-docs = API-Dokumentation: Die interaktive Dokumentation für Entwicklerinnen und Entwickler unter /docs ist Software Dritter (Swagger UI) und wurde nicht geprüft. Dieselbe Beschreibung gibt es als Datei unter /api/v1/openapi.json.
a11y-gap-content = Texte von Betrieben: Beschreibungen, die Betriebe und Vereine selbst schreiben, gibt es womöglich nur in einer Sprache, und sie werden nicht auf leichte Verständlichkeit geprüft.
a11y-method-title = Wie wir geprüft haben
a11y-method-text = Diese Erklärung beruht auf einer Selbstbewertung. Bei jeder Änderung am Portal prüfen automatische Browsertests jede Art öffentlicher Seite auf Deutsch und Englisch mit dem Prüfwerkzeug axe-core gegen WCAG 2.0, 2.1 und 2.2 auf den Stufen A und AA und bei 320 Pixeln Breite auf Umbruch ohne seitliches Scrollen; sie bedienen die Startseite und das Registrierungsformular allein mit der Tastatur (Sprunglink, Reihenfolge und Sichtbarkeit des Fokus) und Suche, Einträge und die Kontoformulare ohne JavaScript. Einen Test mit Menschen mit Behinderungen und eine externe Prüfung gab es noch nicht.
a11y-date = Diese Erklärung wurde am { $date } erstellt.
a11y-feedback-title = Feedback und Kontakt
a11y-feedback-text = Sind Ihnen Barrieren aufgefallen, oder brauchen Sie Inhalte in barrierefreier Form? Schreiben Sie uns:
a11y-enforcement-title = Schlichtungsverfahren
a11y-enforcement-text = Wenn Sie auf Ihr Feedback keine zufriedenstellende Antwort erhalten, können Sie bei der Schlichtungsstelle nach § 16 Behindertengleichstellungsgesetz (BGG) einen Antrag auf ein Schlichtungsverfahren stellen. Sie hilft, Streit über Barrierefreiheit außergerichtlich beizulegen; das Verfahren ist kostenlos, und Sie brauchen keinen Rechtsbeistand.

## Seitenbeschreibungen (meta description), je Seite.

meta-default = { $city }: Betriebe, Vereine und die Dienste der Stadt an einem Ort, zum Finden und Buchen.
meta-home = Betriebe, Vereine und die Dienste von { $city } an einem Ort finden und online buchen.
meta-search = Betriebe, Vereine und die Dienste von { $city } suchen, nach Name, Kategorie und Öffnungszeiten.
meta-search-for = Ergebnisse für „{ $q }“ in { $city }: Betriebe, Vereine und Dienste der Stadt.
meta-listing = { $name } in { $city }: Adresse, Öffnungszeiten und Kontakt.
meta-privacy = Welche Daten das Portal von { $city } speichert, wie lange, wer sie erhält, und Ihre Rechte.
meta-impressum = Impressum des Portals von { $city }: wer es betreibt und wie Sie ihn erreichen.
meta-accessibility = Erklärung zur Barrierefreiheit des Portals von { $city }: was barrierefrei ist, bekannte Lücken, Feedback und Schlichtung.
meta-login = Melden Sie sich im Portal von { $city } an, um Ihre Buchungen zu sehen und zu verwalten.
meta-register = Legen Sie ein Konto im Portal von { $city } an, um Termine, Kurse und Mitgliedschaften zu buchen.
meta-not_found = Diese Seite gibt es im Portal von { $city } nicht.
meta-account = Ihr Konto im Portal von { $city }: Ihre Daten, ihr Export und ihre Löschung, und wer darauf zugegriffen hat.
meta-booking_offers = Termine, Kurse und Mitgliedschaften dieses Ortes im Portal von { $city } buchen.
meta-booking_pick = Wählen Sie im Portal von { $city } eine Zeit für dieses Angebot.
meta-my_bookings = Ihre Buchungen und Wartelistenplätze im Portal von { $city }.
meta-manage = Verwalten Sie Ihre Organisationen, Einträge und Angebote im Portal von { $city }.
meta-admin = Die Einträge und Dienste des Portals von { $city } moderieren.
