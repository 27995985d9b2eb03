"""The kernel's integer arithmetic against its definitions: floor division, evaluation,
polynomial normal forms, linear certificates and the rounding step."""

from __future__ import annotations

import random
from fractions import Fraction
from math import floor

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from semantics import floor_div as ref_div
from semantics import floor_mod as ref_mod
from semantics import py_eval

from kernel import App, Expr, Int, KernelError, ResourceError, Var, mk
from kernel.arith import (MAX_BITS, divide_inequality, evaluate, farkas_contradiction, floor_div, floor_mod,
                          normalize)

ints = st.integers(min_value=-10**6, max_value=10**6)
small = st.integers(min_value=-20, max_value=20)
FAST = settings(max_examples=150, deadline=None)


@FAST
@given(ints, ints)
def test_floor_div_mod_definition(a, b):
    q, r = floor_div(a, b), floor_mod(a, b)
    assert a == b * q + r
    if b > 0:
        assert 0 <= r < b
    elif b < 0:
        assert b < r <= 0
    else:
        assert (q, r) == (0, a)
    if b:
        assert q == floor(Fraction(a, b))
    assert (q, r) == (ref_div(a, b), ref_mod(a, b))


@pytest.mark.parametrize("a,b,q,r", [(7, 2, 3, 1), (-7, 2, -4, 1), (7, -2, -4, -1), (-7, -2, 3, -1),
                                     (0, 5, 0, 0), (5, 0, 0, 5), (-5, 0, 0, -5), (0, 0, 0, 0), (6, -3, -2, 0)])
def test_floor_div_mod_table(a, b, q, r):
    assert (floor_div(a, b), floor_mod(a, b)) == (q, r)
    e = mk("and", mk("eq", mk("div", Int(a), Int(b)), Int(q)), mk("eq", mk("mod", Int(a), Int(b)), Int(r)))
    assert evaluate(e) is True


# ---- random terms -----------------------------------------------------------------------------------

VARS = ("x", "y", "z")


def terms(max_leaves: int = 12, atoms: bool = True):
    leaf = st.one_of(st.sampled_from(VARS).map(Var), small.map(Int))

    def extend(children):
        ops = [st.tuples(st.sampled_from(["add", "sub", "mul"]), children, children).map(lambda t: mk(*t)),
               children.map(lambda a: mk("neg", a))]
        if atoms:
            ops += [st.tuples(st.sampled_from(["div", "mod", "min", "max"]), children, children).map(lambda t: mk(*t)),
                    children.map(lambda a: mk("abs", a)), children.map(lambda a: App("double", a))]
        return st.one_of(*ops)
    return st.recursive(leaf, extend, max_leaves=max_leaves)


def closed_terms(max_leaves: int = 10):
    leaf = small.map(Int)

    def extend(children):
        return st.one_of(
            st.tuples(st.sampled_from(["add", "sub", "mul", "div", "mod", "min", "max"]), children, children)
            .map(lambda t: mk(*t)),
            children.map(lambda a: mk("neg", a)), children.map(lambda a: mk("abs", a)))
    return st.recursive(leaf, extend, max_leaves=max_leaves)


def closed_formulas():
    cmp = st.tuples(st.sampled_from(["eq", "lt", "le"]), closed_terms(), closed_terms()).map(lambda t: mk(*t))
    leaf = st.one_of(cmp, st.sampled_from([Expr("true"), Expr("false")]))

    def extend(children):
        return st.one_of(st.tuples(st.sampled_from(["and", "or", "imp", "iff"]), children, children)
                         .map(lambda t: mk(*t)),
                         children.map(lambda a: mk("not", a)),
                         st.tuples(children, closed_terms(4), closed_terms(4)).map(lambda t: Expr("ite", (
                             t[0], t[1], t[2]))).flatmap(lambda ite: st.sampled_from([
                                 mk("eq", ite, Int(0)), mk("le", ite, Int(1))])))
    return st.recursive(leaf, extend, max_leaves=6)


def poly_value(p: dict, atoms: dict, env: dict) -> int:
    vals = {i: py_eval(a, env) for a, i in atoms.items()}
    total = 0
    for mono, c in p.items():
        v = c
        for i in mono:
            v *= vals[i]
        total += v
    return total


@FAST
@given(terms(), st.lists(st.integers(-9, 9), min_size=3, max_size=3))
def test_normalize_preserves_value(t, vals):
    env = dict(zip(VARS, vals))
    atoms: dict = {}
    p = normalize(t, atoms)
    assert poly_value(p, atoms, env) == py_eval(t, env)
    assert all(c != 0 for c in p.values())
    assert all(list(m) == sorted(m) for m in p)
    for a in atoms:     # atoms are exactly the non-ring subterms
        assert a.op not in ("add", "sub", "mul", "neg", "int")


@FAST
@given(terms(atoms=False), terms(atoms=False))
def test_normal_forms_equal_iff_polynomials_equal(a, b):
    """Over atom-free terms, equal normal forms means equal everywhere, and conversely (sampled)."""
    atoms: dict = {}
    same = normalize(a, atoms) == normalize(b, atoms)
    rng = random.Random(hash((a, b)))
    points = [{v: rng.randint(-50, 50) for v in VARS} for _ in range(25)]
    agree = all(py_eval(a, env) == py_eval(b, env) for env in points)
    if same:
        assert agree
    if not agree:
        assert not same


@FAST
@given(terms(), st.randoms(use_true_random=False))
def test_rearranged_terms_have_equal_normal_forms(t, rng):
    """Commuting, reassociating and distributing never changes the normal form."""
    def shake(e: Expr) -> Expr:
        stack, out = [(e, False)], {}
        while stack:
            n, done = stack.pop()
            if n.op not in ("add", "sub", "mul", "neg"):      # atoms stay as they are
                out[id(n)] = n
                continue
            if not done:
                stack.append((n, True))
                stack.extend((a, False) for a in n.args)
                continue
            args = tuple(out[id(a)] for a in n.args)
            if n.op in ("add", "mul") and rng.random() < 0.5:
                args = args[::-1]
            if n.op == "sub" and rng.random() < 0.5:
                r = mk("add", args[0], mk("neg", args[1]))
            elif n.op == "mul" and args[1].op == "add" and rng.random() < 0.5:
                r = mk("add", mk("mul", args[0], args[1].args[0]), mk("mul", args[0], args[1].args[1]))
            else:
                r = Expr(n.op, args, n.data)
            out[id(n)] = r
        return out[id(e)]
    atoms: dict = {}
    assert normalize(t, atoms) == normalize(shake(t), atoms)


@FAST
@given(closed_formulas())
def test_evaluate_matches_reference(f):
    assert evaluate(f) == py_eval(f, {})


@FAST
@given(closed_terms())
def test_evaluate_terms_match_reference(t):
    assert evaluate(t) == py_eval(t, {})


def test_evaluate_refuses_open_and_quantified():
    for e in [mk("eq", Var("x"), Int(0)), Expr("forall", (mk("eq", Expr("bvar", (), 0), Int(0)),), "x"),
              mk("eq", App("double", Int(1)), Int(2))]:
        with pytest.raises(KernelError, match="cannot evaluate"):
            evaluate(e)


def test_resource_bounds():
    big = Int(2 ** (MAX_BITS - 10))
    with pytest.raises(ResourceError):
        evaluate(mk("mul", big, big))
    with pytest.raises(ResourceError):
        evaluate(mk("add", Int(2 ** MAX_BITS), Int(2 ** MAX_BITS)))
    with pytest.raises(ResourceError):
        normalize(mk("mul", big, mk("mul", big, Var("x"))), {})
    # a polynomial with too many monomials: (x1 + ... + x200)^2 has 20,100
    s = Var("v0")
    for i in range(1, 200):
        s = mk("add", s, Var(f"v{i}"))
    with pytest.raises(ResourceError):
        normalize(mk("mul", s, s), {})


# ---- linear certificates ------------------------------------------------------------------------------

def lin(coeffs: list[int], const: int) -> Expr:
    """c0*x + c1*y + c2*z + const"""
    t = Int(const)
    for c, v in zip(coeffs, VARS):
        t = mk("add", t, mk("mul", Int(c), Var(v)))
    return t


@FAST
@given(st.lists(st.tuples(st.sampled_from(["le", "lt", "eq"]), st.lists(st.integers(-4, 4), min_size=3, max_size=3),
                          st.integers(-6, 6), st.integers(-3, 3)), min_size=1, max_size=4))
def test_farkas_accepts_only_contradictions(facts):
    """Accepted certificates are contradictions: no integer point satisfies all facts (brute force)."""
    premises = [(k if rel == "eq" else abs(k) or 1, mk(rel, lin(cs, c), Int(0))) for rel, cs, c, k in facts]
    assume(all(k != 0 for k, _ in premises))
    try:
        farkas_contradiction(premises)
    except KernelError:
        return
    rng = range(-6, 7)
    for x in rng:
        for y in rng:
            for z in (-3, 0, 2, 5):
                env = {"x": x, "y": y, "z": z}
                assert not all(py_eval(f, env) for _, f in premises), (premises, env)


@FAST
@given(st.lists(st.integers(-4, 4), min_size=3, max_size=3), st.integers(-20, 20), st.integers(1, 5),
       st.booleans(), st.integers(-2, 2))
def test_divide_inequality_exact_rounding(cs, c, g, strict, shift):
    """g*L + c (<|<=) 0 entails L + d <= 0 exactly for d = ceil(c'/g); the kernel accepts only that d."""
    prem = mk("lt" if strict else "le", lin([g * a for a in cs], c), Int(0))
    c1 = c + 1 if strict else c
    d = -((-c1) // g) + shift
    concl = mk("le", lin(cs, d), Int(0))
    try:
        divide_inequality(prem, g, concl)
        accepted = True
    except KernelError:
        accepted = False
    assert accepted == (shift == 0)
    if accepted and any(cs):
        # sound: every integer point of the premise satisfies the conclusion
        for x in range(-8, 9):
            for y in range(-4, 5):
                env = {"x": x, "y": y, "z": 1}
                if py_eval(prem, env):
                    assert py_eval(concl, env)
        # and tight: the rounded bound is reached whenever L can take any value (some coefficient is +-1)
        if 1 in map(abs, cs):
            i = [abs(a) for a in cs].index(1)
            env = {"x": 0, "y": 0, "z": 0}
            env[VARS[i]] = -d * cs[i]
            assert py_eval(concl, env) and py_eval(mk("le", lin(cs, d + 1), Int(0)), env) is False


def test_divide_inequality_rejects_non_dividing_coefficients():
    prem = mk("le", lin([2, 3, 0], 0), Int(0))
    with pytest.raises(KernelError, match="does not divide"):
        divide_inequality(prem, 2, mk("le", lin([1, 1, 0], 0), Int(0)))
