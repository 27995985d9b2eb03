"""Rebuilding without the oracle the verification conditions that `quod terminates` produces: shared
``if`` tests (ite_cases.py), parity through C's ``%`` (linarith's exact elimination order), if-else
chains followed by unit propagation, and disequalities that cannot matter. True goals get a proof
the kernel accepts; near misses that are false get none."""

from __future__ import annotations

import pytest
from kernel import P, TheoremDecl, Var, mk
from smtcorpus import elaborate, goal_of, prelude_env
from tactics.linarith import LinarithFailed, prove_false
from tactics.smt import reconstruct
from tactics.state import assemble

# A lexicographic ranking step (TPDB 4NestedWith3Variables): every component is
# `if 0 < q then max(t, 0) else 0` and the next state's components share the test 0 < q + a - 1.
LEX_IF_MAX = (
    "forall v1 v2 v3 v4 a b q : int, "
    "0 < q and (if 0 < q then 1 else 0) = v1 and (if 0 < q then max(100 * q - 10 * a - 20 * b + 1, 0) else 0) = v2"
    " and (if 0 < q then max(3 * a - 4 * b + 100, 0) else 0) = v3 and (if 0 < q then a + q else 0) = v4 -> "
    "0 <= v1 and (if 0 < q + a - 1 then 1 else 0) < v1"
    " or (if 0 < q + a - 1 then 1 else 0) <= v1 and 0 <= v2 and "
    "(if 0 < q + a - 1 then max(100 * (q + a - 1) - 10 * (3 * a - 4 * b) - 20 * (4 * a + 3 * b) + 1, 0) else 0) < v2"
    " or (if 0 < q + a - 1 then 1 else 0) <= v1 and "
    "(if 0 < q + a - 1 then max(100 * (q + a - 1) - 10 * (3 * a - 4 * b) - 20 * (4 * a + 3 * b) + 1, 0) else 0) <= v2"
    " and 0 <= v3 and (if 0 < q + a - 1 then max(3 * (3 * a - 4 * b) - 4 * (4 * a + 3 * b) + 100, 0) else 0) < v3"
    " or (if 0 < q + a - 1 then 1 else 0) <= v1 and "
    "(if 0 < q + a - 1 then max(100 * (q + a - 1) - 10 * (3 * a - 4 * b) - 20 * (4 * a + 3 * b) + 1, 0) else 0) <= v2"
    " and (if 0 < q + a - 1 then max(3 * (3 * a - 4 * b) - 4 * (4 * a + 3 * b) + 100, 0) else 0) <= v3"
    " and 0 <= v4 and (if 0 < q + a - 1 then 3 * a - 4 * b + (q + a - 1) else 0) < v4")

# C's x % 2 with --int math: x - 2 * (if x < 0 then -(-x / 2) else x / 2). An odd x makes x - 1 even.
C_MOD2 = "(if {x} < 0 then -(-{x} / 2) else {x} / 2)"
PARITY = (f"forall x : int, x - 2 * {C_MOD2.format(x='x')} != 0 -> "
          f"x - 1 - 2 * {C_MOD2.format(x='(x - 1)')} = 0")


def if_else_chain(n: int, hit: int, last: str) -> str:
    """``a = hit`` and an if-else chain over a = 1 .. n whose case `hit` ends in `last`: deeper than the
    tableau's branching depth unless the decided tests are followed without a case split."""
    body = "true"
    for k in range(n, 0, -1):
        then = last if k == hit else "b = b"
        body = f"(a = {k} -> {then}) and (a != {k} -> {body})"
    return f"forall a b : int, a = {hit} -> {body}"


TRUE = [
    LEX_IF_MAX,
    PARITY,
    if_else_chain(12, 11, "b + 1 > b"),
    "forall x y : int, (if x < y then y else x) + (if x < y then x else y) = x + y",
    "forall x : int, 0 <= x and x <= 1 and x != 0 and x != 1 -> false",
    "forall x p1 p2 p3 p4 p5 p6 p7 p8 : int, p1 != 0 and p2 != 0 and p3 != 0 and p4 != 0 and p5 != 0 "
    "and p6 != 0 and p7 != 0 and p8 != 0 and x != 0 and 0 <= x and x <= 0 -> false",
]

FALSE = [
    # the ranking step with the last component not decreasing (a + q is only just not below v4)
    LEX_IF_MAX.replace("(q + a - 1) else 0) < v4", "(q + a - 1) else 0) < v4 - 100000"),
    PARITY.replace("x - 1 - 2", "x - 2 - 2").replace("(x - 1)", "(x - 2)"),
    if_else_chain(12, 11, "b + 1 < b"),
    "forall x y : int, (if x < y then y else x) + (if x < y then x else y) = x + y + 1",
    "forall x : int, 0 <= x and x <= 2 and x != 0 and x != 1 -> false",
]


def _proof(formula: str):
    env = prelude_env()
    stmt, state, goal = goal_of(formula, env)
    pf = reconstruct(env, goal, use_z3=False)
    return env, stmt, (None if pf is None else assemble(state.solve(goal, pf, [])))


@pytest.mark.parametrize("formula", TRUE)
def test_rebuilt_without_oracle_and_kernel_checked(formula):
    env, stmt, proof = _proof(formula)
    assert proof is not None, formula
    env.copy().add(TheoremDecl("_rebuilt", stmt, proof))     # raises KernelError if not a proof
    assert "oracle" not in repr(proof)


@pytest.mark.parametrize("formula", FALSE)
def test_false_near_miss_not_rebuilt(formula):
    assert _proof(formula)[2] is None, formula


def test_linarith_keeps_parity_through_the_remainders():
    """-x = 2q + r and 1 - x = 2q' + r' with r, r' in {1}: 2(q' - q) = 1 has no integer solution, which
    only shows if the unit-coefficient remainders are eliminated before q and q'."""
    def f(s):
        e = elaborate(f"forall x : int, {s}")
        from kernel import instantiate
        return instantiate(e.args[0], Var("x"))
    base = ["x + 2 * (-x / 2) < 0", "-1 + x + 2 * ((1 - x) / 2) < 0",
            "-x = 2 * (-x / 2) + (-x) % 2", "0 <= (-x) % 2", "(-x) % 2 < 2",
            "1 - x = 2 * ((1 - x) / 2) + (1 - x) % 2", "0 <= (1 - x) % 2", "(1 - x) % 2 < 2"]
    facts = [(f(s), P("hyp", f"h{i}")) for i, s in enumerate(base)]
    assert prove_false(facts) is not None
    near = [(f(s.replace("(1 - x)", "(2 - x)").replace("1 - x =", "2 - x =").replace("-1 + x", "-2 + x")),
              P("hyp", f"h{i}")) for i, s in enumerate(base)]
    with pytest.raises(LinarithFailed):
        prove_false(near)


def test_dropped_disequality_only_when_it_cannot_matter():
    """p != 0 with p in no other comparison is dropped; x != 0 with x bounded is kept."""
    from tactics.arith_tactics import irrelevant_dropped as relevant
    x, p = Var("x"), Var("p")
    from kernel import Int
    facts = [(mk("not", mk("eq", p, Int(0))), P("hyp", "a")), (mk("not", mk("eq", x, Int(0))), P("hyp", "b")),
             (mk("le", Int(0), x), P("hyp", "c"))]
    kept = [f for f, _ in relevant(facts)]
    assert facts[0][0] not in kept and facts[1][0] in kept and facts[2][0] in kept
    # p * p != 1 is not linear in p: kept
    sq = (mk("not", mk("eq", mk("mul", p, p), Int(1))), P("hyp", "d"))
    assert sq[0] in [f for f, _ in relevant([sq, facts[2]])]
