## Die Anmeldung mit dem Stadtkonto, nach der Durchsicht: die Seite, die fragt, bevor
## aus einer Anmeldung ein neues Konto wird, und eine erneute Anmeldung, nach der der
## Anbieter nicht wieder gefragt hat.

oidc-confirm-title = Ein Konto in diesem Portal anlegen?
oidc-confirm-intro = Sie haben sich mit { $provider } angemeldet. Zu diesem Konto gehört hier noch keines. Wenn Sie eines anlegen, speichert das Portal, was { $provider } gesendet hat:
oidc-confirm-kept = Was das Portal speichert
oidc-confirm-link = Dazu eine Kennung von { $provider }, die beide Konten verbindet, und wann die Verbindung angelegt und zuletzt genutzt wurde. Sonst nichts.
oidc-confirm-later = Sie können Ihren Namen später ändern, das Stadtkonto trennen oder das Konto jederzeit löschen.
oidc-confirm-privacy = Wie das Portal mit Ihren Daten umgeht
oidc-confirm-create = Konto anlegen
oidc-confirm-cancel = Abbrechen
oidc-new-cancelled-title = Es wurde kein Konto angelegt
oidc-new-cancelled-text = Von { $name } wurde nichts gespeichert. Sie sind nicht angemeldet.
oidc-stale-title = Bitte melden Sie sich erneut an
oidc-stale-text = Dafür ist eine neue Anmeldung bei { $name } nötig, aber { $name } hat Sie nicht erneut gefragt (oder nicht gesagt, wann). Es wurde nichts geändert; bitte versuchen Sie es noch einmal.
