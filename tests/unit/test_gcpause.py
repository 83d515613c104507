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


@pytest.fixture
def unfrozen():
    import gc
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_check_s_recorded_pages_are_left_out_of_the_collector_s_passes_and_its_garbage_is_collected(unfrozen):
    import gc

    from bots.core.check import checker as module
    from bots.core.check.checker import Checker, PageOutcome
    from bots.core.check.config import CheckConfig

    class Cycle:
        pass
    garbage = Cycle()
    garbage.me = garbage
    del garbage
    checker = Checker(CheckConfig(), {})
    for n in range(module.SETTLE_EVERY - 1):
        checker.add_outcome(PageOutcome(f"Page {n}", [], [], None, None))
    assert gc.get_freeze_count() == 0
    checker.add_outcome(PageOutcome("Last", [], [], None, None))
    assert gc.get_freeze_count() > 0                     # the pages recorded, frozen ...
    assert not any(isinstance(o, Cycle) for o in gc.get_objects())      # ... the garbage collected first
    assert checker.pages == module.SETTLE_EVERY


def test_nothing_is_frozen_while_the_caller_has_paused_the_collector(unfrozen):
    import gc

    from bots.core.check import checker as module
    from bots.core.check.checker import Checker, PageOutcome
    from bots.core.check.config import CheckConfig
    from bots.core.gcpause import gc_paused

    checker = Checker(CheckConfig(), {})
    with gc_paused():           # an incremental check loading its state
        for n in range(module.SETTLE_EVERY):
            checker.add_outcome(PageOutcome(f"Page {n}", [], [], None, None))
    assert gc.get_freeze_count() == 0
