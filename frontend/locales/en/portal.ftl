## Layout
skip-to-content = Skip to content
language = Language
nav-main = Main navigation
nav-search = Search
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
filter-kind-any = Businesses and city services
filter-category = Category
filter-category-any = All categories
filter-district = District
filter-district-any = All districts
filter-open-now = Open now
filter-wheelchair = Wheelchair accessible
filter-apply = Apply filters
filter-reset = Reset filters
filter-remove = Remove filter: { $name }
sort = Sort by
sort-relevance = Relevance
sort-distance = Distance
sort-name = Name
near-hint = Sorting by distance needs a location: add near=latitude,longitude to the address or allow location access.
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

## Kinds
kind-business = Business
kind-municipal_service = City service

## Listing and service pages
open-until = Open now, until { $time }
opens-today = Closed now, opens today at { $time }
opens-on = Closed now, opens { $day } at { $time }
closed-now = Closed now
opening-hours = Opening hours
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
error-rate-limited = Too many failed logins. Please wait { $minutes } minutes.
error-email-taken = An account with this email exists. Log in instead.
error-csrf = The form expired. Please submit it again.
account-title = My account
account-greeting = Hello, { $name }
account-profile = Profile
account-bookings = My bookings
account-bookings-empty = You have no bookings yet.
account-organizations = My organizations
account-organizations-empty = You are not a member of any organization.
account-data = My data
account-data-text = See who read your data.
account-access-log = Access log
account-access-log-empty = Nobody but you has read your data.
error-email-invalid = Enter an email address like name@example.org.
error-password-length = The password needs at least 10 characters.
error-display-name = Enter your name (up to 120 characters).
error-password-wrong = The password is wrong.
error-last-owner = You are the last owner of an organization. Make another member its owner first.
account-export = Download my data
account-export-text = Everything we hold about you, as a JSON file.
account-delete = Delete my account
account-delete-text = This deletes your account, your memberships, your API tokens and your access log. It cannot be undone.
account-delete-password = Your password, to confirm
account-delete-button = Delete my account for good
account-email = Email
account-role-owner = owner
account-role-staff = staff
account-deleted = Your account and its data are deleted.
access-when = When
access-what = What
access-why = Why
logged-out = You are logged out.

## Privacy
privacy-title = How we handle your data
privacy-intro = This portal is run by the city for its residents. Here is, in plain words, what happens with your data.
privacy-1-title = We only keep what we need
privacy-1-text = To search, you need no account and we store nothing about you. An account holds your email address, your name and a password we can't read (it is stored as a one-way hash).
privacy-2-title = Businesses see only what a booking needs
privacy-2-text = Booking is coming soon. When it comes, you will see before you confirm exactly which of your data goes to whom: your name always, your email or phone only if the offer needs them.
privacy-3-title = Every access is logged, and you can see it
privacy-3-text = When city staff, a business or a city module reads your data, we record who, when and why. You find this log under “My account”.
privacy-4-title = Your data stays yours
privacy-4-text = You can export everything we hold about you, and delete your account with all its data.
privacy-5-title = No tracking
privacy-5-text = No advertising, no third-party trackers, no analytics cookies. We set only the cookies the portal needs: your login session, your language and a form-protection token.

## Errors
not-found-title = Page not found
not-found-text = The page does not exist, or it is no longer public.
back-home = Back to the home page
