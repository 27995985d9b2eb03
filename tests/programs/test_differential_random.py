"""Random programs (progen) run by Quod's front end and interpreter and by gcc / CPython: no
disagreement. A few hundred programs of fixed seeds; bench/differential.py runs thousands.

The comparison rules are test_differential's (see randdiff); gcc missing means the C half is skipped.
"""

from __future__ import annotations

import random

import pytest

import progen
import randdiff
from randdiff import GCC, Stats

SEED = 20260
C_PROGRAMS = 120
PY_PROGRAMS = 200
RISKY_PROGRAMS = 100


def _fail(stats: Stats) -> str:
    return f"{len(stats.disagreements)} disagreements; the first ones:\n\n" + \
        "\n\n".join(d.text() for d in stats.disagreements[:4])


@pytest.mark.skipif(GCC is None, reason="gcc is not installed")
def test_random_c_programs_agree_with_gcc(tmp_path):
    stats = Stats()
    randdiff.run_c(SEED, 0, C_PROGRAMS, stats, tmp=tmp_path)
    assert stats.disagreements == [], _fail(stats)
    accepted = stats.programs - sum(stats.rejected.values())
    assert stats.programs == C_PROGRAMS and accepted >= 0.8 * C_PROGRAMS, stats.rejected
    assert stats.inputs >= 5 * accepted and stats.agreed_failures >= 50     # values and failures both compared


def test_random_python_programs_agree_with_cpython():
    stats = Stats()
    randdiff.run_python(SEED, 0, PY_PROGRAMS, stats)
    assert stats.disagreements == [], _fail(stats)
    accepted = stats.programs - sum(stats.rejected.values())
    assert stats.programs == PY_PROGRAMS and accepted >= 0.8 * PY_PROGRAMS, stats.rejected
    assert stats.inputs >= 5 * accepted and stats.agreed_failures >= 50


N = progen.N


def test_random_python_programs_with_locals_that_may_be_unbound_agree_with_cpython():
    """Locals read where they may have no value: CPython raises UnboundLocalError, Quod must fail too."""
    stats = Stats()
    randdiff.run_python(SEED, 0, RISKY_PROGRAMS, stats, risky=True)
    assert stats.disagreements == [], _fail(stats)
    assert stats.inputs >= 3 * RISKY_PROGRAMS and stats.agreed_failures >= 100


def _c(ret: str, params: list, body: list) -> progen.GenProgram:
    return progen.GenProgram("c", [progen.Func("f", ret, params, body)])


@pytest.mark.skipif(GCC is None, reason="gcc is not installed")
def test_the_c_oracle_sees_overflows_that_gcc_folds_away(tmp_path):
    """gcc rewrites `n * 2147483647 != 0` as `n != 0` and computes a long product converted to unsigned
    in 32 bits before its sanitizer looks: compiled plainly, the overflow (which the interpreter rightly
    fails on) would go unseen and look like a disagreement. The checked build sees it."""
    stats = Stats()
    folded = _c("int", [("n", "int")], [       # if (n * 2147483647) return 1; return 0;
        N("if", N("bin", "*", N("var", "n"), N("const", "2147483647")), [N("return", N("const", "1"))], None, True),
        N("return", N("const", "0"))])
    narrowed = _c("unsigned", [("n", "int")], [      # unsigned u = 9223372036854775807 * n; return u;
        N("decl", "unsigned", "u", N("bin", "*", N("const", "9223372036854775807"), N("var", "n"))),
        N("return", N("var", "u"))])
    items = [("folded", folded, random.Random(1)), ("narrowed", narrowed, random.Random(2))]
    randdiff.c_batch(items, tmp_path, randdiff._c_flags(tmp_path), stats)
    assert stats.disagreements == [], _fail(stats)
    assert stats.agreed_failures >= 10


@pytest.mark.skipif(GCC is None, reason="gcc is not installed")
def test_a_wrong_answer_is_a_disagreement(tmp_path, monkeypatch):
    """The harness is not blind: an interpreter that adds 1 to every result disagrees with gcc."""
    real = randdiff.run_quod

    def off_by_one(prog, args):
        kind, v = real(prog, args)
        return (kind, v + 1) if kind == "ok" and v is not None else (kind, v)
    monkeypatch.setattr(randdiff, "run_quod", off_by_one)
    stats = Stats()
    half = _c("int", [("n", "int")], [N("return", N("bin", "/", N("var", "n"), N("const", "2")))])
    randdiff.c_batch([("half", half, random.Random(3))], tmp_path,
                     randdiff._c_flags(tmp_path), stats)
    assert [d.kind for d in stats.disagreements] == ["value"] and stats.disagreements[0].more >= 5
