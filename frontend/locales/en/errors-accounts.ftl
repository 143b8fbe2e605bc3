## Errors of accounts: problem-<code> (what a page shows), problem-title-<code> (a page title),
## and field messages. The English .detail attribute is the API's problem detail
## (and .api a field message in the API) where it is worded differently.

problem-unauthorized-account = Please log in.
    .detail = Log in, or send a valid API token as `Authorization: Bearer <token>`.
problem-forbidden-tokens = API tokens are for members of an organization and city staff.
problem-last-owner-account = You are the last owner of an organization. Make another member its owner first.
    .detail = You are the last owner of an organization: make another member its owner first.

v-token-name = Give the token a name of 1 to 100 characters.
    .api = must be 1-100 characters
v-token-days = Choose a lifetime between 1 and 365 days.
    .api = must be between 1 and 365

error-link-invalid = This link is unknown, used already or expired. Ask for a new one.
    .api = unknown, used or expired: ask for a new link
error-email-same = This is your address already.
    .api = is the account's address already
error-locale = Choose German or English.
    .api = must be `de` or `en`
error-email-taken = This address has an account already. Log in, or set a new password if you forgot it.
    .api = has an account already
