"""Arithmetic tactics on goals: linarith (with case splits), norm_num, calc.

``linarith`` refutes the negated goal together with the comparisons among the
hypotheses. Before the linear search it splits cases the way omega-style
procedures do: a disequality ``a != b`` into ``a < b`` or ``b < a``; ``abs``,
``min``, ``max`` and ``if`` atoms into their two branches (by the kernel's
defining axioms); and it adds the range facts of ``% k`` and ``/ k`` for
literal ``k``. Each branch ends in a kernel ``linarith`` certificate.
"""

from __future__ import annotations

from kernel import Expr, Int, KernelError, P, Proof, mk, show
from kernel.expr import postorder

from .linarith import LinarithFailed, prove_false
from .state import Goal

MAX_SPLITS = 6
COMPARISONS = ("eq", "le", "lt")


def is_comparison(f: Expr) -> bool:
    return f.op in COMPARISONS or (f.op == "not" and f.args[0].op in ("le", "lt", "eq"))


def hyp_facts(goal: Goal) -> list[tuple[Expr, Proof]]:
    """Comparisons among the hypotheses, looking inside conjunctions."""
    out = []
    stack = [(f, P("hyp", h)) for h, f in goal.hyps]
    while stack:
        f, p = stack.pop()
        if f.op == "and":
            stack.append((f.args[0], P("and_left", p)))
            stack.append((f.args[1], P("and_right", p)))
        elif f.op == "iff" and f.args[0].op in COMPARISONS and f.args[1].op in COMPARISONS:
            continue
        elif is_comparison(f):
            out.append((f, p))
    return out


class AtomNames:
    def __init__(self, goal: Goal):
        self.used = goal.names()
        self.i = 0

    def __call__(self) -> str:
        while True:
            self.i += 1
            n = f"_la{self.i}"
            if n not in self.used:
                return n


def refute(facts: list, names: AtomNames, depth: int = 0) -> Proof:
    """A proof of false from the facts, splitting cases where that helps.

    ``names`` supplies fresh hypothesis names; a supply with a ``leaf`` method
    (nlinarith's) replaces linear arithmetic at the leaves of the case splits. It is
    told whether a case split may still follow (so it can leave a disequality to it).
    """
    leaf = getattr(names, "leaf", None)
    facts = irrelevant_dropped(facts)
    try:
        return leaf(facts, depth < MAX_SPLITS) if leaf is not None else prove_false(facts)
    except LinarithFailed as exc:
        if depth >= MAX_SPLITS:
            raise
        why = exc
    split = _find_split(facts)
    if split is None and getattr(names, "bb", False):
        split = _branch_split(facts)
    if split is None:
        if leaf is not None:
            raise why
        raise LinarithFailed("linarith failed: no contradiction found among the linear facts")
    return split(facts, names, depth)


def irrelevant_dropped(facts: list) -> list:
    """The facts without the disequalities that cannot take part in a refutation: one with a
    variable x (linear in it) that no other comparison but a disequality mentions. Finitely many
    such disequalities never exclude all integer values of their free variables (a finite union of
    proper hyperplanes does not cover Z^k), so dropping them loses no contradiction, and splitting
    on them (15 independent ``p != 0`` of an if-converted loop) would only multiply the work."""
    from kernel.arith import normalize
    diseqs = [i for i, (f, _) in enumerate(facts) if f.op == "not" and f.args[0].op == "eq"]
    if not diseqs:
        return facts
    bound: set = set()
    for i, (f, _) in enumerate(facts):
        if i not in diseqs:
            bound |= f.fv
    drop = set()
    for i in diseqs:
        f = facts[i][0]
        free = f.fv - bound
        if not free:
            continue
        a, b = f.args[0].args
        atoms: dict = {}
        try:
            poly = dict(normalize(mk("sub", a, b), atoms, "linarith"))
        except KernelError:
            continue
        rev = {j: t for t, j in atoms.items()}
        for mono, c in poly.items():
            if c and len(mono) == 1 and rev[mono[0]].op == "var" and rev[mono[0]].data in free:
                x = rev[mono[0]].data
                if sum(1 for m in poly for j in m if x in rev[j].fv) == 1:
                    drop.add(i)
                    break
    return [x for i, x in enumerate(facts) if i not in drop] if drop else facts


def _branch_split(facts):
    """Branch and bound (``branch.py``): t <= k or t >= k + 1 where the rationals put t between."""
    from .branch import split_point
    got = split_point([(f, p) for f, p in facts if is_comparison(f)])
    if got is None:
        return None
    t, k = got
    return _cond_split(mk("le", t, Int(k)), lambda pc: [])


def _closes_both(facts, f, a, b) -> bool:
    """Whether splitting a != b closes both branches by linear arithmetic alone."""
    rest = [x for x in facts if x[0] != f]
    for lt in (mk("lt", a, b), mk("lt", b, a)):
        try:
            prove_false(rest + [(lt, P("hyp", "_probe"))])
        except LinarithFailed:
            return False
    return True


def _find_split(facts):
    known = {f: p for f, p in facts}
    diseqs = [(f, p) for f, p in facts if f.op == "not" and f.args[0].op == "eq"]
    if len(diseqs) > 1:
        # prefer a disequality whose two cases close at once
        best = [(f, p) for f, p in diseqs if _closes_both(facts, f, *f.args[0].args)]
        diseqs = best[:1] + [d for d in diseqs if d not in best[:1]]
    # a disequality a != b
    for f, p in diseqs:
        if f.op == "not" and f.args[0].op == "eq":
            a, b = f.args[0].args
            lt1, lt2 = mk("lt", a, b), mk("lt", b, a)
            if lt1 in known or lt2 in known:
                continue

            def split(facts, names, depth, a=a, b=b, p=p, f=f):
                rest = [x for x in facts if x[0] != f]
                h1, h2, h3, h4 = names(), names(), names(), names()
                case1 = refute(rest + [(mk("lt", a, b), P("hyp", h1))], names, depth + 1)
                case3 = refute(rest + [(mk("lt", b, a), P("hyp", h4))], names, depth + 1)
                case2 = P("not_elim", p, P("hyp", h3))
                inner = P("or_elim", P("hyp", h2), h3, case2, h4, case3)
                return P("or_elim", P("trichotomy", a, b), h1, case1, h2, inner)
            return split
    # abs / min / max / if atoms and division by literals
    seen = set()
    for f, _ in facts:
        for n in postorder(f):
            if n in seen:
                continue
            seen.add(n)
            s = _atom_split(n, known)
            if s is not None:
                return s
    return None


def _atom_split(n: Expr, known):
    if n.op in ("abs", "min", "max"):
        name = n.op + "_def"
        eq = mk("eq", n, def_rhs(n))
        if eq in known:
            return None
        ite = eq.args[1]
        return _ite_split(ite, extra=[(eq, P("arith", name, n.args))])
    if n.op == "ite":
        c, a, b = n.args
        if mk("eq", n, a) in known or mk("eq", n, b) in known:
            return None
        return _ite_split(n, extra=[])
    if n.op in ("div", "mod") and n.args[1].op != "int":
        t, b = n.args
        dm = mk("eq", t, mk("add", mk("mul", b, mk("div", t, b)), mk("mod", t, b)))
        if dm not in known:         # a = b * (a / b) + a % b holds for every b, zero included
            return lambda facts, names, depth, dm=dm, t=t, b=b: refute(
                facts + [(dm, P("arith", "div_mod", (t, b)))], names, depth + 1)
        n = mk("mod", t, b)
        for c, ax, rng in ((mk("lt", Int(0), b), "mod_pos", lambda m: (mk("le", Int(0), m), mk("lt", m, b))),
                           (mk("lt", b, Int(0)), "mod_neg", lambda m: (mk("lt", b, m), mk("le", m, Int(0))))):
            lo, hi = rng(n)
            if mk("not", c) in known or (lo in known and hi in known):
                continue

            def facts_yes(pc, t=t, b=b, ax=ax, lo=lo, hi=hi):
                rp = P("imp_elim", P("arith", ax, (t, b)), pc)
                return [(lo, P("and_left", rp)), (hi, P("and_right", rp))]
            if c in known:
                return lambda facts, names, depth, pc=known[c], fy=facts_yes: refute(
                    facts + fy(pc), names, depth + 1)
            return _cond_split(c, facts_yes)
        return None
    if n.op in ("div", "mod") and n.args[1].op == "int" and n.args[1].data == 0:
        fact = (mk("eq", n, Int(0) if n.op == "div" else n.args[0]),
                P("arith", "div_zero" if n.op == "div" else "mod_zero", (n.args[0],)))
        if fact[0] in known:
            return None
        return lambda facts, names, depth: refute(facts + [fact], names, depth + 1)
    if n.op in ("div", "mod") and n.args[1].op == "int" and n.args[1].data != 0:
        t, k = n.args
        dm = mk("eq", t, mk("add", mk("mul", k, mk("div", t, k)), mk("mod", t, k)))
        if dm in known:
            return None
        m = mk("mod", t, k)
        if k.data > 0:
            rng = mk("and", mk("le", Int(0), m), mk("lt", m, k))
            rp = P("imp_elim", P("arith", "mod_pos", (t, k)), P("eval", mk("lt", Int(0), k)))
        else:
            rng = mk("and", mk("lt", k, m), mk("le", m, Int(0)))
            rp = P("imp_elim", P("arith", "mod_neg", (t, k)), P("eval", mk("lt", k, Int(0))))

        def add(facts, names, depth):
            more = [(dm, P("arith", "div_mod", (t, k))), (rng.args[0], P("and_left", rp)),
                    (rng.args[1], P("and_right", rp))]
            return refute(facts + more, names, depth + 1)
        return add
    return None


def def_rhs(n: Expr) -> Expr:
    """The defining ``if`` of ``max``, ``min`` or ``abs`` (the right side of the kernel's max_def etc.)."""
    if n.op == "abs":
        a = n.args[0]
        return Expr("ite", (mk("le", Int(0), a), a, mk("neg", a)))
    a, b = n.args
    if n.op == "min":
        return Expr("ite", (mk("le", a, b), a, b))
    return Expr("ite", (mk("le", a, b), b, a))


def _cond_split(c: Expr, facts_yes):
    """Split on comparison c; in the c branch add facts_yes(hypothesis name)."""
    def split(facts, names, depth):
        hc, hn = names(), names()
        p_yes = refute(facts + [(c, P("hyp", hc))] + facts_yes(P("hyp", hc)), names, depth + 1)
        p_no = refute(facts + [(mk("not", c), P("hyp", hn))], names, depth + 1)
        return P("imp_elim", P("imp_intro", hn, mk("not", c), p_no), P("not_intro", hc, c, p_yes))
    return split


def _ite_split(ite: Expr, extra: list):
    c, a, b = ite.args

    def split(facts, names, depth):
        hc, hn = names(), names()
        yes = facts + extra + [(mk("eq", ite, a), P("imp_elim", P("ite_true", c, a, b), P("hyp", hc)))]
        no = facts + extra + [(mk("eq", ite, b), P("imp_elim", P("ite_false", c, a, b), P("hyp", hn)))]
        if is_comparison(c):
            yes.append((c, P("hyp", hc)))
        if is_comparison(mk("not", c)) or c.op in ("le", "lt"):
            no.append((mk("not", c), P("hyp", hn)))
        elif c.op == "not" and is_comparison(c.args[0]):
            hx = names()      # not (not X) gives X
            no.append((c.args[0], P("by_contra", hx, c.args[0], P("not_elim", P("hyp", hn), P("hyp", hx)))))
        p_yes = refute(yes, names, depth + 1)
        p_no = refute(no, names, depth + 1)
        # not c follows from the first branch; the second branch then proves false
        return P("imp_elim", P("imp_intro", hn, mk("not", c), p_no), P("not_intro", hc, c, p_yes))
    return split


def linarith_goal(eng, goal: Goal, tac, extra=()) -> Proof:
    facts = hyp_facts(goal) + [(f, p) for p, f in extra if is_comparison(f)]
    names = AtomNames(goal)
    t = goal.target
    try:
        return prove_from_facts(t, facts, names)
    except LinarithFailed as exc:
        eng.fail(tac, goal, str(exc))
    except KernelError as exc:
        eng.fail(tac, goal, f"linarith: {exc}")


def prove_from_facts(t: Expr, facts, names) -> Proof:
    if t.op == "false":
        return refute(facts, names)
    if t.op == "true":
        return P("true_intro")
    if t.op == "and":
        return P("and_intro", prove_from_facts(t.args[0], facts, names), prove_from_facts(t.args[1], facts, names))
    if t.op in ("le", "lt"):
        h = names()
        return P("by_contra", h, t, refute(facts + [(mk("not", t), P("hyp", h))], names))
    if t.op == "not" and t.args[0].op in COMPARISONS:
        h = names()
        return P("not_intro", h, t.args[0], refute(facts + [(t.args[0], P("hyp", h))], names))
    if t.op == "eq":
        a, b = t.args
        h1, h2, h3, h4 = names(), names(), names(), names()
        c1 = P("false_elim", refute(facts + [(mk("lt", a, b), P("hyp", h1))], names), t)
        c3 = P("false_elim", refute(facts + [(mk("lt", b, a), P("hyp", h4))], names), t)
        return P("or_elim", P("trichotomy", a, b), h1, c1, h2, P("or_elim", P("hyp", h2), h3, P("hyp", h3), h4, c3))
    raise LinarithFailed(f"linarith proves comparisons (=, <, <=, !=) and false, not {show(t)}")


def norm_num(eng, goal: Goal, tac):
    t = goal.target
    if all(n.op not in ("var", "app", "pred", "forall", "exists") for n in postorder(t)):
        from kernel.arith import evaluate
        try:
            v = evaluate(t, "norm_num")
        except KernelError as exc:
            eng.fail(tac, goal, f"norm_num: {exc.message}")
        if v is not True:
            eng.fail(tac, goal, f"norm_num: {show(t)} is false")
        return [], P("eval", t)
    from .simp import simp
    return simp(eng, goal, tac, arith_only=True)


def calc(eng, goal: Goal, tac):
    from .state import ProofState, assemble
    from .syntax import QuodError
    steps = []
    ends = []
    prev = None
    for rel_se, block in tac.args:
        rel = eng.elab(goal, rel_se, hole_term=prev)
        if rel.op not in ("eq", "le", "lt"):
            raise QuodError(rel_se.pos, "a calc step is a relation =, <=, <, >= or >")
        # as written: `a >= b` is `b <= a` in the kernel, but the chain reads it left to right
        left, right = (rel.args[1], rel.args[0]) if rel_se.kind in ("ge", "gt") else rel.args
        if prev is not None and left != prev:
            raise QuodError(rel_se.pos, f"this step starts at {show(left)}, not at {show(prev)}")
        sub = Goal(goal.hyps, rel, goal.vars)
        st = eng.run_block(ProofState((sub,), {}, sub.id), block)
        if st.goals:
            from .engine import TacticError
            from .state import show_goal
            raise TacticError(block.pos, "this calc step is not proved:\n" + show_goal(st.goals[0]))
        steps.append((assemble(st), rel))
        ends.append((left, right))
        prev = right
    first, last = ends[0][0], ends[-1][1]
    if all(r.op == "eq" for _, r in steps):
        p, f = steps[0]
        for q, r in steps[1:]:
            p = P("subst", q, "_z", mk("eq", first, Expr("var", (), "_z")), p)
            f = mk("eq", first, r.args[1])
        if f == goal.target:
            return [], p
        if goal.target == mk("eq", last, first):
            from .engine import eq_symm
            return [], eq_symm(p, first, last)
    names = AtomNames(goal)
    try:
        return [], prove_from_facts(goal.target, [(r, p) for p, r in steps] + hyp_facts(goal), names)
    except LinarithFailed:
        eng.fail(tac, goal, f"the calc chain from {show(first)} to {show(last)} does not prove the goal")
