## Layout
skip-to-content = Skip to content
language = Language
nav-main = Main navigation
nav-search = Search
nav-reports = Reports
nav-account = My account
nav-login = Log in
nav-register = Register
nav-logout = Log out
footer-privacy = How we handle your data
footer-api = Open API for developers
footer-osm = Map and business data © OpenStreetMap contributors (ODbL)

## Home
home-lead = Everything local in one place: shops, clubs, doctors and the city's own services.
home-search-label = What are you looking for?
home-search-placeholder = e.g. pharmacy, gym, passport
home-search-button = Search
home-categories = Browse by category
home-city-services = City services
home-all-services = All city services
home-data-line = We only ask for what a booking needs, log every access to your data and let you export or delete it.
home-data-link = How we handle your data
home-stats = { $businesses } businesses and places, { $services } city services

## Search
search-title = Search
search-heading = Search results
search-heading-for = Results for “{ $q }”
search-label = Search term
search-button = Search
results-count = { $count ->
    [one] 1 result
   *[other] { $count } results
}
filters = Filters
filter-kind = Type
filter-category = Category
filter-district = District
filter-open-now = Open now
filter-wheelchair = Wheelchair accessible
filter-reset = Reset filters
filter-remove = Remove filter: { $name }
sort = Sort by
sort-relevance = Relevance
sort-distance = Distance
sort-name = Name
facet-count = { $label } ({ $count })
empty-title = Nothing found
empty-hint = Try fewer or different words, check the spelling, or remove filters.
empty-browse = Or browse the city's services:
pagination = Pages
page-previous = Previous page
page-next = Next page
page-n = Page { $n }
page-current = Page { $n }, current page
distance-away = { $distance } away
engine-database = Results from the database search.
search-unavailable-title = Search is unavailable right now
search-unavailable-text = The search could not answer. Please try again in a few minutes.

## Kinds
kind-business = Business
kind-municipal_service = City service

## Listing and service pages
open-until = Open now, until { $time }
opens-today = Closed now, opens today at { $time }
opens-on = Closed now, opens { $day } at { $time }
closed-now = Closed now
opening-hours = Opening hours
hours-today = (today)
no-hours = No opening hours known.
closed-day = closed
hours-exceptions = Special dates
hours-osm = As given on OpenStreetMap: { $text }
address-contact = Address and contact
address = Address
phone = Phone
email = Email
website = Website
accessibility = Accessibility
wheelchair-yes = Wheelchair accessible
wheelchair-limited = Partly wheelchair accessible
wheelchair-no = Not wheelchair accessible
languages-spoken = Languages spoken
categories = Categories
map = Map
show-map = Show results on a map
show-on-map = Show on OpenStreetMap
source-osm = Imported from OpenStreetMap. Data © OpenStreetMap contributors (ODbL).
about-service = About this service
eligibility = Who may apply?
what-to-bring = What to bring
fees = Fees
processing-time = Processing time
channels = How to apply
apply-online = Apply online
related-services = Related services
responsible = Responsible office
channel-in_person = In person
channel-online = Online
channel-post = By post
channel-phone = By phone
channel-email = By email

## Days
day-0 = Monday
day-1 = Tuesday
day-2 = Wednesday
day-3 = Thursday
day-4 = Friday
day-5 = Saturday
day-6 = Sunday

## Accounts
login-title = Log in
login-button = Log in
login-no-account = No account yet?
register-title = Register
register-button = Create account
register-have-account = Already registered?
field-email = Email address
field-password = Password
field-password-hint = At least 10 characters.
field-display-name = Your name
field-display-name-hint = How the portal greets you.
error-summary = Please correct the following:
error-invalid-credentials = Email or password is wrong.
error-rate-limited = { $minutes ->
    [one] Too many failed logins. Please wait a minute.
   *[other] Too many failed logins. Please wait { $minutes } minutes.
}
error-too-many-requests = { $minutes ->
    [one] Too many requests. Please wait a minute.
   *[other] Too many requests. Please wait { $minutes } minutes.
}
error-too-many-registrations = { $minutes ->
    [one] Too many accounts were registered from this address. Please wait a minute.
   *[other] Too many accounts were registered from this address. Please wait { $minutes } minutes.
}
error-csrf = The form expired. Please submit it again.
account-title = My account
account-greeting = Hello, { $name }
account-profile = Profile
account-bookings = My bookings
account-organizations = My organizations
account-organizations-empty = You are not a member of any organization.
account-data = My data
account-access-log = Access log
account-access-log-empty = Nobody but you has read your data.
error-email-invalid = Enter an email address like name@example.org.
    .api = must be an email address
error-password-length = The password needs at least 10 characters.
    .api = must be at least 10 characters
error-display-name = Enter your name (up to 120 characters).
    .api = must be 1-120 characters without control characters
error-password-wrong = The password is wrong.
    .api = the password is wrong
account-export = Download my data
account-export-text = Everything we hold about you, as a JSON file.
account-delete = Delete my account
account-delete-text = Your upcoming bookings are cancelled (the businesses are told) and your waiting-list places given up. Then we delete your account, your memberships, your API tokens, your calendar feed and your access log; bookings a business keeps for its records lose your name, email address and phone number. It cannot be undone.
account-delete-password = Your password, to confirm
account-delete-button = Delete my account for good
account-email = Email
account-role-owner = owner
account-role-staff = staff
account-deleted = Your account and its data are deleted.
access-when = When
access-what = What
access-why = Why
access-who = Who
access-times = { $count ->
    [one] read once
   *[other] read { $count } times
}
access-who-city = City administration
access-role-owner = owner
access-role-staff = staff
access-role-admin = administrator
access-role-editor = editor
access-fields-name = your name
access-fields-name-email = your name and email address
access-fields-name-phone = your name and phone number
access-fields-name-email-phone = your name, email address and phone number
access-booking-data = { $fields }, for your { $kind ->
    [appointment] appointment
    [class] class
    [membership] membership
   *[other] booking
} “{ $offer }” on { $when }
logged-out = You are logged out.

## Privacy

## Dashboard and editor
nav-manage = My business
nav-admin = City administration
manage-title = My business
manage-listings = Listings
manage-name = Name
manage-status = Status
manage-actions = Actions
manage-view = View
manage-no-listings = No listings yet.
manage-new-listing = New listing
manage-members = Members
manage-remove = Remove
manage-member-email = Email of the new member (they need an account)
manage-member-role = Role
manage-add-member = Add member
manage-new-org = Register your business
manage-new-org-text = Create an organization for your business; you become its owner and can then add listings and members.
manage-org-name = Name of the business
manage-create-org = Create organization
status-draft = Draft (not public)
status-published = Published
status-suspended = Suspended by the city
done-org-created = The organization is created.
done-member-added = The member is added.
done-member-removed = The member is removed.
done-created = The listing is created as a draft. Publish it when it is ready.
done-saved = Your changes are saved.
done-publish = The listing is published.
done-unpublish = The listing is no longer public.
done-suspend = The listing is suspended.
done-restore = The listing is restored.
done-deleted = The listing is deleted.
editor-new = New listing
editor-edit = Edit listing
editor-publish = Publish
editor-unpublish = Unpublish
editor-basics = Basics
editor-name-de = Name (German)
editor-name-en = Name (English)
editor-description-de = Description (German)
editor-description-en = Description (English)
editor-category = Category
editor-category-2 = Second category (optional)
editor-choose = Choose …
editor-tags = Keywords
editor-tags-hint = Separated by commas, e.g. bakery, organic.
editor-street = Street and number
editor-postcode = Postcode
editor-city = Town
editor-lat = Latitude
editor-lng = Longitude
editor-coordinates-hint = Decimal degrees, e.g. 60.1699 and 24.9384. Used for the map and distances.
editor-website-hint = A full address starting with https://
editor-unknown = Not specified
editor-languages-hint = Two-letter codes separated by commas, e.g. de, en, tr.
editor-hours-hint = Up to two opening intervals per day, in the city's local time. Leave a day empty when closed.
editor-day = Day
editor-opens = Opens
editor-closes = Closes
editor-interval = interval { $n }
editor-exceptions-hint = Holidays, closures or special hours on a date. Leave unused rows empty.
editor-exception = Special date { $n }
editor-date = Date
editor-closed-all-day = Closed all day
editor-note = Note (e.g. public holiday)
editor-one-per-line = One item per line.
editor-save = Save
editor-delete = Delete this listing
admin-title = City administration
admin-moderation = Moderation
admin-any-status = Any status
admin-restore = Restore
admin-reason = Reason for suspending
admin-suspend = Suspend
admin-new-service = New city service
admin-organizations = Organizations
org-kind-business = business
org-kind-department = city department
org-kind-module_operator = module operator
error-stale = Someone else changed this listing meanwhile. Check the current version below and save again.
error-reason = Give a reason of 3 to 500 characters.
error-staff-only = This page is for city staff.
error-sessions-unavailable = Your session cannot be read at the moment. Please try again in a moment; you stay logged in.
error-form-nul = The field “{ $field }” contains a character that no text may contain (NUL). Go back, remove it and send the form again.
error-unknown-action = This action is not known. Go back and try again.

## Booking (residents)
booking-book = Book
booking-choose-appointment = Choose a time
booking-choose-class = Choose a session
booking-choose-membership = Choose a start date
booking-login-hint = To book, you log in (or register) first; afterwards you come straight back here.
booking-pick-heading = Book: { $name }
booking-reschedule-heading = Move your booking: { $name }
booking-current-time = Your booking now: { $when }
booking-your-details = Your contact details for { $who }
booking-details-hint = Only what this offer asks for. You will see everything that is shared before you confirm.
booking-field-email = Email address
booking-field-phone = Phone number
booking-start-dates = Start dates
booking-pick-date-hint = Choose the date your membership starts. The time is only reserved for you until you confirm it on the next page.
booking-pick-hint = Choose a time. It is reserved for you for a few minutes while you check and confirm your booking on the next page.
booking-weeks = Weeks
booking-previous-week = Previous week
booking-next-week = Next week
booking-week-of = { $from } to { $to }
booking-your-time = your current time
booking-full = fully booked
booking-seats-left = { $n ->
    [one] 1 place left
   *[other] { $n } places left
}
booking-start-on = Start on { $date }
booking-starts-on = Starts on { $date }
booking-no-times = No free times this week. Try the next week.
booking-no-dates = There are no start dates at the moment.
booking-keep-time = Keep the current time
booking-review-title = Check and confirm your booking
booking-title = Your booking
booking-what = What
booking-where = Where
booking-when = When
booking-status = Status
booking-shares-heading = What { $who } will receive
booking-shared-heading = What { $who } received
booking-shared-name = Name
booking-shared-email = Email address
booking-shared-phone = Phone number
booking-shared-nothing-else = Nothing else: { $who } sees neither your account nor your other bookings. Every time they open this booking, it shows in your access log.
booking-policy = Booking conditions
booking-confirm-heading = Confirm
booking-change-heading = Change or cancel
booking-held-until = This time is reserved for you until { $time }. If you do not confirm by then, it is released.
booking-confirm = Confirm booking
booking-send-request = Send booking request
booking-release = Cancel and release the time
booking-expired-text = The reservation ran out and the time was released.
booking-pick-again = Choose a time again
booking-cancellable-until = You can cancel until { $until }.
booking-cancel-closed = Cancelling online was possible until { $until }. Please contact the business directly.
booking-no-changes = This booking cannot be changed any more.
booking-reschedule = Choose another time
booking-cancel = Cancel booking
booking-cancel-title = Cancel this booking?
booking-cancel-explained = Your place is given back, and { $who } is told that you cancelled. This cannot be undone; to come after all, book again if a place is free.
booking-cancel-yes = Yes, cancel the booking
booking-cancel-no = No, keep it
booking-all-mine = All my bookings
booking-review-continue = Check and confirm
booking-upcoming = Upcoming
booking-past = Past and cancelled
booking-none-upcoming = You have no upcoming bookings.
booking-find-something = Find something to book
booking-none-past = Nothing here yet.
booking-done-confirmed = Your booking is confirmed.
booking-done-requested = Your booking request is sent. The business confirms or declines it; you see the answer here.
booking-done-cancelled = Your booking is cancelled.
booking-done-released = The time is released; nothing was booked.
booking-done-rescheduled = Your booking is moved to the new time.
booking-done-pending = Your booking is still being processed. Please check again in a moment.
booking-status-held = Reserved for you, not confirmed yet
booking-status-requested = Waiting for the business to confirm
booking-status-confirmed = Confirmed
booking-status-rejected = Declined by the business
booking-status-expired = Reservation ran out
booking-status-cancelled = Cancelled
booking-status-completed = Took place
booking-status-no_show = Missed
booking-days = { $n ->
    [one] 1 day
   *[other] { $n } days
}
booking-hours = { $n ->
    [one] 1 hour
   *[other] { $n } hours
}
booking-minutes = { $n ->
    [one] 1 minute
   *[other] { $n } minutes
}
booking-kind-appointment-line = Appointment, { $duration }
booking-kind-class-line = Class, { $duration }, { $seats ->
    [one] for 1 person
   *[other] up to { $seats } people
}
booking-kind-membership-line = Membership, { $price } ({ $period })
period-month = monthly
period-quarter = quarterly
period-half_year = every six months
period-year = yearly
booking-policy-instant = Your booking is confirmed as soon as you confirm it.
booking-policy-approval = { $who } confirms or declines each booking; until then it is a request.
booking-policy-membership-anytime = Members can cancel before the period ends.
booking-policy-membership-period = A membership runs at least for one full period.
booking-policy-cancel-until-start = You can cancel online until the start.
booking-policy-cancel-until = You can cancel online until { $span } before the start.
booking-policy-lead-time = Book at least { $span } ahead.
booking-policy-limit = { $n ->
    [one] At most one active booking per person.
   *[other] At most { $n } active bookings per person.
}
booking-policy-shares = Shared with { $who }: { $what }.
booking-shares-name = your name
booking-shares-name-email = your name and email address
booking-shares-name-phone = your name and phone number
booking-shares-all = your name, email address and phone number
account-bookings-link = See and change my bookings

booking-join-waitlist = Join the waiting list
booking-on-waitlist = you are on the waiting list
booking-waitlist-hint = For a fully booked time you can join the waiting list: when a place frees up, it is reserved for you and you confirm it under My bookings.
booking-waitlists = Waiting lists
booking-no-waitlists = You are on no waiting list.
booking-leave-waitlist = Leave the waiting list
booking-waitlist-position = Waiting: you are number { $n } in line.
booking-waitlist-offered = A place is reserved for you until { $until }: please confirm it.
booking-waitlist-waiting = Waiting
booking-done-waitlist-joined = You are on the waiting list. When a place frees up, it is reserved for you and you confirm it here.
booking-done-waitlist-left = You have left the waiting list.

booking-ics = Add to my calendar (.ics)

## Booking (businesses)
manage-offers = Offers
offers-title = Offers of { $name }
offers-back-to-listing = Edit { $name }
offers-listing-not-public = The listing is not published: residents cannot book its offers until it is.
offers-kind = Kind
offers-bookings = Bookings
offers-none = No offers yet.
offers-new = Add an offer
offers-new-text = Appointments (a time with you), classes (seats in dated sessions) or memberships (a plan with start dates).
offer-new-appointment = New appointment offer
offer-new-class = New class
offer-new-membership = New membership
offer-edit = Edit offer
offer-status-active = Bookable
offer-status-draft = Draft (not bookable)
offer-status-archived = Archived
offer-appointments = Appointments
offer-duration = Length in minutes
offer-parallel = Bookable at the same time
offer-parallel-hint = How many residents can book the same time (staff, rooms).
offer-availability = When appointments can be booked
offer-availability-hint = Up to two time ranges per day, in the city's local time. Appointments follow each other back to back. Leave a day empty when there are none.
offer-from = From
offer-until = Until
offer-exceptions = Special dates
offer-exceptions-hint = Days without appointments or with other times. Leave unused rows empty.
offer-no-appointments = No appointments this day
offer-class = Class
offer-seats = Places per session
offer-sessions = Single sessions
offer-sessions-hint = Date and local time of each session. Leave unused rows empty.
offer-session = Session { $n }
offer-recurrence = Weekly sessions
offer-recurrence-hint = Sessions on these days at this time, from the first to the last day (at most a year).
offer-recurrence-days = On these days
offer-recurrence-time = At (local time)
offer-recurrence-from = First day
offer-recurrence-until = Last day
offer-membership = Membership
offer-period = Billing period
offer-price = Price
offer-price-hint = As residents should read it, e.g. 39 € per month.
offer-start-dates = Start dates
offer-start-dates-hint = The dates a membership can start on. Leave unused rows empty.
offer-start-date = Start date { $n }
offer-cancel-anytime = Members can cancel before the period ends
offer-policy = Booking conditions
offer-confirmation = Confirmation
offer-confirmation-instant = Instant: a booking is confirmed as soon as the resident confirms it
offer-confirmation-approval = On approval: you approve or decline each booking
offer-cancel-deadline = Cancellation deadline (minutes before the start)
offer-cancel-deadline-hint = Residents can cancel online until then; 0: until the start.
offer-lead-time = Lead time (minutes)
offer-lead-time-hint = How far ahead a time must be booked at least; 0: until the start.
offer-horizon = Booking horizon (days)
offer-horizon-hint = How many days ahead residents can book (1 to 365).
offer-limit = Active bookings per resident
offer-limit-hint = 0: no limit.
offer-data = Data you receive
offer-data-hint = You always receive the resident's name. Ask for more only if you need it: residents see exactly what you receive before they confirm.
offer-collect-email = Email address
offer-collect-phone = Phone number
offer-error-stale = Someone else changed this offer meanwhile. Check the current version below and save again.
done-offer-created = The offer is created.
done-offer-saved = Your changes are saved.
done-decided-approve = The booking is confirmed.
done-decided-reject = The booking is declined and its place released.
done-decided-completed = The booking is marked as taken place.
done-decided-no-show = The booking is marked as missed.
offer-bookings-title = Bookings: { $name }
offer-bookings-logged = Each booking shown here is recorded in the resident's access log, with your name and the reason.
offer-bookings-from = From
offer-bookings-to = To
offer-bookings-show = Show
offer-bookings-range = { $from } to { $to }
offer-bookings-contact = Contact
offer-bookings-no-contact = not shared
offer-bookings-none = No bookings in this period.
offer-approve = Approve
offer-reject = Decline
offer-completed = Took place
offer-no-show = Did not come
offer-booking-status-held = Reserved, not confirmed yet
offer-bookings-not-shared = You see the name and contact once the person confirms.
offer-booking-status-requested = Request: waiting for you
offer-booking-status-confirmed = Confirmed
offer-booking-status-rejected = Declined
offer-booking-status-expired = Reservation ran out
offer-booking-status-cancelled = Cancelled by the resident
offer-booking-status-completed = Took place
offer-booking-status-no_show = Did not come

## Messages of the service layer on pages (see i18n::CATALOGUE)
v-max-chars = Use at most { $max } characters.
    .api = must be at most { $max } characters
v-control-chars = Remove control characters such as tabs or invisible characters.
    .api = must not contain control characters
v-time = Enter a time between 00:00 and 24:00, e.g. 09:30.
    .api = must be a time HH:MM between 00:00 and 24:00
v-max-rules = At most 28 opening intervals.
    .api = at most 28 rules
v-max-exceptions = At most 400 special dates.
    .api = at most 400 exceptions
v-closes-after-opens-midnight = The closing time must be after the opening time. For hours past midnight, use two intervals.
    .api = must be after opens (use two rules for hours past midnight)
v-closes-after-opens = The closing time must be after the opening time.
    .api = must be after opens
v-overlap = This interval overlaps another one on the same day.
    .api = overlaps another rule of the same day
v-exception-same-date = Another special date has the same date.
    .api = another exception has the same date
v-exception-times = Enter opening and closing times, or choose “Closed all day”.
    .api = opens and closes are required unless closed is true
v-max-items = At most 30 items.
    .api = at most 30 items
v-date-window = Enter a date between { $from } and { $to }.
    .api = must be a date between { $from } and { $to }
v-not-empty = This must not be empty.
    .api = must not be empty
v-url = Enter a full web address starting with https:// or http://.
    .api = must be an http or https URL
v-name-required = Enter a name in German or English.
    .api = give a name in German or English
v-max-categories = At most 5 categories.
    .api = at most 5 categories
v-unknown-category = Unknown category “{ $c }”.
    .api = unknown category '{ $c }'
v-max-tags = At most 20 keywords.
    .api = at most 20 tags
v-tag-chars = Use only letters, digits, spaces and hyphens.
    .api = only letters, digits, spaces and hyphens
v-lat-range = Enter a latitude between -90 and 90.
    .api = must be between -90 and 90
v-lng-range = Enter a longitude between -180 and 180.
    .api = must be between -180 and 180
v-phone = Enter a phone number (digits, spaces and + - / ( ) only).
    .api = must be a phone number (digits, spaces, + - / ( ))
v-language-code = Use two-letter language codes such as de, en or tr.
    .api = must be a two-letter ISO 639-1 code
v-max-languages = At most 30 languages.
    .api = at most 30 languages
v-service-only-municipal = Only city services have service details.
    .api = only municipal services have service details
v-channel-required = Choose at least one way to apply.
    .api = name at least one channel
v-service-required = Describe who may apply, what to bring, the fees and how to apply.
    .api = municipal services describe eligibility, what to bring, fees and channels
v-category-required = Choose a category.
    .api = choose at least one category
v-category-before-publish = Choose a category before publishing.
    .api = choose a category before publishing
v-organization-required = A business listing belongs to an organization you are a member of.
    .api = a business listing belongs to an organization you are a member of
v-department = Choose a department of the city.
    .api = must be a department of the city
v-number = Enter a number, e.g. 60.1699.
    .api = must be a number
v-both-coordinates = Enter both latitude and longitude.
    .api = give both latitude and longitude
v-date = Enter a date, e.g. 2026-12-24.
    .api = must be a date YYYY-MM-DD
v-password-max = The password may have at most 256 characters.
    .api = must be at most 256 characters
v-organization-name = Enter a name of 2 to 200 characters.
    .api = must be 2-200 characters
v-member-unknown = No account has this email address. Ask them to register first.
    .api = no account has this email; ask them to register first
problem-title-bad-request = The request could not be handled
problem-title-forbidden = You are not allowed to do this
problem-title-not-found = Not found
problem-title-conflict = This is not possible right now
problem-title-validation = Some entries need correcting
problem-title-rate-limited = Too many requests
problem-title-error = Something went wrong
access-member-data = name and email address as a member of { $organization }
access-purpose-member-review = city administration: review of an organization's members
access-booking = booking { $booking } ({ $fields })
access-purpose-booking-list = list of bookings of { $offer }
access-purpose-booking-marked = { $status ->
    [confirmed] booking confirmed
    [rejected] booking rejected
    [no_show] marked as a no-show
    [completed] marked as attended
   *[other] booking marked { $status }
}
    .api = booking marked { $status }
access-purpose-partner-sent = sent with the booking to the business's booking system

## Errors
not-found-title = Page not found
not-found-text = The page does not exist, or it is no longer public.
back-home = Back to the home page

## Notifications (emails about bookings, calendar files)
mail-greeting = Hello { $name },
mail-what = What
mail-when = When
mail-where = Where
mail-cancel-until = You can cancel until { $until }.
mail-manage = Your bookings: { $url }
mail-attachment = The appointment is attached as a calendar file (booking.ics).
mail-signature = Your { $city } city portal
mail-confirmed-subject = Booking confirmed: { $offer }
mail-confirmed-intro = your booking is confirmed.
mail-requested-subject = Booking request received: { $offer }
mail-requested-intro = we have received your booking request. { $with } will accept or decline it, and we will let you know.
mail-rescheduled-subject = Booking moved: { $offer }
mail-rescheduled-intro = your booking has been moved to a new time.
mail-reminder-subject = Reminder: { $offer }, { $when }
mail-reminder-intro = a reminder of your upcoming booking.
mail-cancelled-subject = Booking cancelled: { $offer }
mail-cancelled-intro = your booking has been cancelled.
mail-rejected-subject = Booking declined: { $offer }
mail-rejected-intro = unfortunately { $with } could not accept your booking. The place has been released.
mail-expired-subject = Reservation expired: { $offer }
mail-expired-intro = your reservation was not confirmed in time and has expired. The place has been released.
mail-waitlist-subject = A place is free for you: { $offer }
mail-waitlist-intro = a place on the waiting list has become free and is held for you until { $until }. Confirm it under "My bookings" by then; otherwise it goes to the next person waiting.
mail-partner-kept-subject = Please check your cancellation: { $offer }
mail-partner-kept-intro = { $with } has not accepted the cancellation of your booking: their booking system was not reachable when you cancelled, and when it answered again it refused the cancellation. The booking is cancelled here, but { $with } may still expect you. Please contact { $with } directly.
ics-description = Booked through the { $city } city portal. Your bookings: { $url }
ics-feed-name = My bookings – { $city }

## Partner connections (a business's own booking system, in the dashboard)
pc-title = Booking systems
pc-intro = Connect your own booking system: the portal then books the offers you link to it there, and your system keeps their times and seats.
pc-org-title = Booking systems of { $name }
pc-edit-title = Booking system: { $name }
pc-back = Back to My business
pc-none = No booking system is connected yet.
pc-name = Name
pc-name-hint = For you and your team, e.g. "Our booking system".
pc-base-url = Base URL of the Partner Booking API
pc-base-url-short = Base URL
pc-base-url-hint = https://…, without /partner/v1 (plain http only for a system on this machine).
pc-token-url = Token URL (optional)
pc-token-url-short = Token URL
pc-token-url-hint = Leave empty to use the base URL followed by /oauth/token.
pc-client-id = Client ID
pc-client-secret = Client secret
pc-webhook-secret = Webhook signing secret
pc-webhook-secret-hint = whsec_ followed by base64, as your booking system shows it.
pc-secret-new = It is stored encrypted and never shown again.
pc-secret-keep = Leave empty to keep the stored secret (it is never shown).
pc-secrets-again = For your safety, secrets are not filled in again: enter them once more.
pc-status = Status
pc-status-active = Active
pc-status-disabled = Disabled (nothing is booked through it)
pc-webhook-url = Webhook URL
pc-webhook-url-hint = Give the webhook URL to your booking system: it sends its status changes there, signed with the webhook secret.
pc-add-title = Connect a booking system
pc-add = Connect booking system
pc-edit = Change the connection
pc-save = Save
pc-linked = Offers that book through it
pc-linked-none = No offer books through it yet.
pc-offer-ref = Reference
pc-partner-offers = What the booking system offers now
pc-partner-offers-hint = Asked live from your booking system; an offer of the portal links to one of these by its reference.
pc-partner-time-zone = Its time zone: { $tz }.
pc-partner-offers-none = The booking system lists no offers.
pc-partner-down = Your booking system did not answer usably just now, so its offers cannot be shown. Check the base URL, the token URL and the client credentials, or try again later.
pc-kind-appointment = Appointment
pc-kind-class = Class
pc-kind-membership = Membership
pc-confirmation-instant = Instant
pc-confirmation-approval = On approval
pc-remove = Remove connection
pc-remove-hint = Possible only while no offer books through it: archive or change those offers first, or disable the connection instead.
done-connection-created = The booking system is connected.
done-connection-saved = Your changes are saved.
done-connection-removed = The connection is removed.
offer-partner-note = This offer is booked through your booking system (reference { $ref }): the times, seats, confirmation and the data a booking shares are kept there. Here you change its name, description, status and conditions.
offer-booking-system = Booking system
offer-booking-system-hint = Book this offer in the portal's own calendar, or through one of your organization's booking systems: then that system keeps the times, seats and plan, and the fields for them below are not used. Where an offer books cannot change while it has active bookings.
offer-booking-system-where = Booked through
offer-booking-system-portal = The portal's own calendar
offer-booking-system-disabled = disabled
offer-partner-offer = Offer in the booking system
offer-partner-offer-hint = The offers of this kind your booking systems list now, by system. Needed when the offer books through a booking system.
offer-partner-offer-none = Choose …
offer-partner-ref = Reference of the offer in the booking system
offer-partner-ref-hint = As your booking system names the offer, e.g. sandbox-gym.yoga. Needed when the offer books through a booking system.
offer-partner-down = The booking system { $names } did not answer just now, so its offers cannot be listed. Enter the offer's reference in that system below, or try again later.
offer-partner-unchecked = The booking system did not answer, so the offer cannot be checked now. Nothing was saved: try again later.

## Maps: drawn only when asked for (the tile server sees the visitor's address)
map-show-one = Show map
map-hide = Hide map
map-third-party = The map loads its images from { $host }, which then sees your IP address.
map-zoom-in = Zoom in
map-zoom-out = Zoom out
map-close-popup = Close
map-attribution = OpenStreetMap contributors

## The search page's filters and sorting, in one disclosure
refine-summary = Filter and sort
refine-chosen = ({ $count } chosen)
sort-apply = Sort
