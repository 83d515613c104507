"""What every bot's command line shares: typed option specs, -help, exit codes, diffs, one-line errors.

Each bot declares its options once (`Spec`): name, type, default and help. From that one
declaration come the parsing, the validation, the usage errors and the options block of `-help`.
The style is pywikibot's (`-name`, `-name:value`); pywikibot's own global options (`-simulate`,
`-user:`, `-log` ...) and its page generator options (`-cat:`, `-page:` ...) are left to pywikibot,
which consumes them first (`pywikibot_args`), or, for a bot that works offline, accepted as given.

`command` wraps a bot's body: `-help`, then the parse, then the body; a usage error, a refused
write, the stop page, a damaged ledger, an unreachable wiki or a missing terminal each end in one
line on stderr and the exit code of the one table (bots.core.exitcodes), never a traceback.
"""
from __future__ import annotations

import difflib
import gc
import re
import sys
from dataclasses import dataclass, field
from typing import Callable, Iterable, NoReturn

from bots.core.exitcodes import EXIT_HELP, ExitCode
import bots.site  # noqa: F401 - names the project's pywikibot folder before any bot imports pywikibot

__all__ = ["ExitCode", "EXIT_HELP", "UsageError", "NoTerminal", "Option", "Spec", "Options", "flag", "text",
           "number", "choice", "path", "optional", "FORMAT", "ENGINE", "PROCESSES", "ALWAYS", "summary", "simulate", "command", "pywikibot_args",
           "print_diff", "diff_text", "wants_help", "GENERATOR_HELP", "PYWIKIBOT_GLOBALS", "outage_message"]

GENERATOR_HELP = ("pywikibot's page generator options (the live wiki), e.g. -cat:Earth-1389,\n"
                  + " " * 22 + "-page:TITLE, -start:!, -ns:0, -recentchanges:60; all content pages by default")

# pywikibot.handle_args takes these (and -NAME:N for a numeric setting such as -max_retries:2).
PYWIKIBOT_GLOBALS = {"dir", "config", "site", "family", "lang", "code", "user", "putthrottle", "pt", "log",
                     "logname", "nolog", "cosmeticchanges", "cc", "simulate", "debug", "verbose", "v",
                     "daemonize", "maxlag"}


class UsageError(ValueError):
    """A command line or configuration that cannot be used (exit 2)."""


class NoTerminal(RuntimeError):
    """pywikibot wanted to ask something, and there is nobody to answer (cron has no keyboard)."""


# -- options -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    name: str
    help: str
    # flag | text | number | choice | path | optional (a flag that may take a value) | global (pywikibot's,
    # listed in the help only)
    kind: str = "flag"
    default: object = None
    choices: tuple[str, ...] = ()
    metavar: str = "VALUE"

    @property
    def signature(self) -> str:
        if self.kind in ("flag", "global"):
            return f"-{self.name}"
        if self.kind == "choice":
            return f"-{self.name}:{'|'.join(self.choices)}"
        if self.kind == "engine":
            return f"-{self.name}:local|dask|dask:tcp://HOST:PORT"
        if self.kind == "optional":
            return f"-{self.name}[:{self.metavar}]"
        return f"-{self.name}:{self.metavar}"

    def convert(self, raw: str) -> object:
        if self.kind == "number":
            if not raw.isdigit() or int(raw) < 1:
                raise UsageError(f"-{self.name} takes a positive whole number, not {raw!r}")
            return int(raw)
        if self.kind == "choice" and raw not in self.choices:
            raise UsageError(f"-{self.name} takes {' or '.join(self.choices)}, not {raw!r}")
        if self.kind == "engine":
            from bots.core.engine import parse_engine
            try:
                return parse_engine(raw)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
        return raw


def flag(name: str, help: str) -> Option:
    return Option(name, help, "flag", False)


def text(name: str, help: str, default: str | None = None, metavar: str = "TEXT") -> Option:
    return Option(name, help, "text", default, metavar=metavar)


def number(name: str, help: str, default: int | None = None, metavar: str = "N") -> Option:
    return Option(name, help, "number", default, metavar=metavar)


def choice(name: str, choices: Iterable[str], help: str, default: str | None = None) -> Option:
    return Option(name, help, "choice", default, tuple(choices))


def path(name: str, help: str, default: str | None = None, metavar: str = "PATH") -> Option:
    return Option(name, help, "path", default, metavar=metavar)


def optional(name: str, help: str, metavar: str = "VALUE") -> Option:
    """`-name` alone (True) or `-name:VALUE`."""
    return Option(name, help, "optional", None, metavar=metavar)


def _engine_option() -> Option:
    from bots.core.engine import ENGINE_HELP, Engine
    return Option("engine", ENGINE_HELP, "engine", Engine("local"))


# The engine of the bulk bots (check, harvest, timeline): declared once, here.
ENGINE = _engine_option()
PROCESSES = number("processes", "check pages in N processes, or N Dask workers with -engine:dask (default: one\n"
                   "per core); a dump in pieces is read by those processes too, a piece each")
FORMAT = choice("format", ("text", "json"), "json: print the result as one JSON document on stdout", "text")


def simulate(help: str) -> Option:
    """pywikibot's -simulate, listed in a bot's help with what it means there (pywikibot parses it)."""
    return Option("simulate", help + " (pywikibot's global option)", "global")
ALWAYS = flag("always", "accepted, as pywikibot's scripts take it: the bots never ask (cron has no keyboard)")


def summary(default: str) -> Option:
    return text("summary", f"the edit summary (default: {default!r})", default)


@dataclass
class Options:
    """A parsed command line: the bot's own values (defaults filled in), and what is left for
    pywikibot (`others`: its global and page generator options) and the positional words."""

    values: dict[str, object] = field(default_factory=dict)
    others: list[str] = field(default_factory=list)
    positional: list[str] = field(default_factory=list)
    rest: list[str] = field(default_factory=list)       # page generator options, once pywikibot has seen them

    def get(self, name: str, default=None):
        value = self.values.get(name)
        return default if value is None else value

    def flag(self, name: str) -> bool:
        return bool(self.values.get(name, False))

    @property
    def simulate(self) -> bool:
        return any(a == "-simulate" or a.startswith("-simulate:") for a in self.others)

    @property
    def as_json(self) -> bool:
        return self.values.get("format") == "json"

    def offline(self, what: str = "this command") -> None:
        """Working without the wiki: pywikibot's global options are accepted as given (-simulate means
        write nothing); anything else is unknown."""
        for arg in self.others:
            key, sep, value = arg[1:].partition(":")
            if key in PYWIKIBOT_GLOBALS or (sep and re.fullmatch(r"[a-z][a-z_]*", key) and value.isdigit()):
                continue
            raise UsageError(f"unknown option {arg!r} ({what} works without the wiki: page generator "
                             "options need the live wiki)")


@dataclass(frozen=True)
class Spec:
    options: tuple[Option, ...]
    generators: bool = False        # the bot reads pages through pywikibot's page generator options
    positional: tuple[str, ...] = ()   # names of the positional words it takes, e.g. ("COMMAND", "NAME")

    def parse(self, args: Iterable[str]) -> Options:
        by_name = {o.name: o for o in self.options if o.kind != "global"}
        opts = Options({o.name: o.default for o in by_name.values()})
        for arg in args:
            if not arg.startswith("-") or arg == "-":
                if len(opts.positional) >= len(self.positional):
                    raise UsageError(f"unexpected argument {arg!r}")
                opts.positional.append(arg)
                continue
            name, sep, value = arg[1:].partition(":")
            opt = by_name.get(name)
            if opt is None:
                opts.others.append(arg)
            elif opt.kind == "flag":
                if sep:
                    raise UsageError(f"-{name} takes no value")
                opts.values[name] = True
            elif opt.kind == "optional" and not sep:
                opts.values[name] = True
            else:
                if not sep or value == "":
                    raise UsageError(f"-{name} needs a value: {opt.signature}")
                opts.values[name] = opt.convert(value)
        return opts

    def help(self) -> str:
        width = 18
        lines = []
        for o in self.options:
            sig = o.signature
            head = f"  {sig:<{width}}  " if len(sig) <= width else f"  {sig}\n  {'':<{width}}  "
            lines.append(head + o.help.replace("\n", "\n  " + " " * (width + 2)))
        return "\n".join(lines)


def wants_help(args: Iterable[str]) -> bool:
    return any(a in ("-help", "--help", "-h") for a in args)


def render_help(doc: str, spec: Spec) -> str:
    return doc.replace("{options}", spec.help()).replace("{exit}", EXIT_HELP).strip()


# -- the one way a bot starts and ends -------------------------------------------------------------
def command(spec: Spec, doc: str) -> Callable[[Callable[[Options], int]], Callable[..., int]]:
    """The bot's `main(*args) -> int`: -help, the parse, the body, and every known failure as one line
    and its exit code (bots.core.exitcodes)."""
    def wrap(body: Callable[[Options], int]) -> Callable[..., int]:
        def main(*args: str) -> int:
            if wants_help(args):
                print(render_help(doc, spec))
                return ExitCode.OK
            try:
                return int(body(spec.parse(args)))
            except BaseException as exc:   # noqa: BLE001 - mapped to an exit code, or raised again
                code = failure(exc)
                if code is None:
                    raise
                return code
        main.__doc__ = render_help(doc, spec)
        main.spec = spec
        return main
    return wrap


def run_as_command(main: Callable[..., int]) -> NoReturn:
    """`python -m bots.NAME`: the bot on the command line's arguments, and its exit code. What the run
    leaves is not collected at the exit (gc.freeze): with pywikibot loaded, the interpreter's last
    collection took 40 ms of each bot's end here (a tenth of an incremental check). Open files and
    connections are closed by their owners, and what is only in a cycle is the kernel's to free."""
    code = main(*sys.argv[1:])
    gc.freeze()
    sys.exit(code)


def _one_line(prefix: str, exc: BaseException) -> None:
    text = " ".join(str(exc).split()) or type(exc).__name__
    print(f"{prefix}: {text}", file=sys.stderr)


def failure(exc: BaseException) -> int | None:
    """The exit code for a failure a bot reports in one line (None: a bug, shown as a traceback)."""
    from bots.core.publish.ledger import LedgerError
    from bots.core.sources import SourceUnavailable
    from bots.core.stoppage import StopRequested
    from bots.core.writeguard import WriteRefused

    if isinstance(exc, UsageError):
        print(f"error: {' '.join(str(exc).split())} (see -help)", file=sys.stderr)
        return ExitCode.USAGE
    if isinstance(exc, (WriteRefused, NoTerminal)) or type(exc).__name__ in ("HostRefused", "ConfigError"):
        _one_line("error", exc)
        return ExitCode.USAGE
    if isinstance(exc, StopRequested):
        _one_line("stopped", exc)
        return ExitCode.STOPPED
    if isinstance(exc, LedgerError):
        _one_line("error", exc)
        return ExitCode.STATE
    if isinstance(exc, SourceUnavailable) or is_outage(exc):
        print(f"error: {outage_message(exc)}", file=sys.stderr)
        return ExitCode.UNAVAILABLE
    errors = sys.modules.get("pywikibot.exceptions")
    if errors is not None and isinstance(exc, errors.Error):
        if isinstance(exc, errors.NoUsernameError):       # no account or a wrong password: configuration
            _one_line("error: cannot log in", exc)
            return ExitCode.USAGE
        if getattr(exc, "code", None) in ("readonly", "maxlag", "ratelimited"):
            print(f"error: {outage_message(exc)}", file=sys.stderr)
            return ExitCode.UNAVAILABLE
        _one_line("error: the wiki refused", exc)
        return ExitCode.FAILED
    return None


def is_outage(exc: BaseException) -> bool:
    """An error that means the wiki cannot be reached or keeps failing (pywikibot gave up retrying)."""
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    errors = sys.modules.get("pywikibot.exceptions")
    if errors is not None and isinstance(exc, (errors.ServerError, errors.ApiTimeoutError,
                                               errors.FatalServerError)):
        return type(exc).__name__ != "HostRefused"
    requests_exc = sys.modules.get("requests.exceptions")
    return requests_exc is not None and isinstance(exc, requests_exc.RequestException)


# The reason inside a requests/urllib3 error text: "[Errno 111] Connection refused", "Read timed out".
_ERRNO = re.compile(r"\[Errno -?\d+\] ([^'\")\]]+)|(Read timed out)")


def outage_message(exc: BaseException, what: str = "is unavailable") -> str:
    """One line naming the wiki and the reason: "the wiki at URL is unavailable: Connection refused"."""
    from bots.core.sources import SourceUnavailable

    if isinstance(exc, SourceUnavailable):
        return str(exc)
    url = ""
    site = sys.modules.get("bots.site.connection")
    if site is not None:
        try:
            url = site.configured_api_url()
        except Exception:   # noqa: BLE001 - the message goes out without it
            url = ""
    raw = " ".join(str(exc).split())
    last = getattr(site, "last_problem", None) if site else None
    errno = _ERRNO.search(raw) or (_ERRNO.search(last) if last else None)
    reason = (errno.group(1) or errno.group(2)).strip() if errno else (raw or type(exc).__name__)
    if not errno and last and last not in reason:
        reason += f"; last error: {last}"
    if len(reason) > 200:
        reason = reason[:199] + "…"
    where = f"the wiki at {url}" if url else "the wiki"
    return f"{where} {what}: {reason} (gave up after the retry budget, GMW_RETRY_BUDGET)"


_NO_ARGS = "-gmw-no-args"


def pywikibot_args(args: Iterable[str], write: bool) -> list[str]:
    """Let pywikibot take its global options (-simulate, -user:, -log ...); returns what is left (the
    page generator options).

    pywikibot reads sys.argv when given no arguments, and keeps -simulate in global state: both are
    wrong when a test or another bot calls main() in the same process, so pin them here. handle_args
    builds the Site, which contacts the wiki: a writing bot runs the loopback guard before that.
    pywikibot asks for a password on the terminal when it has none: without a terminal, that is one
    line and exit 2 (NoTerminal), never an EOFError.
    """
    import pywikibot
    from pywikibot import config

    from bots.site.connection import configured_api_url, guard_writes, log_header_only_to_a_file, quiet_tracebacks

    if write:
        guard_writes(configured_api_url())
    no_prompts()
    log_header_only_to_a_file()
    config.simulate = False
    args = list(args)
    if not {"-v", "-verbose"} & set(args) and not any(a == "-log" or a.startswith("-log:") for a in args):
        # handle_args may already contact the wiki. pywikibot makes its handlers once, at the level
        # -verbose asks for and with the file -log asks for: made here, before it reads them, they would
        # hide what -verbose shows, and write no log file.
        quiet_tracebacks()
    local = pywikibot.handle_args(args or [_NO_ARGS], do_help=False)
    quiet_tracebacks()      # and -log ... make new handlers
    return [a for a in local if a != _NO_ARGS]


def no_prompts() -> None:
    """Where nobody can answer (no terminal), pywikibot's questions raise NoTerminal."""
    import pywikibot

    if sys.stdin is not None and sys.stdin.isatty():
        return

    def refuse(question: str = "", *args, **kwargs):
        raise NoTerminal(f"pywikibot asks {' '.join(str(question).split())!r}, and there is no terminal to "
                         "answer: the bots never prompt (give the account a BotPassword in the password "
                         "file, GMW_PASSWORD_FILE)")

    pywikibot.input = refuse
    pywikibot.input_choice = refuse
    pywikibot.input_yn = refuse


def refuse_dask_without_source(opts: "Options", verb: str) -> None:
    """-engine:dask runs over a -source:'s pieces; the live wiki is read through this machine's
    connection (check, harvest and timeline say so alike)."""
    if opts.get("engine").kind != "local" and not opts.get("source"):
        raise UsageError(f"-engine:dask {verb} a -source: (a dump, a folder, records); the live wiki is read "
                         "with -engine:local")


def pass_to_pywikibot(opts: Options, write: bool, generators: bool) -> None:
    """pywikibot takes its global options; what is left goes to the page generators (`opts.rest`) or,
    for a bot without them, is unknown."""
    left = pywikibot_args(opts.others, write=write)
    if left and not generators:
        raise UsageError(f"unknown option {left[0]!r}")
    opts.rest = left


# -- diffs ---------------------------------------------------------------------------------------
def diff_text(old: str, new: str, title: str) -> str:
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), f"{title} (wiki)", f"{title} (new)",
                                 lineterm="", n=2)
    return "\n".join(lines)


def print_diff(old: str, new: str, title: str, out=None) -> None:
    """A unified diff of a page's text, for -simulate (on stdout: with -format:json the diffs go in
    the JSON document instead)."""
    text = diff_text(old, new, title)
    if text:
        print(text, file=out or sys.stdout)
