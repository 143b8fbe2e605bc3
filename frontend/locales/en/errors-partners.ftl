## Errors of partners: problem-<code> (what a page shows), problem-title-<code> (a page title),
## and field messages. The English .detail attribute is the API's problem detail
## (and .api a field message in the API) where it is worded differently.

problem-forbidden-partner-owners-add = Only the organization's owners connect its booking systems.
    .detail = Only the organization's owners add partner connections.
problem-forbidden-partner-owners-manage = Only the organization's owners manage its booking systems.
    .detail = Only the organization's owners manage its partner connections.
problem-in-use = { $n ->
    [one] 1 offer books through this connection: archive or change it first, or disable the connection.
   *[other] { $n } offers book through this connection: archive or change them first, or disable the connection.
}
    .detail = { $n } offer(s) book through this connection; archive or change them first, or disable the connection.
problem-unavailable-partner-connection = The business's booking system cannot be reached at the moment. Please try again later.
    .detail = The business's booking system cannot be reached now.
problem-unavailable-partner-offers = The booking system did not answer usably, so its offers cannot be listed now. Please try again later.
    .detail = The partner's booking system did not answer usably; the server log says why.

v-partners-required = This is required.
    .api = required
v-partners-max-500 = At most 500 characters.
    .api = must be at most 500 characters
v-partners-absolute-url = Enter a complete address starting with https://.
    .api = must be an absolute URL
v-partners-use-https = Must be an https address.
    .api = must use https
v-partners-https-url = Must be an https address.
    .api = must be an https URL
v-partners-no-credentials = Must not contain a user name or password.
    .api = must not contain credentials
v-partners-no-query = Must not contain ? or #.
    .api = must not have a query or fragment
v-partners-public = Must be a public address (not one of the city's internal network).
    .api = must be a public address
v-partners-resolve = This host name cannot be found.
    .api = the host name does not resolve
v-partners-secret-length = Must be 1 to 500 characters.
    .api = must be 1-500 characters
v-partners-whsec = Must be whsec_ followed by base64 (at least 16 bytes), as your booking system shows it.
    .api = must be whsec_ followed by at least 16 bytes in base64
problem-partner-connection-of-module = This connection belongs to one of the city's modules: the module register manages it.
    .detail = The connection is a module's: it follows the module's approvals, pauses and removal in the module register, and cannot be changed or removed here.
