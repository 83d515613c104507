"""Category pages for what the bots publish: a new universe or topic gets its category page at once.

Pure. `used_categories` reads the categories a page puts itself in (its category links, and the
universe category `{{Universe|NAME}}` adds), with a linear scan rather than a parse: it runs over
every page a bulk publish wrote. `category_page` is the text of a missing one, from the skeletons in
templates/skeletons/: a universe's (shaped like `Earth-…` or declared by a page) or a topic's.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from bots.core.wikitext.escape import escape_value
from bots.core.wikitext.titles import InvalidTitle, validate_title
from bots.core.wikitext.universe import UNIVERSE_TEMPLATE, is_universe_name

__all__ = ["SKELETONS", "used_categories", "category_page"]

SKELETONS = Path(__file__).resolve().parents[3] / "templates" / "skeletons"
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_NOWIKI = re.compile(r"<nowiki\s*>.*?</nowiki\s*>", re.S | re.I)
_CATEGORY = re.compile(r"\[\[\s*[Cc]ategory\s*:\s*([^\[\]|\n{}<>]+)")
_UNIVERSE = re.compile(r"\{\{\s*(?:[Tt]emplate\s*:\s*)?[Uu]" + re.escape(UNIVERSE_TEMPLATE[1:]) +
                       r"\s*\|\s*(?:1\s*=\s*)?([^{}|\n]+?)\s*\}\}")


def _name(raw: str) -> str | None:
    try:
        return validate_title(f"Category:{raw.strip()}").partition(":")[2]
    except InvalidTitle:
        return None


def used_categories(texts: Iterable[str]) -> dict[str, str]:
    """Category name -> "universe" or "topic", for the categories these pages put themselves in."""
    out: dict[str, str] = {}
    for text in texts:
        text = _NOWIKI.sub("", _COMMENT.sub("", text)) if "<" in text else text
        for m in _UNIVERSE.finditer(text):
            name = _name(m.group(1))
            if name:
                out[name] = "universe"
        for m in _CATEGORY.finditer(text):
            name = _name(m.group(1))
            if name:
                out.setdefault(name, "universe" if is_universe_name(name) else "topic")
    return out


def category_page(name: str, kind: str, skeletons: Path = SKELETONS) -> str:
    """The text of a new category page for `name` (a universe's or a topic's)."""
    skeleton = (skeletons / f"{kind}-category.wikitext").read_text(encoding="utf-8")
    return skeleton.replace("$NAME", escape_value(name))
