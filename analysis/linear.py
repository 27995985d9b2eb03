"""Linear expressions and constraints over integers, and their SMT-LIB text.

A linear expression is a dict {variable: int coefficient}, the key ``CONST`` ("") holding the
constant. A constraint is ("le", lin) for lin <= 0 or ("eq", lin) for lin = 0, tightened for the
integers (``le0``, ``eq0``), or True / False when trivial. Many small Farkas constraints are cheaper
to hand z3 as one SMT-LIB text than to build through its Python API (``Script``).
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd

from kernel import Expr, Int, Var, mk

Lin = dict          # variable name -> int coefficient; key "" is the constant

CONST = ""


# ---- linear expressions --------------------------------------------------------------------------

def lin_const(n: int) -> Lin:
    return {CONST: n} if n else {}


def lin_add(a: Lin, b: Lin, k: int = 1) -> Lin:
    """a + k*b"""
    out = dict(a)
    for v, c in b.items():
        n = out.get(v, 0) + k * c
        if n:
            out[v] = n
        else:
            out.pop(v, None)
    return out


def lin_scale(a: Lin, k: int) -> Lin:
    return {v: k * c for v, c in a.items()} if k else {}


def is_const(a: Lin) -> bool:
    return all(v == CONST for v in a)


def const_of(a: Lin) -> int:
    return a.get(CONST, 0)


def ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


# A constraint is ("le", lin) meaning lin <= 0, or ("eq", lin) meaning lin = 0; True / False when trivial.

def le0(a: Lin):
    """lin <= 0, tightened for integers."""
    coeffs = [c for v, c in a.items() if v != CONST]
    k = const_of(a)
    if not coeffs:
        return k <= 0
    g = 0
    for c in coeffs:
        g = gcd(g, c)
    if g > 1:
        a = {v: c // g for v, c in a.items() if v != CONST}
        k = ceil_div(k, g)
        if k:
            a[CONST] = k
    return ("le", a)


def eq0(a: Lin):
    coeffs = [c for v, c in a.items() if v != CONST]
    k = const_of(a)
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
    first = min(v for v in a if v != CONST)
    if a[first] < 0:
        a = lin_scale(a, -1)
    return ("eq", a)


# ---- z3, through SMT-LIB text ------------------------------------------------------------------
# The z3 Python API builds each arithmetic node through several Python calls; a few hundred Farkas
# constraints cost tens of milliseconds that way. Rendering SMT-LIB text and parsing it once is an
# order of magnitude cheaper.

def _num(q) -> str:
    q = Fraction(q)
    s = str(abs(q.numerator)) if q.denominator == 1 else f"(/ {abs(q.numerator)} {q.denominator})"
    return f"(- {s})" if q < 0 else s


def smt_name(v: str) -> str:
    return f"|{v}|"


def smt_sum(terms: list) -> str:
    if not terms:
        return "0"
    return terms[0] if len(terms) == 1 else "(+ " + " ".join(terms) + ")"


def lin_text(a: dict) -> str:
    """A linear expression {name: coefficient, "": constant} as SMT-LIB."""
    terms = []
    for v, c in a.items():
        if not c:
            continue
        if v == CONST:
            terms.append(_num(c))
        elif c == 1:
            terms.append(smt_name(v))
        else:
            terms.append(f"(* {_num(c)} {smt_name(v)})")
    return smt_sum(terms)


def con_text(con) -> str:
    kind, a = con
    return f"({'<=' if kind == 'le' else '='} {lin_text(a)} 0)"


class Script:
    """An SMT-LIB script under construction: declarations, assertions, soft assertions, objectives."""

    def __init__(self, sort: str):
        self.sort = sort
        self.declared: set = set()
        self.parts: list = []

    def declare(self, names, sort: str | None = None):
        for v in names:
            if v and v not in self.declared:
                self.declared.add(v)
                self.parts.append(f"(declare-fun {smt_name(v)} () {sort or self.sort})")

    def lin(self, a: dict) -> str:
        self.declare(v for v in a if v != CONST)
        return lin_text(a)

    def add(self, s: str):
        self.parts.append(f"(assert {s})")

    def text(self) -> str:
        return "\n".join(self.parts)


def solver(z3, timeout_ms: int):
    s = z3.SimpleSolver()
    s.set("timeout", max(1, timeout_ms))
    return s


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


def linear_form(t: Expr) -> dict | None:
    """t as a linear expression over its variables, if it is one (sums, negations, products with a
    constant, of integers and variables); else None."""
    op = t.op
    if op == "int":
        return lin_const(t.data)
    if op == "var":
        return {t.data: 1}
    if op in ("add", "sub", "mul", "neg"):
        parts = [linear_form(a) for a in t.args]
        if any(p is None for p in parts):
            return None
        if op == "neg":
            return lin_scale(parts[0], -1)
        if op == "mul":
            a, b = parts
            if is_const(a):
                return lin_scale(b, const_of(a))
            return lin_scale(a, const_of(b)) if is_const(b) else None
        return lin_add(parts[0], parts[1], 1 if op == "add" else -1)
    return None


def tidy(t: Expr) -> Expr:
    """t with each linear part in the normal form of ``to_term`` (x - 0 + 1 is x + 1), for printing
    only: a proof keeps the term it was built with."""
    if t.op not in ("int", "var"):
        lin = linear_form(t)
        if lin is not None:
            return to_term({v: a for v, a in lin.items() if v != CONST}, const_of(lin))
    if not t.args:
        return t
    args = tuple(tidy(a) for a in t.args)
    return t if args == t.args else Expr(t.op, args, t.data)
