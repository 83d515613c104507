"""The project's own promises: every bot has help, options don't collide with pywikibot's, the pure
core never imports pywikibot, every template file round-trips and carries valid TemplateData."""
from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import mwparserfromhell
import pytest

import bots
import bots.core
from bots.core.wikitext.schema import parse_templatedata
from bots.core.wikitext.template_pages import TEMPLATE_PAGES, iter_page_files

from .test_cli import PYWIKIBOT_GLOBAL

ROOT = Path(__file__).resolve().parents[2]
BOTS = sorted(m.name for m in pkgutil.iter_modules(bots.__path__) if not m.ispkg
              if "\n@command(" in (ROOT / "bots" / f"{m.name}.py").read_text(encoding="utf-8"))


def test_the_bots_are_there():
    assert {"install_templates", "generate", "harvest", "publish", "check", "jobs"} <= set(BOTS)


@pytest.mark.parametrize("name", BOTS)
def test_every_bot_has_help(name):
    res = subprocess.run([sys.executable, "-m", f"bots.{name}", "-help"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "Usage" in res.stdout or "usage" in res.stdout
    assert len(res.stdout.splitlines()) >= 5


@pytest.mark.parametrize("name", BOTS)
def test_bot_options_do_not_collide_with_pywikibot_globals(name):
    spec = importlib.import_module(f"bots.{name}").main.spec
    declared = {o.name for o in spec.options if o.kind != "global"}
    assert not declared & PYWIKIBOT_GLOBAL, declared & PYWIKIBOT_GLOBAL
    assert len(declared) == len([o for o in spec.options if o.kind != "global"])     # declared once


def test_pure_core_does_not_import_pywikibot():
    modules = [m.name for m in pkgutil.walk_packages(bots.core.__path__, "bots.core.")]
    code = ("import sys, importlib\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "from bots.core.check.rules import load_rules; load_rules()\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pywikibot', 'requests'))\n"
            "print(bad); sys.exit(1 if bad else 0)")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert len(modules) > 20


@pytest.mark.parametrize("item", list(iter_page_files()), ids=lambda i: getattr(i, "title", str(i)))
def test_template_files_round_trip_and_their_templatedata_is_valid(item):
    assert hasattr(item, "text"), f"bad template file: {item}"
    assert str(mwparserfromhell.parse(item.text)) == item.text
    if "<templatedata>" in item.text:
        schema = parse_templatedata(item.title, item.text)
        raw = json.loads(item.text.split("<templatedata>")[1].split("</templatedata>")[0])
        assert set(schema.order) == set(raw["params"])


def test_secrets_and_local_data_are_ignored_by_git():
    for path in ("passwords.txt", ".wiki/bot-password.py", ".wiki/data/gmw.sqlite", "throttle.ctrl",
                 "pywikibot-MultiverseBot.lwp", ".state/history.sqlite3", "logs/x.log", "apicache/x"):
        res = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert res.returncode == 0, f"{path} is not ignored"


# The one save path (issue 11): only bots/site/publisher.py writes, through bots/site/write.py.
_WRITES = ("site.write", ".save(", "action=\"edit\"", "action='edit'", "action=\"import\"", "page.put(",
           "userPut", "put_current", ".move(", ".delete(")


def test_one_module_saves_pages():
    offenders = []
    for path in sorted((ROOT / "bots").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ("bots/site/publisher.py", "bots/site/write.py"):
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{rel}: {w}" for w in _WRITES if w in text]
    assert offenders == []
    users = [p.relative_to(ROOT).as_posix() for p in (ROOT / "bots").rglob("*.py")
             if "bots.site.write" in p.read_text(encoding="utf-8") and p.relative_to(ROOT).as_posix() != "bots/site/write.py"]
    assert users == ["bots/site/publisher.py"]
