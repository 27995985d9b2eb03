"""The program logic (kernel/hoare.py): every rule accepted once and rejected on near misses; every
accepted judgment checked against an interpreter; mutated program proofs prove only true judgments."""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kutil import FALSE, TRUE, Forall, Int, P, Var, add, and_, check, eq, hyp, imp, le, lit, lt, not_, or_, sub, x, y
from semantics import NotEvaluable, py_eval

from kernel import Environment, Expr, KernelError, TheoremDecl, check_proof, free_vars, subst
from kernel.hoare import HOARE_RULES

z0 = Var("z0")
SKIP = Expr("skip")


def assign(v, e):
    return Expr("assign", (lit(e),), v)


def havoc(v):
    return Expr("havoc", (), v)


def seq(a, b):
    return Expr("seq", (a, b))


def if_(b, c1, c2):
    return Expr("if", (b, c1, c2))


def while_(b, c):
    return Expr("while", (b, c))


def H(p, c, q):
    return Expr("hoare", (p, c, q))


def T(p, c, q):
    return Expr("total", (p, c, q))


def D(p, c):
    return Expr("diverges", (p, c))


def cl(p, q, body):
    """A proof of closure(p -> q) from a proof ``body`` of q under hypothesis h : p."""
    proof = P("imp_intro", "h", p, body)
    for v in reversed(sorted(free_vars(imp(p, q)))):
        proof = P("forall_intro", v, proof)
    return proof


def lin(goal, *facts):
    """goal by contradiction: linarith over the proofs ``facts`` (coefficient 1 each) and not goal."""
    return P("by_contra", "c", goal, P("linarith", tuple((1, f) for f in facts) + ((1, hyp("c")),)))


def same(p):
    """closure(p -> p)"""
    return cl(p, p, hyp("h"))


# ---- valid derivations ------------------------------------------------------------------------------------

def if_proof(kind):
    """{true} if (x < 0) y = 0 - x else y = x {0 <= y}"""
    b, q = lt(x, 0), le(0, y)
    then = P(f"{kind}_conseq", cl(and_(TRUE, b), le(0, sub(0, x)), lin(le(0, sub(0, x)), P("and_right", hyp("h")))),
             P(f"{kind}_assign", "y", sub(0, x), q), same(q), and_(TRUE, b), q)
    els = P(f"{kind}_conseq", cl(and_(TRUE, not_(b)), le(0, x), lin(le(0, x), P("and_right", hyp("h")))),
            P(f"{kind}_assign", "y", x, q), same(q), and_(TRUE, not_(b)), q)
    return P(f"{kind}_if", b, then, els)


COUNTDOWN = while_(lt(0, x), assign("x", sub(x, 1)))
# {0 <= x and 0 < x} x = x - 1 {0 <= x}
COUNT_BODY = P("hoare_conseq", cl(and_(le(0, x), lt(0, x)), le(0, sub(x, 1)), lin(le(0, sub(x, 1)), P(
    "and_right", hyp("h")))), P("hoare_assign", "x", sub(x, 1), le(0, x)), same(le(0, x)),
    and_(le(0, x), lt(0, x)), le(0, x))
# [0 <= x and 0 < x and x = z0] x = x - 1 [0 <= x and x < z0]
TPRE, TPOST = and_(and_(le(0, x), lt(0, x)), eq(x, z0)), and_(le(0, x), lt(x, z0))
TOTAL_BODY = P("total_conseq", cl(TPRE, and_(le(0, sub(x, 1)), lt(sub(x, 1), z0)), P(
    "and_intro", lin(le(0, sub(x, 1)), P("and_right", P("and_left", hyp("h")))),
    lin(lt(sub(x, 1), z0), P("and_right", hyp("h"))))), P("total_assign", "x", sub(x, 1), TPOST), same(TPOST),
    TPRE, TPOST)
TOTAL_WHILE = P("total_while", "z0", cl(and_(le(0, x), lt(0, x)), le(0, x), P("and_left", hyp("h"))), TOTAL_BODY)
# [true] while (0 < x) x = x - 1 [true and not 0 < x], lexicographic (y, x): y stays, x drops
z1 = Var("z1")
LEX = or_(and_(le(0, z0), lt(y, z0)), and_(le(y, z0), and_(le(0, z1), lt(x, z1))))
LPRE, LPOST = and_(and_(TRUE, lt(0, x)), and_(eq(y, z0), eq(x, z1))), and_(TRUE, LEX)
_h_pos = P("and_right", P("and_left", hyp("h")))
_h_y, _h_x = P("and_left", P("and_right", hyp("h"))), P("and_right", P("and_right", hyp("h")))
LEX_BODY = P("total_conseq", cl(LPRE, subst(LPOST, {"x": sub(x, 1)}), P(
    "and_intro", P("true_intro"), P("or_right", and_(le(0, z0), lt(y, z0)), P(
        "and_intro", lin(le(y, z0), _h_y), P("and_intro", lin(le(0, z1), _h_pos, _h_x),
                                             lin(lt(sub(x, 1), z1), _h_x)))))),
    P("total_assign", "x", sub(x, 1), LPOST), same(LPOST), LPRE, LPOST)
LEX_WHILE = P("total_while_lex", ("z0", "z1"), LEX_BODY)
# diverges while (0 < x) x = x + 1 from 0 < x
UP = while_(lt(0, x), assign("x", add(x, 1)))
UP_BODY = P("hoare_conseq", cl(lt(0, x), lt(0, add(x, 1)), lin(lt(0, add(x, 1)), hyp("h"))),
            P("hoare_assign", "x", add(x, 1), lt(0, x)), same(lt(0, x)), lt(0, x), lt(0, x))
DIV_WHILE = P("diverges_while", lt(0, x), assign("x", add(x, 1)), same(lt(0, x)), UP_BODY)
NOT_LE = cl(lt(0, x), not_(le(x, 0)), P("not_intro", "c", le(x, 0), P("linarith", ((1, hyp("h")), (1, hyp("c"))))))

# can_diverge while (0 < x) { havoc y; x = x + y } from 0 < x: with y = 0 every time it never ends
CHOOSE_LOOP = while_(lt(0, x), seq(havoc("y"), assign("x", add(x, y))))
_FIXED_BODY = seq(assign("y", 0), assign("x", add(x, y)))
_FIXED_T = P("hoare_conseq", cl(lt(0, x), lt(0, add(x, 0)), lin(lt(0, add(x, 0)), hyp("h"))),
             P("hoare_seq", P("hoare_assign", "y", Int(0), lt(0, add(x, y))),
               P("hoare_assign", "x", add(x, y), lt(0, x))), same(lt(0, x)), lt(0, x), lt(0, x))
FIXED_DIV = P("diverges_while", lt(0, x), _FIXED_BODY, same(lt(0, x)), _FIXED_T)
CHOOSE = P("diverges_choose", CHOOSE_LOOP, (("y", 0),), FIXED_DIV)

A_, Q_ = lt(x, 3), le(y, x)
POSITIVE = {
    "hoare_skip": (P("hoare_skip", A_), H(A_, SKIP, A_)),
    "total_skip": (P("total_skip", A_), T(A_, SKIP, A_)),
    "hoare_assign": (P("hoare_assign", "x", add(x, 1), le(x, 5)),
                     H(le(add(x, 1), 5), assign("x", add(x, 1)), le(x, 5))),
    "total_assign": (P("total_assign", "y", x, Q_), T(le(x, x), assign("y", x), Q_)),
    "hoare_havoc": (P("hoare_havoc", "x", le(0, y)), H(Forall("x", le(0, y)), havoc("x"), le(0, y))),
    "total_havoc": (P("total_havoc", "y", Q_), T(Forall("y", Q_), havoc("y"), Q_)),
    "hoare_assume": (P("hoare_assume", A_, Q_), H(imp(A_, Q_), Expr("assume", (A_,)), Q_)),
    "total_assume": (P("total_assume", A_, Q_), T(imp(A_, Q_), Expr("assume", (A_,)), Q_)),
    "hoare_assert": (P("hoare_assert", A_, Q_), H(and_(A_, Q_), Expr("assert", (A_,)), Q_)),
    "total_assert": (P("total_assert", A_, Q_), T(and_(A_, Q_), Expr("assert", (A_,)), Q_)),
    "hoare_seq": (P("hoare_seq", P("hoare_assign", "x", add(x, 1), le(x, 5)), P("hoare_skip", le(x, 5))),
                  H(le(add(x, 1), 5), seq(assign("x", add(x, 1)), SKIP), le(x, 5))),
    "total_seq": (P("total_seq", P("total_skip", A_), P("total_skip", A_)), T(A_, seq(SKIP, SKIP), A_)),
    "hoare_if": (if_proof("hoare"), H(TRUE, if_(lt(x, 0), assign("y", sub(0, x)), assign("y", x)), le(0, y))),
    "total_if": (if_proof("total"), T(TRUE, if_(lt(x, 0), assign("y", sub(0, x)), assign("y", x)), le(0, y))),
    "hoare_conseq": (P("hoare_conseq", cl(lt(x, 3), lt(x, 4), lin(lt(x, 4), hyp("h"))), P("hoare_skip", lt(x, 4)),
                       same(lt(x, 4)), lt(x, 3), lt(x, 4)), H(lt(x, 3), SKIP, lt(x, 4))),
    "total_conseq": (P("total_conseq", same(A_), P("total_skip", A_), cl(A_, lt(x, 4), lin(lt(x, 4), hyp("h"))),
                       A_, lt(x, 4)), T(A_, SKIP, lt(x, 4))),
    "hoare_while": (P("hoare_while", COUNT_BODY), H(le(0, x), COUNTDOWN, and_(le(0, x), not_(lt(0, x))))),
    "total_while": (TOTAL_WHILE, T(le(0, x), COUNTDOWN, and_(le(0, x), not_(lt(0, x))))),
    "total_while_lex": (LEX_WHILE, T(TRUE, COUNTDOWN, and_(TRUE, not_(lt(0, x))))),
    "total_to_hoare": (P("total_to_hoare", TOTAL_WHILE), H(le(0, x), COUNTDOWN, and_(le(0, x), not_(lt(0, x))))),
    "diverges_while": (DIV_WHILE, D(lt(0, x), UP)),
    "diverges_seq": (P("diverges_seq", SKIP, P("hoare_skip", lt(0, x)), DIV_WHILE), D(lt(0, x), seq(SKIP, UP))),
    "diverges_while_body": (P("diverges_while_body", lt(0, x), same(lt(0, x)), DIV_WHILE),
                            D(lt(0, x), while_(lt(0, x), UP))),
    "diverges_unroll": (P("diverges_unroll", same(lt(0, x)), UP_BODY, DIV_WHILE), D(lt(0, x), UP)),
    "diverges_choose": (CHOOSE, Expr("can_diverge", (lt(0, x), CHOOSE_LOOP))),
    "diverges_prefix": (P("diverges_prefix", DIV_WHILE, assign("y", 1)), D(lt(0, x), seq(UP, assign("y", 1)))),
    "diverges_if_then": (P("diverges_if_then", lt(0, x), SKIP, same(lt(0, x)), DIV_WHILE),
                         D(lt(0, x), if_(lt(0, x), UP, SKIP))),
    "diverges_if_else": (P("diverges_if_else", le(x, 0), SKIP, NOT_LE, DIV_WHILE),
                         D(lt(0, x), if_(le(x, 0), SKIP, UP))),
    "diverges_conseq": (P("diverges_conseq", cl(lt(5, x), lt(0, x), lin(lt(0, x), hyp("h"))), DIV_WHILE, lt(5, x)),
                        D(lt(5, x), UP)),
}


# the rules about procedures need procedures in the environment: tests/kernel/test_procedures.py
PROCEDURE_RULES = {"hoare_call", "total_call", "diverges_call", "hoare_rec", "total_rec", "diverges_rec",
                   "diverges_if_both", "diverges_or",
                   "can_diverge_rec"}      # tests/kernel/test_can_diverge_rec.py


def test_every_program_rule_has_a_positive_test():
    assert set(POSITIVE) | PROCEDURE_RULES == set(HOARE_RULES)


@pytest.mark.parametrize("rule", sorted(POSITIVE))
def test_program_rule_accepts_correct_use(rule):
    proof, want = POSITIVE[rule]
    got, axioms = check_proof(Environment(), proof)
    assert got == want and axioms == frozenset()
    assert free_vars(got) == frozenset()
    t = Environment().add(TheoremDecl("t", want, proof))
    assert t.statement == want
    assert judgment_holds(want, random.Random(rule)) is not False


# ---- an interpreter: the meaning the rules must respect ------------------------------------------------------

class Fail(Exception):
    pass


class Block(Exception):
    pass


class Timeout(Exception):
    pass


def execute(c: Expr, s: dict, rng: random.Random, budget: list) -> dict:
    budget[0] -= 1
    if budget[0] < 0:
        raise Timeout
    op = c.op
    if op == "skip":
        return s
    if op in ("assign", "havoc"):
        s = dict(s)
        s[c.data] = py_eval(c.args[0], s) if op == "assign" else rng.randint(-20, 20)
        return s
    if op == "seq":
        return execute(c.args[1], execute(c.args[0], s, rng, budget), rng, budget)
    if op == "if":
        return execute(c.args[1] if py_eval(c.args[0], s) else c.args[2], s, rng, budget)
    if op == "while":
        while py_eval(c.args[0], s):
            s = execute(c.args[1], s, rng, budget)
            budget[0] -= 1
            if budget[0] < 0:
                raise Timeout
        return s
    if op == "assume":
        if not py_eval(c.args[0], s):
            raise Block
        return s
    if op == "assert":
        if not py_eval(c.args[0], s):
            raise Fail
        return s
    raise AssertionError(op)


def program_vars(e: Expr) -> set:
    out, stack = set(), [e]
    while stack:
        n = stack.pop()
        if n.op in ("var", "assign", "havoc"):
            out.add(n.data)
        stack.extend(n.args)
    return out


def judgment_holds(j: Expr, rng: random.Random, samples: int = 60, budget: int = 0):
    """False if some sampled start state refutes judgment ``j``; None if nothing could be sampled."""
    if j.op == "can_diverge":      # some run is infinite: sampled runs cannot refute it
        return None
    budget = budget or (300 if j.op == "diverges" else 5_000)     # steps before a run counts as looping
    names = sorted(program_vars(j)) or ["x"]
    pre, prog = j.args[0], j.args[1]
    tested = 0
    for i in range(samples):
        s = {v: (rng.randint(-3, 3) if i % 2 else rng.randint(-15, 15)) for v in names}
        try:
            if not py_eval(pre, s):
                continue
        except NotEvaluable:
            return None
        tested += 1
        for _ in range(3 if "havoc" in str(prog) else 1):
            try:
                out = execute(prog, s, rng, [budget])
            except Fail:
                return False
            except Block:          # discarded: finite, but not a run forever
                if j.op == "diverges":
                    return False
                continue
            except Timeout:
                if j.op == "total":
                    return False
                continue
            except NotEvaluable:
                return None
            if j.op == "diverges":
                return False
            try:
                if not py_eval(j.args[2], out):
                    return False
            except NotEvaluable:
                return None
    return True if tested else None


def test_interpreter_refutes_false_judgments():
    rng = random.Random(0)
    assert judgment_holds(H(TRUE, assign("x", 1), eq(0, 1)), rng) is False
    assert judgment_holds(T(TRUE, while_(TRUE, SKIP), TRUE), rng) is False
    assert judgment_holds(D(TRUE, while_(TRUE, Expr("assume", (FALSE,)))), rng) is False
    assert judgment_holds(D(TRUE, SKIP), rng) is False
    assert judgment_holds(H(TRUE, Expr("assert", (lt(x, 0),)), TRUE), rng) is False
    assert judgment_holds(H(TRUE, while_(TRUE, SKIP), FALSE), rng) is True


# ---- rejections ----------------------------------------------------------------------------------------------

def C(proof):
    return lambda: check_proof(Environment(), proof)


REJECT = [
    ("hoare_skip-term", "hoare_skip", "expected a formula", C(P("hoare_skip", x))),
    ("total_skip-open", "total_skip", "loose bound", C(P("total_skip", lt(Expr("bvar", (), 0), 1)))),
    ("hoare_assign-name", "hoare_assign", "expected a name", C(P("hoare_assign", 3, x, A_))),
    ("total_assign-formula", "total_assign", "expected a term", C(P("total_assign", "x", A_, A_))),
    ("hoare_havoc-term", "hoare_havoc", "expected a formula", C(P("hoare_havoc", "x", x))),
    ("total_havoc-name", "total_havoc", "expected a name", C(P("total_havoc", "", A_))),
    ("hoare_assume-term", "hoare_assume", "expected a formula", C(P("hoare_assume", x, A_))),
    ("total_assume-term", "total_assume", "expected a formula", C(P("total_assume", A_, y))),
    ("hoare_assert-term", "hoare_assert", "expected a formula", C(P("hoare_assert", x, A_))),
    ("total_assert-term", "total_assert", "expected a formula", C(P("total_assert", A_, x))),
    ("hoare_seq-middle", "hoare_seq", "middle assertions differ",
     C(P("hoare_seq", P("hoare_skip", A_), P("hoare_skip", Q_)))),
    ("hoare_seq-mixed", "hoare_seq", r"must be a judgment \{P\} c \{Q\}",
     C(P("hoare_seq", P("hoare_skip", A_), P("total_skip", A_)))),
    ("total_seq-partial", "total_seq", r"must be a judgment \[P\] c \[Q\]",
     C(P("total_seq", P("hoare_skip", A_), P("hoare_skip", A_)))),
    ("total_seq-not-judgment", "total_seq", "must be a judgment", C(P("total_seq", P("true_intro"), P("true_intro")))),
    ("hoare_if-not-and", "hoare_if", "precondition of the then-branch",
     C(P("hoare_if", A_, P("hoare_skip", A_), P("hoare_skip", A_)))),
    ("hoare_if-wrong-condition", "hoare_if", "must assume the condition",
     C(P("hoare_if", A_, P("hoare_skip", and_(TRUE, Q_)), P("hoare_skip", and_(TRUE, not_(A_)))))),
    ("hoare_if-else-pre", "hoare_if", "else-branch precondition",
     C(P("hoare_if", A_, P("hoare_skip", and_(TRUE, A_)), P("hoare_skip", and_(TRUE, A_))))),
    ("total_if-posts", "total_if", "different postconditions",
     C(P("total_if", A_, P("total_skip", and_(TRUE, A_)), P("total_skip", and_(TRUE, not_(A_)))))),
    ("hoare_conseq-unclosed", "hoare_conseq", "precondition side condition",
     C(P("hoare_conseq", P("imp_intro", "h", lt(x, 3), lin(lt(x, 4), hyp("h"))), P("hoare_skip", lt(x, 4)),
         same(lt(x, 4)), lt(x, 3), lt(x, 4)))),
    ("hoare_conseq-post", "hoare_conseq", "postcondition side condition",
     C(P("hoare_conseq", same(A_), P("hoare_skip", A_), same(A_), A_, lt(x, 4)))),
    ("total_conseq-weaker-pre", "total_conseq", "precondition side condition",
     C(P("total_conseq", cl(lt(x, 3), lt(x, 4), lin(lt(x, 4), hyp("h"))), P("total_skip", lt(x, 3)),
         same(lt(x, 3)), lt(x, 4), lt(x, 3)))),
    # a hypothesis about a logical variable cannot prove a side condition about all states
    ("conseq-uses-logical-hypothesis", "forall_intro", "eigenvariable x is free in hypothesis e",
     C(P("imp_intro", "e", eq(x, 0), P("hoare_conseq", cl(TRUE, eq(x, 0), hyp("e")), P("hoare_skip", eq(x, 0)),
                                       same(eq(x, 0)), TRUE, eq(x, 0))))),
    ("hoare_while-not-invariant", "hoare_while", "re-establish the invariant",
     C(P("hoare_while", P("hoare_skip", and_(A_, Q_))))),
    ("hoare_while-not-and", "hoare_while", "precondition of the body", C(P("hoare_while", P("hoare_skip", A_)))),
    ("total_while-no-decrease", "total_while", "must decrease the variant",
     C(P("total_while", "z0", same(A_), P("total_skip", and_(and_(A_, A_), eq(x, z0)))))),
    ("total_while-snapshot", "total_while", "the snapshot must be",
     C(P("total_while", "z0", same(A_), P("total_skip", and_(and_(A_, A_), eq(x, 1)))))),
    ("total_while-ghost-in-loop", "total_while", "must not occur",
     C(P("total_while", "x", same(A_), P("total_skip", and_(and_(A_, A_), eq(y, x)))))),
    ("total_while-unbounded", "total_while", "bounded below",
     C(P("total_while", "z0", same(A_), TOTAL_BODY))),
    ("total_while-partial-body", "total_while", r"must be a judgment \[P\] c \[Q\]",
     C(P("total_while", "z0", same(A_), COUNT_BODY))),
    ("total_while_lex-empty", "total_while_lex", "non-empty tuple", C(P("total_while_lex", (), LEX_BODY))),
    ("total_while_lex-one-name", "total_while_lex", "non-empty tuple", C(P("total_while_lex", "z0", LEX_BODY))),
    ("total_while_lex-duplicate", "total_while_lex", "distinct", C(P("total_while_lex", ("z0", "z0"), LEX_BODY))),
    ("total_while_lex-swapped", "total_while_lex", "snapshot 1 must be", C(P("total_while_lex", ("z1", "z0"),
                                                                               LEX_BODY))),
    ("total_while_lex-too-few", "total_while_lex", "a variant snapshot", C(P("total_while_lex", ("z0",),
                                                                               LEX_BODY))),
    ("total_while_lex-too-many", "total_while_lex", "the variant snapshots",
     C(P("total_while_lex", ("z0", "z1", "z2"), LEX_BODY))),
    ("total_while_lex-ghost-in-loop", "total_while_lex", "must not occur",
     C(P("total_while_lex", ("x",), P("total_skip", and_(and_(A_, A_), eq(y, x)))))),
    ("total_while_lex-unbounded", "total_while_lex", "decrease the variant lexicographically",
     C(P("total_while_lex", ("z0",), P("total_skip", and_(and_(TRUE, TRUE), eq(x, z0)))))),
    ("total_while_lex-partial-body", "total_while_lex", r"must be a judgment \[P\] c \[Q\]",
     C(P("total_while_lex", ("z0",), COUNT_BODY))),
    ("total_to_hoare-partial", "total_to_hoare", r"must be a judgment \[P\] c \[Q\]",
     C(P("total_to_hoare", P("hoare_skip", A_)))),
    ("diverges_while-leaves", "diverges_while", "stay in the recurrent set",
     C(P("diverges_while", lt(0, x), assign("x", sub(x, 1)), same(lt(0, x)), COUNT_BODY))),
    ("diverges_while-guard", "diverges_while", "imply the guard",
     C(P("diverges_while", lt(1, x), assign("x", add(x, 1)), same(lt(0, x)), UP_BODY))),
    ("diverges_while-total-body", "diverges_while", r"must be a judgment \{P\} c \{Q\}",
     C(P("diverges_while", A_, SKIP, same(A_), P("total_skip", A_)))),
    ("diverges_seq-mismatch", "diverges_seq", "must end where",
     C(P("diverges_seq", SKIP, P("hoare_skip", A_), DIV_WHILE))),
    ("diverges_seq-not-diverges", "diverges_seq", "diverges c from P",
     C(P("diverges_seq", SKIP, P("hoare_skip", A_), P("hoare_skip", A_)))),
    ("diverges_while_body-guard", "diverges_while_body", "the guard must hold",
     C(P("diverges_while_body", lt(1, x), same(lt(0, x)), DIV_WHILE))),
    ("diverges_while_body-not-diverges", "diverges_while_body", "diverges c from P",
     C(P("diverges_while_body", lt(0, x), same(lt(0, x)), UP_BODY))),
    ("diverges_unroll-other-body", "diverges_unroll", "must be the loop body",
     C(P("diverges_unroll", same(and_(le(0, x), lt(0, x))), COUNT_BODY, DIV_WHILE))),
    ("diverges_unroll-ends-elsewhere", "diverges_unroll", "end where the loop diverges",
     C(P("diverges_unroll", same(lt(5, x)), P("hoare_conseq", cl(lt(5, x), lt(0, add(x, 1)), lin(
         lt(0, add(x, 1)), hyp("h"))), P("hoare_assign", "x", add(x, 1), lt(0, x)), same(lt(0, x)), lt(5, x),
         lt(0, x)), P("diverges_conseq", cl(lt(1, x), lt(0, x), lin(lt(0, x), hyp("h"))), DIV_WHILE, lt(1, x))))),
    ("diverges_unroll-guard", "diverges_unroll", "the guard must hold",
     C(P("diverges_unroll", same(lt(1, x)), UP_BODY, DIV_WHILE))),
    ("diverges_unroll-not-a-loop", "diverges_unroll", "the loop",
     C(P("diverges_unroll", same(lt(0, x)), UP_BODY, P("diverges_seq", SKIP, P("hoare_skip", lt(0, x)),
                                                        DIV_WHILE)))),
    ("diverges_choose-other-value", "diverges_choose", "with the chosen values",
     C(P("diverges_choose", CHOOSE_LOOP, (("y", 1),), FIXED_DIV))),
    ("diverges_choose-other-variable", "diverges_choose", "with the chosen values",
     C(P("diverges_choose", CHOOSE_LOOP, (("z", 0),), FIXED_DIV))),
    ("diverges_choose-no-choice", "diverges_choose", "non-empty tuple", C(P("diverges_choose", CHOOSE_LOOP, (),
                                                                            FIXED_DIV))),
    ("diverges_choose-name-value", "diverges_choose", "non-empty tuple",
     C(P("diverges_choose", CHOOSE_LOOP, (("y", "0"),), FIXED_DIV))),
    ("diverges_choose-twice", "diverges_choose", "chosen once",
     C(P("diverges_choose", CHOOSE_LOOP, (("y", 0), ("y", 1)), FIXED_DIV))),
    ("diverges_choose-not-diverges", "diverges_choose", "diverges c from P",
     C(P("diverges_choose", CHOOSE_LOOP, (("y", 0),), _FIXED_T))),
    ("diverges_prefix-not-diverges", "diverges_prefix", "diverges c from P",
     C(P("diverges_prefix", P("hoare_skip", A_), SKIP))),
    ("diverges_prefix-formula", "diverges_prefix", "expected a stmt", C(P("diverges_prefix", DIV_WHILE, A_))),
    ("diverges_if_then-condition", "diverges_if_then", "the branch condition",
     C(P("diverges_if_then", le(x, 0), SKIP, same(lt(0, x)), DIV_WHILE))),
    ("diverges_if_else-condition", "diverges_if_else", "the branch condition",
     C(P("diverges_if_else", lt(0, x), SKIP, same(lt(0, x)), DIV_WHILE))),
    ("diverges_conseq-wrong", "diverges_conseq", "the precondition",
     C(P("diverges_conseq", same(lt(0, x)), DIV_WHILE, TRUE))),
    ("judgment-bound-variable", "expr", "cannot mention bound variables",
     lambda: H(lt(Expr("bvar", (), 0), 1), SKIP, TRUE)),
    ("replace-inside-judgment", "replace", "cannot replace inside the program judgment",
     C(P("imp_intro", "e", eq(x, 0), P("replace", hyp("e"), POSITIVE["hoare_assign"][0],
                                       H(le(add(x, 1), 5), assign("x", add(x, 1)), le(0, 5)))))),
]


def test_every_program_rule_has_a_rejection_test():
    assert {r[1] for r in REJECT} | PROCEDURE_RULES >= set(HOARE_RULES)


@pytest.mark.parametrize("case", REJECT, ids=[r[0] for r in REJECT])
def test_program_rule_rejects_cheat(case):
    _, rule, pattern, action = case
    with pytest.raises(KernelError, match=pattern) as ei:
        action()
    assert ei.value.rule == rule, str(ei.value)


def test_replace_cannot_rewrite_program_variables():
    """Regression: replace walked into judgments, so from h : x = 0 about a logical x it rewrote the program
    variable x, and  {true} x = 1 {0 = 1}  became a theorem with no axioms."""
    env = Environment()
    good = H(TRUE, assign("x", 1), eq(x, 1))
    env.add(TheoremDecl("good", good, P("hoare_conseq", P("eval", imp(TRUE, eq(1, 1))),
                                        P("hoare_assign", "x", Int(1), eq(x, 1)), same(eq(x, 1)), TRUE, eq(x, 1))))
    bad = H(TRUE, assign("x", 1), eq(0, 1))
    inner = P("imp_intro", "h", eq(x, 0), P("replace", hyp("h"), P("thm", "good"), bad))
    proof = P("imp_elim", P("forall_elim", P("forall_intro", "x", inner), Int(0)), P("refl", Int(0)))
    with pytest.raises(KernelError, match="replace"):
        env.add(TheoremDecl("oops", bad, proof))
    assert judgment_holds(bad, random.Random(1)) is False
    # replacing around a judgment, in the logical part of a formula, is still fine
    f = and_(eq(x, 0), good)
    got = check(P("imp_intro", "e", eq(x, 0), P("imp_intro", "f", f, P(
        "replace", hyp("e"), hyp("f"), and_(eq(0, 0), good)))), env)
    assert got == imp(eq(x, 0), imp(f, and_(eq(0, 0), good)))


BLOCKS = Expr("assume", (FALSE,))


def test_blocked_runs_are_finite_not_forever():
    """A run blocked by a false assume is discarded (as __VERIFIER_assume): [true] while (true) { assume false }
    [false] holds (no run is infinite, none ends normally), but the loop does not diverge."""
    loop = while_(TRUE, BLOCKS)
    body_pre = and_(and_(TRUE, TRUE), eq(Int(0), z0))
    body_post = and_(TRUE, lt(Int(0), z0))
    side = cl(body_pre, imp(FALSE, body_post), P("imp_intro", "f", FALSE, P("false_elim", hyp("f"), body_post)))
    body = P("total_conseq", side, P("total_assume", FALSE, body_post), same(body_post), body_pre, body_post)
    j = T(TRUE, loop, and_(TRUE, not_(TRUE)))
    thm = Environment().add(TheoremDecl("blocked_terminates", j, P(
        "total_while", "z0", cl(and_(TRUE, TRUE), le(0, 0), P("eval", le(0, 0))), body)))
    assert thm.statement == j and judgment_holds(j, random.Random(0)) is True
    assert judgment_holds(D(TRUE, loop), random.Random(0)) is False


def test_divergence_cannot_use_a_blocking_body():
    """{true} assume false {true} holds, but it must not make `while (true) assume false` diverge: the body
    premise is about the body with assumes read as asserts, which no proof gives here."""
    from kernel.hoare import never_blocks
    assert never_blocks(seq(BLOCKS, if_(TRUE, BLOCKS, SKIP))) == seq(
        Expr("assert", (FALSE,)), if_(TRUE, Expr("assert", (FALSE,)), SKIP))
    assert never_blocks(UP) is UP
    pre = imp(FALSE, TRUE)
    body = P("hoare_conseq", cl(TRUE, pre, P("imp_intro", "f", FALSE, P("true_intro"))),
             P("hoare_assume", FALSE, TRUE), same(TRUE), TRUE, TRUE)
    assert check(body) == H(TRUE, BLOCKS, TRUE)
    with pytest.raises(KernelError, match="diverges_while: the body premise must be about the body"):
        check(P("diverges_while", TRUE, BLOCKS, same(TRUE), body))
    with pytest.raises(KernelError, match="diverges_seq: the first premise must be about c1"):
        check(P("diverges_seq", BLOCKS, body, P("diverges_while", TRUE, SKIP, same(TRUE), P("hoare_skip", TRUE))))
    # the same loop over the never-blocking body (assert false) needs a proof of false: the
    # assertion side condition {false and true} is not the recurrent set true
    with pytest.raises(KernelError):
        check(P("diverges_while", TRUE, BLOCKS, same(TRUE), P("hoare_assert", FALSE, TRUE)))


def test_judgments_are_closed_and_untouched_by_substitution():
    from kernel import abstract, instantiate, subst
    j = H(lt(x, 1), assign("x", 0), lt(x, 1))
    assert free_vars(j) == frozenset() and j.lbr == 0
    assert subst(j, {"x": Int(5)}) is j
    assert abstract(j, "x") is j
    f = Forall("x", and_(lt(x, 1), j))
    assert instantiate(f.args[0], Int(7)) == and_(lt(7, 1), j)
    # forall_intro over x is allowed under a hypothesis that is a judgment mentioning program variable x
    assert check(P("imp_intro", "j", j, P("forall_intro", "x", P("refl", x)))) == imp(j, Forall("x", eq(x, x)))


# ---- mutated program proofs ------------------------------------------------------------------------------------

def _program_corpus():
    return [p for p, _ in POSITIVE.values()]


@settings(max_examples=80 * int(os.environ.get("QUOD_FUZZ", "1")), deadline=None,
          suppress_health_check=list(HealthCheck))
@given(st.randoms(use_true_random=False))
def test_mutated_program_proofs_prove_only_true_judgments(rng):
    from test_soundness import Mutator
    m = Mutator(rng)
    corpus = _program_corpus()
    for _ in range(3):
        p = rng.choice(corpus)
        for _ in range(rng.randint(1, 2)):
            p = m.proof(p)
        try:
            f, axioms = check_proof(Environment(), p)
        except KernelError:
            continue
        if axioms or f.op not in ("hoare", "total", "diverges"):
            continue
        assert judgment_holds(f, random.Random(rng.randint(0, 10**6))) is not False, f"accepted false {f}"


def test_recursion_inside_a_judgment_refused():
    """Regression: a recursive call inside a program judgment was treated as an ordinary call, with the
    judgment's program variable n confused with the parameter n. So

        f(n) := if n <= 0 then 0 else (if {true} skip {f(n - 1) = 0} then 1 else 0)    decreasing n

    was admitted, although the judgment speaks of f at every argument (no function satisfies this
    equation); the kernel then proved  {true} skip {f(n - 1) = 0}  and  f(1) = 1  together."""
    from kutil import App, ite, sum_to_obligation_proof

    from kernel import Def
    f = lambda t: App("f", t)  # noqa: E731
    n = Var("n")
    judgment = H(TRUE, SKIP, eq(f(sub(n, 1)), 0))
    body = ite(le(n, 0), 0, ite(judgment, 1, 0))
    with pytest.raises(KernelError, match="recursive call of f under a quantifier or program judgment"):
        Environment().add(Def("f", ("n",), "term", body, n, (sum_to_obligation_proof(),)))
    # a judgment in a non-recursive body, or a recursive call outside any judgment, is fine
    env = Environment()
    env.add(Def("g", ("n",), "formula", and_(lt(0, n), H(TRUE, SKIP, TRUE))))
    env.add(Def("f", ("n",), "term", ite(le(n, 0), 0, add(ite(H(TRUE, SKIP, TRUE), 1, 0), f(sub(n, 1)))), n,
                (sum_to_obligation_proof(),)))
