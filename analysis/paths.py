"""One iteration of a loop as linear paths: symbolic execution over-approximated into linear arithmetic.

``loop_paths(z3, ex, guard, body, invariant, deadline)`` executes ``body`` from ``invariant and guard``:
each path is a conjunction of linear constraints over the pre-state variables and fresh unknowns
(``#n``), with each variable's post-state value a linear expression over those (see the method in
analysis/ranking.py). ``check_ranking`` checks a (lexicographic) linear ranking function on paths over
the integers.
"""

from __future__ import annotations

from kernel import Expr, Int, mk
from kernel.expr import postorder

from .linear import (CONST, Lin, Script, con_text, const_of, eq0, is_const, le0, lin_add, lin_const,
                     lin_scale, solver)
from .budget import clock

MAX_PATHS = 64      # more feasible paths than this and the loop is given up on


class TooMany(Exception):
    pass


class Timeout(Exception):
    pass


# ---- symbolic execution into paths ---------------------------------------------------------------

class Path:
    __slots__ = ("sigma", "cons", "bounds", "memo")

    def __init__(self, sigma: dict, cons: list, bounds: dict | None = None, memo: dict | None = None):
        self.sigma = sigma      # program variable -> Lin over pre-state variables and fresh unknowns
        self.cons = cons        # constraints (conjunction)
        self.bounds = {} if bounds is None else bounds   # variable part -> tightest constant (cheap refutation)
        self.memo = {} if memo is None else memo         # term -> (value, the sigma entries it read)

    def copy(self) -> Path:
        return Path(dict(self.sigma), list(self.cons), dict(self.bounds), dict(self.memo))

    def add(self, c) -> bool:
        """Add a constraint; False if it is trivially false, or contradicts an earlier one outright
        (a.u + k1 <= 0 and -a.u + k2 <= 0 with k1 + k2 > 0)."""
        if c is True:
            return True
        if c is False:
            return False
        kind, a = c
        k = const_of(a)
        key = tuple(sorted((v, n) for v, n in a.items() if v != CONST))
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


class Exec:
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
        if clock() > self.deadline:
            raise Timeout()
        if len(paths) > self.max_paths:
            import z3
            ms = int((self.deadline - clock()) * 1000)
            live = {id(p) for p in feasible(z3, [x[1] if isinstance(x, tuple) else x for x in paths], ms)}
            paths = [x for x in paths if id(x[1] if isinstance(x, tuple) else x) in live]
            if len(paths) > self.max_paths:
                raise TooMany()
        return paths

    # terms: a list of (value, path) alternatives, together exhaustive
    def term(self, t: Expr, p: Path) -> list:
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

    def _term(self, t: Expr, p: Path) -> list:
        op, a = t.op, t.args
        if op == "int":
            return [(lin_const(t.data), p)]
        if op == "var":
            return [(p.sigma.get(t.data, {t.data: 1}), p)]
        if op in ("add", "sub"):
            k = 1 if op == "add" else -1
            return self._tick([(lin_add(x, y, k), q) for x, p1 in self.term(a[0], p)
                               for y, q in self.term(a[1], p1)])
        if op == "neg":
            return [(lin_scale(x, -1), q) for x, q in self.term(a[0], p)]
        if op == "mul":
            out = []
            for x, p1 in self.term(a[0], p):
                for y, q in self.term(a[1], p1):
                    if is_const(x):
                        out.append((lin_scale(y, const_of(x)), q))
                    elif is_const(y):
                        out.append((lin_scale(x, const_of(y)), q))
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

    def _cases(self, cases: list, p: Path) -> list:
        out = []
        for cond, val in cases:
            for q in self.assume(cond, p.copy(), True):
                out.extend(self.term(val, q))
        return out

    def _divmod(self, op: str, x: Lin, y: Lin, p: Path) -> list:
        """x / y or x % y (floor division, x / 0 = 0, x % 0 = x)."""
        if is_const(y):
            c = const_of(y)
            if c == 0:
                return [({} if op == "div" else x, p)]
            if is_const(x):
                k = const_of(x)
                return [(lin_const(k // c if op == "div" else k % c), p)]
            out = []
            # x = c*q + m with m in [0, c-1] (c > 0) or [c+1, 0] (c < 0); q = 0 exactly when x is in
            # range, which is the common case (unsigned wraparound that does not wrap): split on it.
            lo, hi = (0, c - 1) if c > 0 else (c + 1, 0)
            inside = p.copy()
            if inside.add(le0(lin_add(lin_const(lo), x, -1))) and inside.add(le0(lin_add(x, lin_const(-hi)))):
                out.append(({} if op == "div" else x, inside))
            for side in (-1, 1):          # q <= -1 or q >= 1
                q = p.copy()
                qv = self.fresh()
                m = lin_add(x, qv, -c)
                ok = (q.add(le0(lin_add(lin_const(lo), m, -1))) and q.add(le0(lin_add(m, lin_const(-hi))))
                      and q.add(le0(lin_add(lin_scale(qv, -side), lin_const(1)))))
                if ok:
                    out.append((qv if op == "div" else m, q))
            return out
        if op == "div":
            return [(self.fresh(), p)]
        # x % y, y not constant: y > 0 -> 0 <= m < y; y < 0 -> y < m <= 0; y = 0 -> m = x
        out = []
        m = self.fresh()
        q = p.copy()
        if q.add(le0(lin_add(lin_const(1), y, -1))) and q.add(le0(lin_scale(m, -1))) and \
                q.add(le0(lin_add(lin_add(m, y, -1), lin_const(1)))):
            out.append((m, q))
        q = p.copy()
        if q.add(le0(lin_add(y, lin_const(1)))) and q.add(le0(m)) and \
                q.add(le0(lin_add(lin_add(y, m, -1), lin_const(1)))):
            out.append((m, q))
        q = p.copy()
        if q.add(eq0(y)):
            out.append((x, q))
        return out

    # formulas: the paths (refinements of p) on which f holds (positive) or fails
    def assume(self, f: Expr, p: Path, positive: bool = True) -> list:
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
                    d = lin_add(x, y, -1)        # x - y
                    if op == "eq" and not positive:
                        for s in (1, -1):        # x < y or x > y
                            r = q.copy()
                            if r.add(le0(lin_add(lin_scale(d, s), lin_const(1)))):
                                out.append(r)
                        continue
                    if op == "eq":
                        c = eq0(d)
                    elif op == "lt":            # x < y: d + 1 <= 0;  not: y <= x: -d <= 0
                        c = le0(lin_add(d, lin_const(1))) if positive else le0(lin_scale(d, -1))
                    else:                       # x <= y: d <= 0;  not: y < x: -d + 1 <= 0
                        c = le0(d) if positive else le0(lin_add(lin_scale(d, -1), lin_const(1)))
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


def path_text(sc: Script, p: Path) -> str:
    return "(and " + " ".join(con_text(c) for c in p.cons) + " true)" if p.cons else "true"


def _path_script(p: Path) -> Script:
    sc = Script("Int")
    for c in p.cons:
        sc.declare(v for v in c[1] if v != CONST)
    return sc


def feasible(z3, paths: list, timeout_ms: int) -> list:
    """The paths satisfiable over the integers (unknown counts as satisfiable)."""
    s = solver(z3, timeout_ms)
    out = []
    for p in paths:
        sc = _path_script(p)
        sc.add(path_text(sc, p))
        s.push()
        s.add(z3.parse_smt2_string(sc.text()))
        if s.check() != z3.unsat:
            out.append(p)
        s.pop()
    return out


def check_ranking(z3, paths: list, comps: list, timeout_ms: int) -> bool:
    """Is comps (a list of (coeffs, const), or (coeffs, const, True) for the clipped component
    max(coeffs.x + const + 1, 0) of a phase) a lexicographic ranking function of every path, over the
    integers? (The definition in analysis/ranking.py.)"""
    s = solver(z3, timeout_ms)
    for p in paths:
        sc = _path_script(p)
        pre, post = [], []
        for ints, k, *clip in comps:
            e: Lin = lin_const(k)
            for v, a in ints.items():
                e = lin_add(e, p.sigma.get(v, {v: 1}), a)
            before, after = sc.lin(lin_add(ints, lin_const(k))), sc.lin(e)
            if clip and clip[0]:
                before, after = (f"(ite (>= {t} 0) (+ {t} 1) 0)" for t in (before, after))
            pre.append(before)
            post.append(after)
        alts = []
        for i in range(len(comps)):
            parts = [f"(<= {post[j]} {pre[j]})" for j in range(i)] + [f"(>= {pre[i]} 0)", f"(< {post[i]} {pre[i]})"]
            alts.append("(and " + " ".join(parts) + ")")
        sc.add(path_text(sc, p))
        sc.add("(not (or " + " ".join(alts) + "))")
        s.push()
        s.add(z3.parse_smt2_string(sc.text()))
        r = s.check()
        s.pop()
        if r != z3.unsat:
            return False
    return True


# Linear expressions over the LP's unknowns (coefficients c!v, c0, multipliers): {name: Fraction}.

def paths_of(guard: Expr, body: Expr, invariant: Expr | None, specs: dict, timeout_ms: int = 2000,
             max_paths: int = MAX_PATHS) -> list | None:
    """The feasible paths of one iteration (for tests and debugging); None if there are too many."""
    import z3
    deadline = clock() + timeout_ms / 1000
    ex = Exec(specs or {}, deadline, max_paths)
    try:
        return loop_paths(z3, ex, guard, body, invariant, deadline)
    except (TooMany, Timeout):
        return None


def loop_paths(z3, ex: Exec, guard, body, invariant, deadline) -> list:
    start = [Path({}, [])]
    if invariant is not None:
        start = [q for p in start for q in ex.assume(invariant, p, True)]
    start = [q for p in start for q in ex.assume(guard, p, True)]
    if len(start) > 4:
        start = feasible(z3, start, max(1, int((deadline - clock()) * 1000)))
    paths = ex.run(body, start)
    for p in paths:
        p.cons = _tightest(p.cons)
    return feasible(z3, paths, max(1, int((deadline - clock()) * 1000)))


def _tightest(cons: list) -> list:
    """Of the inequalities a.u + k <= 0 with the same a, only the one with the largest k."""
    best: dict = {}
    for kind, a in cons:
        if kind == "le":
            key = frozenset((v, n) for v, n in a.items() if v != CONST)
            best[key] = max(best.get(key, const_of(a)), const_of(a))
    out, seen = [], set()
    for kind, a in cons:
        if kind == "le":
            key = frozenset((v, n) for v, n in a.items() if v != CONST)
            if key in seen or const_of(a) != best[key]:
                continue
            seen.add(key)
        out.append((kind, a))
    return out


def path_variables(paths: list) -> list:
    """The variables the paths' states and constraints speak of (not the constant, not '#' names)."""
    names: set = set()
    for p in paths:
        names.update(p.sigma)
        for lin in p.sigma.values():
            names.update(lin)
        for c in p.cons:
            names.update(c[1])
    return sorted(v for v in names if v != CONST and not v.startswith("#"))
