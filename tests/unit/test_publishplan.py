"""What the one save path decides for a page (bots.core.publish.plan): offline, every source alike."""
from __future__ import annotations

from functools import partial

from bots.core.publish.generate import apply_record, render_page
from bots.core.publish.ledger import LedgerEntry
from bots.core.publish.plan import Action, Current, plan_page
from bots.core.publish.items import Item
from bots.core.sources.records import Record, SectionRecord
from bots.core.wikitext.schema import load_schemas

SCHEMAS = load_schemas()
BOX = SCHEMAS["Infobox historical event"]
BOT = "MultiverseBot"


def record(date="8 November 1389", background="Generated background.", lead="The palace fell."):
    return Record("Storming", "Earth-1389", "Infobox historical event",
                  {"name": "Storming", "universe": "Earth-1389", "date": date}, lead,
                  (SectionRecord("Background", background),), ("Revolutions",))


def from_records(rec):
    return Item(rec.title, "r.yaml:1", render_page(rec, BOX), frozenset({rec.template}),
                fallback=partial(apply_record, rec, BOX))


def from_folder(rec):
    """The same page from a folder of generated files (or an XML export): text only."""
    return Item(rec.title, "Storming.wikitext", render_page(rec, BOX), frozenset({"Infobox historical event"}))


def entry(text, revid=10):
    return LedgerEntry("Storming", "x", revid, "t", None, 5, text, "merge")


def test_the_folder_republish_keeps_a_human_paragraph():
    """Issue 11 case 1: publish, a person adds a paragraph, publish records, generate, publish the folder."""
    rec = record()
    published = render_page(rec, BOX)
    edited = published.replace("The palace fell.\n", "The palace fell.\n\nA paragraph a person wrote.\n")
    cur = Current(edited.rstrip(), revid=11, user="Admin", pageid=5)
    for item in (from_records(rec), from_folder(rec)):
        assert plan_page(item, cur, entry(published), BOT).action is Action.UNCHANGED
    rec2 = record(date="9 November 1389")
    for item in (from_records(rec2), from_folder(rec2)):
        plan = plan_page(item, cur, entry(published), BOT)
        assert plan.action is Action.UPDATE
        assert "A paragraph a person wrote." in plan.text and "9 November 1389" in plan.text
        assert plan.note == "edited by Admin since the bot's last publish: their changes kept, 1 generated region updated"
    # The bot saved the merge (revision 12); the ledger's base is the generated text, not that revision.
    merged = plan.text
    again = plan_page(from_folder(rec2), Current(merged, revid=12, user=BOT, pageid=5),
                      LedgerEntry("Storming", "x", 12, "t", None, 5, render_page(rec2, BOX), "merge"), BOT)
    assert again.action is Action.UNCHANGED


def test_a_conflict_is_skipped_with_the_lines():
    rec = record()
    published = render_page(rec, BOX)
    edited = published.replace("The palace fell.", "The palace fell, a person says.")
    plan = plan_page(from_folder(record(lead="The palace fell at night.")), Current(edited, 11, user="Admin"),
                     entry(published), BOT)
    assert plan.action is Action.SKIP
    line = edited.splitlines().index("The palace fell, a person says.") + 1
    assert plan.reason == ("edited by Admin since the bot's last publish: their edit and the new text change "
                           f"the same lines ({line}); not overwritten")


def test_a_persons_edit_inside_a_region_is_replaced_only_when_the_region_changes():
    rec = record()
    published = render_page(rec, BOX)
    edited = published.replace("Generated background.", "Background, by a person.")
    cur = Current(edited, 11, user="Admin")
    same = plan_page(from_folder(record(date="9 November 1389")), cur, entry(published), BOT)
    assert "Background, by a person." in same.text and same.replaced == ()
    changed = plan_page(from_folder(record(background="New background.")), cur, entry(published), BOT)
    assert "New background." in changed.text and changed.replaced == ("section:Background",)
    assert "Admin's edit inside section 'Background' replaced by the new text" in changed.note


def test_a_redirect_is_never_edited_into_an_article():
    plan = plan_page(from_folder(record()), Current("#REDIRECT [[Storming (moved)]]", 11, user="Admin",
                                                    redirect="Storming (moved)"), entry("old"), BOT)
    assert plan.action is Action.SKIP and "redirect" in plan.reason


def test_nobots_excludes_every_kind_of_item():
    cur = Current("{{nobots}}", 11, user="Admin", bots_allowed=False)
    for item in (from_records(record()), from_folder(record()),
                 Item("Storming", "fix", transform=lambda t: t + "x")):
        assert plan_page(item, cur, entry("x"), BOT).action is Action.SKIP


def test_no_base_records_write_regions_plain_pages_skip():
    human = "A page a person made.\n{{Infobox historical event\n| name = Old\n}}\n"
    cur = Current(human, 3, user="Admin")
    plan = plan_page(from_records(record()), cur, None, BOT)
    assert plan.action is Action.UPDATE and plan.record == "regions" and "A page a person made." in plan.text
    assert plan_page(from_folder(record()), cur, None, BOT).action is Action.SKIP
    # The bot's own revision, with no ledger entry, is its own text (a lost ledger, a report page).
    assert plan_page(from_folder(record()), Current("old report", 3, user=BOT), None, BOT).action is Action.UPDATE
    # An entry in "regions" mode stays that way.
    regions = LedgerEntry("Storming", "x", 3, "t", None, 5, "whatever", "regions")
    assert plan_page(from_records(record()), cur, regions, BOT).record == "regions"


def test_an_older_ledger_without_generated_text_trusts_only_the_bots_own_revision():
    old = LedgerEntry("Storming", "x", 10, "t")
    text = render_page(record(), BOX)
    assert plan_page(from_folder(record(date="1390")), Current(text, 10, user=BOT), old, BOT).action is Action.UPDATE
    assert plan_page(from_folder(record(date="1390")), Current(text, 11, user="Admin"), old, BOT).action is Action.SKIP


def test_a_fix_rewrites_the_current_text_and_records_nothing():
    plan = plan_page(Item("Storming", "fix", transform=lambda t: t.replace("7 November", "2 November")),
                     Current("on 7 November", 11, user="Admin"), entry("x"), BOT)
    assert plan.action is Action.UPDATE and plan.text == "on 2 November" and plan.record is None


def test_a_new_page_is_created_with_the_generated_text():
    item = from_records(record())
    plan = plan_page(item, Current(None), None, BOT)
    assert plan.action is Action.CREATE and plan.text == item.text and plan.record == "merge"
