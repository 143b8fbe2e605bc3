## Errors of booking: problem-<code> (what a page shows), problem-title-<code> (a page title),
## and field messages. The English .detail attribute is the API's problem detail
## (and .api a field message in the API) where it is worded differently.

problem-title-full = Diese Zeit ist ausgebucht
problem-title-hold-expired = Die Reservierung ist abgelaufen
problem-title-already-booked = Sie haben diese Zeit schon gebucht
problem-title-booking-limit = Buchungsgrenze erreicht
problem-title-cancellation-deadline = Zu spät für eine Änderung online
problem-title-not-movable = Diese Buchung kann nicht verschoben werden
problem-title-not-full = Diese Zeit hat einen freien Platz

problem-full = Jemand war schneller: Diese Zeit ist jetzt ausgebucht. Bitte wählen Sie eine andere.
problem-hold-expired = Die Zeit war nur einige Minuten reserviert und ist wieder freigegeben. Wählen Sie sie erneut, wenn sie noch frei ist.
problem-already-booked = Sie haben zu dieser Zeit schon eine Buchung.
problem-booking-limit = Sie haben so viele aktive Buchungen dieses Angebots, wie es erlaubt. Sagen Sie eine ab oder warten Sie, bis sie stattgefunden hat.
problem-cancellation-deadline = Die Frist für Änderungen ist vorbei. Bitte wenden Sie sich direkt an den Anbieter.
problem-wrong-status-confirm = Das ist im jetzigen Stand der Buchung nicht möglich.
problem-wrong-status-change = Das ist im jetzigen Stand der Buchung nicht möglich.
problem-wrong-status-become = Das ist im jetzigen Stand der Buchung nicht möglich.
problem-wrong-status-membership = Eine Mitgliedschaft lässt sich nicht verschieben: Sagen Sie sie ab und fragen Sie ein anderes Startdatum an.
problem-changed = Die Buchung hat sich inzwischen geändert. Bitte laden Sie die Seite neu.
problem-partner-managed = Diese Buchung wird im eigenen Buchungssystem des Anbieters verwaltet: Entscheiden Sie sie dort.
problem-not-started = „Nicht erschienen“ und „Hat stattgefunden“ lassen sich erst ab Beginn eintragen.
problem-not-movable = Verschieben lassen sich nur bevorstehende, bestätigte oder angefragte Termine und Kurse vor Ablauf der Absagefrist.
problem-not-full = Gerade ist ein Platz frei geworden: Buchen Sie ihn, statt zu warten.
problem-offer-has-bookings = { $n ->
    [one] 1 aktive Buchung liegt dort, wo dieses Angebot jetzt gebucht wird: Das Buchungssystem lässt sich ändern, wenn sie vorbei oder storniert ist.
   *[other] { $n } aktive Buchungen liegen dort, wo dieses Angebot jetzt gebucht wird: Das Buchungssystem lässt sich ändern, wenn sie vorbei oder storniert sind.
}
problem-stale-version-offer = Jemand anderes hat das inzwischen geändert. Bitte laden Sie die Seite neu und nehmen Sie Ihre Änderungen erneut vor.
problem-forbidden-offers = Nur die Organisation des Eintrags kann seine Angebote verwalten.
problem-partner-pending = Das Buchungssystem des Anbieters hat zu dieser Buchung noch nicht geantwortet; sie wird gerade geprüft. Bitte sehen Sie in einigen Minuten wieder nach.
problem-partner-refused-hold = Das Buchungssystem des Anbieters hat die Buchung abgelehnt: { $detail }
problem-partner-refused-confirm = Das Buchungssystem des Anbieters hat die Buchung nicht bestätigt: { $detail }
problem-partner-refused-cancel = Das Buchungssystem des Anbieters hat die Buchung nicht storniert: { $detail }
problem-partner-refused-move = Das Buchungssystem des Anbieters hat die Buchung nicht verschoben: { $detail }
problem-unavailable-partner = Das Buchungssystem des Anbieters antwortet gerade nicht. Bitte versuchen Sie es in einigen Minuten erneut.
problem-offer-not-bookable = Dieses Angebot ist im Moment nicht buchbar: Das Buchungssystem dahinter ist ausgeschaltet (etwa ein pausiertes Modul der Stadt). Bestehende Buchungen bleiben und können storniert werden.
problem-unavailable-partner-confirm = Das Buchungssystem des Anbieters hat nicht rechtzeitig geantwortet. Ihre Buchung wird geprüft; unter „Meine Buchungen“ sehen Sie in Kürze das Ergebnis.
problem-unavailable-partner-move = Das Buchungssystem des Anbieters hat nicht rechtzeitig geantwortet. Ihre Buchung wird geprüft; unter „Meine Buchungen“ sehen Sie in Kürze ihre Zeit.
problem-unavailable-partner-offer = Das Buchungssystem hat nicht geantwortet, daher kann das Angebot gerade nicht geprüft werden. Es wurde nichts gespeichert: Bitte versuchen Sie es später erneut.
problem-unavailable-webhook = Der Webhook kann gerade nicht geprüft werden.
problem-idempotency-key-missing = Das Formular war unvollständig. Bitte versuchen Sie es erneut.
problem-idempotency-key-invalid = Das Formular war unvollständig. Bitte versuchen Sie es erneut.
problem-idempotency-key-reused = Dieses Formular wurde schon mit einer anderen Auswahl gesendet. Bitte laden Sie die Seite neu.
problem-idempotency-key-in-flight = Ihre Buchung wird noch bearbeitet. Bitte warten Sie einen Moment.

v-booking-required = Bitte ausfüllen.
v-booking-membership-start-date = Wählen Sie für eine Mitgliedschaft ein Startdatum statt einer Uhrzeit.
v-booking-start-date-required = Wählen Sie ein Startdatum.
v-booking-not-a-start-date = Diese Zeit kann nicht (mehr) gebucht werden. Bitte wählen Sie eine andere.
v-booking-dst-gap = Diese Uhrzeit gibt es an dem Tag nicht (Zeitumstellung).
v-booking-dst-gap-session = Diese Uhrzeit gibt es an dem Tag nicht (Zeitumstellung).
v-booking-past = Dieses Datum liegt in der Vergangenheit.
v-booking-only-memberships = Ein Startdatum gibt es nur bei Mitgliedschaften; wählen Sie eine Zeit.
v-booking-lead-time = { $n ->
    [one] Diese Zeit ist zu bald: Buchen Sie mindestens eine Minute im Voraus.
   *[other] Diese Zeit ist zu bald: Buchen Sie mindestens { $n } Minuten im Voraus.
}
v-booking-horizon = { $n ->
    [one] Diese Zeit liegt zu weit voraus: höchstens einen Tag.
   *[other] Diese Zeit liegt zu weit voraus: höchstens { $n } Tage.
}
v-booking-not-a-time = Diese Zeit kann nicht (mehr) gebucht werden. Bitte wählen Sie eine andere.
v-booking-not-a-session = Diese Zeit kann nicht (mehr) gebucht werden. Bitte wählen Sie eine andere.
v-booking-phone = Geben Sie eine Telefonnummer an (nur Ziffern, Leerzeichen und + - / ( )).
v-booking-phone-needed = Dieses Angebot braucht Ihre Telefonnummer.
v-booking-no-offer = Dieses Angebot kann nicht gebucht werden.
v-booking-no-waitlist = Mitgliedschaften haben keine Warteliste: Fragen Sie stattdessen ein Startdatum an.
v-booking-range = Geben Sie eine Zahl zwischen { $min } und { $max } ein.
v-booking-partner-ref-length = Muss 1 bis 100 Zeichen lang sein.
v-booking-partner-not-allowed = Nicht nötig, wenn das Angebot über ein Buchungssystem gebucht wird: Dort werden Zeiten und Plätze verwaltet.
v-booking-kind-required = Für diese Art von Angebot nötig.
v-booking-kind-not-allowed = Gehört nicht zu dieser Art von Angebot.
v-booking-one-range = Geben Sie mindestens einen Zeitraum ein.
v-booking-time = Geben Sie eine Uhrzeit wie 18:00 ein.
v-booking-choose-day = Wählen Sie mindestens einen Tag.
v-booking-until-before-from = Der letzte Tag darf nicht vor dem ersten liegen.
v-booking-until-year = Höchstens ein Jahr nach dem ersten Tag.
v-booking-sessions-required = Geben Sie mindestens einen Kurstermin oder eine wöchentliche Regel ein.
v-booking-max-sessions = Höchstens { $n } Kurstermine pro Angebot.
v-booking-start-dates = Geben Sie 1 bis 60 Startdaten ein.
v-booking-partner-connection = Wählen Sie eines der Buchungssysteme Ihrer Organisation.
v-booking-partner-other-organization = Dieses Buchungssystem gehört einer anderen Organisation als der Eintrag.
v-booking-partner-disabled = Dieses Buchungssystem ist deaktiviert: Aktivieren Sie es zuerst oder wählen Sie ein anderes.
v-booking-partner-unknown-offer = Das Buchungssystem hat kein Angebot mit dieser Kennung.
v-booking-partner-kind = Das Angebot im Buchungssystem ist von anderer Art: { $kind }.
v-booking-kind-fixed = Die Art eines Angebots lässt sich nicht ändern.
v-booking-partner-no-time = Das Buchungssystem des Anbieters bietet diese Zeit nicht an ({ $detail }). Bitte wählen Sie eine andere.
v-booking-max-days-after = Höchstens { $n } Tage nach dem ersten Tag.
v-booking-not-an-event = Das ist kein Buchungsereignis.
v-booking-choose-time = Wählen Sie eine Zeit.
v-booking-whole-number = Geben Sie eine ganze Zahl ein, z. B. 30.
v-booking-date-time = Geben Sie Datum und Uhrzeit ein.
v-booking-choose-connection = Wählen Sie das Buchungssystem, in dem das Angebot liegt.
problem-unknown-decision = Diese Entscheidung bietet das Formular nicht an. Bitte laden Sie die Seite neu.
problem-title-hold-extended = Die Reservierung wurde schon verlängert
problem-hold-extended = Eine Reservierung lässt sich einmal verlängern. Bestätigen Sie jetzt, oder wählen Sie die Zeit erneut, wenn sie abgelaufen ist.
problem-title-hold-not-extendable = Diese Reservierung lässt sich nicht verlängern
problem-hold-not-extendable = Das eigene Buchungssystem des Anbieters hält diese Reservierung und verlängert sie nicht. Bestätigen Sie, bevor sie abläuft, oder wählen Sie die Zeit erneut.
problem-email-unverified = Bestätigen Sie zuerst Ihre E-Mail-Adresse: Öffnen Sie den Link aus unserer E-Mail (Ihre Kontoseite sendet ihn erneut).
