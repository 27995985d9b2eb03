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

Known limits: a ranking function must be linear in the program variables (no
``|x|``, no ``2^32 - x`` across an unsigned wraparound, no ``gcd``-style
arguments); products of variables are unknowns, so nothing is learnt from
``y * y >= 0``; a body with more than ``MAX_PATHS`` paths is given up on; the
invariant is taken as given (a weak one hides ranking functions).
"""

from __future__ import annotations

import time
from fractions import Fraction
from math import gcd

from kernel import Expr, Int, Var, mk
from kernel.expr import postorder

Lin = dict          # variable name -> int coefficient; key "" is the constant

MAX_PATHS = 64      # more feasible paths than this and the loop is given up on
COEFF_BOUND = 1000  # |coefficient| bound per level of a lexicographic search (in LP units)
_C0_WEIGHT = 1000   # in the LP's objective, the constant weighs this much more than a coefficient
_CONST = ""


class _TooMany(Exception):
    pass


class _Timeout(Exception):
    pass


# ---- linear expressions --------------------------------------------------------------------------

def _lin_const(n: int) -> Lin:
    return {_CONST: n} if n else {}


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
        """paths (or (value, path) pairs), once too many of them are pruned of the infeasible ones
        (z3); still too many, and the loop is given up on."""
        if time.perf_counter() > self.deadline:
            raise _Timeout()
        if len(paths) > self.max_paths:
            import z3
            ms = int((self.deadline - time.perf_counter()) * 1000)
            live = {id(p) for p in _feasible(z3, [x[1] if isinstance(x, tuple) else x for x in paths], ms)}
            paths = [x for x in paths if id(x[1] if isinstance(x, tuple) else x) in live]
            if len(paths) > self.max_paths:
                raise _TooMany()
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
            return self._tick([(_lin_add(x, y, k), q) for x, p1 in self.term(a[0], p)
                               for y, q in self.term(a[1], p1)])
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
            return self._tick(out)
        if op in ("div", "mod"):
            out = []
            for x, p1 in self.term(a[0], p):
                for y, q in self.term(a[1], p1):
                    out.extend(self._divmod(op, x, y, q))
            return self._tick(out)
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
        if op == "call":        # x = p(e): x is the result, any value here (the kernel checks the ranking)
            for p in paths:
                p.sigma[c.data[0]] = self.fresh()
            return paths
        if op in ("assume", "assert"):
            out = []
            for p in paths:
                out.extend(self.assume(a[0], p, True))
            return self._tick(out)
        if op == "seq":         # a long right-nested sequence: a loop, not a recursion
            while c.op == "seq":
                paths = self.run(c.args[0], paths)
                c = c.args[1]
            return self.run(c, paths)
        if op == "if":
            out = []
            for p in paths:
                out.extend(self.run(a[1], self.assume(a[0], p.copy(), True)))
                out.extend(self.run(a[2], self.assume(a[0], p, False)))
            return self._tick(out)
        if op == "while":
            spec = self.specs.get(c) if self.specs else None
            changed = sorted({n.data[0] if n.op == "call" else n.data for n in postorder(a[1])
                              if n.op in ("assign", "havoc", "call")})
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


# ---- z3, through SMT-LIB text ------------------------------------------------------------------
# The z3 Python API builds each arithmetic node through several Python calls; a few hundred Farkas
# constraints cost tens of milliseconds that way. Rendering SMT-LIB text and parsing it once is an
# order of magnitude cheaper.

def _num(q) -> str:
    q = Fraction(q)
    s = str(abs(q.numerator)) if q.denominator == 1 else f"(/ {abs(q.numerator)} {q.denominator})"
    return f"(- {s})" if q < 0 else s


def _name(v: str) -> str:
    return f"|{v}|"


def _sum(terms: list) -> str:
    if not terms:
        return "0"
    return terms[0] if len(terms) == 1 else "(+ " + " ".join(terms) + ")"


def _text(a: dict) -> str:
    """A linear expression {name: coefficient, "": constant} as SMT-LIB."""
    terms = []
    for v, c in a.items():
        if not c:
            continue
        if v == _CONST:
            terms.append(_num(c))
        elif c == 1:
            terms.append(_name(v))
        else:
            terms.append(f"(* {_num(c)} {_name(v)})")
    return _sum(terms)


def _con_text(con) -> str:
    kind, a = con
    return f"({'<=' if kind == 'le' else '='} {_text(a)} 0)"


class _Script:
    """An SMT-LIB script under construction: declarations, assertions, soft assertions, objectives."""

    def __init__(self, sort: str):
        self.sort = sort
        self.declared: set = set()
        self.parts: list = []

    def declare(self, names, sort: str | None = None):
        for v in names:
            if v and v not in self.declared:
                self.declared.add(v)
                self.parts.append(f"(declare-fun {_name(v)} () {sort or self.sort})")

    def lin(self, a: dict) -> str:
        self.declare(v for v in a if v != _CONST)
        return _text(a)

    def add(self, s: str):
        self.parts.append(f"(assert {s})")

    def text(self) -> str:
        return "\n".join(self.parts)


def _solver(z3, timeout_ms: int):
    s = z3.SimpleSolver()
    s.set("timeout", max(1, timeout_ms))
    return s


def _path_text(sc: _Script, p: _Path) -> str:
    return "(and " + " ".join(_con_text(c) for c in p.cons) + " true)" if p.cons else "true"


def _path_script(p: _Path) -> _Script:
    sc = _Script("Int")
    for c in p.cons:
        sc.declare(v for v in c[1] if v != _CONST)
    return sc


def _feasible(z3, paths: list, timeout_ms: int) -> list:
    """The paths satisfiable over the integers (unknown counts as satisfiable)."""
    s = _solver(z3, timeout_ms)
    out = []
    for p in paths:
        sc = _path_script(p)
        sc.add(_path_text(sc, p))
        s.push()
        s.add(z3.parse_smt2_string(sc.text()))
        if s.check() != z3.unsat:
            out.append(p)
        s.pop()
    return out


def _check(z3, paths: list, comps: list, timeout_ms: int) -> bool:
    """Is comps (a list of (coeffs, const)) a lexicographic ranking function of every path, over the
    integers? (The definition in the module docstring.)"""
    s = _solver(z3, timeout_ms)
    for p in paths:
        sc = _path_script(p)
        pre, post = [], []
        for ints, k in comps:
            e: Lin = _lin_const(k)
            for v, a in ints.items():
                e = _lin_add(e, p.sigma.get(v, {v: 1}), a)
            pre.append(sc.lin(_lin_add(ints, _lin_const(k))))
            post.append(sc.lin(e))
        alts = []
        for i in range(len(comps)):
            parts = [f"(<= {post[j]} {pre[j]})" for j in range(i)] + [f"(>= {pre[i]} 0)", f"(< {post[i]} {pre[i]})"]
            alts.append("(and " + " ".join(parts) + ")")
        sc.add(_path_text(sc, p))
        sc.add("(not (or " + " ".join(alts) + "))")
        s.push()
        s.add(z3.parse_smt2_string(sc.text()))
        r = s.check()
        s.pop()
        if r != z3.unsat:
            return False
    return True


# Linear expressions over the LP's unknowns (coefficients c!v, c0, multipliers): {name: Fraction}.

def _u(*pairs) -> dict:
    out: dict = {}
    for k, v in pairs:
        if v:
            out[k] = out.get(k, 0) + v
    return out


class _Farkas:
    """Farkas' lemma for one path: 'the path implies g.u <= h' as linear constraints on the unknowns."""

    def __init__(self, path: _Path, pre: list, tag: str):
        self.path = path
        self.pre = pre
        self.tag = tag
        self.k = 0
        self.diff = {}          # v -> sigma(v) - v, the change of v along the path
        for v in pre:
            d = _lin_add(path.sigma.get(v, {v: 1}), {v: 1}, -1)
            if d:
                self.diff[v] = d

    def implies(self, sc: _Script, g: dict, h: dict) -> str:
        """g: path variable -> unknowns-expression, h: unknowns-expression. Returns a conjunction."""
        self.k += 1
        cols: dict = {}
        rhs: dict = {}
        parts = []
        for i, (kind, a) in enumerate(self.path.cons):
            m = f"m!{self.tag}!{self.k}!{i}"
            sc.declare([m])
            if kind == "le":
                parts.append(f"(>= {_name(m)} 0)")
            for v, c in a.items():
                if v == _CONST:
                    rhs[m] = rhs.get(m, 0) - c
                else:
                    cols.setdefault(v, {})[m] = c
        for v in set(cols) | set(g):
            parts.append(f"(= {sc.lin(cols.get(v, {}))} {sc.lin(g.get(v, {}))})")
        parts.append(f"(<= {sc.lin(rhs)} {sc.lin(h)})")
        return "(and " + " ".join(parts) + ")"

    def decrease(self, sc: _Script, c: dict, delta: dict) -> str:
        """The path implies r(x) - r(x') >= delta, for r = c.x (+ any constant); c: v -> unknowns-expr."""
        g: dict = {}
        h = {k: -q for k, q in delta.items()}
        for v, d in self.diff.items():
            for u, a in d.items():
                target = h if u == _CONST else g.setdefault(u, {})
                for k, q in c[v].items():
                    target[k] = target.get(k, 0) + (-a * q if u == _CONST else a * q)
        return self.implies(sc, g, h)

    def phase(self, sc: _Script, c: dict, prev: dict, prev0: dict) -> str:
        """The path implies f(x) - f(x') + g(x) >= 1, for f = c.x (+ any constant) and g = prev.x + prev0
        (the condition linking phase i to phase i - 1 of a multiphase ranking function)."""
        g: dict = {}
        h = dict(prev0)
        h[_CONST] = h.get(_CONST, 0) - 1
        for v, d in self.diff.items():
            for u, a in d.items():
                target = h if u == _CONST else g.setdefault(u, {})
                for k, q in c[v].items():
                    target[k] = target.get(k, 0) + (-a * q if u == _CONST else a * q)
        for v in self.pre:
            for k, q in prev[v].items():
                g.setdefault(v, {})[k] = g.get(v, {}).get(k, 0) - q
        return self.implies(sc, g, h)

    def bounded(self, sc: _Script, c: dict, c0: dict) -> str:
        """The path implies c.x + c0 >= 0."""
        return self.implies(sc, {v: {k: -q for k, q in c[v].items()} for v in self.pre}, c0)


# ---- the search ----------------------------------------------------------------------------------

def _value(z3, val) -> Fraction:
    if z3.is_int_value(val):
        return Fraction(val.as_long())
    if z3.is_rational_value(val):
        return Fraction(val.numerator_as_long(), val.denominator_as_long())
    raise ValueError(f"not a number: {val}")


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
        self.fk = [_Farkas(p, pre, f"{i}") for i, p in enumerate(paths)]
        self.lps = 0

    def _remaining_ms(self) -> int:
        ms = int((self.deadline - time.perf_counter()) * 1000)
        if ms <= 0:
            raise _Timeout()
        return ms

    def _solve(self, sc: _Script, objectives: list, soft: list = ()) -> dict | None:
        """Optimise (objectives in priority order, after the soft constraints); the model as
        {name: value}, or None if infeasible or out of time."""
        z3 = self.z3
        text = sc.text()
        text += "".join(f"\n(assert-soft {s})" for s in soft)
        text += "".join(f"\n(minimize {o})" for o in objectives)
        opt = z3.Optimize()
        opt.set("timeout", self._remaining_ms())
        opt.from_string(text)
        self.lps += 1
        r = opt.check()
        if r != z3.sat:
            if r == z3.unknown:
                self._remaining_ms()        # raise _Timeout if that was the reason
            return None
        m = opt.model()
        out = {}
        for d in m.decls():         # the coefficients, the constant and the soft choices; not the multipliers
            n = d.name()
            if n[0] in "cs":
                out[n] = m[d]
        return out

    def _real(self, m: dict, name: str) -> Fraction:
        v = m.get(name)
        return Fraction(0) if v is None else _value(self.z3, v)

    def _coeffs(self) -> dict:
        return {v: {f"c!{v}": 1} for v in self.pre}

    def _l1(self, sc: _Script, bound) -> str:
        """The weighted sum of |c_v| (guard variables weigh 1, others 2), each |c_v| <= bound."""
        terms = []
        for v in self.pre:
            a, c = f"a!{v}", f"c!{v}"
            sc.declare([a, c])
            sc.add(f"(>= {_name(a)} {_name(c)})")
            sc.add(f"(>= {_name(a)} (- {_name(c)}))")
            if bound is not None:
                sc.add(f"(<= {_name(a)} {bound})")
            terms.append(_name(a) if v in self.prefer else f"(* 2 {_name(a)})")
        return _sum(terms)

    def constant(self, ints: dict, idx: list, dec: list) -> int | None:
        """With the coefficients fixed: the least constant c0 >= 0 such that c.x + c0 is non-increasing
        on the paths idx and bounded and decreasing on dec; None if the coefficients do not do."""
        sc = _Script("Real")
        c = {v: _u((_CONST, ints.get(v, 0))) for v in self.pre}
        sc.declare(["c0"])
        sc.add("(>= |c0| 0)")
        for i in idx:
            sc.add(self.fk[i].decrease(sc, c, _u((_CONST, 1 if i in dec else 0))))
        for i in dec:
            sc.add(self.fk[i].bounded(sc, c, {"c0": 1}))
        m = self._solve(sc, ["|c0|"])
        if m is None:
            return None
        q = self._real(m, "c0")
        return _ceil_div(q.numerator, q.denominator)

    def _round(self, coeffs: dict, idx: list, dec: list, c0: Fraction | None = None) -> tuple[dict, int] | None:
        """Integer coefficients for the LP's rational solution: small approximations first (an LP
        optimum is often a needlessly ugly vertex, like 1073741823/1073741824 * x - c / 1073741824),
        checked with the constant LP; else the exact solution scaled to integers. c0: the constant
        the LP found for coeffs, reused when the approximation is exact."""
        top = max((abs(q) for q in coeffs.values()), default=Fraction(0))
        if not top:
            return None
        tried = []
        for limit in (1, 2, 3, 4, 6, 8, 12, 16, 100):
            ints, _ = _integral({v: (q / top).limit_denominator(limit) for v, q in coeffs.items()}, Fraction(0))
            if not ints or ints in tried:
                continue
            tried.append(ints)
            k = self._exact(coeffs, c0, ints) if c0 is not None else None
            if k is None:
                k = self.constant(ints, idx, dec)
            if k is not None:
                return ints, k
        ints, _ = _integral(coeffs, Fraction(0))
        if ints in tried:
            return None
        k = self.constant(ints, idx, dec)
        return None if k is None else (ints, k)

    def _exact(self, coeffs: dict, c0: Fraction, ints: dict) -> int | None:
        """If ints is a positive multiple t of the LP's solution, the constant t * c0 (rounded up)
        that the LP certified for it; else None."""
        t = None
        for v in set(coeffs) | set(ints):
            q, n = coeffs.get(v, 0), ints.get(v, 0)
            if (q == 0) != (n == 0):
                return None
            if q:
                if t is None:
                    t = Fraction(n) / q
                elif t != Fraction(n) / q:
                    return None
        if t is None or t <= 0:
            return None
        k = t * c0
        return _ceil_div(k.numerator, k.denominator)

    def level(self, idx: list, bound) -> tuple[dict, int, list] | None:
        """A linear function non-increasing on the paths idx, and bounded + decreasing on as many as
        possible (z3 Optimize: soft constraints, then a small constant and small coefficients):
        (coefficients, constant, the indices where it decreases), or None."""
        sc = _Script("Real")
        c = self._coeffs()
        sc.declare(["c0"])
        sc.add("(>= |c0| 0)")
        soft = []
        for i in idx:
            fk = self.fk[i]
            d, s = f"d!{i}", f"s!{i}"
            sc.declare([d])
            sc.declare([s], "Bool")
            sc.add(f"(>= {_name(d)} 0)")
            sc.add(fk.decrease(sc, c, {d: 1}))
            sc.add(f"(=> {_name(s)} (and (>= {_name(d)} 1) {fk.bounded(sc, c, {'c0': 1})}))")
            soft.append(_name(s))
        m = self._solve(sc, [f"(+ (* {_C0_WEIGHT} |c0|) {self._l1(sc, bound)})"], soft)
        if m is None:
            return None
        dec = [i for i in idx if self.z3.is_true(m.get(f"s!{i}", self.z3.BoolVal(False)))]
        if not dec:
            return None
        r = self._round({v: self._real(m, f"c!{v}") for v in self.pre}, idx, dec, self._real(m, "c0"))
        return None if r is None else (*r, dec)

    def single(self, bound=None) -> tuple[dict, int] | None:
        """A linear ranking function for all paths at once."""
        sc = _Script("Real")
        c = self._coeffs()
        sc.declare(["c0"])
        sc.add("(>= |c0| 0)")
        for fk in self.fk:
            sc.add(fk.decrease(sc, c, _u((_CONST, 1))))
            sc.add(fk.bounded(sc, c, {"c0": 1}))
        m = self._solve(sc, [f"(+ (* {_C0_WEIGHT} |c0|) {self._l1(sc, bound)})"])
        if m is None:
            return None
        every = list(range(len(self.paths)))
        return self._round({v: self._real(m, f"c!{v}") for v in self.pre}, every, every, self._real(m, "c0"))

    def multiphase(self, depth: int) -> list | None:
        """A multiphase ranking function (f1, ..., fk) of every path (Ben-Amram and Genaim, 2017): f1
        drops by at least 1, each f_i by at least 1 - f_{i-1}(x), and fk >= 0. The LP is solved over
        the rationals and scaled to integers as a whole (the conditions are kept by a factor >= 1,
        and by rounding the constants up). Components as (coefficients, constant), or None."""
        sc = _Script("Real")
        cs = [{v: {f"c{i}!{v}": 1} for v in self.pre} for i in range(depth)]
        c0s = [f"c0{i}" for i in range(depth)]
        sc.declare(c0s)
        for fk in self.fk:
            sc.add(fk.decrease(sc, cs[0], _u((_CONST, 1))))
            for i in range(1, depth):
                sc.add(fk.phase(sc, cs[i], cs[i - 1], {c0s[i - 1]: 1}))
            sc.add(fk.bounded(sc, cs[-1], {c0s[-1]: 1}))
        terms = []
        for i in range(depth):
            for v in self.pre:
                a, c = f"a{i}!{v}", f"c{i}!{v}"
                sc.declare([a, c])
                sc.add(f"(>= {_name(a)} {_name(c)})")
                sc.add(f"(>= {_name(a)} (- {_name(c)}))")
                sc.add(f"(<= {_name(a)} {COEFF_BOUND})")
                terms.append(_name(a))
            a0 = f"a0{i}"
            sc.declare([a0])
            sc.add(f"(>= {_name(a0)} {_name(c0s[i])})")
            sc.add(f"(>= {_name(a0)} (- {_name(c0s[i])}))")
            terms.append(_name(a0))
        m = self._solve(sc, [_sum(terms)])
        if m is None:
            return None
        vals = [{v: self._real(m, f"c{i}!{v}") for v in self.pre} for i in range(depth)]
        consts = [self._real(m, c0) for c0 in c0s]
        den = 1
        for q in [q for comp in vals for q in comp.values()] + consts:
            den = den * q.denominator // gcd(den, q.denominator)
        comps = []
        for comp, k in zip(vals, consts):
            ints = {v: int(q * den) for v, q in comp.items() if q}
            comps.append((ints, _ceil_div((k * den).numerator, (k * den).denominator)))
        if not comps[0][0]:
            return None
        return comps

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
    for p in paths:
        p.cons = _tightest(p.cons)
    return _feasible(z3, paths, max(1, int((deadline - time.perf_counter()) * 1000)))


def _tightest(cons: list) -> list:
    """Of the inequalities a.u + k <= 0 with the same a, only the one with the largest k."""
    best: dict = {}
    for kind, a in cons:
        if kind == "le":
            key = frozenset((v, n) for v, n in a.items() if v != _CONST)
            best[key] = max(best.get(key, _const(a)), _const(a))
    out, seen = [], set()
    for kind, a in cons:
        if kind == "le":
            key = frozenset((v, n) for v, n in a.items() if v != _CONST)
            if key in seen or _const(a) != best[key]:
                continue
            seen.add(key)
        out.append((kind, a))
    return out


def _path_variables(paths: list) -> list:
    """The variables the paths' states and constraints speak of (not the constant, not '#' names)."""
    names: set = set()
    for p in paths:
        names.update(p.sigma)
        for lin in p.sigma.values():
            names.update(lin)
        for c in p.cons:
            names.update(c[1])
    return sorted(v for v in names if v != _CONST and not v.startswith("#"))


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
    t0 = time.perf_counter()
    deadline = t0 + timeout_ms / 1000
    ex = _Exec(specs or {}, deadline)
    try:
        paths = _paths(z3, ex, guard, body, invariant, deadline)
    except (_TooMany, _Timeout):
        return []
    if not paths:               # the body never runs (or is blocked): anything ranks it
        return [[({}, 0)]]
    search = _Search(z3, paths, _path_variables(paths), deadline, set(guard.fv))
    out: list = []

    def ms():
        return max(1, int((deadline - time.perf_counter()) * 1000))
    try:
        one = search.single()
        if one is not None and max(abs(a) for a in one[0].values()) <= COEFF_BOUND:
            if _check(z3, paths, [one], ms()):
                out.append([one])
        else:       # lexicographic, with small coefficients; then the one linear function, if any
            lex = search.lexicographic(COEFF_BOUND)
            if lex is None:
                lex = _split_lexicographic(z3, paths, deadline, set(guard.fv))
            if lex is not None and _check(z3, paths, lex, ms()):
                out.append(lex)
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


def _split_lexicographic(z3, paths: list, deadline: float, prefer: set, most: int = 3) -> list | None:
    """The greedy lexicographic search, where a path on which no function decreases is split by the
    last level f: the part where f falls (ranked by f, if bounded there) and the part where it stays
    (x = 2*x + y falls only while x + y > 0; the steps with x + y = 0 go to the next level).
    Components as (coefficients, constant), checked on the unsplit paths; or None."""
    left, comps, splits = list(paths), [], 0
    while left:
        search = _Search(z3, left, _path_variables(paths), deadline, prefer)
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
            before = _lin_add(ints, _lin_const(k))
            after = _lin_const(k)
            for v, a in ints.items():
                after = _lin_add(after, p.sigma.get(v, {v: 1}), a)
            q = p.copy()
            if q.add(_le(_lin_add(before, after, -1))):        # f(x) <= f(x'): f stays
                stay.append(q)
            fall = p.copy()
            if fall.add(_le(_lin_add(_lin_add(after, before, -1), _lin_const(1)))) and \
                    not _check(z3, [fall], [comps[-1]], max(1, int((deadline - time.perf_counter()) * 1000))):
                return None
        left = _feasible(z3, stay, max(1, int((deadline - time.perf_counter()) * 1000)))
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
    """Multiphase ranking functions of depth 2 .. ``most`` (``_Search.multiphase``), as lists of
    (coefficients, constant); at most one, the shallowest found."""
    import z3
    deadline = time.perf_counter() + timeout_ms / 1000
    ex = _Exec(specs or {}, deadline)
    try:
        paths = _paths(z3, ex, guard, body, invariant, deadline)
        if not paths:
            return []
        search = _Search(z3, paths, _path_variables(paths), deadline, set(guard.fv))
        for depth in range(2, most + 1):
            comps = search.multiphase(depth)
            if comps is not None:
                return [comps]
    except (_TooMany, _Timeout):
        pass
    return []

