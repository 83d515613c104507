"""Real local wikis for the integration tests, on SQLite and on MariaDB.

Each backend has one session wiki, started on first use with scripts/wiki-up.sh on a free port in a
temporary folder and deleted afterwards (or reused: GMW_TEST_WIKI_DIR names a running SQLite wiki,
GMW_TEST_MARIADB_WIKI_DIR a MariaDB one). When a wiki cannot start, its tests are skipped with the
reason, or fail when GMW_REQUIRE_WIKI=1 (scripts/test.sh and CI set it: there they must run).

Fixtures:
  wiki          the session wiki, SQLite unless the test runs on several backends (below); `wiki.db`
                says which ("sqlite" or "mariadb").
  mariadb_wiki  the session MariaDB wiki, for tests about MariaDB itself.
  empty_wiki    a wiki of its own for the module, on the same backend as `wiki`.
  site          in-process pywikibot, logged in to `wiki` as the bot.

Running on every backend: a test (or a module, through `pytestmark`) marked
`@pytest.mark.wiki_dbs("sqlite", "mariadb")` runs once per backend, ids `[sqlite]` and `[mariadb]`, and
its `wiki` (and `site`, `empty_wiki`) is that backend's. The modules in ON_EVERY_DB run so without the mark.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BACKENDS = ("sqlite", "mariadb")
# The publishing tests (conflicts, concurrent edits, kill -9, outages, people's edits, the randomised
# human-edit test) run on both backends.
ON_EVERY_DB = {"test_publish.py", "test_human_work.py", "test_human_work_random.py"}
_REUSE = {"sqlite": "GMW_TEST_WIKI_DIR", "mariadb": "GMW_TEST_MARIADB_WIKI_DIR"}


@dataclass(frozen=True)
class Wiki:
    dir: Path
    port: int
    db: str = "sqlite"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api.php"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "GMW_WIKI_DIR": str(self.dir), "GMW_WIKI_PORT": str(self.port),
                "GMW_WIKI_DB": self.db, "PYWIKIBOT_DIR": str(ROOT), "GMW_STATE_DIR": str(self.dir / "state")}

    def bot(self, name: str, *args: str, check: bool = False, timeout: float = 600,
            env: dict | None = None) -> subprocess.CompletedProcess:
        """Run `python -m bots.NAME ARGS` as cron would, against this wiki."""
        return subprocess.run([sys.executable, "-m", f"bots.{name}", *args], cwd=ROOT, env={**self.env, **(env or {})},
                              capture_output=True, text=True, check=check, timeout=timeout)


def pytest_configure(config):
    config.addinivalue_line("markers", "wiki_dbs(*dbs): run the test once on each named wiki backend "
                                       "(sqlite, mariadb); its `wiki` fixture is that backend's")


def pytest_generate_tests(metafunc):
    if "wiki" not in metafunc.fixturenames:
        return
    mark = metafunc.definition.get_closest_marker("wiki_dbs")
    dbs = mark.args if mark else BACKENDS if Path(metafunc.definition.fspath).name in ON_EVERY_DB else ()
    if dbs:
        unknown = set(dbs) - set(BACKENDS)
        if unknown:
            raise pytest.UsageError(f"{metafunc.definition.nodeid}: unknown wiki backend(s) {sorted(unknown)}")
        # Session scope: the tests of one backend run together, and each backend's wiki starts once.
        metafunc.parametrize("wiki", dbs, indirect=True, scope="session")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable(reason: str):
    if os.environ.get("GMW_REQUIRE_WIKI") == "1":
        pytest.fail(f"the local wiki is required (GMW_REQUIRE_WIKI=1) but: {reason}", pytrace=False)
    pytest.skip(f"no local wiki: {reason}")


class _SessionWikis:
    """One wiki per backend for the whole session, started on first use; a failure to start is
    remembered, so that each of its tests reports it without trying again."""

    def __init__(self) -> None:
        self._up: dict[str, Wiki] = {}
        self._failed: dict[str, str] = {}
        self._stack = ExitStack()

    def get(self, db: str) -> Wiki:
        if db not in self._up and db not in self._failed:
            try:
                self._up[db] = self._start(db)
            except _CannotStart as e:
                self._failed[db] = str(e)
        if db in self._failed:
            _unavailable(self._failed[db])
        return self._up[db]

    def _start(self, db: str) -> Wiki:
        reuse = os.environ.get(_REUSE[db])
        if reuse:
            wdir = Path(reuse).resolve()
            port_file = wdir / "port"
            if not port_file.exists():
                raise _CannotStart(f"{_REUSE[db]}={reuse} has no running wiki (no port file)")
            w = Wiki(wdir, int(port_file.read_text()), db)
            up = subprocess.run(["bash", str(ROOT / "scripts/wiki-up.sh")], env=w.env, capture_output=True, text=True)
            if up.returncode:
                raise _CannotStart(up.stderr.strip())
        else:
            w = self._stack.enter_context(_throwaway_wiki(db))
        _check_backend(w)
        if db == "sqlite":
            _point_pywikibot_at(w)
        return w

    def close(self) -> None:
        self._stack.close()


class _CannotStart(Exception):
    pass


def _check_backend(w: Wiki) -> None:
    """`wiki.db` is a promise to the tests: the wiki says which database it runs on (siteinfo)."""
    import requests
    try:
        general = requests.get(w.api, params={"action": "query", "meta": "siteinfo", "format": "json"},
                               timeout=60).json()["query"]["general"]
    except (requests.RequestException, ValueError, KeyError) as e:
        raise _CannotStart(f"the {w.db} wiki at {w.api} gives no siteinfo: {e!r}") from e
    if general["dbtype"] != {"sqlite": "sqlite", "mariadb": "mysql"}[w.db]:
        raise _CannotStart(f"the {w.db} wiki in {w.dir} runs on {general['dbtype']}")


@pytest.fixture(scope="session")
def _session_wikis():
    wikis = _SessionWikis()
    yield wikis
    wikis.close()


@pytest.fixture(scope="session")
def wiki(request, _session_wikis) -> Wiki:
    return _session_wikis.get(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def mariadb_wiki(_session_wikis) -> Wiki:
    return _session_wikis.get("mariadb")


@contextmanager
def _throwaway_wiki(db: str = "sqlite"):
    tmp = Path(tempfile.mkdtemp(prefix="gmw-test-wiki-"))
    w = Wiki(tmp / "wiki", _free_port(), db)
    try:
        up = subprocess.run(["bash", str(ROOT / "scripts/wiki-up.sh")], env=w.env, capture_output=True, text=True,
                            timeout=900)
        if up.returncode:
            raise _CannotStart(f"scripts/wiki-up.sh ({db}) failed: {up.stderr.strip()[-2000:]}")
        yield w
    finally:
        subprocess.run(["bash", str(ROOT / "scripts/wiki-down.sh"), "--purge"], env=w.env, capture_output=True)
        subprocess.run(["rm", "-rf", str(tmp)])


@pytest.fixture(scope="module")
def empty_wiki(wiki):
    """A wiki of its own, for tests that need one nothing else has written to (driven by subprocesses
    only: the in-process pywikibot stays on the session wiki)."""
    try:
        with _throwaway_wiki(wiki.db) as w:
            yield w
    except _CannotStart as e:
        _unavailable(str(e))


def _point_pywikibot_at(w: Wiki) -> None:
    """In-process library calls read pywikibot's config once, at import: it must see this wiki."""
    os.environ.update({"GMW_WIKI_DIR": str(w.dir), "GMW_WIKI_PORT": str(w.port), "PYWIKIBOT_DIR": str(ROOT)})
    if "pywikibot" in sys.modules:
        from pywikibot import config
        if config.family_files.get("gmw") != w.api:
            pytest.fail(f"pywikibot was imported before the wiki fixture and points at "
                        f"{config.family_files.get('gmw')}, not {w.api}", pytrace=False)


@pytest.fixture(scope="session")
def site(wiki, _session_wikis, tmp_path_factory):
    # user-config.py binds the in-process pywikibot to the SQLite session wiki, at import: start it first.
    default = _session_wikis.get("sqlite")
    from bots.site.connection import open_site
    if wiki == default:
        return open_site(write=True)
    return _other_site(wiki, default, tmp_path_factory.mktemp("pywikibot"))


def _other_site(w: Wiki, default: Wiki, folder: Path):
    """pywikibot's Site for another wiki than user-config.py's, in this process: a family of its own
    (AutoFamily from its API URL), and a password file that holds both wikis' BotPasswords."""
    import pywikibot
    from pywikibot import config

    from bots.site.connection import _reads_as_get, api_url, guard_writes

    fam = f"gmw{w.port}"
    guard_writes(w.api)
    config.family_files[fam] = w.api
    config.usernames[fam][fam] = config.usernames["gmw"]["gmw"]
    passwords = folder / "password.py"
    own = (w.dir / "bot-password.py").read_text().strip()
    # The last matching line wins: the default wiki's (user, password) first, this family's after it.
    text = (default.dir / "bot-password.py").read_text().strip() + f"\n('{fam}', {own[1:]}\n"
    fd = os.open(passwords, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    config.password_file = str(passwords)
    site = pywikibot.Site(fam, fam)
    guard_writes(api_url(site))
    _reads_as_get(site)
    site.login()
    return site
