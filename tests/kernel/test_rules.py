"""Every kernel rule: one correct use accepted, and near-miss cheats rejected for the right reason."""

from __future__ import annotations

import dataclasses

import pytest
from kutil import (FALSE, TRUE, App, Exists, Forall, Int, P, Pred, Var, add, and_, base_env, check, div, eq, hyp,
                   iff, imp, ite, le, lt, mod, mul, n, not_, or_, sub, sum_to_obligation_proof, x, y, z)

from kernel import (RULES, AxiomDecl, Def, Environment, Expr, KernelError, Proof, ResourceError, ScopeError,
                    Theorem, TheoremDecl, check_proof, instantiate, subst)
from kernel.hoare import HOARE_RULES

A, B = lt(x, y), le(y, z)
k, w, v = Var("k"), Var("w"), Var("v")


def intro(h, a, p):
    return P("imp_intro", h, a, p)


def by_lin(h, a, *cert):
    """Prove ``a`` by contradiction with linarith over (coefficient, hypothesis-name) pairs."""
    return P("by_contra", h, a, P("linarith", tuple((c, hyp(name)) for c, name in cert)))


# induction motive 0 <= x*x from 0, step: 0 <= n -> 0 <= n*n -> 0 <= (n+1)*(n+1)
IND_STEP = P("forall_intro", "n", intro("h0", le(0, n), intro("ih", le(0, mul(n, n)), by_lin(
    "c", le(0, mul(add(n, 1), add(n, 1))), (2, "h0"), (1, "ih"), (1, "c")))))
IND = P("induction", "x", le(0, mul(x, x)), Int(0), P("eval", le(0, mul(0, 0))), IND_STEP)
BELOW = Forall("k", imp(le(0, k), imp(lt(k, n), le(0, k))))
STRONG_STEP = P("forall_intro", "n", intro("h", le(0, n), intro("ih", BELOW, hyp("h"))))

# (exists y, 0 < y) -> exists y, 1 < y + 1
EX_ELIM = intro("h", Exists("y", lt(0, y)), P(
    "exists_elim", hyp("h"), "w", "hw",
    P("exists_intro", Exists("y", lt(1, add(y, 1))), w, by_lin("c", lt(1, add(w, 1)), (1, "hw"), (1, "c")))))

EVAL_OK = and_(eq(div(7, -2), -4), and_(eq(mod(7, -2), -1), and_(eq(div(5, 0), 0), eq(mod(5, 0), 5))))

POSITIVE = {
    "hyp": (intro("h", A, hyp("h")), imp(A, A)),
    "thm": (P("thm", "lt_succ"), Forall("x", lt(x, add(x, 1)))),
    "oracle": (P("oracle", "sorry", lt(1, 0)), lt(1, 0)),
    "true_intro": (P("true_intro"), TRUE),
    "false_elim": (intro("h", FALSE, P("false_elim", hyp("h"), A)), imp(FALSE, A)),
    "and_intro": (P("and_intro", P("true_intro"), P("refl", x)), and_(TRUE, eq(x, x))),
    "and_left": (intro("h", and_(A, B), P("and_left", hyp("h"))), imp(and_(A, B), A)),
    "and_right": (intro("h", and_(A, B), P("and_right", hyp("h"))), imp(and_(A, B), B)),
    "or_left": (P("or_left", P("true_intro"), A), or_(TRUE, A)),
    "or_right": (P("or_right", A, P("true_intro")), or_(A, TRUE)),
    "or_elim": (intro("h", or_(A, B), P("or_elim", hyp("h"), "a", P("or_right", B, hyp("a")),
                                        "b", P("or_left", hyp("b"), A))), imp(or_(A, B), or_(B, A))),
    "imp_intro": (intro("h", A, P("true_intro")), imp(A, TRUE)),
    "imp_elim": (intro("f", imp(A, B), intro("a", A, P("imp_elim", hyp("f"), hyp("a")))),
                 imp(imp(A, B), imp(A, B))),
    "not_intro": (P("not_intro", "h", FALSE, hyp("h")), not_(FALSE)),
    "not_elim": (intro("a", A, intro("na", not_(A), P("not_elim", hyp("na"), hyp("a")))),
                 imp(A, imp(not_(A), FALSE))),
    "iff_intro": (P("iff_intro", intro("a", A, hyp("a")), intro("a", A, hyp("a"))), iff(A, A)),
    "iff_left": (intro("h", iff(A, B), P("iff_left", hyp("h"))), imp(iff(A, B), imp(A, B))),
    "iff_right": (intro("h", iff(A, B), P("iff_right", hyp("h"))), imp(iff(A, B), imp(B, A))),
    "by_contra": (intro("nn", not_(not_(A)), P("by_contra", "n", A, P("not_elim", hyp("nn"), hyp("n")))),
                  imp(not_(not_(A)), A)),
    "forall_intro": (P("forall_intro", "x", P("refl", x)), Forall("x", eq(x, x))),
    "forall_elim": (P("forall_elim", P("thm", "lt_succ"), Int(5)), lt(5, add(5, 1))),
    "exists_intro": (P("exists_intro", Exists("y", eq(y, 3)), Int(3), P("refl", Int(3))), Exists("y", eq(y, 3))),
    "exists_elim": (EX_ELIM, imp(Exists("y", lt(0, y)), Exists("y", lt(1, add(y, 1))))),
    "refl": (P("refl", add(x, 1)), eq(add(x, 1), add(x, 1))),
    "subst": (intro("e", eq(x, y), intro("p", lt(0, x), P("subst", hyp("e"), "v", lt(0, v), hyp("p")))),
              imp(eq(x, y), imp(lt(0, x), lt(0, y)))),
    "ring": (P("ring", mul(add(x, y), add(x, y)), add(add(mul(x, x), mul(mul(2, x), y)), mul(y, y))),
             eq(mul(add(x, y), add(x, y)), add(add(mul(x, x), mul(mul(2, x), y)), mul(y, y)))),
    "linarith": (intro("a", lt(x, y), intro("b", lt(y, x), P("linarith", ((1, hyp("a")), (1, hyp("b")))))),
                 imp(lt(x, y), imp(lt(y, x), FALSE))),
    "lin_round": (intro("h", le(mul(3, x), 7), P("lin_round", hyp("h"), 3, le(x, 2))), imp(le(mul(3, x), 7), le(x, 2))),
    "eval": (P("eval", EVAL_OK), EVAL_OK),
    "arith": (P("arith", "div_mod", (x, y)), eq(x, add(mul(y, div(x, y)), mod(x, y)))),
    "ite_true": (P("ite_true", A, x, y), imp(A, eq(ite(A, x, y), x))),
    "ite_false": (P("ite_false", A, x, y), imp(not_(A), eq(ite(A, x, y), y))),
    "unfold": (P("unfold", "double", (Int(3),)), eq(App("double", Int(3)), add(3, 3))),
    "induction": (IND, Forall("n", imp(le(0, n), le(0, mul(n, n))))),
    "strong_induction": (P("strong_induction", "x", le(0, x), Int(0), STRONG_STEP),
                         Forall("n", imp(le(0, n), le(0, n)))),
    "clear": (intro("h", A, P("clear", ("h",), P("true_intro"))), imp(A, TRUE)),
    "replace": (intro("e", eq(x, y), intro("p", lt(x, add(x, 1)), P("replace", hyp("e"), hyp("p"), lt(x, add(y, 1))))),
                imp(eq(x, y), imp(lt(x, add(x, 1)), lt(x, add(y, 1))))),
    "trichotomy": (P("trichotomy", x, y), or_(lt(x, y), or_(eq(x, y), lt(y, x)))),
}


@pytest.fixture(scope="module")
def env():
    return base_env()


def test_every_rule_has_a_positive_test():
    """(the program logic's rules are tested in test_hoare.py)"""
    assert set(POSITIVE) == set(RULES) - set(HOARE_RULES)


@pytest.mark.parametrize("rule", sorted(POSITIVE))
def test_rule_accepts_correct_use(env, rule):
    proof, want = POSITIVE[rule]
    got, axioms = check_proof(env, proof)
    assert got == want
    assert axioms == (frozenset({"sorry"}) if rule == "oracle" else frozenset())


@pytest.mark.parametrize("rule", sorted(POSITIVE))
def test_positive_proofs_make_theorems_when_closed(rule):
    """Closing each positive example over its free variables gives a theorem of that statement."""
    proof, want = POSITIVE[rule]
    from kernel import free_vars
    env = base_env()
    for name in sorted(free_vars(want)):
        proof, want = P("forall_intro", name, proof), Forall(name, want)
    t = env.add(TheoremDecl("t_" + rule, want, proof))
    assert t.statement == want


def test_more_positive_uses(env):
    # lin_round reads strict premises with integer strengthening: 2x < 1  gives  x <= 0
    assert check(intro("h", lt(mul(2, x), 1), P("lin_round", hyp("h"), 2, le(x, 0))), env) == \
        imp(lt(mul(2, x), 1), le(x, 0))
    # linarith reads negated comparisons: not (x <= y), not (y < x) is a contradiction
    assert check(intro("a", not_(le(x, y)), intro("b", not_(lt(y, x)), P("linarith", (
        (1, hyp("a")), (1, hyp("b"))))))) == imp(not_(le(x, y)), imp(not_(lt(y, x)), FALSE))
    # equalities take coefficients of either sign
    assert check(intro("a", eq(x, add(y, 1)), intro("b", le(x, y), P("linarith", (
        (-1, hyp("a")), (1, hyp("b"))))))) == imp(eq(x, add(y, 1)), imp(le(x, y), FALSE))
    # unfold of a predicate gives an equivalence, of a recursive function its equation
    assert check(P("unfold", "pos", (x,)), env) == iff(Pred("pos", x), lt(0, x))
    assert check(P("unfold", "sum_to", (Int(3),)), env) == \
        eq(App("sum_to", Int(3)), ite(le(3, 0), 0, add(3, App("sum_to", sub(3, 1)))))
    for name, arity in [("div_zero", 1), ("mod_zero", 1), ("mod_pos", 2), ("mod_neg", 2), ("abs_def", 1),
                        ("min_def", 2), ("max_def", 2)]:
        check(P("arith", name, (x, y)[:arity]))
    # hypotheses shadow: the innermost binding of a name is used
    assert check(intro("h", A, intro("h", B, hyp("h")))) == imp(A, imp(B, B))


def test_sum_to_closed_form(env):
    """An end-to-end proof: forall n, 0 <= n -> 2 * sum_to(n) = n * (n + 1)."""
    s = lambda t: App("sum_to", t)  # noqa: E731
    M = lambda t: eq(mul(2, s(t)), mul(t, add(t, 1)))  # noqa: E731

    def trans(p_ab, p_bc, a, b, c):   # a = b, b = c  |-  a = c
        return P("subst", p_bc, "v", eq(a, v), p_ab)

    def symm(p_ab, a, b):
        return P("subst", p_ab, "v", eq(v, a), P("refl", a))

    body0 = ite(le(0, 0), 0, add(0, s(sub(0, 1))))
    s0 = trans(P("unfold", "sum_to", (Int(0),)),
               P("imp_elim", P("ite_true", le(0, 0), Int(0), add(0, s(sub(0, 1)))), P("eval", le(0, 0))),
               s(Int(0)), body0, Int(0))                                         # sum_to(0) = 0
    # M[0] from  M'[0] := 2 * 0 = 0 * (0 + 1)  by rewriting 0 into sum_to(0)
    base = P("subst", symm(s0, s(Int(0)), Int(0)), "v", eq(mul(2, v), mul(0, add(0, 1))),
             P("ring", mul(2, 0), mul(0, add(0, 1))))
    m = add(n, 1)
    cond = le(m, 0)
    rest = add(m, s(sub(m, 1)))
    step_eq = trans(P("unfold", "sum_to", (m,)),
                    P("imp_elim", P("ite_false", cond, Int(0), rest),
                      P("not_intro", "c", cond, P("linarith", ((1, hyp("h0")), (1, hyp("c")))))),
                    s(m), ite(cond, 0, rest), rest)                              # sum_to(n+1) = n+1 + sum_to(n+1-1)
    back = P("subst", P("ring", sub(m, 1), n), "v", eq(s(m), add(m, s(v))), step_eq)   # ... = n+1 + sum_to(n)
    # 2*(n+1 + sum_to(n)) = 2*(n+1) + n*(n+1) = (n+1)*(n+2), then rewrite back into 2*sum_to(n+1)
    ring_id = P("ring", mul(2, add(m, s(n))), add(mul(2, m), mul(2, s(n))))   # 2*(m+s n) = 2m + 2 s n
    with_ih = P("subst", hyp("ih"), "v", eq(mul(2, add(m, s(n))), add(mul(2, m), v)), ring_id)
    closed = trans(with_ih, P("ring", add(mul(2, m), mul(n, add(n, 1))), mul(m, add(m, 1))),
                   mul(2, add(m, s(n))), add(mul(2, m), mul(n, add(n, 1))), mul(m, add(m, 1)))
    step_goal = P("subst", symm(back, s(m), add(m, s(n))), "v", eq(mul(2, v), mul(m, add(m, 1))), closed)
    step = P("forall_intro", "n", intro("h0", le(0, n), intro("ih", M(n), step_goal)))
    proof = P("induction", "x", M(x), Int(0), base, step)
    stmt = Forall("n", imp(le(0, n), M(n)))
    t = env.copy().add(TheoremDecl("sum_to_closed", stmt, proof))
    assert t.statement == stmt and t.axioms == frozenset()


# ---- rejections --------------------------------------------------------------------------------------

def C(proof):
    return lambda env: check_proof(env, proof)


def D(*decls):
    def act(env):
        env = env.copy()
        for d in decls:
            env.add(d)
    return act


bv0 = Expr("bvar", (), 0)
NEG_BODY = ite(le(n, 0), 0, add(n, App("f", sub(n, 1))))
F_OB = Forall("n", imp(not_(le(n, 0)), and_(le(0, n), lt(sub(n, 1), n))))

# (id, rule in the error, message regex, action)
REJECT = [
    # -- structural
    ("hyp-missing", "hyp", "no hypothesis named h", C(hyp("h"))),
    ("hyp-out-of-scope", "hyp", "no hypothesis named h", C(P("and_intro", intro("h", A, hyp("h")), hyp("h")))),
    ("hyp-sibling-case", "hyp", "no hypothesis named a",
     C(intro("d", or_(A, A), P("or_elim", hyp("d"), "a", hyp("a"), "b", hyp("a"))))),
    ("hyp-not-a-name", "hyp", "expected a name", C(P("hyp", 3))),
    ("thm-unknown", "thm", "no theorem named nope", C(P("thm", "nope"))),
    ("thm-is-a-def", "thm", "no theorem named double", C(P("thm", "double"))),
    ("oracle-unknown", "oracle", "unknown oracle 'trust_me'", C(P("oracle", "trust_me", FALSE))),
    ("oracle-undefined-symbol", "oracle", "g is not defined", C(P("oracle", "sorry", eq(App("g", x), 0)))),
    ("oracle-loose-bvar", "oracle", "loose bound variables", C(P("oracle", "sorry", lt(bv0, 0)))),
    ("oracle-term-not-formula", "oracle", "expected a formula, got a term", C(P("oracle", "sorry", x))),
    ("unknown-rule", "check", "unknown rule 'magic'", C(P("magic", FALSE))),
    ("arity-too-many", "true_intro", "wrong number of arguments", C(P("true_intro", x))),
    ("arity-too-few", "and_intro", "wrong number of arguments", C(P("and_intro", P("true_intro")))),
    ("arity-ring", "ring", "wrong number of arguments", C(P("ring", x))),
    ("not-a-proof", "check", "expected a proof, got Expr", C(P("and_left", A))),
    ("formula-expected", "false_elim", "expected a formula", C(P("false_elim", P("true_intro"), x))),
    ("term-expected", "refl", "expected a term", C(P("refl", TRUE))),
    ("int-for-term", "refl", "expected a term, got int", C(P("refl", 3))),
    ("fuel", "check", "budget", lambda env: check_proof(env, P("and_intro", P("true_intro"), P("true_intro")), 2)),
    # -- propositional
    ("false_elim-not-false", "false_elim", "premise must be false", C(P("false_elim", P("true_intro"), A))),
    ("and_left-not-and", "and_left", "must be a conjunction", C(intro("h", or_(A, B), P("and_left", hyp("h"))))),
    ("and_right-not-and", "and_right", "must be a conjunction", C(P("and_right", P("true_intro")))),
    ("or_left-term", "or_left", "expected a formula", C(P("or_left", P("true_intro"), x))),
    ("or_right-term", "or_right", "expected a formula", C(P("or_right", x, P("true_intro")))),
    ("or_elim-not-or", "or_elim", "must be a disjunction",
     C(intro("d", and_(A, A), P("or_elim", hyp("d"), "a", hyp("a"), "b", hyp("b"))))),
    ("or_elim-different-cases", "or_elim", "different formulas",
     C(intro("d", or_(A, B), P("or_elim", hyp("d"), "a", hyp("a"), "b", hyp("b"))))),
    ("imp_intro-term", "imp_intro", "expected a formula", C(intro("h", x, P("true_intro")))),
    ("imp_intro-bad-name", "check", "expected a name", C(intro("", A, P("true_intro")))),
    ("imp_elim-mismatch", "imp_elim", "does not match the antecedent",
     C(intro("f", imp(A, B), intro("b", B, P("imp_elim", hyp("f"), hyp("b")))))),
    ("imp_elim-not-imp", "imp_elim", "must be an implication", C(P("imp_elim", P("true_intro"), P("true_intro")))),
    ("not_intro-not-false", "not_intro", "premise must be false", C(P("not_intro", "h", A, hyp("h")))),
    ("not_elim-mismatch", "not_elim", "does not match",
     C(intro("na", not_(A), intro("b", B, P("not_elim", hyp("na"), hyp("b")))))),
    ("not_elim-not-negation", "not_elim", "must be a negation", C(P("not_elim", P("true_intro"), P("true_intro")))),
    ("iff_intro-not-converse", "iff_intro", "not the converse",
     C(intro("f", imp(A, B), P("iff_intro", hyp("f"), hyp("f"))))),
    ("iff_intro-not-imp", "iff_intro", "must be an implication", C(P("iff_intro", P("true_intro"), P("true_intro")))),
    ("iff_left-not-iff", "iff_left", "must be an equivalence", C(intro("f", imp(A, B), P("iff_left", hyp("f"))))),
    ("iff_right-not-iff", "iff_right", "must be an equivalence", C(P("iff_right", P("true_intro")))),
    ("by_contra-not-false", "by_contra", "premise must be false", C(P("by_contra", "h", A, P("true_intro")))),
    # by_contra's hypothesis is "not A", not A: here it would need 1 < 0 but gets 0 <= 1
    ("by_contra-wrong-hyp", "linarith", "not a contradiction", C(by_lin("h", lt(1, 0), (1, "h")))),
    # -- quantifiers
    ("forall_intro-eigenvariable-in-hyp", "forall_intro", "eigenvariable x is free in hypothesis h",
     C(intro("h", lt(0, x), P("forall_intro", "x", hyp("h"))))),
    ("forall_intro-eigenvariable-in-outer-hyp", "forall_intro", "eigenvariable y is free in hypothesis h",
     C(intro("h", lt(0, y), intro("g", TRUE, P("and_intro", P("true_intro"), P("forall_intro", "y", hyp("h"))))))),
    ("forall_intro-bad-name", "forall_intro", "expected a name", C(P("forall_intro", 7, P("true_intro")))),
    ("forall_elim-not-forall", "forall_elim", "must be a forall", C(P("forall_elim", P("true_intro"), x))),
    ("forall_elim-loose-bvar", "forall_elim", "loose bound variables", C(P("forall_elim", P("thm", "lt_succ"), bv0))),
    ("forall_elim-undefined", "forall_elim", "g is not defined", C(P("forall_elim", P("thm", "lt_succ"), App("g", x)))),
    ("forall_elim-wrong-arity", "forall_elim", "double is a function of 1 arguments",
     C(P("forall_elim", P("thm", "lt_succ"), App("double", x, y)))),
    ("forall_elim-pred-as-function", "forall_elim", "pos is a predicate",
     C(P("forall_elim", P("thm", "lt_succ"), App("pos", x)))),
    ("exists_intro-wrong-witness", "exists_intro", "the witness does not fit",
     C(P("exists_intro", Exists("y", eq(y, 3)), Int(4), P("refl", Int(3))))),
    ("exists_intro-not-exists", "exists_intro", "must be an exists",
     C(P("exists_intro", Forall("y", eq(y, y)), Int(3), P("refl", Int(3))))),
    ("exists_elim-escapes", "exists_elim", "eigenvariable w escapes into the conclusion",
     C(intro("h", Exists("y", lt(0, y)), P("exists_elim", hyp("h"), "w", "hw", hyp("hw"))))),
    ("exists_elim-free-in-exists", "exists_elim", "eigenvariable x is free in",
     C(intro("h", Exists("y", lt(x, y)), P("exists_elim", hyp("h"), "x", "hw", P("true_intro"))))),
    ("exists_elim-free-in-context", "exists_elim", "eigenvariable x is free in hypothesis g",
     C(intro("g", lt(0, x), intro("h", Exists("y", lt(0, y)), P("exists_elim", hyp("h"), "x", "hw",
                                                                   P("true_intro")))))),
    ("exists_elim-not-exists", "exists_elim", "must be an exists",
     C(P("exists_elim", P("true_intro"), "w", "hw", P("true_intro")))),
    ("exists_elim-hyp-out-of-scope", "hyp", "no hypothesis named hw",
     C(intro("h", Exists("y", lt(0, y)), P("and_intro", P("exists_elim", hyp("h"), "w", "hw", P("true_intro")),
                                              hyp("hw"))))),
    # -- equality
    ("refl-formula", "refl", "expected a term", C(P("refl", A))),
    ("subst-wrong-motive", "subst", "not the motive at the left side",
     C(intro("e", eq(x, y), intro("p", lt(0, x), P("subst", hyp("e"), "v", lt(v, 0), hyp("p")))))),
    ("subst-backwards", "subst", "not the motive at the left side",
     C(intro("e", eq(x, y), intro("p", lt(0, y), P("subst", hyp("e"), "v", lt(0, v), hyp("p")))))),
    ("subst-not-equation", "subst", "must be an equation",
     C(intro("e", le(x, y), intro("p", lt(0, x), P("subst", hyp("e"), "v", lt(0, v), hyp("p")))))),
    ("replace-wrong-result", "replace", "is not .* with x replaced by y",
     C(intro("e", eq(x, y), intro("p", lt(x, 1), P("replace", hyp("e"), hyp("p"), lt(z, 1)))))),
    ("replace-backwards", "replace", "is not .* with x replaced by y",
     C(intro("e", eq(x, y), intro("p", lt(y, 1), P("replace", hyp("e"), hyp("p"), lt(x, 1)))))),
    ("replace-not-equation", "replace", "must be an equation or equivalence",
     C(intro("e", le(x, y), intro("p", lt(x, 1), P("replace", hyp("e"), hyp("p"), lt(y, 1)))))),
    ("replace-capture", "replace", "is not .* with x replaced by y",
     C(intro("e", eq(x, y), intro("p", Forall("y", lt(x, y)),
                                  P("replace", hyp("e"), hyp("p"), Forall("y", lt(y, y))))))),
    ("replace-iff-wrong", "replace", "is not",
     C(intro("e", iff(A, B), intro("p", and_(A, A), P("replace", hyp("e"), hyp("p"), and_(B, TRUE)))))),
    ("replace-term-goal", "replace", "expected a formula",
     C(intro("e", eq(x, y), intro("p", lt(x, 1), P("replace", hyp("e"), hyp("p"), y))))),
    ("clear-then-use", "hyp", "no hypothesis named h", C(intro("h", A, P("clear", ("h",), hyp("h"))))),
    ("clear-unknown", "clear", "no hypothesis named g", C(intro("h", A, P("clear", ("g",), P("true_intro"))))),
    ("clear-twice", "clear", "no hypothesis named h",
     C(intro("h", A, P("clear", ("h",), P("clear", ("h",), P("true_intro")))))),
    ("clear-duplicate-names", "clear", "distinct hypothesis names",
     C(intro("h", A, P("clear", ("h", "h"), P("true_intro"))))),
    ("clear-not-tuple", "clear", "distinct hypothesis names", C(intro("h", A, P("clear", "h", P("true_intro"))))),
    ("clear-other-keeps-eigenvariable-check", "forall_intro", "eigenvariable x is free in hypothesis h",
     C(intro("h", lt(0, x), intro("g", TRUE, P("clear", ("g",), P("forall_intro", "x", hyp("h"))))))),
    ("clear-scope-ends", "forall_intro", "eigenvariable x is free in hypothesis h",
     C(intro("h", lt(0, x), P("and_intro", P("clear", ("h",), P("true_intro")), P("forall_intro", "x", hyp("h")))))),
    ("trichotomy-formula", "trichotomy", "expected a term", C(P("trichotomy", A, x))),
    # -- arithmetic
    ("ring-non-identity", "ring", "different normal forms",
     C(P("ring", mul(add(x, y), add(x, y)), add(mul(x, x), mul(y, y))))),
    ("ring-div-is-atom", "ring", "different normal forms", C(P("ring", mul(div(x, 2), 2), x))),
    ("ring-off-by-one", "ring", "different normal forms", C(P("ring", add(x, 1), add(1, add(x, 1))))),
    ("ring-undefined", "ring", "g is not defined", C(P("ring", App("g", x), App("g", x)))),
    ("linarith-negative-coefficient", "linarith", "negative coefficient -1 for an inequality",
     C(intro("a", lt(x, y), intro("b", le(y, x), P("linarith", ((-1, hyp("a")), (-1, hyp("b")))))))),
    ("linarith-off-by-one", "linarith", "not a contradiction",
     C(intro("a", lt(x, y), intro("b", le(y, add(x, 1)), P("linarith", ((1, hyp("a")), (1, hyp("b")))))))),
    ("linarith-no-cancel", "linarith", "does not cancel",
     C(intro("a", lt(x, y), intro("b", lt(y, x), P("linarith", ((1, hyp("a")), (2, hyp("b")))))))),
    ("linarith-zero-coefficient", "linarith", "coefficient 0 must be a nonzero integer",
     C(intro("a", lt(1, 0), P("linarith", ((0, hyp("a")),))))),
    ("linarith-bool-coefficient", "proof", "unsupported proof argument bool",
     lambda env: check_proof(env, intro("a", lt(1, 0), P("linarith", ((True, hyp("a")),))))),
    ("linarith-not-comparison", "linarith", "premise is not a comparison",
     C(P("linarith", ((1, P("true_intro")),)))),
    ("linarith-disequality", "linarith", "premise is not a comparison",
     C(intro("a", not_(eq(x, x)), P("linarith", ((1, hyp("a")),))))),
    ("linarith-no-premises", "linarith", "no premises", C(P("linarith", ()))),
    ("linarith-bad-certificate", "linarith", "certificate must be", C(P("linarith", (1, P("true_intro"))))),
    ("linarith-equality-not-contradiction", "linarith", "not a contradiction",
     C(intro("a", eq(x, add(x, 0)), P("linarith", ((1, hyp("a")),))))),
    ("lin_round-divisor", "lin_round", "2 does not divide every coefficient",
     C(intro("h", le(mul(3, x), 7), P("lin_round", hyp("h"), 2, le(x, 3))))),
    ("lin_round-rounded-wrong", "lin_round", "not the premise divided and rounded",
     C(intro("h", le(mul(3, x), 7), P("lin_round", hyp("h"), 3, le(x, 1))))),
    ("lin_round-rounded-weak", "lin_round", "not the premise divided and rounded",
     C(intro("h", le(mul(3, x), 7), P("lin_round", hyp("h"), 3, le(x, 3))))),
    ("lin_round-strict-off-by-one", "lin_round", "not the premise divided and rounded",
     C(intro("h", lt(mul(2, x), 2), P("lin_round", hyp("h"), 2, le(x, 1))))),
    ("lin_round-zero-divisor", "lin_round", "must be a positive integer",
     C(intro("h", le(mul(3, x), 7), P("lin_round", hyp("h"), 0, le(x, 2))))),
    ("lin_round-negative-divisor", "lin_round", "must be a positive integer",
     C(intro("h", le(mul(-3, x), 7), P("lin_round", hyp("h"), -3, le(mul(-1, x), 2))))),
    ("lin_round-equation", "lin_round", "must be an inequality",
     C(intro("h", eq(mul(3, x), 6), P("lin_round", hyp("h"), 3, le(x, 2))))),
    ("lin_round-conclusion-not-le", "lin_round", "must be a <= comparison",
     C(intro("h", le(mul(3, x), 7), P("lin_round", hyp("h"), 3, lt(x, 3))))),
    ("eval-false", "eval", "evaluates to false", C(P("eval", eq(div(7, -2), -3)))),
    ("eval-truncating-mod", "eval", "evaluates to false", C(P("eval", eq(mod(-7, 2), -1)))),
    ("eval-div-zero", "eval", "evaluates to false", C(P("eval", eq(div(5, 0), 5)))),
    ("eval-variable", "eval", "cannot evaluate a var", C(P("eval", eq(add(x, 0), x)))),
    ("eval-quantifier", "eval", "cannot evaluate a (bvar|forall)", C(P("eval", Forall("x", eq(x, x))))),
    ("eval-defined-symbol", "eval", "cannot evaluate a app", C(P("eval", eq(App("double", Int(1)), 2)))),
    ("arith-unknown", "arith", "unknown arithmetic axiom 'div_one'", C(P("arith", "div_one", (x,)))),
    ("arith-arity", "arith", "div_mod takes 2 terms", C(P("arith", "div_mod", (x,)))),
    ("arith-not-tuple", "arith", "takes 1 terms", C(P("arith", "abs_def", x))),
    ("arith-formula", "arith", "expected a term", C(P("arith", "abs_def", (A,)))),
    ("ite_true-term-condition", "ite_true", "expected a formula", C(P("ite_true", x, x, y))),
    ("ite_false-formula-branch", "ite_false", "expected a term", C(P("ite_false", A, A, y))),
    ("ite_true-claims-else", "theorem", "the proof proves",
     D(TheoremDecl("bad", imp(lt(1, 0), eq(ite(lt(1, 0), 1, 2), 2)), P("ite_true", lt(1, 0), Int(1), Int(2))))),
    # -- definitions and induction
    ("unfold-wrong-arity", "unfold", "double takes 1 arguments", C(P("unfold", "double", (x, y)))),
    ("unfold-not-tuple", "unfold", "double takes 1 arguments", C(P("unfold", "double", x))),
    ("unfold-unknown", "unfold", "nope is not defined", C(P("unfold", "nope", (x,)))),
    ("unfold-theorem", "unfold", "lt_succ is not defined", C(P("unfold", "lt_succ", ()))),
    ("unfold-formula-argument", "unfold", "expected a term", C(P("unfold", "double", (A,)))),
    ("induction-wrong-base", "induction", "the base case",
     C(P("induction", "x", le(0, mul(x, x)), Int(0), P("eval", le(0, mul(1, 1))), IND_STEP))),
    ("induction-base-at-other-start", "induction", "the base case",
     C(P("induction", "x", le(0, mul(x, x)), Int(1), P("eval", le(0, mul(0, 0))), IND_STEP))),
    ("induction-wrong-step", "induction", "the step case",
     C(P("induction", "x", le(0, mul(x, x)), Int(0), P("eval", le(0, mul(0, 0))),
         P("forall_intro", "n", intro("h0", le(0, n), intro("ih", le(0, mul(n, n)), P("oracle", "sorry", le(
             0, mul(add(n, 2), add(n, 2)))))))))),
    ("induction-step-wrong-bound", "induction", "the step case",
     C(P("induction", "x", le(0, x), Int(0), P("eval", le(0, 0)),
         P("forall_intro", "n", intro("h0", le(1, n), intro("ih", le(0, n), by_lin("c", le(0, add(n, 1)),
                                                                                    (1, "ih"), (1, "c")))))))),
    ("induction-motive-term", "induction", "expected a formula",
     C(P("induction", "x", x, Int(0), P("true_intro"), P("true_intro")))),
    ("strong_induction-wrong-step", "strong_induction", "the step case",
     C(P("strong_induction", "x", le(0, x), Int(0), P("forall_intro", "n", intro(
         "h", le(0, n), intro("ih", Forall("k", imp(le(0, k), imp(le(k, n), le(0, k)))), hyp("h"))))))),
    ("strong_induction-no-bound", "strong_induction", "the step case",
     C(P("strong_induction", "x", le(0, x), Int(0), P("forall_intro", "n", intro(
         "ih", Forall("k", imp(le(0, k), imp(lt(k, n), le(0, k)))), P("oracle", "sorry", le(0, n))))))),
    # -- declarations
    ("theorem-free-variables", "theorem", r"free variables \['x'\]",
     D(TheoremDecl("t", eq(x, x), P("refl", x)))),
    ("theorem-wrong-statement", "theorem", "the proof proves", D(TheoremDecl("t", lt(0, 1), P("true_intro")))),
    ("theorem-quantifier-scope", "theorem", "the proof proves",
     D(AxiomDecl("ax", Forall("x", Exists("y", lt(x, y)))),
       TheoremDecl("t", Exists("y", Forall("x", lt(x, y))), P("thm", "ax")))),
    ("theorem-duplicate", "theorem", "lt_succ is already declared",
     D(TheoremDecl("lt_succ", TRUE, P("true_intro")))),
    ("theorem-named-like-def", "theorem", "double is already declared",
     D(TheoremDecl("double", TRUE, P("true_intro")))),
    ("def-named-like-theorem", "def", "lt_succ is already declared", D(Def("lt_succ", ("n",), "term", n))),
    ("axiom-duplicate", "axiom", "ax_pos is already declared", D(AxiomDecl("ax_pos", TRUE))),
    ("axiom-reserved-name", "axiom", "invalid name 'sorry'", D(AxiomDecl("sorry", FALSE))),
    ("axiom-free-variables", "axiom", "free variables", D(AxiomDecl("ax", lt(0, x)))),
    ("theorem-not-a-proof", "check", "expected a proof", D(TheoremDecl("t", TRUE, TRUE))),
    ("not-a-declaration", "add", "not a declaration", lambda env: env.copy().add(TRUE)),
    ("def-free-variable", "def", r"undeclared variables \['y'\]", D(Def("g", ("n",), "term", add(n, y)))),
    ("def-calls-itself", "def", "g calls itself but has no decreasing measure",
     D(Def("g", ("n",), "term", App("g", n)))),
    ("def-proofs-without-measure", "def", "takes no proofs",
     D(Def("g", ("n",), "term", n, None, (P("true_intro"),)))),
    ("def-duplicate-params", "def", "distinct names", D(Def("g", ("n", "n"), "term", n))),
    ("def-bad-sort", "def", "function .term. or a predicate", D(Def("g", ("n",), "type", n))),
    ("def-body-sort", "def", "expected a formula", D(Def("g", ("n",), "formula", n))),
    ("def-undefined-call", "def", "h is not defined", D(Def("g", ("n",), "term", App("h", n)))),
    ("recursive-unproved", "decreasing", "1 obligations but 0 proofs", D(Def("f", ("n",), "term", NEG_BODY, n))),
    ("recursive-too-many-proofs", "decreasing", "1 obligations but 2 proofs",
     D(Def("f", ("n",), "term", NEG_BODY, n, (sum_to_obligation_proof(), sum_to_obligation_proof())))),
    ("recursive-wrong-proof", "decreasing", "obligation 1 is",
     D(Def("f", ("n",), "term", NEG_BODY, n, (P("true_intro"),)))),
    ("recursive-bad-proof", "linarith", "does not cancel",
     D(Def("f", ("n",), "term", add(n, App("f", sub(n, 1))), n, (P("forall_intro", "n", P(
         "and_intro", by_lin("c", le(0, n), (1, "c")), by_lin("d", lt(sub(n, 1), n), (1, "d")))),)))),
    ("recursive-measure-grows", "decreasing", "obligation 1 is",
     D(Def("f", ("n",), "term", ite(le(n, 0), 0, App("f", add(n, 1))), n, (sum_to_obligation_proof(),)))),
    ("recursive-under-quantifier", "decreasing", "recursive call of p under a quantifier",
     D(Def("p", ("n",), "formula", Exists("k", and_(lt(k, n), Pred("p", k))), n, ()))),
    ("recursive-nested", "oracle", "f is not defined",
     D(Def("f", ("n",), "term", ite(le(n, 0), 0, App("f", App("f", sub(n, 1)))), n, (
         P("oracle", "sorry", Forall("n", imp(not_(le(n, 0)), and_(le(0, n), lt(App("f", sub(n, 1)), n))))),
         sum_to_obligation_proof())))),
    ("recursive-nested-unprovable", "decreasing", "obligation 1 is",
     D(Def("f", ("n",), "term", ite(le(n, 0), 0, App("f", App("f", sub(n, 1)))), n, (
         sum_to_obligation_proof(), sum_to_obligation_proof())))),
    ("recursive-measure-not-param", "decreasing", "measure mentions variables",
     D(Def("f", ("n",), "term", NEG_BODY, add(n, y), (sum_to_obligation_proof(),)))),
    ("recursive-measure-self", "decreasing", "f is not defined",
     D(Def("f", ("n",), "term", NEG_BODY, App("f", n), (sum_to_obligation_proof(),)))),
    ("recursive-used-before-admitted", "theorem", "f is not defined",
     D(TheoremDecl("t", Forall("n", eq(App("f", n), App("f", n))), P("forall_intro", "n", P("refl", App("f", n)))),
       Def("f", ("n",), "term", NEG_BODY, n, (F_OB and sum_to_obligation_proof(),)))),
    ("recursive-not-visible-in-own-proofs", "unfold", "f is not defined",
     D(Def("f", ("n",), "term", NEG_BODY, n, (P("and_left", P("and_intro", sum_to_obligation_proof(),
                                                                P("unfold", "f", (n,)))),)))),
]


def test_enough_rejections():
    assert len(REJECT) >= 40
    assert len({r[0] for r in REJECT}) == len(REJECT)
    missing = [r for r in set(RULES) - set(HOARE_RULES)
               if not any(case[0].startswith(r) or case[1] == r for case in REJECT)]
    assert missing == [], f"rules without a rejection test: {missing}"


@pytest.mark.parametrize("case", REJECT, ids=[r[0] for r in REJECT])
def test_rule_rejects_cheat(env, case):
    _, rule, pattern, action = case
    with pytest.raises(KernelError, match=pattern) as ei:
        action(env)
    assert ei.value.rule == rule, str(ei.value)


def test_env_unchanged_by_rejections(env):
    before = (set(env.theorems()), set(env.definitions()), list(env.order))
    for _, _, _, action in REJECT:
        try:
            action(env)
        except KernelError:
            pass
    assert before == (set(env.theorems()), set(env.definitions()), list(env.order))


# ---- substitution cannot capture ------------------------------------------------------------------

def test_instantiation_does_not_capture():
    """forall x, forall y, x < y  at x := y  is  forall y', y < y' (not forall y, y < y)."""
    h = Forall("x", Forall("y", lt(x, y)))
    got = check(intro("h", h, P("forall_elim", hyp("h"), y)))
    assert got == imp(h, Forall("w", lt(y, w)))
    assert got != imp(h, Forall("y", lt(y, y)))
    assert "y < y1" in str(got)
    # the same holds for the kernel's substitution and opening of binders
    body = Forall("y", lt(x, y))
    assert subst(body, {"x": y}) == Forall("w", lt(y, w))
    assert instantiate(h.args[0], y) == Forall("w", lt(y, w))


def test_proof_relying_on_capture_rejected():
    h = Forall("x", Forall("y", lt(x, y)))
    proof = intro("h", h, P("forall_elim", hyp("h"), y))
    with pytest.raises(KernelError, match="the proof proves"):
        Environment().add(TheoremDecl("capture", Forall("y", imp(h, Forall("y", lt(y, y)))),
                                      P("forall_intro", "y", proof)))
    # and the uncaptured reading is what it does prove
    Environment().add(TheoremDecl("ok", Forall("y", imp(h, Forall("w", lt(y, w)))), P("forall_intro", "y", proof)))


def test_subst_motive_cannot_capture():
    """Rewriting x := y inside  exists y, x < y  must not produce exists y, y < y."""
    motive = Exists("y", lt(v, y))
    e = eq(x, y)
    p = intro("e", e, intro("m", Exists("y", lt(x, y)), P("subst", hyp("e"), "v", motive, hyp("m"))))
    assert check(p) == imp(e, imp(Exists("y", lt(x, y)), Exists("w", lt(y, w))))
    assert check(p) != imp(e, imp(Exists("y", lt(x, y)), Exists("y", lt(y, y))))


def test_clear_and_replace_details():
    # clearing h makes an eigenvariable of h usable: sound, since the subproof cannot use h
    assert check(intro("h", lt(0, x), P("clear", ("h",), P("forall_intro", "x", P("refl", x))))) == \
        imp(lt(0, x), Forall("x", eq(x, x)))
    # after clear's subproof the hypothesis is back
    assert check(intro("h", A, P("and_intro", P("clear", ("h",), P("true_intro")), hyp("h")))) == \
        imp(A, and_(TRUE, A))
    # a shadowed outer binding stays hidden too (the name is cleared, not one formula)
    with pytest.raises(KernelError, match="no hypothesis named h"):
        check(intro("h", A, intro("h", B, P("clear", ("h",), hyp("h")))))
    # replace rewrites free occurrences under binders, equivalences too
    assert check(intro("e", eq(x, y), intro("p", Forall("w", lt(x, w)), P(
        "replace", hyp("e"), hyp("p"), Forall("w", lt(y, w)))))) == \
        imp(eq(x, y), imp(Forall("w", lt(x, w)), Forall("w", lt(y, w))))
    assert check(intro("e", iff(A, B), intro("p", and_(A, A), P("replace", hyp("e"), hyp("p"), and_(B, A))))) == \
        imp(iff(A, B), imp(and_(A, A), and_(B, A)))


def test_binder_names_do_not_matter():
    assert Forall("x", lt(x, 1)) == Forall("y", lt(y, 1))
    assert hash(Forall("x", lt(x, 1))) == hash(Forall("y", lt(y, 1)))
    assert Forall("x", Exists("y", lt(x, y))) != Exists("y", Forall("x", lt(x, y)))
    assert Forall("x", Forall("y", lt(x, y))) != Forall("x", Forall("y", lt(y, x)))


# ---- axioms and trust ------------------------------------------------------------------------------

def test_axioms_recorded_transitively():
    env = base_env()
    a = env.add(TheoremDecl("a", lt(0, 1), P("oracle", "sorry", lt(0, 1))))
    b = env.add(TheoremDecl("b", and_(lt(0, 1), TRUE), P("and_intro", P("thm", "a"), P("true_intro"))))
    c = env.add(TheoremDecl("c", TRUE, P("and_right", P("and_intro", P("thm", "b"), P("true_intro")))))
    d = env.add(TheoremDecl("d", TRUE, P("true_intro")))
    assert a.axioms == b.axioms == c.axioms == frozenset({"sorry"})
    assert d.axioms == frozenset()
    e = env.add(TheoremDecl("e", lt(0, mul(2, 2)), P("forall_elim", P("thm", "ax_pos"), Int(2))))
    assert e.axioms == frozenset({"ax_pos"})
    f = env.add(TheoremDecl("f", and_(lt(0, mul(2, 2)), TRUE), P("and_intro", P("thm", "e"), P("thm", "c"))))
    assert f.axioms == frozenset({"ax_pos", "sorry"})
    g = env.add(TheoremDecl("g", lt(0, 1), P("oracle", "smt_oracle", lt(0, 1))))
    assert g.axioms == frozenset({"smt_oracle"})
    assert env.theorem("ax_pos").axioms == frozenset({"ax_pos"})


def test_axioms_of_recursive_definition_propagate_through_unfold():
    env = base_env()
    d = env.add(Def("f", ("n",), "term", NEG_BODY, n, (P("oracle", "sorry", F_OB),)))
    assert d.axioms == frozenset({"sorry"})
    st = Forall("n", eq(App("f", n), ite(le(n, 0), 0, add(n, App("f", sub(n, 1))))))
    t = env.add(TheoremDecl("f_eq", st, P("forall_intro", "n", P("unfold", "f", (n,)))))
    assert t.axioms == frozenset({"sorry"})
    u = env.add(TheoremDecl("u", eq(App("f", Int(1)), ite(le(1, 0), 0, add(1, App("f", sub(1, 1))))),
                            P("forall_elim", P("thm", "f_eq"), Int(1))))
    assert u.axioms == frozenset({"sorry"})
    # mentioning f without unfolding it rests on nothing
    r = env.add(TheoremDecl("r", Forall("n", eq(App("f", n), App("f", n))),
                            P("forall_intro", "n", P("refl", App("f", n)))))
    assert r.axioms == frozenset()
    # the honestly proved sum_to carries no axioms
    assert base_env().definition("sum_to").axioms == frozenset()


def test_decreasing_obligations_shape():
    from kernel import decreasing_obligations
    env = base_env()
    obs = decreasing_obligations(env, "f", ("n",), NEG_BODY, n)
    assert obs == [F_OB]
    body = ite(le(n, 0), 0, ite(le(n, 5), App("f", sub(n, 1)), App("f", sub(n, 2))))
    obs = decreasing_obligations(env, "f", ("n",), body, n)
    assert obs == [Forall("n", imp(not_(le(n, 0)), imp(le(n, 5), and_(le(0, n), lt(sub(n, 1), n))))),
                   Forall("n", imp(not_(le(n, 0)), imp(not_(le(n, 5)), and_(le(0, n), lt(sub(n, 2), n)))))]


# ---- trusted objects -------------------------------------------------------------------------------

def test_theorem_cannot_be_constructed_directly():
    with pytest.raises(KernelError, match="only by the kernel"):
        Theorem(object(), "t", FALSE, frozenset())
    with pytest.raises(KernelError, match="only by the kernel"):
        Theorem("t", FALSE, frozenset())   # type: ignore[call-arg]


def test_forging_a_theorem_takes_more_than_one_line_and_is_refused_where_it_counts():
    """Python can get around any Python check (TRUST.md says so), but the easy ways are closed: a
    theorem's statement cannot be rewritten in place, and a theorem the kernel did not make is not used
    by an environment, neither looked up by `thm` nor imported."""
    env = base_env()
    t = env.theorem("lt_succ")
    with pytest.raises((AttributeError, TypeError)):
        object.__setattr__(t, "statement", FALSE)
    assert env.theorem("lt_succ").statement != FALSE
    forged = tuple.__new__(Theorem, ("bad", FALSE, frozenset()))
    env._thms["bad"] = forged
    env.order.append("bad")
    env._decls["bad"] = None
    with pytest.raises(KernelError, match="not a theorem the kernel made"):
        env.add(TheoremDecl("uses_bad", FALSE, P("thm", "bad")))
    other = Environment()
    with pytest.raises(KernelError, match="not a theorem the kernel made"):
        other.include(env)


def test_theorem_is_immutable():
    t = base_env().theorem("lt_succ")
    with pytest.raises(AttributeError):
        t.statement = FALSE
    with pytest.raises(AttributeError):
        t.axioms = frozenset()
    with pytest.raises(TypeError):
        import pickle
        pickle.dumps(t)
    import copy
    with pytest.raises(TypeError):
        copy.copy(t)


def test_exprs_proofs_and_declarations_are_immutable():
    with pytest.raises(AttributeError):
        x.data = "y"
    with pytest.raises(AttributeError):
        P("true_intro").rule = "oracle"
    with pytest.raises(dataclasses.FrozenInstanceError):
        base_env().definition("sum_to").body = Int(0)
    env = base_env()
    env.definitions()["double"] = None
    env.theorems()["lt_succ"] = None
    assert env.definition("double").body == add(n, n) and env.theorem("lt_succ").statement is not None


def test_malformed_exprs_and_proofs():
    with pytest.raises(KernelError, match="unknown operator"):
        Expr("pow", (x, y))
    with pytest.raises(KernelError, match="expects a term argument"):
        add(TRUE, x)
    with pytest.raises(KernelError, match="expects a formula argument"):
        and_(x, TRUE)
    with pytest.raises(KernelError, match="takes 2 arguments"):
        Expr("add", (x,))
    with pytest.raises(KernelError, match="int literal"):
        Expr("int", (), True)
    with pytest.raises(KernelError, match="bvar needs"):
        Expr("bvar", (), -1)
    with pytest.raises(KernelError, match="needs a symbol name"):
        Expr("app", (x,), "")
    with pytest.raises(KernelError, match="unsupported proof argument float"):
        P("hyp", 1.5)
    with pytest.raises(KernelError, match="unsupported proof argument bool"):
        P("hyp", True)
    with pytest.raises(KernelError, match="rule name must be a string"):
        Proof(3, ())
    assert issubclass(ScopeError, KernelError) and issubclass(ResourceError, KernelError)


def test_resource_limits():
    big = Int(2 ** 60_000)
    with pytest.raises(ResourceError):
        check(P("eval", eq(mul(big, big), 0)))
    with pytest.raises(ResourceError):
        check(P("ring", mul(big, mul(big, x)), x))


def test_include_takes_only_environments():
    """Regression: include() trusted any object with environment-like fields, so a fake 'theorem'
    of false with no axioms could be imported and then used to prove false without axioms."""
    from types import SimpleNamespace
    fake = SimpleNamespace(order=["bad"], _defs={}, _thms={"bad": SimpleNamespace(statement=FALSE,
                                                                                  axioms=frozenset())},
                           _decls={"bad": None})
    env = Environment()
    with pytest.raises(KernelError, match="not an environment"):
        env.include(fake)
    with pytest.raises(ScopeError, match="no theorem named bad"):
        env.add(TheoremDecl("oops", FALSE, P("thm", "bad")))


def test_include_shares_only_identical_entries():
    a, b = base_env(), base_env()
    with pytest.raises(ScopeError, match="declared differently"):
        a.include(b)                 # same names, separately checked: not the same entries
    c = a.copy()
    c.add(TheoremDecl("extra", TRUE, P("true_intro")))
    a.include(c)
    assert a.theorem("extra").statement == TRUE
    d = Environment()
    d.include(a)
    assert set(d.theorems()) == set(a.theorems()) and set(d.definitions()) == set(a.definitions())
    assert check(P("unfold", "sum_to", (Int(0),)), d).op == "eq"


def test_instances_are_simultaneous_and_capture_free():
    # arithmetic axioms substitute their parameters simultaneously: div_mod at (b, a), with a and b swapped
    a_, b_ = Var("a"), Var("b")
    assert check(P("arith", "div_mod", (b_, a_))) == eq(b_, add(mul(a_, div(b_, a_)), mod(b_, a_)))
    # unfold too: double's parameter is n, instantiated at an n-containing term
    assert check(P("unfold", "double", (add(n, 1),)), base_env()) == eq(App("double", add(n, 1)),
                                                                       add(add(n, 1), add(n, 1)))
    # induction's bound variable is fresh: a motive mentioning free n and k keeps them free
    m = le(add(x, n), add(x, add(n, k)))
    with pytest.raises(KernelError, match="the step case") as ei:
        check(P("strong_induction", "x", m, k, P("true_intro")))
    step_want = str(ei.value)
    assert "n1" in step_want and "k1" in step_want      # the rule's own n and k were renamed


def test_hypothesis_named_like_a_variable():
    # hypothesis names and variable names live apart: h named "x" does not make x free in the context
    assert check(P("imp_intro", "x", lt(0, y), P("forall_intro", "x", P("refl", x)))) == \
        imp(lt(0, y), Forall("x", eq(x, x)))
    with pytest.raises(KernelError, match="eigenvariable y is free in hypothesis x"):
        check(P("imp_intro", "x", lt(0, y), P("forall_intro", "y", hyp("x"))))
