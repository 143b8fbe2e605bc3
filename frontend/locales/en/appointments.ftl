# The appointments texts (see ../README.md).

## What an offer costs and what to bring (offer editor and booking pages)
appt-offer-price-de = Price shown (German), optional
appt-offer-price-en = Price shown (English), optional
appt-offer-price-hint = As residents should read it, e.g. "37,00 €" and "€37.00". The portal never charges anything.
appt-offer-bring-de = What to bring (German), one item per line
appt-offer-bring-en = What to bring (English), one item per line
appt-offer-bring-hint = Residents see this list before and after booking, in the confirmation email and in the calendar entry.
appt-offer-holidays = Closed on public holidays
appt-offer-holidays-hint = No appointments on the public holidays of the city's region, unless an exception below opens that day.
appt-price = Price: { $price }
appt-price-label = Price
appt-bring-heading = What to bring
appt-kind-appointment = Appointment
appt-kind-class = Class
appt-kind-class-duration = Class, { $duration }
appt-kind-membership = Membership
appt-kind-membership-price = Membership, { $price }
appt-kind-membership-period = Membership ({ $period })

## How to apply for a city service (service pages)
appt-apply-heading = How to apply
appt-apply-in-person = In person at { $where }.
appt-apply-book = Book an appointment
appt-apply-post = By post to { $where }.
appt-apply-phone = By phone:
appt-apply-email = By email:
appt-apply-online = Online:
appt-apply-online-missing = An online application is not available yet; please apply in one of the other ways listed here.

## Moving a booking
appt-reschedule-what-happens = Choosing a time below moves your booking there at once: the new time is booked for you, your current time is released for others, and { $who } sees the new time. Your booking keeps its status and shares the same details; you get an email about the move. If you choose nothing, your booking stays as it is.

## Keeping a held time longer (review page)
appt-hold-left = About { $left } left.
appt-hold-extend-hint = Need more time to check? You can keep the time longer once.
appt-hold-extend = Keep this time longer
appt-hold-extended-once = You kept this time longer once already; it cannot be extended again.
booking-done-extended = The time is kept for you longer now.
