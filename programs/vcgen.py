"""Verification conditions with their proofs: weakest preconditions that build kernel proof terms.

``Prover.triple(kind, P, c, Q)`` walks the statement backwards (weakest
preconditions), choosing each loop's invariant (and, for total correctness,
its variant) from ``annotations``, and returns a kernel proof of ``{P} c {Q}``
or ``[P] c [Q]`` together with the verification conditions it still needs:
closed formulas, each with a hole in the proof. Conditions that are pure
bookkeeping (``Q -> Q``, the two halves of an ``if``) are proved on the spot.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kernel import Expr, Int, P, Var, free_vars, mk
from kernel.expr import postorder
from kernel.hoare import closure, lex_decrease

from tactics.state import Goal, hole

from .lang import conj, conjuncts


@dataclass
class LoopSpec:
    invariant: Expr
    variant: Expr | tuple | None = None      # a term, or a tuple of terms ordered lexicographically
    # enclosing loop -> facts joined to the invariant while that loop's variant is being decreased:
    # they may speak of its snapshot (``snap_var(i)``: the value of its i-th component when the outer
    # iteration began), which is how an outer loop learns what an inner one did to its measure
    outer: dict = field(default_factory=dict)


def snap_var(i: int) -> Var:
    """The name an inner loop's ``LoopSpec.outer`` facts give the enclosing variant's i-th snapshot."""
    return Var(f"__snap{i}")


@dataclass
class Obligations:
    """The verification conditions a proof still needs, as goals (closed formulas)."""
    goals: list = field(default_factory=list)
    fresh: int = 0

    def need(self, formula: Expr, why: str) -> object:
        g = Goal((), formula, ())
        g_why = (g, why)
        self.goals.append(g_why)
        return hole(g.id)


def identity(f: Expr) -> object:
    """A proof of closure(f -> f)."""
    return _closed(f, P("imp_intro", "_h", f, P("hyp", "_h")))


def _closed(f: Expr, p) -> object:
    """From p proving f -> ... with f's free variables free, a proof of its closure (which binds the
    free variables in sorted order; reopened with the same names)."""
    for x in sorted(free_vars(f), reverse=True):
        p = P("forall_intro", x, p)
    return p


@dataclass
class Contract:
    """A proved contract of a procedure: ``proof`` proves {pre} result = name(params) {post}
    (kind "hoare") or [pre] ... [post] (kind "total")."""
    name: str
    params: tuple
    result: str
    pre: Expr
    post: Expr
    kind: str
    proof: object


def branch(pre: Expr, b: Expr, then: bool) -> object:
    """A proof of closure(((b -> W1) and (not b -> W2)) and b -> W1) (then) or of the same with
    not b -> W2 (else): the two halves of an if, bookkeeping proved on the spot."""
    cond = b if then else mk("not", b)
    want = pre.args[0 if then else 1].args[1]
    h = "_h"
    while h in free_vars(pre):
        h += "_"
    hyp = mk("and", pre, cond)
    side = P("and_left" if then else "and_right", P("and_left", P("hyp", h)))
    p = P("imp_intro", h, hyp, P("imp_elim", side, P("and_right", P("hyp", h))))
    return _closed(mk("imp", hyp, want), p)


class Prover:
    def __init__(self, kind: str, specs: dict, obligations: Obligations, contracts: dict | None = None,
                 guess_calls: bool = False):
        self.kind = kind                      # "hoare" or "total"
        self.specs = specs                    # while node -> LoopSpec
        self.ob = obligations
        self.contracts = contracts or {}      # procedure name -> Contract
        # a call without a contract read as ``havoc x`` (its target any value, the rest kept): for
        # checking candidates with z3 before the contracts are found; the proof is then none of the call
        self.guess_calls = guess_calls
        self.snaps: dict = {}                 # loop whose body is being walked -> its snapshot names

    def rule(self, name: str) -> str:
        return f"{self.kind}_{name}"

    def conseq(self, pre: Expr, proof, inner_pre: Expr, post: Expr, why: str, inner_post: Expr | None = None):
        """From a proof of {inner_pre} c {inner_post}, one of {pre} c {post}."""
        inner_post = post if inner_post is None else inner_post
        p_pre = identity(pre) if pre == inner_pre else self.ob.need(closure(mk("imp", pre, inner_pre)), why)
        p_post = identity(post) if post == inner_post else self.ob.need(closure(mk("imp", inner_post, post)),
                                                                          "the loop's exit")
        return P(self.rule("conseq"), p_pre, proof, p_post, pre, post)

    def wp(self, c: Expr, q: Expr) -> tuple[Expr, object]:
        """(weakest precondition, proof of {wp} c {q})"""
        op = c.op
        if op == "skip":
            return q, P(self.rule("skip"), q)
        if op == "assign":
            from kernel import subst
            return subst(q, {c.data: c.args[0]}), P(self.rule("assign"), c.data, c.args[0], q)
        if op == "havoc":
            from kernel import Forall
            return Forall(c.data, q), P(self.rule("havoc"), c.data, q)
        if op == "assume":
            return mk("imp", c.args[0], q), P(self.rule("assume"), c.args[0], q)
        if op == "assert":
            return mk("and", c.args[0], q), P(self.rule("assert"), c.args[0], q)
        if op == "seq":
            r, p2 = self.wp(c.args[1], q)
            pre, p1 = self.wp(c.args[0], r)
            return pre, P(self.rule("seq"), p1, p2)
        if op == "if":
            b, c1, c2 = c.args
            p1pre, p1 = self.wp(c1, q)
            p2pre, p2 = self.wp(c2, q)
            pre = mk("and", mk("imp", b, p1pre), mk("imp", mk("not", b), p2pre))
            t = P(self.rule("conseq"), branch(pre, b, True), p1, identity(q), mk("and", pre, b), q)
            e = P(self.rule("conseq"), branch(pre, b, False), p2, identity(q), mk("and", pre, mk("not", b)), q)
            return pre, P(self.rule("if"), b, t, e)
        if op == "while":
            return self.loop(c, q)
        if op == "call":
            from kernel.hoare import call_wp
            x, name = c.data
            k = self.contracts.get(name)
            if k is None and self.guess_calls:
                from kernel import Forall
                return Forall(x, q), P(self.rule("havoc"), x, q)
            if k is None or (self.kind == "total" and k.kind != "total"):
                raise MissingContract(name, self.kind)
            proof = k.proof if k.kind == self.kind else P("total_to_hoare", k.proof)
            pre = call_wp(k.params, k.result, k.pre, k.post, x, c.args, q)
            return pre, P(self.rule("call"), x, c.args, q, proof)
        raise ValueError(f"cannot handle {op}")

    def loop(self, w: Expr, q: Expr) -> tuple[Expr, object]:
        b, body = w.args
        spec = self.specs.get(w)
        if spec is None:
            raise MissingAnnotation(w)
        inv = spec.invariant
        for wo, f in spec.outer.items():      # what this loop keeps of an enclosing variant's snapshot
            zs = self.snaps.get(wo)
            if zs is not None:
                from kernel import subst
                inv = mk("and", inv, subst(f, {snap_var(i).data: Var(z) for i, z in enumerate(zs)}))
        # frame: the parts of q about variables the loop never assigns hold before it and throughout,
        # so they join the invariant (an outer loop's variant snapshot reaches the code after the loop)
        changed = assigned(w)
        frame = [f for f in conjuncts(q) if not (free_vars(f) & changed) and f not in conjuncts(inv)]
        if frame:
            inv = mk("and", inv, conj(frame))
        exit_ = mk("and", inv, mk("not", b))
        if self.kind == "hoare":
            bpre, bproof = self.wp(body, inv)
            body_t = self.conseq(mk("and", inv, b), bproof, bpre, inv, "the invariant is preserved")
            loop_t = P("hoare_while", body_t)
        else:
            if spec.variant is None:
                raise MissingAnnotation(w, "a decreasing measure")
            v = spec.variant
            if isinstance(v, tuple) and len(v) == 1:
                v = v[0]
            if isinstance(v, tuple):            # lexicographic (v1, ..., vn)
                zs = [self.snapshot(w, inv, v) for _ in v]
                post = mk("and", inv, lex_decrease(list(v), [Var(z) for z in zs]))
                bpre, bproof = self._wp_body(w, zs, body, post)
                pre = mk("and", mk("and", inv, b), conj([mk("eq", vi, Var(z)) for vi, z in zip(v, zs)]))
                body_t = self.conseq(pre, bproof, bpre, post,
                                     "the invariant is preserved and the measure decreases lexicographically")
                loop_t = P("total_while_lex", tuple(zs), body_t)
            else:
                z = self.snapshot(w, inv, (v,))
                post = mk("and", inv, mk("lt", v, Var(z)))
                bpre, bproof = self._wp_body(w, [z], body, post)
                pre = mk("and", mk("and", inv, b), mk("eq", v, Var(z)))
                body_t = self.conseq(pre, bproof, bpre, post,
                                     "the invariant is preserved and the measure decreases")
                bound = self.ob.need(closure(mk("imp", mk("and", inv, b), mk("le", Int(0), v))),
                                     "the measure is bounded below")
                loop_t = P("total_while", z, bound, body_t)
        if exit_ == q:
            return inv, loop_t
        p_post = self.ob.need(closure(mk("imp", exit_, q)), "the loop's exit")
        return inv, P(self.rule("conseq"), identity(inv), loop_t, p_post, inv, q)

    def _wp_body(self, w: Expr, zs: list, body: Expr, post: Expr):
        """wp of a loop's body, the inner loops told the names of this loop's snapshots."""
        self.snaps[w] = zs
        try:
            return self.wp(body, post)
        finally:
            self.snaps.pop(w, None)

    def snapshot(self, w: Expr, inv: Expr, variant: tuple) -> str:
        """A new name for a variant's value before an iteration: not a variable of the loop, its invariant
        or its variant (the kernel refuses one that is)."""
        from .lang import program_vars
        taken = program_vars(w) | free_vars(inv) | {x for t in variant for x in free_vars(t)}
        while True:
            self.ob.fresh += 1
            z = f"_v{self.ob.fresh}"
            if z not in taken:
                return z

    def triple(self, pre: Expr, c: Expr, post: Expr):
        wpre, proof = self.wp(c, post)
        return self.conseq(pre, proof, wpre, post, "the precondition")


def assigned(c: Expr) -> set[str]:
    """The variables a statement may change."""
    return {n.data[0] if n.op == "call" else n.data for n in postorder(c) if n.op in ("assign", "havoc", "call")}


class MissingContract(Exception):
    def __init__(self, name: str, kind: str, why: str = ""):
        what = "a termination contract" if kind == "total" else "a contract"
        super().__init__(f"the call of {name} needs {what}" + (f": {why}" if why else ""))
        self.name = name


class MissingAnnotation(Exception):
    def __init__(self, loop: Expr, what: str = "an invariant"):
        super().__init__(f"the loop `while ({loop.args[0]})` needs {what}")
        self.loop = loop
