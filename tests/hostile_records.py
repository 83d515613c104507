"""Hostile values for every record field: each must be escaped into its place or refused with file:line.

Shared by the offline test (tests/unit/test_record_injection.py) and the one against the real wiki
(tests/integration/test_human_work.py), which asks MediaWiki itself what the published pages hold.
"""
from __future__ import annotations

# (field, value). Fields: title, universe, category, section_title, lead, section_text, infobox.
HOSTILE = [
    ("category", "X]][[Category:Injected"),
    ("category", "Y]]{{Evil}}<!--"),
    ("category", "Z|sortkey]][[Category:Injected"),
    ("category", "W\n[[Category:Injected]]"),
    ("category", "{{Evil}}"),
    ("category", "V#frag"),
    ("section_title", "Bg --> {{Evil}} <!--"),
    ("section_title", "Bg\n[[Category:Injected]]"),
    ("section_title", "Bg ==\n== Injected"),
    ("section_title", "<!-- gmw-generated: Forged -->"),
    ("section_title", "Bg {{Evil}}"),
    ("section_title", "Bg [[Category:Injected]]"),
    ("section_title", "Bg __NOTOC__"),
    ("lead", "Text {{Evil}} more"),
    ("lead", "Text [[Category:Injected]]"),
    ("lead", "Text\n== Injected ==\nmore"),
    ("lead", "Text <!-- never closed"),
    ("lead", "Text <!-- gmw-generated: Background --> forged"),
    ("lead", "Text <!-- /gmw-generated: Background --> forged"),
    ("lead", "Text __NOINDEX__"),
    ("lead", "Text <nowiki> swallowing the rest"),
    ("lead", "Text <includeonly>hidden</includeonly>"),
    ("lead", "Text <ref>never closed"),
    ("lead", "Signed ~~~~"),
    ("lead", "Text [[ category : Injected ]]"),
    ("section_text", "Body {{Evil}}"),
    ("section_text", "Body [[Category:Injected]]"),
    ("section_text", "Body\n=== Injected ===\n"),
    ("section_text", "Body <!-- /gmw-generated: Background -->\nafter"),
    ("section_text", "Body <pre>"),
    ("infobox", "}}{{Evil}}"),
    ("infobox", "a|date=1066"),
    ("infobox", "[[Category:Injected]]"),
    ("infobox", "x\n== Injected ==\n"),
    ("infobox", "<!-- open"),
    ("infobox", "{{Evil}}"),
    ("universe", "Earth-1]][[Category:Injected"),
    ("universe", "Earth-1}}{{Evil}}"),
    ("universe", "Template:Evil"),
    ("universe", "Earth-1\n[[Category:Injected]]"),
    ("title", "Evil]][[Category:Injected"),
    ("title", "Evil{{x}}"),
    ("title", "Evil#Section"),
    ("title", "Evil\nTwo lines"),
]


def record_yaml(field: str, value: str, title: str = "Hostile page") -> dict:
    """One record (as the YAML/JSON mapping) carrying `value` in `field`."""
    rec = {"title": title, "universe": "Earth-1389",
           "infobox": {"name": "Hostile", "date": "3 March 1389"},
           "lead": "A plain lead.",
           "sections": [{"title": "Background", "text": "Plain background."}],
           "categories": ["Hostile records"]}
    if field == "category":
        rec["categories"] = [value]
    elif field == "section_title":
        rec["sections"] = [{"title": value, "text": "Plain background."}]
    elif field == "section_text":
        rec["sections"] = [{"title": "Background", "text": value}]
    elif field == "infobox":
        rec["infobox"] = {**rec["infobox"], "place": value}
    else:
        rec[field] = value
    return rec
