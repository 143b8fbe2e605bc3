## Application forms (issue 16): what the form partial says beside a module's fields.

appform-required = required
appform-choose = Please choose
appform-address-street = Street and number
appform-address-postcode = Postcode
appform-address-city = Town or city
appform-file-note = { $types }, at most { $max } MB.
appform-file-again = Please choose the file again: a browser does not keep it when a form comes back.
appform-file-kept = { $name } is attached; choose a file only to replace it.
