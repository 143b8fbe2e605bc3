## Errors of common: problem-<code> (what a page shows), problem-title-<code> (a page title),
## and field messages. The English .detail attribute is the API's problem detail
## (and .api a field message in the API) where it is worded differently.

problem-not-found = Das gibt es nicht, oder Sie dürfen es nicht sehen.
problem-duplicate = Das gibt es bereits.
problem-internal = Bei uns ist etwas schiefgegangen. Bitte versuchen Sie es später noch einmal.
problem-unavailable = Das Portal erreicht seine Datenbank gerade nicht. Es wurde nichts geändert; bitte versuchen Sie es in ein paar Sekunden noch einmal.
problem-validation = Einige Angaben müssen korrigiert werden.
