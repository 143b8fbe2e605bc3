## Errors of common: problem-<code> (what a page shows), problem-title-<code> (a page title),
## and field messages. The English .detail attribute is the API's problem detail
## (and .api a field message in the API) where it is worded differently.

problem-not-found = It does not exist, or you may not see it.
    .detail = No such { $what }.
problem-duplicate = This exists already.
    .detail = A resource with the same unique value already exists.
problem-internal = Something went wrong on our side. Please try again later.
    .detail = The error was logged. Please try again later.
problem-unavailable = The portal cannot reach its database for a moment. Nothing was changed; please try again in a few seconds.
    .detail = The database cannot be reached for a moment; nothing was changed. Retry after the Retry-After seconds.
problem-validation = Some entries need correcting.
