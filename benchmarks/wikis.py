"""Fresh local wikis for benchmarks: each measured method gets its own, made by scripts/wiki-up.sh, on
SQLite or MariaDB, reached directly or through a loopback proxy that adds latency."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from latency_proxy import LatencyProxy  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# A line of PHP's server log per request served: "[pid] [date] 127.0.0.1:port [200]: POST /api.php".
_SERVED = re.compile(rb"\] 127\.0\.0\.1:\d+ \[\d{3}\]: [A-Z]+ ")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Wiki:
    def __init__(self, folder: Path, port: int, db: str = "sqlite") -> None:
        self.dir, self.port, self.db = folder, port, db
        self.proxy: LatencyProxy | None = None
        self.env = {**os.environ, "GMW_WIKI_DIR": str(folder), "GMW_WIKI_PORT": str(port), "GMW_WIKI_DB": db,
                    "PYWIKIBOT_DIR": str(ROOT), "GMW_STATE_DIR": str(folder / "state")}

    @property
    def api(self) -> str:
        """The URL clients use: the proxy's when there is one."""
        return self.proxy.api if self.proxy else f"http://127.0.0.1:{self.port}/api.php"

    def use_proxy(self, proxy: LatencyProxy) -> None:
        self.proxy = proxy
        self.env = {**self.env, "GMW_API_URL": proxy.api}

    def requests_served(self) -> int:
        """Requests the wiki has answered so far, counted in its server's log (every method alike, with or
        without the proxy, at no cost to what is measured)."""
        counts = []
        for _ in range(20):   # the log line of the last request may come a moment after its answer
            counts.append(len(_SERVED.findall((self.dir / "server.log").read_bytes())))
            if len(counts) > 1 and counts[-1] == counts[-2]:
                break
            time.sleep(0.05)
        return counts[-1]

    def server_cpu(self) -> float:
        """CPU seconds used so far by this wiki's server: PHP's server and its workers, and its mariadbd."""
        # The server's own argument and the folder with its slash: a wiki on port 1234 (or in /tmp/w1)
        # must not count one on 12345 (or in /tmp/w12).
        total, port, folder = 0.0, f" 127.0.0.1:{self.port} ", f"{self.dir}/"
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                cmd = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if ("php" in cmd and port in cmd) or ("mariadbd" in cmd and folder in cmd):
                total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
        return total

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
def fresh_wiki(templates: bool = True, db: str = "sqlite", latency_ms: float | None = None):
    """A new wiki; with `latency_ms`, every client's requests go through a LatencyProxy (set up after the
    templates are installed, so that only what is measured pays the latency)."""
    tmp = Path(tempfile.mkdtemp(prefix="gmw-bench-"))
    wiki = Wiki(tmp / "wiki", _free_port(), db)
    up = subprocess.run(["bash", str(ROOT / "scripts/wiki-up.sh")], env=wiki.env, capture_output=True, text=True)
    try:
        if up.returncode:
            raise RuntimeError(f"scripts/wiki-up.sh ({db}) failed:\n{up.stderr[-3000:]}")
        if templates:
            wiki.bot("install_templates")
        if latency_ms is None:
            yield wiki
        else:
            with LatencyProxy(wiki.port, latency_ms) as proxy:
                wiki.use_proxy(proxy)
                yield wiki
    finally:
        subprocess.run(["bash", str(ROOT / "scripts/wiki-down.sh"), "--purge"], env=wiki.env, capture_output=True)
        subprocess.run(["rm", "-rf", str(tmp)])


def median(values: list[float]) -> float:
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Start a fresh throwaway wiki of the kind the benchmarks "
                                     "measure on (scripts/wiki-up.sh in a temporary folder), print its "
                                     "API URL, and delete it on Ctrl-C.")
    parser.add_argument("--db", choices=("sqlite", "mariadb"), default="sqlite")
    parser.add_argument("--latency", type=float, default=None, help="add MS milliseconds each way")
    parser.add_argument("--no-templates", action="store_true", help="do not install the bots' templates")
    args = parser.parse_args(argv)
    with fresh_wiki(not args.no_templates, args.db, args.latency) as wiki:
        print(f"http://127.0.0.1:{wiki.port}/api.php (GMW_WIKI_DIR={wiki.dir} GMW_WIKI_PORT={wiki.port})",
              flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
