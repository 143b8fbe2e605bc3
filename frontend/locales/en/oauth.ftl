## Apps acting for residents (OAuth): the consent page, the account page's list of
## apps, and the admin page of clients.

oauth-consent-title = Let “{ $app }” act for you?
oauth-consent-intro = You are logged in as { $name }. The app “{ $app }” asks to use your account on this portal. If you agree, it may:
oauth-consent-scopes = What the app may do
oauth-consent-where = After your answer you go back to the app at { $host }.
oauth-consent-revoke = You can take this permission back at any time on your account page.
oauth-consent-allow = Allow
oauth-consent-deny = Don’t allow

oauth-scope-account-read = see your name, your email address, and who read your data
oauth-scope-bookings-read = see your bookings and your places on waiting lists
oauth-scope-bookings-write = book, confirm, reschedule and cancel appointments for you, and join or leave waiting lists
oauth-scope-listings-write = create and change the listings and offers of your organizations
oauth-scope-organizations-manage = manage your organizations: their members, booking systems and bookings
oauth-scope-tokens-introspect = check the access tokens apps present (for the city’s modules)

oauth-refused-client = This app is not known to the portal, or it has been switched off. Please tell the app’s makers.
oauth-refused-redirect-uri = This app sent an address to return to that is not registered for it, so the portal does not send you there. Please tell the app’s makers.
oauth-refused-duplicate = The app’s request is malformed (a parameter appears twice). Please tell the app’s makers.

access-app-request = your data through { $method } { $path }
access-purpose-app = used by an app you allowed to act for you
access-who-app = the app “{ $app }”

account-apps-title = Apps acting for you
account-apps-none = No app may act for you.
account-apps-intro = These apps may use your account, with what you allowed. Every time one reads your data, it appears in the access log below.
account-apps-since = allowed on { $date }
account-apps-last-used = last used on { $date }
account-apps-revoke-app = Take back what “{ $app }” may do
account-apps-revoke = Take back
account-done-apps = The app can no longer act for you.

admin-oauth-title = Apps and modules (OAuth clients)
admin-oauth-intro = Apps act for residents who allow them; modules act for themselves. Each may only ask for the scopes given here, and only return to the addresses given here.
admin-oauth-name = Name
admin-oauth-kind = Kind
admin-oauth-kind-confidential = confidential (keeps a secret: a server or module)
admin-oauth-kind-public = public (no secret: a mobile or browser app)
admin-oauth-scopes = Scopes
admin-oauth-redirect-uris = Redirect addresses, one a line
admin-oauth-create = Register
admin-oauth-secret-once = The secret of “{ $name }”. Copy it now: it is not shown again.
admin-oauth-rotate = New secret
admin-oauth-rotate-overlap = The earlier secrets keep working until { $until }.
admin-oauth-disable = Disable
admin-oauth-disabled = disabled on { $date }
admin-oauth-none = No clients are registered.
admin-oauth-client-id = Client ID
admin-oauth-admins-only = Only the city’s admins manage apps and modules.
