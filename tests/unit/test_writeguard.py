"""The write guard cannot be parsed around: a configured URL must be plain, and every request a
writing bot sends is checked at the HTTP layer on the host it connects to, redirects included.
A socket shim (tests/netshim.py) makes sure that nothing leaves the machine."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from bots.core.writeguard import (WriteRefused, check_write_target, is_local_url, is_loopback_host,
                                  parse_allowed_hosts, url_host)
from bots.site.httpguard import RequestRefused, guard_session
from tests.netshim import shimmed

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = parse_allowed_hosts("multiverse.example.org")

# (url, the strict check accepts it). 51 forms.
FORMS = [
    ("http://127.0.0.1:8080/api.php", True),
    ("http://127.0.0.1/api.php", True),
    ("http://127.1.2.3:80/w/api.php", True),
    ("http://localhost:8080/api.php", True),
    ("HTTP://LOCALHOST:8080/api.php", True),                 # uppercase
    ("http://LocalHost/api.php", True),
    ("http://[::1]:8080/api.php", True),                     # IPv6
    ("https://127.0.0.1/api.php", True),
    ("http://127.0.0.1:8080", True),
    ("http://127.0.0.1:8080/api.php?title=%41&x=@", True),   # escapes and '@' after the path start
    ("http://evil.example\\@127.0.0.1/api.php", False),     # backslash: urlsplit and urllib3 disagree
    ("http://127.0.0.1\\@evil.example/", False),
    ("http://localhost:8080\\@evil.example/", False),
    ("http://localhost@example.org/api.php", False),         # userinfo
    ("http://127.0.0.1:80@evil.example/", False),
    ("http://user:pass@127.0.0.1/", False),
    ("http://127.0.0.1.nip.io/api.php", False),              # nip.io-style names
    ("http://127-0-0-1.sslip.io/", False),
    ("http://localhost.example.org/", False),
    ("http://wiki.localhost/", False),
    ("http://localhost./", False),                           # trailing dot
    ("http://127.0.0.1./", False),
    ("http://%31%32%37.0.0.1/", False),                      # percent-encoded host
    ("http://127.0.0.1%2eevil.example/", False),
    ("http://evil.example%5C@127.0.0.1/", False),
    ("http://evil.example#@127.0.0.1/", False),
    ("http://evil.example?@127.0.0.1/", False),
    ("http://[::ffff:127.0.0.1]/", False),                   # IPv4-mapped IPv6
    ("http://[::1%25eth0]/", False),                         # zone id
    ("http://0x7f.0.0.1/", False),                           # other spellings of 127.0.0.1
    ("http://2130706433/", False),
    ("http://0177.0.0.1/", False),
    ("http://127.1/", False),
    ("http://0.0.0.0/", False),
    ("http:/\\evil.example/", False),
    ("http:\\\\evil.example\\", False),
    ("//127.0.0.1/api.php", False),
    ("ftp://127.0.0.1/", False),
    ("file:///etc/passwd", False),
    ("127.0.0.1:8080/api.php", False),
    ("http://127.0.0.1 .evil.example/", False),              # whitespace and control characters
    ("http://127.0.0.1\t.evil.example/", False),
    ("http://127.0.0.1\n.evil.example/", False),
    (" http://127.0.0.1/", False),
    ("http://ｌｏｃａｌｈｏｓｔ/", False),                          # fullwidth letters
    ("http://①②⑦.0.0.1/", False),
    ("http://127.0.0.1:99999/", False),
    ("http://[::1]evil.example/", False),
    ("https://multiverse.example.org/w/api.php", False),     # remote, not listed
    ("http://10.0.0.1/", False),
    ("https://multiverse.example.org.evil.example/", False),
]
# Where urllib3 would connect to another machine: the HTTP layer must refuse before any lookup.
REMOTE_FOR_URLLIB3 = [u for u, _ in FORMS if any(s in u for s in ("evil.example\\@", "localhost@", ":80@", "nip.io",
                                                                  "sslip", "localhost.ex", "wiki.localhost",
                                                                  "%2eevil", "#@", "?@", "0x7f", "2130706433",
                                                                  "0177.", "127.1/", "0.0.0.0", "10.0.0.1",
                                                                  "multiverse"))]


def test_there_are_at_least_40_forms():
    assert len(FORMS) >= 40 and len(REMOTE_FOR_URLLIB3) >= 15


@pytest.mark.parametrize("url, accepted", FORMS)
def test_the_configured_url_must_be_plain_and_loopback(url, accepted):
    if accepted:
        assert is_loopback_host(check_write_target(url))
        assert is_local_url(url)
    else:
        with pytest.raises(WriteRefused):
            check_write_target(url)
        assert not is_local_url(url)


@pytest.mark.parametrize("url, _accepted", FORMS)
def test_the_http_layer_never_lets_a_request_leave_the_machine(url, _accepted):
    session = requests.Session()
    guard_session(session)
    with shimmed() as shim:
        try:
            session.get(url, timeout=2)
        except RequestRefused:
            assert shim.lookups == [] and shim.connects == []    # refused before any connection
        except (requests.RequestException, ValueError):
            pass                            # refused by requests itself, or loopback with no server
    assert shim.escaped == []


@pytest.mark.parametrize("url", REMOTE_FOR_URLLIB3)
def test_the_http_layer_refuses_where_urllib3_would_connect_elsewhere(url):
    session = requests.Session()
    guard_session(session)
    with shimmed() as shim, pytest.raises(RequestRefused):
        session.post(url, data={"action": "edit"}, timeout=2)
    assert shim.lookups == [] and shim.connects == []


def test_listed_hosts_are_allowed_exactly():
    assert check_write_target("https://multiverse.example.org/w/api.php", ALLOWED) == "multiverse.example.org"
    assert check_write_target("https://Multiverse.Example.org./w/api.php", ALLOWED) == "multiverse.example.org."
    for url in ("https://multiverse.example.org.evil.example/", "https://evil.multiverse.example.org/",
                "https://user@multiverse.example.org/"):
        with pytest.raises(WriteRefused):
            check_write_target(url, ALLOWED)
    with pytest.raises(WriteRefused) as err:
        check_write_target("https://other.example.org/w/api.php", ALLOWED)
    assert "other.example.org" in str(err.value) and "GMW_ALLOW_HOSTS" in str(err.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "[::1]", "::1"])
def test_loopback_hosts(host):
    assert is_loopback_host(host)


# "wiki.localhost" and "localhost." were taken for loopback before: whether they are depends on the
# resolver, so they are not.
@pytest.mark.parametrize("host", ["example.org", "10.0.0.1", "192.168.1.1", "128.0.0.1", "::2", "localhost.example.org",
                                  "", "127.0.0.1.nip.io", "wiki.localhost", "localhost.", "::ffff:127.0.0.1"])
def test_other_hosts_are_not_loopback(host):
    assert not is_loopback_host(host)


def test_url_host_gives_the_host_only_for_plain_urls():
    assert url_host("http://[::1]:8080/w/api.php") == "::1"
    assert url_host("https://Wiki.Example.org/w/api.php") == "wiki.example.org"
    assert url_host("http://evil.example\\@127.0.0.1/api.php") is None


class _Redirect(BaseHTTPRequestHandler):
    target = "http://evil.example/api.php"
    hits = 0

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).hits += 1
        self.send_response(302)
        self.send_header("Location", self.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_GET


@pytest.fixture
def redirecting():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    _Redirect.hits = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("target", ["http://evil.example/api.php", "http://127.0.0.1.nip.io:8080/api.php",
                                    "https://multiverse.example.org/", "http://localhost@example.org/"])
def test_a_redirect_to_another_host_is_refused_before_it_is_followed(redirecting, target):
    _Redirect.target = target
    port = redirecting.server_address[1]
    session = requests.Session()
    guard_session(session)
    with shimmed(allow_ports=[port]) as shim, pytest.raises(RequestRefused):
        session.get(f"http://127.0.0.1:{port}/api.php", timeout=5)
    assert _Redirect.hits == 1 and shim.escaped == []


def test_pywikibots_first_request_goes_through_the_guard(redirecting, tmp_path):
    """publish on a loopback wiki that redirects to another host: refused (exit 2) at the first
    request pywikibot sends, never retried, and nothing leaves the machine."""
    _Redirect.target = "http://evil.example/api.php"
    port = redirecting.server_address[1]
    record = tmp_path / "net.json"
    (tmp_path / "A.wikitext").write_text("Text.\n", encoding="utf-8")
    code = ("import sys; import tests.netshim as n; n.install(sys.argv[1], [int(sys.argv[2])]);"
            "from bots.publish import main; sys.exit(main('-source:' + sys.argv[3], '-simulate'))")
    env = {**os.environ, "PYWIKIBOT_DIR": str(ROOT), "GMW_API_URL": f"http://127.0.0.1:{port}/api.php",
           "GMW_WIKI_DIR": str(tmp_path / "wiki"), "GMW_STATE_DIR": str(tmp_path / "state")}
    env.pop("GMW_ALLOW_HOSTS", None)
    res = subprocess.run([sys.executable, "-c", code, str(record), str(port), str(tmp_path)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stderr[-3000:]
    assert "refusing to write to evil.example" in res.stderr
    assert "Traceback" not in res.stderr
    net = json.loads(record.read_text())
    assert [h for h in net["lookups"] if h not in ("127.0.0.1", "localhost")] == []
    assert _Redirect.hits == 1


@pytest.mark.parametrize("url, local", [("http://127.0.0.1:8080/api.php", True), ("http://[::1]:8080/api.php", True),
                                        ("http://127.0.0.1.nip.io/api.php", False),
                                        ("http://localhost@example.org/api.php", False),
                                        ("http://evil.example\\@127.0.0.1/api.php", False)])
def test_user_config_calls_local_what_the_guard_calls_local(url, local):
    code = "from pywikibot import config; print(config.put_throttle, config.minthrottle)"
    env = {**os.environ, "PYWIKIBOT_DIR": str(ROOT), "GMW_API_URL": url}
    env.pop("GMW_PUT_THROTTLE", None)
    res = subprocess.run([sys.executable, "-c", code], cwd="/", env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == (["0", "0.0"] if local else ["10", "0.1"])
