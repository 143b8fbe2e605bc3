## Errors of search: problem-<code> (what a page shows), problem-title-<code> (a page title),
## and field messages. The English .detail attribute is the API's problem detail
## (and .api a field message in the API) where it is worded differently.

v-search-q-max = Use at most { $max } characters.
    .api = at most { $max } characters
v-search-near = Give a location as latitude,longitude.
    .api = must be latitude,longitude within -90..90 and -180..180
v-search-between = Use a number from { $min } to { $max }.
    .api = must be between { $min } and { $max }
v-search-radius-needs-near = A radius needs a location.
    .api = needs near
v-search-distance-needs-near = Sorting by distance needs a location.
    .api = distance needs near
v-search-sort-unknown = Sort by relevance, distance or name.
    .api = must be relevance, distance or name
v-search-locale = The language “{ $locale }” is not available; choose German or English.
    .api = unsupported locale '{ $locale }' (use de or en)
v-search-suggest-q = Type { $min } to { $max } characters.
    .api = must be { $min }-{ $max } characters

problem-unavailable-search = Search is unavailable right now. Please try again in a moment.
    .detail = The search is unavailable right now (the search engine and the database search failed); try again in a moment.
