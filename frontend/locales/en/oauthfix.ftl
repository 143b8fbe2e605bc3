## OAuth after review: field checks of client registration.

v-oauth-redirect-uri-control = Redirect address { $index } contains control characters such as tabs, line breaks or invisible characters.
    .api = redirect_uris[{ $index }] must not contain control characters
v-oauth-redirect-uri-long = Redirect address { $index } is longer than { $max } characters.
    .api = redirect_uris[{ $index }] must be at most { $max } bytes

admin-oauth-change-scopes = Scopes it may ask for
admin-oauth-change-scopes-hint = Taking a scope away takes effect at once: residents’ grants and the app’s tokens lose it too. Adding one gives no resident’s grant more; they agree on the consent page.
admin-oauth-change-scopes-save = Save scopes
