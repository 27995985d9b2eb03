"""Library lemmas by matching: a goal that is an instance of a theorem in scope.

The relevance filter of a hammer, in its simplest sound form: the theorems in scope (the
prelude for ``quod prove``, everything imported in a file) are indexed by the head of their
conclusion; a goal ``hyps |- target`` is matched against each candidate's conclusion (its
universally quantified variables are the pattern's holes; a conjunction is matched conjunct by
conjunct, an equivalence in both directions), and the premises are discharged from the
hypotheses (matched, which fills holes the conclusion left open, as ``dvd_trans``'s middle
term) or, for comparisons, by linear arithmetic. The proof is ``thm`` with ``forall_elim`` and
``imp_elim``: the kernel checks the instance, and the lemma was checked when its file loaded.
"""

from __future__ import annotations

from kernel import Expr, P, Proof, Var, instantiate, mk

MAX_PREMISES = 6


def _head(f: Expr):
    return (f.op, f.data if f.op in ("pred", "app") else None)


_OPENED: dict = {}


def _open(stmt: Expr, tag: str):
    """The statement's leading foralls opened with hole variables; (holes, premises, conclusion).
    Remembered per statement (a pure function of it: every goal of a file matches the same
    library)."""
    key = (stmt, tag)
    got = _OPENED.get(key)
    if got is None:
        if len(_OPENED) > 10_000:
            _OPENED.clear()
        got = _OPENED[key] = _open1(stmt, tag)
    return got


def _open1(stmt: Expr, tag: str):
    holes = []
    f = stmt
    while f.op == "forall":
        h = f"?{tag}{len(holes)}"
        holes.append(h)
        f = instantiate(f.args[0], Var(h))
    prems = []
    while f.op == "imp" and len(prems) < MAX_PREMISES:
        prems.append(f.args[0])
        f = f.args[1]
    return holes, prems, f


def match(pat: Expr, t: Expr, holes: set, sub: dict) -> dict | None:
    """An extension of sub with pat[sub] == t, or None (first-order, holes are free variables)."""
    stack = [(pat, t)]
    sub = dict(sub)
    while stack:
        p, x = stack.pop()
        if p.op == "var" and p.data in holes:
            got = sub.get(p.data)
            if got is None:
                if x.lbr:               # a hole cannot stand for a term with bound variables
                    return None
                sub[p.data] = x
            elif got != x:
                return None
            continue
        if not (p.fv & holes):
            if p != x:
                return None
            continue
        if p.op != x.op or p.data != x.data or len(p.args) != len(x.args):
            return None
        stack.extend(zip(p.args, x.args))
    return sub


def _subst(f: Expr, sub: dict) -> Expr:
    from kernel import subst
    return subst(f, sub)


def _targets(concl: Expr, proof_of):
    """(formula, proof builder, extra premise, flipped) for the conclusion and its parts:
    conjuncts, the two directions of an equivalence, and equations read right to left (flipped:
    the builder proves the equation the other way round)."""
    yield concl, proof_of, None, False
    if concl.op == "eq":
        yield mk("eq", concl.args[1], concl.args[0]), proof_of, None, True
    if concl.op == "and":
        for i, part in enumerate(concl.args):
            side = "and_left" if i == 0 else "and_right"
            yield part, lambda p, side=side: P(side, proof_of(p)), None, False
            if part.op == "eq":
                yield mk("eq", part.args[1], part.args[0]), lambda p, side=side: P(side, proof_of(p)), None, True
    if concl.op == "iff":
        yield concl.args[1], lambda p, q=None: P("iff_left", proof_of(p)), concl.args[0], False
        yield concl.args[0], lambda p, q=None: P("iff_right", proof_of(p)), concl.args[1], False


def _symm(p, f: Expr):
    """From p : a = b (f), a proof of b = a."""
    a = f.args[0]
    return P("subst", p, "_z", mk("eq", Var("_z"), a), P("refl", a))


def flat_hyps(goal) -> list:
    out = []
    stack = [(f, P("hyp", h)) for h, f in goal.hyps]
    while stack:
        f, p = stack.pop()
        if f.op == "and":
            stack.append((f.args[0], P("and_left", p)))
            stack.append((f.args[1], P("and_right", p)))
        else:
            out.append((f, p))
    return out


def prove_by_lemma(env, goal, names) -> Proof | None:
    """A proof of the goal's target as an instance of a theorem in env, or None."""
    target = goal.target
    hyps = flat_hyps(goal)
    for name, thm in env.theorems().items():
        if thm.axioms:
            continue
        holes, prems, concl = _open(thm.statement, "h")
        if not holes and not prems and concl != target:
            continue
        hs = set(holes)
        for part, build, extra, flipped in _targets(concl, lambda p: p):
            if _head(part) != _head(target):
                continue
            sub = match(part, target, hs, {})
            if sub is None:
                continue
            want = prems + ([extra] if extra is not None else [])
            got = _discharge(want, hyps, hs, sub, names)
            if got is None:
                continue
            sub, proofs = got
            if any(h not in sub for h in holes):
                continue
            p = P("thm", name)
            for h in holes:
                p = P("forall_elim", p, sub[h])
            for pf in proofs[:len(prems)]:
                p = P("imp_elim", p, pf)
            p = build(p)
            if extra is not None:
                p = P("imp_elim", p, proofs[-1])
            if flipped:                     # p proves b = a for the target a = b
                p = _symm(p, mk("eq", target.args[1], target.args[0]))
            return p
    return None


def _discharge(prems: list, hyps: list, holes: set, sub: dict, names):
    """Proofs of the premises under sub (extended by matching hypotheses), or None."""
    if not prems:
        return sub, []
    first, rest = prems[0], prems[1:]
    for f, p in hyps:
        s = match(first, f, holes, sub)
        if s is not None:
            got = _discharge(rest, hyps, holes, s, names)
            if got is not None:
                return got[0], [p] + got[1]
    inst = _subst(first, sub)
    if inst.fv & holes:
        return None
    pf = _by_arith(inst, hyps, names)
    if pf is None:
        return None
    got = _discharge(rest, hyps, holes, sub, names)
    if got is None:
        return None
    return got[0], [pf] + got[1]


def _by_arith(f: Expr, hyps: list, names) -> Proof | None:
    from .arith_tactics import COMPARISONS, is_comparison, prove_from_facts
    from .linarith import LinarithFailed
    if not (f.op in COMPARISONS or (f.op == "not" and f.args[0].op in COMPARISONS)):
        return None
    try:
        return prove_from_facts(f, [(g, p) for g, p in hyps if is_comparison(g)], names)
    except (LinarithFailed, Exception):
        return None


__all__ = ["prove_by_lemma", "match"]
