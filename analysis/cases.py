"""Ranking functions by cases, for loops no single linear (or lexicographic) function ranks.

* *Cases on a condition the loop never changes* (``split_ranking``): the sign of a step it adds, the
  branch of an ``if`` it always takes; each case gets its own invariant and ranking function, joined
  by ``ite``.
* *Phased* (``phased_ranking``): a lexicographic function whose levels may be phases
  (analysis/ranking.py).
* *Pieces* (``piecewise_ranking``): a linear function per cell of a few predicates about where the
  loop goes next (analysis/piecewise.py), for loops whose values flip sign.
* *Phases* (``phase_ranking``): a condition the loop may leave but never re-enters (or re-enters only
  when a never-rising term falls); the tuple ``(r0, ite(p, 1, 0), ite(p, r1, r2))``.

All only propose: ``is_ranking`` checks each proposal with z3, and the kernel checks the proof.
``finder`` is the ``SpecFinder`` of the program (its z3, its candidate atoms, the loops' entry states
and its ranking search).
"""

from __future__ import annotations

from kernel import Expr, Int, Var, free_vars, mk
from kernel.expr import postorder

from programs.lang import conj, program_vars, seq
from programs.vcgen import assigned

from .termination import (atoms, free_vars_stmt, is_ranking, negate, preorder_stmts, ranking_candidates,
                          synthesized, unused_name, wp_partial)

MAX_SPLITS = 6      # conditions tried per loop
MAX_ENUMERATED = 12  # enumerated candidates tried for the term that falls when a phase is re-entered


def never_rising(finder, w: Expr, inv: Expr, guard: Expr, steps: Expr, specs: dict):
    """A term that falls (from >= 0) on the given steps of w and that no step of w raises, or None."""
    b, body = w.args
    taken = free_vars(inv) | program_vars(w)
    z = Var(unused_name("_rank", taken))
    for v in synthesized(guard, steps, inv, specs) + ranking_candidates(w)[:MAX_ENUMERATED]:
        if isinstance(v, tuple) or not is_ranking(v, mk("and", inv, guard), steps, specs, finder.z3v):
            continue
        keep, _ = wp_partial(body, mk("le", v, z), specs)
        if keep is not None and finder.z3v.valid(mk("imp", mk("and", mk("and", inv, b), mk("eq", v, z)), keep)):
            return v
    return None


def phase_ranking(finder, w: Expr, specs: dict):
    """Two phases by a condition p the loop may make false but never true again (tmp > id until
    tmp wraps to 0; x odd until the first step): a ranking function r1 of the iterations that
    start and end in p, r2 of those that start outside p; the loop then ranks lexicographically
    by (ite(p, 1, 0), ite(p, r1, r2)), the first component falling when p is left. A loop that
    re-enters p only on steps where a ranking function r0 falls (and that no step raises) ranks by
    (r0, ite(p, 1, 0), ite(p, r1, r2)). (variant, no snapshot facts), or None."""
    b, body = w.args
    inv = specs[w].invariant
    changed = assigned(w)
    if any(n.op == "while" for n in postorder(body)):
        return None
    fresh = {n.data for n in postorder(body) if n.op == "havoc"}      # a choice made in the step
    splits: list = []
    for n in [w] + [n for n in preorder_stmts(body) if n.op == "if"]:
        for a in atoms(n.args[0]):
            if not (free_vars(a) & changed) or free_vars(a) & fresh:
                continue
            more = [a, negate(a)]
            if a.op == "eq":             # x != y: x < y, or y < x
                more += [mk("lt", a.args[0], a.args[1]), mk("lt", a.args[1], a.args[0])]
            splits += [x for x in more if x not in splits]
    for p in splits[:2 * MAX_SPLITS]:
        q = negate(p)
        stay, _ = wp_partial(body, q, specs)
        if stay is None:
            continue
        back: tuple = ()
        if not finder.z3v.valid(mk("imp", mk("and", mk("and", inv, b), q), stay)):
            # p is re-entered: only on steps where something else falls (x-- when b = 0 again)
            r0 = never_rising(finder, w, inv, mk("and", b, q), seq([body, Expr("assume", (p,))]), specs)
            if r0 is None:
                continue
            back = (r0,)
        first = finder.ranking(Expr("while", (mk("and", b, p), seq([body, Expr("assume", (p,))]))),
                               mk("and", inv, p), specs, lex=True, enumerated=False)
        if first is None:
            continue
        second = finder.ranking(Expr("while", (mk("and", b, q), seq([body, Expr("assume", (q,))]))),
                                mk("and", inv, q), specs, lex=True, enumerated=False)
        if second is None:
            continue
        t1, t2 = (list(r) if isinstance(r, tuple) else [r] for r in (first[0], second[0]))
        k = max(len(t1), len(t2))
        t1 += [Int(0)] * (k - len(t1))
        t2 += [Int(0)] * (k - len(t2))
        v = back + (Expr("ite", (p, Int(1), Int(0))),) + tuple(Expr("ite", (p, x, y)) for x, y in zip(t1, t2))
        if is_ranking(v, mk("and", inv, b), body, specs, finder.z3v):
            return v, None
    return None


def split_ranking(finder, w: Expr, specs: dict):
    """A ranking function by cases on a condition a the loop never changes (the sign of a step
    it adds, which branch of an `if` it always takes): the invariant and a ranking function r1
    when a holds, r2 when it does not; the loop then ranks by ite(a, r1, r2) (componentwise, for
    lexicographic ones) with the invariant (a -> I1) and (not a -> I2), where I1, I2 are what the
    loop's entry states say about the unchanged variables in each case (t = 1 when b >= 1).
    (variant, snapshot facts, invariant), or None."""
    b, body = w.args
    inv = specs[w].invariant
    pre = finder.entry.get(w)
    read = free_vars_stmt(w) - assigned(w)
    if pre is None or not read or any(n.op == "while" for n in postorder(body)):
        return None
    splits: list = []
    for n in postorder(body):
        if n.op in ("if", "assume"):
            splits += [a for a in atoms(n.args[0]) if free_vars(a) and free_vars(a) <= read and a not in splits]
    signs = [mk("lt", Int(0), Var(x)) for x in sorted(read)]
    splits += [a for a in signs if a not in splits]
    facts = [a for a in finder.cands if free_vars(a) and free_vars(a) <= read]
    facts += [a for x in sorted(read) for a in (mk("lt", Var(x), Int(0)), mk("not", mk("eq", Var(x), Int(0))))]
    for a in splits[:MAX_SPLITS]:
        cases = []
        for c in (a, negate(a)):
            fs = [c] + [f for f in finder.z3v.valid_each(mk("and", pre, c), facts) if f != c]
            inv_c = mk("and", inv, conj(fs))
            if finder.z3v.valid(mk("not", mk("and", mk("and", pre, c), b))):
                if finder.z3v.valid(mk("not", mk("and", inv_c, b))):
                    cases.append((conj(fs), Int(0)))       # the loop never runs in this case
                    continue
            found = finder.ranking(w, inv_c, specs)
            if found is None:
                break
            cases.append((conj(fs), found[0]))
        else:
            (f1, r1), (f2, r2) = cases
            t1 = list(r1) if isinstance(r1, tuple) else [r1]
            t2 = list(r2) if isinstance(r2, tuple) else [r2]
            k = max(len(t1), len(t2))
            t1 += [Int(0)] * (k - len(t1))
            t2 += [Int(0)] * (k - len(t2))
            v = [Expr("ite", (a, x, y)) for x, y in zip(t1, t2)]
            new_inv = mk("and", inv, mk("and", mk("imp", a, f1), mk("imp", negate(a), f2)))
            if t1 == t2:                    # one function ranks both cases
                v = t1
            v = v[0] if k == 1 else tuple(v)
            if is_ranking(v, mk("and", new_inv, b), body, specs, finder.z3v):
                return v, None, new_inv
    return None


def phased_ranking(finder, w: Expr, specs: dict):
    """A lexicographic ranking function with phases (``synthesize_phases``), checked by z3: (variant,
    no snapshot facts), or None."""
    from .ranking import phases_as_lex, synthesize_phases
    b, body = w.args
    inv = specs[w].invariant
    for comps in synthesize_phases(b, body, inv, specs):
        v = tuple(phases_as_lex(comps))
        if is_ranking(v, mk("and", inv, b), body, specs, finder.z3v):
            return v, None
    return None


def piecewise_ranking(finder, w: Expr, specs: dict):
    """A piecewise linear ranking function (``synthesize_piecewise``), checked by z3: (variant, no
    snapshot facts), or None."""
    from .piecewise import synthesize_piecewise
    b, body = w.args
    inv = specs[w].invariant
    for v in synthesize_piecewise(b, body, inv, specs, timeout_ms=8000):     # bounded by MAX_TEMPLATES
        if is_ranking(v, mk("and", inv, b), body, specs, finder.z3v):
            return v, None
    return None
