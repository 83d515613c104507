import pytest

from bots.core.writeguard import WriteRefused, check_write_target, is_loopback_host, parse_allowed_hosts


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "[::1]", "::1",
                                  "wiki.localhost"])
def test_loopback_hosts(host):
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["example.org", "10.0.0.1", "192.168.1.1", "128.0.0.1", "::2",
                                  "localhost.example.org", "", "127.0.0.1.nip.io"])
def test_other_hosts_are_not_loopback(host):
    assert not is_loopback_host(host)


def test_loopback_write_allowed():
    assert check_write_target("http://127.0.0.1:8080/api.php") == "127.0.0.1"
    assert check_write_target("http://[::1]:8080/w/api.php") == "::1"


def test_remote_write_refused_with_clear_message():
    with pytest.raises(WriteRefused) as err:
        check_write_target("https://multiverse.example.org/w/api.php")
    assert "multiverse.example.org" in str(err.value)
    assert "GMW_ALLOW_HOSTS" in str(err.value)


def test_remote_write_allowed_when_listed():
    hosts = parse_allowed_hosts("other.org, Multiverse.Example.org")
    assert check_write_target("https://multiverse.example.org/w/api.php", hosts) == "multiverse.example.org"
    with pytest.raises(WriteRefused):
        check_write_target("https://evil.example.org/w/api.php", hosts)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "127.0.0.1:8080/api.php", "ftp://127.0.0.1/"])
def test_non_http_urls_refused(url):
    with pytest.raises(WriteRefused):
        check_write_target(url)
