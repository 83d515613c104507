"""The date checker on real text (tests/data/realdates): the set is sound, and the checker meets its
targets on it: no false alarm on the pairs as written, at least 95% of the planted errors found, and
the right fix for every N.S.-side error found. benchmarks/dates_realworld.py prints the figures."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import realdates  # noqa: E402

from bots.core.dates.calendar import julian_to_gregorian  # noqa: E402

PAIRS = realdates.load_pairs()


def test_every_text_has_a_source_and_annotations():
    texts = sorted(p.name for p in (realdates.DATA / "texts").iterdir())
    sources = (realdates.DATA / "SOURCES.md").read_text(encoding="utf-8")
    assert len(texts) >= 30
    assert sorted(PAIRS) == texts
    for name in texts:
        assert f"| {name} |" in sources, name


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_annotations_are_pieces_of_the_text_and_right(name):
    text = realdates.text_of(name)
    entry = PAIRS[name]
    for p in entry["pairs"] + entry.get("known_errors", []):
        assert text.count(p["near"]) == 1, p["near"]
        assert p["os"] in p["near"] and p["ns"] in p["near"]
    for p in entry["pairs"]:
        # read by hand: the N.S. date is the O.S. one converted (an O.S. year may be the 25 March
        # reckoning's, one less than the Julian year, for a day before 25 March)
        y, m, d = realdates.julian_day_of(p)
        readings = {julian_to_gregorian(y, m, d)}
        if (m, d) < (3, 25):
            readings.add(julian_to_gregorian(y + 1, m, d))
        assert tuple(p["ns_date"]) in readings, p
    for p in entry.get("known_errors", []):
        assert tuple(p["ns_date"]) != julian_to_gregorian(*realdates.julian_day_of(p))


def test_planted_errors_are_recorded_as_made():
    planted = realdates.load_planted()
    assert planted == realdates.plant_errors(PAIRS)
    assert len(planted) >= 4 * sum(len(e["pairs"]) for e in PAIRS.values()) * 0.9
    for item in planted:
        assert realdates.text_of(item["text"]).count(item["before"]) == 1
        assert item["before"] != item["after"]


@pytest.fixture(scope="module")
def figures():
    return realdates.evaluate(PAIRS)


def test_no_false_alarm_on_the_pairs_as_written(figures):
    assert figures.false_alarms == []
    assert figures.known_errors_found == figures.known_errors == 2     # the sources' own errors are found


def test_planted_errors_are_found(figures):
    assert figures.planted >= 200
    assert figures.recall >= 0.95, figures.missed


def test_every_found_ns_side_error_gets_the_right_fix(figures):
    assert figures.ns_caught > 0
    assert figures.ns_fix_right == figures.ns_caught, figures.wrong_fixes
    assert figures.ns_edit_restores == figures.ns_caught


def test_the_swedish_date_of_narva_is_noted(figures):
    assert figures.swedish_notes == 1
