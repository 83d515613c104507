"""A faster tree build in mwparserfromhell: its `parse_anything` imports four names on every call.

The parser's Builder makes every Template parameter, link and heading through their setters, and
each setter calls `parse_anything` on a value that is already a Wikicode. That function starts with
four function-level imports (about 1 µs each through importlib) before it looks at its argument:
on the benchmark's pages a third of `mwparserfromhell.parse`'s time (186 against 123 µs a page,
0.7.2, the latest release). `install` binds, in each module that imported it, a function that
returns a Wikicode as it is and hands anything else to the original, so the trees are the same.
"""
from __future__ import annotations

import importlib
from typing import Any

from mwparserfromhell import utils
from mwparserfromhell.wikicode import Wikicode

__all__ = ["install", "parse_anything"]

_ORIGINAL = utils.parse_anything
# The modules that bind parse_anything at import (mwparserfromhell 0.6-0.7).
_USERS = ("wikicode", "nodes.argument", "nodes.extras.attribute", "nodes.extras.parameter", "nodes.external_link",
          "nodes.heading", "nodes.tag", "nodes.wikilink", "nodes.template")


def parse_anything(value: Any, context: int = 0, *, skip_style_tags: bool = False) -> Wikicode:
    if isinstance(value, Wikicode):      # the original's own first answer, without its imports
        return value
    return _ORIGINAL(value, context, skip_style_tags=skip_style_tags)


def install() -> list[str]:
    """Bind the fast path where the original is bound; the modules changed (none if a release
    renamed or moved it: the parser then works as it came)."""
    done = []
    for name in _USERS:
        try:
            module = importlib.import_module(f"mwparserfromhell.{name}")
        except ImportError:
            continue
        if getattr(module, "parse_anything", None) is _ORIGINAL:
            module.parse_anything = parse_anything
            done.append(name)
    return done
