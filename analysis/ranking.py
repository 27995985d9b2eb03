"""Ranking functions for one loop: linear (Farkas' lemma) and lexicographic.

``synthesize(guard, body, invariant, specs)`` proposes ranking functions for
``while (guard) body`` entered in states satisfying ``invariant``. The answer is
a list of candidates in preference order; a candidate is a list of integer terms:

* ``[r]``: a linear ranking function: ``invariant and guard`` implies ``r >= 0``,
  and every run of the body from such a state ends with ``r' < r``;
* ``[r1, ..., rn]``: a lexicographic one: for every run of the body there is an
  ``i`` with ``rj' <= rj`` for all ``j < i``, ``ri >= 0`` before the run and
  ``ri' < ri`` (only the component that decreases must be bounded below).

Candidates are only proposals (the caller checks them with z3 and the kernel),
but each one is checked here too, over integers, on the same abstraction of
the body that found it.

Method (Podelski and Rybalchenko, VMCAI 2004; the lexicographic extension in
the greedy style of Alias, Darte, Feautrier and Gonnord, SAS 2010, with the
weaker bounded-when-decreasing condition of Ben-Amram and Genaim, 2014):

1. *Paths.* The body is executed symbolically from ``invariant and guard`` into
   paths: each path is a conjunction of linear constraints over the pre-state
   variables and fresh unknowns, with every variable's post-state value a
   linear expression over those. Anything outside linear arithmetic is
   over-approximated, never guessed: a product of two non-constants, a
   function application, a division by a non-constant become fresh unknowns;
   ``t / c`` and ``t % c`` for a constant ``c`` become ``q`` and ``t - c*q``
   with ``q`` fresh and the floor-division facts (the logic's ``/`` and ``%``
   are floor division and its remainder, ``x / 0 = 0``, ``x % 0 = x``);
   ``t % b`` for a non-constant ``b`` gets its sign facts in three cases;
   ``ite``, ``abs``, ``min``, ``max`` and disjunctive conditions split the path.
   ``assert b`` is read as ``assume b``; an inner loop havocs the variables it
   modifies and assumes its invariant (``specs[loop].invariant``) and the
   negation of its guard. Constraints are tightened for integers (``x < y``
   becomes ``x - y + 1 <= 0``, coefficients are divided by their gcd and the
   constant rounded), and paths infeasible over the integers are dropped (z3).

2. *Farkas.* For a path ``A u <= b`` and unknown coefficients ``c``, ``c0`` of
   ``r(x) = c.x + c0``, "the path implies ``r >= 0``" and "the path implies
   ``r(x) - r(x') >= 1``" hold (over the rationals) iff there are multipliers
   ``l >= 0`` with ``l A = (target coefficients)`` and ``l b <= (target
   constant)``: linear constraints in ``c``, ``c0`` and ``l`` together. z3
   solves them as one LP over the reals; the rational solution is scaled to
   integers (and divided by the gcd of the coefficients, which is sound since
   every value involved is an integer).

3. *Preferences.* The LP minimises 1000 * c0 plus the sum of |c_v| (guard
   variables weigh 1, others 2), so ``n - i`` beats ``2147483646 - i`` and
   ``i - j`` beats ``n - j``; an optimal vertex such as ``(1 - e) x - e c`` is
   rounded to nearby small coefficients (``x``) when the LP confirms them.

4. *Lexicographic.* If the linear function needs a coefficient beyond
   ``COEFF_BOUND`` (``nest_lex.c``: ``2147483749 * x + y``, thanks only to
   ``y >= -2^31``) or does not exist: greedily, level by level, a linear
   function with coefficients within the bound that is non-increasing on every
   remaining path and, on as many paths as possible (z3 Optimize, soft
   constraints), bounded below and strictly decreasing; those paths are
   removed and the next level ranks the rest. The lexicographic candidate then
   comes first, the big linear one second.

If nothing is found, the guard's own distances (``b - a`` for ``a < b``, ...)
are tried as a cheap fallback, checked over the integers on the paths.

5. *Multiphase.* Still nothing: a multiphase ranking function ``(f1, ..., fk)``,
   k = 2, 3 (Ben-Amram and Genaim, "On multiphase-linear ranking functions",
   CAV 2017): on every path ``f1`` drops by at least 1, each ``f_i`` by at least
   ``1 - f_{i-1}(x)``, and ``fk >= 0``; one LP for all levels at once. It is
   proposed as the lexicographic ``(max(f1 + 1, 0), ..., max(f_{k-1} + 1, 0),
   fk)`` (``multiphase_as_lex``), which the kernel's ``total_while_lex`` checks:
   ``x = x + y; y = y - 1`` under ``x > 0`` gets ``(max(y + 2, 0), x)``.

6. *Phases* (``synthesize_phases``, tried by the caller once the rest, by cases
   too, has failed): the greedy lexicographic search again, where a level
   that no bounded function ranks may be a phase: a linear f that never rises
   and falls on some paths, unbounded, as the component ``max(f + 1, 0)``; the
   paths where it fell go on with ``f <= -1`` assumed, so a later level may use
   every earlier phase being over.

Piecewise ranking functions (values that flip sign) are analysis/piecewise.py.

Layout: the paths of step 1 are analysis/paths.py (over the linear expressions of
analysis/linear.py), the LPs of steps 2-5 analysis/farkas.py; this module drives them.

Known limits: a ranking function must be linear in the program variables (no
``|x|``, no ``2^32 - x`` across an unsigned wraparound, no ``gcd``-style
arguments); products of variables are unknowns, so nothing is learnt from
``y * y >= 0``; a body with more than ``MAX_PATHS`` paths is given up on; the
invariant is taken as given (a weak one hides ranking functions).
"""

from __future__ import annotations

from kernel import Expr, Int, mk
from kernel.expr import postorder

from .farkas import COEFF_BOUND, Search
from .linear import CONST, const_of, le0, lin_add, lin_const, to_term
from .paths import Exec, Path, Timeout, TooMany, check_ranking, feasible, loop_paths, path_variables
from .budget import clock


def _guard_distances(guard: Expr, ex: Exec) -> list:
    """b - a for a < b, b - a + 1 for a <= b (and their negations): the guard's own linear distances."""
    out = []
    for n in postorder(guard):
        if n.op in ("lt", "le"):
            p = Path({}, [])
            for x, _ in ex.term(n.args[0], p):
                for y, _ in ex.term(n.args[1], p):
                    d = lin_add(y, x, -1)
                    if n.op == "le":
                        d = lin_add(d, lin_const(1))
                    if any(v.startswith("#") for v in d):
                        continue
                    k = const_of(d)
                    ints = {v: a for v, a in d.items() if v != CONST}
                    for cand in ((ints, k), ({v: -a for v, a in ints.items()}, -k)):
                        if cand[0] and cand not in out:
                            out.append(cand)
    return out


def synthesize(guard: Expr, body: Expr, invariant: Expr | None, specs: dict | None,
               timeout_ms: int = 2000) -> list[list[Expr]]:
    """Ranking-function candidates for ``while (guard) body`` from states satisfying ``invariant``,
    best first. Each candidate is a list of integer terms: one term is a linear ranking function,
    several are a lexicographic one (see the module docstring). Inner loops of ``body`` are
    summarised by ``specs[loop].invariant``. The empty list when nothing is found."""
    out = [[to_term(ints, k) for ints, k in cand] for cand in synthesize_linear(
        guard, body, invariant, specs, timeout_ms)]
    if not out:
        for comps in synthesize_multiphase(guard, body, invariant, specs, timeout_ms):
            out.append(multiphase_as_lex(comps))
    return out


def _guarded(f):
    """Synthesis only proposes: a term nested too deep for the recursive walk, or a z3 failure, is
    no candidate rather than an exception for the caller."""
    def run(*args, **kwargs):
        import z3
        try:
            return f(*args, **kwargs)
        except (RecursionError, z3.Z3Exception):
            return []
    run.__doc__, run.__name__, run.__wrapped__ = f.__doc__, f.__name__, f
    return run


@_guarded
def synthesize_linear(guard: Expr, body: Expr, invariant: Expr | None, specs: dict | None,
                      timeout_ms: int = 2000) -> list[list[tuple[dict, int]]]:
    """As ``synthesize``, each component as (coefficients {variable: int}, constant)."""
    import z3
    t0 = clock()
    deadline = t0 + timeout_ms / 1000
    ex = Exec(specs or {}, deadline)
    try:
        paths = loop_paths(z3, ex, guard, body, invariant, deadline)
    except (TooMany, Timeout):
        return []
    if not paths:               # the body never runs (or is blocked): anything ranks it
        return [[({}, 0)]]
    search = Search(z3, paths, path_variables(paths), deadline, set(guard.fv))
    out: list = []

    def ms():
        return max(1, int((deadline - clock()) * 1000))
    try:
        one = search.single()
        if one is not None and max(abs(a) for a in one[0].values()) <= COEFF_BOUND:
            if check_ranking(z3, paths, [one], ms()):
                out.append([one])
        else:       # lexicographic, with small coefficients; then the one linear function, if any
            lex = search.lexicographic(COEFF_BOUND)
            if lex is None:
                lex = _split_lexicographic(z3, paths, deadline, set(guard.fv))
            if lex is not None and check_ranking(z3, paths, lex, ms()):
                out.append(lex)
            if one is not None and check_ranking(z3, paths, [one], ms()):
                out.append([one])
        if not out:
            for cand in _guard_distances(guard, ex):
                if check_ranking(z3, paths, [cand], ms()):
                    out.append([cand])
                    break
    except Timeout:
        pass
    return out


def _split_lexicographic(z3, paths: list, deadline: float, prefer: set, most: int = 3) -> list | None:
    """The greedy lexicographic search, where a path on which no function decreases is split by the
    last level f: the part where f falls (ranked by f, if bounded there) and the part where it stays
    (x = 2*x + y falls only while x + y > 0; the steps with x + y = 0 go to the next level).
    Components as (coefficients, constant), checked on the unsplit paths; or None."""
    left, comps, splits = list(paths), [], 0
    while left:
        search = Search(z3, left, path_variables(paths), deadline, prefer)
        r = search.level(list(range(len(left))), COEFF_BOUND)
        if r is not None:
            ints, k, dec = r
            comps.append((ints, k))
            left = [p for i, p in enumerate(left) if i not in dec]
            continue
        if not comps or splits >= most:
            return None
        splits += 1
        ints, k = comps[-1]
        stay = []
        for p in left:
            before = lin_add(ints, lin_const(k))
            after = lin_const(k)
            for v, a in ints.items():
                after = lin_add(after, p.sigma.get(v, {v: 1}), a)
            q = p.copy()
            if q.add(le0(lin_add(before, after, -1))):        # f(x) <= f(x'): f stays
                stay.append(q)
            fall = p.copy()
            if fall.add(le0(lin_add(lin_add(after, before, -1), lin_const(1)))) and \
                    not check_ranking(z3, [fall], [comps[-1]], max(1, int((deadline - clock()) * 1000))):
                return None
        left = feasible(z3, stay, max(1, int((deadline - clock()) * 1000)))
    return comps


def multiphase_as_lex(comps: list) -> list:
    """A multiphase ranking function (f1, ..., fk) as the lexicographic one (max(f1 + 1, 0), ...,
    max(f_{k-1} + 1, 0), fk), which the kernel's ``total_while_lex`` takes: while f_i >= 0 its
    component drops (f_i' <= f_i - 1) and stays >= 0; once f_i < 0 it stays 0 (f_i keeps falling), and
    then f_{i+1} drops by at least 2 (the step that ends with fk, which is >= 0 and drops)."""
    terms = [mk("max", to_term(ints, k + 1), Int(0)) for ints, k in comps[:-1]]
    return terms + [to_term(*comps[-1])]


@_guarded
def synthesize_multiphase(guard: Expr, body: Expr, invariant: Expr | None, specs: dict | None,
                          timeout_ms: int = 2000, most: int = 3) -> list:
    """Multiphase ranking functions of depth 2 .. ``most`` (``Search.multiphase``), as lists of
    (coefficients, constant); at most one, the shallowest found."""
    import z3
    deadline = clock() + timeout_ms / 1000
    ex = Exec(specs or {}, deadline)
    try:
        paths = loop_paths(z3, ex, guard, body, invariant, deadline)
        if not paths:
            return []
        search = Search(z3, paths, path_variables(paths), deadline, set(guard.fv))
        for depth in range(2, most + 1):
            comps = search.multiphase(depth)
            if comps is not None:
                return [comps]
    except (TooMany, Timeout):
        pass
    return []


def phases_as_lex(comps: list) -> list:
    """Components (coefficients, constant) and phases (coefficients, constant, True) as terms: a phase
    f is the component max(f + 1, 0), as in ``multiphase_as_lex``."""
    return [mk("max", to_term(c[0], c[1] + 1), Int(0)) if len(c) > 2 else to_term(c[0], c[1]) for c in comps]


@_guarded
def synthesize_phases(guard: Expr, body: Expr, invariant: Expr | None, specs: dict | None,
                      timeout_ms: int = 2000, most: int = 4) -> list:
    """A lexicographic ranking function whose levels may be phases (the greedy search of
    ``Search.lexicographic``, where a level that no bounded function ranks takes a linear f that
    never rises and falls on as many paths as possible, bounded or not): the level is the component
    max(f + 1, 0), which falls while f >= 0 and stays 0 after; the paths where f fell go on to the
    next level with f <= -1 assumed. Unlike a multiphase function, a later level may use every
    earlier phase being over: ``x += y or x += z; y += z; z--`` under ``x >= 0`` ranks by
    ``(max(z + 1, 0), max(y + 1, 0), x)``: x falls only once both y and z are negative. At most one
    candidate (a list of (coefficients, constant[, True]) components), checked on the paths."""
    import z3
    deadline = clock() + timeout_ms / 1000
    ex = Exec(specs or {}, deadline)
    try:
        paths = loop_paths(z3, ex, guard, body, invariant, deadline)
        if not paths:
            return []
        comps = _phases(z3, paths, path_variables(paths), [], deadline, set(guard.fv), most)
        if comps and check_ranking(z3, paths, comps, max(1, int((deadline - clock()) * 1000))):
            return [comps]
    except (TooMany, Timeout):
        pass
    return []


MAX_PHASE_CHOICES = 3       # phases tried per level (the LP's, then single variables)


def _phase_choices(search: Search, fresh: Search, every: list) -> list:
    """Linear functions that never rise on the paths and fall on some: the one falling on the most
    (the LP's), then single variables and their negations; (coefficients, constant, where it falls)."""
    out = []
    r = fresh.level(every, COEFF_BOUND, bounded=False)
    if r is not None:
        out.append(r)
    for v in fresh.pre:
        for a in (1, -1):
            if len(out) >= MAX_PHASE_CHOICES:
                return out
            ints = {v: a}
            if any(ints == c[0] for c in out) or search.constant(ints, every, [], False) is None:
                continue
            dec = [i for i in every if search.constant(ints, [i], [i], False) is not None]
            if dec:
                out.append((ints, 0, dec))
    return out


def _phases(z3, left: list, names: list, comps: list, deadline: float, prefer: set, most: int) -> list | None:
    """The levels of ``synthesize_phases`` for the paths left, after the components comps; None if
    there are none within ``most`` levels (a depth-first search over the phase chosen at each level)."""
    if not left:
        return comps or None
    if len(comps) >= most:
        return None
    search = Search(z3, left, names, deadline, prefer)
    every = list(range(len(left)))
    r = search.level(every, COEFF_BOUND)
    if r is not None:
        ints, k, dec = r
        return _phases(z3, [p for i, p in enumerate(left) if i not in dec], names, comps + [(ints, k)],
                       deadline, prefer, most)
    # a new phase measures something the phases before it do not (else it would be one of them)
    fresh = [v for v in names if not any(v in c[0] for c in comps if len(c) > 2)]
    for ints, k, dec in _phase_choices(search, Search(z3, left, fresh, deadline, prefer), every):
        done = lin_add(lin_add(ints, lin_const(k)), lin_const(1))       # f + 1 <= 0: the phase is over
        rest = []
        for i, p in enumerate(left):
            if i in dec:
                p = p.copy()
                if not p.add(le0(done)):
                    continue
            rest.append(p)
        rest = feasible(z3, rest, max(1, int((deadline - clock()) * 1000)))
        out = _phases(z3, rest, names, comps + [(ints, k, True)], deadline, prefer, most)
        if out is not None:
            return out
    return None
