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
_CHAIN = _ARITH | _LOGIC | {"neg", "not"}      # elaborated without recursion when nested (Elaborator._chain)
_REL = {"eq": ("eq", False), "lt": ("lt", False), "le": ("le", False), "gt": ("lt", True), "ge": ("le", True)}


class Elaborator:
    """Turns SExpr into kernel Expr in a scope of variables and an environment of definitions.

    ``extra`` names a symbol being defined (name -> (sort, arity)) so a recursive
    body can call itself; ``holes`` makes ``_`` and unknown names pattern variables.
    """

    def __init__(self, env, variables=(), extra=None, holes: bool = False, hole_term: Expr | None = None,
                 programs: dict | None = None):
        self.env = env
        self.programs = programs or {}
        self.variables = set(variables)
        self.extra = extra or {}
        self.holes = holes
        self.hole_term = hole_term
        self.pattern_vars: list[str] = []
        self.machine_typed: dict[int, str] = {}    # position in the bound list -> u32, i32, ... (not int)

    def term(self, se: SExpr) -> Expr:
        return self._guarded(se, TERM)

    def formula(self, se: SExpr) -> Expr:
        """A whole formula; one that calls a program is a judgment about it (see ``calls``)."""
        from .calls import check_positions, has_program_call, program_fact
        if has_program_call(self, se):
            check_positions(self, se)
            if _unquantified_call(self, se):
                return program_fact(self, None, se, [])
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
        if k in ("true", "false", "not", "and", "or", "imp", "iff", "forall", "exists", "dvd", "forall_typed",
                 "exists_typed", "terminates", "diverges", "hoare", "total") or k in _REL \
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
        if k in _CHAIN and any(a.kind in _CHAIN for a in se.args):
            return self._chain(se, want, bound)
        got = self.sort_of(se, bound)
        if want is not None and got is not None and got != want:
            what = "a formula" if want == FORMULA else "a term"
            found = "a formula" if got == FORMULA else "a term"
            raise QuodError(se.pos, f"expected {what} here, found {found}")
        if k == "lit":
            return Int(se.data)
        if k == "neg" or k in _ARITH:
            self._mathematical(se, bound)
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
        if k in ("terminates", "diverges", "hoare", "total"):
            return self.judgment(se, bound)
        if k in ("forall", "forall_typed", "exists", "exists_typed") and self.programs:
            from .calls import has_program_call, program_fact
            if has_program_call(self, se.args[0]):
                if k.startswith("exists"):
                    raise QuodError(se.pos, "unsupported: a program call under `exists`; state a fact about a "
                                    "program as `forall x : T, f(x) = VALUE`")
                return program_fact(self, se, se.args[0], bound)
        if k in ("forall_typed", "exists_typed"):
            return self.typed_quantifier(se, bound)
        if k in ("forall", "exists"):
            names = list(se.data)
            inner = bound + names
            body = self.elab(se.args[0], FORMULA, inner)
            for x in reversed(names):
                body = Expr(k, (body,), x)
            return body
        raise QuodError(se.pos, f"cannot elaborate {k}")

    def _chain(self, se: SExpr, want: str | None, bound: list) -> Expr:
        """Connectives nested in connectives (a sum of 5,000 terms, a long chain of ``->``), left or
        right: the same checks and results as ``elab``, with a work stack instead of recursion."""
        out: list[Expr] = []
        stack: list[tuple[SExpr, str | None, bool]] = [(se, want, False)]
        while stack:
            n, w, done = stack.pop()
            k = n.kind
            if k not in _CHAIN:
                out.append(self.elab(n, w, bound))
                continue
            if done:
                args = out[len(out) - len(n.args):]
                del out[len(out) - len(n.args):]
                if k == "neg":
                    a = args[0]
                    out.append(Int(-a.data) if a.op == "int" else mk("neg", a))
                else:
                    out.append(mk(k, *args))
                continue
            got = TERM if k in _ARITH or k == "neg" else FORMULA
            if w is not None and got != w:
                what = "a formula" if w == FORMULA else "a term"
                found = "a formula" if got == FORMULA else "a term"
                raise QuodError(n.pos, f"expected {what} here, found {found}")
            if got == TERM:
                self._mathematical(n, bound)
            stack.append((n, w, True))
            stack.extend((a, got, False) for a in reversed(n.args))
        return out[0]

    def _mathematical(self, se: SExpr, bound: list) -> None:
        """Arithmetic in a formula is on the integers; on a variable quantified over a C type (u32, i32)
        a reader could take it to wrap (or to overflow) as in C, so it is refused."""
        for a in se.args:
            if a.kind == "name" and a.data in bound:
                ty = self.machine_typed.get(_rindex(bound, a.data))
                if ty is not None:
                    raise QuodError(a.pos, f"unsupported: arithmetic on {a.data} : {ty} in a formula (formulas compute "
                                    f"with the mathematical integers, where {ty} in C would wrap or overflow): "
                                    f"quantify over int with a range, or state a fact about a program")

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
            from .syntax import did_you_mean
            near = "" if f in self.programs else did_you_mean(f, list(self.env.definitions()) + list(BUILTINS))
            raise QuodError(se.pos, f"unknown function or predicate '{f}'{near}")
        sort, arity = sym
        if len(args) != arity:
            raise QuodError(se.pos, f"{f} takes {arity} arguments, got {len(args)}")
        return Expr("app" if sort == TERM else "pred", tuple(self.elab(a, TERM, bound) for a in args), f)


def _unquantified_call(el: Elaborator, se: SExpr) -> bool:
    """A program call in se that no quantifier of se stands above (so the whole formula is its claim)."""
    from .calls import is_program_call
    stack = [se]
    while stack:
        n = stack.pop()
        if not hasattr(n, "kind") or n.kind in ("forall", "forall_typed", "exists", "exists_typed"):
            continue
        if is_program_call(el, n):
            return True
        stack.extend(n.args)
    return False


def _rindex(xs: list, x) -> int:
    return len(xs) - 1 - xs[::-1].index(x)


def _program_scope(el: Elaborator, prog) -> Elaborator:
    """An elaborator for assertions about a program's states (its variables, and ret)."""
    from programs.lang import RET
    return Elaborator(el.env, set(prog.types()) | {RET}, programs=el.programs)


def free_names(se: SExpr):
    """The names an expression uses that no quantifier inside it binds: (name, node)."""
    stack = [(se, frozenset())]
    while stack:
        n, inner = stack.pop()
        if not hasattr(n, "kind"):
            continue
        if n.kind == "name" and n.data not in inner:
            yield n.data, n
        if n.kind in ("forall", "exists"):
            inner = inner | set(n.data)
        elif n.kind in ("forall_typed", "exists_typed"):
            inner = inner | set(n.data[0])
        stack.extend((a, inner) for a in n.args)


def _no_outer_names(self, parts, bound: list, own=(), what: str = "") -> None:
    """A judgment (or a program fact's value) speaks of the program's states (or of its own
    quantified variables): a name bound outside it would be silently read as something else (a
    program variable, a definition), so it is refused."""
    outer = (set(bound) | self.variables) - set(own)
    for part in parts:
        for name, node in free_names(part):
            if name in outer:
                of = "its own quantified variables" if own else "the program's states (its variables and ret)"
                raise QuodError(node.pos, f"{name} is bound outside {what}, which speaks only of {of}: rename "
                                "the variable, or state the claim inside")


def _judgment(self, se: SExpr, bound: list) -> Expr:
    from programs.lang import precondition
    prog = self.programs.get(se.data)
    if prog is None:
        raise QuodError(se.pos, f"unknown program '{se.data}'")
    _no_outer_names(self, se.args, bound, what="a judgment about a program")
    inner = _program_scope(self, prog)
    types = precondition(prog)
    body = prog.body
    if se.kind == "terminates":
        pre = types if not se.args else mk("and", types, inner.formula(se.args[0]))
        return Expr("total", (pre, body, Expr("true")))
    if se.kind == "diverges":
        return Expr("diverges", (mk("and", types, inner.formula(se.args[0])), body))
    pre, post = inner.formula(se.args[0]), inner.formula(se.args[1])
    return Expr(se.kind, (mk("and", types, pre), body, post))


def _typed_quantifier(self, se: SExpr, bound: list) -> Expr:
    """A range-guarded quantifier (one around a program call is a judgment: ``calls.program_fact``)."""
    from programs.lang import range_fact
    names, ty = se.data
    body = se.args[0]
    kind = "forall" if se.kind == "forall_typed" else "exists"
    inner_bound = bound + list(names)
    machine = {len(bound) + i: ty for i in range(len(names))} if ty != "int" else {}
    self.machine_typed.update(machine)
    try:
        f = self.elab(body, FORMULA, inner_bound)
    finally:
        for i in machine:
            del self.machine_typed[i]
    for x in reversed(names):
        r = _rebind(range_fact("__q", ty), 0)      # the range fact of x, the innermost binder here
        f = mk("imp", r, f) if kind == "forall" else mk("and", r, f)
        f = Expr(kind, (f,), x)
    return f


def _rebind(f: Expr, index: int) -> Expr:
    from kernel.expr import rebuild
    return rebuild(f, lambda n, d: Expr("bvar", (), index + d) if n.op == "var" and n.data == "__q" else None)


Elaborator.judgment = _judgment
Elaborator.typed_quantifier = _typed_quantifier
