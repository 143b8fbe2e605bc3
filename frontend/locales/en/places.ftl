# The places texts (see ../README.md).

near-label = Near (a street, an address or a district)
near-use-location = Use my location
near-location-failed = Your location is not available. Type a street, an address or a district instead.
near-understood = Near { $place }
near-understood-location = Near your location
near-unknown = No street, address or district called “{ $place }” was found, so the results are not sorted by distance. Check the spelling or try a nearby street.
near-needed = Sorting by distance needs a place: type a street, an address or a district under “Near”, or use your location.

address-search-label = Find the address
address-search-hint = Type the street and house number; the portal looks it up among the city's addresses and fills in the street, the district and the coordinates.
address-search-button = Look up
address-found = Found: { $place }. Street, district and coordinates are filled in; save to keep them.
address-choose = Several places match. Choose one:
address-coordinates = Coordinates (advanced)
