"""O.S./N.S. pairs as real articles write them: one case per phrasing, each right and wrong.

Every form is given twice: as written correctly (one pair, consistent, no finding) and with its N.S.
side off (one date-calendar-mismatch finding whose fix rewrites the N.S. side back). Then the
Swedish calendar, the 25 March year rule, which side the fix rewrites, and texts that are not pairs.
"""
from __future__ import annotations

import pytest

from bots.core.dates.calendar import Calendar
from bots.core.dates.scanner import find_dates
from bots.core.check.rules import dates as _date_rules  # noqa: F401  (registers the date rules)
from bots.core.check.rules.base import RULES, PageView

# (form, right, wrong, fix of the wrong one). The wrong text differs from the right one on its N.S.
# side only, so applying the fix's edit to it gives back the right text.
FORMS = [
    ("bracket O.S. day, shared year", "born on 2 November [O.S. 25 October] 1389 at dawn",
     "born on 7 November [O.S. 25 October] 1389 at dawn", "2 November 1389"),
    ("parenthesised day, O.S. first", "He was born on 9 (20) May 1797 in Moscow.",
     "He was born on 9 (21) May 1797 in Moscow.", "20 May 1797"),
    ("parenthesised day, N.S. first", "He was born on 14 (3) June 1796.", "He was born on 15 (3) June 1796.",
     "14 June 1796"),
    ("parenthesised days in a range", "He reigned 14 (3) June 1796 – 20 (8) May 1801.",
     "He reigned 14 (3) June 1796 – 21 (8) May 1801.", "20 May 1801"),
    ("parenthesised day, month first", "The march on January 9 (22), 1905 ended in blood.",
     "The march on January 9 (23), 1905 ended in blood.", "22 January 1905"),
    ("dates in brackets, no marker", "Mendeleev (27 January [8 February] 1834, Tobolsk) was a chemist.",
     "Mendeleev (27 January [9 February] 1834, Tobolsk) was a chemist.", "8 February 1834"),
    ("dates in parentheses, month first", "He was born on January 27 (February 8), 1834.",
     "He was born on January 27 (February 9), 1834.", "8 February 1834"),
    ("slash, day and month", "The manifesto of 19 February/3 March 1861 freed the serfs.",
     "The manifesto of 19 February/4 March 1861 freed the serfs.", "3 March 1861"),
    ("slash, month and day", "The manifesto of February 19/March 3, 1861 freed the serfs.",
     "The manifesto of February 19/March 4, 1861 freed the serfs.", "3 March 1861"),
    ("slash, days of one month", "He was crowned on 11/22 June 1727.", "He was crowned on 11/23 June 1727.",
     "22 June 1727"),
    ("slash, full dates", "dual dates (e.g., 6 January 1877/18 January 1877) are used",
     "dual dates (e.g., 6 January 1877/19 January 1877) are used", "18 January 1877"),
    ("slash with markers", "It was signed on 30 August (O.S.) / 10 September (N.S.) 1721 at Nystad.",
     "It was signed on 30 August (O.S.) / 11 September (N.S.) 1721 at Nystad.", "10 September 1721"),
    ("year after both dates", "It opened on March 3 [old style] / March 15 [new style], 1825.",
     "It opened on March 3 [old style] / March 16 [new style], 1825.", "15 March 1825"),
    ("year from the sentence before", "The strikes spread in 1917. It began on 26 February Old Style "
     "(11 March New Style).", "The strikes spread in 1917. It began on 26 February Old Style (12 March New "
     "Style).", "11 March 1917"),
    ("slash of days, year from the sentence", "In 1705 the fleet sailed. It left on 1/12 January.",
     "In 1705 the fleet sailed. It left on 1/13 January.", "12 January 1705"),
    ("circa inside the bracket", "Adam Smith (c. 16 June [O.S. c. 5 June] 1723 – 17 July 1790)",
     "Adam Smith (c. 17 June [O.S. c. 5 June] 1723 – 17 July 1790)", "16 June 1723"),
    ("O.S. label in parentheses", "He was born on 20 May 1797 (O.S. 9 May).",
     "He was born on 21 May 1797 (O.S. 9 May).", "20 May 1797"),
    ("comma before the bracket", "Tolstoy was born on 10 September, [O.S. 29 August] 1828.",
     "Tolstoy was born on 11 September, [O.S. 29 August] 1828.", "10 September 1828"),
    ("a list of calendar names", "He died on April 11, 1745 (March 31, 1745, Old Style, Julian calendar).",
     "He died on April 12, 1745 (March 31, 1745, Old Style, Julian calendar).", "11 April 1745"),
    ("in the Gregorian calendar", "Russia changed on 1 February 1918 (14 February in the Gregorian calendar).",
     "Russia changed on 1 February 1918 (15 February in the Gregorian calendar).", "14 February 1918"),
    ("by the Julian calendar", "It began on 25 October 1917 by the Julian calendar (7 November by the "
     "Gregorian calendar).", "It began on 25 October 1917 by the Julian calendar (8 November by the "
     "Gregorian calendar).", "7 November 1917"),
    ("New Style label", "He was born on 4 November 1650 [N.S.: 14 November 1650].",
     "He was born on 4 November 1650 [N.S.: 15 November 1650].", "14 November 1650"),
    ("dual year", "He was born on March 1, 1745 [O.S. February 18, 1744/45].",
     "He was born on March 2, 1745 [O.S. February 18, 1744/45].", "1 March 1745"),
    ("dual year, one digit", "He was born on March 1, 1745 [O.S. February 18, 1744/5].",
     "He was born on March 2, 1745 [O.S. February 18, 1744/5].", "1 March 1745"),
    ("O.S. year of the 25 March reckoning", "Washington was born February 22, 1732 [O.S. February 11, 1731].",
     "Washington was born February 23, 1732 [O.S. February 11, 1731].", "22 February 1732"),
    ("across New Year", "It began on January 10 [O.S. December 28] 1905.",
     "It began on January 11 [O.S. December 28] 1905.", "10 January 1905"),
    ("OldStyleDate", "born {{OldStyleDate|2 February|1905|20 January}} in Saint Petersburg",
     "born {{OldStyleDate|3 February|1905|20 January}} in Saint Petersburg", "2 February 1905"),
    ("OldStyleDate with the O.S. year", "born {{OldStyleDate|10 January|1905|28 December|1904}}",
     "born {{OldStyleDate|11 January|1905|28 December|1904}}", "10 January 1905"),
    ("OldStyleDateDY", "Franklin ({{OldStyleDateDY|17 January|1706|6 January 1705}} – April 17, 1790)",
     "Franklin ({{OldStyleDateDY|18 January|1706|6 January 1705}} – April 17, 1790)", "17 January 1706"),
    ("OldStyleDateDY, month first with a comma", "({{OldStyleDateDY|February 22,|1732|February 11, 1731}})",
     "({{OldStyleDateDY|February 23,|1732|February 11, 1731}})", "22 February 1732"),
    ("OldStyleDateNY, year from the sentence", "In 1727 Newton died on {{OldStyleDateNY|31 March|20 March}}.",
     "In 1727 Newton died on {{OldStyleDateNY|30 March|20 March}}.", "31 March 1727"),
    ("OldStyleDateNY with a date template", "| birth_date = {{OldStyleDateNY|{{Birth date|df=y|1643|01|04}}|"
     "25 December 1642}}", "| birth_date = {{OldStyleDateNY|{{Birth date|df=y|1643|01|05}}|25 December 1642}}",
     "4 January 1643"),
    ("OldStyleDateNY with full dates", "born {{OldStyleDateNY|4 January 1643|25 December 1642}}",
     "born {{OldStyleDateNY|5 January 1643|25 December 1642}}", "4 January 1643"),
    ("Old Style to New Style", "born {{Old Style to New Style|20 January|1905|2 February}}",
     "born {{Old Style to New Style|20 January|1905|3 February}}", "2 February 1905"),
    ("side by side in an infobox", "| birth_date = {{birth date|df=yes|1650|11|4}}<br />{{small|[<nowiki />"
     "[[Old Style and New Style dates|N.S.]]: 14 November 1650<nowiki />]}}",
     "| birth_date = {{birth date|df=yes|1650|11|4}}<br />{{small|[<nowiki />[[Old Style and New Style "
     "dates|N.S.]]: 15 November 1650<nowiki />]}}", "14 November 1650"),
    ("joined by 'but on'", "He was born on 14 November 1650 by Gregorian reckoning, but on 4 November 1650 by "
     "Julian.", "He was born on 15 November 1650 by Gregorian reckoning, but on 4 November 1650 by Julian.",
     "14 November 1650"),
    ("three calendars", "Date: 19 November 1700 (O.S.), 20 November 1700 (S.S.), 30 November 1700 (N.S.)",
     "Date: 19 November 1700 (O.S.), 20 November 1700 (S.S.), 1 December 1700 (N.S.)", "30 November 1700"),
    ("a bracket after a date template", "| birth_date = {{birth date|1828|9|9|df=y}} [O.S. 28 August]",
     "| birth_date = {{birth date|1828|9|10|df=y}} [O.S. 28 August]", "9 September 1828"),
    ("labelled date templates", "| death_date = [[Old Style and New Style dates|OS]]: {{death date|1726|03|20|df=y}}"
     "<br>&nbsp;[[Old Style and New Style dates|NS]]: {{death date|1727|03|31|df=y}}",
     "| death_date = [[Old Style and New Style dates|OS]]: {{death date|1726|03|20|df=y}}<br>&nbsp;[[Old Style "
     "and New Style dates|NS]]: {{death date|1727|04|01|df=y}}", "31 March 1727"),
    ("markers after date templates", "{{birth date|1828|8|28}} (O.S.)<br>{{birth date|1828|9|9}} (N.S.)",
     "{{birth date|1828|8|28}} (O.S.)<br>{{birth date|1828|9|10}} (N.S.)", "9 September 1828"),
    ("the day of the month", "He died on the 16th (28th) of March 1881.", "He died on the 16th (29th) of March 1881.",
     "28 March 1881"),
    ("the day of the month, both months", "born on the 28th of August (9th of September) 1828",
     "born on the 28th of August (10th of September) 1828", "9 September 1828"),
    ("a marker in parentheses inside the bracket", "born 9 September (N.S.) [28 August (O.S.)] 1828",
     "born 10 September (N.S.) [28 August (O.S.)] 1828", "9 September 1828"),
    ("one side stated, joined by 'i.e.'", "born on 28 August 1828 in the Julian calendar, i.e. 9 September 1828",
     "born on 28 August 1828 in the Julian calendar, i.e. 10 September 1828", "9 September 1828"),
    ("labels on an infobox list", "  • N.S.: 7 September 1812\n  • O.S.: 26 August 1812",
     "  • N.S.: 8 September 1812\n  • O.S.: 26 August 1812", "7 September 1812"),
    ("year from the section heading", "== 1917 ==\nOn 23 February O.S. (8 March N.S.) the protests began.",
     "== 1917 ==\nOn 23 February O.S. (9 March N.S.) the protests began.", "8 March 1917"),
    ("OldStyleDateNY, year after the template", "Newton was born {{OldStyleDateNY|4 January|25 December}} 1643.",
     "Newton was born {{OldStyleDateNY|5 January|25 December}} 1643.", "4 January 1643"),
    ("linked OldStyleDate parameters", "{{OldStyleDate|[[2 February]]|[[1905]]|[[20 January]]}}",
     "{{OldStyleDate|[[3 February]]|[[1905]]|[[20 January]]}}", "2 February 1905"),
    ("no-break spaces", "born 9&nbsp;September [O.S.&nbsp;28&nbsp;August] 1828",
     "born 10&nbsp;September [O.S.&nbsp;28&nbsp;August] 1828", "9 September 1828"),
    ("no-break spaces of a rendered page", "born 9\u00a0September [O.S. 28\u00a0August] 1828",
     "born 10\u00a0September [O.S. 28\u00a0August] 1828", "9 September 1828"),
    ("abbreviated months", "d. Saint Petersburg, 29 Jan. (10 Feb.) 1837.", "d. Saint Petersburg, 29 Jan. (11 Feb.) 1837.",
     "10 February 1837"),
    ("a marker with '=' before the date it names", "He died on 7 December 1799 (O.S. = November 26th.)",
     "He died on 8 December 1799 (O.S. = November 26th.)", "7 December 1799"),
    ("no-break space inside the marker", "born 9 September [Old\u00a0Style 28 August] 1828",
     "born 10 September [Old\u00a0Style 28 August] 1828", "9 September 1828"),
    ("lower-case markers, parenthesised", "It opened on 3 March (old style) / 15 March (new style) 1825.",
     "It opened on 3 March (old style) / 16 March (new style) 1825.", "15 March 1825"),
]


def page(text: str) -> PageView:
    return PageView("Battle of Nowhere", text, {})


def hits(rule_id: str, text: str):
    return list(RULES[rule_id].check(page(text)))


@pytest.mark.parametrize("form, right, wrong, fix", FORMS, ids=[f[0] for f in FORMS])
def test_right_pair_is_read_and_accepted(form, right, wrong, fix):
    scan = find_dates(right)
    assert scan.pairs, f"{form}: no pair read in {right!r}"
    assert all(p.is_consistent() for p in scan.pairs), [(p.old_style.text, p.new_style.text) for p in scan.pairs]
    assert all(p.old_style.date.calendar in (Calendar.JULIAN, Calendar.SWEDISH) for p in scan.pairs)
    assert all(p.new_style.date.calendar is Calendar.GREGORIAN for p in scan.pairs)
    assert hits("date-calendar-mismatch", right) == []


@pytest.mark.parametrize("form, right, wrong, fix", FORMS, ids=[f[0] for f in FORMS])
def test_wrong_pair_is_reported_and_fixed(form, right, wrong, fix):
    found = hits("date-calendar-mismatch", wrong)
    assert len(found) == 1, f"{form}: {[h.message for h in found]}"
    (hit,) = found
    assert hit.fix == fix
    assert hit.edit is not None
    start, end, new = hit.edit
    assert wrong[:start] + new + wrong[end:] == right


def test_the_later_day_is_the_new_style_one():
    (a,) = find_dates("born 9 (20) May 1797").pairs
    (b,) = find_dates("born 14 (3) June 1796").pairs
    assert (a.old_style.text, a.new_style.text) == ("9", "20")
    assert (b.old_style.text, b.new_style.text) == ("3", "14")


def test_a_difference_that_is_neither_the_gap_nor_its_negative_is_an_error():
    # 9 and 21 May 1797 are 12 days apart, the gap is 11: the later day is read as N.S. and is wrong
    (hit,) = hits("date-calendar-mismatch", "born 9 (21) May 1797")
    assert hit.fix == "20 May 1797" and "11 days apart in 1797" in hit.message


@pytest.mark.parametrize("text", [
    "on the night of 5/6 June 1944 the landings began",          # a night across two days
    "Fares rose 1/2 May 1800 by a penny",                        # one day apart: not a calendar pair
    "The film premiered on 12 May 2003 (20 May in the US).",
    "It premiered on 12 May 2003 (20 May) in London.",           # a year no country counted in Julian
    "Store opened in Dartmouth, N.S., on 5 May 1975 (7 May).",
    "He wrote on 3 May (4 May) 1800 to his brother.",            # one day apart
    "Scores 21 (12) May 2001",
    "won 3 (10) matches in May 1700",
])
def test_not_pairs(text):
    assert find_dates(text).pairs == []
    assert hits("date-calendar-mismatch", text) == []


def test_markers_the_wrong_way_round_on_a_consistent_pair_are_not_an_error():
    # the source labels the later day O.S.; the days are still one day, the earlier one in the Julian
    (pair,) = find_dates("The treaty was signed August 30 (September 10, O.S.), 1721 at Nystad.").pairs
    assert (pair.old_style.text, pair.new_style.text) == ("August 30", "September 10")
    assert pair.is_consistent()
    assert hits("date-calendar-mismatch", "The treaty was signed August 30 (September 10, O.S.), 1721.") == []


def test_markers_the_wrong_way_round_on_an_inconsistent_pair_are_taken_as_written():
    (hit,) = hits("date-calendar-mismatch", "The treaty was signed August 30 (September 12, O.S.), 1721.")
    assert hit.fix == "23 September 1721"       # same year: only December and January cross New Year


def test_marked_pairs_are_checked_whatever_their_gap():
    # with markers the text states the pair, so even a gap far from the right one is reported
    (hit,) = hits("date-calendar-mismatch", "It began on 25 October 1389 (O.S.; 7 November N.S.).")
    assert hit.fix == "2 November 1389"


# ---------------------------------------------------------------- the Swedish calendar

@pytest.mark.parametrize("text", [
    "The battle was fought on 28 June 1709 (8 July, N.S.).",                  # only the Swedish reading fits
    "It was fought on 8 July [S.S. 28 June] 1709.",
    "It was fought on 28 June 1709 (Swedish calendar), 8 July 1709 (N.S.).",
    "Date: 20 November 1700 (S.S.), 30 November 1700 (N.S.)",
    "The ship sailed on 30 February 1712 (S.S.) / 11 March 1712 (N.S.).",     # Sweden's doubled leap day
])
def test_a_pair_in_the_swedish_calendar_is_info_not_an_error(text):
    assert hits("date-calendar-mismatch", text) == []
    (note,) = hits("date-swedish-calendar", text)
    assert "Swedish calendar" in note.message
    assert RULES["date-swedish-calendar"].severity.value == "info"
    assert all(p.is_consistent() for p in find_dates(text).pairs)


@pytest.mark.parametrize("text, fix", [
    ("The battle was fought on 28 June 1709 (10 July, N.S.).", "9 July 1709"),  # neither reading fits
    ("It was fought on 28 June 1720 (8 July, N.S.).", "9 July 1720"),          # after 1712: Julian only
    ("It was fought on 8 July [S.S. 27 June] 1709.", "7 July 1709"),           # stated Swedish, wrong
])
def test_pairs_the_swedish_calendar_does_not_explain_are_errors(text, fix):
    (hit,) = hits("date-calendar-mismatch", text)
    assert hit.fix == fix
    assert hits("date-swedish-calendar", text) == []


def test_swedish_dates_are_real_dates():
    assert hits("date-invalid", "On 30 February 1712 (S.S.) the year had a thirty-day February.") == []
    assert hits("date-invalid", "On 30 February 1712 the year had a thirty-day February.") == []
    assert [h.line for h in hits("date-invalid", "On 30 February 1713 nothing happened.")] == [1]


# ---------------------------------------------------------------- the 25 March year rule

@pytest.mark.parametrize("text", [
    "February 22, 1732 [O.S. February 11, 1731]", "February 22, 1732 [O.S. February 11, 1732]",
    "March 1, 1745 [O.S. February 18, 1744/45]", "April 13, 1743 [O.S. April 2, 1743]",
    "{{OldStyleDateDY|17 January|1706|6 January 1705}}",
])
def test_either_year_reckoning_is_accepted(text):
    assert hits("date-calendar-mismatch", text) == []


@pytest.mark.parametrize("text", [
    "February 22, 1732 [O.S. February 11, 1730]",     # two years off
    "April 13, 1743 [O.S. April 2, 1742]",            # after 25 March the year had begun
    "June 5, 1745 [O.S. May 25, 1744/45]",            # a dual year after 25 March
    "March 1, 1745 [O.S. February 18, 1743/44]",      # a dual year of the wrong years
    "{{OldStyleDateDY|17 January|1706|6 January 1703}}",
])
def test_a_wrong_year_rule_is_an_error_of_its_own(text):
    (hit,) = hits("date-calendar-mismatch", text)
    assert "not the same year" in hit.message and hit.edit is None


# ---------------------------------------------------------------- which side the fix rewrites

def test_only_the_os_side_can_be_wrong_when_the_ns_date_is_given_elsewhere():
    text = ("{{Infobox person\n| birth_date = {{birth date|1828|9|9}}\n}}\n"
            "'''Leo Tolstoy''' (9 September [O.S. 27 August] 1828 – 20 November 1910) was a writer.")
    (hit,) = hits("date-calendar-mismatch", text)
    assert "only the O.S. side can be wrong" in hit.message and "line 2" in hit.message
    assert hit.fix == "28 August 1828 (O.S.)"
    start, end, new = hit.edit
    assert text[start:end] == "27 August" and new == "28 August"


def test_the_ns_side_is_rewritten_when_the_os_date_is_given_elsewhere_too():
    text = ("{{Infobox person\n| birth_date = {{birth date|1828|9|9}}\n}}\n"
            "'''Leo Tolstoy''' (10 September [O.S. 28 August] 1828) was a writer. He was born on 28 August 1828 "
            "(O.S.).")
    (hit,) = hits("date-calendar-mismatch", text)
    assert "only the O.S. side" not in hit.message and hit.fix == "9 September 1828"


def test_a_lady_day_os_side_is_rewritten_in_its_own_reckoning():
    text = "| birth_date = {{birth date|1732|2|22}}\n'''Washington''' (February 22, 1732 [O.S. February 12, 1731])"
    (hit,) = hits("date-calendar-mismatch", text)
    assert hit.fix == "11 February 1731 (O.S.)"
    start, end, new = hit.edit
    assert new == "February 11, 1731"


def test_a_yearless_pair_without_a_dated_context_is_not_guessed():
    assert find_dates("It began on 26 February Old Style (11 March New Style).").pairs == []
