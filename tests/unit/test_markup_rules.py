"""Markup rules: one positive and one negative case per rule, the registry promises, the corpus."""
from __future__ import annotations

import re
import time
from collections import Counter

import pytest

from bots.core.check.rules import markup  # noqa: F401  (registers the markup rules)
from bots.core.check.rules.base import PageView, Severity, iter_rules, RULES
from bots.core.check.rules.markup_structure import isbn_is_valid

TITLE = "Battle of Nowhere"

# (rule id, wikitext, expected lines). Every rule has at least one case that fires and one that does not.
CASES = [
    ("markup-unclosed-tag", "a\n<small>b\nc", [2]),
    ("markup-unclosed-tag", "a\nb</span>", [2]),
    ("markup-unclosed-tag", "<small>a</small> <div>\n<div>b</div>\n</div><br>", []),
    ("markup-unclosed-tag", "<!-- <small> -->\n<nowiki><sup></nowiki> <code><span></code>", []),
    ("markup-unclosed-extension-tag", "x\n<nowiki>[[a]]\n", [2]),
    ("markup-unclosed-extension-tag", "x\n</pre>", [2]),
    ("markup-unclosed-extension-tag", "<nowiki>[[</nowiki> <nowiki/> <math>x</math>\n<pre>a</pre>", []),
    ("markup-unclosed-ref", "Text.<ref>Source\n\n== Notes ==\n<references />", [1]),
    ("markup-unclosed-ref", "a<ref>x\nb<ref>y</ref>", [1]),
    ("markup-unclosed-ref", "a\nb</ref>", [2]),
    ("markup-unclosed-ref", 'a<ref name="x">y</ref> b<ref name="x" /> c<ref name=z/>', []),
    ("markup-missing-references", "Intro.\nFact.<ref>Source</ref>\n== See also ==", [2]),
    ("markup-missing-references", "Fact.<ref>Source</ref>\n== Notes ==\n{{Reflist}}", []),
    ("markup-missing-references", "Fact.<ref>Source</ref>\n<references/>", []),
    ("markup-missing-references", "Fact.<ref group=n>Note</ref>", []),
    ("markup-invalid-br", "a\nb</br>c<br\\>d", [2, 2]),
    ("markup-invalid-br", "a<br>b<br/>c<br />d<BR clear=all>", []),
    ("markup-unbalanced-link-brackets", "a\n[[Foo bar\nc", [2]),
    ("markup-unbalanced-link-brackets", "a\n[[Foo]]]]", [2]),
    ("markup-unbalanced-link-brackets", "[[File:A.jpg|thumb|A [[b]] c]] [[[x]]] <nowiki>[[</nowiki>", []),
    ("markup-unbalanced-template-braces", "a\n{{cite web|url=x\nb", [2]),
    ("markup-unbalanced-template-braces", "a\nb}}", [2]),
    ("markup-unbalanced-template-braces", "{{a|{{b}}|c={{{1|}}}}} <math>{{x}</math> {{#if:x|y}}", []),
    ("markup-external-link-no-scheme", "x\nsee [www.example.com Example]", [2]),
    ("markup-external-link-no-scheme", "[https://www.example.com E] [//www.example.com E] [[www.x]]", []),
    ("markup-external-link-double-brackets", "x\n[[https://example.com E]]", [2]),
    ("markup-external-link-double-brackets", "[https://example.com E] [[Example.com]]", []),
    ("markup-double-scheme", "x\n[http://http://example.com E]", [2]),
    ("markup-double-scheme", "[https://web.archive.org/web/2020/http://example.com E]", []),
    ("markup-heading-level-1", "x\n= Title =\n", [2]),
    ("markup-heading-level-1", "== Section ==\n=== Sub ===\n= \n a = b", []),
    ("markup-heading-unbalanced", "x\n== History ===\n== Early life\n", [2, 3]),
    ("markup-heading-unbalanced", "== History ==  <!-- c -->\n=== Early ===\n", []),
    # a file with Windows line ends: MediaWiki reads "== Early life ==\r" as a heading
    ("markup-heading-unbalanced", "Intro.\r\n== Early life ==\r\nText.\r\n=== Youth ===\r\n", []),
    ("markup-heading-unbalanced", "Intro.\r\n== Early life =\r\n== Later ==\r\n", [2]),
    ("markup-heading-skipped-level", "== A ==\n==== B ====\n", [2]),
    ("markup-heading-skipped-level", "=== A ===\n== B ==\n=== C ===\n==== D ====\n== E ==", []),
    ("markup-heading-ends-with-colon", "x\n== Notes: ==", [2]),
    ("markup-heading-ends-with-colon", "== Notes ==\n== Ratio 1:2 ==", []),
    ("markup-heading-bold", "x\n== '''History''' ==", [2]),
    ("markup-heading-bold", "== History ==\n== The '''big''' one ==\n== '''''Ship''''' ==", []),
    ("markup-duplicate-category", "x\n[[Category:Wars]]\n[[Category:Battles]]\n[[category:wars]]", [4]),
    ("markup-duplicate-category", "[[Category:Wars]]\n[[:Category:Wars]]\n{{#if:x|[[Category:Wars]]}}", []),
    ("markup-category-before-last-heading", "x\n[[Category:Wars]]\n== Notes ==\ny", [2]),
    ("markup-category-before-last-heading", "== Notes ==\ny\n[[Category:Wars]]\n[[:Category:Wars]]", []),
    ("markup-duplicate-defaultsort", "{{DEFAULTSORT:Nowhere}}\n{{DEFAULTSORT:Nowhere, Battle}}", [2]),
    ("markup-duplicate-defaultsort", "{{DEFAULTSORT:Nowhere}}\n{{#if:x|{{DEFAULTSORT:Y}}}}", []),
    ("markup-self-link", "x\nThe [[Battle of Nowhere|battle]] was", [2]),
    ("markup-self-link", "[[Battle of Nowhere#Aftermath|aftermath]] [[Battle of Somewhere]]", []),
    ("markup-link-equal-to-label", "x\n[[Paris|Paris]] and [[paris|Paris]]", [2, 2]),
    ("markup-link-equal-to-label", "[[Paris|City of Paris]] [[File:A.jpg|File:A.jpg]] [[Paris]]", []),
    ("markup-duplicate-parameter", "{{Infobox war\n| name = A\n| name = B\n}}", [3]),
    ("markup-duplicate-parameter", "{{cite|a|1=b}}", [1]),
    ("markup-duplicate-parameter", "{{Infobox war\n| name = A\n| title = {{x|name=1}}\n}} {{#switch:a|b=1|b=2}}", []),
    # "=" and "|" inside an extension tag do not split a template's parameters (the tag is opaque to
    # the preprocessor): these are positional; a template inside the ref keeps its own parameters
    ("markup-duplicate-parameter", '{{Historical populations|1941<ref name="a"/>|500|1941<ref name="b"/>|600}}', []),
    ("markup-duplicate-parameter", "{{Pop|a<ref>x|b=1</ref>|b=2}}", []),
    ("markup-duplicate-parameter", "{{Pop|1941<ref name=a>{{cite web|url=x|url=y}}</ref>|1951<ref>z=1|q</ref>}}",
     [1]),
    ("markup-duplicate-parameter", '{{Pop|a=1<ref name="x"/>|a=2}}', [1]),
    ("markup-isbn-checksum", "x\nISBN 0-306-40615-3\n{{cite book|isbn=978-0-306-40615-6}}", [2, 3]),
    ("markup-isbn-checksum", "ISBN 0-306-40615-2 {{cite book|isbn=978-0-306-40615-7}} ISBN 123", []),
    ("markup-unbalanced-quotes", "x\n''Italic and '''bold'''\n", [2]),
    ("markup-unbalanced-quotes", "''a'' '''b''' '''''c''''' l'''amour'' <nowiki>''</nowiki>", []),
]


def _hits(rule_id: str, text: str, title: str = TITLE):
    return list(RULES[rule_id].check(PageView(title, text)))


@pytest.mark.parametrize("rule_id, text, lines", CASES)
def test_rule_case(rule_id, text, lines):
    assert [h.line for h in _hits(rule_id, text)] == lines


def test_every_markup_rule_has_positive_and_negative_cases():
    ids = {r.id for r in iter_rules("markup")}
    assert ids == {c[0] for c in CASES if c[2]} == {c[0] for c in CASES if not c[2]}
    assert len(ids) >= 15


def test_rule_ids_severities_docs():
    rules = list(iter_rules("markup"))
    assert len({r.id for r in rules}) == len(rules)
    for r in rules:
        assert re.fullmatch(r"^[a-z][a-z0-9-]+$", r.id), r.id
        assert isinstance(r.severity, Severity)
        assert r.doc and "\n" not in r.doc and r.doc.endswith((".", ")")), r.id
        assert r.check is not None


@pytest.mark.parametrize("rule_id, text, expected", [
    ("markup-invalid-br", "a</br>b", "a<br />b"),
    ("markup-duplicate-category", "x\n[[Category:A]]\n[[Category:B]]\n[[Category:A]]\n", "x\n[[Category:A]]\n[[Category:B]]\n"),
    ("markup-duplicate-parameter", "{{a|b=|c=1|b=2}}", "{{a|c=1|b=2}}"),
    ("markup-link-equal-to-label", "[[paris|Paris]]", "[[Paris]]"),
    ("markup-external-link-double-brackets", "[[http://x.org Y]]", "[http://x.org Y]"),
    ("markup-heading-bold", "== '''A''' ==", "== A =="),
])
def test_safe_edits(rule_id, text, expected):
    (hit,) = _hits(rule_id, text)
    start, end, new = hit.edit
    assert text[:start] + new + text[end:] == expected


def test_no_edit_when_a_duplicate_changes_meaning():
    (dup_cat,) = _hits("markup-duplicate-category", "[[Category:A|x]]\n[[Category:A|y]]")
    (dup_par,) = _hits("markup-duplicate-parameter", "{{a|b=1|b=2}}")
    assert dup_cat.edit is None and dup_par.edit is None


def test_isbn_checksum():
    assert isbn_is_valid("0306406152") and isbn_is_valid("9780306406157") and isbn_is_valid("080442957X")
    assert isbn_is_valid("0306406153") is False and isbn_is_valid("12345") is None


def test_large_page_is_fast():
    block = ("== Section ==\nThe '''[[Battle]]''' of {{lang|fr|x}}<ref>{{cite web|url=http://x.org|"
             "title=T}}</ref> <small>s</small> [http://x.org y] ISBN 0-306-40615-2.\n") * 4000
    page = PageView(TITLE, block + "{{Reflist}}\n[[Category:A]]\n")
    assert len(page.text) > 500_000
    start = time.perf_counter()
    for r in iter_rules("markup"):
        list(r.check(page))
    assert time.perf_counter() - start < 1.0


def test_a_long_line_after_an_equals_sign_is_read_in_linear_time():
    # "(=+)(.*?)(=*)[ \t\r]*$" tried each end of the middle against the rest of the line: 60,000
    # spaces took ~12 s, a page built to stall every markup rule until its budget ran out.
    page = PageView(TITLE, "=" + " " * 60_000 + "x=\n== Section ==\nText.\n")
    start = time.perf_counter()
    found = {r.id: list(r.check(page)) for r in iter_rules("markup")}
    assert time.perf_counter() - start < 1.0
    assert found["markup-heading-level-1"] and found["markup-heading-unbalanced"] == []


@pytest.mark.corpus
def test_corpus_runs_without_raising(corpus_dir, capsys):
    counts: Counter[str] = Counter()
    files = [f for d in ("wtf_wikipedia-cache", "wpcleaner-test-pages")
             for f in sorted((corpus_dir / d).glob("*.txt"))]
    assert files
    for f in files:
        page = PageView(f.stem.replace("_", " "), f.read_text(encoding="utf-8", errors="replace"))
        for r in iter_rules("markup"):
            counts[r.id] += sum(1 for _ in r.check(page))
    with capsys.disabled():
        print("\nmarkup hits on the corpus:", dict(counts.most_common()))


@pytest.mark.corpus
def test_windows_line_ends_change_no_finding(corpus_dir):
    # MediaWiki reads a page the same with "\r\n" line ends: so must the rules (the old heading pattern
    # found 1,035 unbalanced headings more in these files with CRLF line ends)
    files = [f for d in ("wtf_wikipedia-cache", "wpcleaner-test-pages")
             for f in sorted((corpus_dir / d).glob("*.txt"))]
    assert files
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
        found = {}
        for ends in ("\n", "\r\n"):
            page = PageView(f.stem, text.replace("\n", ends))
            found[ends] = Counter((r.id, h.line) for r in iter_rules("markup") for h in r.check(page))
        assert found["\r\n"] == found["\n"], f.name


_HEADING_REFERENCE = re.compile(r"^(=+)(.*?)(=*)[ \t\r]*$", re.M)    # MediaWiki's line rule, as first written


@pytest.mark.parametrize("seed", range(3))
def test_heading_scan_finds_what_the_line_anchored_pattern_finds(seed):
    # The scan's pattern starts with its "=" (a fast jump from one "=" to the next), not with "^".
    import random

    from bots.core.check.rules.markup_scan import Heading, _scan_headings

    rng = random.Random(seed)
    parts = ["=", "==", "===", " ", "\t", "\r", "\n", "\r\n", "a", "b c", "{{x|y=z}}", "<!-- = -->", "|"]
    texts = ["".join(rng.choice(parts) for _ in range(rng.randint(0, 40))) for _ in range(400)]
    texts += ["=a=\n==b==\r\n= =\n===\n x\n=c\n\n=d=  \t\r\nfoo\n====x==", "\n=\n", "=", "\r=a=", "a\n\n==x==\n"]
    for text in texts:
        expected = []
        for m in _HEADING_REFERENCE.finditer(text):      # as _scan_headings read the pattern's groups
            left, right = len(m.group(1)), len(m.group(3))
            if m.group(2).strip("= \t"):
                expected.append(Heading(m.start(), min(left, right, 6) if right else 0, left, right, m.span(2)))
        assert _scan_headings(text) == expected, repr(text)
