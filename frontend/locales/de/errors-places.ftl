## Fehler der Orte (siehe ../README.md): Feldmeldungen und problem-<code>.

v-place-text = Geben Sie eine Adresse, eine Straße oder einen Stadtteil ein (höchstens { $max } Zeichen).
v-place-unknown = Keine Straße, Adresse und kein Stadtteil namens „{ $place }“ gefunden.

problem-unavailable-places = Orte können gerade nicht gesucht werden. Bitte versuchen Sie es gleich noch einmal.
