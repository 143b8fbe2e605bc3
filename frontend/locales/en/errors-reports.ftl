## Errors of issue reports and Open311 (see ../README.md): field messages (v-report-...)
## and problem-<code>. Over Open311 a field error reads `field: <.api>`.

v-report-required = This is missing.
    .api = was not provided
v-report-lat = Give a latitude between -90 and 90.
    .api = must be a latitude in degrees between -90 and 90
v-report-long = Give a longitude between -180 and 180.
    .api = must be a longitude in degrees between -180 and 180
v-report-lat-long-pair = Give latitude and longitude together.
    .api = lat and long must be sent together
v-report-location = Say where: choose a place on the map or type an address.
    .api = a location is required: lat and long, address_string or address_id
v-report-place-unknown = We do not know this address in the city. Check it, or choose a place on the map.
    .api = is not a place of the city
v-report-email = This is not an email address.
    .api = is not an email address
v-report-phone = This is not a phone number.
    .api = is not a phone number
v-report-media-url = This is not an http or https address.
    .api = must be an absolute http or https URL
v-report-photo-type = A photo must be a JPEG or PNG picture.
    .api = must be a JPEG or PNG picture (its content is checked, not its name)
v-report-photo-size = A photo may be at most { $max } MB.
    .api = may be at most { $max } MiB
v-report-attribute-unknown = This service does not ask this.
    .api = is not an attribute of this service (see its service definition)
v-report-state = This is not a state of a report.
    .api = must be one of: open, investigating, in_progress, action_scheduled, fixed, duplicate, not_councils_responsibility, no_further_action, internal_referral, closed
v-report-update-empty = Write something.
    .api = must not be empty
v-report-date = This is not a date and time.
    .api = must be a W3C date and time, e.g. 2026-12-07T09:30:00Z
v-report-date-range = A search may span at most 90 days.
    .api = start_date to end_date may span at most 90 days, and end_date may not come before start_date
v-report-status-filter = Choose open or closed.
    .api = must be open or closed (comma-separated for both)
v-report-id = This is not the id of a report.
    .api = is not a service_request_id
v-report-app-name = Give the app a name of 1 to 100 characters.
    .api = must be 1-100 characters without control characters

problem-report-service-unknown = This service does not take reports.
    .detail = service_code not found: no service of this city takes reports under this code
problem-open311-api-key = The API key is missing, unknown or revoked.
    .detail = api_key was not provided or is not valid
problem-open311-jurisdiction = This is not the city's jurisdiction.
    .detail = jurisdiction_id not found
