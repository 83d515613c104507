"""The connection: the one module that builds the pywikibot Site, logs in, and guards writes.

Every other module reaches the wiki through here. pywikibot reads `user-config.py` from the project's
root (PYWIKIBOT_DIR, named by the bots.site package), so `python -m bots.NAME` works from any directory.
"""
from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pywikibot
from pywikibot import config
from pywikibot.comms import http
from pywikibot.exceptions import FatalServerError

from bots.core.publish.workers import WorkerChoice, edit_workers, lag_pause
from bots.core.writeguard import (WriteRefused, check_write_target, is_local_url,
                                  parse_allowed_hosts)
from bots.site.httpguard import RequestRefused, guard_session

ROOT = Path(__file__).resolve().parents[2]

__all__ = ["ROOT", "WriteRefused", "open_site", "api_url", "guard_writes", "configured_api_url", "is_local",
           "state_dir", "quiet_tracebacks", "default_workers", "lagged_within", "WikiFacts", "wiki_facts"]


def api_url(site: pywikibot.site.APISite) -> str:
    return site.protocol() + "://" + site.hostname() + site.apipath()


def configured_api_url() -> str:
    """The API URL user-config.py names, read without building the Site (which would contact it)."""
    url = config.family_files.get(config.family)
    if url:
        return url
    fam = pywikibot.family.Family.load(config.family)   # a built-in family: no request needed
    return f"{fam.protocol(config.mylang)}://{fam.hostname(config.mylang)}{fam.apipath(config.mylang)}"


class HostRefused(RequestRefused, FatalServerError):
    """The HTTP guard refused a request; a FatalServerError, so pywikibot raises it at once."""

    def __init__(self, message: str) -> None:
        FatalServerError.__init__(self, message)     # pywikibot's errors keep their text themselves


def guard_writes(url: str) -> None:
    """Raise WriteRefused unless the URL is plain and its host loopback or listed in GMW_ALLOW_HOSTS;
    then guard every request of pywikibot's session the same way, at the HTTP layer."""
    allowed = parse_allowed_hosts(os.environ.get("GMW_ALLOW_HOSTS"))
    check_write_target(url, allowed)
    guard_session(http.session, allowed, HostRefused)


def open_site(*, write: bool = False, login: bool = True) -> pywikibot.site.APISite:
    """The configured site; with `write`, the loopback guard runs before any request is sent."""
    if write:
        guard_writes(configured_api_url())
    quiet_tracebacks()
    site = pywikibot.Site()
    if write:
        guard_writes(api_url(site))   # the family may have resolved to another URL
    _reads_as_get(site)
    _lag_in_proportion(site)
    if login:
        site.login()
        _only_this_wikis_cookies(site)
    return site


# MediaWiki's cookie names, after the prefix scripts/wiki-settings.php gives a local instance ("gmw" and
# its port): PREFIX_session, PREFIX_BPsession, PREFIXUserID, PREFIXUserName, PREFIXToken.
_LOCAL_COOKIE = re.compile(r"gmw(\d*)(?=_|User|Token)")


def _only_this_wikis_cookies(site: pywikibot.site.APISite) -> None:
    """Cookies are per host, not per port: every local instance that ever ran on 127.0.0.1 (the tests'
    and benchmarks' throwaway wikis) left its cookies in pywikibot's one jar, and each request carried
    them all (218 after a day of benchmarks cost 3.5 ms of client CPU a request). The other instances'
    cookies are dropped from the jar and its file; the wiki's own session stays."""
    if not is_local(site):
        return
    url = urlsplit(api_url(site))
    own = "" if url.port in (None, 80) else str(url.port)
    stale = [c for c in http.cookie_jar
             if (m := _LOCAL_COOKIE.match(c.name)) and m.group(1) != own and c.domain == url.hostname]
    if not stale:
        return
    for c in stale:
        http.cookie_jar.clear(c.domain, c.path, c.name)
    try:
        http.cookie_jar.save(ignore_discard=True)
    except (OSError, ValueError):   # a read-only folder: the jar in memory is pruned all the same
        pass


last_problem: str | None = None     # the last request error pywikibot reported (for one-line reports)


_REQUEST_ERROR = ("Traceback (most recent call last)", "Non-JSON response", "An error occurred for uri")


def log_header_only_to_a_file() -> None:
    """pywikibot starts its log with a header: the versions, paths and times of every module loaded
    (~800 file lookups: 17-19 ms of each bot's start here). It builds it even when no log file takes it
    (no -log): then it is skipped."""
    from pywikibot import bot
    if getattr(bot.writelogheader, "_gmw_lean", False):
        return
    original = bot.writelogheader

    def header() -> None:
        if config.log:
            original()

    header._gmw_lean = True
    bot.writelogheader = header


def quiet_tracebacks() -> None:
    """pywikibot prints the traceback of every failed request it retries. On the terminal the bot's
    own report says it in one line: the request errors are remembered for it (`last_problem`) and
    shown only with -verbose. Log files, when asked for with -log, keep everything."""
    from pywikibot.bot import init_handlers
    init_handlers()     # pywikibot makes its handlers at its first output: wrap them, not later ones
    for handler in logging.getLogger("pywiki").handlers:
        if isinstance(handler, logging.FileHandler) or getattr(handler, "_gmw_quiet", False):
            continue
        handler.addFilter(_request_errors)
        handler._gmw_quiet = True


def _request_errors(record: logging.LogRecord) -> bool:
    global last_problem
    text = record.getMessage()
    if not any(mark in text for mark in _REQUEST_ERROR):
        return True
    lines = [line for line in text.splitlines() if line.strip()]
    if "Traceback" in text:
        last_problem = lines[-1].strip()[:300]
    elif text.startswith("Non-JSON response"):
        last_problem = (lines[0] + " " + " ".join(ln for ln in lines if ln.startswith("Status code")))[:300]
    if config.verbose_output:
        record.msg, record.args = (last_problem if "Traceback" in text else text), None
        return True
    return False


def is_local(site: pywikibot.site.APISite) -> bool:
    """The wiki runs on this machine (a loopback host, any port): the test user-config.py makes too."""
    return is_local_url(api_url(site))


def _reads_as_get(site: pywikibot.site.APISite) -> None:
    """Queries as GET on a loopback wiki; pywikibot POSTs every request over plain http.

    MediaWiki on SQLite takes the database's write lock for the whole of a POST request, so a POSTed
    read waits for the edit in progress and holds up the next one; a GET reads beside them. Over
    https pywikibot already uses GET for queries, and a remote wiki over http keeps its defaults.
    """
    if site.protocol() == "http" and is_local(site):
        config.enable_GET_without_SSL = True
        config.maximum_GET_length = max(config.maximum_GET_length, 4000)


def state_dir(site: pywikibot.site.APISite) -> Path:
    """Where the bots keep what they remember of a wiki (the publish ledger, check states).

    $GMW_STATE_DIR when set; for a local wiki, a folder inside its instance folder, so that a wiki
    deleted and made anew never meets the memories of the old one; else .state/ in the repository.
    """
    if os.environ.get("GMW_STATE_DIR"):
        return Path(os.environ["GMW_STATE_DIR"])
    if is_local(site):
        wiki_dir = os.environ.get("GMW_WIKI_DIR") or str(ROOT / ".wiki")
        return Path(wiki_dir) / "state"
    return ROOT / ".state"



@dataclass(frozen=True)
class WikiFacts:
    dbtype: str                 # siteinfo general.dbtype: "sqlite", "mysql" (MariaDB too), "postgres"
    rights: frozenset[str]      # the account's userinfo rights
    max_bytes: int              # siteinfo general.maxarticlesize


def wiki_facts(site: pywikibot.site.APISite) -> WikiFacts:
    """The database type, the page size limit and the account's rights, in one request.

    Read from the wiki itself, not from pywikibot's siteinfo cache: that cache is keyed by family, code
    and user, not by URL, so two local wikis (SQLite and MariaDB instances side by side) share it."""
    try:
        query = site.simple_request(action="query", meta="siteinfo|userinfo", siprop="general",
                                    uiprop="rights", formatversion=2).submit()["query"]
        general, rights = query.get("general", {}), query.get("userinfo", {}).get("rights", [])
    except pywikibot.exceptions.APIError:        # a wiki that hides them: assume the least
        general, rights = {}, []
    return WikiFacts(str(general.get("dbtype", "")), frozenset(rights),
                     int(general.get("maxarticlesize", 2048 * 1024)))


def default_workers(site: pywikibot.site.APISite, facts: WikiFacts, configured: int | None = None) -> WorkerChoice:
    """The edit workers for this wiki and account (bots.core.publish.workers)."""
    return edit_workers(facts.dbtype, local=is_local(site), rights=facts.rights, configured=configured)


def lagged_within(site: pywikibot.site.APISite, seconds: float) -> bool:
    """The wiki answered maxlag within the last `seconds` (the publisher then edits in series)."""
    when = getattr(site.throttle, "_gmw_lagged_at", None)
    return when is not None and time.monotonic() - when < seconds


def _lag_in_proportion(site: pywikibot.site.APISite) -> None:
    """After a maxlag answer pywikibot holds every thread's requests for max(Retry-After, lag x tries / 5):
    MediaWiki's Retry-After is at least 5 s, so a lag of 1 s costs 5 s and one of 60 s only 12 s. The
    pause here is the reported lag (times pywikibot's tries, which it passes in), bounded by retry_max
    (bots.core.publish.workers.lag_pause). The throttle's lock still holds every worker meanwhile."""
    throttle = site.throttle
    if getattr(throttle, "_gmw_proportional", False):
        return

    def lag(lagtime: float | None = None) -> None:
        started = time.monotonic()
        throttle._gmw_lagged_at = started
        with throttle.lock:
            pause = lag_pause(lagtime or None, attempt=1, retry_after=throttle.retry_after or None,
                              cap=float(config.retry_max))
            pywikibot.log(f"maxlag: holding requests {pause:.1f}s (reported lag x tries: {lagtime})")
            throttle.wait(pause - (time.monotonic() - started))

    throttle.lag = lag
    throttle._gmw_proportional = True
