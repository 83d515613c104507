"""Fresh local wikis for benchmarks: each measured method gets its own, made by scripts/wiki-up.sh."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Wiki:
    def __init__(self, folder: Path, port: int) -> None:
        self.dir, self.port = folder, port
        self.env = {**os.environ, "GMW_WIKI_DIR": str(folder), "GMW_WIKI_PORT": str(port),
                    "PYWIKIBOT_DIR": str(ROOT), "GMW_STATE_DIR": str(folder / "state")}

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api.php"

    def run(self, *cmd: str, timeout: float = 3600) -> tuple[float, subprocess.CompletedProcess]:
        """Run a command against this wiki; returns (seconds, result). Fails loudly."""
        start = time.perf_counter()
        res = subprocess.run(cmd, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout)
        took = time.perf_counter() - start
        if res.returncode not in (0,):
            raise RuntimeError(f"{' '.join(cmd)} exited {res.returncode}:\n{res.stdout[-2000:]}\n{res.stderr[-3000:]}")
        return took, res

    def bot(self, name: str, *args: str) -> tuple[float, subprocess.CompletedProcess]:
        return self.run(sys.executable, "-m", f"bots.{name}", *args)


@contextmanager
def fresh_wiki(templates: bool = True):
    tmp = Path(tempfile.mkdtemp(prefix="gmw-bench-"))
    wiki = Wiki(tmp / "wiki", _free_port())
    subprocess.run(["bash", str(ROOT / "scripts/wiki-up.sh")], env=wiki.env, check=True, capture_output=True)
    try:
        if templates:
            wiki.bot("install_templates")
        yield wiki
    finally:
        subprocess.run(["bash", str(ROOT / "scripts/wiki-down.sh"), "--purge"], env=wiki.env, capture_output=True)
        subprocess.run(["rm", "-rf", str(tmp)])


def median(values: list[float]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
