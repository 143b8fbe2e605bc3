## The city login (OpenID Connect): buttons, the account page's section, the pages
## that link an account or say what went wrong.

oidc-or-heading = Or with your city account
oidc-login-button = Log in with { $name }
oidc-login-hint = You will be sent to { $name } and come back here. The portal receives only an identifier, your verified email address and your name.
oidc-off-text = The city login is not set up on this portal. Log in with your email address and password.
oidc-back-account = Back to my account
oidc-use-password = Log in with email and password instead

oidc-link-title = Link your city account
oidc-link-text = An account with the address { $email } already exists on this portal. Enter its password to link it with your { $provider }; after that, either way logs you in.
oidc-link-button = Link and log in

oidc-account-heading = { $name }
oidc-account-status = Status
oidc-account-linked = Linked since { $date }
oidc-account-level = Assurance level of this login
oidc-account-level-none = not logged in with the city account
oidc-account-level-hint = Some services need a login at a higher level; the portal then asks you to log in with the city account again.
oidc-account-unlinked = Link your { $name } to log in with it. Enter your password first.
oidc-link-account-button = Link { $name }
oidc-unlink-button = Unlink the city account
oidc-unlink-needs-password = This account has no password, so the city account is its only way in. Set a password before unlinking.
oidc-set-password = Set a password
account-done-oidc-linked = Your city account is linked.
account-done-oidc-unlinked = Your city account is unlinked. Log in with your email address and password.
oidc-step-up-export = Downloading your data needs a login with { $name } at a higher level; you will be asked to log in there again.
oidc-delete-without-password = This account has no password: being logged in with { $name } confirms it is you.

oidc-unavailable-title = The city login is not reachable
oidc-unavailable-text = { $name } cannot be reached right now. You can still log in with your email address and password, or try again in a few minutes.
oidc-cancelled-title = Login cancelled
oidc-cancelled-text = The login at { $name } was cancelled. Nothing was changed.
oidc-provider-error-title = The city login did not work
oidc-provider-error-text = { $name } refused the login. Please try again; if it keeps failing, log in with your email address and password.
oidc-state-title = This login link is no longer valid
oidc-state-text = The login did not start in this browser, took too long, or was already used. Please start it again. You are not logged in.
oidc-issuer-title = The answer did not come from the city login
oidc-issuer-text = The login answer did not come from { $name }, so it was refused. You are not logged in.
oidc-token-title = The login could not be verified
oidc-token-text = The proof of your login from { $name } could not be verified, so it was refused. You are not logged in. Please try again.
oidc-level-title = A higher assurance level is needed
oidc-level-text = This needs a login with { $name } at a higher level, or with the same city account that is linked to your portal account.
oidc-level-needed-title = A login at level “{ $level }” is needed
oidc-level-needed-text = Log in with { $name } at the level “{ $level }” to continue.
oidc-level-needed-unlinked = This needs a login with { $name } at the level “{ $level }”. Link your city account on your account page first.
oidc-refused-title = The city account could not be used
oidc-no-email-title = Your city account has no confirmed email address
oidc-no-email-text = The portal needs a confirmed email address for booking confirmations, and { $name } did not send one. Confirm your address there, or register with your email address here.
error-password-wrong-oidc = The password is not correct.

privacy-city-login-title = Logging in with { $name }
privacy-city-login-text = If you log in with { $name } (run by the city at { $host }), the portal receives and keeps only the provider's identifier for you, your verified email address and your name (which you can change here), and when you linked and last used it; a first login stores nothing until you confirm the new account. Your session also keeps the login's assurance level, when you logged in there, and the provider's login token until you log out, so that logging out here ends the login there too. Unlinking on your account page or deleting your account removes the link.
privacy-city-login-roles = For the city's staff, the groups { $name } reports decide their role on this portal at each login; residents' groups are not stored.
