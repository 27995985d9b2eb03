"""Farkas' lemma for linear ranking functions over linear paths, and the LPs that search for them
(linear, one level of a lexicographic function, multiphase), solved by z3 over the rationals.
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd

from .linear import CONST, Script, ceil_div, lin_add, smt_name, smt_sum
from .paths import Path, Timeout
from .budget import clock

COEFF_BOUND = 1000  # |coefficient| bound per level of a lexicographic search (in LP units)
_C0_WEIGHT = 1000   # in the LP's objective, the constant weighs this much more than a coefficient


def _u(*pairs) -> dict:
    out: dict = {}
    for k, v in pairs:
        if v:
            out[k] = out.get(k, 0) + v
    return out


class Farkas:
    """Farkas' lemma for one path: 'the path implies g.u <= h' as linear constraints on the unknowns."""

    def __init__(self, path: Path, pre: list, tag: str):
        self.path = path
        self.pre = pre
        self.tag = tag
        self.k = 0
        self.diff = {}          # v -> sigma(v) - v, the change of v along the path
        for v in pre:
            d = lin_add(path.sigma.get(v, {v: 1}), {v: 1}, -1)
            if d:
                self.diff[v] = d

    def implies(self, sc: Script, g: dict, h: dict) -> str:
        """g: path variable -> unknowns-expression, h: unknowns-expression. Returns a conjunction."""
        self.k += 1
        cols: dict = {}
        rhs: dict = {}
        parts = []
        for i, (kind, a) in enumerate(self.path.cons):
            m = f"m!{self.tag}!{self.k}!{i}"
            sc.declare([m])
            if kind == "le":
                parts.append(f"(>= {smt_name(m)} 0)")
            for v, c in a.items():
                if v == CONST:
                    rhs[m] = rhs.get(m, 0) - c
                else:
                    cols.setdefault(v, {})[m] = c
        for v in set(cols) | set(g):
            parts.append(f"(= {sc.lin(cols.get(v, {}))} {sc.lin(g.get(v, {}))})")
        parts.append(f"(<= {sc.lin(rhs)} {sc.lin(h)})")
        return "(and " + " ".join(parts) + ")"

    def decrease(self, sc: Script, c: dict, delta: dict) -> str:
        """The path implies r(x) - r(x') >= delta, for r = c.x (+ any constant); c: v -> unknowns-expr."""
        g: dict = {}
        h = {k: -q for k, q in delta.items()}
        for v, d in self.diff.items():
            for u, a in d.items():
                target = h if u == CONST else g.setdefault(u, {})
                for k, q in c[v].items():
                    target[k] = target.get(k, 0) + (-a * q if u == CONST else a * q)
        return self.implies(sc, g, h)

    def step(self, sc: Script, before: dict, after: dict, h: dict) -> str:
        """The path implies after.x' - before.x <= h, for after, before: v -> unknowns-expr (the
        functions of two pieces of a piecewise ranking function, at the post- and the pre-state)."""
        g: dict = {}
        h = dict(h)
        for v, cs in after.items():
            for u, a in self.path.sigma.get(v, {v: 1}).items():
                target = h if u == CONST else g.setdefault(u, {})
                for k, q in cs.items():
                    target[k] = target.get(k, 0) + (-a * q if u == CONST else a * q)
        for v, cs in before.items():
            for k, q in cs.items():
                g.setdefault(v, {})[k] = g.get(v, {}).get(k, 0) - q
        return self.implies(sc, g, h)

    def phase(self, sc: Script, c: dict, prev: dict, prev0: dict) -> str:
        """The path implies f(x) - f(x') + g(x) >= 1, for f = c.x (+ any constant) and g = prev.x + prev0
        (the condition linking phase i to phase i - 1 of a multiphase ranking function)."""
        g: dict = {}
        h = dict(prev0)
        h[CONST] = h.get(CONST, 0) - 1
        for v, d in self.diff.items():
            for u, a in d.items():
                target = h if u == CONST else g.setdefault(u, {})
                for k, q in c[v].items():
                    target[k] = target.get(k, 0) + (-a * q if u == CONST else a * q)
        for v in self.pre:
            for k, q in prev[v].items():
                g.setdefault(v, {})[k] = g.get(v, {}).get(k, 0) - q
        return self.implies(sc, g, h)

    def bounded(self, sc: Script, c: dict, c0: dict) -> str:
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
    k = ceil_div((c0 * den).numerator, (c0 * den).denominator)
    g = 0
    for n in ints.values():
        g = gcd(g, n)
    if g > 1:
        ints = {v: n // g for v, n in ints.items()}
        k = ceil_div(k, g)
    return ints, k


class Search:
    """The LPs over the paths' Farkas constraints."""

    def __init__(self, z3, paths: list, pre: list, deadline: float, prefer: set = frozenset()):
        self.z3 = z3
        self.paths = paths
        self.pre = pre
        self.deadline = deadline
        self.prefer = prefer        # variables whose coefficients cost less (the guard's)
        self.fk = [Farkas(p, pre, f"{i}") for i, p in enumerate(paths)]
        self.lps = 0

    def _remaining_ms(self) -> int:
        ms = int((self.deadline - clock()) * 1000)
        if ms <= 0:
            raise Timeout()
        return ms

    def solve(self, sc: Script, objectives: list, soft: list = ()) -> dict | None:
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
                self._remaining_ms()        # raise Timeout if that was the reason
            return None
        m = opt.model()
        out = {}
        for d in m.decls():         # the coefficients, the constant and the soft choices; not the multipliers
            n = d.name()
            if n[0] in "cs":
                out[n] = m[d]
        return out

    def real(self, m: dict, name: str) -> Fraction:
        v = m.get(name)
        return Fraction(0) if v is None else _value(self.z3, v)

    def _coeffs(self) -> dict:
        return {v: {f"c!{v}": 1} for v in self.pre}

    def _l1(self, sc: Script, bound) -> str:
        """The weighted sum of |c_v| (guard variables weigh 1, others 2), each |c_v| <= bound."""
        terms = []
        for v in self.pre:
            a, c = f"a!{v}", f"c!{v}"
            sc.declare([a, c])
            sc.add(f"(>= {smt_name(a)} {smt_name(c)})")
            sc.add(f"(>= {smt_name(a)} (- {smt_name(c)}))")
            if bound is not None:
                sc.add(f"(<= {smt_name(a)} {bound})")
            terms.append(smt_name(a) if v in self.prefer else f"(* 2 {smt_name(a)})")
        return smt_sum(terms)

    def constant(self, ints: dict, idx: list, dec: list, bounded: bool = True) -> int | None:
        """With the coefficients fixed: the least constant c0 >= 0 such that c.x + c0 is non-increasing
        on the paths idx and decreasing (and, if ``bounded``, bounded) on dec; None if the
        coefficients do not do."""
        sc = Script("Real")
        c = {v: _u((CONST, ints.get(v, 0))) for v in self.pre}
        sc.declare(["c0"])
        sc.add("(>= |c0| 0)")
        for i in idx:
            sc.add(self.fk[i].decrease(sc, c, _u((CONST, 1 if i in dec else 0))))
        for i in dec if bounded else ():
            sc.add(self.fk[i].bounded(sc, c, {"c0": 1}))
        m = self.solve(sc, ["|c0|"])
        if m is None:
            return None
        q = self.real(m, "c0")
        return ceil_div(q.numerator, q.denominator)

    def _round(self, coeffs: dict, idx: list, dec: list, c0: Fraction | None = None,
               bounded: bool = True) -> tuple[dict, int] | None:
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
                k = self.constant(ints, idx, dec, bounded)
            if k is not None:
                return ints, k
        ints, _ = _integral(coeffs, Fraction(0))
        if ints in tried:
            return None
        k = self.constant(ints, idx, dec, bounded)
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
        return ceil_div(k.numerator, k.denominator)

    def level(self, idx: list, bound, bounded: bool = True) -> tuple[dict, int, list] | None:
        """A linear function non-increasing on the paths idx, and bounded (unless not ``bounded``) +
        decreasing on as many as possible (z3 Optimize: soft constraints, then a small constant and
        small coefficients): (coefficients, constant, the indices where it decreases), or None."""
        sc = Script("Real")
        c = self._coeffs()
        sc.declare(["c0"])
        sc.add("(>= |c0| 0)")
        soft = []
        for i in idx:
            fk = self.fk[i]
            d, s = f"d!{i}", f"s!{i}"
            sc.declare([d])
            sc.declare([s], "Bool")
            sc.add(f"(>= {smt_name(d)} 0)")
            sc.add(fk.decrease(sc, c, {d: 1}))
            below = fk.bounded(sc, c, {'c0': 1}) if bounded else "true"
            sc.add(f"(=> {smt_name(s)} (and (>= {smt_name(d)} 1) {below}))")
            soft.append(smt_name(s))
        m = self.solve(sc, [f"(+ (* {_C0_WEIGHT} |c0|) {self._l1(sc, bound)})"], soft)
        if m is None:
            return None
        dec = [i for i in idx if self.z3.is_true(m.get(f"s!{i}", self.z3.BoolVal(False)))]
        if not dec:
            return None
        r = self._round({v: self.real(m, f"c!{v}") for v in self.pre}, idx, dec, self.real(m, "c0"), bounded)
        return None if r is None else (*r, dec)

    def single(self, bound=None) -> tuple[dict, int] | None:
        """A linear ranking function for all paths at once."""
        sc = Script("Real")
        c = self._coeffs()
        sc.declare(["c0"])
        sc.add("(>= |c0| 0)")
        for fk in self.fk:
            sc.add(fk.decrease(sc, c, _u((CONST, 1))))
            sc.add(fk.bounded(sc, c, {"c0": 1}))
        m = self.solve(sc, [f"(+ (* {_C0_WEIGHT} |c0|) {self._l1(sc, bound)})"])
        if m is None:
            return None
        every = list(range(len(self.paths)))
        return self._round({v: self.real(m, f"c!{v}") for v in self.pre}, every, every, self.real(m, "c0"))

    def multiphase(self, depth: int) -> list | None:
        """A multiphase ranking function (f1, ..., fk) of every path (Ben-Amram and Genaim, 2017): f1
        drops by at least 1, each f_i by at least 1 - f_{i-1}(x), and fk >= 0. The LP is solved over
        the rationals and scaled to integers as a whole (the conditions are kept by a factor >= 1,
        and by rounding the constants up). Components as (coefficients, constant), or None."""
        sc = Script("Real")
        cs = [{v: {f"c{i}!{v}": 1} for v in self.pre} for i in range(depth)]
        c0s = [f"c0{i}" for i in range(depth)]
        sc.declare(c0s)
        for fk in self.fk:
            sc.add(fk.decrease(sc, cs[0], _u((CONST, 1))))
            for i in range(1, depth):
                sc.add(fk.phase(sc, cs[i], cs[i - 1], {c0s[i - 1]: 1}))
            sc.add(fk.bounded(sc, cs[-1], {c0s[-1]: 1}))
        terms = []
        for i in range(depth):
            for v in self.pre:
                a, c = f"a{i}!{v}", f"c{i}!{v}"
                sc.declare([a, c])
                sc.add(f"(>= {smt_name(a)} {smt_name(c)})")
                sc.add(f"(>= {smt_name(a)} (- {smt_name(c)}))")
                sc.add(f"(<= {smt_name(a)} {COEFF_BOUND})")
                terms.append(smt_name(a))
            a0 = f"a0{i}"
            sc.declare([a0])
            sc.add(f"(>= {smt_name(a0)} {smt_name(c0s[i])})")
            sc.add(f"(>= {smt_name(a0)} (- {smt_name(c0s[i])}))")
            terms.append(smt_name(a0))
        m = self.solve(sc, [smt_sum(terms)])
        if m is None:
            return None
        vals = [{v: self.real(m, f"c{i}!{v}") for v in self.pre} for i in range(depth)]
        consts = [self.real(m, c0) for c0 in c0s]
        den = 1
        for q in [q for comp in vals for q in comp.values()] + consts:
            den = den * q.denominator // gcd(den, q.denominator)
        comps = []
        for comp, k in zip(vals, consts):
            ints = {v: int(q * den) for v, q in comp.items() if q}
            comps.append((ints, ceil_div((k * den).numerator, (k * den).denominator)))
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
