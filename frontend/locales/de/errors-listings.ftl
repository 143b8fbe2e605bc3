## Errors of listings: problem-<code> (what a page shows), problem-title-<code> (a page title),
## and field messages. The English .detail attribute is the API's problem detail
## (and .api a field message in the API) where it is worded differently.

problem-bad-request-if-match = Der If-Match-Header muss Versionskennungen wie "3" enthalten.
problem-if-match-required = Bitte senden Sie die zuletzt gelesene Version mit, damit keine Änderung anderer überschrieben wird.
problem-stale-version = Jemand anderes hat diesen Eintrag inzwischen geändert. Bitte laden Sie ihn neu und wiederholen Sie Ihre Änderung.
problem-forbidden-not-member = Sie sind kein Mitglied dieser Organisation.
problem-forbidden-staff-create-services = Nur die Stadtverwaltung kann städtische Dienstleistungen anlegen.
problem-forbidden-staff-suspend = Nur die Stadtverwaltung kann Einträge sperren.
problem-forbidden-staff-restore = Nur die Stadtverwaltung kann gesperrte Einträge wiederherstellen.
problem-forbidden-may-not-change = Sie dürfen diesen Eintrag nicht ändern.
problem-forbidden-may-not-delete = Sie dürfen diesen Eintrag nicht löschen.
problem-suspended = Dieser Eintrag ist gesperrt. Nur die Stadtverwaltung kann ihn wiederherstellen.
problem-not-suspended = Nur ein gesperrter Eintrag kann wiederhergestellt werden.
problem-forbidden-staff-review = Nur die Stadtverwaltung prüft die Namen von Einträgen.
problem-not-pending-review = Dieser Eintrag wartet nicht auf eine Prüfung.

v-limit = Bitte wählen Sie eine Seitengröße zwischen 1 und 100.
v-cursor = Dieser Seitenlink ist nicht mehr gültig. Bitte beginnen Sie wieder auf der ersten Seite.
v-suspend-reason = Bitte geben Sie eine Begründung mit 3 bis 500 Zeichen an.
problem-listing-has-cases = Bewohnerinnen und Bewohner haben zu diesem Eintrag Anträge oder Meldungen eingereicht oder seine Angebote gebucht, daher kann er nicht gelöscht werden: Ihre Vorgänge und Buchungen würden mit gelöscht. Nehmen Sie ihn stattdessen offline; er verschwindet aus den öffentlichen Seiten und der Suche, die Vorgänge und Buchungen bleiben.
problem-listing-served-by-module = Ein Modul der Stadt bedient diesen Eintrag, daher kann er nicht gelöscht werden. Entfernen Sie zuerst den Dienst aus dem Manifest des Moduls (oder das Modul), oder nehmen Sie den Eintrag offline.
