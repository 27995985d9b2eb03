"""Piecewise linear ranking functions over predicates fixed beforehand: loops whose values flip sign.

``while (x > 0) x = -2*x + 10`` has no linear ranking function, not even over two iterations: x
goes 3, 4, 2, 6, -2. What orders its states is where the loop goes next: x >= 5 leaves at once,
x in [3, 4] runs twice more, x in [1, 2] once. This is the piecewise template of Leike and
Heizmann ("Ranking templates for linear loops", TACAS 2014), with the case predicates chosen
before the search, which keeps it one LP (Farkas' lemma, as for the linear functions):

    r = ite(p1, ite(p2, f11, f10), ite(p2, f01, f00))

with a linear f_s for each cell s (a truth assignment of the predicates). For every path of one
iteration, source cell s and target cell t: s at the pre-state and t at the post-state imply
f_t(x') <= f_s(x) - 1; s and the guard imply f_s(x) >= 0.

The predicates are where the loop goes next: the guard's atoms after one and after two iterations,
on each path (x <= 4 and x >= 3 above: "it runs again", "and once more"), and the signs of the
variables the loop changes; subsets of at most ``MAX_PREDICATES`` of those that split the states
the loop runs from are tried, smallest first. Only a proposal: the caller checks the term with z3,
and the kernel its proof (``total_while_lex`` over a term with ``ite``).
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations
from math import gcd

from kernel import Expr, Int, mk
from kernel.expr import postorder

from .farkas import Farkas, Search
from .linear import CONST, Script, ceil_div, le0, lin_add, lin_const, lin_scale, to_term
from .paths import Exec, Path, Timeout, TooMany, feasible, loop_paths, path_variables
from .budget import clock

MAX_PREDICATES = 3      # predicates per template (2^3 cells)
MAX_TEMPLATES = 12      # predicate sets tried per loop (each a small LP)
MAX_TWO_STEP_PATHS = 16


def _key(lin: dict) -> tuple:
    return tuple(sorted(lin.items()))


def _at(pred: dict, p: Path) -> dict:
    """The predicate's linear expression at p's post-state."""
    out = lin_const(pred.get(CONST, 0))
    for v, a in pred.items():
        if v != CONST:
            out = lin_add(out, p.sigma.get(v, {v: 1}), a)
    return out


def _literal(lin: dict, positive: bool):
    """lin <= 0, or its negation lin >= 1, as a constraint (tightened for the integers)."""
    return le0(lin) if positive else le0(lin_add(lin_scale(lin, -1), lin_const(1)))


def _guard_atoms(ex: Exec, guard: Expr, p: Path) -> list:
    """The guard's comparisons at p's post-state as linear expressions lin (meaning lin <= 0) over the
    pre-state variables; those that read an unknown, or split the path, are left out."""
    out = []
    for n in postorder(guard):
        if n.op not in ("lt", "le"):
            continue
        xs = ex.term(n.args[0], p.copy())
        ys = ex.term(n.args[1], p.copy())
        if len(xs) != 1 or len(ys) != 1:
            continue
        d = lin_add(xs[0][0], ys[0][0], -1)
        if n.op == "lt":
            d = lin_add(d, lin_const(1))
        c = le0(d)
        if isinstance(c, tuple) and not any(v.startswith("#") for v in c[1]):
            out.append(c[1])
    return out


def _predicates(z3, ex: Exec, guard: Expr, body: Expr, paths: list, changed: list, ms) -> list:
    """Candidate predicates (linear expressions, lin <= 0), each splitting the states the loop runs
    from: the guard after one and two iterations, then the signs of the changed variables."""
    cands = [{v: s} for v in changed for s in (1, -1)]               # v <= 0, v >= 0
    cands += [{v: 1, u: -1} for v, u in combinations(changed, 2)]     # v <= u, and (negated) u < v
    for p in paths:             # the difference a path leaves between two variables (y = x + 1 after it)
        for v, u in combinations(changed, 2):
            d = lin_add(p.sigma.get(v, {v: 1}), p.sigma.get(u, {u: 1}), -1)
            if d and all(w == CONST for w in d):
                cands += [{v: 1, u: -1, CONST: -d[CONST]}, {v: -1, u: 1, CONST: d[CONST]}]
    cands += [a for p in paths for a in _guard_atoms(ex, guard, p)]
    twice = [q for p in paths for q in ex.assume(guard, p.copy(), True)]
    if len(twice) <= MAX_TWO_STEP_PATHS:
        try:
            for q in ex.run(body, twice)[:MAX_TWO_STEP_PATHS]:
                cands += _guard_atoms(ex, guard, q)
        except TooMany:
            pass
    out, seen = [], set()
    for a in cands:
        neg = _literal(a, False)
        if _key(a) in seen or not isinstance(neg, tuple) or _key(neg[1]) in seen:
            continue
        seen.add(_key(a))
        for p in paths:
            yes, no = p.copy(), p.copy()
            if yes.add(_literal(a, True)) and no.add(neg) and len(feasible(z3, [yes, no], ms())) == 2:
                out.append(a)
                break
    return out


def _feasible_pairs(z3, pairs: list, ms: int) -> list:
    """The (tag, path) pairs whose path is feasible."""
    live = {id(p) for p in feasible(z3, [p for _, p in pairs], ms)}
    return [(t, p) for t, p in pairs if id(p) in live]


def _lp(z3, ex: Exec, guard: Expr, paths: list, preds: list, names: list, deadline: float):
    """The piecewise LP for the predicates preds: {cell: (coefficients, constant)} with integer
    values, or None. A step that leaves the loop must fall like any other (a term wrapped in
    ite(guard, _, -1) would let it go free, but its proofs are much harder for the kernel's tableau)."""
    def ms():
        left = int((deadline - clock()) * 1000)
        if left <= 0:
            raise Timeout()
        return left
    cells = [tuple(bool(n >> i & 1) for i in range(len(preds))) for n in range(2 ** len(preds))]
    search = Search(z3, [], names, deadline)
    coeff = {s: {v: {f"c{j}!{v}": 1} for v in names} for j, s in enumerate(cells)}
    const = {s: f"c{j}!" for j, s in enumerate(cells)}
    sc = Script("Real")
    sc.declare(list(const.values()))
    n = 0
    used = set()          # the cells some state of a step is in
    for p in paths:
        srcs = []
        for s in cells:
            q = p.copy()
            if all(q.add(_literal(a, pos)) for a, pos in zip(preds, s)):
                srcs.append((s, q))
        for s, q in _feasible_pairs(z3, srcs, ms()):
            used.add(s)
            n += 1
            sc.add(Farkas(q, names, f"b{n}").bounded(sc, coeff[s], {const[s]: 1}))
            tgts = []
            for t in cells:
                r = q.copy()
                if all(r.add(_literal(_at(a, r), pos)) for a, pos in zip(preds, t)):
                    tgts.append((t, r))
            for t, r in _feasible_pairs(z3, tgts, ms()):
                used.add(t)
                n += 1
                h = {CONST: -1} if s == t else {const[s]: 1, const[t]: -1, CONST: -1}
                sc.add(Farkas(r, names, f"d{n}").step(sc, coeff[s], coeff[t], h))
    terms = []
    for j in range(len(cells)):
        for v in names:
            a, c = f"a{j}!{v}", f"c{j}!{v}"
            sc.declare([a, c])
            sc.add(f"(>= |{a}| |{c}|)")
            sc.add(f"(>= |{a}| (- |{c}|))")
            terms.append(f"|{a}|")
    m = search.solve(sc, ["(+ " + " ".join(terms) + " 0)"] if terms else [])
    if m is None:
        return None
    vals = {s: ({v: search.real(m, f"c{j}!{v}") for v in names}, search.real(m, const[s]))
            for j, s in enumerate(cells)}
    den = 1
    for cs, k in vals.values():
        for q in list(cs.values()) + [k]:
            den = den * q.denominator // gcd(den, q.denominator)
    out = {}
    for s, (cs, k) in vals.items():
        if s not in used:
            continue
        kk = Fraction(k) * den
        out[s] = ({v: int(q * den) for v, q in cs.items() if q}, ceil_div(kk.numerator, kk.denominator))
    return out


def _atom(lin: dict) -> Expr:
    """lin <= 0 as a readable atom: 2 * x <= 9, -49 <= x."""
    ints = {v: a for v, a in lin.items() if v != CONST}
    k = lin.get(CONST, 0)
    if sum(1 if a < 0 else -1 for a in ints.values()) > 0:
        return mk("le", Int(k), to_term({v: -a for v, a in ints.items()}, 0))
    return mk("le", to_term(ints, 0), Int(-k))


def _term(preds: list, pieces: dict, at: tuple = ()) -> Expr | None:
    """The nested ite over the predicates; None for a part no state reaches (any term will do)."""
    if len(at) == len(preds):
        return None if at not in pieces else to_term(*pieces[at])
    yes, no = _term(preds, pieces, at + (True,)), _term(preds, pieces, at + (False,))
    if yes is None or no is None or yes == no:
        return no if yes is None else yes
    return mk("ite", _atom(preds[len(at)]), yes, no)


def synthesize_piecewise(guard: Expr, body: Expr, invariant: Expr | None, specs: dict | None,
                         timeout_ms: int = 2000) -> list:
    """A piecewise linear ranking function for ``while (guard) body`` (see the module docstring), as
    a one-element list of kernel terms; the empty list when none is found."""
    import z3
    deadline = clock() + timeout_ms / 1000

    def ms():
        return max(1, int((deadline - clock()) * 1000))
    ex = Exec(specs or {}, deadline)
    try:
        paths = loop_paths(z3, ex, guard, body, invariant, deadline)
        if not paths:
            return []
        names = path_variables(paths)
        # the variables the step changes (to a value it computes, not a fresh one) and reads
        read = {u for p in paths for e in list(p.sigma.values()) + [c[1] for c in p.cons] for u in e}
        changed = sorted(v for p in paths for v, e in p.sigma.items()
                         if e != {v: 1} and v in read and not any(u.startswith("#") for u in e))
        changed = sorted(set(changed))
        preds = _predicates(z3, ex, guard, body, paths, changed, ms)
        tried = 0
        # the sets within the first m predicates before any set using the (m+1)-th: the first ones
        # (signs, where the loop goes next) are the likeliest
        for m in range(len(preds)):
            for sub in (c + (preds[m],) for k in range(MAX_PREDICATES) for c in combinations(preds[:m], k)):
                tried += 1
                if tried > MAX_TEMPLATES:
                    return []
                pieces = _lp(z3, ex, guard, paths, list(sub), names, deadline)
                if pieces is not None:
                    return [_term(list(sub), pieces) or Int(0)]
    except (TooMany, Timeout, z3.Z3Exception, RecursionError):
        pass
    return []
