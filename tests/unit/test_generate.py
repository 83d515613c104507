"""Records -> wikitext: schema order, escaping, determinism, human edits kept on re-generation."""
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bots.core.wikitext.article import Article
from bots.core.publish.generate import apply_record, render_page
from bots.core.wikitext.harvest import harvest_page
from bots.core.sources.records import Record, SectionRecord, iter_records
from bots.core.wikitext.schema import load_schemas

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = load_schemas()
BOX = SCHEMAS["Infobox historical event"]
SEED = (ROOT / "data/seed/000_6832f791a49da166.txt").read_text(encoding="utf-8").partition("\n\n")[2]


def _record(**box) -> Record:
    values = {"name": "Storming", "universe": "Earth-1389", "date": "8 November 1389", **box}
    return Record("Storming of the Winter Palace", "Earth-1389", "Infobox historical event", values,
                  "The palace fell.", (SectionRecord("Background", "Generated background."),
                                       SectionRecord("Notes", "Editors' notes.", generated=False)),
                  ("Revolutions",))


def test_infobox_follows_templatedata_order():
    text = render_page(_record(place="Petrograd", date_os="27 October 1389"), BOX)
    box = Article("T", text).infobox
    assert box.param_names() == ["name", "universe", "date", "date_os", "place"]


def test_generation_is_deterministic():
    records = [r for r in iter_records(ROOT / "data/universes", SCHEMAS)]
    first = [render_page(r, SCHEMAS[r.template]) for r in records]
    again = [render_page(r, SCHEMAS[r.template]) for r in iter_records(ROOT / "data/universes", SCHEMAS)]
    assert first == again and len(first) == 6


def test_sample_universe_keeps_the_seed_prose_exactly():
    rec = next(r for r in iter_records(ROOT / "data/universes", SCHEMAS) if r.title == "October Revolution")
    assert rec.lead == SEED
    assert SEED in render_page(rec, BOX)


def test_regeneration_keeps_human_edits_outside_generated_regions():
    old = render_page(_record(), BOX)
    edited = (old.replace("The palace fell.", "The palace fell, as [[User:Ann]] wrote.")
                 .replace("Editors' notes.", "Editors' notes, expanded.")
              + "\n== Further reading ==\nA human section.\n[[Category:Added by hand]]\n")
    rec2 = _record(date="9 November 1389", place="Petrograd")
    rec2 = Record(rec2.title, rec2.universe, rec2.template, rec2.infobox, "A new lead nobody sees.",
                  (SectionRecord("Background", "New background."),), rec2.categories)
    new = apply_record(rec2, BOX, edited)
    assert "The palace fell, as [[User:Ann]] wrote." in new and "A new lead nobody sees." not in new
    assert "Editors' notes, expanded." in new
    assert "== Further reading ==\nA human section.\n[[Category:Added by hand]]" in new
    assert "New background." in new and "Generated background." not in new
    assert Article("T", new).infobox.params()["date"] == "9 November 1389"
    # Everything outside the two generated regions is byte-identical.
    def outside(text):
        art = Article("T", text)
        start = text.index("{{Infobox")
        end = start + len(str(art.infobox.node))
        text = text[:start] + text[end:]
        a, b = text.index("<!-- gmw-generated: Background -->"), text.index("<!-- /gmw-generated: Background -->")
        return text[:a] + text[b:]
    assert outside(new) == outside(edited)


def test_applying_the_same_record_twice_changes_nothing():
    text = render_page(_record(), BOX)
    assert apply_record(_record(), BOX, text) == text


def test_missing_infobox_and_region_are_put_back():
    text = "{{Universe|Earth-1389}}\nHuman text.\n\n[[Category:Revolutions]]\n"
    new = apply_record(_record(), BOX, text)
    assert new.index("{{Infobox historical event") < new.index("Human text.")
    assert new.index("<!-- gmw-generated: Background -->") < new.index("[[Category:Revolutions]]")


VALUE = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                min_size=1, max_size=40) | st.sampled_from(
    ["a|b", "}}", "{{x}}", "[[y]]", "<ref>z</ref>", "a\nb", "<nowiki>", "</nowiki>", "~~~~", "''i''",
     " padded ", "&amp;", "&#124;", "=", "__TOC__", "http://example.org", "<!--", "\r\n"])


@given(st.dictionaries(st.sampled_from(["name", "date", "place", "participants", "result", "casualties",
                                        "preceded_by", "caption"]), VALUE, min_size=3))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_harvest_of_generated_page_gives_back_the_record(values):
    values = {k: v for k, v in values.items() if v.strip() or k not in ("name", "date")}
    values.setdefault("name", "N")
    values.setdefault("date", "1389")
    rec = Record("Some page", "Earth-1389", "Infobox historical event", {**values, "universe": "Earth-1389"})
    text = render_page(rec, BOX)
    harvested = harvest_page(rec.title, text, SCHEMAS)
    assert len(harvested["infoboxes"]) == 1
    assert harvested["infoboxes"][0]["params"] == {k: v for k, v in rec.infobox.items() if v != ""}
    assert harvested["universe"] == "Earth-1389"


def test_generate_bot_writes_files_and_reports_bad_records(tmp_path, capsys):
    from bots.generate import main
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.yaml").write_text("universe: Earth-1\narticles:\n  - title: Good\n    infobox: {name: G, date: 1389}\n")
    (src / "bad.yaml").write_text("universe: Earth-1\narticles:\n  - title: Bad\n    infobox: {name: B}\n"
                                  "  - title: Good two\n    infobox: {name: G2, date: 1390}\n")
    (src / "broken.yaml").write_text("articles: [\n")
    (src / "latin1.json").write_bytes('{"title": "caf\xe9"}'.encode("latin-1"))
    out = tmp_path / "out"
    assert main(f"-source:{src}", f"-out:{out}") == 3
    assert sorted(p.name for p in out.iterdir()) == ["Good.wikitext", "Good_two.wikitext"]
    err = capsys.readouterr().err
    assert "bad.yaml:3 [Bad]: missing the required infobox parameter 'date'" in err
    assert "broken.yaml:2: malformed YAML" in err
    assert "latin1.json: not UTF-8" in err
    before = (out / "Good.wikitext").read_bytes()
    assert main(f"-source:{src}", f"-out:{out}") == 3
    assert (out / "Good.wikitext").read_bytes() == before
