## Errors of applications (issue 16): problem-<code> and the field messages (v-application-...).

problem-application-not-offered = This service takes no applications online.
    .detail = The service has no online application (no active module serves it).
problem-application-transition = A case cannot go from “{ $from }” to “{ $to }”. { $allowed ->
        [none] From “{ $from }” it can go nowhere.
       *[other] From “{ $from }” it can go to: { $allowed }.
    }
    .detail = An application cannot go from { $from } to { $to }. { $allowed ->
        [none] From { $from } a module can move it nowhere.
       *[other] From { $from } a module can move it to: { $allowed }.
    }
problem-application-state = { $status ->
        [changed] What you reviewed is no longer what the office receives: the service's module changed or is paused. Please fill in the form again.
        [draft] This is not possible while the application is “{ application-status-draft }”.
        [submitted] This is not possible while the application is “{ application-status-submitted }”.
        [received] This is not possible while the application is “{ application-status-received }”.
        [in_progress] This is not possible while the application is “{ application-status-in-progress }”.
        [needs_information] This is not possible while the application is “{ application-status-needs-information }”.
        [approved] This is not possible while the application is “{ application-status-approved }”.
        [refused] This is not possible while the application is “{ application-status-refused }”.
        [closed] This is not possible while the application is “{ application-status-closed }”.
        [withdrawn] This is not possible while the application is “{ application-status-withdrawn }”.
       *[other] This is not possible while the application is “{ $status }”.
    }
    .detail = Not possible while the application is { $status }.
problem-application-too-large = What you sent is larger than this form allows.
    .detail = The request body is larger than the form allows.
problem-application-malformed = What you sent could not be read as this form.
    .detail = The request body is not the form's content type or not well-formed.
v-application-status = This is not a status a module may set.
    .api = must be received, in_progress, needs_information, approved, refused or closed
v-application-text = Write 1 to { $max } characters, without control characters.
    .api = must be 1-{ $max } characters without control characters
v-application-document = The document must be a PDF, JPEG or PNG file of at most 10 MB that is what it claims to be.
    .api = must be base64 of a PDF, JPEG or PNG of at most 10 MiB whose content matches content_type
v-application-share = You can only send what this service asks for from your profile.
    .api = names profile data the service does not receive
