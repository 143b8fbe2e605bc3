## OAuth after review: field checks of client registration.

v-oauth-redirect-uri-control = Redirect address { $index } contains control characters such as tabs, line breaks or invisible characters.
    .api = redirect_uris[{ $index }] must not contain control characters
v-oauth-redirect-uri-long = Redirect address { $index } is longer than { $max } characters.
    .api = redirect_uris[{ $index }] must be at most { $max } bytes
