## Errors of partners: problem-<code> (what a page shows), problem-title-<code> (a page title),
## and field messages. The English .detail attribute is the API's problem detail
## (and .api a field message in the API) where it is worded differently.

problem-forbidden-partner-owners-add = Nur die Inhaber der Organisation können ihre Buchungssysteme verbinden.
problem-forbidden-partner-owners-manage = Nur die Inhaber der Organisation verwalten ihre Buchungssysteme.
problem-in-use = { $n ->
    [one] 1 Angebot wird über diese Verbindung gebucht: Archivieren oder ändern Sie es zuerst, oder deaktivieren Sie die Verbindung.
   *[other] { $n } Angebote werden über diese Verbindung gebucht: Archivieren oder ändern Sie sie zuerst, oder deaktivieren Sie die Verbindung.
}
problem-unavailable-partner-connection = Das Buchungssystem des Anbieters ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut.
problem-unavailable-partner-offers = Das Buchungssystem hat nicht brauchbar geantwortet, daher können seine Angebote gerade nicht angezeigt werden. Bitte versuchen Sie es später erneut.

v-partners-required = Bitte ausfüllen.
v-partners-max-500 = Höchstens 500 Zeichen.
v-partners-absolute-url = Geben Sie eine vollständige Adresse ein, die mit https:// beginnt.
v-partners-use-https = Muss eine https-Adresse sein.
v-partners-https-url = Muss eine https-Adresse sein.
v-partners-no-credentials = Darf keinen Benutzernamen und kein Passwort enthalten.
v-partners-no-query = Darf kein ? und kein # enthalten.
v-partners-public = Muss eine öffentliche Adresse sein (keine aus dem internen Netz der Stadt).
v-partners-resolve = Dieser Hostname wurde nicht gefunden.
v-partners-secret-length = Muss 1 bis 500 Zeichen lang sein.
v-partners-whsec = Muss whsec_ gefolgt von Base64 sein (mindestens 16 Bytes), so wie Ihr Buchungssystem ihn anzeigt.
problem-partner-connection-of-module = Diese Verbindung gehört zu einem Modul der Stadt: Das Modulregister verwaltet sie.
