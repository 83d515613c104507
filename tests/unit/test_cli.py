"""The bots' shared command line: typed option specs, and options that do not collide with pywikibot's."""
import pytest

from bots.cli import FORMAT, Spec, UsageError, choice, flag, number, optional, text

# pywikibot.handle_args consumes these before a bot sees them (-dir: even moves the config folder).
PYWIKIBOT_GLOBAL = {"dir", "config", "family", "lang", "user", "log", "nolog", "simulate", "verbose",
                    "daemonize", "maxlag", "putthrottle", "debug", "help", "cosmeticchanges", "cc", "logname"}


SPEC = Spec((flag("always", "a"), text("summary", "s", "default summary"), number("workers", "w"),
             choice("mode", ("auto", "edit"), "m", "auto"), optional("report", "r", "PAGE"), FORMAT),
            positional=("COMMAND",))


def test_flags_values_defaults_and_types():
    opts = SPEC.parse(["-always", "-summary:a: b", "-format:json", "-workers:3", "run"])
    assert opts.flag("always") and opts.get("summary") == "a: b" and opts.as_json
    assert opts.get("workers") == 3 and opts.get("mode") == "auto" and opts.positional == ["run"]
    assert SPEC.parse([]).get("summary") == "default summary"
    assert SPEC.parse(["-report"]).get("report") is True and SPEC.parse(["-report:P"]).get("report") == "P"


@pytest.mark.parametrize("args, words", [
    (["-summary"], "needs a value"), (["-summary:"], "needs a value"), (["a", "b"], "unexpected argument"),
    (["-always:x"], "takes no value"), (["-workers:0"], "positive whole number"), (["-workers:two"], "positive"),
    (["-mode:fast"], "takes auto or edit"), (["-format:xml"], "takes text or json")])
def test_usage_errors(args, words):
    with pytest.raises(UsageError, match=words):
        SPEC.parse(args)


def test_other_options_are_left_for_pywikibot_or_refused_offline():
    opts = SPEC.parse(["-cat:Earth-1389", "-simulate", "-max_retries:2", "-format:json"])
    assert opts.others == ["-cat:Earth-1389", "-simulate", "-max_retries:2"] and opts.simulate
    with pytest.raises(UsageError, match="unknown option '-cat:Earth-1389'"):
        opts.offline()
    SPEC.parse(["-simulate", "-user:X", "-max_retries:2"]).offline()     # pywikibot's own: accepted


def test_help_lists_every_option_once():
    text_ = SPEC.help()
    for sig in ("-always", "-summary:TEXT", "-workers:N", "-mode:auto|edit", "-report[:PAGE]", "-format:text|json"):
        assert text_.count(sig) == 1, sig


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


def test_a_command_ends_with_main_s_code_and_leaves_its_objects_to_the_exit_uncollected(monkeypatch):
    import gc
    import sys

    from bots.cli import run_as_command

    monkeypatch.setattr(sys, "argv", ["bots.x", "-a", "b"])
    seen = []
    gc.unfreeze()
    try:
        with pytest.raises(SystemExit) as end:
            run_as_command(lambda *args: seen.append(args) or 3)
        assert end.value.code == 3 and seen == [("-a", "b")]
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
