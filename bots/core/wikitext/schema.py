"""Template schemas from TemplateData: the one schema that generation and validation both read.

A template page carries its schema as `<templatedata>{json}</templatedata>` (the TemplateData
extension's format). We read it from the files in templates/pages/ or from a live page's text.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ParamSpec", "TemplateSchema", "SchemaError", "parse_templatedata", "load_schemas"]

_BLOCK = re.compile(r"<templatedata>(.*?)</templatedata>", re.S | re.I)


class SchemaError(ValueError):
    pass


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: str = "unknown"          # TemplateData types: string, line, number, date, wiki-page-name, ...
    required: bool = False
    suggested: bool = False
    deprecated: str | bool = False   # TemplateData gives a reason string, or true
    aliases: tuple[str, ...] = ()
    label: str = ""
    description: str = ""


@dataclass(frozen=True)
class TemplateSchema:
    name: str                                   # without "Template:"
    params: dict[str, ParamSpec]
    order: tuple[str, ...]                      # paramOrder, else declaration order
    description: str = ""
    aliases: dict[str, str] = field(default_factory=dict)    # alias -> canonical name

    def canonical(self, name: str) -> str | None:
        """The declared name of a parameter given as `name` (aliases resolved), or None if unknown."""
        name = name.strip()
        if name in self.params:
            return name
        return self.aliases.get(name)

    @property
    def required(self) -> list[str]:
        return [n for n in self.order if self.params[n].required]


def parse_templatedata(name: str, page_text: str) -> TemplateSchema:
    """The schema in a template page's `<templatedata>` block; SchemaError says what is wrong."""
    m = _BLOCK.search(page_text)
    if not m:
        raise SchemaError(f"Template:{name} has no <templatedata> block")
    try:
        data = json.loads(m.group(1))
    except json.JSONDecodeError as exc:
        raise SchemaError(f"Template:{name}: TemplateData is not valid JSON: {exc}") from None
    raw_params = data.get("params")
    if not isinstance(raw_params, dict):
        raise SchemaError(f"Template:{name}: TemplateData has no 'params' object")
    params, aliases = {}, {}
    for pname, spec in raw_params.items():
        spec = spec or {}
        params[pname] = ParamSpec(
            name=pname, type=spec.get("type", "unknown"), required=bool(spec.get("required")),
            suggested=bool(spec.get("suggested")), deprecated=spec.get("deprecated", False),
            aliases=tuple(spec.get("aliases", ())), label=_text(spec.get("label")),
            description=_text(spec.get("description")))
        for alias in spec.get("aliases", ()):
            aliases[alias] = pname
    order = tuple(data.get("paramOrder") or params)
    if set(order) != set(params):
        raise SchemaError(f"Template:{name}: paramOrder must list every parameter exactly once")
    return TemplateSchema(name, params, order, _text(data.get("description")), aliases)


def _text(value) -> str:
    """TemplateData strings may be {lang: text} maps."""
    if isinstance(value, dict):
        return value.get("en") or next(iter(value.values()), "")
    return value or ""


def load_schemas(folder: Path | None = None) -> dict[str, TemplateSchema]:
    """Schemas of every template file with TemplateData under templates/pages/Template."""
    from bots.core.wikitext.template_pages import TEMPLATE_PAGES
    from bots.core.wikitext.titles import filename_to_title

    folder = folder or TEMPLATE_PAGES / "Template"
    out = {}
    for path in sorted(folder.glob("*.wikitext")):
        text = path.read_text(encoding="utf-8")
        if "<templatedata>" in text.lower():
            name = filename_to_title(path.name)
            out[name] = parse_templatedata(name, text)
    return out
