"""eval: run closed terms and formulas, defined functions included (untrusted, for users).

Definitions are unfolded on demand and ``if`` evaluates only the branch it takes,
so recursive functions such as ``sum_to(100)`` run. Quantifiers cannot be
evaluated and say so.
"""

from __future__ import annotations

import sys

from kernel import Expr, instantiate
from kernel import subst as ksubst
from kernel.arith import floor_div, floor_mod

MAX_CALLS = 1_000_000


class EvalError(Exception):
    pass


class Evaluator:
    def __init__(self, env, values: dict | None = None):
        self.env = env
        self.calls = 0
        self.memo: dict = {}
        self.values = values if values is not None else {}    # free variables' values (ints)

    def run(self, e: Expr):
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, 20000))
        try:
            return self.ev(e)
        except RecursionError:
            raise EvalError("evaluation recursed too deeply") from None
        finally:
            sys.setrecursionlimit(old)

    def ev(self, e: Expr):
        op, a = e.op, e.args
        if op == "int":
            return e.data
        if op in ("true", "false"):
            return op == "true"
        if op == "var":
            v = self.values.get(e.data)
            if v is None:
                raise EvalError(f"cannot evaluate: {e.data} has no value")
            return v
        if op == "ite":
            return self.ev(a[1]) if self.ev(a[0]) else self.ev(a[2])
        if op == "and":
            return self.ev(a[0]) and self.ev(a[1])
        if op == "or":
            return self.ev(a[0]) or self.ev(a[1])
        if op == "imp":
            return (not self.ev(a[0])) or self.ev(a[1])
        if op == "iff":
            return self.ev(a[0]) == self.ev(a[1])
        if op == "not":
            return not self.ev(a[0])
        if op in ("app", "pred"):
            args = tuple(self.ev(x) for x in a)
            key = (e.data, args)
            if key in self.memo:
                return self.memo[key]
            self.calls += 1
            if self.calls > MAX_CALLS:
                raise EvalError("evaluation took too many steps")
            d = self.env.definition(e.data)
            body = ksubst(d.body, {p: Expr("int", (), v) for p, v in zip(d.params, args)})
            v = self.ev(body)
            self.memo[key] = v
            return v
        if op == "exists":
            got = self._exists_linear(e)
            if got is not None:
                return got
        if op in ("forall", "exists"):
            raise EvalError("cannot evaluate a quantifier")
        v = [self.ev(x) for x in a]
        if op == "add":
            return v[0] + v[1]
        if op == "sub":
            return v[0] - v[1]
        if op == "mul":
            if v[0].bit_length() + v[1].bit_length() > 1_000_000:
                raise EvalError("numbers too large")
            return v[0] * v[1]
        if op == "neg":
            return -v[0]
        if op == "div":
            return floor_div(v[0], v[1])
        if op == "mod":
            return floor_mod(v[0], v[1])
        if op == "abs":
            return abs(v[0])
        if op == "min":
            return min(v)
        if op == "max":
            return max(v)
        if op == "eq":
            return v[0] == v[1]
        if op == "lt":
            return v[0] < v[1]
        if op == "le":
            return v[0] <= v[1]
        raise EvalError(f"cannot evaluate {op}")


    def _exists_linear(self, e: Expr):
        """``exists c, a = b`` with a - b linear in c (c only under +, -, and * by terms without
        c): decided exactly, as ``k * c + m = 0`` has an integer solution iff k divides m (or
        k = m = 0). None for any other body. This is what decides dvd, even and odd."""
        body = e.args[0]
        if body.op != "eq":
            return None
        name = f"#ex{len(self.values)}"
        while name in self.values:
            name += "'"
        b = instantiate(body, Expr("var", (), name))
        d = Expr("sub", (b.args[0], b.args[1]))
        if not _linear_in(d, name):
            return None
        self.values[name] = 0
        try:
            m = self.ev(d)
            self.values[name] = 1
            k = self.ev(d) - m
        finally:
            del self.values[name]
        if k == 0:
            return m == 0
        return m % k == 0


def _linear_in(t: Expr, name: str) -> bool:
    """Whether the term t is linear in the variable ``name`` by its shape."""
    if name not in t.fv:
        return True
    if t.op == "var":
        return True
    if t.op in ("add", "sub", "neg"):
        return all(_linear_in(a, name) for a in t.args)
    if t.op == "mul":
        a, b = t.args
        return (name not in a.fv and _linear_in(b, name)) or (name not in b.fv and _linear_in(a, name))
    return False


__all__ = ["Evaluator", "EvalError", "instantiate"]
