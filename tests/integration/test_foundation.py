"""The foundation against the real wiki: login, template install, rendering, the write guard."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.integration

INFOBOX = "Template:Infobox historical event"


def _api(wiki, **params):
    params.setdefault("format", "json")
    params.setdefault("formatversion", "2")
    r = requests.get(wiki.api, params=params, timeout=30)
    r.raise_for_status()
    return r.json()


def _revisions(wiki, title: str) -> list[int]:
    data = _api(wiki, action="query", prop="revisions", titles=title, rvprop="ids", rvlimit="max")
    page = data["query"]["pages"][0]
    return [r["revid"] for r in page.get("revisions", [])]


def test_bot_logs_in_with_its_botpassword(site):
    assert site.logged_in()
    assert site.username() == "MultiverseBot"
    assert site.has_group("bot")
    assert site.has_right("import") and site.has_right("noratelimit")


def test_install_templates_simulate_then_write_then_nothing(empty_wiki):
    wiki = empty_wiki
    assert _revisions(wiki, INFOBOX) == []
    sim = wiki.bot("install_templates", "-simulate")
    assert sim.returncode == 0, sim.stderr
    assert "would create" in sim.stdout and INFOBOX in sim.stdout
    assert "<templatedata>" in sim.stdout + sim.stderr   # the diff shows the new text
    assert _revisions(wiki, INFOBOX) == [], "-simulate wrote a page"

    first = wiki.bot("install_templates", "-format:json")
    assert first.returncode == 0, first.stderr
    counts = json.loads(first.stdout)["counts"]
    assert counts["created"] >= 9 and counts["failed"] == 0
    revs = _revisions(wiki, INFOBOX)
    assert len(revs) == 1

    second = wiki.bot("install_templates", "-format:json")
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)["counts"]
    assert again["created"] == again["updated"] == 0
    assert again["unchanged"] == counts["created"]
    assert _revisions(wiki, INFOBOX) == revs


def test_bad_template_files_are_reported_and_the_rest_installed(wiki, tmp_path):
    (tmp_path / "Template").mkdir()
    (tmp_path / "Template" / "Good_one.wikitext").write_text("good")
    (tmp_path / "Template" / "Bad[name].wikitext").write_text("bad title")
    (tmp_path / "Template" / "Latin1.wikitext").write_bytes("caf\xe9".encode("latin-1"))
    out = wiki.bot("install_templates", f"-folder:{tmp_path}")
    assert out.returncode == 3
    assert "Bad[name].wikitext" in out.stderr and "Latin1.wikitext" in out.stderr
    assert "UTF-8" in out.stderr
    assert _revisions(wiki, "Template:Good one")


def test_infobox_renders_without_missing_templates(wiki, site):
    import pywikibot

    wiki.bot("install_templates", check=True)
    page = pywikibot.Page(site, "Storming of the Winter Palace (Earth-1389)")
    page.text = ("{{Universe|Earth-1389}}\n{{Infobox historical event\n| name = Storming of the Winter Palace\n"
                 "| universe = Earth-1389\n| date = 8 November 1389\n| date_os = 26 October 1389\n"
                 "| place = Petrograd\n}}\nThe palace fell on {{OldStyleDate|8 November|1389|26 October}}.\n")
    page.save(summary="integration test", bot=True)
    parsed = _api(wiki, action="parse", page=page.title(), prop="text|categories|templates")["parse"]
    html = parsed["text"]
    assert "gmw-infobox" in html and "Petrograd" in html
    import re
    assert "[O.S. 26 October]" in re.sub(r"<[^>]+>", "", html).replace("&#91;", "[").replace("&#93;", "]")
    missing = [t["title"] for t in parsed["templates"] if not t.get("exists")]
    assert missing == []
    assert 'class="new" title="Template:' not in html
    cats = {c["category"] for c in parsed["categories"]}
    assert {"Earth-1389", "Historical_events"} <= cats


def test_write_to_a_remote_host_is_refused_before_any_request(wiki):
    env_api = "https://multiverse.example.org/w/api.php"
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "bots.install_templates"], cwd=wiki.env["PYWIKIBOT_DIR"],
                         env={**wiki.env, "GMW_API_URL": env_api}, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "refusing to write to multiverse.example.org" in out.stderr
    assert "GMW_ALLOW_HOSTS" in out.stderr


def test_a_bot_drops_the_cookies_of_other_local_wikis_from_its_jar(wiki):
    # Cookies are per host, not per port: every throwaway wiki on 127.0.0.1 (tests, benchmarks) left
    # its session cookies in the one jar, and every request carried them all (218 of them after a day
    # of benchmarks: 3.5 ms of client CPU a request). Each local instance names its cookies by its port.
    jar_file = Path(__file__).resolve().parents[2] / "pywikibot-MultiverseBot.lwp"
    assert wiki.bot("check", "-page:Main Page", "-format:json").returncode in (0, 1)
    stale = "".join(f'Set-Cookie3: gmw{port}_session=x{port}; path="/"; domain="127.0.0.1"; path_spec; discard; '
                    f'HttpOnly=None; version=0\n' for port in (1, 23456, 65000))
    jar_file.write_text(jar_file.read_text(encoding="utf-8") + stale, encoding="utf-8")
    res = wiki.bot("check", "-page:Main Page", "-format:json")
    assert res.returncode in (0, 1), res.stderr[-2000:]
    kept = jar_file.read_text(encoding="utf-8")
    assert "gmw23456_session" not in kept and "gmw1_session" not in kept and "gmw65000_" not in kept
    assert f"gmw{wiki.port}_session" in kept, kept     # this wiki's own session stays


def test_log_writes_pywikibot_s_log_file_with_its_header(wiki, tmp_path):
    # -log (pywikibot's option) asks for a log file; the bots made pywikibot's handlers before it read
    # the option, and wrote none. Without -log the header (every module's version and time) is not built.
    log = tmp_path / "check.log"
    res = wiki.bot("check", "-page:Main Page", "-format:json", f"-log:{log}")
    assert res.returncode in (0, 1), res.stderr[-2000:]
    text = log.read_text(encoding="utf-8")
    assert "Logging header" in text and "MODULES:" in text
    assert wiki.bot("check", "-page:Main Page", "-format:json").returncode in (0, 1)
    assert log.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("bot", ["check", "install_templates"])
def test_a_bot_run_from_another_folder_without_pywikibot_dir_uses_the_project_s_wiki(wiki, tmp_path, bot):
    # As cron may run it: no PYWIKIBOT_DIR, another working folder. pywikibot then read no user-config.py
    # and its default wiki (Wikipedia) when it was imported before the connection module set it.
    import subprocess
    import sys

    env = {k: v for k, v in wiki.env.items() if k != "PYWIKIBOT_DIR"}
    args = ["-page:Main Page", "-format:json"] if bot == "check" else ["-simulate", "-format:json"]
    res = subprocess.run([sys.executable, "-m", f"bots.{bot}", *args, "-max_retries:0"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode in (0, 1), res.stderr[-2000:]
    assert "wikipedia" not in res.stderr.lower()
