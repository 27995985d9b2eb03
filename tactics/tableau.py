"""A refutation tableau: first-order propositional structure with linarith at the leaves.

Given facts (formula, proof) that are jointly contradictory, build a kernel
proof of ``false``: conjunctions and negated disjunctions/implications are
decomposed, existentials opened with fresh variables, double negations
removed, and disjunctions, implications and negated conjunctions branched on.
A branch closes on ``false``, on a pair ``A``/``not A``, or when linarith
(with its case splits) refutes its comparisons. This is how ``smt``'s "unsat"
is rebuilt as a proof the kernel checks.
"""

from __future__ import annotations

from kernel import Expr, P, Var, free_vars, instantiate, mk

from .arith_tactics import _is_cmp, refute
from .linarith import LinarithFailed

MAX_BRANCH_DEPTH = 14
MAX_NODES = 2000
MAX_INSTANCES = 40


class TableauFailed(Exception):
    pass


class Tableau:
    def __init__(self, used_names: set[str], used_vars: set[str]):
        self.used = set(used_names) | set(used_vars)
        self.counter = 0
        self.nodes = 0
        self.instantiated = False

    def fresh(self, base: str = "_t") -> str:
        while True:
            self.counter += 1
            n = f"{base}{self.counter}"
            if n not in self.used:
                self.used.add(n)
                return n

    def __call__(self) -> str:           # the name supply interface of arith_tactics.refute
        return self.fresh("_la")

    def prove_false(self, facts: list) -> object:
        for f, _ in facts:
            self.used |= free_vars(f)
        flat, stack = [], list(facts)
        while stack:                        # conjunctions first, so that x = 5 inside them is seen
            f, p = stack.pop()
            if f.op == "and":
                stack.append((f.args[0], P("and_left", p)))
                stack.append((f.args[1], P("and_right", p)))
            else:
                flat.append((f, p))
        return self._refute(_propagate_constants(flat), 0)

    def _refute(self, facts: list, depth: int):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise TableauFailed("the case analysis grew too large")
        facts = self._saturate(facts)
        if isinstance(facts, tuple):          # closed: (proof,)
            return facts[0]
        for i, (f, p) in enumerate(facts):
            if f.op == "exists":
                x = self.fresh(f.data or "x")
                h = self.fresh("_e")
                body = instantiate(f.args[0], Var(x))
                rest = facts[:i] + facts[i + 1:]
                return P("exists_elim", p, x, h, self._refute(rest + [(body, P("hyp", h))], depth))
            if f.op == "not" and f.args[0].op == "forall":
                x = self.fresh(f.args[0].data or "x")
                h = self.fresh("_e")
                body = mk("not", instantiate(f.args[0].args[0], Var(x)))
                ex = Expr("exists", (mk("not", f.args[0].args[0]),), f.args[0].data)
                pex = _not_forall_to_exists(p, f.args[0], ex, self)
                rest = facts[:i] + facts[i + 1:]
                return P("exists_elim", pex, x, h, self._refute(rest + [(body, P("hyp", h))], depth))
        comparisons = [(f, p) for f, p in facts if _is_cmp(f)]
        try:
            return refute(comparisons, self)
        except LinarithFailed:
            pass
        if depth >= MAX_BRANCH_DEPTH:
            raise TableauFailed("too many case splits")
        for i, (f, p) in enumerate(facts):
            rest = facts[:i] + facts[i + 1:]
            if f.op == "or":
                h1, h2 = self.fresh("_o"), self.fresh("_o")
                a, b = f.args
                return P("or_elim", p, h1, self._refute(rest + [(a, P("hyp", h1))], depth + 1),
                         h2, self._refute(rest + [(b, P("hyp", h2))], depth + 1))
            if f.op == "imp" or (f.op == "not" and f.args[0].op == "and"):
                if f.op == "imp":
                    a, b = f.args
                    yes = lambda ha, p=p: (b, P("imp_elim", p, P("hyp", ha)))  # noqa: E731
                else:
                    a, b0 = f.args[0].args
                    yes = lambda ha, p=p, b0=b0: (mk("not", b0), _not_and_right(p, ha, b0, self))  # noqa: E731
                ha, hn = self.fresh("_i"), self.fresh("_i")
                p_yes = self._refute(rest + [(a, P("hyp", ha)), yes(ha)], depth + 1)
                p_no = self._refute(rest + [(mk("not", a), P("hyp", hn))], depth + 1)
                return P("imp_elim", P("imp_intro", hn, mk("not", a), p_no), P("not_intro", ha, a, p_yes))
            if f.op == "not" and f.args[0].op == "iff":
                # not (A <-> B): either A and not B, or not A and B
                a, b = f.args[0].args
                ha, hn, hb, h1, h2 = (self.fresh("_i") for _ in range(5))
                iff = lambda pa_to_b, pb_to_a: P("not_elim", p, P("iff_intro", pa_to_b, pb_to_a))  # noqa: E731
                nb = P("not_intro", hb, b, iff(P("imp_intro", h1, a, P("hyp", hb)),
                                                P("imp_intro", h2, b, P("hyp", ha))))
                p_yes = self._refute(rest + [(a, P("hyp", ha)), (mk("not", b), nb)], depth + 1)
                hnb = self.fresh("_i")
                pb = P("by_contra", hnb, b, iff(
                    P("imp_intro", h1, a, P("false_elim", P("not_elim", P("hyp", hn), P("hyp", h1)), b)),
                    P("imp_intro", h2, b, P("false_elim", P("not_elim", P("hyp", hnb), P("hyp", h2)), a))))
                p_no = self._refute(rest + [(mk("not", a), P("hyp", hn)), (b, pb)], depth + 1)
                return P("imp_elim", P("imp_intro", hn, mk("not", a), p_no), P("not_intro", ha, a, p_yes))
            if f.op == "iff":
                a, b = f.args
                ha, hn = self.fresh("_i"), self.fresh("_i")
                p_yes = self._refute(rest + [(a, P("hyp", ha)), (b, P("imp_elim", P("iff_left", p), P("hyp", ha)))],
                                     depth + 1)
                hb = self.fresh("_i")
                nb = (mk("not", b), P("not_intro", hb, b, P("not_elim", P("hyp", hn),
                                                             P("imp_elim", P("iff_right", p), P("hyp", hb)))))
                p_no = self._refute(rest + [(mk("not", a), P("hyp", hn)), nb], depth + 1)
                return P("imp_elim", P("imp_intro", hn, mk("not", a), p_no), P("not_intro", ha, a, p_yes))
        if not self.instantiated:
            inst = self._instances(facts)
            if inst:
                self.instantiated = True
                try:
                    return self._refute(facts + inst, depth + 1)
                finally:
                    self.instantiated = False
        raise TableauFailed("no contradiction found")

    def _instances(self, facts: list) -> list:
        """One round of instances of the universal facts at nearby ground terms (x, x + 1, x - 1, 0, 1)."""
        from kernel import Int
        foralls = [(f, p) for f, p in facts if f.op == "forall"]
        if not foralls:
            return []
        ground: list = [Int(0), Int(1)]
        from kernel.expr import postorder
        for f, _ in facts:
            for v in sorted(free_vars(f)):
                x = Var(v)
                for t in (x, mk("add", x, Int(1)), mk("sub", x, Int(1)), mk("add", x, Int(2)), mk("sub", x, Int(2))):
                    if t not in ground:
                        ground.append(t)
            for n in postorder(f):
                if n.op == "app" and n.lbr == 0 and n not in ground:
                    ground.append(n)
        out = []
        for f, p in foralls:
            # the terms that make an atom of the body one of the facts' atoms first (triggers), then
            # the nearby ground terms
            matched = _trigger_terms(f.args[0], facts)
            terms = matched + [t for t in ground if t not in matched]
            for t in terms[:MAX_INSTANCES]:
                out.append((instantiate(f.args[0], t), P("forall_elim", p, t)))
        return out

    def _saturate(self, facts: list):
        """Decompose facts that need no branching; return (proof,) if a branch closes."""
        out: list = []
        seen: dict = {}
        todo = list(facts)
        while todo:
            f, p = todo.pop(0)
            if f in seen:
                continue
            if f.op == "false":
                return (p,)
            if f.op == "not" and f.args[0] in seen:
                return (P("not_elim", p, seen[f.args[0]]),)
            if mk("not", f) in seen:
                return (P("not_elim", seen[mk("not", f)], p),)
            if f.op == "not" and f.args[0].op == "eq" and f.args[0].args[0] == f.args[0].args[1]:
                return (P("not_elim", p, P("refl", f.args[0].args[0])),)
            if not f.fv and _evaluates_false(f):
                return (P("not_elim", P("eval", mk("not", f)), p),)
            seen[f] = p
            if f.op == "and":
                todo.append((f.args[0], P("and_left", p)))
                todo.append((f.args[1], P("and_right", p)))
                continue
            if f.op == "not":
                g = f.args[0]
                if g.op == "not":
                    h = self.fresh("_n")
                    todo.append((g.args[0], P("by_contra", h, g.args[0], P("not_elim", p, P("hyp", h)))))
                    continue
                if g.op == "or":
                    a, b = g.args
                    h = self.fresh("_n")
                    todo.append((mk("not", a), P("not_intro", h, a, P("not_elim", p, P("or_left", P("hyp", h), b)))))
                    todo.append((mk("not", b), P("not_intro", h, b, P("not_elim", p, P("or_right", a, P("hyp", h))))))
                    continue
                if g.op == "imp":
                    a, b = g.args
                    h, h2 = self.fresh("_n"), self.fresh("_n")
                    pa = P("by_contra", h, a, P("not_elim", p, P("imp_intro", h2, a,
                                                                 P("false_elim", P("not_elim", P("hyp", h),
                                                                                   P("hyp", h2)), b))))
                    pnb = P("not_intro", h, b, P("not_elim", p, P("imp_intro", h2, a, P("hyp", h))))
                    todo.append((a, pa))
                    todo.append((mk("not", b), pnb))
                    continue
                if g.op == "true":
                    return (P("not_elim", p, P("true_intro")),)
                if g.op == "iff":
                    out.append((f, p))          # branched on below
                    continue
                if g.op == "exists":
                    # not exists x, A  gives  forall x, not A
                    x = self.fresh(g.data or "x")
                    h = self.fresh("_n")
                    body = instantiate(g.args[0], Var(x))
                    pf = P("forall_intro", x, P("not_intro", h, body, P("not_elim", p, P("exists_intro", g, Var(x),
                                                                                         P("hyp", h)))))
                    from kernel import Forall
                    todo.append((Forall(x, mk("not", body)), pf))
                    continue
            out.append((f, p))
        return out


def _binder_free_atoms(f: Expr) -> list:
    """The comparison atoms of f reached through connectives only (not under a binder)."""
    out, stack = [], [f]
    while stack:
        g = stack.pop()
        if g.op in ("and", "or", "imp", "iff", "not"):
            stack.extend(g.args)
        elif g.op in ("eq", "lt", "le", "pred"):
            out.append(g)
    return out


def _match(pat: Expr, t: Expr, hole: list) -> bool:
    """Whether t is pat with bvar 0 replaced by one closed term (recorded in hole[0])."""
    stack = [(pat, t)]
    while stack:
        a, b = stack.pop()
        if a.op == "bvar":
            if a.data != 0 or b.lbr:
                return False
            if hole[0] is None:
                hole[0] = b
            elif hole[0] != b:
                return False
            continue
        if a.lbr == 0:
            if a != b:
                return False
            continue
        if a.op != b.op or a.data != b.data or len(a.args) != len(b.args):
            return False
        stack.extend(zip(a.args, b.args))
    return True


def _trigger_terms(body: Expr, facts: list) -> list:
    """Closed terms t such that some atom of body (with the bound variable) becomes, at t, an atom of
    the facts: the instances most likely to close a branch."""
    pats = [a for a in _binder_free_atoms(body) if a.lbr == 1]
    if not pats:
        return []
    out: list = []
    for f, _ in facts:
        for atom in _binder_free_atoms(f):
            if atom.lbr:
                continue
            for pat in pats:
                if pat.op != atom.op:
                    continue
                hole = [None]
                if _match(pat, atom, hole) and hole[0] is not None and hole[0] not in out:
                    out.append(hole[0])
    return out


def _not_and_right(p, ha: str, b, tab: Tableau):
    """From p : not (A and B) and ha : A, a proof of not B."""
    hb = tab.fresh("_n")
    return P("not_intro", hb, b, P("not_elim", p, P("and_intro", P("hyp", ha), P("hyp", hb))))


def _not_forall_to_exists(p, fa: Expr, ex: Expr, tab: Tableau):
    """From p : not (forall x, A), a proof of exists x, not A."""
    h, h2 = tab.fresh("_n"), tab.fresh("_n")
    x = tab.fresh(fa.data or "x")
    body = instantiate(fa.args[0], Var(x))
    inner = P("by_contra", h2, body, P("not_elim", P("hyp", h), P("exists_intro", ex, Var(x), P("hyp", h2))))
    return P("by_contra", h, ex, P("not_elim", p, P("forall_intro", x, inner)))


def _evaluates_false(f: Expr) -> bool:
    from kernel import KernelError
    from kernel.arith import evaluate
    from kernel.expr import postorder
    if any(n.op in ("app", "pred", "forall", "exists", "var", "bvar") or n.sort == "stmt"
           or n.op in ("hoare", "total", "diverges", "can_diverge") for n in postorder(f)):
        return False
    try:
        return evaluate(f, "eval") is False
    except KernelError:
        return False


def _propagate_constants(facts: list) -> list:
    """Facts x = 5 (a variable equal to a literal) rewrite x to 5 in the other facts (kernel `replace`)."""
    from .engine import replace_all
    pins = [(f, p) for f, p in facts if f.op == "eq" and f.args[0].op == "var" and f.args[1].op == "int"]
    pins += [(mk("eq", f.args[1], f.args[0]), P("subst", p, "_z", mk("eq", Var("_z"), f.args[0]),
                                                P("refl", f.args[0])))
             for f, p in facts if f.op == "eq" and f.args[1].op == "var" and f.args[0].op == "int"]
    if not pins:
        return facts
    out = []
    for f, p in facts:
        for eq, pe in pins:
            if f is eq or f == eq or eq.args[0].data not in f.fv:
                continue
            g = replace_all(f, eq.args[0], eq.args[1])
            f, p = g, P("replace", pe, p, g)
        out.append((f, p))
    return out + pins
