"""The pure core: wikitext model, dates and calendars, generation, rules.

Nothing under this package may import pywikibot or touch the network (a test enforces it).
"""
