"""Date rules: cases as data, the seed's one finding and its safe fix, the sample universe, the corpus."""
from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from bots.core.dates.calendar import Calendar
from bots.core.dates.scanner import Date
from bots.core.publish.generate import render_page
from bots.core.sources.records import Record, iter_records
from bots.core.check.rules import dates as date_rules
from bots.core.check.rules import infobox as _infobox_rules  # noqa: F401  (registers the schema rules)
from bots.core.check.rules.base import RULES, PageView, Severity, iter_rules
from bots.core.wikitext.schema import load_schemas

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "seed" / "000_6832f791a49da166.txt"
SCHEMAS = load_schemas()
MINE = ("dates", "schema")


def box(*params: str, name: str = "Infobox historical event") -> str:
    """An infobox call, one parameter a line, starting on line 1."""
    return "\n".join([f"{{{{{name}", "| name = A", "| universe = Earth-1389", *params, "}}"])


def page(text: str, title: str = "Battle of Nowhere") -> PageView:
    return PageView(title, text, {"schemas": SCHEMAS})


def hits(rule_id: str, text: str):
    return list(RULES[rule_id].check(page(text)))


def findings(view: PageView) -> list[tuple[str, object]]:
    return [(r.id, h) for g in MINE for r in iter_rules(g) for h in r.check(view)]


# (rule id, wikitext, expected lines). Every rule has cases that fire and cases that do not.
CASES = [
    ("date-invalid", "x\nOn 31 April 1267 it rained.", [2]),
    ("date-invalid", "x\nOn 29 February 1301 it rained, and on February 30, 1389.", [2, 2]),
    ("date-invalid", "x\n{{Start date|1389|2|30}} and 29 February 1300 (N.S.)", [2, 2]),
    ("date-invalid", box("| date = 29 February 1300", "| date_os = 16 February 1300"), [4]),
    ("date-invalid", "30 April 1267, 29 February 1600, 29 February 1300 (O.S.), 29 February 1300", []),
    ("date-invalid", box("| date = 8 March 1300", "| date_os = 29 February 1300"), []),
    ("date-invalid", "<!-- 31 April 1267 --> 31 April; 2021-04-31x, Winter 31 April 1267.jpg", []),
    ("date-calendar-mismatch", "x\n7 November [O.S. 25 October] 1389", [2]),
    ("date-calendar-mismatch", "x\n\n{{OldStyleDate|7 November|1389|25 October}}", [3]),
    ("date-calendar-mismatch", "x\nOn 25 October 1389 (O.S.; 7 November N.S.) it began.", [2]),
    ("date-calendar-mismatch", box("| date = 7 November 1389", "| date_os = 25 October 1389"), [4]),
    ("date-calendar-mismatch", "2 November [O.S. 25 October] 1389; {{OldStyleDate|February 2|1905|January 20}}", []),
    ("date-calendar-mismatch", "February 22, 1732 [O.S. February 11, 1731]", []),    # O.S. year from 25 March
    ("date-calendar-mismatch", "7 November 1917 [O.S. 25 October]; 25 October 1389 (O.S.)", []),
    ("date-calendar-mismatch", box("| date = 2 November 1389", "| date_os = 25 October 1389"), []),
    ("date-calendar-mismatch", box("| date = November 1389", "| date_os = 25 October 1389"), []),
    ("date-swedish-calendar", "x\nPoltava was fought on 28 June 1709 (8 July, N.S.).", [2]),
    ("date-swedish-calendar", "Fought on 27 June 1709 (8 July, N.S.); 28 June 1720 (9 July N.S.).", []),
    ("chronology-order", "x\nthe First Russian Civil War (1394–1389)", [2]),
    ("chronology-order", "x\nIt lasted from 1394 to 1389, and between 1394 and 1390.", [2, 2]),
    ("chronology-order", "x\nThe assembly sat 25 October 1390 – 5 January 1389.", [2]),
    ("chronology-order", "x\n{{Death date and age|1389|1|1|1390|2|2}}", [2]),
    ("chronology-order", "{{BirthDeathAge|B|1390|1|1|1389|2|2}}", [1]),
    ("chronology-order", box("| date = 5 January 1390", "| end_date = 6 January 1389"), [5]),
    ("chronology-order", "{{Infobox person\n| birth_date = {{birth date|1905|2|2}}\n"
                         "| death_date = {{death date and age|1882|3|6|1905|2|2}}\n}}", [3, 3]),
    ("chronology-order", "(1389–1394), 1389–94, from 1389 to 1394, 3000–2000 BC, 1899–00, pp. 1394–1389", []),
    ("chronology-order", "25 October 1389 – 5 January 1390; {{Death date and age|1390|2|2|1389|1|1}}", []),
    ("chronology-order", box("| date = 12 March 1389", "| end_date = 1389"), []),
    ("chronology-order", box("| date = 3 March 1389", "| date_os = 23 February 1389",
                             "| end_date = 11 March 1389"), []),
    ("infobox-date-mismatch", box("| date = 5 May 1389") + "\nThe battle was fought on 12 June 1389.", [4]),
    ("infobox-date-mismatch", box("| date = 5 May 1389") + "\nThe battle was lost in 1390.", [4]),
    ("infobox-date-mismatch", box("| date = 5 May 1389") + "\nThe battle of 1389 was fought on 12 June.", []),
    ("infobox-date-mismatch", box("| date = 2 November 1389") + "\nIt began on 25 October 1389 (O.S.).", []),
    ("infobox-date-mismatch", box("| date = 5 May 1389") + "\nIt began<ref>Published 3 June 2001.</ref> "
                                                            "on 5 May 1389.\n== Later ==\nOn 9 May 1400.", []),
    ("infobox-date-mismatch", box("| date = 5 January 1390") + "\nIt was to meet on 28 November 1389, but "
                                                                "was delayed until 5 January 1390.", []),
    ("infobox-date-mismatch", "{{Infobox war|place=X}}\nOn 12 June 1389.", []),
]


@pytest.mark.parametrize("rule_id, text, lines", CASES)
def test_rule_case(rule_id, text, lines):
    assert [h.line for h in hits(rule_id, text)] == lines


def test_every_date_rule_has_positive_and_negative_cases():
    ids = {r.id for r in iter_rules("dates")}
    assert ids == {"date-invalid", "date-calendar-mismatch", "date-swedish-calendar", "chronology-order",
                   "infobox-date-mismatch"}
    assert ids == {c[0] for c in CASES if c[2]} == {c[0] for c in CASES if not c[2]}


def test_ids_and_severities():
    expected = {"date-invalid": Severity.ERROR, "date-calendar-mismatch": Severity.ERROR,
                "date-swedish-calendar": Severity.INFO, "chronology-order": Severity.ERROR,
                "infobox-date-mismatch": Severity.WARNING}
    assert {r.id: r.severity for r in iter_rules("dates")} == expected
    assert all(r.doc and "\n" not in r.doc for r in iter_rules("dates"))


def _apply(text: str, edits) -> str:
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def test_seed_has_exactly_the_calendar_error():
    text = SEED.read_text(encoding="utf-8")
    found = findings(page(text, "October Revolution"))
    assert [(rid, h.line) for rid, h in found] == [("date-calendar-mismatch", 3)]
    hit = found[0][1]
    assert hit.fix == "2 November 1389"
    assert "8 days" in hit.message and "October 25th 1389" in hit.message and "November 7th 1389" in hit.message
    fixed = _apply(text, [h.edit for _, h in found if h.edit])
    assert "corresponds to November 2nd 1389 in the Gregorian" in fixed
    assert fixed.replace("November 2nd 1389", "November 7th 1389") == text
    assert not [h for rid, h in findings(page(fixed)) if rid == "date-calendar-mismatch"]


def _universe_pages():
    for rec in iter_records(ROOT / "data" / "universes", SCHEMAS):
        assert isinstance(rec, Record), rec
        yield rec.title, render_page(rec, SCHEMAS[rec.template])


def test_sample_universe_has_only_the_seed_error():
    found = {title: [(rid, h.fix) for rid, h in findings(page(text, title))] for title, text in _universe_pages()}
    assert len(found) >= 5
    assert found.pop("October Revolution") == [("date-calendar-mismatch", "2 November 1389")]
    assert all(v == [] for v in found.values()), found


def test_infobox_pair_fix_rewrites_the_date_value():
    text = box("| date = November 7, 1389", "| date_os = 25 October 1389")
    (hit,) = hits("date-calendar-mismatch", text)
    assert hit.fix == "2 November 1389" and "'date' and 'date_os'" in hit.message
    assert _apply(text, [hit.edit]).splitlines()[3] == "| date = November 2, 1389"
    templated = box("| date = {{Start date|1389|11|07}}", "| date_os = 25 October 1389")
    (hit,) = hits("date-calendar-mismatch", templated)
    assert "{{Start date|1389|11|02}}" in _apply(templated, [hit.edit])


def test_pair_fix_keeps_the_source_style():
    text = "7 November [O.S. 25 October] 1389 and {{OldStyleDate|7 November|1389|25 October}}"
    edits = [h.edit for h in hits("date-calendar-mismatch", text)]
    assert _apply(text, edits) == "2 November [O.S. 25 October] 1389 and {{OldStyleDate|2 November|1389|25 October}}"


def test_no_edit_when_the_year_is_not_shown_and_would_change():
    (hit,) = hits("date-calendar-mismatch", "5 January [O.S. 30 December] 1390")  # N.S. is 7 January 1390
    assert hit.fix == "7 January 1390" and hit.edit is not None
    (hit,) = hits("date-calendar-mismatch", "2 January 1390 [O.S. 28 December]")   # 28 Dec 1389 -> 5 Jan 1390
    assert hit.fix == "5 January 1390"


def test_out_of_order_compares_at_the_coarser_precision_in_one_calendar():
    ooo = date_rules.out_of_order
    assert not ooo(Date.of(1389), Date.of(1389, 3, 12)) and not ooo(Date.of(1389, 3, 12), Date.of(1389))
    assert ooo(Date.of(1390), Date.of(1389, 3, 12))
    julian = Date.of(1389, 10, 26, Calendar.JULIAN)          # 3 November 1389 N.S.
    assert ooo(julian, Date.of(1389, 11, 1, Calendar.GREGORIAN))
    assert not ooo(julian, Date.of(1389, 11, 1))             # unstated: may be Julian too


def test_date_scan_is_cached_on_the_page():
    view = page("On 31 April 1267.")
    list(RULES["date-invalid"].check(view))
    scan = view.extras["_date_scan"]
    list(RULES["chronology-order"].check(view))
    assert view.extras["_date_scan"] is scan


def test_large_page_is_fast():
    text = SEED.read_text(encoding="utf-8")
    view = page(box("| date = 2 November 1389", "| date_os = 25 October 1389") + "\n"
                + (text + "\n\nIn 1394–1389 it was {{Death date and age|1389|1|1|1390|2|2}}.\n") * 330)
    assert len(view.text) > 500_000
    view.article.templates                                   # the shared parse is not the rules' cost
    start = time.perf_counter()
    found = findings(view)
    assert time.perf_counter() - start < 1.0
    assert Counter(rid for rid, _ in found)["date-calendar-mismatch"] == 330


@pytest.mark.corpus
def test_corpus_runs_without_raising(corpus_dir, capsys):
    import sys
    sys.path.insert(0, str(ROOT / "tests"))
    from corpus_pages import iter_corpus_pages

    counts: Counter[str] = Counter()
    invalid = []
    pages = 0
    for _origin, title, text in iter_corpus_pages(corpus_dir):
        pages += 1
        for rid, hit in findings(page(text, title)):
            counts[rid] += 1
            if rid == "date-invalid":
                invalid.append((title, hit.message))
    assert pages > 100
    # No false alarm: the corpus has no wrong O.S./N.S. pair, and one impossible date, which is real
    # (the Samsung article of the DBpedia minidump writes "April 31, 2021").
    assert counts["date-calendar-mismatch"] == 0
    assert invalid == [("Samsung", "'April 31, 2021' is not a real date: April has 30 days")]
    with capsys.disabled():
        print("\ndate/schema hits on the corpus:", dict(counts.most_common()))


@pytest.mark.parametrize("seed", range(3))
def test_range_hint_is_the_two_plain_patterns_in_one_pass(seed):
    # chronology-order looks closer only at a page with a year and a dash, or "from/between YEAR".
    import random
    import re

    from bots.core.check.rules.dates import _RANGE_HINT

    year_dash = re.compile(r"[1-9]\d{3}(?:[ \t]|&nbsp;)*(?:–|—|-|&ndash;|&mdash;|\{\{[Nn]dash\}\})")
    word_year = re.compile(r"(?:From|from|Between|between)[ \t]+\d{4}")
    rng = random.Random(seed)
    parts = ["1389", "0389", "94", "1", " ", "\t", "&nbsp;", "–", "—", "-", "&ndash;", "&mdash;", "{{ndash}}",
             "{{Ndash}}", "From", "from", "Between", "between", "rom", "etween", "F", "b", "x", "é", "\n"]
    for _ in range(2000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 12)))
        expected = bool(year_dash.search(text) or word_year.search(text))
        assert bool(_RANGE_HINT.search(text)) == expected, repr(text)
