"""Small helpers for the integration tests: read pages and history, edit as a person would."""
from __future__ import annotations

import re
import subprocess

import requests


def api(wiki, **params) -> dict:
    params.setdefault("format", "json")
    params.setdefault("formatversion", "2")
    r = requests.get(wiki.api, params=params, timeout=60)
    r.raise_for_status()
    return r.json()


def page_text(wiki, title: str) -> str | None:
    data = api(wiki, action="query", prop="revisions", titles=title, rvprop="content", rvslots="main")
    page = data["query"]["pages"][0]
    if page.get("missing"):
        return None
    return page["revisions"][0]["slots"]["main"]["content"]


def history(wiki, title: str) -> list[dict]:
    data = api(wiki, action="query", prop="revisions", titles=title, rvprop="ids|user|comment", rvlimit="max")
    return data["query"]["pages"][0].get("revisions", [])


_IMPORT_MARKER = re.compile(r"^\d+ revisions? imported\b")


def content_edits(wiki, title: str) -> list[dict]:
    """The page's history without the null revisions MediaWiki adds to log an import (same content,
    comment "1 revision imported: ..."): what counts when we say no page was edited twice."""
    return [r for r in history(wiki, title) if not _IMPORT_MARKER.match(r.get("comment", ""))]


def human_edit(wiki, title: str, text: str, user: str = "Admin", summary: str = "a person's edit") -> None:
    """An edit by someone else than the bot, through MediaWiki's own maintenance script."""
    subprocess.run(["php", "/usr/share/mediawiki/maintenance/edit.php", "--user", user, "--summary", summary,
                    title], input=text, text=True, check=True, capture_output=True,
                   env={**wiki.env, "MW_CONFIG_FILE": str(wiki.dir / "LocalSettings.php")})


def existing(wiki, titles: list[str]) -> set[str]:
    found = set()
    for i in range(0, len(titles), 50):
        data = api(wiki, action="query", titles="|".join(titles[i:i + 50]))
        found.update(p["title"] for p in data["query"]["pages"] if not p.get("missing"))
    return found
