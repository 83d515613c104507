"""Tests for bots.core.publish.ledger: lookups, runs, one wiki per file, concurrency, kill -9."""
from __future__ import annotations

import hashlib
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from bots.core.publish.ledger import Ledger, LedgerEntry, content_hash

WIKI = "http://127.0.0.1/api.php"
ROOT = Path(__file__).resolve().parents[2]
TS = "2026-11-26T12:00:00Z"


@pytest.fixture
def ledger(tmp_path: Path):
    with Ledger(tmp_path / "gmw.sqlite", WIKI) as led:
        yield led


# --- content_hash ----------------------------------------------------------------


def test_content_hash_is_sha1_of_stored_text() -> None:
    assert content_hash("Hello") == hashlib.sha1(b"Hello").hexdigest()
    assert content_hash("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709"


def test_content_hash_follows_mediawiki_save_normalisation() -> None:
    assert content_hash("text \n\t\r\n") == content_hash("text")
    assert content_hash("a\r\nb\rc") == content_hash("a\nb\nc")
    assert content_hash("  lead") != content_hash("lead")  # only trailing whitespace goes
    assert content_hash("e\u0301") == content_hash("\u00e9")  # the API normalises to NFC
    # PHP's rtrim() leaves Unicode spaces alone; str.rstrip() would not.
    assert content_hash("x\u00a0") != content_hash("x")
    assert content_hash("x\u3000") != content_hash("x")


# --- pages ------------------------------------------------------------------


def test_record_and_get(ledger: Ledger) -> None:
    assert ledger.get("Foo") is None
    ledger.record("Foo", "abc", 12, TS, "run-1")
    assert ledger.get("Foo") == LedgerEntry("Foo", "abc", 12, TS, "run-1")
    ledger.record("Foo", "def", 15, "2026-11-27T00:00:00Z")  # republish replaces
    assert ledger.get("Foo") == LedgerEntry("Foo", "def", 15, "2026-11-27T00:00:00Z", None)
    assert ledger.get("foo") is None  # titles are exact keys


def test_get_many_batches_beyond_chunk(ledger: Ledger) -> None:
    ledger.record_many(((f"Page {i}", f"h{i}", i, TS) for i in range(1234)), run_id="r")
    wanted = [f"Page {i}" for i in range(0, 1300, 3)] + ["Page 3", "Missing"]
    got = ledger.get_many(wanted)
    assert set(got) == {f"Page {i}" for i in range(0, 1234, 3)}
    assert got["Page 999"] == LedgerEntry("Page 999", "h999", 999, TS, "r")
    assert ledger.get_many([]) == {}


def test_record_many_is_all_or_nothing(ledger: Ledger) -> None:
    def rows():
        yield ("A", "a", 1, TS)
        yield ("B", "b", 2, TS)
        raise RuntimeError("source broke mid-batch")

    with pytest.raises(RuntimeError):
        ledger.record_many(rows())
    assert ledger.get_many(["A", "B"]) == {}
    ledger.record("C", "c", 3, TS)  # the connection is usable again
    assert ledger.get("C") is not None


# --- runs -----------------------------------------------------------------------


def test_run_bookkeeping(ledger: Ledger) -> None:
    assert ledger.last_run() is None
    first = ledger.start_run("publish --all")
    run = ledger.last_run()
    assert run is not None and run["id"] == first and run["status"] == "running"
    assert run["command"] == "publish --all" and run["finished"] is None and run["counts"] is None
    ledger.finish_run(first, "ok", {"edited": 3, "skipped": 10})
    second = ledger.start_run("publish Foo")
    assert second != first
    assert ledger.last_run()["id"] == second
    ledger.finish_run(second, "failed", {"edited": 0})
    run = ledger.last_run()
    assert run["status"] == "failed" and run["counts"] == {"edited": 0}
    assert run["finished"] >= run["started"]


def test_finish_unknown_run(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="no run"):
        ledger.finish_run("nope", "ok", {})


def test_run_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path, WIKI) as led:
        run = led.start_run("publish")
        led.record("Foo", "abc", 1, TS, run)
    with Ledger(path, WIKI) as led:
        assert led.last_run()["id"] == run
        assert led.get("Foo").run_id == run


# --- one file per wiki ----------------------------------------------------------------


def test_other_wiki_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    Ledger(path, WIKI).close()
    with pytest.raises(ValueError, match="not of 'https://other.example/api.php'"):
        Ledger(path, "https://other.example/api.php")
    with Ledger(path, WIKI) as led:  # the refusal changed nothing
        assert led.wiki == WIKI


def test_durability_settings(ledger: Ledger) -> None:
    assert ledger._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert ledger._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


# --- concurrency --------------------------------------------------------------------


def test_two_connections_see_each_other(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path, WIKI) as a, Ledger(path, WIKI) as b:
        a.record("Foo", "x", 1, TS)
        assert b.get("Foo") == LedgerEntry("Foo", "x", 1, TS, None)
        b.record("Bar", "y", 2, TS)
        assert set(a.get_many(["Foo", "Bar"])) == {"Foo", "Bar"}


def test_writer_waits_for_a_lock_instead_of_failing(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    Ledger(path, WIKI).close()
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    release = threading.Timer(0.3, lambda: blocker.execute("COMMIT"))
    release.start()
    try:
        started = time.monotonic()
        with Ledger(path, WIKI, busy_timeout=10) as led:  # opening writes too: it waits
            led.record("Foo", "x", 1, TS)
            assert time.monotonic() - started >= 0.2
            assert led.get("Foo") is not None
    finally:
        release.join()
        blocker.close()


def test_busy_timeout_gives_up(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with Ledger(path, WIKI, busy_timeout=0.2) as led:
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                led.record("Foo", "x", 1, TS)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()


def _script(body: str) -> list[str]:
    code = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from bots.core.publish.ledger import Ledger
        """
    ) + textwrap.dedent(body)
    return [sys.executable, "-c", code]


def test_two_processes_write_the_same_file(tmp_path: Path) -> None:
    # Two processes that open a new file at the same moment race to switch it to WAL (SQLite answers
    # the loser "database is locked" without waiting): about one pair in eight, so twenty new files.
    body = """
        name, path = sys.argv[1], sys.argv[2]
        with Ledger(path, "{wiki}") as led:
            for i in range(30):
                led.record(f"{{name}} {{i}}", "h", i, "t")
    """.format(wiki=WIKI)
    for round_ in range(20):
        path = tmp_path / f"l{round_}.sqlite"
        procs = [subprocess.Popen([*_script(body), name, str(path)], stderr=subprocess.PIPE, text=True)
                 for name in ("A", "B")]
        for proc in procs:
            _out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
        with Ledger(path, WIKI) as led:
            got = led.get_many([f"{n} {i}" for n in "AB" for i in range(30)])
        assert len(got) == 60


# --- kill -9 ------------------------------------------------------------------------

KILL_CHILD = """
    path, batch, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with Ledger(path, "{wiki}") as led:
        run = led.start_run("kill test")
        for start in range(0, total, batch):
            rows = [(f"Page {{i}}", f"h{{i}}", i, "t") for i in range(start, start + batch)]
            if batch == 1:
                led.record(*rows[0], run_id=run)
            else:
                led.record_many(rows, run_id=run)
            print(start + batch, flush=True)  # acknowledged: committed before this line
        led.finish_run(run, "ok", {{"recorded": total}})
"""


def _kill_mid_run(path: Path, batch: int, total: int, kill_after: int, delay: float) -> int:
    """Run the child, SIGKILL it after `kill_after` acknowledgements plus `delay` seconds.

    Returns the last acknowledgement it printed, read after the kill, so that
    a publish acknowledged at any moment before the kill counts.
    """
    proc = subprocess.Popen(
        [*_script(KILL_CHILD.format(wiki=WIKI)), str(path), str(batch), str(total)],
        stdout=subprocess.PIPE,
        text=True,
    )
    acked = 0
    deadline = time.monotonic() + 60
    try:
        while acked < kill_after and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acked = int(line)
        time.sleep(delay)  # lands anywhere, commits included, not just between calls
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
        for line in proc.stdout:  # what it printed before dying
            acked = int(line)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    assert acked >= kill_after, "child did not get far enough before the deadline"
    return acked


@pytest.mark.parametrize(
    ("batch", "kill_after", "delay"),
    [(1, 25, 0.0), (1, 120, 0.0), (10, 60, 0.0), (1, 1, 0.013), (1, 1, 0.037), (10, 10, 0.021)],
)
def test_sigkill_leaves_a_consistent_prefix(tmp_path: Path, batch: int, kill_after: int, delay: float) -> None:
    path = tmp_path / "l.sqlite"
    total = 5000  # far more than the child can write before the kill
    acked = _kill_mid_run(path, batch, total, kill_after, delay)

    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()
    with Ledger(path, WIKI) as led:
        got = led.get_many(f"Page {i}" for i in range(total))
        count = len(got)
        assert set(got) == {f"Page {i}" for i in range(count)}  # a prefix: nothing skipped
        assert acked <= count <= acked + batch  # nothing acknowledged is lost
        assert count % batch == 0  # a batch is all or nothing
        assert all(e.sha1 == f"h{e.revid}" for e in got.values())
        run = led.last_run()
        assert run is not None and run["command"] == "kill test"
        assert count < total and run["status"] == "running"  # killed mid-way: the run stays open
        led.record("After", "x", 1, TS)  # and the file is writable again
        assert led.get("After") is not None


# --- what the bot generated (issue 11) and damaged files (issue 12) ------------------------


def test_generated_text_and_page_id_round_trip_and_survive_a_later_row(ledger: Ledger) -> None:
    big = "{{Infobox historical event\n| name = X\n}}\n" + "A line of generated text.\n" * 2000
    ledger.record("Foo", content_hash(big), 12, TS, pageid=7, generated=big, mode="merge")
    assert ledger.get("Foo") == LedgerEntry("Foo", content_hash(big), 12, TS, None, 7, big, "merge")
    # A later row that knows no page id or text (a fix) keeps them.
    ledger.record("Foo", "abc", 13, TS)
    got = ledger.get("Foo")
    assert (got.revid, got.pageid, got.generated, got.mode) == (13, 7, big, "merge")
    assert ledger.get_many(["Foo"])["Foo"] == got
    [stored] = sqlite3.connect(ledger.path).execute("SELECT generated FROM pages").fetchone()
    assert len(stored) < len(big) // 10       # kept compressed
    ledger.forget("Foo")
    assert ledger.get("Foo") is None


def test_a_version_1_ledger_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE pages (title TEXT PRIMARY KEY, sha1 TEXT NOT NULL, revid INTEGER NOT NULL,
                            timestamp TEXT NOT NULL, run_id TEXT);
        CREATE TABLE runs (id TEXT PRIMARY KEY, command TEXT NOT NULL, started TEXT NOT NULL, finished TEXT,
                           status TEXT NOT NULL, counts TEXT);
        INSERT INTO meta VALUES ('wiki', 'http://127.0.0.1/api.php'), ('schema', '1');
        INSERT INTO pages VALUES ('Old page', 'abc', 5, '2026-01-01T00:00:00Z', NULL);
    """)
    db.commit()
    db.close()
    with Ledger(path, WIKI) as led:
        assert led.get("Old page") == LedgerEntry("Old page", "abc", 5, "2026-01-01T00:00:00Z")
        led.record("New page", "def", 6, TS, pageid=2, generated="text", mode="merge")
    with Ledger(path, WIKI) as led:
        assert led.get("New page").generated == "text"


@pytest.mark.parametrize("content", [b"", b"this is not a database at all" * 100,
                                     b"SQLite format 3\x00" + b"\x00" * 50])
def test_a_damaged_ledger_is_refused_with_its_name_and_how_to_recover(tmp_path: Path, content: bytes) -> None:
    from bots.core.publish.ledger import LedgerError

    path = tmp_path / "ledger.sqlite3"
    path.write_bytes(content)
    with pytest.raises(LedgerError) as err:
        Ledger(path, WIKI)
    assert str(path) in str(err.value) and "move it aside" in str(err.value)
    assert path.read_bytes() == content         # left as it was, for the operator


def test_a_new_ledger_appears_only_when_complete(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    with Ledger(path, WIKI):
        assert path.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("new.sqlite3")) == []
