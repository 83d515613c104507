"""Fast writes to the wiki (site layer): one API request per edit, and the import API for first loads.

pywikibot's Page.save costs about five requests per page; an `action=edit` through pywikibot's own
Request (login, tokens, maxlag, retries and throttle still pywikibot's) costs one. For many new pages
at once, `action=import` of an XML export is the fastest path MediaWiki offers short of a shell.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

import pywikibot
from pywikibot.data import api
from pywikibot.exceptions import APIError

from bots.core.publishplan import Current
from bots.core.xmlexport import ExportPage, export_bytes

__all__ = ["Saved", "EditConflict", "PageExists", "read_current", "edit_page", "import_pages",
           "latest_revisions", "may_import"]

_EXCLUSION_HINT = ("{{bots", "{{nobots", "{{ bots", "{{ nobots", "{{Bots", "{{Nobots", "{{ Bots", "{{ Nobots",
                   "{{template:bots", "{{Template:Bots", "{{Template:Nobots", "{{template:nobots")


@dataclass(frozen=True)
class Saved:
    title: str
    revid: int
    timestamp: str
    nochange: bool = False


class EditConflict(RuntimeError):
    """Someone saved the page between our read and our write."""


class PageExists(EditConflict):
    """The page was created between our read and our write."""


def read_current(site: pywikibot.site.APISite, titles: Iterable[str], groupsize: int = 50) -> dict[str, Current]:
    """The current text, revision and last editor of each title, 50 per request."""
    pages = [pywikibot.Page(site, t) for t in titles]
    out: dict[str, Current] = {}
    for page in site.preloadpages(pages, groupsize=groupsize):
        title = page.title()
        if not page.exists():
            out[title] = Current(None)
            continue
        rev = page.latest_revision
        text = page.text
        # botMayEdit parses every template: only pages that mention {{bots}} need it.
        allowed = page.botMayEdit() if any(h in text for h in _EXCLUSION_HINT) else True
        out[title] = Current(text, rev.revid, rev.timestamp.isoformat(), rev.user, allowed)
    for page in pages:          # preloadpages leaves out titles it could not resolve
        out.setdefault(page.title(), Current(None))
    return out


def edit_page(site: pywikibot.site.APISite, title: str, text: str, summary: str, *,
              create: bool, basetimestamp: str | None = None, baserevid: int | None = None,
              minor: bool = False, bot: bool = True) -> Saved:
    """One `action=edit`; raises EditConflict/PageExists instead of overwriting a concurrent edit."""
    params = {"action": "edit", "title": title, "text": text, "summary": summary, "md5": hashlib.md5(text.encode("utf-8")).hexdigest(),
              "minor" if minor else "notminor": True}
    if bot:
        params["bot"] = True
    if create:
        params["createonly"] = True
    else:
        params["nocreate"] = True
        # Timestamps have one-second resolution: the base revision id catches a save in the same second.
        if basetimestamp:
            params["basetimestamp"] = basetimestamp
        if baserevid:
            params["baserevid"] = baserevid
    try:
        result = _submit_with_token(site, params)["edit"]
    except APIError as exc:
        if exc.code == "articleexists":
            raise PageExists(f"{title}: created by someone else during the run") from None
        if exc.code in ("editconflict", "missingtitle", "pagedeleted"):
            raise EditConflict(f"{title}: changed by someone else during the run ({exc.code})") from None
        raise
    if result.get("result") != "Success":
        raise APIError(result.get("result", "unknown"), str(result))
    if "nochange" in result:
        return Saved(title, int(result.get("newrevid") or 0), result.get("newtimestamp", ""), nochange=True)
    if baserevid and result.get("oldrevid") not in (None, 0, baserevid):
        # Someone saved in the same second as our base revision: MediaWiki compares timestamps to the
        # second and let our edit through on top of theirs. Undo ours so theirs is current again.
        _undo(site, title, int(result["newrevid"]), int(result["oldrevid"]))
        raise EditConflict(f"{title}: changed by someone else during the run (revision "
                           f"{result['oldrevid']}); our edit was undone")
    return Saved(title, int(result["newrevid"]), result["newtimestamp"])


def _undo(site: pywikibot.site.APISite, title: str, revid: int, after: int) -> None:
    _submit_with_token(site, {"action": "edit", "title": title, "undo": revid, "undoafter": after, "bot": True,
                              "nocreate": True, "summary": "Undo the bot's edit: it crossed someone else's save"})


def _submit_with_token(site: pywikibot.site.APISite, params: dict, mime: dict | None = None) -> dict:
    """Submit a write; a token that went stale (the wiki restarted and lost its sessions, pywikibot
    logged in again) is fetched anew once."""
    for attempt in (1, 2):
        params["token"] = site.tokens["csrf"]
        req = api.Request(site=site, parameters=dict(params), mime=mime) if mime else site.simple_request(**params)
        try:
            return req.submit()
        except APIError as exc:
            if exc.code != "badtoken" or attempt == 2:
                raise
            site.tokens.clear()
    raise AssertionError("unreachable")


def may_import(site: pywikibot.site.APISite) -> bool:
    return site.has_right("importupload")


def import_pages(site: pywikibot.site.APISite, pages: list[ExportPage], summary: str) -> set[str]:
    """Upload the pages as one XML export (`action=import`); returns the titles MediaWiki imported."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    user = site.username()
    data = export_bytes([ExportPage(p.title, p.text, p.namespace, timestamp=p.timestamp or stamp,
                                    comment=summary, username=user) for p in pages])
    result = _submit_with_token(site, {"action": "import", "interwikiprefix": "gmw-bots", "summary": summary,
                                       "assignknownusers": True},
                                mime={"xml": (data, ("text", "xml"), {"filename": "pages.xml"})})
    return {item["title"] for item in result.get("import", []) if item.get("revisions", 0) >= 1}


def latest_revisions(site: pywikibot.site.APISite, titles: list[str]) -> dict[str, tuple[int, str, str]]:
    """title -> (revid, timestamp, user) of the current revision, 50 titles per request."""
    out = {}
    for i in range(0, len(titles), 50):
        req = site.simple_request(action="query", prop="revisions", rvprop="ids|timestamp|user",
                                  titles="|".join(titles[i:i + 50]), formatversion=2)
        for page in req.submit()["query"]["pages"]:
            revs = page.get("revisions")
            if revs:
                out[page["title"]] = (revs[0]["revid"], revs[0]["timestamp"], revs[0].get("user", ""))
    return out
