# The appointments texts (see ../README.md).

## What an offer costs and what to bring (offer editor and booking pages)
appt-offer-price-de = Angezeigter Preis (Deutsch), optional
appt-offer-price-en = Angezeigter Preis (Englisch), optional
appt-offer-price-hint = So, wie Bürgerinnen und Bürger ihn lesen sollen, z. B. „37,00 €“ und „€37.00“. Das Portal kassiert nichts.
appt-offer-bring-de = Was mitzubringen ist (Deutsch), ein Punkt pro Zeile
appt-offer-bring-en = Was mitzubringen ist (Englisch), ein Punkt pro Zeile
appt-offer-bring-hint = Diese Liste steht vor und nach der Buchung, in der Bestätigungs-E-Mail und im Kalendereintrag.
appt-offer-holidays = An Feiertagen geschlossen
appt-offer-holidays-hint = Keine Termine an den gesetzlichen Feiertagen der Region der Stadt, außer eine Ausnahme unten öffnet den Tag.
appt-price = Preis: { $price }
appt-price-label = Preis
appt-bring-heading = Was Sie mitbringen müssen
appt-kind-appointment = Termin
appt-kind-class = Kurs
appt-kind-class-duration = Kurs, { $duration }
appt-kind-membership = Mitgliedschaft
appt-kind-membership-price = Mitgliedschaft, { $price }
appt-kind-membership-period = Mitgliedschaft ({ $period })

## How to apply for a city service (service pages)
appt-apply-heading = So beantragen Sie es
appt-apply-in-person = Persönlich bei { $where }.
appt-apply-book = Termin buchen
appt-apply-post = Per Post an { $where }.
appt-apply-phone = Telefonisch:
appt-apply-email = Per E-Mail:
appt-apply-online = Online:
appt-apply-online-missing = Ein Online-Antrag ist noch nicht verfügbar; bitte beantragen Sie es auf einem der anderen hier genannten Wege.

## Moving a booking
appt-reschedule-what-happens = Wenn Sie unten eine Zeit wählen, wird Ihre Buchung sofort dorthin verschoben: Die neue Zeit wird für Sie gebucht, Ihre bisherige Zeit wird für andere frei, und { $who } sieht die neue Zeit. Ihre Buchung behält ihren Status und teilt dieselben Angaben; Sie erhalten eine E-Mail über die Verschiebung. Wählen Sie nichts, bleibt Ihre Buchung, wie sie ist.

## Keeping a held time longer (review page)
appt-hold-left = Noch etwa { $left }.
appt-hold-extend-hint = Brauchen Sie mehr Zeit zum Prüfen? Sie können die Zeit einmal länger reservieren.
appt-hold-extend = Zeit länger reservieren
appt-hold-extended-once = Sie haben die Reservierung schon einmal verlängert; ein weiteres Mal geht nicht.
booking-done-extended = Die Zeit ist jetzt länger für Sie reserviert.
