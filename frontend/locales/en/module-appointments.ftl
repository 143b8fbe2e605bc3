## Appointments through a module (see ../README.md): the approval's booking credentials,
## the webhook secret's rotation, the offers in a module's review and the register, an
## offer whose module is paused, and the access log's purpose.

module-appt-credentials = The module's Partner Booking API
module-appt-credentials-hint = The module's appointments are booked through its Partner Booking API at { $base }/partner/v1 (token endpoint { $base }/oauth/token). Enter the client id and secret the module issued the portal; they are stored encrypted and never shown again.
module-appt-credentials-kept = The portal has the module's credentials already. Leave these empty to keep them, or enter new ones to replace them.
module-appt-client-id = Client id
module-appt-client-secret = Client secret
module-appt-rotate = New webhook secret
module-appt-rotate-hint = A new webhook secret is shown once. It signs every event to the module from then on, and the module signs its booking webhooks with it; the old one stops working at once.
module-appt-webhook-rotated = The module has a new webhook secret. Give it to the module's operator now: it is not shown again.
module-appt-offers = Offers booked through it
module-appt-offers-changed = changed
module-appt-register-when = When it receives your data
module-appt-register-when-text = Only when you confirm a booking: exactly the data named here goes to the module's appointment system with it.
module-appt-not-bookable = Not bookable at the moment: the city has paused the appointment system of this service.
access-purpose-module-booking = sent with the booking to the city's appointment system, for: { $purpose_en }
