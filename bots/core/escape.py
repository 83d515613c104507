"""Escaping data values for template parameters: no value can break a template call or add markup.

A value is written with HTML character references for every character that wikitext would read as
markup in a parameter value (`|`, `{`, `}`, `[`, `]`, `<`, `>`, `=`, newlines, runs of `'`, `~`, `_`,
`&` starting an entity, leading and trailing spaces). MediaWiki renders the references as the
characters themselves, and `unescape_value` gives back the exact value, so generate → harvest is
lossless. Plain values ("7 November 1389", "O'Brien", "Petrograd") are written unchanged.
"""
from __future__ import annotations

import html
import re

__all__ = ["escape_value", "unescape_value", "needs_escape"]

# One pattern for everything that is markup in a parameter value; each match becomes references.
_MARKUP = re.compile(
    r"[|{}\[\]<>=\n\r\t~]"          # template/link/tag syntax, signatures, line structure
    r"|'{2,}"                       # bold / italic
    r"|_{2,}"                       # __MAGIC_WORDS__
    r"|&(?=[#A-Za-z])"              # something that would read as a character reference
    r"|^\s+|\s+$"                   # MediaWiki strips parameter values
    r"|(?:ISBN|RFC|PMID)(?=\s)"     # magic links
    r"|(?i:https?|ftp|mailto|//)(?=:|/)",   # free external links
)


def _refs(match: re.Match[str]) -> str:
    return "".join(f"&#{ord(c)};" for c in match.group(0))


def needs_escape(value: str) -> bool:
    return _MARKUP.search(value) is not None


def escape_value(value: str) -> str:
    return _MARKUP.sub(_refs, value)


_REF = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def unescape_value(value: str) -> str:
    """The value a reader sees: character references decoded (only complete ones, with `;`)."""
    return _REF.sub(lambda m: html.unescape(m.group(0)), value)
