## Termine über ein Modul (siehe ../README.md): die Buchungs-Zugangsdaten der Freigabe,
## das Erneuern des Webhook-Geheimnisses, die Angebote in der Prüfung eines Moduls und
## im Register, ein Angebot, dessen Modul pausiert ist, und der Zweck im Zugriffsprotokoll.

module-appt-credentials = Die Partner-Buchungs-API des Moduls
module-appt-credentials-hint = Die Termine des Moduls werden über seine Partner-Buchungs-API unter { $base }/partner/v1 gebucht (Token-Endpunkt { $base }/oauth/token). Geben Sie die Client-ID und das Geheimnis ein, die das Modul dem Portal ausgestellt hat; sie werden verschlüsselt gespeichert und nie wieder angezeigt.
module-appt-credentials-kept = Das Portal hat die Zugangsdaten des Moduls bereits. Lassen Sie die Felder leer, um sie zu behalten, oder geben Sie neue ein, um sie zu ersetzen.
module-appt-client-id = Client-ID
module-appt-client-secret = Client-Geheimnis
module-appt-rotate = Neues Webhook-Geheimnis
module-appt-rotate-hint = Ein neues Webhook-Geheimnis wird einmal angezeigt. Es signiert von da an jedes Ereignis an das Modul, und das Modul signiert seine Buchungs-Webhooks damit; das alte gilt sofort nicht mehr.
module-appt-webhook-rotated = Das Modul hat ein neues Webhook-Geheimnis. Geben Sie es jetzt dem Betreiber des Moduls: Es wird nicht wieder angezeigt.
module-appt-offers = Darüber gebuchte Angebote
module-appt-offers-changed = geändert
module-appt-register-when = Wann es Ihre Daten erhält
module-appt-register-when-text = Nur wenn Sie eine Buchung bestätigen: Genau die hier genannten Daten gehen damit an das Terminsystem des Moduls.
module-appt-not-bookable = Derzeit nicht buchbar: Die Stadt hat das Terminsystem dieser Leistung pausiert.
access-purpose-module-booking = mit der Buchung an das Terminsystem der Stadt gesendet, für: { $purpose_de }
