# The account texts (see ../README.md).

## Anmelden, Passwort zurücksetzen, Links per E-Mail

login-forgot = Passwort vergessen?
reset-title = Passwort zurücksetzen
reset-intro = Geben Sie die E-Mail-Adresse Ihres Kontos ein. Gibt es dazu ein Konto, senden wir einen Link, mit dem Sie ein neues Passwort festlegen; er gilt einmal, eine Stunde lang.
reset-button = Link senden
reset-sent = Gibt es zu dieser Adresse ein Konto, ist ein Link zum Festlegen eines neuen Passworts unterwegs. Er gilt einmal, eine Stunde lang. Nichts angekommen? Sehen Sie im Spam-Ordner nach oder fragen Sie in einigen Minuten erneut.
reset-new-title = Neues Passwort festlegen
reset-new-password = Neues Passwort
reset-new-button = Neues Passwort speichern
link-invalid-title = Dieser Link funktioniert nicht
link-invalid-text = Der Link ist unbekannt, wurde schon benutzt oder ist abgelaufen (ein Passwort-Link nach einer Stunde, ein Bestätigungslink nach sieben Tagen).
link-invalid-reset = Neuen Link anfordern
link-invalid-verify = Neuen Link in Ihrem Konto anfordern
link-confirm-title = E-Mail-Adresse bestätigen
link-confirm-text = Bestätigen Sie, dass { $email } Ihre Adresse ist.
link-confirm-button = Meine Adresse bestätigen
link-verified-title = Adresse bestätigt
link-verified-text = Danke: Ihre E-Mail-Adresse ist bestätigt. Sie können jetzt buchen.
link-verified-changed = Danke: Ihre neue E-Mail-Adresse ist bestätigt und ab jetzt Ihre Anmeldung.
link-unverified-title = Bestätigen Sie zuerst Ihre E-Mail-Adresse
link-unverified-text = Bevor Sie buchen, bestätigen Sie bitte Ihre E-Mail-Adresse: Öffnen Sie den Link, den wir an { $email } gesendet haben. Nichts angekommen? Senden Sie ihn erneut.
link-sent-title = Bitte sehen Sie in Ihr Postfach
link-sent-text = Wir haben eine E-Mail an { $email } gesendet. Folgen Sie dem Link darin, um weiterzumachen (er gilt sieben Tage).
link-sent-spam = Nach ein paar Minuten noch nichts da? Sehen Sie im Spam-Ordner nach.
link-sent-wrong = Adresse vertippt?
link-sent-again = Noch einmal registrieren
link-continue = Weiter
link-verified-login = Ihre E-Mail-Adresse ist bestätigt. Melden Sie sich an, um weiterzumachen.
link-verified-changed-login = Ihre neue E-Mail-Adresse ist bestätigt und ab jetzt Ihre Anmeldung. Melden Sie sich an, um weiterzumachen.
login-refused-or-unconfirmed = E-Mail oder Passwort ist falsch – oder die Adresse ist noch nicht bestätigt. Gerade registriert? Folgen Sie dem Link aus unserer E-Mail; eine Anmeldung mit dem richtigen Passwort sendet ihn erneut.

## Die Kontoseite

account-language = Sprache
account-language-hint = Die Sprache Ihrer E-Mails und Kalenderdateien.
account-profile-save = Speichern
account-email-current = Ihre Adresse (Ihre Anmeldung)
account-email-status = Status
account-email-verified = bestätigt
account-email-unverified = noch nicht bestätigt
account-email-pending = Wechsel zu (wartet auf Bestätigung)
account-verify-text = Bestätigen Sie Ihre Adresse, um zu buchen: Öffnen Sie den Link aus unserer E-Mail. Er gilt sieben Tage.
account-verify-resend = Link erneut senden
account-email-change = E-Mail-Adresse ändern
account-email-change-text = Wir senden einen Link an die neue Adresse. Bis Sie ihn öffnen, bleibt Ihre bisherige Adresse Ihre Anmeldung; sie wird über die Änderung informiert.
account-email-new = Neue E-Mail-Adresse
account-email-change-button = Adresse ändern
account-password = Passwort
account-password-text = Nach der Änderung sind Sie überall sonst abgemeldet.
account-password-current = Bisheriges Passwort
account-password-new = Neues Passwort
account-password-button = Passwort ändern
account-done-profile = Gespeichert.
account-done-email = Wir haben einen Link an die neue Adresse gesendet. Bis Sie ihn öffnen, bleibt Ihre bisherige Adresse Ihre Anmeldung.
account-done-password = Ihr Passwort ist geändert. Überall sonst sind Sie abgemeldet.
account-done-verification = Wir haben den Link erneut gesendet. Er gilt sieben Tage.
account-done-verified = Ihre E-Mail-Adresse ist bestätigt.
account-done-password-reset = Ihr Passwort ist geändert. Melden Sie sich mit dem neuen an.

## Die E-Mails zum Konto ({ $link } ist der Link, { $login } und { $reset } die Seiten)

account-mail-verify-subject = Bestätigen Sie Ihre E-Mail-Adresse
account-mail-verify-text =
    bitte bestätigen Sie Ihre E-Mail-Adresse für das Stadtportal { $city }, indem Sie diesen Link öffnen (er gilt sieben Tage):

    { $link }

    Sie haben das nicht angefordert? Dann ignorieren Sie diese E-Mail.
account-mail-reset-subject = Neues Passwort festlegen
account-mail-reset-text =
    jemand (hoffentlich Sie) hat angefordert, das Passwort Ihres Kontos zurückzusetzen. Öffnen Sie diesen Link, um ein neues festzulegen (er gilt einmal, eine Stunde lang):

    { $link }

    Sie haben das nicht angefordert? Dann ignorieren Sie diese E-Mail: Ihr Passwort bleibt, wie es ist.
account-mail-taken-subject = Jemand wollte Ihre E-Mail-Adresse verwenden
account-mail-taken-text =
    jemand wollte sich mit Ihrer E-Mail-Adresse registrieren (oder sein Konto darauf ändern); zu dieser Adresse gibt es bei uns schon ein Konto. Es wurde nichts geändert.

    Waren Sie das? Dann melden Sie sich unter { $login } an oder legen Sie unter { $reset } ein neues Passwort fest.

    Waren Sie es nicht, müssen Sie nichts tun.
account-mail-email-changing-subject = Ihre E-Mail-Adresse wird geändert
account-mail-email-changing-text =
    jemand, der in Ihrem Konto angemeldet ist, möchte dessen E-Mail-Adresse auf { $other } ändern. Bis der dorthin gesendete Link geöffnet wird, bleibt diese Adresse Ihre Anmeldung.

    Waren Sie das nicht? Dann ändern Sie Ihr Passwort unter { $account } (oder legen Sie unter { $reset } ein neues fest).
account-mail-password-changed-subject = Ihr Passwort wurde geändert
account-mail-password-changed-text =
    das Passwort Ihres Kontos wurde soeben geändert, und alle anderen Sitzungen wurden beendet.

    Waren Sie das nicht? Dann legen Sie sofort unter { $reset } ein neues Passwort fest.

## Die Datenschutzseite (was die per E-Mail gesendeten Links speichern)

privacy-account-links = Außerdem speichert das Portal die Sprache Ihrer E-Mails, ob und wann Ihre E-Mail-Adresse bestätigt wurde und wann Ihr Passwort zuletzt geändert wurde (davor begonnene Sitzungen enden). Links, die es Ihnen per E-Mail sendet – zum Bestätigen einer Adresse ({ $verify }) oder zum Festlegen eines neuen Passworts ({ $reset }) –, gelten einmal; gespeichert wird davon nur ein Einweg-Hash, mit der Adresse, die er bestätigt; ein benutzter oder abgelaufener wird innerhalb einer Stunde gelöscht, und alle mit dem Konto. Gegen Missbrauch werden Anfragen nach solchen Links je Adresse (als Einweg-Hash) und je Netzwerkadresse { $window } lang gezählt.
