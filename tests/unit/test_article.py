"""The article model: byte-exact round trip, infoboxes, links, categories, sections, universe."""
import pytest

from bots.core.wikitext.article import Article

PAGE = """{{Universe|Earth-1389}}
{{infobox_historical event
| name = Storming &#124; of the Palace
| universe = Earth-1389
| date = 8 November 1389
}}
The '''storming''' followed the [[february_Revolution#Aftermath|February Revolution]] and
[[October Revolution]]; see [[:Category:Earth-1389]] and [[File:Palace.jpg|thumb|The [[Winter Palace]]]].

== Background ==
Text.
=== Detail ===
More.
== Aftermath ==
[[Category:Earth-1389]]
[[Category:Revolutions|Storming]]
"""


def test_round_trip_is_byte_exact():
    assert str(Article("X", PAGE)) == PAGE


def test_infobox_params_are_decoded_and_name_normalised():
    box = Article("X", PAGE).infobox
    assert box.name == "Infobox historical event"
    assert box.line == 2
    assert box.params()["name"] == "Storming | of the Palace"
    assert box.raw("name") == "Storming &#124; of the Palace"


def test_links_are_normalised_with_lines():
    links = Article("X", PAGE).links
    assert [(link.target, link.line) for link in links] == [
        ("February Revolution", 7), ("October Revolution", 8), ("Category:Earth-1389", 8),
        ("Winter Palace", 8)]
    assert links[0].fragment == "Aftermath" and links[0].text == "February Revolution"


def test_links_and_templates_inside_bold_and_italic_are_found_in_document_order():
    # Quotes that never close around a link end: MediaWiki still renders the link.
    text = "a [[Foo|''bar]]baz'' and '''{{Outer|[[Inner link]] {{Inner}}}}''' [[Last]]"
    art = Article("X", text)
    assert [link.target for link in art.links] == ["Foo", "Inner link", "Last"]
    assert [(str(t.name), at) for t, at in art.templates] == [("Outer", 28), ("Inner", 51)]
    assert str(art) == text


def test_categories_and_sections():
    art = Article("X", PAGE)
    assert [(c.name, c.sortkey, c.line) for c in art.categories] == [
        ("Earth-1389", None, 15), ("Revolutions", "Storming", 16)]
    assert [(s.title, s.level, s.line) for s in art.sections] == [
        ("Background", 2, 10), ("Detail", 3, 12), ("Aftermath", 2, 14)]
    assert art.lead.startswith("{{Universe") and art.lead.endswith("]]].\n\n")


@pytest.mark.parametrize("title, text, universe, source", [
    ("A", "{{Universe|Earth-1}}{{Infobox historical event|universe=Earth-2}}", "Earth-1", "marker"),
    ("A", "{{Infobox historical event|universe=Earth-2}}", "Earth-2", "infobox"),
    ("Napoleon Bonaparte (Earth-1263)", "Text.", "Earth-1263", "title"),
    ("A", "Text. [[Category:Anti-war]] [[Category:Earth-616]]", "Earth-616", "category"),
    ("A (1389–1394)", "Text. [[Category:Anti-war]]", None, None),
    ("A", "[[:Category:Earth-616]] is linked, not a category", None, None),
])
def test_universe_precedence(title, text, universe, source):
    art = Article(title, text)
    assert art.universe == universe
    if source:
        assert art.universe_claims[0].source == source


def test_bad_wikitext_still_parses_and_round_trips():
    for text in ["{{unclosed", "[[a|b", "<ref>x", "}}]]{{", "\ufffe\u200e", "= = =", ""]:
        assert str(Article("X", text)) == text


def test_the_tree_builder_hands_a_wikicode_back_without_the_originals_imports():
    # mwparserfromhell's parse_anything imports four names on every call, and the Builder calls it
    # for every parameter, link and heading it makes. Article installs a fast path for a Wikicode.
    import mwparserfromhell
    from mwparserfromhell import utils
    from mwparserfromhell.nodes.extras import parameter

    from bots.core.wikitext import treebuild

    calls = []
    original = treebuild._ORIGINAL
    treebuild._ORIGINAL = lambda *a, **k: calls.append(a) or original(*a, **k)
    try:
        text = "{{Infobox x\n" + "".join(f"| p{i} = value {i} [[link {i}]]\n" for i in range(40)) + "}}\n== H ==\n"
        code = mwparserfromhell.parse(text)
    finally:
        treebuild._ORIGINAL = original
    assert str(code) == text
    assert len(code.filter_templates()[0].params) == 40
    assert parameter.parse_anything is treebuild.parse_anything
    assert calls == []                   # before: 2 a parameter, 1 a link, 1 the heading, 1 the name
    # Anything but a Wikicode still goes to the original, which the fast path does not replace.
    assert str(treebuild.parse_anything("{{a|b}}")) == str(utils.parse_anything("{{a|b}}")) == "{{a|b}}"
    assert treebuild.install() == []     # bound once: nothing left to bind


def test_a_nodes_end_is_where_its_text_ends():
    article = Article("X", PAGE + "{{a|{{b|c}}}} {{a|{{b|c}}}}\n")
    assert article.templates
    for node, at in article.templates:
        assert article.end_of(node, at) == at + len(str(node))
        assert article.text[at:article.end_of(node, at)] == str(node)
    box = article.infobox
    assert article.text[box.start:box.end] == str(box.node)


def test_an_infobox_reads_its_parameters_as_the_template_node_does():
    call = ("{{Infobox x\n| a = 1 \n|b=&amp;2\n| a = last \n|  c  =\n| 3rd\n|d = {{nested|x=y}} [[l|k]]\n"
            "| e = <!-- c --> v\n}}")
    box = Article("X", call + "\nText.").infobox
    node = box.node
    for name in ("a", "b", "c", "1", "d", "e", " a ", "missing"):
        expected = str(node.get(name).value).strip() if node.has(name) else None
        assert box.raw(name) == expected, name
    assert box.param_names() == [str(p.name).strip() for p in node.params]
    assert box.get("a") == "last" and box.get("b") == "&2" and box.get("1") == "3rd" and box.get("zz", "-") == "-"
    assert box.params() == {"a": "last", "b": "&2", "c": "", "1": "3rd", "d": "{{nested|x=y}} [[l|k]]",
                            "e": "<!-- c --> v"}
    assert list(box.params()) == ["a", "b", "c", "1", "d", "e"]
