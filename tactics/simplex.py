"""Exact linear programming for Farkas certificates: a phase-one simplex over the rationals.

The kernel's ``linarith`` rule accepts integer multipliers ``k_j`` for facts
``p_j <= 0`` (``k_j > 0``) and ``p_j = 0`` (any sign) whose sum cancels every
monomial and leaves a positive constant. Finding them is a linear feasibility
problem in the ``k_j``: one equation per monomial (the coefficients cancel) and
one for the constant (it is 1, after scaling). Fourier-Motzkin (``linarith.py``)
solves small problems but blows up when ``nlinarith`` adds dozens of product
facts; the simplex method does not. It runs on exact fractions with Bland's
rule (no cycling), and the rational answer is scaled to integers. Nothing here
is trusted: the kernel re-adds the certificate.
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm

MAX_PIVOTS = 3000


def farkas(constraints: list[tuple[dict, bool]]) -> list[int] | None:
    """Integer multipliers proving ``constraints`` contradictory, or None.

    Each constraint is ``(poly, is_eq)``: ``poly`` maps monomials to integer
    coefficients (the constant under the key ``()``) and stands for
    ``poly <= 0``, or ``poly = 0`` when ``is_eq``. The answer ``k`` has one entry
    per constraint (zero for unused ones, ``>= 0`` for inequalities) with
    ``sum k_j * poly_j`` a positive constant.
    """
    # columns: one per constraint, and a second, negated one for an equation (a free multiplier)
    cols: list[tuple[int, int]] = []        # (constraint index, sign)
    for j, (_, is_eq) in enumerate(constraints):
        cols.append((j, 1))
        if is_eq:
            cols.append((j, -1))
    monos = sorted({m for poly, _ in constraints for m in poly if m != ()})
    row_of = {m: i for i, m in enumerate(monos)}
    const_row = len(monos)
    nrows = len(monos) + 1
    # tableau rows: {column: Fraction}, with artificial columns len(cols) + i; rhs separately
    rows: list[dict] = [dict() for _ in range(nrows)]
    rhs = [Fraction(0)] * nrows
    rhs[const_row] = Fraction(1)
    for c, (j, sign) in enumerate(cols):
        for m, v in constraints[j][0].items():
            i = const_row if m == () else row_of[m]
            rows[i][c] = Fraction(sign * v)
    ncols = len(cols)
    basis = []
    for i in range(nrows):
        rows[i][ncols + i] = Fraction(1)
        basis.append(ncols + i)
    # phase one: minimise the sum of the artificial variables; reduced costs of the real columns
    cost: dict = {}
    for i in range(nrows):
        for c, v in rows[i].items():
            if c < ncols:
                cost[c] = cost.get(c, 0) - v
    obj = -sum(rhs)
    for _ in range(MAX_PIVOTS):
        enter = min((c for c, v in cost.items() if v < 0 and c < ncols), default=None)
        if enter is None:
            break
        leave, best = None, None
        for i in range(nrows):
            a = rows[i].get(enter)
            if a is not None and a > 0:
                ratio = rhs[i] / a
                if best is None or ratio < best or (ratio == best and basis[i] < basis[leave]):
                    leave, best = i, ratio
        if leave is None:           # unbounded direction: cannot happen in phase one, but be safe
            return None
        obj = _pivot(rows, rhs, cost, obj, leave, enter)
        basis[leave] = enter
    else:
        return None
    if obj != 0:
        return None
    k = [Fraction(0)] * len(constraints)
    for i, c in enumerate(basis):
        if c < ncols and rhs[i]:
            j, sign = cols[c]
            k[j] += sign * rhs[i]
    scale = 1
    for x in k:
        scale = lcm(scale, x.denominator)
    out = [int(x * scale) for x in k]
    return out if any(out) else None


def _pivot(rows, rhs, cost, obj, r, c):
    """Make column c basic in row r; return the new objective value."""
    piv = rows[r][c]
    row = {k: v / piv for k, v in rows[r].items()}
    rows[r] = row
    rhs[r] = rhs[r] / piv
    for i, other in enumerate(rows):
        if i == r:
            continue
        f = other.get(c)
        if f is None:
            continue
        for k, v in row.items():
            nv = other.get(k, 0) - f * v
            if nv:
                other[k] = nv
            else:
                other.pop(k, None)
        rhs[i] -= f * rhs[r]
    f = cost.get(c)
    if f:
        for k, v in row.items():
            nv = cost.get(k, 0) - f * v
            if nv:
                cost[k] = nv
            else:
                cost.pop(k, None)
        obj -= f * rhs[r]
    return obj
