## Fehler der Stadt-Anmeldung (siehe ../README.md): Feldmeldungen.

error-oidc-identity-taken = Dieses Stadtkonto ist schon mit einem anderen Portalkonto verknüpft.
    .api = this city account is linked to another account
error-oidc-already-linked = Dieses Portalkonto ist schon mit einem Stadtkonto verknüpft. Lösen Sie zuerst die Verknüpfung.
    .api = the account is already linked to a city account
error-oidc-unlink-no-password = Legen Sie zuerst ein Passwort fest, sonst hat das Konto keinen Zugang mehr.
    .api = the account has no password; set one before unlinking
