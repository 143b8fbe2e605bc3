## Die Stadt-Anmeldung (OpenID Connect): Schaltflächen, der Abschnitt der Kontoseite,
## die Seiten zum Verknüpfen eines Kontos und die Fehlerseite.

oidc-or-heading = Oder mit Ihrem Stadtkonto
oidc-login-button = Mit { $name } anmelden
oidc-login-hint = Sie werden zu { $name } weitergeleitet und kommen hierher zurück. Das Portal erhält nur eine Kennung, Ihre bestätigte E-Mail-Adresse und Ihren Namen.
oidc-off-text = Die Stadt-Anmeldung ist in diesem Portal nicht eingerichtet. Melden Sie sich mit E-Mail-Adresse und Passwort an.
oidc-back-account = Zurück zu meinem Konto
oidc-use-password = Stattdessen mit E-Mail und Passwort anmelden

oidc-link-title = Stadtkonto verknüpfen
oidc-link-text = Zur Adresse { $email } gibt es in diesem Portal schon ein Konto. Geben Sie dessen Passwort ein, um es mit Ihrem { $provider } zu verknüpfen; danach können Sie sich auf beiden Wegen anmelden.
oidc-link-button = Verknüpfen und anmelden

oidc-account-heading = { $name }
oidc-account-status = Status
oidc-account-linked = Verknüpft seit { $date }
oidc-account-level = Vertrauensniveau dieser Anmeldung
oidc-account-level-none = nicht mit dem Stadtkonto angemeldet
oidc-account-level-hint = Manche Dienste brauchen eine Anmeldung mit höherem Vertrauensniveau; das Portal bittet Sie dann, sich erneut mit dem Stadtkonto anzumelden.
oidc-account-unlinked = Verknüpfen Sie Ihr { $name }, um sich damit anzumelden. Geben Sie dazu zuerst Ihr Passwort ein.
oidc-link-account-button = { $name } verknüpfen
oidc-unlink-button = Verknüpfung mit dem Stadtkonto lösen
oidc-unlink-needs-password = Dieses Konto hat kein Passwort; das Stadtkonto ist sein einziger Zugang. Legen Sie ein Passwort fest, bevor Sie die Verknüpfung lösen.
oidc-set-password = Passwort festlegen
account-done-oidc-linked = Ihr Stadtkonto ist verknüpft.
account-done-oidc-unlinked = Die Verknüpfung mit Ihrem Stadtkonto ist gelöst. Melden Sie sich mit E-Mail-Adresse und Passwort an.
oidc-step-up-export = Zum Herunterladen Ihrer Daten ist eine Anmeldung mit { $name } auf höherem Vertrauensniveau nötig; Sie werden gebeten, sich dort erneut anzumelden.
oidc-delete-without-password = Dieses Konto hat kein Passwort: Die Anmeldung mit { $name } bestätigt, dass Sie es sind.

oidc-unavailable-title = Die Stadt-Anmeldung ist nicht erreichbar
oidc-unavailable-text = { $name } ist gerade nicht erreichbar. Sie können sich weiterhin mit E-Mail-Adresse und Passwort anmelden oder es in einigen Minuten erneut versuchen.
oidc-cancelled-title = Anmeldung abgebrochen
oidc-cancelled-text = Die Anmeldung bei { $name } wurde abgebrochen. Es wurde nichts geändert.
oidc-provider-error-title = Die Stadt-Anmeldung hat nicht funktioniert
oidc-provider-error-text = { $name } hat die Anmeldung abgelehnt. Bitte versuchen Sie es erneut; klappt es weiterhin nicht, melden Sie sich mit E-Mail-Adresse und Passwort an.
oidc-state-title = Dieser Anmeldelink ist nicht mehr gültig
oidc-state-text = Die Anmeldung wurde nicht in diesem Browser begonnen, hat zu lange gedauert oder wurde schon verwendet. Bitte beginnen Sie sie neu. Sie sind nicht angemeldet.
oidc-issuer-title = Die Antwort kam nicht von der Stadt-Anmeldung
oidc-issuer-text = Die Antwort auf die Anmeldung kam nicht von { $name } und wurde deshalb abgelehnt. Sie sind nicht angemeldet.
oidc-token-title = Die Anmeldung konnte nicht geprüft werden
oidc-token-text = Der Nachweis Ihrer Anmeldung von { $name } konnte nicht geprüft werden und wurde abgelehnt. Sie sind nicht angemeldet. Bitte versuchen Sie es erneut.
oidc-level-title = Ein höheres Vertrauensniveau ist nötig
oidc-level-text = Dafür ist eine Anmeldung mit { $name } auf höherem Vertrauensniveau nötig, und zwar mit dem Stadtkonto, das mit Ihrem Portalkonto verknüpft ist.
oidc-level-needed-title = Eine Anmeldung mit dem Vertrauensniveau „{ $level }“ ist nötig
oidc-level-needed-text = Melden Sie sich mit { $name } auf dem Vertrauensniveau „{ $level }“ an, um fortzufahren.
oidc-level-needed-unlinked = Dafür ist eine Anmeldung mit { $name } auf dem Vertrauensniveau „{ $level }“ nötig. Verknüpfen Sie zuerst Ihr Stadtkonto auf Ihrer Kontoseite.
oidc-refused-title = Das Stadtkonto konnte nicht verwendet werden
oidc-no-email-title = Ihr Stadtkonto hat keine bestätigte E-Mail-Adresse
oidc-no-email-text = Das Portal braucht eine bestätigte E-Mail-Adresse für Buchungsbestätigungen, und { $name } hat keine übermittelt. Bestätigen Sie Ihre Adresse dort, oder registrieren Sie sich hier mit Ihrer E-Mail-Adresse.
error-password-wrong-oidc = Das Passwort ist nicht richtig.

privacy-city-login-title = Anmeldung mit { $name }
privacy-city-login-text = Wenn Sie sich mit { $name } anmelden (von der Stadt unter { $host } betrieben), erhält und speichert das Portal nur die Kennung, unter der der Anbieter Sie führt, Ihre bestätigte E-Mail-Adresse und Ihren Namen (den Sie hier ändern können) sowie wann Sie die Verknüpfung angelegt und zuletzt genutzt haben; bei der ersten Anmeldung wird nichts gespeichert, bevor Sie das neue Konto bestätigen. Ihre Sitzung speichert außerdem das Vertrauensniveau der Anmeldung, wann Sie sich dort angemeldet haben, und das Anmelde-Token des Anbieters, bis Sie sich abmelden, damit die Abmeldung hier auch die Anmeldung dort beendet. Lösen Sie die Verknüpfung auf Ihrer Kontoseite oder löschen Sie Ihr Konto, wird die Verknüpfung entfernt.
privacy-city-login-roles = Für Beschäftigte der Stadt bestimmen die Gruppen, die { $name } meldet, bei jeder Anmeldung ihre Rolle in diesem Portal; Gruppen von Bürgerinnen und Bürgern werden nicht gespeichert.
