"""The bots' shared command line: options must not collide with pywikibot's global ones."""
import pytest

from bots.cli import UsageError, parse_options

# pywikibot.handle_args consumes these before a bot sees them (-dir: even moves the config folder).
PYWIKIBOT_GLOBAL = {"dir", "config", "family", "lang", "user", "log", "nolog", "simulate", "verbose",
                    "daemonize", "maxlag", "putthrottle", "debug", "help", "cosmeticchanges", "cc", "logname"}


def test_flags_and_values():
    opts = parse_options(["-always", "-summary:a: b", "-format:json"], flags=["always"],
                         values=["summary", "format"])
    assert opts.flag("always") and opts.get("summary") == "a: b" and opts.get("format") == "json"


@pytest.mark.parametrize("args", [["-nope"], ["-summary"], ["-summary:"], ["stray"], ["-always:x"]])
def test_usage_errors(args):
    with pytest.raises(UsageError):
        parse_options(args, flags=["always"], values=["summary"])


def test_passthrough_keeps_generator_options():
    opts = parse_options(["-cat:Earth-1389", "-format:json"], values=["format"], passthrough=True)
    assert opts.rest == ["-cat:Earth-1389"]
