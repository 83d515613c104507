"""MediaWiki title rules: normalisation, validity, namespaces, file names."""
from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bots.core.wikitext.titles import (
    NAMESPACES,
    InvalidTitle,
    filename_to_title,
    namespace_of,
    normalize_title,
    title_to_filename,
    validate_title,
)

NORMALIZE = [
    # (raw, normalised)
    ("", ""),
    ("   ", ""),
    ("Foo", "Foo"),
    ("foo", "Foo"),
    ("  foo bar  ", "Foo bar"),
    ("october_Revolution#Aftermath", "October Revolution"),
    ("Foo__bar", "Foo bar"),
    ("Foo _ _bar", "Foo bar"),
    ("Foo\u00a0\u3000bar", "Foo bar"),
    ("Foo\u200ebar\u200f", "Foobar"),
    (":Foo", "Foo"),
    (":category:Foo", "Category:Foo"),
    ("category:foo", "Category:Foo"),
    ("CATEGORY:foo", "Category:Foo"),
    ("Category : foo", "Category:Foo"),
    ("user_talk:someone", "User talk:Someone"),
    ("USER TALK:someone", "User talk:Someone"),
    ("image:Map.png", "File:Map.png"),
    ("Image talk:Map.png", "File talk:Map.png"),
    ("wp:About", "Project:About"),
    ("project talk:x", "Project talk:X"),
    ("module:Dates/data", "Module:Dates/data"),
    ("Talk:category:foo", "Talk:Category:foo"),  # only the first prefix is a namespace
    ("Foo:bar", "Foo:bar"),  # not a namespace: the title is "Foo:bar"
    ("Foo#", "Foo"),
    ("#Section", ""),
    ("Category:", "Category:"),
    ("Category:#x", "Category:"),
    ("AT&amp;T", "AT&T"),
    ("Caf&eacute;", "Café"),
    ("&#x41;&#66;c", "ABc"),
    ("a&#0;b", "A&"),  # not a valid code point: stays literal, and its "#" starts a fragment
    ("Foo&#35;bar", "Foo"),  # the entity becomes "#", which starts a fragment
    ("100%25", "100%25"),  # %XX is not decoded
    ("ßtraße", "SStraße"),  # PHP's mb_strtoupper and Python's upper() agree
    ("ǆemal", "Ǆemal"),
    ("ünter", "Ünter"),
    ("1917 in Russia", "1917 in Russia"),
    ("File:foo.JPG", "File:Foo.JPG"),
]


@pytest.mark.parametrize(("raw", "expected"), NORMALIZE)
def test_normalize_title(raw: str, expected: str) -> None:
    assert normalize_title(raw) == expected


INVALID = [
    # (raw, a word the message must contain)
    ("", "empty"),
    (":", "empty"),
    ("  _ ", "empty"),
    ("#Section", "empty"),
    ("Category:", "no page name"),
    ("Talk:  ", "no page name"),
    ("Foo<bar", "forbidden"),
    ("Foo>bar", "forbidden"),
    ("Foo[bar", "forbidden"),
    ("Foo]bar", "forbidden"),
    ("Foo|bar", "forbidden"),
    ("Foo{bar", "forbidden"),
    ("Foo}bar", "forbidden"),
    ("Foo\tbar", "forbidden"),
    ("Foo\nbar", "forbidden"),
    ("Foo\x7fbar", "forbidden"),
    ("Foo\ufffdbar", "forbidden"),
    ("Foo%20bar", "forbidden"),
    ("Foo&amp;amp;bar", "forbidden"),  # decoded once to "&amp;", still an entity
    ("Foo~~~bar", "~~~"),
    ("::Foo", "starts with ':'"),
    ("Talk::Foo", "starts with ':'"),
    (".", "relative"),
    ("..", "relative"),
    ("./Foo", "relative"),
    ("../Foo", "relative"),
    ("Foo/./bar", "relative"),
    ("Foo/../bar", "relative"),
    ("Foo/.", "relative"),
    ("Foo/..", "relative"),
    ("A" * 256, "256 UTF-8 bytes"),
    ("Ж" * 128, "256 UTF-8 bytes"),
]


@pytest.mark.parametrize(("raw", "why"), INVALID)
def test_validate_title_rejects(raw: str, why: str) -> None:
    with pytest.raises(InvalidTitle) as info:
        validate_title(raw)
    assert why in str(info.value)


VALID = [
    ("A" * 255, "A" * 255),
    ("Talk:" + "a" * 255, "Talk:A" + "a" * 254),  # the prefix does not count
    ("Ж" * 127, "Ж" * 127),
    ("100%", "100%"),
    ("AT&T", "AT&T"),
    ("Foo/.bar", "Foo/.bar"),
    (".htaccess", ".htaccess"),
    ("Foo~~bar", "Foo~~bar"),
    ("Foo:bar", "Foo:bar"),
    ("october_Revolution#Aftermath", "October Revolution"),
]


@pytest.mark.parametrize(("raw", "expected"), VALID)
def test_validate_title_accepts(raw: str, expected: str) -> None:
    assert validate_title(raw) == expected


def test_invalid_title_is_a_value_error() -> None:
    assert issubclass(InvalidTitle, ValueError)


@pytest.mark.parametrize(
    ("title", "ns"),
    [
        ("Foo", 0),
        ("Foo:bar", 0),
        ("Talk:Foo", 1),
        ("user talk:Foo", 3),
        ("Image:X.png", 6),
        ("WP:About", 4),
        ("Help talk:X", 13),
        ("Module talk:X", 829),
        (":Category:X", 14),
        ("", 0),
    ],
)
def test_namespace_of(title: str, ns: int) -> None:
    assert namespace_of(title) == ns


def test_namespaces_table() -> None:
    required = {0: "", 1: "Talk", 2: "User", 3: "User talk", 4: "Project", 5: "Project talk",
                6: "File", 7: "File talk", 8: "MediaWiki", 10: "Template", 11: "Template talk",
                12: "Help", 14: "Category", 15: "Category talk", 828: "Module", 829: "Module talk"}
    assert required.items() <= NAMESPACES.items()


@pytest.mark.parametrize(
    ("title", "filename"),
    [
        ("October Revolution", "October_Revolution"),
        ("Module:Dates/data", "Module:Dates%2Fdata"),
        ("100% Pure", "100%25_Pure"),
        ("A%2FB", "A%252FB"),
    ],
)
def test_title_to_filename(title: str, filename: str) -> None:
    assert title_to_filename(title) == filename
    assert filename_to_title(filename) == title
    assert filename_to_title(filename + ".wikitext") == title


def test_filename_to_title_accepts_lowercase_escapes() -> None:
    assert filename_to_title("Module:Dates%2fdata.wikitext") == "Module:Dates/data"


def test_filename_has_no_slash() -> None:
    assert "/" not in title_to_filename("a/b/c")


_TITLE_CHARS = st.one_of(
    st.sampled_from(list(" _/%:.#&;~-'()!,") + ["%2F", "%25", "&amp;", "Ж", "ß", "\u00a0"]),
    st.characters(blacklist_categories=("Cs",)),
)


@given(st.lists(_TITLE_CHARS, min_size=1, max_size=40).map("".join))
def test_filename_round_trip(raw: str) -> None:
    try:
        title = validate_title(raw)
    except InvalidTitle:
        assume(False)
        return
    name = title_to_filename(title)
    assert "/" not in name
    assert filename_to_title(name) == title
    assert filename_to_title(name + ".wikitext") == title


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=40))
def test_normalize_is_idempotent_on_valid_ascii_titles(raw: str) -> None:
    try:
        title = validate_title(raw)
    except InvalidTitle:
        return
    assert normalize_title(title) == title
    assert validate_title(title) == title


@given(st.text(max_size=60))
def test_normalize_never_raises(raw: str) -> None:
    normalize_title(raw)
    namespace_of(raw)


def test_the_pages_own_titles_do_not_fill_the_title_cache():
    # A page's own title is normalised once a run; link targets repeat. Caching own titles only
    # grew a long-lived process (a Dask worker held 52,000 of them, 15 MB, at 104,000 pages).
    from bots.core.budget import Budget
    from bots.core.check.checker import Checker
    from bots.core.check.config import CheckConfig
    from bots.core.check.parallel import check_pieces
    from bots.core.check.run import once_each
    from bots.core.sources import SourcePage
    from bots.core.sources.dumppieces import Piece
    from bots.core.wikitext import titles

    pages = [SourcePage(f"Page number {n}", "Plain text.", f"f:{n}") for n in range(300)]
    titles._split.cache_clear()
    assert len(list(once_each(pages))) == 300
    checker = Checker(CheckConfig(budget=Budget(cpu_seconds=5, memory_mb=512)), {})
    [(_, entries)] = check_pieces(checker, [(0, Piece("pages"))], 1, read=lambda piece: pages)   # a Dask task's
    assert [e.key for e in entries] == [p.title for p in pages]
    assert titles._split.cache_info().currsize < 10
    assert normalize_title("page_number 7", once=True) == "Page number 7"


def test_a_long_lived_checker_does_not_grow_with_the_link_targets_it_has_seen():
    # A page-budget worker checks every page of its pieces: a dump's link targets are mostly new, and
    # the title cache held 65,536 of them (~17 MB), so the worker grew with the dump.
    import gc
    import tracemalloc

    from bots.core.check.checker import Checker
    from bots.core.check.config import CheckConfig

    checker = Checker(CheckConfig(), {})

    def check(pages: range) -> None:
        for n in pages:
            checker.check_page(f"Page {n}", f"See [[Target {n} a]], [[Target {n} b]] and [[Target {n} c]].")

    check(range(300))                      # warm: the rules' own first-use allocations
    tracemalloc.start()
    check(range(300, 1500))
    gc.collect()
    after_1500 = tracemalloc.get_traced_memory()[0]
    check(range(1500, 4500))
    gc.collect()
    after_4500 = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert after_4500 - after_1500 < 1_000_000, after_4500 - after_1500
