"""simp: a rewriting simplifier with arithmetic normalisation.

It rewrites, until nothing changes (or a step bound is hit), with: the lemmas
marked ``@[simp]`` and those given as arguments (equations and equivalences,
left to right, instantiated by matching); closed arithmetic, evaluated (a
closed comparison becomes ``true`` or ``false``); ``if c then a else b`` when
linarith settles ``c`` from the hypotheses; and arithmetic inside function
arguments, brought to the kernel's polynomial normal form (so ``f(k + 1 - 1)``
becomes ``f(k)``). Every step is an equation or equivalence with a kernel
proof, and the goal is rebuilt from them with ``replace``. At the end it
closes ``true``, ``t = t`` and ring identities.
"""

from __future__ import annotations

from kernel import Expr, Int, KernelError, P, mk
from kernel.arith import evaluate, normalize
from kernel.expr import postorder

from .linarith import LinarithFailed, to_expr
from .state import Goal, hole

MAX_STEPS = 200


def _closed_arith(e: Expr) -> bool:
    return all(n.op not in ("var", "bvar", "app", "pred", "forall", "exists") for n in postorder(e))


def _iff_true(a: Expr, pa) -> tuple:
    h = "_s"
    return (P("iff_intro", P("imp_intro", h, a, P("true_intro")), P("imp_intro", h, Expr("true"), pa)),
            mk("iff", a, Expr("true")))


def _iff_false(a: Expr, pna) -> tuple:
    h = "_s"
    return (P("iff_intro", P("imp_intro", h, a, P("not_elim", pna, P("hyp", h))),
              P("imp_intro", h, Expr("false"), P("false_elim", P("hyp", h), a))),
            mk("iff", a, Expr("false")))


class _Simp:
    def __init__(self, eng, goal: Goal, lemmas, arith_only: bool):
        self.eng, self.goal, self.lemmas, self.arith_only = eng, goal, lemmas, arith_only

    def step(self, e: Expr):
        """One rewrite (proof, a = b or A <-> B) for some closed subterm of e, or None."""
        from .engine import match, open_binders, subterms
        for sub in subterms(e):
            if sub.op in ("true", "false", "int"):
                continue
            if _closed_arith(sub) and sub.op not in ("var",):
                try:
                    v = evaluate(sub, "simp")
                except KernelError:
                    v = None
                if isinstance(v, bool):
                    return _iff_true(sub, P("eval", sub)) if v else _iff_false(sub, P("eval", mk("not", sub)))
                if isinstance(v, int) and not (sub.op == "int"):
                    eq = mk("eq", sub, Int(v))
                    return P("eval", eq), eq
            if sub.op == "ite":
                r = self._ite(sub)
                if r is not None:
                    return r
            if sub.op in ("app", "pred", "abs", "min", "max", "div", "mod"):
                for a in sub.args:
                    if a.op in ("add", "sub", "mul", "neg"):
                        atoms: dict = {}
                        poly = normalize(a, atoms, "simp")
                        rev = [None] * len(atoms)
                        for t, i in atoms.items():
                            rev[i] = t
                        nf = to_expr(poly, rev)
                        if nf != a:
                            eq = mk("eq", a, nf)
                            return P("ring", a, nf), eq
            if self.arith_only:
                continue
            for p, f in self.lemmas:
                for steps, concl, mvars in open_binders(f, self.goal):
                    if concl.op not in ("eq", "iff") or any(k != "forall" for k, _ in steps):
                        continue
                    sigma: dict = {}
                    if match(concl.args[0], sub, set(mvars), sigma) and all(v in sigma for v in mvars):
                        from kernel import subst as ksubst
                        inst = ksubst(concl, sigma)
                        if inst.args[0] == inst.args[1]:
                            continue
                        proof = p
                        for _, v in steps:
                            proof = P("forall_elim", proof, sigma[v])
                        return proof, inst
        return None

    def _ite(self, ite: Expr):
        from .arith_tactics import AtomNames, prove_from_facts, hyp_facts
        c, a, b = ite.args
        facts = hyp_facts(self.goal)
        for want, rule, val in ((c, "ite_true", a), (mk("not", c), "ite_false", b)):
            try:
                pc = prove_from_facts(want, facts, AtomNames(self.goal))
            except (LinarithFailed, KernelError):
                continue
            eq = mk("eq", ite, val)
            return P("imp_elim", P(rule, c, a, b), pc), eq
        return None


def simp(eng, goal: Goal, tac, arith_only: bool = False):
    from .engine import rewrite_many, replace_all
    from .syntax import SExpr
    lemmas = []
    at = None
    for a in tac.args:
        if isinstance(a, SExpr):
            lemmas.append(eng.proof_expr(goal, a))
        elif a is not None:
            at = str(a)
    for name in eng.simp_lemmas:
        try:
            lemmas.append((P("thm", name), eng.env.theorem(name).statement))
        except KernelError:
            pass
    s = _Simp(eng, goal, lemmas, arith_only)
    e = goal.hyp(at) if at else goal.target
    if e is None:
        eng.fail(tac, goal, f"no hypothesis named {at}")
    eqs = []
    for _ in range(MAX_STEPS):
        r = s.step(e)
        if r is None:
            break
        eqs.append(r)
        e = replace_all(e, r[1].args[0], r[1].args[1])
    if at:
        if not eqs:
            eng.fail(tac, goal, "simp made no progress")
        new_goals, proof = rewrite_many(eng, goal, eqs, at)
        g = new_goals[0]
        if g.hyp(at).op == "false":
            return [], _fill_false(proof, g, at)
        return new_goals, proof
    closing = _close(e)
    if not eqs and closing is None:
        eng.fail(tac, goal, "simp made no progress")
    if not eqs:
        return [], closing
    new_goals, proof = rewrite_many(eng, goal, eqs, None)
    g = new_goals[0]
    if closing is not None:
        from .engine import fill_hole
        return [], fill_hole(proof, g.id, closing)
    return new_goals, proof


def _fill_false(proof, g: Goal, h: str):
    from .engine import fill_hole
    return fill_hole(proof, g.id, P("false_elim", P("hyp", h), g.target))


def _close(e: Expr):
    if e.op == "true":
        return P("true_intro")
    if e.op == "eq":
        if e.args[0] == e.args[1]:
            return P("refl", e.args[0])
        atoms: dict = {}
        try:
            if normalize(e.args[0], atoms) == normalize(e.args[1], atoms):
                return P("ring", e.args[0], e.args[1])
        except KernelError:
            return None
    if e.op == "iff" and e.args[0] == e.args[1]:
        a = e.args[0]
        return P("iff_intro", P("imp_intro", "_h", a, P("hyp", "_h")), P("imp_intro", "_h", a, P("hyp", "_h")))
    return None


__all__ = ["simp", "hole"]
