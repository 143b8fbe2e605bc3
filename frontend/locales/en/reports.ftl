## Issue reports: the report form, My reports, the public list, the Open311 API keys.

report-attribute-yes = Yes
report-attribute-no = No
report-state-open = Open
report-state-investigating = Investigating
report-state-in-progress = In progress
report-state-action-scheduled = Action scheduled
report-state-fixed = Fixed
report-state-duplicate = Duplicate
report-state-not-councils-responsibility = Not the city's responsibility
report-state-no-further-action = No further action
report-state-internal-referral = Passed on
report-state-closed = Closed
access-report-data = { $fields ->
    [name-email-location] your name, email address and the place
    [name-email] your name and email address
    [name-location] your name and the place
    [email-location] your email address and the place
    [name] your name
    [email] your email address
   *[location] the place
  } of your report { $report }
access-purpose-report = dealing with your report ({ $module })
admin-open311-title = Open311 API keys
admin-open311-intro = Third-party apps report issues to the city's services over Open311 GeoReport v2 with a key of their own. Reading reports needs no key. The endpoint:
admin-open311-admins-only = Only the city's admins issue Open311 API keys.
admin-open311-key-once = The key of “{ $name }”, shown this once (only its hash is stored): give it to the app's makers now.
admin-open311-create = Issue a key
admin-open311-app-name = Name of the app
admin-open311-create-button = Issue key
admin-open311-keys = Keys
admin-open311-prefix = Begins with
admin-open311-created = Issued
admin-open311-last-used = Last used
admin-open311-never = never
admin-open311-revoked = Revoked on { $date }: the app can no longer post reports.
admin-open311-revoke = Revoke
admin-open311-none = No app has a key yet.
report-title = Report: { $service }
report-intro = Tell the city what is wrong and where. Your report goes to { $module }, which deals with it and posts here what it did.
report-public = What you write, the place and the photo are shown publicly on the list of open reports, never your name.
report-module-receives = { $module } receives: { $data }.
report-where = Where is it?
report-address = Address
report-address-hint = Street and number, e.g. Mannerheimintie 5, or a square or street.
report-map-show = Point at the place on a map
report-map-hint = Choose the place on the map: your point is taken instead of the address.
report-description = What is wrong?
report-description-hint = Up to 4000 characters. Please leave out names and other personal details.
report-photo = Photo (optional)
report-photo-hint = A JPEG or PNG picture of at most { $max } MB.
report-send = Send report
report-link = Report a problem
report-state = State
report-photo-link = Photo
my-reports-title = My reports
my-reports-sent = Thank you: your report was sent. Below you see what becomes of it.
my-reports-timeline = What happened
my-reports-comment = Note from the city
my-reports-none = You have not reported anything yet.
account-reports = Reports
account-reports-link = My reports: what you reported and what the city did
reports-title = Open reports
reports-intro = Problems residents reported that the city has not dealt with yet. Nothing here says who reported them.
reports-report-one = Report a problem yourself:
reports-map-show = Show the reports on a map
reports-none = There are no open reports.
reports-open311 = Apps can read and send reports over Open311 GeoReport v2:
my-reports-added = Your note was sent to the office dealing with it.
my-reports-mine = Your note
my-reports-add = Add information
my-reports-add-hint = For the office dealing with it only; not shown publicly.
my-reports-add-send = Send note

privacy-reports-erasure = Issue reports: when you delete your account, the reports you sent stay with the city (the place, the service's answers, what was done), but no longer say who sent them, and your description, your photo and the notes you added are deleted. Your data export lists your reports, with a link to each photo.
privacy-reports-apps = The email address, names and phone number an app sends with a report are for the report's module only, and deleted { $days } days after the report; the device and account ids an app sends are not kept.
