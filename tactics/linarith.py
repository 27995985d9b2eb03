"""Linear arithmetic over the integers: normalise, decide, certify.

*Normalise*: each fact ``a R b`` becomes ``p + c R' 0`` over monomials (the
kernel's own polynomial normal form, so nonlinear products and applications
are opaque atoms; a strict ``<`` becomes ``+ 1 <= 0``). *Decide*:
Fourier-Motzkin elimination, each derived constraint carrying the integer
combination of facts it came from, and integer tightening (divide by the gcd
of the coefficients, round the constant) as in the omega test's normalisation.
*Certify*: a contradiction becomes the kernel's ``linarith`` certificate; a
tightened constraint is first proved as a formula (``by_contra`` + ``linarith``)
and then divided with ``lin_round``.
"""

from __future__ import annotations

from math import gcd

from kernel import Expr, Int, P, mk
from kernel.arith import comparison, normalize

MAX_CONSTRAINTS = 4000


class LinarithFailed(Exception):
    pass


def to_expr(poly: dict, atoms_rev: list) -> Expr:
    """A term whose normal form is ``poly`` (monomials in a fixed order)."""
    out = None
    for mono in sorted(poly, key=lambda m: (len(m), m)):
        c = poly[mono]
        t = None
        for i in mono:
            t = atoms_rev[i] if t is None else mk("mul", t, atoms_rev[i])
        if t is None:
            t = Int(c)
        elif c == -1:
            t = mk("neg", t)
        elif c != 1:
            t = mk("mul", Int(c), t)
        out = t if out is None else mk("add", out, t)
    return Int(0) if out is None else out


class _Fact:
    __slots__ = ("formula", "proof")

    def __init__(self, formula, proof):
        self.formula, self.proof = formula, proof


def prove_false(facts: list[tuple[Expr, object]]) -> object:
    """A kernel proof of ``false`` from facts [(comparison formula, its proof)], or LinarithFailed."""
    atoms: dict = {}
    base = []
    for f, p in facts:
        try:
            rel, lhs, rhs = comparison(f, "linarith")
        except Exception:
            continue
        poly = dict(normalize(lhs, atoms, "linarith"))
        for m, c in normalize(rhs, atoms, "linarith").items():
            poly[m] = poly.get(m, 0) - c
        const = poly.pop((), 0) + (1 if rel == "lt" else 0)
        poly = {m: c for m, c in poly.items() if c}
        base.append((poly, const, "eq" if rel == "eq" else "le", _Fact(f, p)))
    atoms_rev = [None] * len(atoms)
    for a, i in atoms.items():
        atoms_rev[i] = a
    cons = [(poly, const, kind, {id(fact): 1}) for poly, const, kind, fact in base]
    facts_by_id = {id(fact): fact for _, _, _, fact in base}
    found = _eliminate(cons, facts_by_id, atoms_rev)
    if found is None:
        raise LinarithFailed("linear arithmetic found no contradiction")
    return _certificate(found, facts_by_id)


def _certificate(just: dict, facts_by_id: dict):
    cert = tuple((k, facts_by_id[i].proof) for i, k in just.items() if k)
    return P("linarith", cert)


def _combine(a, ka, b, kb):
    """ka * a + kb * b for constraints (poly, const, kind, just)."""
    poly = dict()
    for m, c in a[0].items():
        poly[m] = poly.get(m, 0) + ka * c
    for m, c in b[0].items():
        poly[m] = poly.get(m, 0) + kb * c
    just = dict()
    for i, c in a[3].items():
        just[i] = just.get(i, 0) + ka * c
    for i, c in b[3].items():
        just[i] = just.get(i, 0) + kb * c
    kind = "eq" if a[2] == b[2] == "eq" else "le"
    return ({m: c for m, c in poly.items() if c}, ka * a[1] + kb * b[1], kind, {i: c for i, c in just.items() if c})


def _contradiction(c):
    poly, const, kind, just = c
    if poly:
        return None
    if kind == "le" and const > 0:
        return just
    if kind == "eq" and const != 0:
        return just if const > 0 else {i: -k for i, k in just.items()}
    return None


def _tighten(c, facts_by_id, atoms_rev):
    """Divide an inequality by the gcd of its coefficients, rounding the constant (lin_round)."""
    poly, const, kind, just = c
    if kind != "le" or not poly:
        return c
    g = 0
    for v in poly.values():
        g = gcd(g, abs(v))
    if g <= 1 or const % g == 0:
        return c
    # Prove the constraint as a formula, then divide it in the kernel.
    lhs = to_expr(poly, atoms_rev)
    formula = mk("le", lhs, Int(-const))
    h = "_lin"
    cert = tuple((k, facts_by_id[i].proof) for i, k in just.items()) + ((1, P("hyp", h)),)
    proof = P("by_contra", h, formula, P("linarith", cert))
    new_poly = {m: v // g for m, v in poly.items()}
    new_const = -((-const) // g)
    concl = mk("le", to_expr(new_poly, atoms_rev), Int(-new_const))
    fact = _Fact(concl, P("lin_round", proof, g, concl))
    facts_by_id[id(fact)] = fact
    return (new_poly, new_const, "le", {id(fact): 1})


def _normal(c, facts_by_id, atoms_rev) -> list:
    """Tighten an inequality; an equation without integer solutions becomes two tightened inequalities."""
    g = 0
    for v in c[0].values():
        g = gcd(g, abs(v))
    if c[2] == "eq" and g > 1 and c[1] % g:
        # p = 0 with no integer solution: use p <= 0 and -p <= 0, each tightened
        return [_tighten((c[0], c[1], "le", c[3]), facts_by_id, atoms_rev),
                _tighten(({m: -v for m, v in c[0].items()}, -c[1], "le", {i: -k for i, k in c[3].items()}),
                         facts_by_id, atoms_rev)]
    return [_tighten(c, facts_by_id, atoms_rev)]


def _eliminate(cons, facts_by_id, atoms_rev):
    cons = [d for c in cons for d in _normal(c, facts_by_id, atoms_rev)]
    while True:
        for c in cons:
            j = _contradiction(c)
            if j is not None:
                return j
        monos = set()
        for c in cons:
            monos |= set(c[0])
        if not monos:
            return None
        # Use an equality to eliminate a monomial if there is one.
        eq = next((c for c in cons if c[2] == "eq" and c[0]), None)
        if eq is not None:
            m = min(eq[0], key=lambda k: abs(eq[0][k]))
            a = eq[0][m]
            out = []
            for c in cons:
                if c is eq:
                    continue
                b = c[0].get(m, 0)
                if b == 0:
                    out.append(c)
                    continue
                # |a| * c - sign(a) * b * eq  cancels m and keeps c's multiplier positive
                sa = 1 if a > 0 else -1
                out.extend(_normal(_combine(c, abs(a), eq, -sa * b), facts_by_id, atoms_rev))
            cons = out
            continue
        # the omega test's exact elimination first: when m has coefficient 1 in all its lower
        # bounds or in all its upper bounds, the rational shadow is the integer one, so the
        # tightening of what remains loses no integer reasoning (x = 2q + r, 0 <= r <= 1 ...
        # eliminates r before q)
        best = None
        for m in monos:
            ups = [c[0][m] for c in cons if c[0].get(m, 0) > 0]
            los = [-c[0][m] for c in cons if c[0].get(m, 0) < 0]
            pos, neg = len(ups), len(los)
            exact = all(k == 1 for k in ups) or all(k == 1 for k in los)
            cost = (not exact, pos * neg - pos - neg)
            if best is None or cost < best[0]:
                best = (cost, m)
        m = best[1]
        pos = [c for c in cons if c[0].get(m, 0) > 0]
        neg = [c for c in cons if c[0].get(m, 0) < 0]
        rest = [c for c in cons if c[0].get(m, 0) == 0]
        for p in pos:
            for n in neg:
                a, b = p[0][m], -n[0][m]
                g = gcd(a, b)
                rest.extend(_normal(_combine(p, b // g, n, a // g), facts_by_id, atoms_rev))
                if len(rest) > MAX_CONSTRAINTS:
                    raise LinarithFailed("linear arithmetic gave up: too many constraints")
        cons = _dedupe(rest)


def _dedupe(cons):
    seen = {}
    for c in cons:
        key = (tuple(sorted(c[0].items())), c[2])
        old = seen.get(key)
        if old is None or c[1] > old[1]:      # larger constant = stronger  p + c <= 0
            seen[key] = c
    return list(seen.values())

