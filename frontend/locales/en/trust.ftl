# The trust pages: privacy, imprint, accessibility statement; the page descriptions
# (meta description) and the footer links to these pages.

footer-impressum = Legal notice (Impressum)
footer-accessibility = Accessibility

## Durations, as the pages name them.

dur-seconds = { $n ->
    [one] { $n } second
   *[other] { $n } seconds
}
dur-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
dur-hours = { $n ->
    [one] { $n } hour
   *[other] { $n } hours
}
dur-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}

## The privacy page (/privacy). Every sentence is chosen by the code and the running
## configuration: say only what the code does.

privacy-title = How we handle your data
privacy-intro = This portal is run by { $operator } for the residents of { $city }. This page is put together from the portal's code and the settings of this installation, so it says what actually happens with your data.
privacy-controller = Responsible for your data is { $operator }, { $address }, email { $email }.
privacy-controller-link = All details of the operator are in the legal notice.
privacy-visit-title = Looking around needs no account
privacy-visit-text = To look around and search you need no account. The portal keeps no record of the pages you open or of what you search for.
privacy-search-meili = Your search words go to the city's own search server, which runs for this portal and holds only the public listings.
privacy-search-db = Searches run in the portal's own database; no other server sees your search words.
privacy-login-limit = If a login fails, the portal counts the failure under your IP address and under a one-way hash of the email address entered, for { $window }, to slow down password guessing.
privacy-account-title = Your account
privacy-account-text = An account holds your email address, your name and your password as a one-way hash that nobody can read back. It stays until you delete it.
privacy-account-org = If you belong to an organization (a business, a club, a city department), the portal keeps your membership and its role; personal API tokens are kept as a one-way hash and their first characters, so that you can tell them apart.
privacy-session-memory = When you log in, the cookie cp_session names your session; the session is kept in the memory of the portal's server for { $ttl } or until you log out, and is lost when the server restarts.
privacy-session-redis = When you log in, the cookie cp_session names your session; the session is kept in the city's session store for { $ttl } or until you log out.
privacy-booking-title = Bookings: a business sees only what a booking needs
privacy-booking-fields = A booking shares your name with the business, and your email address or phone number only if the offer asks for them. You see which before you confirm.
privacy-booking-hold = Holding a seat shares nothing: a hold keeps the seat for { $hold } while you decide, and the business sees neither your name nor your contact details. They are shared only when you confirm (or book straight away).
privacy-booking-partners-none = In this installation no business takes bookings through its own booking system: every booking stays in the portal.
privacy-booking-partners = Some businesses take bookings in their own booking system. Then the same details go to that system, again only when you confirm. In this installation these are:
privacy-booking-partner = { $connection } (booking system of { $organization })
privacy-booking-waitlist = If you join a waitlist, the portal keeps your place and the details you agreed to share. When a seat frees up, it is held for you and you have { $claim } to confirm it.
privacy-booking-idempotency = When an app books for you, the portal keeps its answer to that request for { $keep }, so that a repeated request does not book twice; then it is deleted.
privacy-booking-kept = Your bookings stay in your account as long as the account exists, so that you and the business can see them.
privacy-mail-title = Emails and calendars
privacy-mail-smtp = The portal emails you about your bookings (confirmation, changes, cancellation, a reminder { $reminder } before the start), each with a calendar file. The emails come from { $from } and go out through the mail server configured for this portal, which sees your email address and the message.
privacy-mail-none = This installation sends no emails: no mail server is configured. A message that would have gone out is only noted in the server's log, with your email address shortened.
privacy-feed = If you create a personal calendar feed, the portal stores only a one-way hash of its secret address. You can delete the feed at any time.
privacy-events = Each change to a booking or a listing is also written to an internal list of events, without names or contact details, from which the emails and the search are updated.
privacy-events-retention = Handled events are deleted after { $days }.
privacy-events-kept = In this installation handled events are kept.
privacy-access-title = Every access is logged, and you can see it
privacy-access-text = When city staff read the members of an organization, when a business reads or decides on your bookings, and when a booking sends your details to a business's booking system, the portal records who, when and why. You find this log under “My account”.
privacy-map-title = Maps load from a tile server
privacy-map-text = Maps are made of image tiles that your browser loads directly from { $host }, and only once you ask for the map on a page (the "Show map" button); until then no request leaves the portal. Without JavaScript no map loads. Like any website, that server sees your IP address, which area of the map you look at and that you came from this portal, but not from which page. The portal sends it nothing else: no account, no search words, no cookies.
privacy-tracking-title = No tracking
privacy-tracking-text = No advertising, no third-party trackers, no analytics cookies. The portal sets only the cookies it needs: cp_session for your login, cp_csrf to protect forms, and lang for the language you chose (for a year).
privacy-rights-title = Your data stays yours
privacy-rights-export = Under “My account” you can download everything the portal stores about you, as a file.
privacy-rights-delete = You can delete your account there. This cancels your upcoming bookings (the businesses are told), gives up your waitlist places, removes your name, email address and phone number from the bookings a business keeps for its records, deletes your calendar feed, your access log and the stored answers of your requests, and logs you out everywhere.
privacy-rights-ask = You can also write to { $email } to ask about your data, have it corrected or object to its use, and you may complain to a data protection supervisory authority.
privacy-account-link = Go to my account

## The legal notice (/impressum), § 5 DDG.

impressum-title = Legal notice (Impressum)
impressum-intro = Information according to § 5 of the German Digital Services Act (DDG).
impressum-demo = This installation is a demo: the details below are example data, not those of a real operator.
impressum-operator = Operator
impressum-represented = Represented by
impressum-contact = Contact
impressum-phone = Phone
impressum-email = Email
impressum-vat = VAT identification number according to § 27a of the German VAT Act (UStG)
impressum-content-title = Content
impressum-content-text = Businesses, clubs and organizations write their own listings and offers and are responsible for them; the operator checks and moderates them. Map and business data come in part from OpenStreetMap.
impressum-software-title = Software
impressum-software-text = The portal runs on City Portal, free software under the GNU Affero General Public License (AGPL-3.0-or-later).
impressum-more = See also:

## The accessibility statement (/accessibility), BITV 2.0 and Directive (EU) 2016/2102.

a11y-title = Accessibility statement
a11y-intro = { $operator } wants this portal to be usable by everyone, as the accessibility laws for public bodies require (the Barrierefreie-Informationstechnik-Verordnung BITV 2.0 and the laws implementing Directive (EU) 2016/2102). This statement applies to { $url }.
a11y-status-title = How accessible is this portal?
a11y-status-text = This portal is partially conformant with the Web Content Accessibility Guidelines (WCAG) 2.1 at level AA and the European standard EN 301 549, because of the gaps listed below.
a11y-gaps-title = What is not accessible yet
a11y-gap-map = Maps: the maps on listing pages and (on request) on results pages cannot be fully used with a keyboard or a screen reader. Every listing shows its address as text with a link to OpenStreetMap, and the results are a list of text as well.
a11y-gap-docs = API documentation: the interactive documentation for developers at /docs is third-party software (Swagger UI) and has not been checked. The same description is available as a file at /api/v1/openapi.json.
a11y-gap-content = Texts by businesses: descriptions that businesses and clubs write themselves may exist in one language only and are not checked for plain language.
a11y-method-title = How we checked it
a11y-method-text = This statement is based on a self-assessment. With every change to the portal, automated browser tests check each kind of public page in German and English with the axe-core checker against WCAG 2.0, 2.1 and 2.2 at level A and AA, and at a width of 320 pixels for reflow; they use the home page and the registration form with the keyboard alone (skip link, focus order, visible focus), and search, listings and the account forms without JavaScript. There has been no test by people with disabilities and no external audit yet.
a11y-date = This statement was prepared on { $date }.
a11y-feedback-title = Feedback and contact
a11y-feedback-text = Did you come across a barrier, or do you need content in an accessible form? Write to us:
a11y-enforcement-title = Conciliation procedure
a11y-enforcement-text = If your feedback gets no satisfactory answer, you can apply for a conciliation procedure at the conciliation body under § 16 of the German Disability Equality Act (Schlichtungsstelle nach § 16 BGG). It helps to settle disputes about accessibility out of court; the procedure is free of charge and you need no lawyer.

## Page descriptions (meta description), per page.

meta-default = { $city }: businesses, clubs and the city's own services in one place, to find and to book.
meta-home = Find businesses, clubs and the services of { $city } in one place, and book them online.
meta-search = Search businesses, clubs and the services of { $city }, by name, category and opening hours.
meta-search-for = Results for “{ $q }” in { $city }: businesses, clubs and city services.
meta-listing = { $name } in { $city }: address, opening hours and contact.
meta-privacy = Which data the { $city } portal stores, for how long, who receives it, and your rights.
meta-impressum = Legal notice of the { $city } portal: who operates it and how to reach them.
meta-accessibility = Accessibility statement of the { $city } portal: what is accessible, known gaps, feedback and conciliation.
meta-login = Log in to the { $city } portal to see and manage your bookings.
meta-register = Create an account on the { $city } portal to book appointments, classes and memberships.
meta-not_found = This page does not exist on the { $city } portal.
meta-account = Your account on the { $city } portal: your data, its export and deletion, and who accessed it.
meta-booking_offers = Book appointments, classes and memberships of this place on the { $city } portal.
meta-booking_pick = Choose a time for this offer on the { $city } portal.
meta-my_bookings = Your bookings and waitlist places on the { $city } portal.
meta-manage = Manage your organizations, listings and offers on the { $city } portal.
meta-admin = Moderate the listings and services of the { $city } portal.
