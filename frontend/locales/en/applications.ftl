## Applications through the city's modules (issue 16): applying online, the review of
## what goes to whom, My applications with each case's timeline, the emails about a
## case, and what the access log says about a module receiving an application.

application-apply-online = Apply online
application-apply-title = Apply: { $service }
application-apply-intro = Fill in the form. On the next page you see exactly what is sent, and nothing is sent before you confirm.
application-apply-next = Continue to review
application-share-legend = From your profile
application-share-hint = Tick what the office may receive from your account. Nothing is sent that you do not tick.
application-who-heading = Who receives your application
application-who-module = Handled by
application-who-operator = Responsible office
application-who-purpose = Purpose
application-who-legal-basis = Legal basis
application-who-data = What it receives
application-who-encrypted = Your application is encrypted for this office: once delivered, the portal keeps only the encrypted copy.
application-who-register = All modules and the data they receive
application-review-title = Check and send your application
application-review-intro = This is exactly what goes to { $module } ({ $operator }).
application-review-answers = Your answers
application-review-profile = From your profile
application-review-no-profile = Nothing from your profile.
application-review-send = Send to { $module }
application-review-change = Change my answers
application-yes = Yes
application-no = No
application-mine-link = My applications
application-mine-title = My applications
application-mine-none = You have not applied for anything online yet.
application-submitted-on = Sent on { $at }
application-submitted = Sent
application-status = Status
application-service = Service
application-reference = Reference
application-sent = Your application was sent. You will get an email whenever its status changes.
application-question-heading = The office asks
application-answer = Your answer
application-answer-send = Send answer
application-timeline = What happened
application-document = Document: { $name }
application-withdraw = Withdraw application
application-withdraw-title = Withdraw your application?
application-withdraw-explained = The office is told that you no longer want it processed. This cannot be undone; you can apply again.
application-withdraw-yes = Yes, withdraw
application-withdraw-no = No, keep it
application-status-draft = Not sent
application-status-submitted = Sent
application-status-received = Received by the office
application-status-in-progress = In progress
application-status-needs-information = The office needs information from you
application-status-approved = Approved
application-status-refused = Refused
application-status-closed = Closed
application-status-withdrawn = Withdrawn
application-event-submitted = You sent the application
application-event-received = The office received it
application-event-in-progress = The office is working on it
application-event-needs-information = The office asked a question
application-event-answered = You answered
application-event-decided-approved = Approved
application-event-decided-refused = Refused
application-event-closed = Closed
application-event-withdrawn = You withdrew it
application-event-undeliverable = Not delivered: the office's system for this service is no longer connected. Nothing was sent; please contact the office directly.
application-event-message = Message from the office
application-mail-subject = Your application “{ $service }”: { $status }
application-mail-message-subject = Your application “{ $service }”: a message from the office
application-mail-body = Hello { $name },

    the status of your application “{ $service }” is now: { $status }.
    { $message }
    See the whole case: { $url }

    { $city }
application-mail-message-body = Hello { $name },

    the office sent a message about your application “{ $service }”.
    { $message }
    See the whole case: { $url }

    { $city }
access-application-sent = { $what ->
    [answer] your answer
   *[application] your application
    } for “{ $service_en }” ({ $fields_en }), case { $case }
access-application-read = your application for “{ $service_en }” ({ $fields_en }), case { $case }
access-purpose-application = { $purpose_en }
admin-module-webhook-secret = Webhook signing secret
admin-module-deliveries = Deliveries to its webhook
admin-module-deliveries-none = Nothing delivered yet.
admin-module-delivery-at = When
admin-module-delivery-event = Event
admin-module-delivery-attempt = Attempt
admin-module-delivery-result = Result
admin-module-delivery-ok = delivered ({ $status })
admin-module-delivery-skipped-module-inactive = not sent: the module is not active
admin-module-delivery-skipped-not-subscribed = not sent: the module does not subscribe to this event
admin-module-delivery-skipped-withdrawn-before-delivery = not sent: withdrawn before it was delivered
