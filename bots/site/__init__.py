"""The site layer: the only code that imports pywikibot or talks to the wiki.

The package itself imports nothing, so that a module of it that needs no pywikibot (the HTTP guard)
can be imported without reading user-config.py; the connection is `bots.site.connection`.
"""
