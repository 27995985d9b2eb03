"""The budget of one analysis. Loop invariants grow with the loops before them, so the work is
superlinear in the number of loops (8 nested loops took minutes). One program's analysis (quod
terminates, or one tactic) gets a budget of time; past it, the answer is don't know, saying so. The
time is the process's CPU time (z3 runs in the process), not the wall clock: on a machine busy with
other work the analysis takes longer but does the same work and gives the same answer (on a quiet
one they are the same)."""

from __future__ import annotations

import contextlib
import contextvars
import os
import time

BUDGET_ENV = "QUOD_ANALYSIS_BUDGET"
DEFAULT_BUDGET = 40.0           # seconds: with start-up and the final check, an answer within a minute

_deadline: contextvars.ContextVar = contextvars.ContextVar("quod_analysis_deadline", default=None)


class OverBudget(Exception):
    """The analysis ran past its budget."""

    def __init__(self, seconds: float):
        super().__init__(f"the analysis stopped at its budget of {seconds:g} s ({BUDGET_ENV}); annotate the "
                         "loops with invariant(...) and decreasing(...), or split the program")


def clock() -> float:
    """The clock budgets are read on: this process's CPU time, in seconds."""
    return time.process_time()


def budget_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get(BUDGET_ENV, DEFAULT_BUDGET)))
    except ValueError:
        return DEFAULT_BUDGET


@contextlib.contextmanager
def budget(share: float = 1.0):
    """Inside the block, ``spend`` raises ``OverBudget`` once the budget is used. A nested block gets
    ``share`` of what is left of the outer one (the termination search leaves time for the search for
    a run that goes on forever)."""
    outer = _deadline.get()
    if outer is not None and share >= 1.0:
        yield
        return
    if outer is None:
        s = budget_seconds()
        token = _deadline.set((clock() + s, s))
    else:
        left = max(0.0, outer[0] - clock())
        token = _deadline.set((clock() + share * left, outer[1]))
    try:
        yield
    finally:
        _deadline.reset(token)


def spend() -> None:
    d = _deadline.get()
    if d is not None and clock() > d[0]:
        raise OverBudget(d[1])
