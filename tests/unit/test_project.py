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
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pywikibot', 'requests', 'dask', "
            "'distributed'))\n"
            "print(bad); sys.exit(1 if bad else 0)")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert len(modules) > 20


def test_collecting_the_unit_tests_does_not_import_pywikibot():
    """pywikibot reads user-config.py (and so the wiki's port) once, at import: if collecting the unit
    tests imported it, the integration tests of the same run would find it bound to the wrong wiki."""
    tests = sorted(f"tests.unit.{p.stem}" for p in (ROOT / "tests" / "unit").glob("test_*.py"))
    code = ("import sys, importlib\n"
            f"for m in {tests!r}:\n"
            "    importlib.import_module(m)\n"
            "    if 'pywikibot' in sys.modules: print(m); sys.exit(1)\n")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, f"importing {res.stdout.strip()} imports pywikibot{res.stderr[-2000:]}"
    assert len(tests) > 20


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
        text = path.read_text(encoding="utf-8").replace("cookie_jar.save(", "")   # pywikibot's cookie file, not a page
        offenders += [f"{rel}: {w}" for w in _WRITES if w in text]
    assert offenders == []
    users = [p.relative_to(ROOT).as_posix() for p in (ROOT / "bots").rglob("*.py")
             if "bots.site.write" in p.read_text(encoding="utf-8") and p.relative_to(ROOT).as_posix() != "bots/site/write.py"]
    assert users == ["bots/site/publisher.py"]


# -- the layering (docs/ARCHITECTURE.md) -------------------------------------------------------------
def _modules() -> dict[str, Path]:
    out = {}
    for path in (ROOT / "bots").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _runtime_imports(path: Path) -> list[tuple[str | None, str, int]]:
    """(module, name, level) of every import the module can execute (the body of an
    `if TYPE_CHECKING:` block is for type checkers only and is left out)."""
    out = []

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", getattr(child.test, "attr", "")) == "TYPE_CHECKING":
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                out.extend((alias.name, "", 0) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                out.extend((child.module, alias.name, child.level) for alias in child.names)
            visit(child)
    visit(ast.parse(path.read_text(encoding="utf-8")))
    return out


def _import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps = set()
        for module, member, level in _runtime_imports(path):
            if level:
                base = package.split(".")[: len(package.split(".")) - level + 1]
                module = ".".join(base + ([module] if module else []))
            target = f"{module}.{member}" if f"{module}.{member}" in modules else module
            while target and target not in modules and "." in target:
                target = target.rpartition(".")[0]
            if target in modules and target != name and not name.startswith(target + "."):
                deps.add(target)
            elif module and module.split(".")[0] in ("pywikibot", "requests"):
                deps.add(module.split(".")[0])
        graph[name] = deps
    return graph


ENTRY_POINTS = {f"bots.{name}" for name in BOTS}


def test_the_core_imports_neither_the_site_nor_an_entry_point_nor_pywikibot():
    bad = {m: sorted(d for d in deps if d.startswith("bots.site") or d in ENTRY_POINTS or d == "bots.cli"
                     or d in ("pywikibot", "requests"))
           for m, deps in _import_graph().items() if m.startswith("bots.core")}
    assert {m: d for m, d in bad.items() if d} == {}


def test_the_site_imports_no_entry_point():
    bad = {m: sorted(deps & ENTRY_POINTS) for m, deps in _import_graph().items() if m.startswith("bots.site")}
    assert {m: d for m, d in bad.items() if d} == {}


def test_the_entry_points_are_the_bots_and_nothing_else_lives_beside_them():
    top = {p.stem for p in (ROOT / "bots").glob("*.py")} - {"__init__", "cli"}
    assert top == set(BOTS)


@pytest.mark.parametrize("name", BOTS)
def test_every_bot_runs_as_a_command(name):
    # `python -m bots.NAME` ends through cli.run_as_command (its exit skips the last collection).
    tree = ast.parse((ROOT / "bots" / f"{name}.py").read_text(encoding="utf-8"))
    mains = [node for node in tree.body if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)]
    assert [ast.unparse(node.body[0]) for node in mains] == ["run_as_command(main)"]


def test_no_import_circles_between_modules():
    graph = _import_graph()
    circles, seen = [], set()

    def walk(node, path):
        for dep in graph.get(node, ()):
            if dep in path:
                circles.append(path[path.index(dep):] + [dep])
            elif dep not in seen and dep in graph:
                walk(dep, path + [dep])
        seen.add(node)

    for module in sorted(graph):
        if module not in seen:
            walk(module, [module])
    assert circles == []
