## Errors of application forms (issue 16): a module's form outside the documented subset
## (v-form-schema-*, shown to city admins and module developers, with the JSON path),
## and what residents sent that does not fit a form (v-form-*). The .api attribute is
## the API's wording.

v-form-schema-not-object = This must be a JSON object.
    .api = must be a JSON object
v-form-schema-unsupported = The keyword { $keyword } is not part of the form subset.
    .api = the keyword { $keyword } is not part of the form subset
v-form-schema-invalid = The value of { $keyword } is not allowed here.
    .api = the value of { $keyword } is not allowed here
v-form-schema-missing = The keyword { $keyword } is missing.
    .api = the keyword { $keyword } is required here
v-form-schema-field-name = A field name starts with a lower-case letter and has at most 40 lower-case letters, digits or underscores (and is not csrf, lang, intent, action or next).
    .api = field names match ^[a-z][a-z0-9_]{"{"}0,39{"}"}$ and are not csrf, lang, intent, action or next

v-form-required = Please fill in this field.
    .api = is required
v-form-too-large = This is too large.
    .api = is larger than the portal reads
v-form-min-chars = Use at least { $min } characters.
    .api = must be at least { $min } characters
v-form-pattern = This does not have the required form; see the hint.
    .api = does not match the pattern
v-form-invalid = This value is not valid.
    .api = is not valid
v-form-email = Enter an email address such as name@example.org.
    .api = must be an email address
v-form-tel = Enter a phone number, e.g. +49 711 123456.
    .api = must be a phone number
v-form-uri = Enter a web address starting with https:// or http://.
    .api = must be an http(s) URL
v-form-integer = Enter a whole number, e.g. 3.
    .api = must be an integer
v-form-number = Enter a number, e.g. 3 or 2.5.
    .api = must be a number
v-form-range = Enter a number from { $min } to { $max }.
    .api = must be between { $min } and { $max }
v-form-choice = Choose one of the options.
    .api = must be one of the listed values
v-form-confirm = Please tick this box to confirm.
    .api = must be true
v-form-date = Enter a date that exists, as YYYY-MM-DD, e.g. 2026-12-24.
    .api = must be a date (YYYY-MM-DD)
v-form-date-min = Choose { $date } or later.
    .api = must be { $date } or later
v-form-date-max = Choose { $date } or earlier.
    .api = must be { $date } or earlier
v-form-address-street = Enter the street and house number.
    .api = street is required (at most 200 characters)
v-form-address-postcode = Enter a postcode, e.g. 70173.
    .api = postcode must have 3 to 10 letters, digits, spaces or hyphens
v-form-address-city = Enter the town or city.
    .api = city is required (at most 200 characters)
v-form-file-size = The file is larger than { $max } MB.
    .api = the file is larger than { $max } MiB
v-form-file-type = Choose a file of one of these types: { $types }.
    .api = the file must be one of: { $types }
v-form-file-mismatch = The file's content does not match its type. Please choose the original file.
    .api = the file's bytes are not of the type it was sent as
