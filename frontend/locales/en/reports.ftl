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
