"""Run bots' main() over many inputs in one process and report each run: exit status, traceback (if
any), CPU and wall time, and the process's peak memory. Used by the hostile-files tests:

    python -m tests.hostile_driver RUNS.json REPORT.json

RUNS.json is a list of [bot, arg, ...]. Output goes to files, not the terminal.
"""
from __future__ import annotations

import contextlib
import importlib
import io
import json
import resource
import sys
import time
import traceback


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main(runs_file: str, report_file: str) -> int:
    runs = json.load(open(runs_file))
    report = []
    for bot, *args in runs:
        out, err = io.StringIO(), io.StringIO()
        cpu0, wall0 = _cpu(), time.monotonic()
        code, crash = None, None
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = importlib.import_module(f"bots.{bot}").main(*args)
            except BaseException:     # noqa: BLE001 - what the test is looking for
                crash = traceback.format_exc()
        report.append({"run": [bot, *args], "exit": None if code is None else int(code), "crash": crash,
                       "cpu": _cpu() - cpu0, "wall": time.monotonic() - wall0,
                       "stdout": out.getvalue(), "stderr": err.getvalue()[-20000:]})
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    json.dump({"runs": report, "peak_mb": peak / 1024}, open(report_file, "w"))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
