"""A real local wiki for the integration tests.

The session fixture `wiki` starts a throwaway instance with scripts/wiki-up.sh on a free port in a
temporary folder and deletes it afterwards, or reuses a running one named by GMW_TEST_WIKI_DIR.
When the wiki cannot start, the tests are skipped with the reason, or fail when GMW_REQUIRE_WIKI=1
(scripts/test.sh and CI set it: there they must run).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Wiki:
    dir: Path
    port: int

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api.php"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "GMW_WIKI_DIR": str(self.dir), "GMW_WIKI_PORT": str(self.port),
                "PYWIKIBOT_DIR": str(ROOT), "GMW_STATE_DIR": str(self.dir / "state")}

    def bot(self, name: str, *args: str, check: bool = False, timeout: float = 600,
            env: dict | None = None) -> subprocess.CompletedProcess:
        """Run `python -m bots.NAME ARGS` as cron would, against this wiki."""
        return subprocess.run([sys.executable, "-m", f"bots.{name}", *args], cwd=ROOT, env={**self.env, **(env or {})},
                              capture_output=True, text=True, check=check, timeout=timeout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _unavailable(reason: str):
    if os.environ.get("GMW_REQUIRE_WIKI") == "1":
        pytest.fail(f"the local wiki is required (GMW_REQUIRE_WIKI=1) but: {reason}", pytrace=False)
    pytest.skip(f"no local wiki: {reason}")


@pytest.fixture(scope="session")
def wiki():
    reuse = os.environ.get("GMW_TEST_WIKI_DIR")
    if reuse:
        wdir = Path(reuse).resolve()
        port_file = wdir / "port"
        if not port_file.exists():
            _unavailable(f"GMW_TEST_WIKI_DIR={reuse} has no running wiki (no port file)")
        w = Wiki(wdir, int(port_file.read_text()))
        up = subprocess.run(["bash", str(ROOT / "scripts/wiki-up.sh")], env=w.env, capture_output=True, text=True)
        if up.returncode:
            _unavailable(up.stderr.strip())
        _point_pywikibot_at(w)
        yield w
        return
    with _throwaway_wiki() as w:
        _point_pywikibot_at(w)
        yield w


@contextmanager
def _throwaway_wiki():
    tmp = Path(tempfile.mkdtemp(prefix="gmw-test-wiki-"))
    w = Wiki(tmp / "wiki", _free_port())
    up = subprocess.run(["bash", str(ROOT / "scripts/wiki-up.sh")], env=w.env, capture_output=True, text=True,
                        timeout=900)
    if up.returncode:
        _unavailable(f"scripts/wiki-up.sh failed: {up.stderr.strip()[-2000:]}")
    try:
        yield w
    finally:
        subprocess.run(["bash", str(ROOT / "scripts/wiki-down.sh"), "--purge"], env=w.env, capture_output=True)
        subprocess.run(["rm", "-rf", str(tmp)])


@pytest.fixture(scope="module")
def empty_wiki(wiki):
    """A wiki of its own, for tests that need one nothing else has written to (driven by subprocesses
    only: the in-process pywikibot stays on the session wiki)."""
    with _throwaway_wiki() as w:
        yield w


def _point_pywikibot_at(w: Wiki) -> None:
    """In-process library calls read pywikibot's config once, at import: it must see this wiki."""
    os.environ.update({"GMW_WIKI_DIR": str(w.dir), "GMW_WIKI_PORT": str(w.port), "PYWIKIBOT_DIR": str(ROOT)})
    if "pywikibot" in sys.modules:
        from pywikibot import config
        if config.family_files.get("gmw") != w.api:
            pytest.fail(f"pywikibot was imported before the wiki fixture and points at "
                        f"{config.family_files.get('gmw')}, not {w.api}", pytrace=False)


@pytest.fixture(scope="session")
def site(wiki):
    from bots.site import open_site
    return open_site(write=True)
