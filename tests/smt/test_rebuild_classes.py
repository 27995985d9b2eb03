"""The classes of issue 16 that the smt rebuild now proves in the kernel, one mechanism each.

Each goal is rebuilt by ``tactics.smt.reconstruct`` without z3 (``use_z3=False``, except where a
model's witness is the point) and must be a theorem the kernel admits with no axiom; the
witness and instance steps are then tampered with (an arbitrary term instead) and must be refused.
"""

from __future__ import annotations

import pytest
from kernel import KernelError, TheoremDecl
from smtcorpus import goal_of, prelude_env
from tactics.smt import reconstruct
from tactics.state import assemble
from test_reconstruction import _all_rejected, change_witness, variants

CLASSES = {
    # witnesses solved from equations, after defined variables are eliminated (witness.py)
    "witness": ["forall a b c : int, a | b and b | c -> a | c",
                "forall x : int, even(x) or odd(x)",
                "forall x : int, even(x) -> even(x * x)",
                "forall n : int, exists q r : int, n = 3 * q + r and 0 <= r and r < 3"],
    # division by a symbolic divisor: sign cases and quot_rem_unique (quotrem.py)
    "quotrem": ["forall a b c : int, b != 0 -> (a + c * b) % b = a % b",
                "forall x y : int, y != 0 -> (x * y) % y = 0",
                "forall a b n : int, (a * b) % n = ((a % n) * (b % n)) % n",
                "forall a b c : int, 0 < b -> 0 < c -> a / b / c = a / (b * c)"],
    # integer reasoning beyond rounding: branch and bound (branch.py)
    "branch": ["forall x y : int, x >= 0 -> y >= 0 -> 6 * x + 7 * y = 5 -> false",
               "forall x : int, x * x != 2",
               "forall x y : int, x * y = 1 -> x = 1 or x = -1"],
    # a library lemma, matched (lemmas.py)
    "lemma": ["forall a b c : int, a | b -> a | c -> a | b + c"],
    # recursive definitions on closed arguments, down to the base cases
    "ground": ["gcd(12, 18) = 6"],
}
GOALS = [(c, f) for c, fs in CLASSES.items() for f in fs]


def _build(formula: str):
    env = prelude_env()
    stmt, state, goal = goal_of(formula, env)
    pf = reconstruct(env, goal, use_z3=False)
    assert pf is not None, f"no kernel proof rebuilt for {formula}"
    return env, stmt, assemble(state.solve(goal, pf, []))


@pytest.mark.parametrize("cls,formula", GOALS, ids=[f"{c}:{f}" for c, f in GOALS])
def test_class_is_kernel_checked(cls, formula):
    env, stmt, proof = _build(formula)
    thm = env.copy().add(TheoremDecl("_t", stmt, proof))
    assert not thm.axioms, f"{formula} rests on {set(thm.axioms)}"


@pytest.mark.parametrize("formula", [CLASSES["witness"][0], CLASSES["quotrem"][0]])
def test_tampered_witness_or_instance_rejected(formula):
    env, stmt, proof = _build(formula)
    assert _all_rejected(env, stmt, variants(proof, change_witness)) > 0


def test_closed_existential_witness_from_the_model():
    env = prelude_env()
    stmt, state, goal = goal_of("exists x y : int, x + y = 10 and x - y = 4", env)
    pf = reconstruct(env, goal)
    assert pf is not None
    assert not env.copy().add(TheoremDecl("_t", stmt, assemble(state.solve(goal, pf, [])))).axioms


def test_false_goal_gets_no_proof():
    env = prelude_env()
    for formula in ("forall x y : int, 6 * x + 7 * y = 5 -> false", "forall a b : int, a | b -> b | a",
                    "forall a b : int, (a + b) % 2 = a % 2"):
        stmt, state, goal = goal_of(formula, env)
        pf = reconstruct(env, goal, use_z3=False)
        if pf is not None:
            with pytest.raises(KernelError):
                env.copy().add(TheoremDecl("_t", stmt, assemble(state.solve(goal, pf, []))))
