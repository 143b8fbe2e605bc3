## Errors of OAuth (see ../README.md): field messages and problem-<code> of the client
## registration, and oauth-error-<why>: the error_description of the token, revocation
## and introspection endpoints (RFC 6749 5.2), for the app's developers.

v-oauth-client-name = Give the client a name of at most { $max } characters.
    .api = must be 1-{ $max } characters
v-oauth-client-kind = Choose whether the client is confidential or public.
    .api = must be `confidential` or `public`
v-oauth-scope = “{ $scope }” is not a scope of this portal.
    .api = unknown scope '{ $scope }'
v-oauth-scopes-empty = Choose at least one scope.
    .api = must name at least one scope
v-oauth-redirect-uri = Redirect address { $index } is not an absolute HTTPS address without a fragment (plain HTTP only as http://127.0.0.1 or http://[::1], with any port).
    .api = redirect_uris[{ $index }] must be an absolute https URI without a fragment (http only as http://127.0.0.1 or http://[::1])
v-oauth-redirect-uris-public = A public client needs at least one redirect address.
    .api = a public client needs at least one redirect URI
v-oauth-redirect-uris-many = Give at most { $max } redirect addresses.
    .api = at most { $max } redirect URIs

problem-oauth-public-client = A public client has no secret to renew.
    .detail = A public client has no secret; only confidential clients rotate secrets.

oauth-error-content-type = The request body must be application/x-www-form-urlencoded.
oauth-error-body = The request body could not be read.
oauth-error-duplicate = A parameter was sent more than once.
oauth-error-two-methods = The client authenticated in more than one way.
oauth-error-grant-type-missing = grant_type is missing.
oauth-error-code-missing = code is missing.
oauth-error-refresh-missing = refresh_token is missing.
oauth-error-token-missing = token is missing.
oauth-error-verifier-missing = code_verifier is missing (PKCE is required).
oauth-error-client = Client authentication failed.
oauth-error-grant-type = The grant type is not supported.
oauth-error-scope = The scope is unknown, empty, or more than the client or grant allows.
oauth-error-server = The server could not handle the request.
oauth-error-code = The authorization code is invalid or was not issued to this client.
oauth-error-code-reused = The authorization code was already used; the tokens issued for it are revoked.
oauth-error-code-expired = The authorization code has expired.
oauth-error-redirect-uri = redirect_uri does not match the one of the authorization request.
oauth-error-verifier = code_verifier does not match the code_challenge.
oauth-error-refresh = The refresh token is invalid, expired, revoked, or not this client's.
oauth-error-refresh-reused = The refresh token was already used; every token of its family is revoked.
oauth-error-public-client-credentials = A public client cannot use client credentials.
