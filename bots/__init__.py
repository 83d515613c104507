"""Content bots for the Great Multiverse Wiki.

Layering: ``bots.core`` is pure (no network, no pywikibot), ``bots.site`` alone talks to the wiki,
and every other module of this package is one thin bot with a ``main(*args) -> int`` entry point.
"""
