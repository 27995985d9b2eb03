"""Depth costs nothing: terms and proofs 40,000 levels deep (forty times Python's recursion limit) are
built, compared, checked and exported without RecursionError (every kernel traversal is iterative).
QUOD_DEEP=1000000 runs them a million deep; bench/kernel.py measures the growth to 1e6."""

from __future__ import annotations

import os
import sys
from functools import lru_cache

import pytest
from kutil import FALSE, TRUE, Forall, Int, P, Var, add, eq, hyp, le, lt, x, y

from kernel import (Environment, Expr, KernelError, TheoremDecl, check_proof, dumps, free_vars, instantiate,
                    loads, show, subst)
from kernel.expr import size

DEPTH = int(os.environ.get("QUOD_DEEP", "40000"))
PDEPTH = DEPTH // 2     # deep_proof(PDEPTH) is DEPTH levels deep


def build_chain(base: Expr, depth: int = DEPTH, step: int = 1) -> Expr:
    """base + step + step + ... (left-nested, ``depth`` levels)"""
    e = base
    one = Int(step)
    for _ in range(depth):
        e = add(e, one)
    return e


@lru_cache(maxsize=None)
def chain(base: Expr, depth: int = DEPTH, step: int = 1, copy: int = 0) -> Expr:
    """Cached: deep data is built once per module (``copy`` asks for a separately built equal one)."""
    return build_chain(base, depth, step)


@lru_cache(maxsize=None)
def deep_proof(depth: int, leaf=None, copy: int = 0):
    """and_left(and_intro(... and_left(and_intro(leaf, true_intro)) ...)): 2 * depth levels, proves leaf's formula."""
    p = leaf if leaf is not None else P("true_intro")
    t = P("true_intro")
    for _ in range(depth):
        p = P("and_left", P("and_intro", p, t))
    return p


@pytest.fixture(autouse=True, scope="module")
def free_deep_data():
    yield
    chain.cache_clear()
    deep_proof.cache_clear()


@pytest.fixture(autouse=True)
def low_recursion_limit():
    """Make any hidden recursion fail loudly: far below the depth of the data."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(1_000)
    yield
    sys.setrecursionlimit(old)


def test_deep_term_equality_hash_free_vars():
    a, b = chain(x), chain(x, copy=1)
    assert a is not b
    assert a == b and hash(a) == hash(b)
    assert not (a != b)
    assert chain(x) != chain(y)
    assert chain(x) != chain(x, step=2)
    assert chain(x, DEPTH) != chain(x, DEPTH - 1)
    assert free_vars(a) == frozenset({"x"})
    assert free_vars(add(a, y)) == frozenset({"x", "y"})
    assert size(a) == 2 * DEPTH + 1 - (DEPTH - 1)   # the literal 1 is shared


def test_deep_term_subst_instantiate_and_binders():
    a = chain(x)
    b = subst(a, {"x": y})
    assert free_vars(b) == frozenset({"y"}) and b == chain(y)
    f = Forall("x", eq(a, a))
    assert free_vars(f) == frozenset() and f.lbr == 0
    assert instantiate(f.args[0], y) == eq(chain(y), chain(y))
    assert f == Forall("z", eq(chain(Var("z")), chain(Var("z"))))
    # 100,000 nested binders: forall x, forall x, ... x = x (raw de Bruijn)
    body = eq(Expr("bvar", (), 0), Expr("bvar", (), 0))
    g = body
    for _ in range(DEPTH):
        g = Expr("forall", (g,), "x")
    assert g.lbr == 0 and free_vars(g) == frozenset()
    g2 = body
    for _ in range(DEPTH):
        g2 = Expr("forall", (g2,), "y")
    assert g == g2 and hash(g) == hash(g2)
    assert instantiate(g.args[0], x) == g.args[0]     # no loose index 0 below the top binder
    assert subst(g, {"x": y}) is g


def test_deep_term_show_is_bounded():
    a = chain(x)
    s = show(a)
    assert "..." in s and len(s) < 10_000
    assert "..." in repr(eq(a, a)) and "..." in str(Forall("x", eq(a, a)))
    deep_not = TRUE
    for _ in range(DEPTH):
        deep_not = Expr("not", (deep_not,))
    assert "..." in show(deep_not, ascii=False)


def test_deep_terms_in_rules():
    a = chain(x)
    # ring normalises a 100,000-deep sum, eval evaluates one, linarith adds one up
    assert check_proof(Environment(), P("ring", a, add(x, DEPTH)))[0] == eq(a, add(x, DEPTH))
    c = chain(Int(0))
    assert check_proof(Environment(), P("eval", eq(c, DEPTH)))[0] == eq(c, DEPTH)
    with pytest.raises(KernelError, match="evaluates to false"):
        check_proof(Environment(), P("eval", eq(c, DEPTH + 1)))
    p = P("imp_intro", "h", lt(a, x), P("linarith", ((1, hyp("h")),)))
    assert check_proof(Environment(), p)[0] == Expr("imp", (lt(a, x), FALSE))
    with pytest.raises(KernelError, match="different normal forms"):
        check_proof(Environment(), P("ring", a, add(x, DEPTH - 1)))
    # forall_intro/forall_elim over a deep body
    q = P("forall_elim", P("forall_intro", "x", P("refl", a)), y)
    assert check_proof(Environment(), q)[0] == eq(chain(y), chain(y))


def test_deep_proof_checked():
    p = deep_proof(PDEPTH)
    f, axioms = check_proof(Environment(), p)
    assert f == TRUE and axioms == frozenset()
    env = Environment()
    t = env.add(TheoremDecl("deep", TRUE, p))
    assert t.statement == TRUE


def test_deep_proof_rejected():
    bad = deep_proof(PDEPTH, leaf=P("hyp", "nope"))
    with pytest.raises(KernelError, match="no hypothesis named nope"):
        check_proof(Environment(), bad)
    # a mistake at the top of a deep proof
    with pytest.raises(KernelError, match="must be a conjunction"):
        check_proof(Environment(), P("and_left", P("and_left", deep_proof(PDEPTH))))
    # and an oracle deep inside is recorded
    _, axioms = check_proof(Environment(), deep_proof(PDEPTH, leaf=P("oracle", "sorry", TRUE)))
    assert axioms == frozenset({"sorry"})


def test_deep_context():
    """100,000 nested hypotheses: A -> A -> ... -> A, using the outermost one at the bottom."""
    a = le(0, x)
    p = P("hyp", "h0")
    for i in reversed(range(DEPTH)):
        p = P("imp_intro", f"h{i}", a, p)
    want = a
    for _ in range(DEPTH):
        want = Expr("imp", (a, want))
    f, _ = check_proof(Environment(), p)
    assert f == want
    # every hypothesis mentions x, so generalising over x at the bottom is refused
    q = P("forall_intro", "x", P("true_intro"))
    for i in reversed(range(DEPTH)):
        q = P("imp_intro", f"h{i}", a, q)
    with pytest.raises(KernelError, match="eigenvariable x is free in hypothesis"):
        check_proof(Environment(), q)


def test_deep_proof_equality_and_hash():
    p, q = deep_proof(PDEPTH), deep_proof(PDEPTH, copy=1)
    assert p is not q and p == q and hash(p) == hash(q)
    assert p != deep_proof(PDEPTH - 1)
    assert p != deep_proof(PDEPTH, leaf=P("hyp", "h"))


def test_deep_export_round_trip():
    env = Environment()
    a = chain(x, DEPTH // 2)
    decls = [TheoremDecl("deep", TRUE, deep_proof(PDEPTH)),
             TheoremDecl("deep_ring", Forall("x", eq(a, add(x, DEPTH // 2))),
                         P("forall_intro", "x", P("ring", a, add(x, DEPTH // 2))))]
    text = dumps(decls)
    back = loads(text)
    assert back == decls
    for d in back:
        env.add(d)
    assert set(env.theorems()) == {"deep", "deep_ring"}
    # the flat table keeps sharing: the file is linear in the proof size
    assert len(text) < 200 * DEPTH
