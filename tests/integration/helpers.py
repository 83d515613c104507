"""Small helpers for the integration tests: read pages and history, edit as a person would."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

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


def publish_folder(wiki, folder: Path, pages: dict[str, str]) -> dict:
    """Write `pages` (title -> text) as a folder of .wikitext files and publish it (-force): the
    publish's JSON document; no page may fail."""
    for title, text in pages.items():
        (folder / f"{title.replace(' ', '_')}.wikitext").write_text(text, encoding="utf-8")
    res = wiki.bot("publish", f"-source:{folder}", "-force", "-format:json")
    doc = json.loads(res.stdout)
    assert doc["counts"]["failed"] == 0, (doc["failed"], res.stderr[-2000:])
    return doc


def existing(wiki, titles: list[str]) -> set[str]:
    found = set()
    for i in range(0, len(titles), 50):
        data = api(wiki, action="query", titles="|".join(titles[i:i + 50]))
        found.update(p["title"] for p in data["query"]["pages"] if not p.get("missing"))
    return found


class Person:
    """A person on the wiki (the Admin account), through the API: edits, moves and deletions as an
    editor makes them, fast enough for randomised tests (a maintenance script costs ~0.4 s a call)."""

    def __init__(self, wiki, user: str = "Admin") -> None:
        self.wiki, self.user = wiki, user
        self.http = requests.Session()
        token = self._get(action="query", meta="tokens", type="login")["query"]["tokens"]["logintoken"]
        password = (wiki.dir / "admin-password").read_text().strip()
        res = self._post(action="clientlogin", username=user, password=password, logintoken=token,
                         loginreturnurl=f"http://127.0.0.1:{wiki.port}/")
        if res.get("clientlogin", {}).get("status") != "PASS":
            raise RuntimeError(f"cannot log in as {user}: {res}")
        self.csrf = self._get(action="query", meta="tokens")["query"]["tokens"]["csrftoken"]

    def _get(self, **params) -> dict:
        r = self.http.get(self.wiki.api, params={"format": "json", "formatversion": "2", **params}, timeout=60)
        r.raise_for_status()
        return r.json()

    def _post(self, **params) -> dict:
        r = self.http.post(self.wiki.api, data={"format": "json", "formatversion": "2", **params}, timeout=120)
        r.raise_for_status()
        data = r.json()
        if "error" in data:
            raise RuntimeError(f"{params.get('action')}: {data['error']}")
        return data

    def edit(self, title: str, text: str, summary: str = "a person's edit") -> dict:
        return self._post(action="edit", title=title, text=text, summary=summary, token=self.csrf)["edit"]

    def move(self, old: str, new: str, redirect: bool = True) -> None:
        params = {"action": "move", "from": old, "to": new, "reason": "a person moved it", "token": self.csrf}
        if not redirect:
            params["noredirect"] = 1
        self._post(**params)

    def delete(self, title: str, reason: str = "a person deleted it") -> None:
        self._post(action="delete", title=title, reason=reason, token=self.csrf)


def bot_revisions_in_a_row_with_the_same_text(wiki, title: str, bot: str = "MultiverseBot") -> list[int]:
    """Revision ids where the bot saved the same content twice in a row (import null revisions aside)."""
    data = api(wiki, action="query", prop="revisions", titles=title, rvprop="ids|user|sha1|comment",
               rvlimit="max", rvdir="newer")
    revs = [r for r in data["query"]["pages"][0].get("revisions", [])
            if not _IMPORT_MARKER.match(r.get("comment", ""))]
    return [b["revid"] for a, b in zip(revs, revs[1:])
            if a.get("user") == b.get("user") == bot and a.get("sha1") == b.get("sha1")]
