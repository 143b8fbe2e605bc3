# The account texts (see ../README.md).

## Login, password reset, emailed links

login-forgot = Forgot your password?
reset-title = Reset your password
reset-intro = Enter the email address of your account. If it has one, we send a link to set a new password; it works once, for one hour.
reset-button = Send the link
reset-sent = If this address has an account, a link to set a new password is on its way. It works once, for one hour. Nothing arrived? Look in your spam folder, or ask again in a few minutes.
reset-new-title = Set a new password
reset-new-password = New password
reset-new-button = Save the new password
link-invalid-title = This link does not work
link-invalid-text = The link is unknown, has been used already, or has expired (a password link after one hour, a verification link after seven days).
link-invalid-reset = Ask for a new link
link-invalid-verify = Send a new link from your account
link-confirm-title = Confirm your email address
link-confirm-text = Confirm that { $email } is your address.
link-confirm-button = Confirm my address
link-verified-title = Address confirmed
link-verified-text = Thank you: your email address is confirmed. You can book now.
link-verified-changed = Thank you: your new email address is confirmed and is your login from now on.
link-unverified-title = Confirm your email address first
link-unverified-text = Before you book, confirm your email address: follow the link we sent to { $email }. Nothing arrived? Send it again.
link-sent-title = Check your mailbox
link-sent-text = We have sent an email to { $email }. Follow the link in it to go on (it works for seven days).
link-sent-spam = Nothing there after a few minutes? Look in your spam folder.
link-sent-wrong = Mistyped the address?
link-sent-again = Register again
link-continue = Continue
link-verified-login = Your email address is confirmed. Log in to continue.
link-verified-changed-login = Your new email address is confirmed and is your login from now on. Log in to continue.
login-refused-or-unconfirmed = Email or password is wrong – or the address is not confirmed yet. Registered recently? Follow the link we emailed you; logging in with the right password sends it again.

## The account page

account-language = Language
account-language-hint = The language of your emails and calendar files.
account-profile-save = Save
account-email-current = Your address (your login)
account-email-status = Status
account-email-verified = confirmed
account-email-unverified = not confirmed yet
account-email-pending = Changing to (waiting for confirmation)
account-verify-text = Confirm your address to book: follow the link we emailed you. It works for seven days.
account-verify-resend = Send the link again
account-email-change = Change your email address
account-email-change-text = We send a link to the new address. Your current address stays your login until you follow it, and is told of the change.
account-email-new = New email address
account-email-change-button = Change the address
account-password = Password
account-password-text = After the change, you are logged out everywhere else.
account-password-current = Current password
account-password-new = New password
account-password-button = Change the password
account-done-profile = Saved.
account-done-email = We sent a link to the new address. Your current address stays your login until you follow it.
account-done-password = Your password is changed. You are logged out everywhere else.
account-done-verification = We sent the link again. It works for seven days.
account-done-verified = Your email address is confirmed.
account-done-password-reset = Your password is changed. Log in with the new one.

## The account's emails ({ $link } is the link, { $login } and { $reset } the pages)

account-mail-verify-subject = Confirm your email address
account-mail-verify-text =
    please confirm your email address for the { $city } city portal by opening this link (it works for seven days):

    { $link }

    Did you not ask for this? Then ignore this email.
account-mail-reset-subject = Set a new password
account-mail-reset-text =
    someone (hopefully you) asked to reset the password of your account. Open this link to set a new one (it works once, for one hour):

    { $link }

    Did you not ask for this? Then ignore this email: your password stays as it is.
account-mail-taken-subject = Someone tried to use your email address
account-mail-taken-text =
    someone tried to register (or to change their account) with your email address, which already has an account with us. Nothing was changed.

    If it was you: log in at { $login }, or set a new password at { $reset }.

    If it was not you, you need not do anything.
account-mail-email-changing-subject = Your email address is being changed
account-mail-email-changing-text =
    someone logged in to your account asked to change its email address to { $other }. Until the link sent there is followed, this address stays your login.

    If it was not you, change your password at { $account } (or set a new one at { $reset }).
account-mail-password-changed-subject = Your password was changed
account-mail-password-changed-text =
    the password of your account was just changed, and every other session was ended.

    If it was not you, set a new password at { $reset } right away.

## The privacy page (what the account's emailed links keep)

privacy-account-links = The portal also keeps the language of your emails, whether and when your email address was confirmed, and when your password last changed (sessions begun before it end). Links it emails you — to confirm an address ({ $verify }) or to set a new password ({ $reset }) — work once; only a one-way hash of each is stored, with the address it confirms; a used or expired one is deleted within the hour, and every one with the account. To stop abuse, requests for such links are counted per address (as a one-way hash) and per network address for { $window }.
