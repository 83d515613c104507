import pytest

from bots.core.stoppage import stop_page_title, stop_requested


def test_missing_page_means_run():
    assert stop_requested(None) is False


@pytest.mark.parametrize("text", ["run", "Run", " RUN \n", "<!-- set to anything else to stop -->\nrun"])
def test_run_means_run(text):
    assert stop_requested(text) is False


@pytest.mark.parametrize("text", ["", "   ", "stop", "run!", "running", "do not run", "stop: broken fix",
                                  "<!-- run -->", "run\nstop"])
def test_anything_else_means_stop(text):
    assert stop_requested(text) is True


def test_title():
    assert stop_page_title("MultiverseBot") == "User:MultiverseBot/Run"
