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

from bots.core.publish.plan import Current, redirect_target
from bots.core.sources.xmlexport import ExportPage, export_bytes

__all__ = ["Saved", "EditConflict", "PageExists", "read_current", "edit_page", "import_pages",
           "latest_revisions", "titles_of_pageids", "last_log_event", "Revision", "canonical",
           "revision"]

_EXCLUSION_HINT = ("{{bots", "{{nobots", "{{ bots", "{{ nobots", "{{Bots", "{{Nobots", "{{ Bots", "{{ Nobots",
                   "{{template:bots", "{{Template:Bots", "{{Template:Nobots", "{{template:nobots")


@dataclass(frozen=True)
class Saved:
    title: str
    revid: int
    timestamp: str
    nochange: bool = False
    pageid: int | None = None
    # Our edit sits on another revision than the one we based it on (`parent`): MediaWiki merged ours
    # into an edit made since (its own diff3), or, racing, saved ours over it (MediaWiki 1.39 checks
    # for a conflict before it takes its lock). The caller checks which, and never leaves it lost.
    merged: bool = False
    parent: int | None = None


@dataclass(frozen=True)
class Revision:
    revid: int
    timestamp: str
    user: str
    sha1: str = ""
    pageid: int | None = None


class EditConflict(RuntimeError):
    """Someone saved the page between our read and our write."""


class PageExists(EditConflict):
    """The page was created between our read and our write."""


def canonical(site: pywikibot.site.APISite, title: str) -> str:
    """The title as the wiki writes it ("Project:X" is "Great Multiverse Wiki:X" here); no request."""
    return pywikibot.Page(site, title).title()


def read_current(site: pywikibot.site.APISite, titles: Iterable[str], groupsize: int = 50) -> dict[str, Current]:
    """The current text, revision and last editor of each title, 50 per request, through the one
    batched reader (bots.site.read.read_texts); keyed by the titles as asked for (the wiki answers
    with its own spelling of a namespace). A title that is no page is Current(None)."""
    from bots.site.read import read_texts

    asked: dict[str, list[str]] = {}
    for t in titles:
        asked.setdefault(canonical(site, t), []).append(t)
    out: dict[str, Current] = {}
    for page in read_texts(site, list(asked), groupsize):
        text = page.text
        # botMayEdit asks the wiki for the page's templates: only pages that mention {{bots}} need it.
        allowed = True
        if any(h in text for h in _EXCLUSION_HINT):
            wiki_page = pywikibot.Page(site, page.title)
            wiki_page.text = text
            allowed = wiki_page.botMayEdit()
        current = Current(text, page.revid, page.timestamp, page.user, allowed, page.pageid, redirect_target(text))
        for name in asked.get(page.title, [page.title]):
            out[name] = current
    for names in asked.values():          # titles that are no page (missing, or invalid)
        for name in names:
            out.setdefault(name, Current(None))
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
        # The base revision id alone: MediaWiki then detects any edit made since by revision id. With
        # basetimestamp too, it takes an edit by someone else in the same second as the base for
        # none of theirs (EditPage's userWasLastToEdit compares timestamps with ">"), and saves over it.
        if baserevid:
            params["baserevid"] = baserevid
        elif basetimestamp:
            params["basetimestamp"] = basetimestamp
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
    pageid = int(result["pageid"]) if result.get("pageid") else None
    if "nochange" in result:
        return Saved(title, int(result.get("newrevid") or 0), result.get("newtimestamp", ""), nochange=True,
                     pageid=pageid)
    # With baserevid, MediaWiki detects an edit made since by revision id; when its own three-way
    # merge of the two succeeds it saves the merged text without an error. That text keeps the
    # other person's edit: the caller re-plans on it (never undoes it).
    merged = bool(baserevid) and result.get("oldrevid") not in (None, 0, baserevid)
    return Saved(title, int(result["newrevid"]), result["newtimestamp"], pageid=pageid, merged=merged,
                 parent=int(result["oldrevid"]) if merged else None)


def revision(site: pywikibot.site.APISite, revid: int) -> tuple[str, str] | None:
    """(text, user) of one revision, or None when it cannot be read (deleted, hidden)."""
    req = site.simple_request(action="query", prop="revisions", revids=revid, rvprop="content|user",
                              rvslots="main", formatversion=2)
    for page in req.submit()["query"].get("pages", []):
        for rev in page.get("revisions", []):
            text = rev.get("slots", {}).get("main", {}).get("content")
            if text is not None:
                return text, rev.get("user", "someone")
    return None


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


def import_pages(site: pywikibot.site.APISite, pages: list[ExportPage], summary: str) -> set[str]:
    """Upload the pages as one XML export (`action=import`); returns the titles MediaWiki imported."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    user = site.username()
    data = export_bytes([ExportPage(p.title, p.text, p.namespace, timestamp=p.timestamp or stamp,
                                    comment=summary, username=user) for p in pages])
    result = _submit_with_token(site, {"action": "import", "interwikiprefix": "gmw-bots", "summary": summary,
                                       "assignknownusers": True},
                                mime={"xml": (data, ("text", "xml"), {"filename": "pages.xml"})})
    done = {item["title"] for item in result.get("import", []) if item.get("revisions", 0) >= 1}
    return {p.title for p in pages if canonical(site, p.title) in done}


def latest_revisions(site: pywikibot.site.APISite, titles: list[str]) -> dict[str, Revision]:
    """title (as asked for) -> the current revision (id, time, user, content sha1, page id), 50 titles
    per request."""
    out = {}
    for i in range(0, len(titles), 50):
        chunk = titles[i:i + 50]
        asked = {canonical(site, t): t for t in chunk}
        req = site.simple_request(action="query", prop="revisions", rvprop="ids|timestamp|user|sha1",
                                  titles="|".join(chunk), formatversion=2)
        for page in req.submit()["query"]["pages"]:
            revs = page.get("revisions")
            if revs:
                rev = revs[0]
                out[asked.get(page["title"], page["title"])] = Revision(
                    rev["revid"], rev["timestamp"], rev.get("user", ""), rev.get("sha1", ""), page.get("pageid"))
    return out


def titles_of_pageids(site: pywikibot.site.APISite, pageids: list[int]) -> dict[int, str]:
    """page id -> its title now, for the ids that still exist (a moved page keeps its id)."""
    out = {}
    for i in range(0, len(pageids), 50):
        req = site.simple_request(action="query", pageids="|".join(map(str, pageids[i:i + 50])),
                                  formatversion=2)
        for page in req.submit()["query"]["pages"]:
            if not page.get("missing") and "title" in page:
                out[int(page["pageid"])] = page["title"]
    return out


def last_log_event(site: pywikibot.site.APISite, title: str, types: tuple[str, ...] = ("move", "delete")) -> dict | None:
    """The newest move or deletion logged for `title`: {type, action, user, timestamp, comment, target}."""
    req = site.simple_request(action="query", list="logevents", letitle=title, lelimit=10,
                              leprop="type|user|timestamp|comment|details", formatversion=2)
    for event in req.submit()["query"]["logevents"]:
        if event.get("type") in types:
            params = event.get("params") or {}
            return {"type": event["type"], "action": event.get("action"), "user": event.get("user", "someone"),
                    "timestamp": event.get("timestamp", ""), "comment": event.get("comment", ""),
                    "target": params.get("target_title")}
    return None


def file_state(site: pywikibot.site.APISite, name: str) -> tuple[str, str] | None:
    """(sha1, user) of the latest version of File:name, None when there is no such file."""
    data = site.simple_request(action="query", prop="imageinfo", iiprop="sha1|user",
                               titles=f"File:{name}").submit()
    for page in (data.get("query", {}).get("pages") or {}).values():
        info = page.get("imageinfo") or []
        if info:
            return info[0].get("sha1", ""), info[0].get("user", "")
    return None


def upload_file(site: pywikibot.site.APISite, name: str, data: bytes, summary: str, text: str) -> None:
    """One `action=upload` of `data` as File:name (a new version where it exists)."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="gmw-upload-") as tmp:
        path = Path(tmp) / name.replace("/", "_")
        path.write_bytes(data)
        page = pywikibot.FilePage(site, f"File:{name}")
        # pywikibot keeps siteinfo in its API cache, per family, not per port: a local wiki seen before
        # uploads were enabled would be taken for one without them.
        site.siteinfo.clear()
        site.siteinfo.get("general", expiry=0)
        ok = site.upload(page, source_filename=str(path), summary=summary, text=text, ignore_warnings=True,
                         report_success=False)
        if not ok:
            raise RuntimeError(f"the wiki did not take the upload of File:{name}")
