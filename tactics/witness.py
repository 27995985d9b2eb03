"""Witnesses for existentials: which terms to instantiate a universal fact with.

In a refutation the goal ``exists k, P(k)`` is the fact ``forall k, not P(k)``, and a
divisibility or parity hypothesis ``a | b`` is opened to ``b = x * a`` with a fresh ``x``.
Closing the branch needs the right instance: for ``a | b, b | c |- a | c`` it is
``k := y * x``, a product no list of nearby ground terms contains. As Lean's ``omega`` solves
equalities and Isabelle's ``presburger`` reads witnesses off equations, this module:

*Normalise*: eliminates defined variables (a fact ``v = t`` with ``v`` not in ``t`` rewrites ``v``
to ``t`` in every other fact, by the kernel's ``replace``), so the facts speak of fewer names;

*Decide*: solves each equation under a universal for its bound variable: ``c1 * k + c0 = 0`` with
``c1`` a monomial gives ``k = -c0 / c1`` by exact polynomial division, or the floor quotient
``(-c0) / c1`` when the division is not exact (``x = 2 * k`` gives ``k = x / 2``, which the
division facts of the linear procedure then pin down);

*Certify*: nothing here: the instances are ``forall_elim`` steps, and the tableau and linear
arithmetic must still refute the branch, so a wrong candidate costs time, never soundness.
Closed goals also get values from z3's model (``smt.model_witnesses``).
"""

from __future__ import annotations

from kernel import Expr, Int, KernelError, P, Var, free_vars, instantiate, mk
from kernel.arith import normalize
from kernel.expr import postorder

MAX_CANDIDATES = 12


def _replace_all(e: Expr, a: Expr, b: Expr) -> Expr:
    from .engine import replace_all
    return replace_all(e, a, b)


def definitions(facts: list) -> list:
    """The facts with defined variables eliminated: each ``v = t`` (``v`` a variable not in
    ``t``, ``t`` free of division, which linear arithmetic reads better as it is) rewrites ``v`` to
    ``t`` in all the other facts. Returns the rewritten facts (the defining equations stay)."""
    facts = list(facts)
    done: set = set()
    for _ in range(len(facts)):
        pick = None
        for i, (f, p) in enumerate(facts):
            if f.op != "eq" or i in done:
                continue
            for side in (0, 1):
                v, t = f.args[side], f.args[1 - side]
                if v.op == "var" and v.data not in t.fv and \
                        not any(n.op in ("div", "mod", "ite", "app") for n in postorder(t)):
                    pick = (i, v, t, p if side == 0 else _symm(p, f))
                    break
            if pick:
                break
        if pick is None:
            break
        i, v, t, pe = pick
        done.add(i)
        out = []
        for j, (f, p) in enumerate(facts):
            if j != i and v.data in f.fv:
                g = _replace_all(f, v, t)
                f, p = g, P("replace", pe, p, g)
            out.append((f, p))
        facts = out
    return facts


def _symm(p, f: Expr):
    """From p : a = b, a proof of b = a."""
    a, b = f.args
    return P("subst", p, "_z", mk("eq", Var("_z"), a), P("refl", a))


def linear_in(e: Expr, k: str):
    """(c1, c0) with e = c1 * k + c0 as polynomials (dicts over an atom table), or None."""
    atoms: dict = {}
    try:
        poly = normalize(e, atoms, "witness")
    except KernelError:
        return None
    kv = Var(k)
    ki = atoms.get(kv)
    if ki is None:
        return None
    c1: dict = {}
    c0: dict = {}
    for mono, c in poly.items():
        n = mono.count(ki)
        if n > 1:
            return None
        if n == 1:
            rest = list(mono)
            rest.remove(ki)
            c1[tuple(rest)] = c
        else:
            c0[mono] = c
    rev = {i: a for a, i in atoms.items()}
    if any(k in rev[i].fv for m in list(c1) + list(c0) for i in m):
        return None       # k inside an atom (k / 2, f(k)): not a linear occurrence
    return c1, c0, rev


def _term(poly: dict, rev: dict) -> Expr:
    from .linarith import to_expr
    n = max(rev) + 1 if rev else 0
    return to_expr(poly, [rev.get(i) for i in range(n)])


def solve(e: Expr, k: str) -> list[Expr]:
    """Terms t with e[k := t] = 0 (exact) or near it (floor quotient), for e linear in k."""
    got = linear_in(e, k)
    if got is None:
        return []
    c1, c0, rev = got
    if len(c1) != 1:
        return []
    (m, c), = c1.items()
    neg0 = {mono: -v for mono, v in c0.items()}
    # exact division of -c0 by c * m
    q: dict = {}
    exact = True
    for mono, v in neg0.items():
        rest = list(mono)
        for i in m:
            if i in rest:
                rest.remove(i)
            else:
                exact = False
                break
        if not exact or v % c:
            exact = False
            break
        q[tuple(sorted(rest))] = v // c
    if exact:
        return [_term(q, rev)]
    num = _term(neg0, rev)
    den = _term({m: c}, rev)
    out = [mk("div", num, den)]
    return out


def candidates(facts: list, limit: int = MAX_CANDIDATES) -> list[Expr]:
    """Witness terms for the universal facts (outermost binder; inner ones read as 0)."""
    out: list[Expr] = []
    for f, _ in facts:
        g = f
        if g.op != "forall":
            continue
        k = "_wk"
        while k in g.fv:
            k += "'"
        body = _open_inner(instantiate(g.args[0], Var(k)))
        # equations first; then the bounds of comparisons (3 * y <= x gives y = x / 3, the
        # largest y below the bound: the floor quotient the linear procedure then pins down)
        for ops in (("eq",), ("le", "lt")):
            for n in postorder(body):
                if n.op in ops and n.lbr == 0 and k in n.fv:
                    for t in solve(mk("sub", n.args[0], n.args[1]), k):
                        if t not in out and k not in t.fv:
                            out.append(t)
        if len(out) >= limit:
            break
    return out[:limit]


def _open_inner(e: Expr) -> Expr:
    """Every inner quantifier's variable read as 0, so that equations under it can be solved for
    the outer one (``exists q r, n = 3 * q + r``: q = n / 3, and r then from the next round)."""
    if e.op in ("forall", "exists"):
        return _open_inner(instantiate(e.args[0], Int(0)))
    if not e.args or e.sort == "term":
        return e
    return Expr(e.op, tuple(_open_inner(a) for a in e.args), e.data)


def instances(facts: list, terms: list[Expr]) -> list:
    """Each universal fact instantiated with each term."""
    out = []
    for f, p in facts:
        if f.op == "forall":
            for t in terms:
                out.append((instantiate(f.args[0], t), P("forall_elim", p, t)))
    return out


def closed(facts) -> bool:
    return all(not free_vars(f) for f, _ in facts)
