"""Whatever the kernel accepts is true.

Random proof terms (built rule by rule, with arguments that often fit and often nearly
fit), random linear-arithmetic certificates, and random mutations of valid proofs are
checked; every accepted conclusion that rests on no axiom must be valid over the
integers: sampled when quantifier-free, and refuted by z3 never (``semantics.py``
encodes floor division and the prelude definitions independently of the kernel).
Every rejection must be a KernelError, never another exception.
"""

from __future__ import annotations

import os
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kutil import FALSE, TRUE, Exists, Forall, Int, P, Var, base_env, mk
from semantics import NotEvaluable, assert_valid, py_eval

from kernel import ARITH_AXIOMS, Expr, KernelError, Proof, abstract, check_proof, instantiate
from kernel.check import Checker

VARS = ("x", "y", "z")
NAMES = ("h", "h1", "h2", "a", "b")
ENV = base_env()
# QUOD_FUZZ=20 python -m pytest tests/kernel/test_soundness.py  runs twenty times as many examples
SCALE = int(os.environ.get("QUOD_FUZZ", "1"))
SETTINGS = settings(max_examples=100 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))


def check_sound(proof, env=ENV, seed=0):
    """Check ``proof``; if accepted without axioms, its conclusion must be valid. Returns it or None."""
    try:
        f, axioms = check_proof(env, proof)
    except KernelError:
        return None
    if not axioms:
        try:
            assert_valid(f, random.Random(seed))
        except NotEvaluable:            # mentions sum_to: no independent meaning at hand
            pass
    return f


# ---- random data ---------------------------------------------------------------------------------------

class Builder:
    """Builds random proofs in a context, computing the conclusions of sub-proofs with the kernel so
    that the arguments it picks fit often (and, picked at random, sometimes nearly fit)."""

    def __init__(self, rng: random.Random, env=ENV):
        self.r = rng
        self.env = env

    # terms and formulas
    def term(self, depth: int = 2) -> Expr:
        r = self.r
        if depth <= 0 or r.random() < 0.3:
            return Var(r.choice(VARS)) if r.random() < 0.6 else Int(r.randint(-3, 3))
        op = r.choice(["add", "add", "sub", "mul", "neg", "div", "mod", "abs", "min", "max", "ite", "double"])
        if op == "neg" or op == "abs":
            return mk(op, self.term(depth - 1))
        if op == "double":
            return Expr("app", (self.term(depth - 1),), "double")
        if op == "ite":
            return Expr("ite", (self.atom(depth - 1), self.term(depth - 1), self.term(depth - 1)))
        if op == "mul" and r.random() < 0.7:     # mostly linear
            return mk("mul", Int(r.randint(-3, 3)), self.term(depth - 1))
        return mk(op, self.term(depth - 1), self.term(depth - 1))

    def atom(self, depth: int = 2) -> Expr:
        return mk(self.r.choice(["lt", "le", "eq"]), self.term(depth), self.term(depth))

    def formula(self, depth: int = 2) -> Expr:
        r = self.r
        if depth <= 0 or r.random() < 0.35:
            return self.atom(1) if r.random() < 0.9 else r.choice([TRUE, FALSE])
        op = r.choice(["and", "or", "imp", "iff", "not", "forall", "exists", "pos"])
        if op == "not":
            return mk("not", self.formula(depth - 1))
        if op == "pos":
            return Expr("pred", (self.term(1),), "pos")
        if op in ("forall", "exists"):
            v = r.choice(VARS)
            return Expr(op, (abstract(self.formula(depth - 1), v),), v)
        return mk(op, self.formula(depth - 1), self.formula(depth - 1))

    def name(self) -> str:
        return self.r.choice(NAMES)

    # conclusions
    def concl(self, ctx: tuple, proof: Proof):
        c = Checker(self.env)
        try:
            c._push(ctx)
            return c.run(proof)
        except KernelError:
            return None

    def visible(self, ctx: tuple) -> dict:
        vis: dict = {}
        for h, f in ctx:
            if f is None:
                vis.pop(h, None)
            else:
                vis[h] = f
        return vis

    # proofs
    def some(self, ctx: tuple, depth: int, op=None) -> Proof:
        """A proof in ``ctx``, preferably an accepted one concluding an ``op`` formula: a visible
        hypothesis of that shape, or the first of a few random tries that fits."""
        r = self.r
        if r.random() < 0.15:
            return self.proof(ctx, depth)           # no preference: near misses too
        vis = self.visible(ctx)
        if op is not None:
            fits = [h for h, f in vis.items() if f.op == op]
            if fits and r.random() < 0.7:
                return P("hyp", r.choice(fits))
        p = None
        for _ in range(4):
            p = self.proof(ctx, depth)
            f = self.concl(ctx, p)
            if f is not None and (op is None or f.op == op):
                return p
        return p

    def falsum(self, ctx: tuple, depth: int) -> Proof:
        """Try hard to prove false in ``ctx``: a negation and its argument, or a linarith
        certificate found by trying small coefficients on the visible comparisons."""
        r = self.r
        vis = self.visible(ctx)
        for h, f in vis.items():
            if f.op == "not":
                for g, f2 in vis.items():
                    if f2 == f.args[0]:
                        return P("not_elim", P("hyp", h), P("hyp", g))
        cmps = [h for h, f in vis.items() if f.op in ("lt", "le", "eq") or (f.op == "not" and f.args[0].op in (
            "lt", "le"))]
        r.shuffle(cmps)
        for i in range(len(cmps)):
            for j in range(i, min(len(cmps), i + 3)):
                for k1 in (1, 2, 3, -1):
                    for k2 in (1, 2, 3, -1):
                        cert = ((k1, P("hyp", cmps[i])),) if i == j else \
                            ((k1, P("hyp", cmps[i])), (k2, P("hyp", cmps[j])))
                        p = P("linarith", cert)
                        if self.concl(ctx, p) is not None:
                            return p
                        if i == j:
                            break
        return self.some(ctx, depth, "false")

    def proof(self, ctx: tuple = (), depth: int = 3) -> Proof:
        r = self.r
        vis = self.visible(ctx)
        if depth <= 0 or r.random() < 0.2:
            return self.leaf(vis)
        rule = r.choice(["and_intro", "and_elim", "or_intro", "or_elim", "imp_intro", "imp_intro", "imp_elim",
                         "not_intro", "not_elim", "iff_intro", "iff_elim", "by_contra", "false_elim",
                         "forall_intro", "forall_elim", "exists_intro", "exists_elim", "subst", "replace",
                         "clear", "linarith", "lin_round", "leaf"])
        d = depth - 1
        sub = lambda extra=(), op=None: self.some(ctx + extra, d, op)  # noqa: E731
        if rule == "leaf":
            return self.leaf(vis)
        if rule == "and_intro":
            return P("and_intro", sub(), sub())
        if rule == "and_elim":
            return P(r.choice(["and_left", "and_right"]), sub(op="and"))
        if rule == "or_intro":
            return P("or_left", sub(), self.formula()) if r.random() < 0.5 else P("or_right", self.formula(), sub())
        if rule == "or_elim":
            p = sub(op="or")
            f = self.concl(ctx, p)
            a, b = f.args if f is not None and f.op == "or" else (self.formula(), self.formula())
            h1, h2 = self.name(), self.name()
            q1 = self.some(ctx + ((h1, a),), d)
            q2 = q1 if r.random() < 0.6 else self.some(ctx + ((h2, b),), d)
            return P("or_elim", p, h1, q1, h2, q2)
        if rule in ("imp_intro", "not_intro", "by_contra"):
            h, a = self.name(), self.formula()
            hyp_f = mk("not", a) if rule == "by_contra" else a
            extra = ((h, hyp_f),)
            if rule == "imp_intro":
                return P(rule, h, a, sub(extra))
            return P(rule, h, a, self.falsum(ctx + extra, d) if r.random() < 0.7 else sub(extra))
        if rule in ("imp_elim", "not_elim"):
            p = sub(op="imp" if rule == "imp_elim" else "not")
            f = self.concl(ctx, p)
            want = f.args[0] if f is not None and f.op in ("imp", "not") else None
            matches = [h for h, g in vis.items() if g == want]
            q = P("hyp", r.choice(matches)) if matches and r.random() < 0.7 else sub()
            return P(rule, p, q)
        if rule == "iff_intro":
            if r.random() < 0.4:
                h, a = self.name(), self.formula()
                p = P("imp_intro", h, a, P("hyp", h))
                return P("iff_intro", p, p)
            p = sub(op="imp")
            return P("iff_intro", p, p if r.random() < 0.5 else sub(op="imp"))
        if rule == "iff_elim":
            return P(r.choice(["iff_left", "iff_right"]), sub(op="iff"))
        if rule == "false_elim":
            return P("false_elim", self.falsum(ctx, d), self.formula())
        if rule == "forall_intro":
            return P("forall_intro", r.choice(VARS), sub())
        if rule == "forall_elim":
            p = sub(op="forall") if r.random() < 0.8 else P("thm", "lt_succ")
            return P("forall_elim", p, self.term())
        if rule == "exists_intro":
            p = sub()
            f = self.concl(ctx, p) or self.formula()
            v = r.choice(VARS)
            e = Expr("exists", (abstract(f, v),), "w")
            t = Var(v) if r.random() < 0.6 else self.term()
            return P("exists_intro", e, t, p)
        if rule == "exists_elim":
            p = sub(op="exists")
            f = self.concl(ctx, p)
            x, h = r.choice(VARS + ("w",)), self.name()
            body = instantiate(f.args[0], Var(x)) if f is not None and f.op == "exists" else self.formula()
            return P("exists_elim", p, x, h, self.some(ctx + ((h, body),), d))
        if rule in ("subst", "replace"):
            pe = sub(op="eq") if r.random() < 0.5 else self.leaf({}, equation=True)
            e = self.concl(ctx, pe)
            if e is None or e.op not in ("eq", "iff") or not vis:
                return P(rule, pe, *((r.choice(VARS), self.formula(), sub()) if rule == "subst"
                                     else (sub(), self.formula())))
            a, b = e.args
            h, f = r.choice(list(vis.items()))
            if rule == "replace":
                return P("replace", pe, P("hyp", h), self.rewrite(f, a, b))
            # motive: f with some occurrences of a abstracted as v
            m = self.rewrite(f, a, Var("v")) if e.op == "eq" else self.formula()
            return P("subst", pe, "v", m, P("hyp", h))
        if rule == "clear":
            if not vis:                 # refused by the kernel: nothing to clear
                return P("clear", (self.name(),), sub())
            names = tuple(r.sample(sorted(vis), min(len(vis), r.randint(1, 2))))
            return P("clear", names, self.some(ctx + tuple((n, None) for n in names), d))
        if rule == "linarith":
            if r.random() < 0.5:
                return self.falsum(ctx, d)
            cmps = [h for h, g in vis.items() if g.op in ("lt", "le", "eq", "not")]
            pool = cmps or list(vis) or list(NAMES)
            cert = tuple((r.choice([1, 1, 2, 3, -1, 0]), P("hyp", r.choice(pool))) for _ in range(r.randint(1, 3)))
            return P("linarith", cert)
        if rule == "lin_round":
            cmps = [h for h, g in vis.items() if g.op in ("lt", "le")]
            h = r.choice(cmps) if cmps else self.name()
            return P("lin_round", P("hyp", h), r.randint(1, 3), mk("le", self.term(1), Int(r.randint(-2, 2))))
        raise AssertionError(rule)

    def leaf(self, vis: dict, equation: bool = False) -> Proof:
        r = self.r
        if vis and r.random() < 0.5:
            return P("hyp", r.choice(sorted(vis)) if r.random() < 0.9 else self.name())
        kind = r.choice(["refl", "ring", "arith", "unfold"] if equation else
                        ["true_intro", "refl", "ring", "eval", "arith", "ite", "trichotomy", "thm", "unfold"])
        if kind == "true_intro":
            return P("true_intro")
        if kind == "refl":
            return P("refl", self.term())
        if kind == "ring":
            a = self.term()
            b = self.shake(a) if r.random() < 0.7 else self.term()
            return P("ring", a, b)
        if kind == "eval":
            t = self.closed_term()
            try:
                v = py_eval(t, {})
            except NotEvaluable:
                v = 0
            return P("eval", mk(r.choice(["eq", "le", "lt"]), t, Int(v + r.choice([0, 0, 1, -1]))))
        if kind == "arith":
            name = r.choice(["div_zero", "mod_zero", "div_mod", "abs_def", "min_def", "max_def"] if equation else
                            sorted(ARITH_AXIOMS) + ["bogus"])
            k = len(ARITH_AXIOMS[name][0]) if name in ARITH_AXIOMS and r.random() < 0.9 else r.randint(0, 3)
            return P("arith", name, tuple(self.term() for _ in range(k)))
        if kind == "ite":
            return P(r.choice(["ite_true", "ite_false"]), self.formula(1), self.term(), self.term())
        if kind == "trichotomy":
            return P("trichotomy", self.term(), self.term())
        if kind == "thm":
            return P("thm", r.choice(["lt_succ", "lt_succ", "nope"]))
        return P("unfold", "double" if equation else r.choice(["double", "pos"]), (self.term(),))

    def closed_term(self, depth: int = 3) -> Expr:
        r = self.r
        if depth <= 0 or r.random() < 0.3:
            return Int(r.randint(-9, 9))
        op = r.choice(["add", "sub", "mul", "div", "mod", "min", "max", "neg", "abs"])
        if op in ("neg", "abs"):
            return mk(op, self.closed_term(depth - 1))
        return mk(op, self.closed_term(depth - 1), self.closed_term(depth - 1))

    def shake(self, e: Expr) -> Expr:
        """An equal polynomial: commute, or add and subtract a random term."""
        r = self.r
        if e.op in ("add", "mul") and r.random() < 0.5:
            return mk(e.op, e.args[1], e.args[0])
        t = self.term(1)
        return mk("sub", mk("add", e, t), t)

    def rewrite(self, f: Expr, a: Expr, b: Expr) -> Expr:
        """``f`` with a random selection of the occurrences of ``a`` replaced by ``b``."""
        if f == a:
            return b if self.r.random() < 0.8 else f
        if not f.args:
            return f
        return Expr(f.op, tuple(self.rewrite(x, a, b) for x in f.args), f.data)


# ---- properties -------------------------------------------------------------------------------------------

@SETTINGS
@given(st.randoms(use_true_random=False))
def test_random_proofs_prove_only_truths(rng):
    b = Builder(rng)
    for _ in range(2):
        check_sound(b.proof((), rng.randint(1, 5)), seed=rng.randint(0, 10**6))


def test_random_proofs_are_often_accepted():
    """The generator is useful: a fair share of its proofs pass, including non-trivial ones."""
    rng = random.Random(1234)
    b = Builder(rng)
    accepted = 0
    seen = set()
    for _ in range(150):
        p = b.proof((), rng.randint(2, 5))
        if check_sound(p, seed=rng.randint(0, 10**6)) is not None:
            accepted += 1
            stack = [p]
            while stack:
                q = stack.pop()
                seen.add(q.rule)
                stack.extend(x for x in _flat(q.args) if isinstance(x, Proof))
    assert accepted >= 30, accepted
    assert len(seen) >= 22, sorted(seen)


def _flat(args):
    for x in args:
        if isinstance(x, tuple):
            yield from _flat(x)
        else:
            yield x


# linear certificates built to cancel, with a constant that makes them a contradiction or not

def _linear(rng, coeffs, const):
    t = Int(const)
    for c, v in zip(coeffs, VARS):
        if c:
            m = mk("mul", Int(c), Var(v))
            t = mk("add", m, t) if rng.random() < 0.5 else mk("add", t, m)
    return t


def _fact(rng, p_coeffs, p_const, rel):
    """A comparison whose kernel reading (lhs - rhs, +1 if strict) is the polynomial p."""
    noise = _linear(rng, [rng.randint(-2, 2) for _ in VARS], rng.randint(-3, 3))
    if rel == "not_le":     # not (a <= b) reads b - a + 1: take a = noise, b = p - 1 + noise
        return mk("not", mk("le", noise, mk("add", _linear(rng, p_coeffs, p_const - 1), noise)))
    if rel == "not_lt":     # not (a < b) reads b - a
        return mk("not", mk("lt", noise, mk("add", _linear(rng, p_coeffs, p_const), noise)))
    strict = rel == "lt"
    lhs = mk("add", _linear(rng, p_coeffs, p_const - (1 if strict else 0)), noise)
    return mk(rel, lhs, noise)


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_linarith_accepts_exactly_the_contradictions(rng):
    n = rng.randint(1, 3)
    rels = [rng.choice(["le", "lt", "eq", "not_le", "not_lt"]) for _ in range(n)]
    ks = [rng.randint(1, 3) * (rng.choice([1, -1]) if rel == "eq" else 1) for rel in rels]
    polys = [([rng.randint(-3, 3) for _ in VARS], rng.randint(-4, 4)) for _ in range(n - 1)]
    # the last fact cancels the others: k_n * p_n = c - sum k_i p_i, with k_n = 1
    target = rng.randint(-2, 2)
    last_c = [-sum(k * p[0][j] for k, p in zip(ks, polys)) for j in range(3)]
    last_k = target - sum(k * p[1] for k, p in zip(ks, polys))
    polys.append((last_c, last_k))
    ks[-1] = 1 if rels[-1] != "eq" else 1
    facts = [_fact(rng, cs, c, rel) for (cs, c), rel in zip(polys, rels)]
    tamper = rng.random() < 0.25
    if tamper:
        i = rng.randrange(n)
        ks[i] += rng.choice([1, -1, -2])
    cert = tuple((k, P("hyp", f"h{i}")) for i, k in enumerate(ks))
    proof = P("linarith", cert)
    want = FALSE
    for i in reversed(range(n)):
        proof = P("imp_intro", f"h{i}", facts[i], proof)
        want = mk("imp", facts[i], want)
    got = check_sound(proof, seed=rng.randint(0, 10**6))
    if not tamper:
        assert (got is not None) == (target > 0), (facts, ks, target)
    if got is not None:
        assert got == want


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_lin_round_in_proofs(rng):
    g = rng.randint(1, 4)
    cs = [rng.randint(-3, 3) for _ in VARS]
    c = rng.randint(-12, 12)
    strict = rng.random() < 0.5
    prem = mk("lt" if strict else "le", _linear(rng, [g * a for a in cs], c), Int(0))
    d = -((-(c + strict)) // g) + rng.choice([0, 0, 1, -1])
    concl = mk("le", _linear(rng, cs, d), Int(0))
    div = g if rng.random() < 0.8 else g + 1
    check_sound(P("imp_intro", "h", prem, P("lin_round", P("hyp", "h"), div, concl)), seed=rng.randint(0, 10**6))


# ---- mutations of valid proofs ----------------------------------------------------------------------------

def _corpus():
    from test_rules import IND, POSITIVE, STRONG_STEP  # noqa: F401  (valid proofs of every rule)
    proofs = [p for p, _ in POSITIVE.values()]
    # a few compound ones: induction and quantifier juggling
    x, y = Var("x"), Var("y")
    proofs.append(P("forall_intro", "x", P("imp_intro", "h", Exists("y", mk("lt", x, y)), P(
        "exists_elim", P("hyp", "h"), "w", "hw", P("exists_intro", Exists("y", mk("le", x, y)), Var("w"), P(
            "by_contra", "c", mk("le", x, Var("w")), P("linarith", ((1, P("hyp", "hw")), (1, P("hyp", "c"))))))))))
    proofs.append(P("imp_intro", "h", Forall("x", mk("le", Int(0), mk("mul", x, x))), P(
        "forall_intro", "y", P("forall_elim", P("hyp", "h"), mk("add", y, Int(1))))))
    proofs.append(P("forall_intro", "x", P("imp_intro", "h", mk("le", mk("mul", Int(4), x), Int(9)), P(
        "lin_round", P("hyp", "h"), 4, mk("le", x, Int(2))))))
    proofs.append(P("forall_intro", "x", P("imp_intro", "a", mk("lt", Int(0), mk("mod", x, Int(3))), P(
        "by_contra", "c", mk("lt", Int(0), mk("mod", x, Int(3))), P("linarith", (
            (1, P("hyp", "a")), (1, P("hyp", "c"))))))))
    return proofs


CORPUS = _corpus()
MUTANT_NAMES = ("x", "y", "z", "n", "w", "h", "a", "b", "c", "hw", "ih", "h0", "v", "k")


class Mutator:
    def __init__(self, rng: random.Random):
        self.r = rng
        self.b = Builder(rng)

    def proof(self, p: Proof) -> Proof:
        nodes = []
        stack = [p]
        while stack:
            q = stack.pop()
            nodes.append(q)
            stack.extend(x for x in _flat(q.args) if isinstance(x, Proof))
        target = self.r.choice(nodes)
        return self._replace(p, target, self.node(target, nodes))

    def _replace(self, p, target, new):
        if p is target:
            return new
        return Proof(p.rule, tuple(self._replace_item(x, target, new) for x in p.args))

    def _replace_item(self, x, target, new):
        if isinstance(x, Proof):
            return self._replace(x, target, new)
        if isinstance(x, tuple):
            return tuple(self._replace_item(y, target, new) for y in x)
        return x

    SIBLINGS = [("and_left", "and_right"), ("or_left", "or_right"), ("iff_left", "iff_right"),
                ("ite_true", "ite_false"), ("imp_intro", "not_intro", "by_contra"), ("induction",),
                ("not_elim", "imp_elim"), ("forall_elim", "and_intro")]

    def node(self, q: Proof, pool: list) -> Proof:
        r = self.r
        if r.random() < 0.15:
            for group in self.SIBLINGS:
                if q.rule in group and len(group) > 1:
                    return Proof(r.choice([g for g in group if g != q.rule]), q.args)
        if not q.args:
            return r.choice(pool) if r.random() < 0.5 else P("hyp", r.choice(MUTANT_NAMES))
        i = r.randrange(len(q.args))
        args = list(q.args)
        args[i] = self.item(args[i], pool)
        return Proof(q.rule, tuple(args))

    def item(self, x, pool):
        r = self.r
        if isinstance(x, Proof):
            return r.choice([r.choice(pool), P("true_intro"), P("hyp", r.choice(MUTANT_NAMES)), self.proof(x)])
        if isinstance(x, tuple):
            if not x:
                return x
            j = r.randrange(len(x))
            return x[:j] + (self.item(x[j], pool),) + x[j + 1:]
        if isinstance(x, str):
            return r.choice(MUTANT_NAMES)
        if isinstance(x, int):
            return r.choice([x + 1, x - 1, -x, 0, 2 * x])
        return self.expr(x)

    def expr(self, e: Expr) -> Expr:
        r = self.r
        nodes = []
        stack = [e]
        while stack:
            n = stack.pop()
            nodes.append(n)
            stack.extend(n.args)
        target = r.choice(nodes)
        try:
            return self._subst_node(e, target, self.expr_node(target))
        except KernelError:         # e.g. a bound index moved out of its binder's reach inside a judgment
            return e

    def _subst_node(self, e, target, new):
        if e is target:
            return new
        if not e.args:
            return e
        return Expr(e.op, tuple(self._subst_node(a, target, new) for a in e.args), e.data)

    FAMILIES = [("add", "sub", "mul", "div", "mod", "min", "max"), ("lt", "le", "eq"), ("and", "or", "imp", "iff"),
                ("forall", "exists"), ("hoare", "total"), ("assume", "assert")]

    def expr_node(self, n: Expr) -> Expr:
        r = self.r
        if n.op == "int":
            return Int(r.choice([n.data + 1, n.data - 1, -n.data, 0]))
        if n.op == "var":
            return Var(r.choice(MUTANT_NAMES[:5]))
        if n.op in ("assign", "havoc"):
            return Expr(n.op, n.args, r.choice(VARS + ("z0",)))
        if n.op == "bvar":
            return r.choice([Expr("bvar", (), n.data + 1), Expr("bvar", (), max(0, n.data - 1)), Var("x")])
        for fam in self.FAMILIES:
            if n.op in fam and r.random() < 0.5:
                return Expr(r.choice(fam), n.args, n.data)
        if len(n.args) == 2 and r.random() < 0.5 and n.sort != "stmt":
            return Expr(n.op, n.args[::-1], n.data)
        if n.sort == "stmt":
            v = r.choice(VARS)
            return r.choice([Expr("skip"), Expr("assign", (self.b.term(1),), v), Expr("havoc", (), v),
                             Expr("seq", (n, Expr("assign", (self.b.term(1),), v))), Expr("assert", (self.b.atom(1),))])
        return self.b.term() if n.sort == "term" else self.b.formula()


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_mutated_proofs_prove_only_truths(rng):
    m = Mutator(rng)
    for _ in range(4):
        p = rng.choice(CORPUS)
        for _ in range(rng.randint(1, 3)):
            p = m.proof(p)
        check_sound(p, seed=rng.randint(0, 10**6))


def test_mutations_are_mostly_rejected_but_not_all():
    """The mutator makes near misses: most are caught, and the ones that pass are sound (above)."""
    rng = random.Random(99)
    m = Mutator(rng)
    results = []
    for _ in range(300):
        p = m.proof(rng.choice(CORPUS))
        results.append(check_sound(p, seed=rng.randint(0, 10**6)) is not None)
    assert 0.2 < sum(results) / len(results) < 0.9, sum(results)


def test_eigenvariable_renaming_near_misses():
    """Renaming the eigenvariable of a valid proof onto a variable of the context must be refused or sound."""
    x, y = Var("x"), Var("y")
    for v in ("x", "y", "z", "w"):
        p = P("imp_intro", "h", mk("lt", x, y), P("forall_intro", v, P("hyp", "h")))
        f = check_sound(p)
        assert (f is None) == (v in ("x", "y"))
        q = P("imp_intro", "h", Exists("y", mk("lt", x, y)), P(
            "exists_elim", P("hyp", "h"), v, "hw", P("exists_intro", Exists("y", mk("lt", x, y)), Var(v),
                                                     P("hyp", "hw"))))
        g = check_sound(q)
        assert (g is None) == (v == "x")
