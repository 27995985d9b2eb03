"""Division and remainder by a symbolic divisor: quotient and remainder are unique.

Linear arithmetic sees ``a / b`` and ``a % b`` as opaque atoms tied to ``a`` by the kernel's
``a = b * (a / b) + a % b`` and the remainder's range; with a literal ``b`` that is linear and
enough. With a symbolic ``b``, ``(a + c * b) % b = a % b`` needs one more fact: that a quotient
and remainder in range *are* the quotient and remainder (the prelude's ``quot_rem_unique`` and
``quot_rem_unique_neg``, proved there by nlinarith). As Coq's ``Z.div_unique`` is used by hand:

*Normalise*: the division atoms of the facts, grouped by divisor ``d``.

*Decide* (which instance): for a dividend ``t`` of ``d``, candidate pairs ``(q, r)`` with
``t = d * q + r`` as polynomials, modulo the division identities of the other atoms:
- ``t = k * d + s`` (polynomial division by ``d``'s monomial): ``q = k + s / d``, ``r = s % d``;
- another dividend ``u`` of ``d`` with ``t - u = k * d`` once every atom ``x % d`` is read as
  ``x - d * (x / d)``: ``q = u / d + k``, ``r = u % d`` (``(a * b) % n`` against
  ``((a % n) * (b % n)) % n``);
- ``t = w * s`` and ``d = w * e`` with an atom ``s / e``: ``q = s / e``, ``r = w * (s % e)``
  (``(-a) / (-b)``, ``(c * a) / (c * b)``);
- ``d = e1 * e2`` with an atom ``(t / e1) / e2``: ``q = (t / e1) / e2``,
  ``r = e1 * ((t / e1) % e2) + t % e1``.

*Certify* (in the tableau, ``Tableau._quotrem``): split on the sign of ``d`` (the kernel's
``trichotomy``); for ``d = 0`` rewrite ``d`` to 0 and use ``a / 0 = 0``, ``a % 0 = a``; otherwise prove
the lemma's three premises by linear arithmetic (nlinarith if needed) and add its conclusion
``t / d = q and t % d = r``. A candidate whose premises fail is dropped: no soundness rests here.
"""

from __future__ import annotations

from kernel import Expr, Forall, Int, KernelError, Var, mk, show
from kernel.arith import normalize
from kernel.expr import postorder

MAX_CANDIDATES = 6


def _lemma_statements() -> dict[str, Expr]:
    a, b, q, r = (Var(x) for x in "abqr")
    zero = Int(0)
    concl = mk("and", mk("eq", mk("div", a, b), q), mk("eq", mk("mod", a, b), r))
    eq = mk("eq", a, mk("add", mk("mul", b, q), r))
    pos = mk("imp", mk("le", zero, r), mk("imp", mk("lt", r, b), mk("imp", eq, concl)))
    neg = mk("imp", mk("lt", b, r), mk("imp", mk("le", r, zero), mk("imp", eq, concl)))

    def close(f):
        for x in "rqba":
            f = Forall(x, f)
        return f
    return {"quot_rem_unique": close(pos), "quot_rem_unique_neg": close(neg)}


LEMMAS = _lemma_statements()


def available(env) -> bool:
    for name, stmt in LEMMAS.items():
        try:
            if env.theorem(name).statement != stmt:
                return False
        except KernelError:
            return False
    return True


# ---- polynomials over atoms (atoms kept as terms, monomials as sorted tuples of them) ----------

_KEYS: dict = {}


def _key(a: Expr) -> str:
    k = _KEYS.get(a)
    if k is None:
        if len(_KEYS) > 20_000:
            _KEYS.clear()
        k = _KEYS[a] = show(a)
    return k


def poly(e: Expr) -> dict | None:
    atoms: dict = {}
    try:
        p = normalize(e, atoms, "quotrem")
    except KernelError:
        return None
    rev = {i: a for a, i in atoms.items()}
    out: dict = {}
    for m, c in p.items():
        key = tuple(sorted((rev[i] for i in m), key=_key))
        out[key] = out.get(key, 0) + c
    return {m: c for m, c in out.items() if c}


def term(p: dict) -> Expr:
    out = None
    for m in sorted(p, key=lambda m: (len(m), [_key(a) for a in m])):
        c = p[m]
        t = None
        for a in m:
            t = a if t is None else mk("mul", t, a)
        if t is None:
            t = Int(c)
        elif c == -1:
            t = mk("neg", t)
        elif c != 1:
            t = mk("mul", Int(c), t)
        out = t if out is None else mk("add", out, t)
    return Int(0) if out is None else out


def _sub(p: dict, q: dict) -> dict:
    out = dict(p)
    for m, c in q.items():
        out[m] = out.get(m, 0) - c
    return {m: c for m, c in out.items() if c}


def _mul(p: dict, q: dict) -> dict:
    out: dict = {}
    for m1, c1 in p.items():
        for m2, c2 in q.items():
            m = tuple(sorted(m1 + m2, key=_key))
            out[m] = out.get(m, 0) + c1 * c2
    return {m: c for m, c in out.items() if c}


def _div_monomial(p: dict, c: int, m: tuple) -> tuple[dict, dict]:
    """(k, s) with p = k * (c * m) + s: the monomials of p that c * m divides go to k."""
    k: dict = {}
    s: dict = {}
    for mono, v in p.items():
        rest = list(mono)
        ok = v % c == 0
        for a in m:
            if ok and a in rest:
                rest.remove(a)
            else:
                ok = False
        if ok:
            key = tuple(rest)
            k[key] = k.get(key, 0) + v // c
        else:
            s[mono] = v
    return k, s


def _subst_atom(p: dict, x: Expr, q: dict) -> dict:
    """p with the atom x replaced by the polynomial q."""
    out: dict = {}
    for mono, c in p.items():
        n = mono.count(x)
        part = {tuple(a for a in mono if a != x): c}
        for _ in range(n):
            part = _mul(part, q)
        for m, v in part.items():
            out[m] = out.get(m, 0) + v
    return {m: c for m, c in out.items() if c}


# ---- candidates ---------------------------------------------------------------------------------

def divisions(facts) -> dict:
    """{divisor: [dividends]} for the / and % atoms with a divisor that is not a literal."""
    out: dict = {}
    for f, _ in facts:
        for n in postorder(f):
            if n.op in ("div", "mod") and n.lbr == 0 and n.args[1].op != "int":
                ds = out.setdefault(n.args[1], [])
                if n.args[0] not in ds:
                    ds.append(n.args[0])
    return out


def _div_atoms(facts) -> list:
    out = []
    for f, _ in facts:
        for n in postorder(f):
            if n.op in ("div", "mod") and n.lbr == 0 and n not in out:
                out.append(n)
    return out


def _read_mods(p: dict, d: Expr, c: int, m: tuple) -> dict | None:
    """p with every atom ``x % d`` read as ``x - d * (x / d)``; None if p has none."""
    mods = {a for mono in p for a in mono if a.op == "mod" and a.args[1] == d}
    if not mods:
        return None
    for x in mods:
        py = poly(x.args[0])
        if py is None:
            return None
        p = _subst_atom(p, x, _sub(py, {tuple(sorted(m + (mk("div", x.args[0], d),), key=_key)): c}))
    return p


def candidates(facts, d: Expr, dividends: list) -> list[tuple[Expr, Expr, Expr]]:
    """(t, q, r) with t = d * q + r to be proved (see the module docstring)."""
    dp = poly(d)
    if not dp or len(dp) != 1:
        return []
    (m, c), = dp.items()
    if not m:
        return []
    out: list = []

    def add(t, q, r):
        if (t, q, r) not in out and len(out) < MAX_CANDIDATES:
            out.append((t, q, r))
    polys = {t: poly(t) for t in dividends}
    for t in dividends:
        pt = polys[t]
        if pt is None:
            continue
        k, s = _div_monomial(pt, c, m)
        if k:
            if not s:
                add(t, term(k), Int(0))
            else:
                st = term(s)
                add(t, mk("add", term(k), mk("div", st, d)), mk("mod", st, d))
        else:
            add(t, Int(0), t)               # t is its own remainder when 0 <= t < d (0 % d = 0)
        # t's own remainders x % d read as x - d * (x / d): (a - a % b) % b has quotient a / b
        pr = _read_mods(pt, d, c, m)
        if pr is not None:
            k, s = _div_monomial(pr, c, m)
            if k and not s:
                add(t, term(k), Int(0))
        # an equation of the facts t = u with d dividing u (b | a opened to a = c * b)
        for f, _ in facts:
            if f.op == "eq" and t in f.args:
                pu = poly(f.args[1] if f.args[0] == t else f.args[0])
                if pu:
                    k, s = _div_monomial(pu, c, m)
                    if k and not s:
                        add(t, term(k), Int(0))
        for u in dividends:
            pu = polys[u]
            if u == t or pu is None:
                continue
            diff = _sub(pt, pu)
            for x in {a for mono in diff for a in mono if a.op == "mod" and a.args[1] == d}:
                # x % d read as x - d * (x / d)
                y = x.args[0]
                py = poly(y)
                if py is None:
                    continue
                diff = _subst_atom(diff, x, _sub(py, {tuple(sorted(m + (mk("div", y, d),), key=_key)): c}))
            k, s = _div_monomial(diff, c, m)
            if k and not s:
                add(t, mk("add", mk("div", u, d), term(k)), mk("mod", u, d))
    atoms = _div_atoms(facts)
    for t in dividends:
        pt = polys[t]
        if pt is None:
            continue
        for n in atoms:
            s, e = n.args
            if e == d or e.op == "int":
                continue
            ep, sp = poly(e), poly(s)
            if not ep or len(ep) != 1 or sp is None:
                continue
            (me, ce), = ep.items()
            w, rest = _div_monomial(dp, ce, me)
            if rest or not w or _mul(w, sp) != pt:
                continue
            add(t, mk("div", s, e), mk("mul", term(w), mk("mod", s, e)))
        for n in atoms:
            if n.op != "div" or n.args[0].op != "div" or n.args[0].args[0] != t:
                continue
            e1, e2 = n.args[0].args[1], n.args[1]
            if poly(mk("mul", e1, e2)) != dp:
                continue
            inner = n.args[0]
            add(t, n, mk("add", mk("mul", e1, mk("mod", inner, e2)), mk("mod", t, e1)))
    return out


def prove_by_mod_elimination(f: Expr, names):
    """A proof of the equation f that holds as a ring identity once every remainder ``x % e`` in it is
    read as ``x - e * (x / e)`` (innermost first, everywhere, so shared atoms stay shared): ``ring``
    proves the rewritten equation and ``replace`` steps, each by the kernel's division identity,
    take it back to f. None if the rewritten equation is not an identity."""
    from .arith_tactics import prove_from_facts
    from .engine import replace_all
    from .linarith import LinarithFailed
    if f.op != "eq":
        return None
    steps = []
    cur = f
    for _ in range(12):
        m = next((n for n in postorder(cur) if n.op == "mod" and n.lbr == 0 and n.args[1].op != "int"), None)
        if m is None:
            break
        x, e = m.args
        a = mk("sub", x, mk("mul", e, mk("div", x, e)))
        nxt = replace_all(cur, m, a)
        steps.append((cur, m, a, x, e))
        cur = nxt
    else:
        return None
    if not steps:
        return None
    atoms: dict = {}
    try:
        if normalize(cur.args[0], atoms, "ring") != normalize(cur.args[1], atoms, "ring"):
            return None
    except KernelError:
        return None
    from kernel import P
    pf = P("ring", cur.args[0], cur.args[1])
    for prev, m, a, x, e in reversed(steps):
        dm = mk("eq", x, mk("add", mk("mul", e, mk("div", x, e)), m))
        try:
            pe = prove_from_facts(mk("eq", a, m), [(dm, P("arith", "div_mod", (x, e)))], names)
        except LinarithFailed:
            return None
        pf = P("replace", pe, pf, prev)
    return pf
