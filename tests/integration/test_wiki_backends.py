"""The local wiki on MariaDB (GMW_WIKI_DB=mariadb scripts/wiki-up.sh): really MariaDB, a server of its own
per instance, and concurrent edits served side by side; on both backends, concurrent edits saved once."""
from __future__ import annotations

import re
import stat
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from .helpers import api, history, page_text

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def _login(wiki, user: str | None = None, password: str | None = None) -> tuple[requests.Session, str]:
    """A session of its own and its CSRF token: the bot with the wiki's BotPassword, or USER with PASSWORD."""
    if user is None:
        m = re.match(r"\('([^']*)', BotPassword\('([^']*)', '([^']*)'\)\)",
                     (wiki.dir / "bot-password.py").read_text().strip())
        user, password = f"{m[1]}@{m[2]}", m[3]
    s = requests.Session()
    token = s.get(wiki.api, params={"action": "query", "meta": "tokens", "type": "login", "format": "json"},
                  timeout=60).json()["query"]["tokens"]["logintoken"]
    r = s.post(wiki.api, data={"action": "login", "lgname": user, "lgpassword": password, "lgtoken": token,
                               "format": "json"}, timeout=60).json()
    assert r["login"]["result"] == "Success", r
    csrf = s.get(wiki.api, params={"action": "query", "meta": "tokens", "format": "json"}, timeout=60).json()
    return s, csrf["query"]["tokens"]["csrftoken"]


def _edit(session: tuple[requests.Session, str], wiki, title: str, text: str, timeout: float = 120, **extra) -> dict:
    s, token = session
    return s.post(wiki.api, data={"action": "edit", "title": title, "text": text, "summary": "concurrent", "bot": 1,
                                  "token": token, "format": "json", **extra}, timeout=timeout).json()


def _running(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _sql(wiki, query: str) -> str:
    """A query through the instance's own client settings (socket, user, generated password)."""
    return subprocess.run(["mariadb", f"--defaults-file={wiki.dir / 'mariadb-client.cnf'}", "--batch",
                           "--skip-column-names", "-e", query], capture_output=True, text=True, check=True,
                          timeout=60).stdout.strip()


def test_the_mariadb_wiki_is_on_a_mariadb_server_of_its_own(mariadb_wiki):
    general = api(mariadb_wiki, action="query", meta="siteinfo")["query"]["general"]
    assert general["dbtype"] == "mysql" and "MariaDB" in general["dbversion"], general
    # Its own server: data in the wiki folder, no TCP port, a unix socket in the folder.
    assert Path(_sql(mariadb_wiki, "SELECT @@datadir")).resolve() == (mariadb_wiki.dir / "mariadb").resolve()
    assert _sql(mariadb_wiki, "SELECT @@skip_networking") == "1"
    assert Path(_sql(mariadb_wiki, "SELECT @@socket")) == mariadb_wiki.dir / "mariadb.sock"
    # The generated database password is readable by its owner only, and in no file git tracks.
    password_file = mariadb_wiki.dir / "db-password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    password = password_file.read_text().strip()
    assert len(password) >= 32
    tracked = subprocess.run(["git", "grep", "-F", "-l", password], cwd=ROOT, capture_output=True, text=True)
    assert tracked.returncode == 1 and not tracked.stdout, tracked.stdout


def test_an_edit_waiting_for_a_lock_does_not_hold_up_other_edits(mariadb_wiki):
    """Concurrency that could not happen on SQLite (one writer at a time) nor with one PHP worker: while an
    edit of one page waits for that page's row lock, an edit of another page is saved."""
    w = mariadb_wiki
    session = _login(w)
    for title in ("Row-locked page", "Unlocked page"):
        assert _edit(session, w, title, "First version.")["edit"]["result"] == "Success"
    holder = subprocess.Popen(["mariadb", f"--defaults-file={w.dir / 'mariadb-client.cnf'}", "--batch",
                               "--unbuffered", "--skip-column-names"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def sql(query: str) -> str:
        holder.stdin.write(query + "\n")
        holder.stdin.flush()
        return holder.stdout.readline().strip()

    blocked: dict = {}
    try:
        # The lock MediaWiki's save takes first (WikiPage::lockAndGetLatest), held by us.
        assert sql("BEGIN; SELECT page_id FROM page WHERE page_namespace = 0 AND page_title = 'Row-locked_page' "
                   "FOR UPDATE;").isdigit()
        waiter = threading.Thread(target=lambda: blocked.update(
            _edit(_login(w), w, "Row-locked page", "Second version, saved after the lock.")))
        waiter.start()
        # Until the edit is in the server, waiting on our lock (SHOW PROCESSLIST: same user, no extra rights).
        waiting = "0"
        for _ in range(600):
            waiting = sql("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() "
                          "AND INFO LIKE '%FOR UPDATE%';")
            if waiting != "0":
                break
            time.sleep(0.05)
        assert waiting == "1", "the edit of the locked page never reached the lock"
        # Well inside innodb_lock_wait_timeout (50 s): a server that queues this behind the blocked edit fails here.
        other = _edit(session, w, "Unlocked page", "Second version, saved meanwhile.", timeout=30)
        assert other["edit"]["result"] == "Success", other
        assert waiter.is_alive() and not blocked, "the locked page's edit finished before its lock was released"
        assert page_text(w, "Unlocked page") == "Second version, saved meanwhile."
    finally:
        holder.stdin.write("COMMIT;\n")
        holder.stdin.close()
        holder.wait(timeout=60)
    waiter.join(timeout=120)
    assert blocked.get("edit", {}).get("result") == "Success", blocked
    assert page_text(w, "Row-locked page") == "Second version, saved after the lock."


@pytest.mark.wiki_dbs("sqlite", "mariadb")
def test_concurrent_edits_are_each_saved_once_in_one_line_of_revisions(wiki):
    expected = {"sqlite": "sqlite", "mariadb": "mysql"}[wiki.db]
    assert api(wiki, action="query", meta="siteinfo")["query"]["general"]["dbtype"] == expected
    sessions = [_login(wiki) for _ in range(8)]
    titles = [f"Concurrent page {wiki.db} {i:02d}" for i in range(24)]

    def save(i: int) -> dict:
        return _edit(sessions[i % len(sessions)], wiki, titles[i], f"Text of {titles[i]}.\n" * 50)

    with ThreadPoolExecutor(len(sessions)) as pool:
        results = list(pool.map(save, range(len(titles))))
    assert [r.get("edit", {}).get("result") for r in results] == ["Success"] * len(titles), results
    for t in titles:
        assert page_text(wiki, t) == (f"Text of {t}.\n" * 50).rstrip()
        assert len(history(wiki, t)) == 1

    # Eight saves of one page at once. Each is saved on top of exactly one other, or refused with editconflict
    # (on MariaDB: the page changed between MediaWiki's read of its parent and its write); none is lost, no two
    # share a parent, and no other error comes back: the page row's lock orders them.
    title = f"Contended page {wiki.db}"
    base = _edit(sessions[0], wiki, title, "Before everyone.")["edit"]
    start = threading.Barrier(len(sessions))

    def contend(i: int) -> dict:
        start.wait()
        return _edit(sessions[i], wiki, title, f"Saved by editor {i}.")

    with ThreadPoolExecutor(len(sessions)) as pool:
        outcomes = list(pool.map(contend, range(len(sessions))))
    saved = {i: r["edit"] for i, r in enumerate(outcomes) if r.get("edit", {}).get("result") == "Success"}
    refused = [i for i, r in enumerate(outcomes) if r.get("error", {}).get("code") == "editconflict"]
    assert saved and len(saved) + len(refused) == len(sessions), outcomes
    new = sorted(r["newrevid"] for r in saved.values())
    assert sorted(r["oldrevid"] for r in saved.values()) == [base["newrevid"]] + new[:-1], saved
    assert [r["revid"] for r in history(wiki, title)] == sorted(new + [base["newrevid"]], reverse=True)
    last = next(i for i, r in saved.items() if r["newrevid"] == new[-1])
    assert page_text(wiki, title) == f"Saved by editor {last}."

@pytest.mark.wiki_dbs("mariadb")
def test_instances_side_by_side_each_with_its_server_and_wiki_down_stops_it(wiki, empty_wiki):
    other = empty_wiki
    assert other.db == "mariadb" and other.dir != wiki.dir
    session = _login(other)
    assert _edit(session, other, "Only on the other wiki", "Here.")["edit"]["result"] == "Success"
    assert page_text(other, "Only on the other wiki") == "Here."
    assert page_text(wiki, "Only on the other wiki") is None
    pid = int((other.dir / "mariadb.pid").read_text())
    assert _running(pid)

    down = subprocess.run(["bash", str(ROOT / "scripts/wiki-down.sh")], env=other.env, capture_output=True, text=True)
    assert down.returncode == 0, down.stderr
    assert not _running(pid), "wiki-down left the instance's MariaDB running"
    assert not (other.dir / "mariadb.sock").exists()
    assert api(wiki, action="query", meta="siteinfo")["query"]["general"]["dbtype"] == "mysql"

    # Up again (GMW_WIKI_DB unset: the instance knows its backend), with its data.
    env = {k: v for k, v in other.env.items() if k != "GMW_WIKI_DB"}
    up = subprocess.run(["bash", str(ROOT / "scripts/wiki-up.sh")], env=env, capture_output=True, text=True)
    assert up.returncode == 0, up.stderr
    assert page_text(other, "Only on the other wiki") == "Here."
    pid = int((other.dir / "mariadb.pid").read_text())

    purge = subprocess.run(["bash", str(ROOT / "scripts/wiki-down.sh"), "--purge"], env=other.env,
                           capture_output=True, text=True)
    assert purge.returncode == 0, purge.stderr
    assert not _running(pid) and not other.dir.exists()
