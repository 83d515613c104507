"""`check -since:last-run` on the real wiki: a change on one page gives findings on pages that did not
change (a deleted or moved page breaks the links to it, a new page makes a duplicate), and the
result is that of a full check of the wiki as it now is."""
from __future__ import annotations

import json
import re
import time

import pytest

from .helpers import Person, publish_folder

pytestmark = pytest.mark.integration
N = 80


@pytest.fixture(scope="module")
def chain(empty_wiki, tmp_path_factory):
    pages = {f"Plain {i:02d}": f"{{{{Universe|Earth-S}}}}\n'''Plain {i:02d}''' came after "
             f"[[Plain {(i - 1) % N:02d}]] and before [[Plain {(i + 1) % N:02d}]].\n" for i in range(N)}
    pages["Twin"] = "{{Universe|Earth-S}}\nOne twin.\n"
    pages["Twin (Earth-S)"] = "{{Universe|Earth-S}}\nThe other.\n"
    publish_folder(empty_wiki, tmp_path_factory.mktemp("chain-pages"), pages)
    # The wiki's clock counts whole seconds: a check started in the second of the last publish edits
    # counts them as changed since its run (7 pages instead of 5 in one CI run).
    time.sleep(1.1)
    return empty_wiki


def _doc(res) -> dict:
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    return json.loads(res.stdout)


def test_a_change_gives_the_findings_it_causes_on_pages_that_did_not_change(chain, tmp_path):
    wiki = chain
    first = _doc(wiki.bot("check", "-format:json"))
    before = {(f["page"], f["rule"]) for f in first["findings"]}
    assert ("Twin (Earth-S)", "duplicate-event") in before
    assert not any(rule == "link-to-missing-page" for _page, rule in before)
    person = Person(wiki)
    person.delete("Plain 10")
    person.move("Plain 20", "Plain 20 moved", redirect=False)
    person.edit("Twin", "{{Universe|Earth-T}}\nNo longer a twin here.\n")
    person.edit("Plain 30 (Earth-S)", "{{Universe|Earth-S}}\nThe same event as [[Plain 30]], by its title.\n")
    log = wiki.dir / "server.log"
    seen = log.stat().st_size
    since = wiki.bot("check", "-since:last-run", "-format:json")
    inc = _doc(since)
    with log.open("rb") as f:
        f.seek(seen)
        asked = [line for line in f.read().decode(errors="replace").splitlines() if "/api.php?" in line]
    # Whether the changed pages exist, and their text, in one request (a read of existence took one more).
    assert sum("Plain" in line for line in asked) == 1, asked
    full = _doc(wiki.bot("check", "-format:json", env={"GMW_STATE_DIR": str(tmp_path / "other")}))
    assert inc["findings"] == full["findings"]
    assert inc["pages"] == full["pages"]
    found = {(f["page"], f["rule"]) for f in inc["findings"]}
    for page in ("Plain 09", "Plain 11", "Plain 19", "Plain 21"):     # not changed; their links broke
        assert (page, "link-to-missing-page") in found, page
    assert ("Plain 30", "duplicate-event") in found                   # not changed; a page joined its group
    assert ("Twin (Earth-S)", "duplicate-event") not in found         # not changed; its twin left
    # Only what the changes can affect was read from the state, not the whole wiki.
    read = re.search(r"(\d+) rows of the state read", since.stderr)
    assert read and int(read.group(1)) < N // 3, since.stderr
