## Errors of places (see ../README.md): field messages and problem-<code>.

v-place-text = Type a street address, a street or a district (at most { $max } characters).
    .api = must be 1-{ $max } characters of text
v-place-unknown = No street, address or district called “{ $place }” was found.
    .api = no place matches '{ $place }' (give a street, an address, a district, or latitude,longitude)

problem-unavailable-places = Places cannot be looked up right now. Please try again in a moment.
    .detail = Places cannot be looked up right now (the database failed); try again in a moment.
