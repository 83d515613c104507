"""Universe timelines (pure): the harvest's dated facts -> entries in N.S. order, grouped, split, with
the points of divergence from Earth-Prime, rendered as a generator-owned region of a wiki page.

entries: records -> Entry; grouping: entries -> groups -> parts; divergence: counterparts in Earth-Prime;
render: the page's wikitext (every data value escaped); guard: a run that would drop a timeline's pages.
"""
