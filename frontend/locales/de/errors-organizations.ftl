## Errors of organizations: problem-<code> (what a page shows), problem-title-<code> (a page title),
## and field messages. The English .detail attribute is the API's problem detail
## (and .api a field message in the API) where it is worded differently.

problem-forbidden-owners-add-members = Nur Inhaberinnen und Inhaber einer Organisation können Mitglieder hinzufügen.
problem-forbidden-owners-remove-members = Nur Inhaberinnen und Inhaber einer Organisation können andere Mitglieder entfernen.
problem-forbidden-admins-create-departments = Ämter und Modulbetreiber legt nur die Stadtverwaltung an.
problem-already-member = Dieses Konto ist bereits Mitglied.
problem-last-owner = Eine Organisation braucht mindestens eine Inhaberin oder einen Inhaber. Machen Sie zuerst ein anderes Mitglied zur Inhaberin oder zum Inhaber.
