"""Random recursive programs (recgen) run by Quod's interpreter and by gcc / CPython (issue 12): the
same value, the same failures, and Quod runs out of steps exactly where the real run does not end (an
infinite chain of calls: a stack overflow, a RecursionError). Fixed seeds, a few dozen programs;
``python bench/differential.py --recursive --programs N`` runs more."""

from __future__ import annotations

import pytest

import randdiff
import recgen
from randdiff import GCC, Stats

SEED = 12
PROGRAMS = 30


def _check(stats: Stats, language: str) -> None:
    assert stats.disagreements == [], recgen.report(language, stats)
    o = stats.outcomes
    accepted = stats.programs - sum(stats.rejected.values())
    assert accepted >= 0.9 * PROGRAMS, stats.rejected
    # values, failures and runs that do not end are all compared, on most inputs
    assert o.get("value", 0) >= 2 * accepted and o.get("runs-on", 0) >= accepted, o
    assert o.get("failure", 0) >= 1 and o.get("skipped", 0) <= 0.1 * sum(o.values()), o


@pytest.mark.skipif(GCC is None, reason="gcc is not installed")
def test_random_recursive_c_programs_agree_with_gcc():
    stats = Stats()
    recgen.run_c(SEED, 0, PROGRAMS, stats)
    _check(stats, "c")


def test_random_recursive_python_programs_agree_with_cpython():
    stats = Stats()
    recgen.run_python(SEED, 0, PROGRAMS, stats)
    _check(stats, "python")


def test_a_disagreement_is_found():
    """The judge is not vacuous: a value, a failure and a run that ends where Quod's does not differ."""
    assert recgen.judge(("ok", 3), ("ok", 4), "c") == "value-differs"
    assert recgen.judge(("steps", None), ("ok", 4), "python", real_lines_ok=True) == "finishes"
    assert recgen.judge(("ok", 3), ("crash", "exit -11"), "c") == "does-not-end"
    assert recgen.judge(("assert", None), ("ok", 1), "python") == "false-raise"
    assert recgen.judge(("steps", None), ("raise", RecursionError()), "python") == "runs-on"
    assert randdiff.Stats().disagreements == []
