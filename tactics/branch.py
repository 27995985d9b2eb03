"""Branch and bound: integer case splits where the rational relaxation has a solution.

Linear arithmetic with rounding (``linarith.py``) refutes what the rationals refute plus what
dividing by a common factor adds; ``6 * x + 7 * y = 5`` with ``x, y >= 0`` has the rational
solution ``x = 5/6, y = 0`` and no integer one. As Coq's ``lia`` (and the branch-and-bound
fallback of Lean's ``omega``) does, this module:

*Decides* a point of the rational relaxation: Fourier-Motzkin projection onto the first
variables, then back-substitution, choosing at each variable an integer inside its interval when
there is one. The first variable whose interval holds no integer is the split: its value ``v``
gives the two cases ``t <= floor(v)`` and ``t >= floor(v) + 1``.

*Certifies* nothing itself: the split is the tableau's classical case split on ``t <= k`` (each
branch refuted by the kernel's ``linarith`` or a further split), so a bad choice costs time only.
Atoms are the monomials of the kernel's polynomial normal form (``x * y`` is one unknown here),
which is sound for the split because every such monomial is an integer.
"""

from __future__ import annotations

from fractions import Fraction
from math import ceil, floor

from kernel import Expr, KernelError
from kernel.arith import comparison, normalize

MAX_ROWS = 400


def _rows(facts):
    atoms: dict = {}
    rows = []
    for f, _ in facts:
        try:
            rel, lhs, rhs = comparison(f, "branch")
        except KernelError:
            continue
        try:
            poly = dict(normalize(lhs, atoms, "branch"))
            for m, c in normalize(rhs, atoms, "branch").items():
                poly[m] = poly.get(m, 0) - c
        except KernelError:
            continue
        const = poly.pop((), 0) + (1 if rel == "lt" else 0)
        poly = {m: Fraction(c) for m, c in poly.items() if c}
        rows.append((poly, Fraction(const)))
        if rel == "eq":
            rows.append(({m: -c for m, c in poly.items()}, Fraction(-const)))
    return rows, atoms


def split_point(facts) -> tuple[Expr, int] | None:
    """(t, k): split on t <= k, t a monomial of the facts whose value in a point of the rational
    relaxation lies strictly between k and k + 1; None if the point is integral (or too costly)."""
    rows, atoms = _rows(facts)
    monos = sorted({m for poly, _ in rows for m in poly}, key=lambda m: (len(m), m))
    if not monos or len(monos) > 12:
        return None
    # projections: stages[i] holds the rows over monos[:i+1]
    stages = [None] * len(monos)
    cur = rows
    for i in range(len(monos) - 1, -1, -1):
        stages[i] = cur
        m = monos[i]
        pos = [r for r in cur if r[0].get(m, 0) > 0]
        neg = [r for r in cur if r[0].get(m, 0) < 0]
        nxt = [r for r in cur if r[0].get(m, 0) == 0]
        for p in pos:
            for n in neg:
                a, b = p[0][m], -n[0][m]
                poly = {}
                for k, v in p[0].items():
                    poly[k] = poly.get(k, 0) + b * v
                for k, v in n[0].items():
                    poly[k] = poly.get(k, 0) + a * v
                poly = {k: v for k, v in poly.items() if v}
                nxt.append((poly, b * p[1] + a * n[1]))
                if len(nxt) > MAX_ROWS:
                    return None
        cur = nxt
    if any(not poly and c > 0 for poly, c in cur):
        return None                     # infeasible over the rationals: linear arithmetic's job
    value: dict = {}
    for i, m in enumerate(monos):
        lo, hi = None, None
        for poly, c in stages[i]:
            a = poly.get(m, 0)
            if not a:
                continue
            rest = c + sum(v * value[k] for k, v in poly.items() if k != m)
            bound = -rest / a           # a * x + rest <= 0
            if a > 0:
                hi = bound if hi is None else min(hi, bound)
            else:
                lo = bound if lo is None else max(lo, bound)
        if lo is not None and hi is not None and lo > hi:
            return None
        if lo is None and hi is None:
            v = Fraction(0)
        elif lo is None:
            v = Fraction(min(0, floor(hi)))
        elif hi is None:
            v = Fraction(max(0, ceil(lo)))
        elif ceil(lo) <= floor(hi):
            v = Fraction(min(max(0, ceil(lo)), floor(hi)))
        else:
            rev = {j: t for t, j in atoms.items()}
            t = None
            from kernel import mk
            for j in m:
                t = rev[j] if t is None else mk("mul", t, rev[j])
            return t, floor(lo)
        value[m] = v
    return _spatial(facts, rows, monos, value, atoms)


def _spatial(facts, rows, monos, value, atoms):
    """The point is integral: for a square ``x * x`` whose value is not the square of x's, a
    split of x at the integer square root (``x <= s``, then ``x <= -s - 1``, then around x's value)
    that the facts do not have yet."""
    from math import isqrt

    from kernel import Int, mk
    have = {f for f, _ in facts} | {f.args[0] for f, _ in facts if f.op == "not"}
    rev = {j: t for t, j in atoms.items()}
    for m in monos:
        if len(m) >= 2 and m[0] != m[1]:
            # a product of distinct atoms: their signs first, then whether they are +-1
            want = 1
            for a in m:
                want *= value.get((a,), Fraction(0))
            if want != value.get(m, Fraction(0)):
                for k in (0, -1, 1, -2):
                    for a in m:
                        if mk("le", rev[a], Int(k)) not in have:
                            return rev[a], k
            continue
        if len(m) != 2:
            continue
        v = value.get(m, Fraction(0))
        u = value.get((m[0],), Fraction(0))
        if u * u == v:
            continue
        s = isqrt(max(int(v), 0))
        x = rev[m[0]]
        for k in (s, -s - 1, int(u) - 1, int(u)):
            if mk("le", x, Int(k)) not in have:
                return x, k
    return None
