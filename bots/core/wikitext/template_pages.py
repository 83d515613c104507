"""The wiki pages the project installs, as files: `templates/pages/<Namespace>/<Title>.wikitext`.

The folder gives the namespace (`Main` for articles), the file name the rest of the title, with
underscores for spaces and `%2F` for `/` (see bots.core.wikitext.titles.filename_to_title).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from bots.core.sources import SourceError, SourcePage
from bots.core.wikitext.titles import InvalidTitle, filename_to_title, validate_title

__all__ = ["TEMPLATE_PAGES", "iter_page_files"]

TEMPLATE_PAGES = Path(__file__).resolve().parents[3] / "templates" / "pages"


def iter_page_files(root: Path = TEMPLATE_PAGES) -> Iterator[SourcePage | SourceError]:
    """Every page file under `root`, sorted; a bad file becomes a SourceError naming its path."""
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix != ".wikitext":
            yield SourceError(str(path), "not a page file: the name must end in .wikitext")
            continue
        ns = path.parent.name if path.parent != root else "Main"
        name = filename_to_title(path.name)
        raw = name if ns == "Main" else f"{ns}:{name}"
        try:
            title = validate_title(raw)
        except InvalidTitle as exc:
            yield SourceError(str(path), f"not a valid page title {raw!r}: {exc}")
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            yield SourceError(str(path), f"not UTF-8 (byte {exc.start}): {exc.reason}", title)
            continue
        yield SourcePage(title=title, text=text, origin=str(path))
