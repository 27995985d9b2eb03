"""Elaboration: surface expressions to kernel terms and formulas.

The parser reads terms and formulas with one syntax; here each node gets its
sort from where it stands (``x + 1`` is a term, ``x < 1`` a formula) and each
name its meaning: a bound variable, a variable in scope, or a definition of
the environment. Derived forms become their kernel spelling: ``a != b`` is
``not a = b``, ``a > b`` is ``b < a`` and ``a | b`` is the prelude's ``dvd(a, b)``.
"""

from __future__ import annotations

from kernel import FORMULA, TERM, Expr, Int, Var, mk

from .syntax import QuodError, SExpr

BUILTINS = {"abs": 1, "min": 2, "max": 2}
_ARITH = {"add", "sub", "mul", "div", "mod"}
_LOGIC = {"and", "or", "imp", "iff"}
_REL = {"eq": ("eq", False), "lt": ("lt", False), "le": ("le", False), "gt": ("lt", True), "ge": ("le", True)}


class Elaborator:
    """Turns SExpr into kernel Expr in a scope of variables and an environment of definitions.

    ``extra`` names a symbol being defined (name -> (sort, arity)) so a recursive
    body can call itself; ``holes`` makes ``_`` and unknown names pattern variables.
    """

    def __init__(self, env, variables=(), extra=None, holes: bool = False, hole_term: Expr | None = None):
        self.env = env
        self.variables = set(variables)
        self.extra = extra or {}
        self.holes = holes
        self.hole_term = hole_term
        self.pattern_vars: list[str] = []

    def term(self, se: SExpr) -> Expr:
        return self._guarded(se, TERM)

    def formula(self, se: SExpr) -> Expr:
        return self._guarded(se, FORMULA)

    def any(self, se: SExpr) -> Expr:
        """A term or a formula, whichever ``se`` is."""
        return self._guarded(se, None)

    def _guarded(self, se, sort):
        try:
            return self.elab(se, sort, [])
        except RecursionError:
            raise QuodError(se.pos, "expression nested too deeply") from None

    def symbol(self, name: str):
        if name in self.extra:
            return self.extra[name]
        try:
            d = self.env.definition(name)
        except Exception:
            return None
        return d.sort, len(d.params)

    def sort_of(self, se: SExpr, bound: list) -> str | None:
        k = se.kind
        if k in ("lit", "add", "sub", "mul", "div", "mod", "neg", "ite"):
            return TERM
        if k in ("true", "false", "not", "and", "or", "imp", "iff", "forall", "exists", "dvd") or k in _REL \
                or k == "ne":
            return FORMULA
        if k == "name":
            if se.data in bound or se.data in self.variables:
                return TERM
            sym = self.symbol(se.data)
            return sym[0] if sym else TERM
        if k == "call":
            if se.data in BUILTINS:
                return TERM
            sym = self.symbol(se.data)
            return sym[0] if sym else None
        return TERM

    def elab(self, se: SExpr, want: str | None, bound: list) -> Expr:
        k = se.kind
        got = self.sort_of(se, bound)
        if want is not None and got is not None and got != want:
            what = "a formula" if want == FORMULA else "a term"
            found = "a formula" if got == FORMULA else "a term"
            raise QuodError(se.pos, f"expected {what} here, found {found}")
        if k == "lit":
            return Int(se.data)
        if k == "neg":
            a = self.elab(se.args[0], TERM, bound)
            return Int(-a.data) if a.op == "int" else mk("neg", a)
        if k in _ARITH:
            return mk(k, self.elab(se.args[0], TERM, bound), self.elab(se.args[1], TERM, bound))
        if k == "ite":
            c, a, b = se.args
            return Expr("ite", (self.elab(c, FORMULA, bound), self.elab(a, TERM, bound), self.elab(b, TERM, bound)))
        if k == "name":
            return self.name(se, bound)
        if k == "call":
            return self.call(se, bound)
        if k == "hole":
            if self.hole_term is not None:
                return self.hole_term
            if self.holes:
                v = f"?{len(self.pattern_vars)}"
                self.pattern_vars.append(v)
                return Var(v)
            raise QuodError(se.pos, "'_' stands only in a calc step or a search pattern")
        if k in ("true", "false"):
            return Expr(k)
        if k == "not":
            return mk("not", self.elab(se.args[0], FORMULA, bound))
        if k in _LOGIC:
            return mk(k, self.elab(se.args[0], FORMULA, bound), self.elab(se.args[1], FORMULA, bound))
        if k in _REL:
            op, swap = _REL[k]
            a, b = self.elab(se.args[0], TERM, bound), self.elab(se.args[1], TERM, bound)
            return mk(op, b, a) if swap else mk(op, a, b)
        if k == "ne":
            return mk("not", mk("eq", self.elab(se.args[0], TERM, bound), self.elab(se.args[1], TERM, bound)))
        if k == "dvd":
            if self.symbol("dvd") != (FORMULA, 2):
                raise QuodError(se.pos, "'a | b' needs the prelude's definition dvd")
            return Expr("pred", (self.elab(se.args[0], TERM, bound), self.elab(se.args[1], TERM, bound)), "dvd")
        if k in ("forall", "exists"):
            names = list(se.data)
            inner = bound + names
            body = self.elab(se.args[0], FORMULA, inner)
            for x in reversed(names):
                body = Expr(k, (body,), x)
            return body
        raise QuodError(se.pos, f"cannot elaborate {k}")

    def name(self, se: SExpr, bound: list) -> Expr:
        x = se.data
        if x in bound:
            return Expr("bvar", (), len(bound) - 1 - _rindex(bound, x))
        if x in self.variables:
            return Var(x)
        sym = self.symbol(x)
        if sym is not None:
            if sym[1] != 0:
                raise QuodError(se.pos, f"{x} takes {sym[1]} arguments")
            return Expr("app" if sym[0] == TERM else "pred", (), x)
        if self.holes:
            if x not in self.pattern_vars:
                self.pattern_vars.append(x)
            return Var(x)
        raise QuodError(se.pos, f"unknown name '{x}'")

    def call(self, se: SExpr, bound: list) -> Expr:
        f = se.data
        args = se.args
        if f in BUILTINS:
            if len(args) != BUILTINS[f]:
                raise QuodError(se.pos, f"{f} takes {BUILTINS[f]} arguments, got {len(args)}")
            return Expr(f, tuple(self.elab(a, TERM, bound) for a in args))
        sym = self.symbol(f)
        if sym is None:
            raise QuodError(se.pos, f"unknown function or predicate '{f}'")
        sort, arity = sym
        if len(args) != arity:
            raise QuodError(se.pos, f"{f} takes {arity} arguments, got {len(args)}")
        return Expr("app" if sort == TERM else "pred", tuple(self.elab(a, TERM, bound) for a in args), f)


def _rindex(xs: list, x) -> int:
    return len(xs) - 1 - xs[::-1].index(x)
