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


def test_prefetched_keeps_order_and_raises_producer_errors():
    import pytest as _pytest

    from bots.core.prefetch import prefetched

    assert list(prefetched(iter(range(1000)), ahead=7)) == list(range(1000))

    def broken():
        yield 1
        raise RuntimeError("wiki gone")
    got = []
    with _pytest.raises(RuntimeError, match="wiki gone"):
        for x in prefetched(broken()):
            got.append(x)
    assert got == [1]
    gen = prefetched(iter(range(10_000)), ahead=3)
    assert next(gen) == 0
    gen.close()          # the consumer stops early: the producer thread must not hang
