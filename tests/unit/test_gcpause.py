"""The collector paused over a bulk step (bots.core.gcpause)."""
import pytest


def test_the_collector_paused_over_a_step_is_as_it_was_after_it():
    import gc

    from bots.core.gcpause import gc_paused

    assert gc.isenabled()
    with pytest.raises(ValueError):
        with gc_paused():
            assert not gc.isenabled()
            raise ValueError("a failed save")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()        # a caller that disabled it keeps it so
    finally:
        gc.enable()
