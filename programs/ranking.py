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

3. *Lexicographic.* Greedily, level by level: a linear function that is
   non-increasing on every remaining path and, on as many paths as possible
   (z3 Optimize, soft constraints), bounded below and strictly decreasing;
   those paths are removed and the next level ranks the rest. Coefficients are
   kept small (the sum of their absolute values is minimised, and bounded at
   each level, so that ``(x, y)`` is found rather than ``2^31*x + y``).

If no linear or lexicographic function is found, the guard's own distances
(``b - a`` for ``a < b``, ...) are tried as a cheap fallback, checked over the
integers on the paths.
"""

from __future__ import annotations

import time
from fractions import Fraction
from math import gcd

from kernel import Expr, Int, Var, mk
from kernel.expr import postorder

Lin = dict          # variable name -> int coefficient; key "" is the constant

MAX_PATHS = 64      # more paths than this and the loop is given up on
COEFF_BOUND = 1000  # |coefficient| bound per level of a lexicographic search (in LP units)
_CONST = ""


class _TooMany(Exception):
    pass


class _Timeout(Exception):
    pass


# ---- linear expressions --------------------------------------------------------------------------

def _lin_const(n: int) -> Lin:
    return {_CONST: n} if n else {}


def _lin_var(x: str) -> Lin:
    return {x: 1}


def _lin_add(a: Lin, b: Lin, k: int = 1) -> Lin:
    """a + k*b"""
    out = dict(a)
    for v, c in b.items():
        n = out.get(v, 0) + k * c
        if n:
            out[v] = n
        else:
            out.pop(v, None)
    return out


def _lin_scale(a: Lin, k: int) -> Lin:
    return {v: k * c for v, c in a.items()} if k else {}


def _is_const(a: Lin) -> bool:
    return all(v == _CONST for v in a)


def _const(a: Lin) -> int:
    return a.get(_CONST, 0)


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


# A constraint is ("le", lin) meaning lin <= 0, or ("eq", lin) meaning lin = 0; True / False when trivial.

def _le(a: Lin):
    """lin <= 0, tightened for integers."""
    coeffs = [c for v, c in a.items() if v != _CONST]
    k = _const(a)
    if not coeffs:
        return k <= 0
    g = 0
    for c in coeffs:
        g = gcd(g, c)
    if g > 1:
        a = {v: c // g for v, c in a.items() if v != _CONST}
        k = _ceil_div(k, g)
        if k:
            a[_CONST] = k
    return ("le", a)


def _eq(a: Lin):
    coeffs = [c for v, c in a.items() if v != _CONST]
    k = _const(a)
    if not coeffs:
        return k == 0
    g = 0
    for c in coeffs:
        g = gcd(g, c)
    if k % g:
        return False
    if g > 1:
        a = {v: c // g for v, c in a.items()}
    # a canonical sign, so that equal equations compare equal
    first = min(v for v in a if v != _CONST)
    if a[first] < 0:
        a = _lin_scale(a, -1)
    return ("eq", a)


# ---- symbolic execution into paths ---------------------------------------------------------------

class _Path:
    __slots__ = ("sigma", "cons", "bounds", "memo")

    def __init__(self, sigma: dict, cons: list, bounds: dict | None = None, memo: dict | None = None):
        self.sigma = sigma      # program variable -> Lin over pre-state variables and fresh unknowns
        self.cons = cons        # constraints (conjunction)
        self.bounds = {} if bounds is None else bounds   # variable part -> tightest constant (cheap refutation)
        self.memo = {} if memo is None else memo         # term -> (value, the sigma entries it read)

    def copy(self) -> _Path:
        return _Path(dict(self.sigma), list(self.cons), dict(self.bounds), dict(self.memo))

    def add(self, c) -> bool:
        """Add a constraint; False if it is trivially false, or contradicts an earlier one outright
        (a.u + k1 <= 0 and -a.u + k2 <= 0 with k1 + k2 > 0)."""
        if c is True:
            return True
        if c is False:
            return False
        kind, a = c
        k = _const(a)
        key = tuple(sorted((v, n) for v, n in a.items() if v != _CONST))
        neg = tuple(sorted((v, -n) for v, n in key))
        news = [(key, k)] + ([(neg, -k)] if kind == "eq" else [])
        for kk, kc in news:
            other = self.bounds.get(tuple(sorted((v, -n) for v, n in kk)))
            if other is not None and kc + other > 0:
                return False
        for kk, kc in news:
            if kc > self.bounds.get(kk, kc - 1):
                self.bounds[kk] = kc
        if c not in self.cons:
            self.cons.append(c)
        return True


def _const_factor(t: Expr) -> bool:
    return t.args[0].op == "int" or t.args[1].op == "int"


class _Exec:
    """Symbolic execution of a loop body into linear paths (an over-approximation)."""

    def __init__(self, specs: dict, deadline: float, max_paths: int = MAX_PATHS):
        self.specs = specs
        self.n = 0
        self.deadline = deadline
        self.max_paths = max_paths

    def fresh(self) -> Lin:
        self.n += 1
        return {f"#{self.n}": 1}

    def _tick(self, paths: list) -> list:
        if len(paths) > self.max_paths:
            raise _TooMany()
        if time.perf_counter() > self.deadline:
            raise _Timeout()
        return paths

    # terms: a list of (value, path) alternatives, together exhaustive
    def term(self, t: Expr, p: _Path) -> list:
        """The value of t on path p, as alternatives; a term that splits the path or introduces an
        unknown is remembered on the path (while the variables it reads keep their values), so a
        repeated subterm (C's division is spelled out many times) costs one split, not many."""
        op = t.op
        if op in ("int", "var", "add", "sub", "neg") or (op == "mul" and _const_factor(t)):
            return self._term(t, p)
        hit = p.memo.get(t)
        if hit is not None:
            val, read = hit
            if all(p.sigma.get(v) is w for v, w in read):
                return [(val, p)]
        out = self._term(t, p)
        for val, q in out:
            q.memo[t] = (val, tuple((v, q.sigma.get(v)) for v in t.fv))
        return out

    def _term(self, t: Expr, p: _Path) -> list:
        op, a = t.op, t.args
        if op == "int":
            return [(_lin_const(t.data), p)]
        if op == "var":
            return [(p.sigma.get(t.data, {t.data: 1}), p)]
        if op in ("add", "sub"):
            k = 1 if op == "add" else -1
            return [(_lin_add(x, y, k), q) for x, p1 in self.term(a[0], p) for y, q in self.term(a[1], p1)]
        if op == "neg":
            return [(_lin_scale(x, -1), q) for x, q in self.term(a[0], p)]
        if op == "mul":
            out = []
            for x, p1 in self.term(a[0], p):
                for y, q in self.term(a[1], p1):
                    if _is_const(x):
                        out.append((_lin_scale(y, _const(x)), q))
                    elif _is_const(y):
                        out.append((_lin_scale(x, _const(y)), q))
                    else:
                        out.append((self.fresh(), q))      # nonlinear: an unknown
            return out
        if op in ("div", "mod"):
            out = []
            for x, p1 in self.term(a[0], p):
                for y, q in self.term(a[1], p1):
                    out.extend(self._divmod(op, x, y, q))
            return out
        if op == "abs":
            return self._cases([(mk("le", Int(0), a[0]), a[0]), (mk("lt", a[0], Int(0)), mk("neg", a[0]))], p)
        if op in ("min", "max"):
            le = mk("le", a[0], a[1])
            first, second = (a[0], a[1]) if op == "min" else (a[1], a[0])
            return self._cases([(le, first), (mk("not", le), second)], p)
        if op == "ite":
            return self._cases([(a[0], a[1]), (mk("not", a[0]), a[2])], p)
        return [(self.fresh(), p)]          # app, bvar, anything else: an unknown

    def _cases(self, cases: list, p: _Path) -> list:
        out = []
        for cond, val in cases:
            for q in self.assume(cond, p.copy(), True):
                out.extend(self.term(val, q))
        return out

    def _divmod(self, op: str, x: Lin, y: Lin, p: _Path) -> list:
        """x / y or x % y (floor division, x / 0 = 0, x % 0 = x)."""
        if _is_const(y):
            c = _const(y)
            if c == 0:
                return [({} if op == "div" else x, p)]
            if _is_const(x):
                k = _const(x)
                return [(_lin_const(k // c if op == "div" else k % c), p)]
            out = []
            # x = c*q + m with m in [0, c-1] (c > 0) or [c+1, 0] (c < 0); q = 0 exactly when x is in
            # range, which is the common case (unsigned wraparound that does not wrap): split on it.
            lo, hi = (0, c - 1) if c > 0 else (c + 1, 0)
            inside = p.copy()
            if inside.add(_le(_lin_add(_lin_const(lo), x, -1))) and inside.add(_le(_lin_add(x, _lin_const(-hi)))):
                out.append(({} if op == "div" else x, inside))
            for side in (-1, 1):          # q <= -1 or q >= 1
                q = p.copy()
                qv = self.fresh()
                m = _lin_add(x, qv, -c)
                ok = (q.add(_le(_lin_add(_lin_const(lo), m, -1))) and q.add(_le(_lin_add(m, _lin_const(-hi))))
                      and q.add(_le(_lin_add(_lin_scale(qv, -side), _lin_const(1)))))
                if ok:
                    out.append((qv if op == "div" else m, q))
            return out
        if op == "div":
            return [(self.fresh(), p)]
        # x % y, y not constant: y > 0 -> 0 <= m < y; y < 0 -> y < m <= 0; y = 0 -> m = x
        out = []
        m = self.fresh()
        q = p.copy()
        if q.add(_le(_lin_add(_lin_const(1), y, -1))) and q.add(_le(_lin_scale(m, -1))) and \
                q.add(_le(_lin_add(_lin_add(m, y, -1), _lin_const(1)))):
            out.append((m, q))
        q = p.copy()
        if q.add(_le(_lin_add(y, _lin_const(1)))) and q.add(_le(m)) and \
                q.add(_le(_lin_add(_lin_add(y, m, -1), _lin_const(1)))):
            out.append((m, q))
        q = p.copy()
        if q.add(_eq(y)):
            out.append((x, q))
        return out

    # formulas: the paths (refinements of p) on which f holds (positive) or fails
    def assume(self, f: Expr, p: _Path, positive: bool = True) -> list:
        op, a = f.op, f.args
        if op in ("true", "false"):
            return [p] if (op == "true") == positive else []
        if op == "not":
            return self.assume(a[0], p, not positive)
        if op in ("and", "or"):
            if (op == "and") == positive:           # a conjunction
                out = []
                for q in self.assume(a[0], p, positive):
                    out.extend(self.assume(a[1], q, positive))
                return self._tick(out)
            return self._tick(self.assume(a[0], p.copy(), positive) + self.assume(a[1], p, positive))
        if op == "imp":
            return self.assume(mk("or", mk("not", a[0]), a[1]), p, positive)
        if op == "iff":
            both = mk("or", mk("and", a[0], a[1]), mk("and", mk("not", a[0]), mk("not", a[1])))
            return self.assume(both, p, positive)
        if op in ("lt", "le", "eq"):
            out = []
            for x, p1 in self.term(a[0], p):
                for y, q in self.term(a[1], p1):
                    d = _lin_add(x, y, -1)        # x - y
                    if op == "eq" and not positive:
                        for s in (1, -1):        # x < y or x > y
                            r = q.copy()
                            if r.add(_le(_lin_add(_lin_scale(d, s), _lin_const(1)))):
                                out.append(r)
                        continue
                    if op == "eq":
                        c = _eq(d)
                    elif op == "lt":            # x < y: d + 1 <= 0;  not: y <= x: -d <= 0
                        c = _le(_lin_add(d, _lin_const(1))) if positive else _le(_lin_scale(d, -1))
                    else:                       # x <= y: d <= 0;  not: y < x: -d + 1 <= 0
                        c = _le(d) if positive else _le(_lin_add(_lin_scale(d, -1), _lin_const(1)))
                    if q.add(c):
                        out.append(q)
            return self._tick(out)
        return [p]       # pred, quantifiers: dropped (an over-approximation either way)

    def run(self, c: Expr, paths: list) -> list:
        op, a = c.op, c.args
        if op == "skip":
            return paths
        if op == "assign":
            out = []
            for p in paths:
                for v, q in self.term(a[0], p):
                    q.sigma[c.data] = v
                    out.append(q)
            return self._tick(out)
        if op == "havoc":
            for p in paths:
                p.sigma[c.data] = self.fresh()
            return paths
        if op in ("assume", "assert"):
            out = []
            for p in paths:
                out.extend(self.assume(a[0], p, True))
            return self._tick(out)
        if op == "seq":
            return self.run(a[1], self.run(a[0], paths))
        if op == "if":
            out = []
            for p in paths:
                out.extend(self.run(a[1], self.assume(a[0], p.copy(), True)))
                out.extend(self.run(a[2], self.assume(a[0], p, False)))
            return self._tick(out)
        if op == "while":
            spec = self.specs.get(c) if self.specs else None
            changed = sorted({n.data for n in postorder(a[1]) if n.op in ("assign", "havoc")})
            out = []
            for p in paths:
                for x in changed:
                    p.sigma[x] = self.fresh()
                qs = self.assume(a[0], p, False)
                if spec is not None and getattr(spec, "invariant", None) is not None:
                    qs = [r for q in qs for r in self.assume(spec.invariant, q, True)]
                out.extend(qs)
            return self._tick(out)
        raise ValueError(f"not a statement: {op}")


# ---- z3 helpers ----------------------------------------------------------------------------------

def _z3_lin(z3, a: Lin, vs: dict):
    terms = []
    for v, c in a.items():
        if v == _CONST:
            terms.append(z3.IntVal(c))
        else:
            x = vs.get(v)
            if x is None:
                x = vs[v] = z3.Int(v)
            terms.append(x if c == 1 else c * x)
    if not terms:
        return z3.IntVal(0)
    return terms[0] if len(terms) == 1 else z3.Sum(terms)


def _z3_con(z3, con, vs: dict):
    kind, a = con
    e = _z3_lin(z3, a, vs)
    return e <= 0 if kind == "le" else e == 0


def _feasible(z3, paths: list, timeout_ms: int) -> list:
    """The paths satisfiable over the integers (unknown counts as satisfiable)."""
    s = z3.Solver()
    s.set("timeout", max(1, timeout_ms))
    out = []
    for p in paths:
        vs: dict = {}
        s.push()
        s.add(*[_z3_con(z3, c, vs) for c in p.cons])
        if s.check() != z3.unsat:
            out.append(p)
        s.pop()
    return out


class _Farkas:
    """Farkas' lemma constraints for one path: 'the path implies target' as linear constraints."""

    def __init__(self, z3, path: _Path, pre: list, tag: str):
        self.z3 = z3
        self.path = path
        self.pre = pre
        self.tag = tag
        self.k = 0
        # the change of each variable along the path: sigma(v) - v
        self.diff = {}
        for v in pre:
            d = _lin_add(path.sigma.get(v, {v: 1}), {v: 1}, -1)
            if d:
                self.diff[v] = d

    def implies(self, g: dict, h):
        """Constraints saying: the path implies  sum_u g[u]*u <= h  (g: u -> z3 real expr, h: z3 expr)."""
        z3 = self.z3
        self.k += 1
        cols: dict = {}
        rhs = []
        cons = []
        for i, (kind, a) in enumerate(self.path.cons):
            m = z3.Real(f"{self.tag}_{self.k}_{i}")
            if kind == "le":
                cons.append(m >= 0)
            for v, c in a.items():
                if v == _CONST:
                    rhs.append(-c * m)
                else:
                    cols.setdefault(v, []).append(m if c == 1 else c * m)
        for v in set(cols) | set(g):
            lhs = cols.get(v)
            lhs = z3.Sum(lhs) if lhs else z3.RealVal(0)
            cons.append(lhs == g.get(v, 0))
        cons.append((z3.Sum(rhs) if rhs else z3.RealVal(0)) <= h)
        return cons

    def decrease(self, c: dict, delta):
        """The path implies r(x) - r(x') >= delta, r = c.x (+ any constant)."""
        g: dict = {}
        k = []
        for v, d in self.diff.items():
            for u, a in d.items():
                if u == _CONST:
                    k.append(a * c[v])
                else:
                    g.setdefault(u, []).append(c[v] if a == 1 else a * c[v])
        g = {u: self.z3.Sum(t) for u, t in g.items()}
        h = -delta - (self.z3.Sum(k) if k else 0)
        return self.implies(g, h)

    def bounded(self, c: dict, c0):
        """The path implies c.x + c0 >= 0."""
        return self.implies({v: -c[v] for v in self.pre}, c0)


# ---- the search ----------------------------------------------------------------------------------

def _to_int(z3, val) -> Fraction:
    if z3.is_rational_value(val):
        return Fraction(val.numerator_as_long(), val.denominator_as_long())
    if z3.is_int_value(val):
        return Fraction(val.as_long())
    v = val.as_fraction() if hasattr(val, "as_fraction") else None
    if v is None:
        raise ValueError(val)
    return Fraction(v)


def _integral(coeffs: dict, c0: Fraction) -> tuple[dict, int]:
    """Scale a rational ranking function to integers, then divide by the gcd of the coefficients."""
    den = 1
    for q in coeffs.values():
        den = den * q.denominator // gcd(den, q.denominator)
    ints = {v: int(q * den) for v, q in coeffs.items() if q}
    k = _ceil_div((c0 * den).numerator, (c0 * den).denominator)
    g = 0
    for n in ints.values():
        g = gcd(g, n)
    if g > 1:
        ints = {v: n // g for v, n in ints.items()}
        k = _ceil_div(k, g)
    return ints, k


class _Search:
    """The LPs over the paths' Farkas constraints."""

    def __init__(self, z3, paths: list, pre: list, deadline: float, prefer: set = frozenset()):
        self.z3 = z3
        self.paths = paths
        self.pre = pre
        self.deadline = deadline
        self.prefer = prefer        # variables whose coefficients cost less (the guard's)
        self.fk = [_Farkas(z3, p, pre, f"l{i}") for i, p in enumerate(paths)]

    def _remaining_ms(self) -> int:
        ms = int((self.deadline - time.perf_counter()) * 1000)
        if ms <= 0:
            raise _Timeout()
        return ms

    def _opt(self):
        opt = self.z3.Optimize()
        opt.set("timeout", self._remaining_ms())
        return opt

    def _vars(self, tag: str):
        z3 = self.z3
        c = {v: z3.Real(f"{tag}_c_{v}") for v in self.pre}
        return c, z3.Real(f"{tag}_c0")

    def _l1(self, opt, c: dict, bound):
        """The weighted sum of |c_v| (guard variables weigh 1, others 2), each |c_v| <= bound."""
        z3 = self.z3
        absv = []
        for v, x in c.items():
            a = z3.Real(f"abs_{x}")
            opt.add(a >= x, a >= -x)
            if bound is not None:
                opt.add(a <= bound)
            absv.append(a if v in self.prefer else 2 * a)
        return z3.Sum(absv) if absv else z3.RealVal(0)

    def _model(self, opt, c: dict) -> dict:
        m = opt.model()
        return {v: _to_int(self.z3, m.eval(x, model_completion=True)) for v, x in c.items()}

    def constant(self, ints: dict, idx: list, dec: list) -> int | None:
        """With the coefficients fixed: the least constant c0 >= 0 such that c.x + c0 is non-increasing
        on the paths idx and bounded and decreasing on dec; None if the coefficients do not do."""
        z3 = self.z3
        opt = self._opt()
        c = {v: z3.RealVal(ints.get(v, 0)) for v in self.pre}
        c0 = z3.Real("fx_c0")
        opt.add(c0 >= 0)
        for i in idx:
            opt.add(*self.fk[i].decrease(c, 1 if i in dec else 0))
        for i in dec:
            opt.add(*self.fk[i].bounded(c, c0))
        opt.minimize(c0)
        if opt.check() != z3.sat:
            return None
        q = _to_int(z3, opt.model().eval(c0, model_completion=True))
        return _ceil_div(q.numerator, q.denominator)

    def _round(self, coeffs: dict, idx: list, dec: list) -> tuple[dict, int] | None:
        """Integer coefficients for the LP's rational solution: small approximations first (an LP
        optimum is often a needlessly ugly vertex, like 1073741823/1073741824 * x - c / 1073741824),
        checked with the constant LP; else the exact solution scaled to integers."""
        top = max((abs(q) for q in coeffs.values()), default=Fraction(0))
        if not top:
            return None
        tried = []
        for limit in (1, 2, 3, 4, 6, 8, 12, 16, 100):
            ints, _ = _integral({v: (q / top).limit_denominator(limit) for v, q in coeffs.items()}, Fraction(0))
            if not ints or ints in tried:
                continue
            tried.append(ints)
            k = self.constant(ints, idx, dec)
            if k is not None:
                return ints, k
        ints, _ = _integral(coeffs, Fraction(0))
        if ints in tried:
            return None
        k = self.constant(ints, idx, dec)
        return None if k is None else (ints, k)

    def level(self, idx: list, bound) -> tuple[dict, int, list] | None:
        """A linear function non-increasing on the paths idx, and bounded + decreasing on as many as
        possible (z3 Optimize: soft constraints, then the least constant, then small coefficients):
        (coefficients, constant, the indices where it decreases), or None."""
        z3 = self.z3
        opt = self._opt()
        c, c0 = self._vars("lv")
        opt.add(c0 >= 0)
        strict = {}
        for i in idx:
            fk = self.fk[i]
            d = z3.Real(f"d_{i}")
            s = z3.Bool(f"s_{i}")
            opt.add(d >= 0)
            opt.add(*fk.decrease(c, d))
            opt.add(z3.Implies(s, z3.And(d >= 1, *fk.bounded(c, c0))))
            strict[i] = s
        for s in strict.values():
            opt.add_soft(s)
        opt.minimize(c0)
        opt.minimize(self._l1(opt, c, bound))
        if opt.check() != z3.sat:
            return None
        m = opt.model()
        dec = [i for i, s in strict.items() if z3.is_true(m.eval(s, model_completion=True))]
        if not dec:
            return None
        r = self._round(self._model(opt, c), idx, dec)
        return None if r is None else (*r, dec)

    def single(self, bound=None) -> tuple[dict, int] | None:
        """A linear ranking function for all paths at once."""
        z3 = self.z3
        opt = self._opt()
        c, c0 = self._vars("sg")
        opt.add(c0 >= 0)
        for fk in self.fk:
            opt.add(*fk.decrease(c, 1))
            opt.add(*fk.bounded(c, c0))
        opt.minimize(c0)
        opt.minimize(self._l1(opt, c, bound))
        if opt.check() != z3.sat:
            return None
        every = list(range(len(self.paths)))
        return self._round(self._model(opt, c), every, every)

    def lexicographic(self, bound) -> list | None:
        left = list(range(len(self.paths)))
        comps = []
        while left:
            r = self.level(left, bound)
            if r is None:
                return None
            ints, k, dec = r
            comps.append((ints, k))
            left = [i for i in left if i not in dec]
        return comps


def _check(z3, paths: list, comps: list, timeout_ms: int) -> bool:
    """Is comps (a list of (coeffs, const)) a lexicographic ranking function of every path, over the
    integers? (The definition in the module docstring.)"""
    s = z3.Solver()
    s.set("timeout", max(1, timeout_ms))
    for p in paths:
        vs: dict = {}
        pre = [_z3_lin(z3, _lin_add(ints, _lin_const(k)), vs) for ints, k in comps]
        post = []
        for ints, k in comps:
            e: Lin = _lin_const(k)
            for v, a in ints.items():
                e = _lin_add(e, p.sigma.get(v, {v: 1}), a)
            post.append(_z3_lin(z3, e, vs))
        alts = []
        for i in range(len(comps)):
            alts.append(z3.And(*[post[j] <= pre[j] for j in range(i)], pre[i] >= 0, post[i] < pre[i]))
        s.push()
        s.add(*[_z3_con(z3, c, vs) for c in p.cons])
        s.add(z3.Not(z3.Or(*alts)))
        r = s.check()
        s.pop()
        if r != z3.unsat:
            return False
    return True


def to_term(coeffs: dict, const: int) -> Expr:
    """sum coeffs[v] * v + const as a readable kernel term (positive parts first)."""
    def mono(v, a):
        return Var(v) if a == 1 else mk("mul", Int(a), Var(v))
    pos = [(v, a) for v, a in sorted(coeffs.items()) if a > 0]
    neg = [(v, -a) for v, a in sorted(coeffs.items()) if a < 0]
    out = None
    for v, a in pos:
        out = mono(v, a) if out is None else mk("add", out, mono(v, a))
    if out is None:
        out = Int(const) if const or not neg else None
        const = 0
    for v, a in neg:
        out = mk("neg", mono(v, a)) if out is None else mk("sub", out, mono(v, a))
    if const > 0:
        out = mk("add", out, Int(const))
    elif const < 0:
        out = mk("sub", out, Int(-const))
    return out if out is not None else Int(0)


def _guard_distances(guard: Expr, ex: _Exec) -> list:
    """b - a for a < b, b - a + 1 for a <= b (and their negations): the guard's own linear distances."""
    out = []
    for n in postorder(guard):
        if n.op in ("lt", "le"):
            p = _Path({}, [])
            for x, _ in ex.term(n.args[0], p):
                for y, _ in ex.term(n.args[1], p):
                    d = _lin_add(y, x, -1)
                    if n.op == "le":
                        d = _lin_add(d, _lin_const(1))
                    if any(v.startswith("#") for v in d):
                        continue
                    k = _const(d)
                    ints = {v: a for v, a in d.items() if v != _CONST}
                    for cand in ((ints, k), ({v: -a for v, a in ints.items()}, -k)):
                        if cand[0] and cand not in out:
                            out.append(cand)
    return out


def paths_of(guard: Expr, body: Expr, invariant: Expr | None, specs: dict, timeout_ms: int = 2000,
             max_paths: int = MAX_PATHS) -> list | None:
    """The feasible paths of one iteration (for tests and debugging); None if there are too many."""
    import z3
    deadline = time.perf_counter() + timeout_ms / 1000
    ex = _Exec(specs or {}, deadline, max_paths)
    try:
        return _paths(z3, ex, guard, body, invariant, deadline)
    except (_TooMany, _Timeout):
        return None


def _paths(z3, ex: _Exec, guard, body, invariant, deadline) -> list:
    start = [_Path({}, [])]
    if invariant is not None:
        start = [q for p in start for q in ex.assume(invariant, p, True)]
    start = [q for p in start for q in ex.assume(guard, p, True)]
    if len(start) > 4:
        start = _feasible(z3, start, max(1, int((deadline - time.perf_counter()) * 1000)))
    paths = ex.run(body, start)
    return _feasible(z3, paths, max(1, int((deadline - time.perf_counter()) * 1000)))


def synthesize(guard: Expr, body: Expr, invariant: Expr | None, specs: dict | None,
               timeout_ms: int = 2000) -> list[list[Expr]]:
    """Ranking-function candidates for ``while (guard) body`` from states satisfying ``invariant``,
    best first. Each candidate is a list of integer terms: one term is a linear ranking function,
    several are a lexicographic one (see the module docstring). Inner loops of ``body`` are
    summarised by ``specs[loop].invariant``. The empty list when nothing is found."""
    return [[to_term(ints, k) for ints, k in cand] for cand in synthesize_linear(
        guard, body, invariant, specs, timeout_ms)]


def synthesize_linear(guard: Expr, body: Expr, invariant: Expr | None, specs: dict | None,
                      timeout_ms: int = 2000) -> list[list[tuple[dict, int]]]:
    """As ``synthesize``, each component as (coefficients {variable: int}, constant)."""
    import z3
    t0 = time.perf_counter()
    deadline = t0 + timeout_ms / 1000
    ex = _Exec(specs or {}, deadline)
    try:
        paths = _paths(z3, ex, guard, body, invariant, deadline)
    except (_TooMany, _Timeout):
        return []
    if not paths:               # the body never runs (or is blocked): anything ranks it
        return [[({}, 0)]]
    names = set()
    for p in paths:
        names.update(p.sigma)
        for lin in p.sigma.values():
            names.update(lin)
        for c in p.cons:
            names.update(c[1])
    pre = sorted(v for v in names if v != _CONST and not v.startswith("#"))
    search = _Search(z3, paths, pre, deadline, set(guard.fv))
    out: list = []

    def ms():
        return max(1, int((deadline - time.perf_counter()) * 1000))
    try:
        lex = search.lexicographic(COEFF_BOUND)
        if lex is not None and _check(z3, paths, lex, ms()):
            out.append(lex)
        if lex is None or len(lex) > 1:
            one = search.single()
            if one is not None and _check(z3, paths, [one], ms()):
                out.append([one])
        if not out:
            for cand in _guard_distances(guard, ex):
                if _check(z3, paths, [cand], ms()):
                    out.append([cand])
                    break
    except _Timeout:
        pass
    return out
