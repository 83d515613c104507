"""Escaping: no value can break a template call or inject markup, and nothing is lost."""
import mwparserfromhell
from hypothesis import given, settings, strategies as st

from bots.core.wikitext.escape import escape_value, unescape_value

META = st.sampled_from(list("|{}[]<>=\n~'_&#;: ") + ["}}", "{{", "[[", "]]", "<ref>", "</ref>", "<nowiki>",
                                                      "</nowiki>", "<!--", "-->", "~~~~", "''", "'''",
                                                      "__NOTOC__", "&amp;", "&#124;", "http://x", "ISBN ",
                                                      "{{!}}", "\r\n", "\t"])
VALUES = st.lists(st.one_of(META, st.text(max_size=5)), max_size=12).map("".join)


@given(VALUES)
@settings(max_examples=400)
def test_value_survives_a_template_call(value):
    call = "{{T\n| a = " + escape_value(value) + "\n| b = after\n}}"
    code = mwparserfromhell.parse(call)
    tpls = code.filter_templates(recursive=True)
    assert len(tpls) == 1, call          # no template injected, none broken
    tpl = tpls[0]
    assert [str(p.name).strip() for p in tpl.params] == ["a", "b"]
    assert not code.filter_wikilinks() and not code.filter_tags() and not code.filter_comments()
    assert unescape_value(str(tpl.get("a").value).strip()) == value


def test_plain_values_are_left_alone():
    for v in ["7 November 1389", "O'Brien", "Petrograd", "Bolsheviks; Left SRs", "1,000"]:
        assert escape_value(v) == v
