# The places texts (see ../README.md).

near-label = In der Nähe von (Straße, Adresse oder Stadtteil)
near-use-location = Meinen Standort verwenden
near-location-failed = Ihr Standort ist nicht verfügbar. Geben Sie stattdessen eine Straße, eine Adresse oder einen Stadtteil ein.
near-understood = In der Nähe von { $place }
near-understood-location = In der Nähe Ihres Standorts
near-unknown = Keine Straße, Adresse und kein Stadtteil namens „{ $place }“ gefunden, daher sind die Ergebnisse nicht nach Entfernung sortiert. Prüfen Sie die Schreibweise oder versuchen Sie eine Straße in der Nähe.
near-needed = Für die Sortierung nach Entfernung braucht es einen Ort: Geben Sie unter „In der Nähe von“ eine Straße, eine Adresse oder einen Stadtteil ein, oder verwenden Sie Ihren Standort.

address-search-label = Adresse suchen
address-search-hint = Geben Sie Straße und Hausnummer ein; das Portal sucht sie unter den Adressen der Stadt und trägt Straße, Stadtteil und Koordinaten ein.
address-search-button = Suchen
address-found = Gefunden: { $place }. Straße, Stadtteil und Koordinaten sind eingetragen; speichern Sie, um sie zu übernehmen.
address-choose = Mehrere Orte passen. Wählen Sie einen:
address-coordinates = Koordinaten (für Fortgeschrittene)
