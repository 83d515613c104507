"""Three-way merges (bots.core.wikitext.merge) and generator-owned regions (bots.core.wikitext.regions)."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from bots.core.wikitext.merge import diff3_groups, merge3
from bots.core.wikitext.regions import begin_marker, end_marker, find_regions

BOX = frozenset({"Infobox historical event"})


def page(box_date="1389", background="Generated background.", lead="The lead.", extra="", cats="[[Category:A]]"):
    return (f"{{{{Universe|Earth-1389}}}}\n{{{{Infobox historical event\n| name = N\n| date = {box_date}\n}}}}\n"
            f"{lead}\n\n{begin_marker('Background')}\n== Background ==\n{background}\n{end_marker('Background')}\n"
            f"{extra}\n{cats}\n")


# -- diff3 on lines ------------------------------------------------------------------------------

LINES = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d\n", "e\n"]), max_size=12)


def _merge_lines(base, a, b):
    out, conflict = [], False
    for g in diff3_groups(base, a, b):
        if g[0] == "conflict":
            conflict = True
        else:
            out.extend(g[1])
    return out, conflict


@given(LINES, LINES)
@settings(max_examples=300)
def test_a_change_on_one_side_only_is_taken(base, other):
    assert _merge_lines(base, other, base) == (other, False)
    assert _merge_lines(base, base, other) == (other, False)
    assert _merge_lines(base, other, other) == (other, False)


@given(LINES, LINES, LINES)
@settings(max_examples=300)
def test_a_clean_merge_keeps_every_line_each_side_added(base, a, b):
    merged, conflict = _merge_lines(base, a, b)
    if conflict:
        return
    for side in (a, b):
        for line in set(side) - set(base):
            assert line in merged


def test_different_changes_to_the_same_line_conflict():
    _, conflict = _merge_lines(["x\n", "y\n", "z\n"], ["x\n", "Y1\n", "z\n"], ["x\n", "Y2\n", "z\n"])
    assert conflict


# -- regions -------------------------------------------------------------------------------------

def test_regions_are_found_in_text_order_and_never_overlap():
    text = page()
    found = find_regions(text, BOX)
    assert list(found) == ["template:Infobox historical event", "section:Background"]
    assert text[found["section:Background"].start:].startswith("<!-- gmw-generated: Background -->")
    assert found["template:Infobox historical event"].text.startswith("{{Infobox historical event")


def test_a_begin_marker_without_its_end_is_no_region():
    text = "a\n" + begin_marker("X") + "\nhuman text\n"
    assert find_regions(text) == {}


# -- merge3 --------------------------------------------------------------------------------------

def test_a_persons_paragraph_survives_a_regeneration():
    base = page()
    theirs = base.replace("The lead.\n", "The lead.\n\nA paragraph a person wrote.\n")
    ours = page(box_date="1390", background="New background.")
    m = merge3(base, ours, theirs, BOX)
    assert m.clean and m.kept_theirs and not m.replaced
    assert "A paragraph a person wrote." in m.text and "New background." in m.text and "1390" in m.text
    assert sorted(m.updated) == ["section:Background", "template:Infobox historical event"]


def test_the_same_merge_again_changes_nothing():
    base = page()
    theirs = base.replace("The lead.\n", "The lead.\n\nA paragraph a person wrote.\n")
    ours = page(box_date="1390")
    once = merge3(base, ours, theirs, BOX).text
    assert merge3(ours, ours, once, BOX).text == once


def test_a_region_only_the_person_changed_keeps_their_version():
    base = page()
    theirs = base.replace("Generated background.", "Background, corrected by a person.")
    m = merge3(base, page(box_date="1390"), theirs, BOX)
    assert "Background, corrected by a person." in m.text and not m.replaced


def test_a_region_both_changed_takes_the_new_text_and_says_so():
    base = page()
    theirs = base.replace("Generated background.", "Background, corrected by a person.")
    m = merge3(base, page(background="New background."), theirs, BOX)
    assert "New background." in m.text and "corrected by a person" not in m.text
    assert m.replaced == ["section:Background"]


def test_a_person_and_the_generator_changing_the_same_lines_is_a_conflict_with_lines():
    base = page()
    theirs = base.replace("The lead.", "The lead, as a person rewrote it.")
    m = merge3(base, page(lead="The new generated lead."), theirs, BOX)
    assert not m.clean and m.text is None
    line = theirs.splitlines().index("The lead, as a person rewrote it.") + 1
    assert m.conflicts == [(line, line)]


def test_a_region_whose_markers_a_person_removed_is_theirs():
    base = page()
    theirs = base.replace(begin_marker("Background") + "\n", "").replace(end_marker("Background") + "\n", "")
    m = merge3(base, page(background="New background."), theirs, BOX)
    assert m.clean and "Generated background." in m.text and "New background." not in m.text


def test_a_section_the_record_dropped_goes_and_human_text_around_it_stays():
    base = page(extra="A human line after the section.\n")
    ours = base.replace(base[base.index(begin_marker("Background")):base.index(end_marker("Background"))
                              + len(end_marker("Background")) + 1], "")
    m = merge3(base, ours, base + "More human text.\n", BOX)
    assert m.clean and "== Background ==" not in m.text
    assert "A human line after the section." in m.text and "More human text." in m.text


# -- the case of a page no one edited --------------------------------------------------------------

PIECES = st.sampled_from([
    "Lead line.\n", "Another line.\n", "[[Category:A]]\n", "{{Universe|Earth-1389}}\n",
    "{{Infobox historical event\n| name = N\n| date = 1389\n}}\n",
    "{{Infobox historical event\n| name = M\n| date = 1390\n}}\n",
    f"{begin_marker('Background')}\n== Background ==\nOld.\n{end_marker('Background')}\n",
    f"{begin_marker('Background')}\n== Background ==\nNew.\n{end_marker('Background')}\n",
    f"{begin_marker('Aftermath')}\n== Aftermath ==\nText.\n{end_marker('Aftermath')}\n",
    f"{begin_marker('Aftermath')}\n", "\n",
])
TEXTS = st.lists(PIECES, max_size=8).map("".join)


@given(TEXTS, TEXTS)
@settings(max_examples=400)
def test_a_page_no_one_edited_merges_as_the_general_merge_does(base, ours):
    from bots.core.wikitext.merge import _merge3

    fast, general = merge3(base, ours, base, BOX), _merge3(base, ours, base, BOX)
    assert (fast.text, fast.conflicts, fast.updated, fast.replaced, fast.kept_theirs) == \
        (general.text, general.conflicts, general.updated, general.replaced, general.kept_theirs)
    assert fast.text == ours
