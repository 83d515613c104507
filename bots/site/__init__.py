"""The site layer: the only code that imports pywikibot or talks to the wiki.

The package itself imports nothing, so that a module of it that needs no pywikibot (the HTTP guard)
can be imported without reading user-config.py; the connection is `bots.site.connection`. It only
names the project's root as pywikibot's folder (PYWIKIBOT_DIR) before any module imports pywikibot:
pywikibot reads `user-config.py` from there at import, so `python -m bots.NAME` works from any
directory, as cron runs it (bots.cli imports this package for the entry points).
"""
import os
from pathlib import Path

os.environ.setdefault("PYWIKIBOT_DIR", str(Path(__file__).resolve().parents[2]))
