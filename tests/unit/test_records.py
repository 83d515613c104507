"""Records: validation errors name the file, line and field; other records go on."""
import pytest

from bots.core.sources.records import Record, RecordError, iter_records
from bots.core.wikitext.schema import load_schemas

SCHEMAS = load_schemas()


def _load(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return list(iter_records(path, SCHEMAS))


@pytest.mark.parametrize("content, field, words", [
    ("title: A\nuniverse: E\ninfobox: {name: A}\n", "infobox.date", "missing the required infobox parameter"),
    ("title: A\nuniverse: E\ninfobox: {name: A, date: 1389, colour: red}\n", "infobox.colour", "unknown infobox parameter"),
    ("title: A\nuniverse: E\ninfobox: {name: A, date: 1389}\nsummary: x\n", "summary", "unknown field"),
    ("universe: E\ninfobox: {name: A, date: 1389}\n", "title", "missing the required field 'title'"),
    ("title: A\ninfobox: {name: A, date: 1389}\n", "universe", "missing the required field 'universe'"),
    ("title: 'A[b]'\nuniverse: E\ninfobox: {name: A, date: 1389}\n", "title", "invalid title"),
    ("title: A\nuniverse: E\ntemplate: Infobox nothing\ninfobox: {name: A}\n", "template", "no TemplateData"),
    ("title: A\nuniverse: E\ninfobox: {name: \"a\\x01b\", date: 1389}\n", "infobox.name", "control character"),
])
def test_bad_records(tmp_path, content, field, words):
    [err] = _load(tmp_path, "r.yaml", content)
    assert isinstance(err, RecordError)
    assert err.field == field and words in err.message
    assert str(err).startswith(f"{tmp_path / 'r.yaml'}:1")


def test_one_bad_record_does_not_stop_the_others(tmp_path):
    items = _load(tmp_path, "u.json", '{"universe": "E", "articles": [{"title": "A", "infobox": {"name": "A"}},'
                                      ' {"title": "B", "infobox": {"name": "B", "date": 1389}}]}')
    assert isinstance(items[0], RecordError) and isinstance(items[1], Record)
    assert items[1].infobox == {"name": "B", "date": "1389", "universe": "E"}


def test_malformed_json_names_file_and_line(tmp_path):
    [err] = _load(tmp_path, "x.json", '{\n"title": "A",\n}')
    assert "malformed JSON" in err.message and err.origin.endswith("x.json:3")


def test_not_utf8(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"title: caf\xe9\n")
    [err] = list(iter_records(path, SCHEMAS))
    assert "not UTF-8" in err.message and err.origin == str(path)


def test_aliases_and_numbers(tmp_path):
    [rec] = _load(tmp_path, "r.yaml", "title: a b\nuniverse: E\ninfobox: {name: A, date: 1389, casualties: 12}\n")
    assert rec.title == "A b" and rec.infobox["casualties"] == "12"
