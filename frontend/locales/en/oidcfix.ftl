## The city login, after review: the page asking before a new account is made from a
## city login, and a step-up the provider did not ask again for.

oidc-confirm-title = Create an account on this portal?
oidc-confirm-intro = You logged in with { $provider }. No account on this portal belongs to it yet. If you create one, the portal stores what { $provider } sent:
oidc-confirm-kept = What the portal will store
oidc-confirm-link = It also keeps an identifier from { $provider } that links the two accounts, and when the link was made and last used. Nothing else.
oidc-confirm-later = You can change your name later, unlink the city account or delete the account at any time.
oidc-confirm-privacy = How the portal handles your data
oidc-confirm-create = Create account
oidc-confirm-cancel = Cancel
oidc-new-cancelled-title = No account was created
oidc-new-cancelled-text = Nothing from { $name } was stored. You are not logged in.
oidc-stale-title = Please log in again
oidc-stale-text = This needs a new login at { $name }, but { $name } did not ask you to log in again (or did not say when you did). Nothing was changed; please try again.
