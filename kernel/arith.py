"""The kernel's integer arithmetic: closed evaluation and polynomial normal forms.

Division is floor division made total (``a / 0 = 0``, ``a % 0 = a``), so
``a = b * (a / b) + a % b`` always holds and ``a % b`` has the sign of ``b``.

A polynomial is a dict from monomials to nonzero integer coefficients; a
monomial is a sorted tuple of atom numbers (an atom is any subterm that is not
``+ - *``, negation or a literal, numbered by a table shared by one rule use).
Two terms with the same normal form are equal in every commutative ring, which
is what the ``ring`` rule decides and what the ``linarith`` rule adds up.
"""

from __future__ import annotations

from .errors import KernelError, ResourceError
from .expr import Expr, postorder

MAX_BITS = 100_000      # largest integer the kernel computes with
MAX_MONOMIALS = 20_000  # largest polynomial the kernel normalises

Poly = dict  # tuple[int, ...] -> int


def floor_div(a: int, b: int) -> int:
    return 0 if b == 0 else a // b


def floor_mod(a: int, b: int) -> int:
    return a if b == 0 else a % b


def _bounded(rule: str, n: int) -> int:
    if n.bit_length() > MAX_BITS:
        raise ResourceError(rule, f"an intermediate integer exceeds {MAX_BITS} bits")
    return n


_CMP = {"eq": lambda a, b: a == b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b}
_BIN = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
        "div": floor_div, "mod": floor_mod, "min": min, "max": max}
_BOOL = {"and": lambda a, b: a and b, "or": lambda a, b: a or b,
         "imp": lambda a, b: (not a) or b, "iff": lambda a, b: a == b}


def evaluate(e: Expr, rule: str = "eval"):
    """Value of a closed, quantifier-free term (int) or formula (bool) without defined symbols."""
    val: dict[int, object] = {}
    for n in postorder(e):
        op, a = n.op, [val[id(x)] for x in n.args]
        if op == "int":
            v = n.data
        elif op in _BIN:
            if op == "mul" and a[0].bit_length() + a[1].bit_length() > MAX_BITS + 1:
                raise ResourceError(rule, f"an intermediate integer exceeds {MAX_BITS} bits")
            v = _bounded(rule, _BIN[op](a[0], a[1]))
        elif op == "neg":
            v = -a[0]
        elif op == "abs":
            v = abs(a[0])
        elif op == "ite":
            v = a[1] if a[0] else a[2]
        elif op in _CMP:
            v = _CMP[op](a[0], a[1])
        elif op in _BOOL:
            v = _BOOL[op](a[0], a[1])
        elif op == "not":
            v = not a[0]
        elif op in ("true", "false"):
            v = op == "true"
        else:
            raise KernelError(rule, f"cannot evaluate a {op} node: the statement must be closed, "
                              "quantifier-free and free of defined symbols")
        val[id(n)] = v
    return val[id(e)]


def _mul(p: Poly, q: Poly, rule: str) -> Poly:
    if len(p) * len(q) > MAX_MONOMIALS * 10:
        raise ResourceError(rule, "polynomial too large to normalise")
    r: Poly = {}
    for m1, c1 in p.items():
        for m2, c2 in q.items():
            m = tuple(sorted(m1 + m2))
            r[m] = r.get(m, 0) + c1 * c2
    return _clean(r, rule)


def _lin(p: Poly, q: Poly, k: int) -> Poly:
    """p + k * q"""
    r = dict(p)
    for m, c in q.items():
        r[m] = r.get(m, 0) + k * c
    return {m: c for m, c in r.items() if c}


def _clean(p: Poly, rule: str) -> Poly:
    p = {m: c for m, c in p.items() if c}
    if len(p) > MAX_MONOMIALS:
        raise ResourceError(rule, "polynomial too large to normalise")
    for c in p.values():
        _bounded(rule, c)
    return p


def normalize(t: Expr, atoms: dict, rule: str = "ring") -> Poly:
    """Normal form of term ``t``; ``atoms`` numbers the non-arithmetic subterms."""
    val: dict[int, Poly] = {}
    stack: list[tuple[Expr, bool]] = [(t, False)]
    while stack:
        n, done = stack.pop()
        if id(n) in val:
            continue
        op = n.op
        if op not in ("add", "sub", "mul", "neg"):
            if op == "int":
                val[id(n)] = {(): n.data} if n.data else {}
            else:
                k = atoms.setdefault(n, len(atoms))
                val[id(n)] = {(k,): 1}
            continue
        if not done:
            stack.append((n, True))
            stack.extend((a, False) for a in n.args)
            continue
        a = [val[id(x)] for x in n.args]
        if op == "add":
            v = _lin(a[0], a[1], 1)
        elif op == "sub":
            v = _lin(a[0], a[1], -1)
        elif op == "neg":
            v = {m: -c for m, c in a[0].items()}
        else:
            v = _mul(a[0], a[1], rule)
        val[id(n)] = _clean(v, rule)
    return val[id(t)]


def comparison(f: Expr, rule: str) -> tuple[str, Expr, Expr]:
    """Read a linear fact as (rel, lhs, rhs) with rel in eq/le/lt; negations are flipped."""
    if f.op in ("eq", "le", "lt"):
        return f.op, f.args[0], f.args[1]
    if f.op == "not" and f.args[0].op == "le":      # not a <= b  is  b < a
        return "lt", f.args[0].args[1], f.args[0].args[0]
    if f.op == "not" and f.args[0].op == "lt":      # not a < b   is  b <= a
        return "le", f.args[0].args[1], f.args[0].args[0]
    raise KernelError(rule, f"premise is not a comparison: {f}")


def farkas_contradiction(facts: list[tuple[int, Expr]], rule: str = "linarith") -> None:
    """Accept iff the integer combination of the facts is a contradiction.

    Each fact ``lhs rel rhs`` is read as ``p rel 0`` with ``p = lhs - rhs``; a
    strict ``p < 0`` is strengthened to ``p + 1 <= 0`` (sound: ``p`` is an
    integer). Coefficients of inequalities must be positive; equalities take
    any nonzero coefficient. The sum must cancel to a constant ``c > 0`` that
    it claims is ``<= 0``.
    """
    if not facts:
        raise KernelError(rule, "no premises")
    atoms: dict = {}
    total: Poly = {}
    for k, f in facts:
        if type(k) is not int or k == 0:
            raise KernelError(rule, f"coefficient {k!r} must be a nonzero integer")
        rel, lhs, rhs = comparison(f, rule)
        if rel != "eq" and k < 0:
            raise KernelError(rule, f"negative coefficient {k} for an inequality")
        p = _lin(normalize(lhs, atoms, rule), normalize(rhs, atoms, rule), -1)
        if rel == "lt":
            p = _lin(p, {(): 1}, 1)
        total = _clean(_lin(total, p, k), rule)
    rest = {m: c for m, c in total.items() if m != ()}
    if rest:
        raise KernelError(rule, "the combination does not cancel the variables")
    if total.get((), 0) <= 0:
        raise KernelError(rule, f"the combination gives {-total.get((), 0)} >= 0, not a contradiction")


def divide_inequality(premise: Expr, g: int, conclusion: Expr, rule: str = "lin_round") -> None:
    """Accept iff ``conclusion`` is ``premise`` divided by ``g`` with its constant rounded.

    From ``g*L + c <= 0`` (``L`` a polynomial with integer coefficients) follows
    ``L + ceil(c/g) <= 0`` over the integers: the cutting-plane step that
    linear arithmetic over the rationals lacks.
    """
    if type(g) is not int or g <= 0:
        raise KernelError(rule, f"divisor {g!r} must be a positive integer")
    if conclusion.op != "le":
        raise KernelError(rule, "the conclusion must be a <= comparison")
    rel, lhs, rhs = comparison(premise, rule)
    if rel == "eq":
        raise KernelError(rule, "the premise must be an inequality")
    atoms: dict = {}
    p = _lin(normalize(lhs, atoms, rule), normalize(rhs, atoms, rule), -1)
    if rel == "lt":
        p = _lin(p, {(): 1}, 1)
    c = p.pop((), 0)
    if any(a % g for a in p.values()):
        raise KernelError(rule, f"{g} does not divide every coefficient of the premise")
    want = {m: a // g for m, a in p.items()}
    want = _lin(want, {(): -((-c) // g)}, 1)       # + ceil(c / g)
    got = _lin(normalize(conclusion.args[0], atoms, rule), normalize(conclusion.args[1], atoms, rule), -1)
    if got != want:
        raise KernelError(rule, "the conclusion is not the premise divided and rounded")
