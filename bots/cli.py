"""What every bot's command line shares: named exit codes, -help, and a small declarative option parser.

The bots take pywikibot's option style (`-name`, `-name:value`) and pywikibot's global options
(`-simulate`, `-user:`, `-log` ...), which `pywikibot.handle_args` consumes first.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Iterable

__all__ = ["ExitCode", "UsageError", "Options", "parse_options", "wants_help", "print_help"]


class ExitCode(IntEnum):
    """What cron and monitoring read from a bot's exit status."""

    OK = 0
    FINDINGS = 1      # check: error-level findings
    USAGE = 2         # bad command line or configuration
    FAILED = 3        # some pages or records failed; the rest was done
    STOPPED = 4       # the stop page said stop
    BUSY = 5          # another run of the same job holds the lock
    UNAVAILABLE = 6   # the wiki could not be reached
    STATE = 7         # a state file (the ledger) is damaged; the message says how to recover


class UsageError(ValueError):
    pass


@dataclass
class Options:
    values: dict[str, str | bool] = field(default_factory=dict)
    rest: list[str] = field(default_factory=list)   # arguments left for pywikibot's GeneratorFactory

    def get(self, name: str, default=None):
        return self.values.get(name, default)

    def flag(self, name: str) -> bool:
        return bool(self.values.get(name, False))


def wants_help(args: Iterable[str]) -> bool:
    return any(a in ("-help", "--help", "-h") for a in args)


def print_help(doc: str | None) -> None:
    print((doc or "").strip())


def parse_options(args: Iterable[str], flags: Iterable[str] = (), values: Iterable[str] = (),
                  passthrough: bool = False) -> Options:
    """Parse `-flag` and `-name:value` options; unknown ones are a UsageError, or with `passthrough`
    they are kept in `rest` (for pywikibot's page generator options)."""
    flags, values = set(flags), set(values)
    opts = Options()
    for arg in args:
        name, sep, value = arg.partition(":")
        key = name.lstrip("-")
        if not arg.startswith("-"):
            if passthrough:
                opts.rest.append(arg)
                continue
            raise UsageError(f"unexpected argument {arg!r}")
        if key in flags and not sep:
            opts.values[key] = True
        elif key in values:
            if not sep or value == "":
                raise UsageError(f"-{key} needs a value: -{key}:VALUE")
            opts.values[key] = value
        elif passthrough:
            opts.rest.append(arg)
        else:
            raise UsageError(f"unknown option {arg!r}")
    return opts


def usage_exit(message: str) -> int:
    print(f"error: {message} (see -help)", file=sys.stderr)
    return ExitCode.USAGE


_NO_ARGS = "-gmw-no-args"


def pywikibot_args(args: Iterable[str], write: bool) -> list[str]:
    """Let pywikibot take its global options (-simulate, -user:, -log ...); returns the bot's own.

    pywikibot reads sys.argv when given no arguments, and keeps -simulate in global state: both are
    wrong when a test or another bot calls main() in the same process, so pin them here. handle_args
    builds the Site, which contacts the wiki: a writing bot runs the loopback guard before that.
    """
    import pywikibot
    from pywikibot import config

    if write:
        from bots.site import configured_api_url, guard_writes
        guard_writes(configured_api_url())
    config.simulate = False
    local = pywikibot.handle_args(list(args) or [_NO_ARGS], do_help=False)
    return [a for a in local if a != _NO_ARGS]


def print_diff(old: str, new: str, title: str, out=None) -> None:
    """A unified diff of a page's text, for -simulate (to stderr when stdout carries JSON)."""
    import difflib

    out = out or sys.stdout
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), f"{title} (wiki)", f"{title} (new)",
                                 lineterm="", n=2)
    for line in lines:
        print(line, file=out)


def refused(exc: Exception) -> int:
    """A write the loopback guard refused: a configuration (usage) error."""
    print(f"error: {exc}", file=sys.stderr)
    return ExitCode.USAGE


def stopped(exc: Exception) -> int:
    """The stop page said stop."""
    print(f"stopped: {exc}", file=sys.stderr)
    return ExitCode.STOPPED


def broken_state(exc: Exception) -> int:
    """The ledger (or another state file) cannot be used: one line naming it, no traceback."""
    print(f"error: {exc}", file=sys.stderr)
    return ExitCode.STATE
