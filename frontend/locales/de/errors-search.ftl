## Errors of search: problem-<code> (what a page shows), problem-title-<code> (a page title),
## and field messages. The English .detail attribute is the API's problem detail
## (and .api a field message in the API) where it is worded differently.

v-search-q-max = Bitte höchstens { $max } Zeichen.
v-search-near = Geben Sie einen Ort als Breitengrad,Längengrad an.
v-search-between = Bitte eine Zahl von { $min } bis { $max }.
v-search-radius-needs-near = Ein Umkreis braucht einen Ort.
v-search-distance-needs-near = Die Sortierung nach Entfernung braucht einen Ort.
v-search-sort-unknown = Sortieren Sie nach Relevanz, Entfernung oder Name.
v-search-locale = Die Sprache „{ $locale }“ gibt es nicht; wählen Sie Deutsch oder Englisch.
v-search-suggest-q = Geben Sie { $min } bis { $max } Zeichen ein.

problem-unavailable-search = Die Suche ist gerade nicht verfügbar. Bitte versuchen Sie es gleich noch einmal.
