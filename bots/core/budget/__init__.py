"""A bounded cost per page: parse wiki text in worker processes that are replaced when they overrun.

Anyone can edit a wiki, and mwparserfromhell tokenizes some text in quadratic time (its issue #364):
one vandal's page must not stall a scheduled check. Signals cannot interrupt the C tokenizer, so the
work runs in child processes, and a child that overruns its page's budget is killed and replaced:

- CPU: the parent's watchdog thread reads each busy worker's CPU clock (clock_getcpuclockid) every
  `POLL` seconds and kills it once the page in hand has used `cpu_seconds`; an RLIMIT_CPU set before
  each page is the backstop should the parent be unable to look (the kernel then sends SIGXCPU).
- Memory: RLIMIT_AS in the worker (its size at start plus `memory_mb`), so an allocation beyond the
  budget fails (MemoryError; the worker reports the page and is replaced); the watchdog also kills a
  worker whose resident size grew more than `memory_mb` during one page.
- Wall clock: a worker that makes no progress for `wall_seconds` (stopped, or starved for that long)
  is killed too; this is a guard against hangs, not the budget.

An overrun page gives an `OverBudget` in place of its result, with what was measured; the other
pages' results are those of a run without it (a worker killed mid-batch has the rest of its batch
done again by its replacement). Results come back in the order of the input.

Interface (what other code paths call):
    budget = Budget(cpu_seconds=2.0, memory_mb=512)
    with BudgetPool(func, budget, processes=2, chunksize=50) as pool:
        for result in pool.map(items):      # func(item), or an OverBudget/Failed for that item
            ...
        one = pool.run(item)                # a single item, same rules
    run_budgeted(func, item, budget)        # one item in a one-off pool

    # An item that expands in the worker (a dump's piece: read there, not in the parent): each of
    # its sub-items (pages) is one step, reading it and func(sub), within the budget; the item's
    # result is the list of its steps' results. An overrun sub-item's OverBudget (or Failed) carries
    # label(sub), since the parent never saw it; a reading that fails or overruns ends the list with
    # an unlabelled Failed or OverBudget after the sub-items before it.
    with BudgetPool(func, budget, processes=2, expand=read_piece, label=title_of) as pool:
        for results in pool.map(pieces):   # [func(sub) or OverBudget/Failed, ...] per piece
            ...

`func` runs in the forked worker, so it may be any callable (a closure, a bound method): it is
inherited, never pickled; items and results are pickled. Pure: standard library only.
"""
from __future__ import annotations

from bots.core.budget.limits import DEFAULT, Budget, Failed, OverBudget
from bots.core.budget.pool import BudgetPool, run_budgeted

__all__ = ["Budget", "OverBudget", "Failed", "BudgetPool", "run_budgeted", "DEFAULT"]
