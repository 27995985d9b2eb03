"""The z3 encoding agrees with Quod's semantics.

* ``tactics.smt.floor_div`` / ``floor_mod`` (built from z3's Euclidean ``div``/``mod``) give floor
  division made total (``x / 0 = 0``, ``x % 0 = x``), negative divisors included: on constants
  (simplified, and solved as constraints) and, for all integers at once, as a z3 theorem.
* ``Encoder`` on random quantifier-free kernel formulas agrees with ``tactics.evaluate.Evaluator``
  (and with the independent Python evaluator of smtcorpus) on random assignments: z3 must find
  the encoded formula's value forced to the evaluator's answer.
* Prelude definitions (``even``, ``odd``, ``|``, recursive ``gcd``) are encoded faithfully.
"""

from __future__ import annotations

import math

import pytest
import z3
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from kernel import Expr, Int, Pred, Var, mk
from kernel import subst as ksubst
from smtcorpus import evaluate3, fdiv, fmod, prelude_env
from tactics.evaluate import EvalError, Evaluator
from tactics.smt import Encoder, floor_div, floor_mod

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

small = st.integers(-60, 60)
divisors = st.one_of(st.integers(-9, 9), st.integers(-10**6, 10**6), st.sampled_from([0, 1, -1]))
dividends = st.one_of(st.integers(-200, 200), st.integers(-10**12, 10**12))


def _val(e) -> int:
    s = z3.simplify(e)
    assert z3.is_int_value(s), f"did not simplify to a literal: {s}"
    return s.as_long()


# ---- floor_div / floor_mod ---------------------------------------------------------------------

TRAPS = [(-7, 2, -4, 1), (7, -2, -4, -1), (-7, -2, 3, -1), (7, 2, 3, 1), (7, 0, 0, 7), (-7, 0, 0, -7),
         (0, 0, 0, 0), (0, -3, 0, 0), (6, -3, -2, 0), (-6, 3, -2, 0), (-1, 5, -1, 4), (1, -5, -1, -4)]


@pytest.mark.parametrize("a,b,q,r", TRAPS)
def test_traps(a, b, q, r):
    assert (fdiv(a, b), fmod(a, b)) == (q, r)
    assert _val(floor_div(z3, z3.IntVal(a), z3.IntVal(b))) == q
    assert _val(floor_mod(z3, z3.IntVal(a), z3.IntVal(b))) == r


@SETTINGS
@given(dividends, divisors)
def test_floor_div_mod_on_constants(a, b):
    assert _val(floor_div(z3, z3.IntVal(a), z3.IntVal(b))) == (0 if b == 0 else a // b)
    assert _val(floor_mod(z3, z3.IntVal(a), z3.IntVal(b))) == (a if b == 0 else a % b)


@settings(max_examples=60, deadline=None)
@given(dividends, divisors)
def test_floor_div_mod_solved(a, b):
    """As constraints over variables (no simplifier): the only solution is Python's."""
    x, y, q, r = z3.Ints("x y q r")
    s = z3.Solver()
    s.add(x == a, y == b, q == floor_div(z3, x, y), r == floor_mod(z3, x, y))
    s.add(z3.Or(q != fdiv(a, b), r != fmod(a, b)))
    assert s.check() == z3.unsat


def _valid(claim) -> None:
    s = z3.Solver()
    s.set("timeout", 20_000)
    s.add(z3.Not(claim))
    assert s.check() == z3.unsat, claim


def test_floor_div_mod_specification_for_all_integers():
    """For all x, y: x = y * (x / y) + x % y; x % y has the sign of y and |x % y| < |y|;
    and x / 0 = 0, x % 0 = x. These characterise floor division uniquely."""
    x, y = z3.Ints("x y")
    q, r = floor_div(z3, x, y), floor_mod(z3, x, y)
    _valid(z3.ForAll([x, y], x == y * q + r))
    _valid(z3.ForAll([x, y], z3.Implies(y > 0, z3.And(0 <= r, r < y))))
    _valid(z3.ForAll([x, y], z3.Implies(y < 0, z3.And(y < r, r <= 0))))
    _valid(z3.ForAll([x], z3.And(floor_div(z3, x, z3.IntVal(0)) == 0, floor_mod(z3, x, z3.IntVal(0)) == x)))


# ---- Encoder against the evaluator --------------------------------------------------------------

VARS = ("x", "y", "z")


def terms():
    leaves = st.one_of(st.integers(-6, 6).map(Int), st.sampled_from(VARS).map(Var))

    def extend(t):
        binary = st.sampled_from(["add", "sub", "mul", "div", "mod", "min", "max"])
        return st.one_of(
            st.tuples(binary, t, t).map(lambda p: mk(p[0], p[1], p[2])),
            st.tuples(st.sampled_from(["neg", "abs"]), t).map(lambda p: mk(p[0], p[1])),
            st.tuples(atoms(t), t, t).map(lambda p: Expr("ite", (p[0], p[1], p[2]))),
        )
    return st.recursive(leaves, extend, max_leaves=8)


def atoms(t):
    return st.one_of(st.tuples(st.sampled_from(["eq", "lt", "le"]), t, t).map(lambda p: mk(p[0], p[1], p[2])),
                     st.sampled_from([Expr("true"), Expr("false")]))


def formulas():
    def extend(f):
        return st.one_of(
            f.map(lambda a: mk("not", a)),
            st.tuples(st.sampled_from(["and", "or", "imp", "iff"]), f, f).map(lambda p: mk(p[0], p[1], p[2])),
        )
    base = st.one_of(atoms(terms()), st.tuples(st.sampled_from(["even", "odd"]), terms()).map(
        lambda p: Pred(p[0], p[1])))
    return st.recursive(base, extend, max_leaves=5)


def _z3_value_forced(env, f, values: dict, expected: bool) -> None:
    enc = Encoder(env)
    e = enc.enc(f)
    s = z3.Solver()
    s.set("timeout", 10_000)
    for ax in enc.axioms:
        s.add(ax)
    for n, v in values.items():
        s.add(enc.var(n) == v)
    s.add(e != z3.BoolVal(expected))
    r = s.check()
    assert r != z3.sat, f"z3 finds {f} = {not expected} at {values}: {s.model()}"
    assert r == z3.unsat, f"z3 could not settle {f} at {values} ({s.reason_unknown()})"


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formulas(), st.fixed_dictionaries({v: st.integers(-25, 25) for v in VARS}))
def test_encoder_agrees_with_evaluator(f, values):
    env = prelude_env()
    closed = ksubst(f, {n: Int(v) for n, v in values.items()})
    mine = evaluate3(closed, env=env)
    assume(mine is not None)        # even/odd are existentials: settled by the bounded search or not at all
    if not any(n.op == "pred" for n in _nodes(f)):
        try:
            theirs = Evaluator(env).run(closed)
        except EvalError:
            theirs = None
        assert theirs == mine, f"Evaluator says {theirs}, Python semantics say {mine} for {closed}"
    _z3_value_forced(env, f, values, mine)


@SETTINGS
@given(terms(), st.fixed_dictionaries({v: st.integers(-40, 40) for v in VARS}))
def test_encoder_terms_agree_with_evaluator(t, values):
    env = prelude_env()
    closed = ksubst(t, {n: Int(v) for n, v in values.items()})
    want = Evaluator(env).run(closed)
    assert want == evaluate3(closed, env=env)
    enc = Encoder(env)
    e = enc.enc(t)
    s = z3.Solver()
    for n, v in values.items():
        s.add(enc.var(n) == v)
    s.add(e != want)
    assert s.check() == z3.unsat, f"{t} at {values}: z3 allows a value other than {want}"


def _nodes(e):
    from kernel.expr import postorder
    return postorder(e)


# ---- prelude definitions ---------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.integers(-30, 30), st.integers(-30, 30))
def test_defs_encoding(a, b):
    env = prelude_env()
    _z3_value_forced(env, Pred("dvd", Int(a), Int(b)), {}, (b == 0) if a == 0 else (b % a == 0))
    _z3_value_forced(env, Pred("even", Int(a)), {}, a % 2 == 0)
    _z3_value_forced(env, Pred("odd", Int(b)), {}, b % 2 == 1)


@pytest.mark.parametrize("a,b", [(12, 18), (0, 0), (-4, 6), (7, 0), (0, -5), (9, -6), (-8, -12), (17, 5)])
def test_gcd_encoding(a, b):
    """gcd is recursive: an uninterpreted function with its defining equation as an axiom."""
    from kernel import App
    env = prelude_env()
    _z3_value_forced(env, mk("eq", App("gcd", Int(a), Int(b)), Int(math.gcd(a, b))), {}, True)


def test_a_deep_term_is_encoded_without_recursion():
    """Issue 17: the encoder recursed, so a theorem with a few hundred nested terms failed with a
    RecursionError (and took its file with it); now depth costs nothing."""
    import sys
    depth = 3 * sys.getrecursionlimit()
    t = Var("x")
    for i in range(depth):
        t = mk("add", t, Int(i % 3))
    f = mk("lt", Var("x"), mk("add", t, Int(1)))
    s = z3.Solver()
    s.add(z3.Not(Encoder(prelude_env()).enc(f)))
    assert s.check() == z3.unsat


def test_many_nested_binders_are_encoded_without_recursion():
    """Issue 17: a C function with 500 parameters is a claim under 500 foralls; the encoder
    recursed once per binder. A run of binders is now one step."""
    import sys
    from kernel import Exists, Forall
    n = 2 * sys.getrecursionlimit()
    f = mk("eq", Var("x0"), Var("x0"))
    for i in range(n):
        f = Forall(f"x{i}", f) if i % 7 else Exists(f"x{i}", f)
    s = z3.Solver()
    s.add(z3.Not(Encoder(prelude_env()).enc(f)))
    assert s.check() == z3.unsat
