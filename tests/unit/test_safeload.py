"""Bounded inputs: records, jobs and check-config YAML/JSON with aliases refused and limits on size,
values and nesting; XML exports with DOCTYPEs refused and a size limit per revision."""
from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from bots.core.sources import safeload, xmldump
from bots.core.check.config import ConfigError, load_config
from bots.core.jobs.jobsfile import JobsError, load_jobs
from bots.core.sources.records import RecordError, iter_records
from bots.core.wikitext.schema import load_schemas
from bots.core.sources import SourceError, SourcePage, iter_pages

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = load_schemas()


LAUGHS_RECORDS = "\n".join([
    "universe: Earth-1389",
    "articles:",
    "  - title: Laughs",
    "    infobox: {name: L, date: 1 May 1389}",
    '    categories: &c0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    *[f"  - {{title: L{i}, infobox: {{name: L, date: 1 May 1389}}, categories: &c{i} [" + ",".join([f"*c{i - 1}"] * 9)
      + "]}" for i in range(1, 9)],
]) + "\n"


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


def test_a_small_records_file_of_nested_aliases_is_refused_at_once(tmp_path):
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS_RECORDS, encoding="utf-8")
    assert len(path.read_bytes()) < 1200
    # In a child limited to 3 GB: on the old code this grows without bound.
    res = subprocess.run([sys.executable, "-m", "bots.check", f"-source:{path}", "-format:json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, preexec_fn=_limit_memory)
    assert res.returncode == 3, res.stderr[-2000:]
    assert "Traceback" not in res.stderr
    assert "YAML aliases are not accepted (*c0)" in res.stderr and f"{path}:6" in res.stderr


def test_aliases_are_refused_in_jobs_and_check_config_with_the_line(tmp_path):
    jobs = tmp_path / "jobs.yaml"
    jobs.write_text("defaults: &d {bot: check, schedule: '@daily', timeout: 1h}\njobs:\n  - name: a\n    <<: *d\n",
                    encoding="utf-8")
    with pytest.raises(JobsError) as err:
        load_jobs(jobs)
    assert "aliases are not accepted (*d)" in str(err.value) and f"{jobs}:4" in str(err.value)
    config = tmp_path / "c.yaml"
    config.write_text("rules:\n  date-invalid: &x {enabled: false}\n  date-calendar-mismatch: *x\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(config)
    assert f"{config}:3" in str(err.value) and "aliases" in str(err.value)


SMALL = safeload.Limits(max_bytes=1024 * 1024, max_nodes=1000)


def test_the_default_limits():
    assert safeload.RECORDS == safeload.Limits(64 * 2**20, 300_000, 64)
    assert safeload.SETTINGS == safeload.Limits(2**20, 20_000, 64)


@pytest.mark.parametrize("text, why", [
    ("[" + ",".join(["a"] * 1100) + "]", "more than 1,000 values"),
    ("[" * 5000 + "]" * 5000, "nested more than 64 levels deep"),
    ("title: A\nuniverse: X\nlead: " + "1" * 5000 + "\n", "a value cannot be read"),
    ("title: A\nuniverse: X\nlead: 2001-13-45\n", "a value cannot be read"),
])
def test_records_over_the_limits_are_errors_not_crashes(tmp_path, monkeypatch, text, why):
    monkeypatch.setattr(safeload, "RECORDS", SMALL)
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    [err] = list(iter_records(path, SCHEMAS))
    assert isinstance(err, RecordError) and why in err.message and err.message.startswith("refused:")


@pytest.mark.parametrize("text, why", [
    ("[" * 1500 + "]" * 1500, "nested too deeply"),
    ("[" + ",".join(["1"] * 2100) + "]", "more than 1,000 values"),
    ('{"title": ' + "9" * 5000 + "}", "a value cannot be read"),
])
def test_json_records_over_the_limits_are_errors_not_crashes(tmp_path, monkeypatch, text, why):
    monkeypatch.setattr(safeload, "RECORDS", SMALL)
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    [err] = list(iter_records(path, SCHEMAS))
    assert isinstance(err, RecordError) and why in err.message


def test_files_over_the_size_limit_are_refused_before_they_are_read(tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("wb") as f:
        f.truncate(safeload.RECORDS.max_bytes + 10)       # sparse: nothing is written
    [err] = list(iter_records(big, SCHEMAS))
    assert "larger than" in err.message
    jobs = tmp_path / "jobs.yaml"
    with jobs.open("wb") as f:
        f.truncate(safeload.SETTINGS.max_bytes + 1)
    with pytest.raises(JobsError, match="larger than"):
        load_jobs(jobs)


def test_the_project_files_load_within_the_limits():
    assert load_jobs(ROOT / "jobs.yaml")
    assert load_config(ROOT / "check-config.yaml").budget.cpu_seconds == 2
    assert all(not isinstance(r, RecordError) for r in iter_records(ROOT / "data/universes", SCHEMAS))


def _export(pages: list[tuple[str, str]], head: str = "") -> str:
    body = "".join(f"<page><title>{t}</title><ns>0</ns><revision><id>{i + 1}</id><text>{x}</text></revision>"
                   f"</page>\n" for i, (t, x) in enumerate(pages))
    return f'<?xml version="1.0"?>\n{head}<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/">\n{body}</mediawiki>\n'


def test_xml_with_a_doctype_is_refused(tmp_path):
    path = tmp_path / "d.xml"
    head = '<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    path.write_text(_export([("A", "&b;")], head), encoding="utf-8")
    [err] = list(iter_pages(path))
    assert isinstance(err, SourceError) and "DOCTYPE" in err.message


def test_an_oversized_revision_is_skipped_and_the_next_pages_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr(xmldump, "MAX_REVISION_CHARS", 5000)
    path = tmp_path / "e.xml"
    path.write_text(_export([("Before", "x"), ("Huge", ("word " * 40 + "\n") * 200), ("After", "y"),
                             ("Last", "z")]), encoding="utf-8")
    items = list(iter_pages(path))
    assert [type(i).__name__ for i in items] == ["SourcePage", "SourceError", "SourcePage", "SourcePage"]
    assert [i.title for i in items] == ["Before", "Huge", "After", "Last"]
    assert "more than 5000 characters of XML" in items[1].message
    assert items[2].text == "y"


def test_an_oversized_page_file_is_refused(tmp_path, monkeypatch):
    from bots.core import sources
    monkeypatch.setattr(sources, "MAX_PAGE_BYTES", 100)
    (tmp_path / "Big.wikitext").write_text("x" * 101, encoding="utf-8")
    (tmp_path / "Small.wikitext").write_text("x" * 100, encoding="utf-8")
    items = list(iter_pages(tmp_path))
    assert isinstance(items[0], SourceError) and "over the limit" in items[0].message
    assert isinstance(items[1], SourcePage)
