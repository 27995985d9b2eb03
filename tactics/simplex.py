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
from math import gcd, lcm

MAX_PIVOTS = 3000


def farkas(constraints: list[tuple[dict, bool]]) -> list[int] | None:
    """Integer multipliers proving ``constraints`` contradictory, or None.

    Each constraint is ``(poly, is_eq)``: ``poly`` maps monomials to integer
    coefficients (the constant under the key ``()``) and stands for
    ``poly <= 0``, or ``poly = 0`` when ``is_eq``. The answer ``k`` has one entry
    per constraint (zero for unused ones, ``>= 0`` for inequalities) with
    ``sum k_j * poly_j`` a positive constant.

    The tableau is kept in integers (each row scaled by a positive factor and
    divided by the gcd of its entries), which is much faster than fractions.
    """
    # columns: one per constraint, and a second, negated one for an equation (a free multiplier)
    cols: list[tuple[int, int]] = []        # (constraint index, sign)
    for j, (_, is_eq) in enumerate(constraints):
        cols.append((j, 1))
        if is_eq:
            cols.append((j, -1))
    monos = list(dict.fromkeys(m for poly, _ in constraints for m in poly if m != ()))
    row_of = {m: i for i, m in enumerate(monos)}
    const_row = len(monos)
    nrows = len(monos) + 1
    # rows: {column: int}, the right-hand side under RHS; artificial columns are ncols + i
    rows: list[dict] = [dict() for _ in range(nrows)]
    rows[const_row][RHS] = 1
    for c, (j, sign) in enumerate(cols):
        for m, v in constraints[j][0].items():
            i = const_row if m == () else row_of[m]
            rows[i][c] = sign * v
    ncols = len(cols)
    basis = []
    for i in range(nrows):
        rows[i][ncols + i] = 1
        basis.append(ncols + i)
    # phase one: minimise the sum of the artificial variables. The cost row holds the reduced
    # costs of the real columns and, under RHS, minus the objective (all scaled by a positive factor).
    cost: dict = {}
    for i in range(nrows):
        for c, v in rows[i].items():
            if c < ncols or c == RHS:
                cost[c] = cost.get(c, 0) - v
    for _ in range(MAX_PIVOTS):
        enter = min((c for c, v in cost.items() if v < 0 and 0 <= c < ncols), default=None)
        if enter is None:
            break
        leave = None
        for i in range(nrows):
            a = rows[i].get(enter, 0)
            if a > 0:
                if leave is None:
                    leave = i
                    continue
                # rhs_i / a < rhs_l / a_l, or a tie broken by the smaller basic column (Bland)
                lhs, rhs_ = rows[i].get(RHS, 0) * rows[leave][enter], rows[leave].get(RHS, 0) * a
                if lhs < rhs_ or (lhs == rhs_ and basis[i] < basis[leave]):
                    leave = i
        if leave is None:           # unbounded direction: cannot happen in phase one, but be safe
            return None
        _pivot(rows, cost, leave, enter)
        basis[leave] = enter
    else:
        return None
    if cost.get(RHS, 0) != 0:
        return None
    k = [Fraction(0)] * len(constraints)
    for i, c in enumerate(basis):
        v = rows[i].get(RHS, 0)
        if c < ncols and v:
            j, sign = cols[c]
            k[j] += Fraction(sign * v, rows[i][c])
    scale = 1
    for x in k:
        scale = lcm(scale, x.denominator)
    out = [int(x * scale) for x in k]
    return out if any(out) else None


RHS = -1


def _reduce(row: dict) -> dict:
    g = 0
    for v in row.values():
        g = gcd(g, v)
        if g == 1:
            return row
    return {k: v // g for k, v in row.items()} if g > 1 else row


def _pivot(rows, cost, r, c):
    """Make column c basic in row r (its coefficient there stays positive, not 1)."""
    prow = rows[r]
    p = prow[c]
    for i, other in enumerate(rows):
        if i == r:
            continue
        f = other.get(c)
        if not f:
            continue
        new = {k: p * v for k, v in other.items()}
        for k, v in prow.items():
            nv = new.get(k, 0) - f * v
            if nv:
                new[k] = nv
            else:
                new.pop(k, None)
        rows[i] = _reduce(new)
    f = cost.get(c)
    if f:
        new = {k: p * v for k, v in cost.items()}
        for k, v in prow.items():
            nv = new.get(k, 0) - f * v
            if nv:
                new[k] = nv
            else:
                new.pop(k, None)
        cost.clear()
        cost.update(_reduce(new))
