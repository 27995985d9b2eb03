"""The intended meaning of Quod formulas, written independently of the kernel, for property tests.

``py_eval`` evaluates a quantifier-free term or formula under an assignment of integers to
its free variables; ``to_z3`` translates any formula to z3 (tests only), with ``/`` and ``%``
encoded as floor division and its remainder made total by ``a / 0 = 0`` and ``a % 0 = a``
(z3's own ``div``/``mod`` are Euclidean, which differs for negative divisors); ``valid``
decides whether a formula holds for all values of its free variables.
"""

from __future__ import annotations

import random

import z3

from kernel import Expr, free_vars

# definitions the tests' environments may contain, as macros (work on ints and on z3 terms alike)
MACROS = {"double": lambda a: a + a}
PRED_MACROS = {"pos": lambda a: 0 < a}


def floor_div(a: int, b: int) -> int:
    """Floor division by its definition, not by Python's //: the q with b*q <= a < b*q + |b| (b > 0)."""
    if b == 0:
        return 0
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0) and q * abs(b) != abs(a):
        q += 1
    return -q if (a < 0) != (b < 0) else q


def floor_mod(a: int, b: int) -> int:
    return a if b == 0 else a - b * floor_div(a, b)


class NotEvaluable(Exception):
    pass


def py_eval(e: Expr, env: dict):
    """Value of a quantifier-free term (int) or formula (bool); free variables from ``env``."""
    op, a = e.op, e.args
    if op == "int":
        return e.data
    if op == "var":
        return env[e.data]
    if op in ("true", "false"):
        return op == "true"
    if op in ("forall", "exists", "bvar"):
        raise NotEvaluable(op)
    if op == "pred":
        if e.data not in PRED_MACROS:
            raise NotEvaluable(e.data)
        return PRED_MACROS[e.data](*(py_eval(x, env) for x in a))
    if op == "app":
        if e.data not in MACROS:
            raise NotEvaluable(e.data)
        return MACROS[e.data](*(py_eval(x, env) for x in a))
    if op == "ite":
        return py_eval(a[1], env) if py_eval(a[0], env) else py_eval(a[2], env)
    v = [py_eval(x, env) for x in a]
    return {
        "add": lambda: v[0] + v[1], "sub": lambda: v[0] - v[1], "mul": lambda: v[0] * v[1],
        "neg": lambda: -v[0], "div": lambda: floor_div(v[0], v[1]), "mod": lambda: floor_mod(v[0], v[1]),
        "abs": lambda: abs(v[0]), "min": lambda: min(v), "max": lambda: max(v),
        "not": lambda: not v[0], "and": lambda: v[0] and v[1], "or": lambda: v[0] or v[1],
        "imp": lambda: (not v[0]) or v[1], "iff": lambda: v[0] == v[1],
        "eq": lambda: v[0] == v[1], "lt": lambda: v[0] < v[1], "le": lambda: v[0] <= v[1],
    }[op]()


def z3_div(a, b):
    return z3.If(b == 0, 0, z3.If(b > 0, a / b, (-a) / (-b)))


def z3_mod(a, b):
    return z3.If(b == 0, a, a - b * z3_div(a, b))


def to_z3(e: Expr, bound: list | None = None, fresh=None):
    bound = bound if bound is not None else []
    fresh = fresh if fresh is not None else [0]
    op, a = e.op, e.args
    r = lambda x: to_z3(x, bound, fresh)  # noqa: E731
    if op == "int":
        return z3.IntVal(e.data)
    if op == "var":
        return z3.Int("v_" + e.data)
    if op == "bvar":
        return bound[-1 - e.data]
    if op == "true":
        return z3.BoolVal(True)
    if op == "false":
        return z3.BoolVal(False)
    if op in ("forall", "exists"):
        fresh[0] += 1
        c = z3.Int(f"b{fresh[0]}_{e.data}")
        body = to_z3(a[0], bound + [c], fresh)
        return z3.ForAll([c], body) if op == "forall" else z3.Exists([c], body)
    if op in ("app", "pred"):
        table = MACROS if op == "app" else PRED_MACROS
        if e.data not in table:
            raise NotEvaluable(e.data)
        return table[e.data](*(r(x) for x in a))
    v = [r(x) for x in a]
    if op == "ite":
        return z3.If(v[0], v[1], v[2])
    return {
        "add": lambda: v[0] + v[1], "sub": lambda: v[0] - v[1], "mul": lambda: v[0] * v[1],
        "neg": lambda: -v[0], "div": lambda: z3_div(v[0], v[1]), "mod": lambda: z3_mod(v[0], v[1]),
        "abs": lambda: z3.If(v[0] >= 0, v[0], -v[0]), "min": lambda: z3.If(v[0] <= v[1], v[0], v[1]),
        "max": lambda: z3.If(v[0] <= v[1], v[1], v[0]),
        "not": lambda: z3.Not(v[0]), "and": lambda: z3.And(v[0], v[1]), "or": lambda: z3.Or(v[0], v[1]),
        "imp": lambda: z3.Implies(v[0], v[1]), "iff": lambda: v[0] == v[1],
        "eq": lambda: v[0] == v[1], "lt": lambda: v[0] < v[1], "le": lambda: v[0] <= v[1],
    }[op]()


def has_quantifier(e: Expr) -> bool:
    stack = [e]
    while stack:
        n = stack.pop()
        if n.op in ("forall", "exists"):
            return True
        stack.extend(n.args)
    return False


def counterexample_by_sampling(f: Expr, rng: random.Random, tries: int = 200):
    """An assignment falsifying quantifier-free ``f``, or None."""
    names = sorted(free_vars(f))
    edge = [0, 1, -1, 2, -2, 3, -3, 7, -7]
    for i in range(tries):
        env = {v: (rng.choice(edge) if i % 2 else rng.randint(-30, 30)) for v in names}
        if py_eval(f, env) is not True:
            return env
    return None


def valid(f: Expr, timeout_ms: int = 3000):
    """True if f holds for all integer values of its free variables, False if not, None if unknown."""
    s = z3.Solver()
    s.set("timeout", timeout_ms)
    s.add(z3.Not(to_z3(f)))
    r = s.check()
    if r == z3.unsat:
        return True
    if r == z3.sat:
        return False
    return None


def assert_valid(f: Expr, rng: random.Random | None = None) -> None:
    """Fail if ``f`` is not valid: by sampling when quantifier-free, and by z3."""
    rng = rng or random.Random(0)
    if not has_quantifier(f):
        env = counterexample_by_sampling(f, rng)
        assert env is None, f"kernel accepted {f}, false at {env}"
    assert valid(f) is not False, f"kernel accepted {f}, which z3 refutes"
