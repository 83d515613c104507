"""Dates in wikitext: the scanner, surface forms, masks, O.S./N.S. pairs, calendars, the infobox
convention. Pure."""
