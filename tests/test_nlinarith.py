"""nlinarith: products of facts, certified by the kernel's linarith rule from prelude lemmas.

Each case is a small .proof file loaded with the Loader (as in test_tactics.py): where the tactic
must work, the theorem is proved with no axioms; where it must fail (a false goal, a goal that
needs three factors, a goal that is no comparison), the message says why. Then the pieces: the
simplex finds certificates and finds none for satisfiable systems; a certificate the kernel is
given wrong is rejected; the smt tactic and ``quod prove`` use the same products before the oracle.
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kernel import RULES, Environment, Forall, Int, KernelError, P, Proof, TheoremDecl, Var, mk
from quod.loader import Loader
from tactics.nlinarith import LEMMAS, lp_refute, missing_lemmas
from tactics.simplex import farkas

ROOT = Path(__file__).resolve().parent.parent


def load(tmp_path, src: str):
    path = tmp_path / "case.proof"
    path.write_text("import integers.order\n" + textwrap.dedent(src).lstrip("\n"), encoding="utf-8")
    return Loader().load(path)


def result(tmp_path, src: str, name: str = "t"):
    mod = load(tmp_path, src)
    found = [r for r in mod.results if r.name == name]
    assert found, f"no theorem {name} in {[r.name for r in mod.results]}"
    return found[0]


# ---- where it works: proved, and resting on no axiom -----------------------------------------------

PROVED = {
    "square": "theorem t (x : int) : x * x >= 0 := by\n  nlinarith",
    "product-of-nonnegatives": "theorem t : forall a b : int, 0 <= a -> 0 <= b -> 0 <= a * b := by\n"
                               "  intro a b ha hb\n  nlinarith",
    "monotone-multiplication": "theorem t (a b c : int) (h : a <= b) (hc : 0 <= c) : a * c <= b * c := by\n"
                               "  nlinarith",
    "strict-monotone": "theorem t (a b c : int) (h : a < b) (hc : 0 < c) : a * c < b * c := by\n  nlinarith",
    "am-gm": "theorem t (a b : int) : 2 * a * b <= a * a + b * b := by\n  nlinarith",
    "am-gm-strict-unless-equal": "theorem t (a b : int) (h : a != b) : 2 * a * b < a * a + b * b := by\n"
                                 "  nlinarith",
    "squares-equal-nonnegatives": "theorem t (a b : int) (h : a * a = b * b) (ha : 0 <= a) (hb : 0 <= b) :"
                                  " a = b := by\n  nlinarith",
    "square-monotone": "theorem t (a b : int) (h : a < b) (ha : 0 <= a) : a * a < b * b := by\n  nlinarith",
    "negative-times-negative": "theorem t (a b : int) (ha : a < 0) (hb : b < 0) : 0 < a * b := by\n  nlinarith",
    "square-of-sum": "theorem t (a b : int) : 0 <= a * a + 2 * a * b + b * b := by\n  nlinarith",
    "integer-strictness": "theorem t (a b : int) (ha : 0 < a) (hb : 0 < b) : a * b >= 1 := by\n  nlinarith",
    "product-bound": "theorem t (a b : int) (h1 : 1 <= a) (h2 : 2 <= b) : 2 <= a * b := by\n  nlinarith",
    "with-abs-split": "theorem t (a : int) : abs(a) * abs(a) = a * a := by\n  nlinarith",
    "completing-the-square": "theorem t (x : int) : x * x - 2 * x + 1 >= 0 := by\n  nlinarith",
    "completing-the-square-strict": "theorem t (x : int) : x * x + x + 1 > 0 := by\n  nlinarith",
    "linear-still-works": "theorem t (a b : int) (h : a < b) : a + 1 <= b := by\n  nlinarith",
    "hint-for-degree-three": """\
        theorem t (a b c : int) (ha : 0 <= a) (hb : 0 <= b) (hc : 0 <= c) : 0 <= a * b * c := by
          have hab : 0 <= a * b := by
            nlinarith
          nlinarith [mul_nonneg(a * b, c, hab, hc)]
        """,
    "disjunctive-goal": "theorem t (a b : int) (h : a * b = 0) : a = 0 or b = 0 := by\n  nlinarith",
    "cases-from-a-hypothesis": """\
        theorem t (a b : int) (h : a * b = 1) : a = 1 or a = -1 := by
          have ha : a < 0 or a = 0 or 0 < a := by
            exact lt_trichotomy(a, 0)
          have hb : b < 0 or b = 0 or 0 < b := by
            exact lt_trichotomy(b, 0)
          nlinarith
        """,
    "inside-a-conjunction": "theorem t (x : int) : 0 <= x * x and x * x + 1 > 0 := by\n  nlinarith",
}


@pytest.mark.parametrize("case", sorted(PROVED))
def test_nlinarith_proves_without_axioms(tmp_path, case):
    r = result(tmp_path, PROVED[case])
    assert r.status == "proved", r.error
    assert r.axioms == [], r.axioms
    assert r.detail == "nlinarith"


# ---- where it must fail, and say why ----------------------------------------------------------------

FAILS = {
    "false-goal": ("theorem t (x : int) : x * x > 0 := by\n  nlinarith",
                   ["nlinarith failed: the goal is false: counterexample x = 0"]),
    "false-product-sign": ("theorem t (a b : int) (ha : 0 <= a) : 0 <= a * b := by\n  nlinarith",
                           ["the goal is false: counterexample", "b = -1"]),
    "needs-degree-three": ("theorem t (a b c : int) (ha : 0 <= a) (hb : 0 <= b) (hc : 0 <= c) :"
                           " 0 <= a * b * c := by\n  nlinarith",
                           ["no certificate from the hypotheses, the products of pairs", "needs a hint"]),
    "cube-not-covered": ("theorem t (x : int) (h : 0 <= x) : 0 <= x * x * x := by\n  nlinarith",
                         ["no certificate"]),
    "not-a-comparison": ("theorem t (x : int) : even(x * x + x) := by\n  nlinarith",
                         ["linarith proves comparisons"]),
}


@pytest.mark.parametrize("case", sorted(FAILS))
def test_nlinarith_fails_with_a_reason(tmp_path, case):
    src, fragments = FAILS[case]
    r = result(tmp_path, src)
    assert r.status == "failed", (r.status, r.error)
    for frag in fragments:
        assert frag in r.error, f"{frag!r} not in:\n{r.error}"
    assert "case.proof:3:3: error: " in r.error


def test_nlinarith_is_no_kernel_rule():
    """Products are instances of prelude theorems; the kernel's rule set is unchanged."""
    assert "nlinarith" not in RULES and not any("mul" in r or "prod" in r for r in RULES)


def test_nlinarith_needs_the_prelude_lemmas():
    assert set(missing_lemmas(Environment())) == set(LEMMAS)
    prelude = Loader().prelude().env
    assert missing_lemmas(prelude) == []


def test_prelude_lemmas_rest_on_no_axiom():
    prelude = Loader().prelude().env
    for name in LEMMAS:
        assert prelude.theorem(name).axioms == frozenset(), name


# ---- the certificate: found by the simplex method, checked by the kernel --------------------------------

def test_farkas_finds_a_certificate():
    x = ("x",)
    # x <= 0 and 1 - x <= 0
    assert farkas([({x: 1}, False), ({x: -1, (): 1}, False)]) == [1, 1]
    # 2x - 1 = 0, x - 3 <= 0, -x <= 0 is satisfiable over the rationals: no certificate
    assert farkas([({x: 2, (): -1}, True), ({x: 1, (): -3}, False), ({x: -1}, False)]) is None


@pytest.mark.parametrize("seed", range(30))
def test_farkas_answers_are_certificates_and_satisfiable_systems_have_none(seed):
    rng = random.Random(seed)
    names = [("x",), ("y",), ("x", "y")]
    point = {m: rng.randint(-3, 3) for m in names}
    rows = []
    for _ in range(rng.randint(2, 6)):
        poly = {m: rng.randint(-3, 3) for m in names}
        value = sum(c * point[m] for m, c in poly.items())
        eq = rng.random() < 0.3
        poly[()] = -value if eq else -value - rng.randint(0, 2)     # satisfied at the point
        rows.append(({m: c for m, c in poly.items() if c}, eq))
    assert farkas(rows) is None
    # make it contradictory: add the negation of a strengthened row
    poly, _ = rows[0]
    rows.append(({m: -c for m, c in poly.items() if m != ()} | {(): -poly.get((), 0) + 1}, False))
    k = farkas(rows)
    assert k is not None
    total: dict = {}
    for kj, (p, eq) in zip(k, rows):
        assert eq or kj >= 0
        for m, c in p.items():
            total[m] = total.get(m, 0) + kj * c
    assert all(c == 0 for m, c in total.items() if m != ()) and total.get((), 0) > 0


def _theorem_from(env, facts, stmt_hyps, goal):
    """A theorem hyps -> goal proved by lp_refute on the hypotheses and the negated goal."""
    names = [f"h{i}" for i in range(len(stmt_hyps))]
    fs = [(f, P("hyp", n)) for f, n in zip(stmt_hyps, names)] + [(mk("not", goal), P("hyp", "hg"))] + facts
    pf = lp_refute(fs)
    assert pf is not None
    proof = P("by_contra", "hg", goal, pf)
    stmt = goal
    for f, n in reversed(list(zip(stmt_hyps, names))):
        proof, stmt = P("imp_intro", n, f, proof), mk("imp", f, stmt)
    for v in ("c", "b", "a"):
        proof, stmt = P("forall_intro", v, proof), Forall(v, stmt)
    return stmt, proof


def test_a_wrong_coefficient_or_product_is_rejected_by_the_kernel():
    env = Loader().prelude().env.copy()
    a, b, c = Var("a"), Var("b"), Var("c")
    hyps = [mk("le", a, b), mk("le", Int(0), c)]
    goal = mk("le", mk("mul", a, c), mk("mul", b, c))
    prod = (mk("le", Int(0), mk("mul", mk("sub", b, a), mk("sub", c, Int(0)))),
            P("imp_elim", P("imp_elim", P("forall_elim", P("forall_elim", P("forall_elim", P("forall_elim",
              P("thm", "mul_sub_nonneg"), a), b), Int(0)), c), P("hyp", "h0")), P("hyp", "h1")))
    stmt, proof = _theorem_from(env, [prod], hyps, goal)
    assert env.copy().add(TheoremDecl("ok", stmt, proof)).axioms == frozenset()

    def tamper(p):
        if isinstance(p, Proof) and p.rule == "linarith":
            cert = tuple((k + 1 if i == 0 else k, q) for i, (k, q) in enumerate(p.args[0]))
            return P("linarith", cert)
        if isinstance(p, Proof):
            return Proof(p.rule, tuple(tamper(x) for x in p.args))
        return p
    with pytest.raises(KernelError, match="linarith"):
        env.copy().add(TheoremDecl("bad", stmt, tamper(proof)))
    # the product instantiated at the wrong terms: the lemma's premise no longer matches
    bad_prod = (prod[0], P("imp_elim", P("imp_elim", P("forall_elim", P("forall_elim", P("forall_elim", P(
        "forall_elim", P("thm", "mul_sub_nonneg"), b), a), Int(0)), c), P("hyp", "h0")), P("hyp", "h1")))
    stmt2, proof2 = _theorem_from(env, [bad_prod], hyps, goal)
    with pytest.raises(KernelError, match="imp_elim"):
        env.copy().add(TheoremDecl("bad2", stmt2, proof2))


# ---- the smt tactic and quod prove try products before the oracle ----------------------------------------

def test_smt_tactic_rebuilds_nonlinear_goals(tmp_path):
    mod = load(tmp_path, """
        theorem t1 (x : int) : x * x >= 0 := by
          smt
        theorem t2 (a b c : int) (h : a <= b) (hc : 0 <= c) : a * c <= b * c := by
          smt
        theorem t3 (a b : int) : a * a + b * b >= 2 * a * b := by
          smt
        """)
    for r in mod.results:
        assert r.status == "proved" and r.axioms == [], (r.name, r.status, r.axioms, r.error)


def test_quod_prove_square_is_kernel_checked():
    r = subprocess.run([sys.executable, "-m", "quod.cli", "prove", "forall a : int, 0 <= a * a", "--strict"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines() == ["yes", "kernel-checked proof"]
