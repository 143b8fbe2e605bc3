## Errors of accounts: problem-<code> (what a page shows), problem-title-<code> (a page title),
## and field messages. The English .detail attribute is the API's problem detail
## (and .api a field message in the API) where it is worded differently.

problem-unauthorized-account = Bitte melden Sie sich an.
problem-forbidden-tokens = API-Schlüssel gibt es nur für Mitglieder einer Organisation und für die Stadtverwaltung.
problem-last-owner-account = Sie sind die letzte Inhaberin bzw. der letzte Inhaber einer Organisation. Machen Sie zuerst ein anderes Mitglied zur Inhaberin oder zum Inhaber.

v-token-name = Bitte geben Sie dem Schlüssel einen Namen mit 1 bis 100 Zeichen.
v-token-days = Bitte wählen Sie eine Gültigkeit zwischen 1 und 365 Tagen.

error-link-invalid = Dieser Link ist unbekannt, schon benutzt oder abgelaufen. Fordern Sie einen neuen an.
error-email-same = Das ist schon Ihre Adresse.
error-locale = Wählen Sie Deutsch oder Englisch.
error-email-taken = Diese Adresse hat schon ein Konto. Melden Sie sich an oder legen Sie ein neues Passwort fest, falls Sie es vergessen haben.
