"""When the stop page is read (bots.core.stoppage.StopChecks), read-ahead included: offline, the page scripted."""
from __future__ import annotations

import threading
import time

import pytest

from bots.core.stoppage import StopChecks, StopRequested


class ScriptedStopPage(StopChecks):
    """A stop page whose text the test sets; records which thread read it."""

    def __init__(self, **kw) -> None:
        super().__init__(self._read, "User:MultiverseBot/Run", **kw)
        self.text: str | None = "run"
        self.readers: list[str] = []
        self.fail_next = False

    def _read(self) -> str | None:
        self.readers.append(threading.current_thread().name)
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("the wiki did not answer")
        return self.text


def edits_after_stop(page: ScriptedStopPage, stop_after: int, total: int = 60) -> int:
    """Edits allowed once the page said stop right after edit number `stop_after`."""
    done = 0
    try:
        for i in range(total):
            page.before_edit()
            done += 1
            if i == stop_after:
                page.text = "stop"
            time.sleep(0.001)       # let the helper thread run its read, as a slow edit would
    except StopRequested:
        pass
    finally:
        page.close()
    return done - (stop_after + 1)


@pytest.mark.parametrize("read_ahead", [False, True])
def test_a_stop_is_obeyed_within_one_group_of_edits(read_ahead):
    for stop_after in range(0, 35):
        page = ScriptedStopPage(read_ahead=read_ahead)
        page.check()
        assert 0 <= edits_after_stop(page, stop_after) <= page.every, stop_after


def test_the_read_for_the_next_group_starts_with_the_last_edit_of_this_group():
    page = ScriptedStopPage(read_ahead=True)
    page.check()
    assert page.readers == ["MainThread"]
    for _ in range(9):
        page.before_edit()
    assert page._ahead is None
    page.before_edit()                 # the 10th edit: the read for the 11th starts now
    assert page._ahead is not None
    page._ahead[1].result()
    assert page.readers[1].startswith("stop-page")
    page.before_edit()                 # the 11th edit uses it: no read in this thread
    assert len(page.readers) == 2
    page.close()


def test_a_stale_read_ahead_is_not_trusted():
    page = ScriptedStopPage(read_ahead=True, max_age=0.05)
    page.check()
    page.read_ahead()
    page._ahead[1].result()
    page.text = "stop"
    time.sleep(0.1)
    with pytest.raises(StopRequested):
        page.check()                   # the read ahead said run, but it is too old: read again
    assert page.readers[-1] == "MainThread"
    page.close()


def test_a_failed_read_ahead_is_read_again():
    page = ScriptedStopPage(read_ahead=True)
    page.fail_next = True
    page.read_ahead()
    page.check()
    assert page.readers[-1] == "MainThread"
    page.close()


def test_an_import_counts_as_its_edits():
    page = ScriptedStopPage()
    page.check()
    page.before_edits(10)              # one import request of 10 pages
    page.text = "stop"
    with pytest.raises(StopRequested):
        page.before_edit()             # the next edit is preceded by a check


def test_without_read_ahead_every_check_reads_in_the_calling_thread():
    page = ScriptedStopPage()
    page.check()
    for _ in range(25):
        page.before_edit()
    assert page.readers == ["MainThread"] * 3


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_with_an_interval_a_fast_run_reads_the_page_once_per_interval_not_per_ten_edits():
    clock = FakeClock()
    page = ScriptedStopPage(interval=2.0, clock=clock)
    page.check()
    for _ in range(200):                # 200 edits in 1.99 s: no read after the first
        clock.now += 0.00995
        page.before_edit()
    assert page.reads == 1
    clock.now += 0.02
    page.before_edit()                  # 2 s and 10 edits since the last read: read now
    assert page.reads == 2


def test_with_an_interval_a_slow_run_still_reads_every_ten_edits():
    clock = FakeClock()
    page = ScriptedStopPage(interval=2.0, clock=clock)
    page.check()
    for _ in range(30):
        clock.now += 5.0                # one edit per 5 s
        page.before_edit()
    assert page.reads == 3


@pytest.mark.parametrize("read_ahead", [False, True])
def test_with_an_interval_a_stop_is_obeyed_within_ten_edits_or_the_interval(read_ahead):
    for step in (0.001, 0.05, 0.5):     # seconds per edit: fast, medium, slow
        for stop_after in (0, 7, 23):
            clock = FakeClock()
            page = ScriptedStopPage(interval=2.0, clock=clock, read_ahead=read_ahead)
            page.check()
            done, stopped_at = 0, None
            try:
                for i in range(5000):
                    clock.now += step
                    page.before_edit()
                    done += 1
                    if i == stop_after:
                        page.text, stopped_at = "stop", clock.now
                    if page._ahead:
                        page._ahead[1].result()
            except StopRequested:
                pass
            finally:
                page.close()
            after = done - (stop_after + 1)
            assert done < 5000, (step, stop_after)
            assert after <= max(page.every, round(2.0 / step) + 1), (step, stop_after, after)


def test_an_import_request_of_fifty_pages_is_checked_before_when_due():
    clock = FakeClock()
    page = ScriptedStopPage(interval=2.0, clock=clock)
    page.check()
    page.before_edits(50)              # the first request after the start's read: no read
    assert page.reads == 1
    clock.now += 2.5
    page.text = "stop"
    with pytest.raises(StopRequested):
        page.before_edits(50)          # 50 pages and 2.5 s since the last read: read, and stop
