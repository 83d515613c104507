"""Finding dates in wikitext: the seed, DBpedia's date cases, pairs, ranges, safe rewrites."""
from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from bots.core.dates.calendar import Calendar, is_valid_day
from bots.core.dates.forms import MONTH_NAMES
from bots.core.dates.scanner import Date, Precision, find_dates, format_like, parse_date

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_6832f791a49da166.txt"
DBPEDIA = Path("dbpedia-extraction-framework") / "dataparser" / "DateTimeParserTest.xml"


# ---------------------------------------------------------------- the seed

@pytest.fixture(scope="module")
def seed_scan():
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED}")
    text = SEED.read_text(encoding="utf-8")
    return text, find_dates(text)


def _by_text(scan):
    return {(m.text, m.line): m for m in scan.dates}


@pytest.mark.parametrize(("text", "line", "iso", "calendar"), [
    ("October 25th 1389", 3, "1389-10-25", Calendar.JULIAN),
    ("November 7th 1389", 3, "1389-11-07", Calendar.GREGORIAN),
    ("October 24th, 1389", 7, "1389-10-24", Calendar.JULIAN),
    ("November 12th, 1389", 9, "1389-11-12", Calendar.UNSTATED),
    ("November 28th 1389", 9, "1389-11-28", Calendar.UNSTATED),
    ("January 5th 1390", 9, "1390-01-05", Calendar.UNSTATED),
    ("1389", 3, "1389", Calendar.UNSTATED),   # "Russian Revolution of 1389"
])
def test_seed_dates(seed_scan, text, line, iso, calendar):
    mention = _by_text(seed_scan[1])[(text, line)]
    assert mention.date.iso() == iso
    assert mention.date.calendar is calendar
    assert mention.date.valid


def test_seed_ranges_and_bare_years(seed_scan):
    text, scan = seed_scan
    line11 = [(m.text, m.role, m.form) for m in scan.dates if m.line == 11]
    assert line11 == [("1389", "start", "range"), ("1394", "end", "range"), ("1394", None, "year")]
    assert text[scan.dates[-1].start - 3:scan.dates[-1].end] == "in 1394"


def test_seed_finds_exactly_these_dates(seed_scan):
    text, scan = seed_scan
    assert len(scan.dates) == 10
    for m in scan.dates:
        assert text[m.start:m.end] == m.text
        assert text.count("\n", 0, m.start) + 1 == m.line
    assert not any(m.text in ("175", "715", "370") for m in scan.dates)


def test_seed_pair_is_inconsistent(seed_scan):
    _, scan = seed_scan
    assert len(scan.pairs) == 1
    pair = scan.pairs[0]
    assert (pair.old_style.text, pair.new_style.text) == ("October 25th 1389", "November 7th 1389")
    assert pair.line == 3
    assert not pair.is_consistent()
    assert pair.expected_new_style() == Date.of(1389, 11, 2, Calendar.GREGORIAN)


# ---------------------------------------------------------------- forms

@pytest.mark.parametrize(("value", "iso"), [
    ("25 October 1389", "1389-10-25"), ("October 25th 1389", "1389-10-25"),
    ("November 12th, 1389", "1389-11-12"), ("October 25, 1389", "1389-10-25"),
    ("Oct. 25, 1389", "1389-10-25"), ("25 Oct 1389", "1389-10-25"), ("25th of October 1389", "1389-10-25"),
    ("1389-10-25", "1389-10-25"), ("{{Start date|1389|10|25}}", "1389-10-25"),
    ("{{start date and age|1389|10|25|df=y}}", "1389-10-25"), ("{{End date|1394|1|5}}", "1394-01-05"),
    ("{{Start date|1389|October|25}}", "1389-10-25"), ("{{Start date|1389|10}}", "1389-10"),
    ("October 1389", "1389-10"), ("1389", "1389"), ("[[1389]]", "1389"),
    ("{{OldStyleDate|7 November|1389|25 October}}", "1389-11-07"),
    ("{{Death date and age|1916|7|3|1849|4|24}}", "1916-07-03"),
    ("Winter Palace, 25 October 1389 (O.S.)", "1389-10-25"),
])
def test_parse_date(value, iso):
    assert parse_date(value).iso() == iso


@pytest.mark.parametrize("value", ["", "175 seats", "page 1389", "http://x.org/1389-10-25",
                                   "Winter 1389.jpg", "<!-- 25 October 1389 -->", "ISBN 978-1-1389-1394-1"])
def test_parse_date_none(value):
    assert parse_date(value) is None


@pytest.mark.parametrize(("text", "years"), [
    ("(1389–1394)", [("1389", "start"), ("1394", "end")]),
    ("1389-1394", [("1389", "start"), ("1394", "end")]),
    ("1389 &ndash; 1394", [("1389", "start"), ("1394", "end")]),
    ("from 1389 to 1394", [("1389", "start"), ("1394", "end")]),
    ("between 1389 and 1394", [("1389", "start"), ("1394", "end")]),
    ("25 October 1389 – 5 January 1390", [("25 October 1389", "start"), ("5 January 1390", "end")]),
    ("in 1394, of 1389, since 1389, by 1390, the year 1389.", [("1394", None), ("1389", None),
                                                            ("1389", None), ("1390", None), ("1389", None)]),
])
def test_ranges_and_bare_years(text, years):
    assert [(m.text, m.role) for m in find_dates(text).dates] == years


@pytest.mark.parametrize("text", [
    "won 175 seats in the 715 seat body", "a total of 1500.", "in 1500 cases", "between 1000 and 2000 soldiers",
    "increased by 2000.", "pp. 1389–1394", "p. 1389", "ISBN 0-1389-1394-5", "[[File:Revolution of 1389.jpg]]",
    "| image = Palace in 1389.png", "<nowiki>25 October 1389</nowiki>", "<pre>in 1389</pre>",
    "<math>in 1389</math>", "[http://example.org/in/1389/25-October-1389 a link]", "6 June 07",
    "[[20 BC]]", "June 50 BC", "[[29 January]] [[300 BC]]", "{{cite book|page=1389|isbn=9781389}}",
    "{{Cite web|access-date=25 October 2020}}", "[[Category:Events of 1389]]",
])
def test_not_dates(text):
    assert find_dates(text).dates == []


@pytest.mark.parametrize(("text", "os_iso", "ns_iso", "consistent"), [
    ("25 October 1389 (O.S.; 2 November N.S.)", "1389-10-25", "1389-11-02", True),
    ("2 November [O.S. 25 October] 1389", "1389-10-25", "1389-11-02", True),
    ("7 November (25 October O.S.) 1389", "1389-10-25", "1389-11-07", False),
    ("November 7 [O.S. October 25], 1917", "1917-10-25", "1917-11-07", True),
    ("25 December 1389 (O.S.; 2 January 1390 N.S.)", "1389-12-25", "1390-01-02", True),
    ("2 January [O.S. 25 December] 1390", "1389-12-25", "1390-01-02", True),
    ("{{OldStyleDate|7 November|1389|25 October}}", "1389-10-25", "1389-11-07", False),
    ("{{OldStyleDate|2 November|1389|25 October}}", "1389-10-25", "1389-11-02", True),
    ("25 October 1389 ([[Old Style and New Style dates|O.S.]]; 2 November [[Old Style and New Style dates|N.S.]])",
     "1389-10-25", "1389-11-02", True),
])
def test_pairs(text, os_iso, ns_iso, consistent):
    scan = find_dates(text)
    assert len(scan.pairs) == 1 and len(scan.dates) == 2
    pair = scan.pairs[0]
    assert pair.old_style.date.calendar is Calendar.JULIAN
    assert pair.new_style.date.calendar is Calendar.GREGORIAN
    assert (pair.old_style.date.iso(), pair.new_style.date.iso()) == (os_iso, ns_iso)
    assert pair.is_consistent() is consistent
    assert text[pair.old_style.start:pair.old_style.end] == pair.old_style.text


def test_single_julian_date_is_not_a_pair():
    scan = find_dates("on October 24th, 1389 (O.S.) the guards")
    assert not scan.pairs
    assert [m.date.calendar for m in scan.dates] == [Calendar.JULIAN]


def test_unrelated_dates_in_both_calendars_are_not_paired():
    scan = find_dates("On 25 October 1389 (O.S.) they rose. On 5 December 1389 (N.S.) they met.")
    assert not scan.pairs and len(scan.dates) == 2


@pytest.mark.parametrize(("text", "calendar", "valid"), [
    ("31 April 1267", Calendar.UNSTATED, False), ("29 February 1301", Calendar.UNSTATED, False),
    ("30 February 1389", Calendar.UNSTATED, False), ("{{Birth date|1389|2|30}}", Calendar.UNSTATED, False),
    ("29 February 1300", Calendar.UNSTATED, True), ("29 February 1300 (O.S.)", Calendar.JULIAN, True),
    ("29 February 1300 (N.S.)", Calendar.GREGORIAN, False), ("1389-02-30", Calendar.UNSTATED, False),
])
def test_impossible_dates_are_kept_and_flagged(text, calendar, valid):
    (mention,) = find_dates(text).dates
    assert (mention.date.calendar, mention.date.valid) == (calendar, valid)


def test_date_model():
    julian = Date.of(1389, 10, 25, Calendar.JULIAN)
    assert julian.to_gregorian() == Date.of(1389, 11, 2, Calendar.GREGORIAN)
    assert julian.sort_key() == (1389, 11, 2) > Date.of(1389, 11, 1).sort_key() > Date.of(1389, 10).sort_key()
    assert (Date.of(1389).iso(), Date.of(1389, 10).iso(), Date.of(1389, 10, 5).iso()) == ("1389", "1389-10", "1389-10-05")
    assert Date.of(1389, 10).precision is Precision.MONTH and Date.of(1389, 10).to_gregorian() == Date.of(1389, 10)


def test_lines_and_template_parameters():
    text = "{{Infobox event\n| name = Red October\n| date = 25 October 1389\n| image = X 1390.jpg\n}}\n"
    (mention,) = find_dates(text).dates
    assert (mention.text, mention.line) == ("25 October 1389", 3)


# ---------------------------------------------------------------- format_like

@pytest.mark.parametrize(("text", "new", "expected"), [
    ("November 7th 1389", (1389, 11, 2), "November 2nd 1389"),
    ("October 24th, 1389", (1389, 11, 3), "November 3rd, 1389"),
    ("25 October 1389", (1389, 11, 21), "21 November 1389"),
    ("Oct. 25, 1389", (1389, 9, 11), "Sep. 11, 1389"),
    ("25 Oct. 1389", (1389, 11, 2), "2 Nov. 1389"),
    ("(1389–1394)", (1390,), "1390"),
    ("[[30 June]], [[1999]]", (1999, 7, 1), "[[1 July]], [[1999]]"),
    ("02 May 1389", (1389, 5, 9), "09 May 1389"),
    ("1389-10-25", (1389, 11, 2), "1389-11-02"),
    ("{{Start date|1389|10|25}}", (1389, 11, 2), "1389|11|2"),
])
def test_format_like(text, new, expected):
    mention = find_dates(text).dates[0]
    out = format_like(mention, Date.of(*new))
    assert out == expected
    # round trip: the rewritten text reads back as the new date, and the old one as itself
    rewritten = text[:mention.start] + out + text[mention.end:]
    assert parse_date(rewritten).iso() == Date.of(*new).iso()
    assert format_like(mention, mention.date) == mention.text


@pytest.mark.parametrize(("text", "which"), [
    ("7 November (25 October O.S.) 1389", "new_style"),
    ("{{OldStyleDate|7 November|1389|25 October}}", "new_style"),
])
def test_format_like_fixes_pair(text, which):
    pair = find_dates(text).pairs[0]
    side = getattr(pair, which)
    fixed = text[:side.start] + format_like(side, pair.expected_new_style()) + text[side.end:]
    assert find_dates(fixed).pairs[0].is_consistent()
    assert "2 November" in fixed


def test_format_like_refuses_what_it_cannot_write():
    pair = find_dates("7 November (25 October O.S.) 1389").pairs[0]
    with pytest.raises(ValueError):
        format_like(pair.new_style, Date.of(1390, 11, 2))
    (year,) = find_dates("in 1394.").dates
    with pytest.raises(ValueError):
        format_like(year, Date.of(1394, 1, 1))


# ---------------------------------------------------------------- properties

@given(st.integers(1000, 2100), st.integers(1, 12), st.integers(1, 31))
def test_generated_dmy_is_found(year, month, day):
    if not is_valid_day(year, month, day, Calendar.GREGORIAN):
        return
    text = f"It happened on {day} {MONTH_NAMES[month - 1]} {year}, they say."
    (mention,) = find_dates(text).dates
    assert mention.date == Date.of(year, month, day)
    assert mention.text == f"{day} {MONTH_NAMES[month - 1]} {year}"


def test_large_page_is_fast(seed_scan):
    text = (seed_scan[0] + "\n<!-- c -->[[File:A 1389.jpg|thumb]] {{Start date|1389|10|25}}\n") * 120  # ~500 KB
    start = time.perf_counter()
    scan = find_dates(text)
    assert time.perf_counter() - start < 1.0
    assert len(scan.pairs) == 120


# ---------------------------------------------------------------- DBpedia's parser cases

# English cases we deliberately do not read; for each, parse_date must return None
# rather than a wrong date.
OUT_OF_SCOPE = {
    "[[20 BC]]": "BC years are out of scope (no negative years)",
    "June 50 BC": "BC years are out of scope",
    "[[January 20]] [[2001 AC]]": "BC years ('AC' = ante Christum) are out of scope",
    "[[January 20]] [[2001 BCE]]": "BC years are out of scope",
    "[[29 January]] [[300 AC]]": "BC years are out of scope",
    "[[29 January]] [[300 BC]]": "BC years are out of scope",
    "[[12 May]] [[12 BC]]": "BC years are out of scope",
    "4th of July": "no year: a Date always has a year",
    "[[November 8]]": "no year: a Date always has a year",
    "6 June 07": "two-digit year: ambiguous where year 7 is a normal year",
    "25 June 45": "two-digit year: ambiguous where year 45 is a normal year",
    "01/10/2007": "all-numeric d/m/y vs m/d/y is ambiguous; not a form the wiki uses",
    "01-10-2007": "all-numeric d-m-y is ambiguous",
    "grr10/10/2007bla": "all-numeric and glued to letters",
    "1999/12/24": "slashed numeric dates are not read (conservative)",
    "100-06-24": "ISO needs a four-digit year",
    "24-06-500": "all-numeric d-m-y is ambiguous",
    "00/44/0000": "DBpedia echoes garbage (month 44); no date is the right answer for us",
    "00-44-0000": "DBpedia echoes garbage (month 44)",
    "0000/44/00": "DBpedia echoes garbage (month 44)",
    "000-44-00": "DBpedia echoes garbage (month 44)",
}


_CASES: list[tuple[str, str]] = []


def _dbpedia_cases(corpus: Path) -> list[tuple[str, str]]:
    if not _CASES:
        root = ET.parse(corpus / DBPEDIA).getroot()
        _CASES.extend((el.text or "", el.get("expected", ""))
                      for el in root.iter("testDate") if el.get("lang") == "en")
    return _CASES


def test_dbpedia_table_is_current(corpus_dir):
    values = {value.strip() for value, _ in _dbpedia_cases(corpus_dir)}
    assert len(_dbpedia_cases(corpus_dir)) == 87
    assert set(OUT_OF_SCOPE) <= values, "the out-of-scope table names cases that no longer exist"


@pytest.mark.parametrize("index", range(87))
def test_dbpedia_case(corpus_dir, index):
    value, expected = _dbpedia_cases(corpus_dir)[index]
    got = parse_date(value)
    reason = OUT_OF_SCOPE.get(value.strip())
    if reason:
        assert got is None, f"{value!r}: out of scope, but read as {got.iso()}"  # refuse, never guess
        pytest.xfail(reason)
    assert (got.iso() if got else "") == expected, value


@pytest.mark.corpus
@pytest.mark.parametrize("folder", ["wtf_wikipedia-cache", "wpcleaner-test-pages"])
def test_corpus_pages_scan_without_error(corpus_dir, folder):
    files = sorted((corpus_dir / folder).glob("*.txt"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        scan = find_dates(text)
        for m in scan.dates:
            assert text[m.start:m.end] == m.text


# The scanner tries its patterns only where a date can start (digit runs, month names, the years
# after a trigger word): the same matches as scanning every position, on text made to trip it.
TRICKY = [
    "In 1389, in  1390 and in&nbsp;1391; Within 1392, c. 1393, ca. 1394, circa 1395, x1396, 1397 in 1398",
    "[[25 October]] [[1389]], 25 October 1389 (O.S.), [[October 25]], [[1389]], 2021-05-06, 12021-05-06",
    "Between 1389 and 1394, from 1394 to 1389, 1389–94, 1389-1390, page 12, pp. 1389–1390, ISBN 1389",
    "May 1389; Mayor 1389; mayday; December 31, 1999 and 31 December 1999; 1 May 89; 5 Jan. 1400",
    "Until\t1400 until 1401 till 1402 Till 1403 before 1404 After 1405 during 1406 year 1407 since 1408",
    "١٢٣٤ 1234 in ١٢٣٤ [[[[1389]]]] [[ 1389 ]] 1389]] [[1389",
]


@pytest.mark.parametrize("text", TRICKY)
def test_fast_scanning_finds_what_a_full_scan_finds(text):
    from bots.core.dates.forms import FULL_FORMS, MONTH_YEAR_RE, RANGE_DASH_RE, TRIGGER_YEAR_RE
    from bots.core.dates.forms import matches_at
    from bots.core.dates.scanner import _Scan, _trigger_years

    scan = _Scan(text)
    spans = lambda ms: [(m.start(), m.end(), m.groupdict()) for m in ms]  # noqa: E731
    for pattern, starts in [(p, scan.month_starts() if form == "mdy" else scan.digit_starts())
                            for form, p in FULL_FORMS] + [(MONTH_YEAR_RE, scan.month_starts()),
                                                          (RANGE_DASH_RE, scan.digit_starts())]:
        assert spans(matches_at(pattern, scan.work, starts)) == spans(pattern.finditer(scan.work))
    assert spans(_trigger_years(scan.work, scan.digit_starts())) == spans(TRIGGER_YEAR_RE.finditer(scan.work))


_TOKENS = ["In", "in", "c.", "ca.", "from", "Between", "and", "to", " ", "  ", "\t", "&nbsp;", "[[", "]]", ",",
           "(O.S.)", "25", "5", "31", "October", "May", "Dec.", "1389", "1394", "94", "2021-05-06", "-", "–",
           "x", "١٢", "page", "{{ndash}}", "\n"]


@given(st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join))
def test_fast_scanning_matches_a_full_scan_on_any_mix(text):
    test_fast_scanning_finds_what_a_full_scan_finds(text)


def test_years_after_trigger_words():
    years = [m.date.year for m in find_dates(TRICKY[0]).dates]
    assert years == [1389, 1390, 1391, 1393, 1394, 1395, 1398]


@pytest.mark.parametrize("seed", range(3))
def test_one_pass_finds_every_digit_run_and_month_start(seed):
    # The scanner finds both kinds of start in one pass of one pattern (a class of first characters).
    import random

    from bots.core.dates.scanner import _Scan

    rng = random.Random(seed)
    months = ["January", "Feb", "Mar", "March", "Apr", "May", "June", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    parts = months + [m.lower() for m in months] + ["Ja", "Ju", "Ma", "A", "S", "O", "N", "D", "JJan", "1", "19",
                                                      "1389", "0", " ", "[[", "]]", "x", "é", "١٢"]
    for _ in range(300):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 30)))
        scan = _Scan(text)
        work = scan.work
        digits = [m.start() for m in re.finditer(r"[0-9]+", work)]
        names = [m.start() for m in re.finditer("Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec", work)]
        with_links = lambda ps: sorted(ps + [p - 2 for p in ps if p >= 2 and work.startswith("[[", p - 2)])  # noqa: E731
        assert scan.digit_starts() == with_links(digits), text
        assert scan.month_starts() == with_links(names), text


def test_a_date_pickles_by_value_and_comes_back_the_same():
    # Every page summary holds dates and is pickled twice (worker to parent, the -since state): the
    # enums go by their value through a plain function, not through Enum's reduce (Python code).
    import pickle

    from bots.core.dates.calendar import Calendar
    from bots.core.dates.model import Date, Precision

    dates = [Date.of(1389, 10, 25, Calendar.JULIAN), Date.of(1389), Date.of(1700, 2, 30, Calendar.SWEDISH),
             Date.of(2021, 5), Date.of(1582, 10, 10, Calendar.GREGORIAN)]
    for d in dates:
        blob = pickle.dumps(d, pickle.HIGHEST_PROTOCOL)
        back = pickle.loads(blob)
        assert back == d and back.calendar is d.calendar and back.precision is d.precision
        assert b"Calendar" not in blob and b"Precision" not in blob
    assert pickle.loads(pickle.dumps(dates[2])).valid is False
    assert Precision.DAY is pickle.loads(pickle.dumps(dates[0])).precision
    # A -since state saved before holds dates pickled the default way: they still load.
    reduce = Date.__reduce__
    del Date.__reduce__
    try:
        old = pickle.dumps(dates[0], pickle.HIGHEST_PROTOCOL)
    finally:
        Date.__reduce__ = reduce
    assert b"Calendar" in old and pickle.loads(old) == dates[0]


def test_a_plain_date_value_is_read_as_the_whole_scan_reads_it():
    # parse_date reads "25 October 1389" and "October 25, 1389" without the scan's passes.
    from bots.core.dates.forms import MONTH_NAMES
    from bots.core.dates.scanner import parse_date, plain_date, scanned_date

    compared = 0
    for year in ("99", "100", "999", "1000", "1300", "1582", "1700", "1712", "1752", "2024", "9999", "0300", "10000"):
        for month in MONTH_NAMES:
            for day in [str(i) for i in range(0, 33)] + ["01", "09", "00"]:
                for value in (f"{day} {month} {year}", f"{month} {day}, {year}"):
                    fast = plain_date(value)
                    if fast is not None:
                        compared += 1
                        assert fast == scanned_date(value), value
    assert compared > 7000
    for other in ("25 Oct 1389", "25 October 1389 (O.S.)", "[[25 October]] 1389", "25 October 1389–1390",
                  "October 25 1389", "25  October 1389", "{{Start date|1389|10|25}}", "1389"):
        assert plain_date(other) is None
        assert parse_date(other) == (scanned_date(other) if other != "1389" else Date.of(1389))
    assert parse_date("30 February 1700").valid is False
