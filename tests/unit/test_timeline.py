"""Timelines (bots.core.timeline): entries from the harvest, order across calendars and precisions,
spans, what is left out, conflicts, points of divergence, grouping, splitting, escaping, the guard."""
import re

import pytest

from bots.core.timeline.divergence import counterpart_of, difference
from bots.core.timeline.entries import build_entries, date_of, shown
from bots.core.timeline.grouping import choose_level, group_entries
from bots.core.timeline.guard import refusal
from bots.core.timeline.render import REGION, build_timeline, render_pages, stats_of, timeline_title
from bots.core.wikitext.harvest import harvest_page
from bots.core.wikitext.merge import merge3
from bots.core.wikitext.regions import find_regions, section_key
from bots.core.wikitext.schema import load_schemas

SCHEMAS = load_schemas()
REPORT = "Project:Consistency report/Earth-1389"


def rec(title, text, universe="Earth-1389"):
    return harvest_page(title, f"{{{{Universe|{universe}}}}}\n{text}", SCHEMAS)


def box(name, **params):
    return "{{Infobox historical event|name=" + name + "".join(f"|{k}={v}" for k, v in params.items()) + "}}\n"


def timeline(*records, prime=()):
    return build_timeline("Earth-1389", "Timeline of Earth-1389", REPORT, list(records), list(prime))


def text_of(tl, limit=2_000_000):
    return "".join(t for _, t in render_pages(tl, limit))


# -- entries -----------------------------------------------------------------------------------------

def test_entries_sort_on_the_new_style_day_across_calendars():
    # 24 October 1389 O.S. is 1 November N.S.: after 31 October N.S., before 2 November.
    a = rec("A", "The siege ended on 24 October 1389 (O.S.).")
    b = rec("B", "The fair opened on 31 October 1389.")
    c = rec("C", "The bridge fell on 2 November 1389.")
    got = [(e.page, e.shown()) for e in build_entries([c, a, b]).entries]
    assert got == [("B", "31 October 1389"), ("A", "1 November [O.S. 24 October] 1389"),
                   ("C", "2 November 1389")]


def test_a_pair_is_one_entry_shown_as_the_wiki_writes_it():
    r = rec("A", "It began on 25 October 1389 (O.S.) / 2 November 1389 (N.S.).")
    built = build_entries([r])
    assert [e.shown() for e in built.entries] == ["2 November [O.S. 25 October] 1389"]


def test_an_infobox_date_with_its_date_os_is_one_entry_and_the_prose_phrase_is_quoted():
    r = rec("October Revolution", box("October Revolution", date="2 November 1389", date_os="25 October 1389")
            + "The rising in Petrograd on 2 November 1389 changed everything.")
    entries = build_entries([r]).entries
    assert len(entries) == 1
    e = entries[0]
    assert e.shown() == "2 November [O.S. 25 October] 1389" and e.own
    assert e.phrase == "The rising in Petrograd on 2 November 1389 changed everything."


def test_the_old_style_year_is_written_where_it_differs():
    assert shown(date_of("1390-01-11"), date_of("1389-12-31", "julian")) == "11 January 1390 [O.S. 31 December 1389]"


def test_a_year_sits_before_the_days_of_its_year_and_a_month_before_the_days_of_its_month():
    r = rec("A", "On 5 March 1389 it rained.\n\nIn March 1389 it was cold.\n\nIn 1389 it was war.\n\n"
                 "On 1 January 1390 peace.\n\nOn 20 February 1389 snow.")
    assert [e.shown() for e in build_entries([r]).entries] == [
        "1389", "20 February 1389", "March 1389", "5 March 1389", "1 January 1390"]


def test_ranges_are_spans():
    r = rec("War", "The war (1389–1394) was long.\n\nThe truce lasted from 5 May 1390 to 9 June 1390.")
    spans = [e.shown() for e in build_entries([r]).entries]
    assert spans == ["1389 – 1394", "5 May 1390 – 9 June 1390"]
    r2 = rec("Assembly", box("Assembly", date="5 January 1390", end_date="6 January 1390"))
    assert [e.shown() for e in build_entries([r2]).entries] == ["5 January 1390 – 6 January 1390"]


def test_invalid_and_calendar_failing_dates_are_left_out_and_counted():
    r = rec("A", "It began on 31 February 1389.\n\nThe rising on 25 October 1389 (O.S.) / 7 November 1389 (N.S.).\n\n"
                 "The fair on 3 May 1389.")
    r2 = rec("B", box("B", date="7 November 1389", date_os="25 October 1389"))
    built = build_entries([r, r2])
    assert [e.shown() for e in built.entries] == ["3 May 1389"]
    assert built.left_out == {"invalid": 1, "calendar": 2}
    text = text_of(timeline(r, r2))
    assert "3 dates are left out: 1 invalid, 2 failing the calendar check." in text


def test_each_entry_links_its_page_and_section():
    r = rec("Siege of Narva", "Intro.\n\n== Aftermath ==\nThe walls were rebuilt in 1391.")
    text = text_of(timeline(r))
    assert ("* '''1391''' – [[:Siege of Narva#Aftermath|Siege of Narva § Aftermath]]: "
            "“The walls were rebuilt in 1391.”") in text


# -- no injection ------------------------------------------------------------------------------------

HOSTILE = ("[[Category:Spam]] {{Delete}} <script>x</script> ~~~~ __NOTOC__ '''bold''' "
           "<!-- gmw-generated: Timeline --> [http://evil.example x] | = ")


def test_no_data_value_injects_wikitext():
    r = rec("Evil", "Intro.\n\n== A ]] [[Category:X ==\nIt happened on 3 May 1389 " + HOSTILE + ".")
    r["facts"][0]["phrase"] = HOSTILE + r["facts"][0]["phrase"]
    r["facts"][0]["section"] = "]] [[Category:Spam]] {{X}}"
    text = text_of(timeline(r))
    body = text.split("\n", 1)[1]
    # What a reader can make of it: no category, template, tag, signature, magic word, external link,
    # and no second region marker.
    for bad in ("[[Category", "{{", "<script", "~~~~", "__NOTOC__", "[http", "<!-- gmw-generated"):
        assert bad not in body, bad
    assert re.findall(r"\[\[", text) == ["[["]          # the one link, to the page
    assert "[[:Evil|Evil § &#93;&#93; &#91;&#91;Category:Spam" in text    # an unsafe section gives no anchor


def test_a_title_pattern_that_makes_no_page_title_is_refused():
    assert timeline_title("Timeline of {universe}", "Earth-1389") == "Timeline of Earth-1389"
    with pytest.raises(ValueError):
        timeline_title("Timeline of {universe}", "Earth]]{{x}}")


# -- conflicts ---------------------------------------------------------------------------------------

def test_a_conflict_shows_both_dates_marked_with_the_report():
    own = rec("October Revolution", box("October Revolution", date="2 November 1389", date_os="25 October 1389"))
    other = rec("Petrograd", "The city rose in the [[October Revolution]] of 30 October 1389 (O.S.).")
    agreeing = rec("Moscow", "News of the [[October Revolution]] of 25 October 1389 (O.S.) arrived.")
    tl = timeline(own, other, agreeing)
    marked = {e.page: e.conflicts for e in tl.entries}
    assert marked["Moscow"] == ()
    assert marked["Petrograd"] and marked["October Revolution"]
    assert tl.conflicts == 1
    text = text_of(tl)
    assert ("'''Conflict:''' [[:Petrograd|Petrograd]] dates [[:October Revolution|October Revolution]] "
            "30 October 1389 (O.S.), its page gives 2 November &#91;O.S. 25 October&#93; 1389 "
            f"(see [[:{REPORT}|the consistency report]]).") in text
    assert text.count("'''Conflict:'''") == 2          # on both entries


# -- points of divergence ----------------------------------------------------------------------------

def test_points_of_divergence_by_title_and_by_infobox_field_earliest_first():
    prime = [rec("Storming of the Bastille", box("Storming of the Bastille", date="14 July 1789"), "Earth-Prime"),
             rec("Battle of Narva", box("Battle of Narva", date="30 November 1700"), "Earth-Prime"),
             rec("Same Day", box("Same Day", date="1 May 1700"), "Earth-Prime")]
    here = [rec("Storming of the Bastille (Earth-1389)", box("Storming of the Bastille", date="19 July 1789")),
            rec("The Narva rout", box("The Narva rout", date="1702", counterpart="Battle of Narva")),
            rec("Same Day (Earth-1389)", box("Same Day", date="1 May 1700"))]
    tl = timeline(*here, prime=prime)
    got = [(d.event, d.prime, d.difference) for d in tl.divergences]
    assert got == [("The Narva rout", "Battle of Narva", "+2 years"),
                   ("Storming of the Bastille (Earth-1389)", "Storming of the Bastille", "+5 days")]
    text = text_of(tl)
    assert "'''Point of divergence:''' [[:The Narva rout|The Narva rout]], 1702" in text
    assert "| [[:Storming of the Bastille (Earth-1389)|Storming of the Bastille (Earth-1389)]] || 19 July 1789 || " \
           "[[:Storming of the Bastille|Storming of the Bastille]] || 14 July 1789 || +5 days" in text
    assert tl.as_dict()["point_of_divergence"] == "The Narva rout"


def test_differences_in_days_months_and_years():
    from bots.core.timeline.entries import Entry
    e = lambda iso, cal="gregorian": Entry(date_of(iso, cal), "P", "")
    assert difference(e("1789-07-14"), e("1789-07-19")) == "−5 days"
    assert difference(e("1789-07"), e("1789-03-02")) == "+4 months"
    assert difference(e("1789"), e("1789-07-19")) is None          # agree at the coarser precision
    # 25 October 1389 O.S. is 2 November N.S.: the same day.
    julian = Entry(date_of("1389-10-25", "julian").to_gregorian(), "P", "")
    assert difference(julian, e("1389-11-02")) is None


def test_counterpart_of_a_page():
    assert counterpart_of({"title": "X (Earth-1263)"}) == "X"
    assert counterpart_of({"title": "X"}) is None
    assert counterpart_of({"title": "Y", "infoboxes": [{"params": {"counterpart": "[[Z]]"}}]}) == "Z"


# -- grouping and splitting --------------------------------------------------------------------------

def _years(*years):
    return build_entries([rec(f"P{i}", f"It happened in {y}.") for i, y in enumerate(years)]).entries


def test_grouping_follows_density():
    assert choose_level(_years(1389, 1389, 1390, 1390, 1394, 1394)) == "year"
    assert choose_level(_years(*range(1300, 1400, 2))) == "decade"      # 50 years, 10 decades
    assert choose_level(_years(*range(1000, 1900, 20))) == "century"
    assert [g.label for g in group_entries(_years(1301, 1399, 1400, 1401, 1550), "century")] == \
        ["14th century", "15th century", "16th century"]
    assert [g.label for g in group_entries(_years(1389, 1381, 1390), "decade")] == ["1380s", "1390s"]


def test_a_page_over_the_limit_is_split_by_period_with_navigation():
    records = [rec(f"Event {i}", f"It happened in {1300 + i // 3}.") for i in range(300)]
    tl = timeline(*records)
    pages = render_pages(tl, limit=6000)
    assert len(pages) > 3
    main, parts = pages[0], pages[1:]
    assert all(len(t.encode()) <= 6000 for _, t in pages)
    assert f"The timeline is in {len(parts)} parts" in main[1]
    for title, _ in parts:
        assert title.startswith("Timeline of Earth-1389/") and f"[[:{title}|" in main[1]
    # every entry exactly once, in order, over the parts
    lines = [l for _, t in parts for l in t.splitlines() if l.startswith("* ")]
    assert len(lines) == 300
    years = [int(re.match(r"\* '''(\d+)", l).group(1)) for l in lines]
    assert years == sorted(years)
    # navigation: the second part links the first, the main page and the third
    second = parts[1][1]
    assert f"[[:{parts[0][0]}|" in second and "[[:Timeline of Earth-1389|" in second and f"[[:{parts[2][0]}|" in second
    assert render_pages(tl)[0][0] == "Timeline of Earth-1389" and len(render_pages(tl)) == 1


# -- the region and the guard ------------------------------------------------------------------------

def test_the_timeline_is_a_region_and_an_introduction_around_it_survives_a_rebuild():
    r1 = rec("A", "It happened in 1389.")
    r2 = rec("A", "It happened in 1390.")
    old = text_of(timeline(r1))
    assert list(find_regions(old)) == [section_key(REGION)]
    edited = "An editor's introduction.\n\n" + old + "\n== Commentary ==\nMine.\n"
    new = text_of(timeline(r2))
    merged = merge3(old, new, edited)
    assert merged.text is not None
    assert merged.text.startswith("An editor's introduction.\n") and merged.text.endswith("Mine.\n")
    assert "'''1390'''" in merged.text and "'''1389'''" not in merged.text


def test_stats_and_the_drop_guard():
    tl = timeline(*[rec(f"P{i}", f"It happened in {1389 + i}.") for i in range(4)])
    text = text_of(tl)
    assert stats_of(text) == (4, 4) and stats_of("no timeline here") is None
    assert refusal("T", None, 0, 0) is None
    assert refusal("T", (4, 4), 3, 3, 0.3) is None
    assert "half or more" in refusal("T", (4, 4), 2, 4)
    assert "more than 20%" in refusal("T", (10, 100), 9, 79)
    assert refusal("T", (10, 100), 9, 80) is None


def test_the_infobox_knows_the_counterpart_field():
    """The explicit match is a parameter of the infobox's schema: the checks do not call it unknown."""
    param = SCHEMAS["Infobox historical event"].params["counterpart"]
    assert param.type == "wiki-page-name"


# -- the chart -------------------------------------------------------------------------------------------

def test_the_chart_draws_the_entries_on_a_time_axis_and_highlights_the_divergences():
    import xml.etree.ElementTree as ET
    from bots.core.timeline.chart import MAX_MARKS, chart_svg

    entries = _years(1389, 1390, 1391, 1394)
    svg = chart_svg("Earth-<b>&1389", entries, [entries[2]])
    root = ET.fromstring(svg)                                  # well-formed XML, every value escaped
    ns = "{http://www.w3.org/2000/svg}"
    circles = root.findall(f"{ns}circle")
    assert len(circles) == 5                                   # four entries, one divergence
    red = [c for c in circles if c.get("fill") == "#d33"]
    assert len(red) == 1 and red[0].find(f"{ns}title").text.startswith("Divergence: 1391")
    xs = [float(c.get("cx")) for c in circles if c.get("fill") != "#d33"]
    assert xs == sorted(xs) and xs[0] < xs[-1]                 # later entries further right
    assert "Timeline of Earth-<b>&1389: 4 entries" in "".join(root.itertext())
    assert any("Point of divergence: P2 (1391)" == t.text for t in root.findall(f"{ns}text"))
    many = _years(*[1300 + i % 200 for i in range(MAX_MARKS * 2 + 10)])
    big = ET.fromstring(chart_svg("E", many, []))
    assert len(big.findall(f"{ns}circle")) <= MAX_MARKS
