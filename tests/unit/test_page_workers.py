"""PageWorkers, the workers of check_outcomes, started before the caller has its pages (the incremental
check starts them before it reads what changed): with `warm`, the worker compiles the date pair patterns
while the caller waits, so that its first page does not."""
from __future__ import annotations

from bots.core.check.checker import Checker
from bots.core.check.config import CheckConfig
from bots.core.check.parallel import PageWorkers, check_outcomes
from bots.core.dates import pairs


class _Compiled(Checker):
    """A checker whose outcome of a page is whether the pair patterns were compiled when it came."""

    def check_page(self, title: str, text: str):
        return pairs._compiled.cache_info().currsize


def test_warmed_workers_have_the_pair_patterns_compiled_before_their_first_page():
    checker = _Compiled(CheckConfig(), {})
    pairs._compiled.cache_clear()       # as in a parent that has checked no page itself
    with PageWorkers(checker, 2, warm=True) as workers:
        assert list(workers.outcomes([("A", "text"), ("B", "text")])) == [1, 1]
    pairs._compiled.cache_clear()
    assert list(check_outcomes(checker, [("A", "text")], 2)) == [0]     # not warmed: compiled on demand
    assert pairs._compiled.cache_info().currsize == 0                   # ... and never in the parent
