"""The bots' exit codes: one table for every bot, cron, systemd and the jobs runner. Pure."""
from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitCode", "EXIT_HELP", "OUTCOMES"]


class ExitCode(IntEnum):
    """What cron and monitoring read from a bot's exit status."""

    OK = 0
    FINDINGS = 1      # check: error-level findings (only check says 1)
    USAGE = 2         # bad command line or configuration, or nothing to do where something was asked
    FAILED = 3        # some pages, records or files failed; the rest was done
    STOPPED = 4       # the stop page said stop
    BUSY = 5          # another run of the same job holds the lock
    UNAVAILABLE = 6   # the wiki could not be reached, or kept failing beyond the retry budget
    STATE = 7         # a state file (the ledger) is damaged; the message says how to recover


# What a scheduled run's outcome is called in the history, by exit code.
OUTCOMES = {ExitCode.OK: "ok", ExitCode.FINDINGS: "findings", ExitCode.USAGE: "usage",
            ExitCode.FAILED: "failed", ExitCode.STOPPED: "stopped", ExitCode.BUSY: "busy",
            ExitCode.UNAVAILABLE: "wiki unavailable", ExitCode.STATE: "broken state"}

EXIT_HELP = """Exit status (the same for every bot):
  0 done                       4 stopped: the stop page said stop
  1 error-level findings       5 busy: another run of the same job holds its lock
    (check only)               6 wiki unavailable: unreachable, or failing beyond the retry budget
  2 usage or configuration     7 a state file (the ledger) is damaged: the message says how to recover
  3 some pages or files failed; the rest was done"""
