"""How many edit workers a publish uses, and how long it pauses when the wiki reports lag."""
from __future__ import annotations

import pytest

from bots.core.publish.workers import LOCAL_SERVER_DB_WORKERS, edit_workers, lag_pause

BOT = frozenset({"bot", "noratelimit", "apihighlimits", "edit"})


def test_sqlite_gets_one_worker_even_on_our_own_wiki():
    choice = edit_workers("sqlite", local=True, rights=BOT)
    assert choice.count == 1 and "SQLite" in choice.why


@pytest.mark.parametrize("dbtype", ["mysql", "postgres"])
def test_our_own_database_server_wiki_gets_several(dbtype):
    choice = edit_workers(dbtype, local=True, rights=BOT)
    assert choice.count == LOCAL_SERVER_DB_WORKERS > 1


@pytest.mark.parametrize("dbtype", ["mysql", "sqlite", "", None])
def test_a_wiki_we_do_not_run_gets_requests_in_series(dbtype):
    choice = edit_workers(dbtype, local=False, rights=BOT)
    assert choice.count == 1 and "don't run" in choice.why


def test_a_rate_limited_account_edits_in_series_even_on_our_mariadb():
    choice = edit_workers("mysql", local=True, rights=frozenset({"edit", "bot"}))
    assert choice.count == 1 and "noratelimit" in choice.why


def test_configured_workers_win_everywhere_but_are_bounded():
    assert edit_workers("sqlite", local=True, rights=BOT, configured=3).count == 3
    assert edit_workers("mysql", local=False, rights=BOT, configured=2).count == 2
    assert edit_workers("mysql", local=True, rights=BOT, configured=500).count == 16
    assert "configured" in edit_workers("mysql", local=False, rights=BOT, configured=2).why


def test_an_unknown_database_type_on_our_wiki_is_treated_like_sqlite():
    assert edit_workers("", local=True, rights=BOT).count == 1


def test_lag_pause_grows_with_the_lag_not_a_fixed_time():
    short, long = lag_pause(1.0, attempt=1, retry_after=5), lag_pause(8.0, attempt=1, retry_after=5)
    assert short < 2 < 8 <= long
    assert lag_pause(4.0, attempt=2) == pytest.approx(2 * lag_pause(4.0, attempt=1))


def test_lag_pause_is_bounded_and_never_zero():
    assert lag_pause(0.0, attempt=1) > 0
    assert lag_pause(10_000.0, attempt=9, cap=60) == 60
    assert lag_pause(float("nan"), attempt=1, retry_after=3) == 3
    assert lag_pause(-5, attempt=1) > 0


def test_lag_pause_without_a_reported_lag_follows_retry_after():
    assert lag_pause(None, attempt=1, retry_after=7) == 7
    assert lag_pause(None, attempt=1) == pytest.approx(5.0)
