## Errors of the city login (see ../README.md): field messages.

error-oidc-identity-taken = This city account is already linked to another portal account.
    .api = this city account is linked to another account
error-oidc-already-linked = This portal account is already linked to a city account. Unlink it first.
    .api = the account is already linked to a city account
error-oidc-unlink-no-password = Set a password first: otherwise the account has no way in.
    .api = the account has no password; set one before unlinking
