"""The expressions of the C front end: values, conditions and calls of one C function as Quod terms and
the statements that evaluate them (the checks C's undefined behaviour needs, the calls in C's order of
evaluation, assignments and ``++``/``--`` inside expressions with C's sequencing rules).

``c_frontend.Translator`` extends this class with C's statements and jumps; the state they share is
set up here."""

from __future__ import annotations

import itertools

from kernel import Expr, Int, Var, mk

from .c_control import may_diverge, may_stop, only_when, program_vars_of, run_checks, writes
from .c_syntax import called_names, line_of, walk
from .c_types import NONDET_TYPES, UNSIGNED, char_code, ctype, int_constant, range_of, tdiv, tmod
from .lang import BOUNDS, Loop, ProcRef, ProgramError, inline, range_fact, returned_check, seq

TRUE, FALSE = Expr("true"), Expr("false")

ARITH = {"+": "add", "-": "sub", "*": "mul"}
COMPARE = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}
INCDEC = ("++", "--", "p++", "p--")
# calls with Quod's meaning unless the program defines the function (__VERIFIER_nondet_* too)
BUILTIN_CALLS = {"__VERIFIER_assume", "assume", "__quod_havoc", "__VERIFIER_error", "reach_error", "abort", "assert",
                 "__VERIFIER_assert", "invariant", "decreasing", "exit"}
EXITED = "is 1 once the program has called exit"      # the meaning of the exit flag
ONLY_DEFINED = " (only to the functions defined in the source and the programs declared before)"


class ExpressionTranslator:
    """One function's C expressions, given the source's functions (``callees``, a
    ``c_frontend.SourceCallees``)."""

    def __init__(self, callees):
        if callees.int_mode not in ("c", "math"):
            raise ProgramError("int mode is c or math")
        self.callees = callees
        self.int_mode = callees.int_mode
        self.source = callees.source
        self.native = callees.native     # Quod's own program syntax: `int` division is the logic's floor division
        self.types: dict[str, str] = {g: ty for g, (ty, _) in callees.globals.items()}
        self.loops: list[Loop] = []
        # block scopes: C name -> variable (an inner declaration that shadows gets a fresh name); the
        # first is the file scope, the second the function's own
        self.scopes: list[dict] = [{g: g for g in callees.globals}, {}]
        self.demonic: set[str] = set()      # havocs that are the compiler's choice (see ``_any_order``)
        self._exit_site = None               # id of the call a statement is (where exit may be called)

    @property
    def names(self):
        """The fresh-name supply of the source being translated."""
        return self.callees.names

    # -- scopes -------------------------------------------------------------------------
    def lookup(self, name: str, node) -> str:
        """The variable a C name denotes here."""
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        raise ProgramError(f"{name} is not declared", line_of(node))

    def exit_flag(self) -> str:
        """The variable that is 1 once the program has called ``exit`` (one per source, shared by every
        function like a file-scope variable; ``parse_c`` sets it to 0 when main starts)."""
        cs = self.callees
        if cs.exit_vars is None:
            cs.exit_vars = (cs.names.fresh("__exit", EXITED), cs.names.fresh("__exit_status", "is the status "
                                                                              "the program passed to exit"))
        return cs.exit_vars[0]

    def _exit_var(self) -> str | None:
        return self.callees.exit_vars[0] if self.callees.exit_vars else None

    # -- assignments --------------------------------------------------------------------
    def assignment(self, s) -> Expr:
        from pycparser import c_ast
        if not isinstance(s.lvalue, c_ast.ID):
            raise ProgramError("only assignments to variables are supported", line_of(s))
        self._unsequenced(s, top=s)
        x = self.lookup(s.lvalue.name, s)
        if s.op == "=":
            return self.assign_to(x, s.rvalue, s)
        op = s.op[:-1]
        return self.assign_to(x, c_ast.BinaryOp(op, s.lvalue, s.rvalue, s.coord), s)

    def incdec(self, s) -> Expr:
        from pycparser import c_ast
        if not isinstance(s.expr, c_ast.ID):
            raise ProgramError("++/-- apply to variables only", line_of(s))
        op = "+" if "++" in s.op else "-"
        x = self.lookup(s.expr.name, s)
        return self.assign_to(x, c_ast.BinaryOp(op, s.expr, c_ast.Constant("int", "1"), s.coord), s)

    def assign_to(self, x: str, rhs, node) -> Expr:
        """x (a variable, not a C name) = rhs, converted to x's type."""
        pre, v, ty = self.value(rhs)
        v, checks = self.convert(v, ty, self.types[x])
        return seq(pre + [Expr("assert", (c,)) for c in checks] + [Expr("assign", (v,), x)])

    # -- calls ----------------------------------------------------------------------------
    def _is_variable(self, name: str) -> bool:
        return any(name in scope for scope in self.scopes)

    def _bool_constant(self, name: str) -> bool:
        """`true` and `false` (C23's constants, stdbool.h's macros) where the program declares nothing of
        that name: no variable, function, typedef or enumeration constant."""
        return name in ("true", "false") and not self._is_variable(name) and not (
            name in self.callees.enumerators or name in self.callees.file_names)

    def builtin(self, name: str, node) -> str | None:
        """``name`` if a call to it has Quod's built-in meaning here (``assume``, ``assert``,
        ``__VERIFIER_*``, ``reach_error``, ``abort``, ``havoc``, the loop annotations), None if the
        program defines that function itself (its own definition is what C calls). A variable is not
        callable; a program declared before in the .proof file with a built-in's name is ambiguous."""
        if not (name in BUILTIN_CALLS or name.startswith("__VERIFIER_nondet")):
            return None
        if self._is_variable(name):
            raise ProgramError(f"{name} is a variable here, not a function", line_of(node))
        if name in self.callees.defs:
            return None
        if name in self.callees.known:
            raise ProgramError(f"unsupported: {name} is both Quod's built-in {name} and a program declared before "
                               "it in the .proof file: rename the program", line_of(node))
        return name

    def call(self, e, checks: list, pre: list, used: bool = True) -> tuple[Expr, Expr | None, str | None]:
        """``f(args)``: (the statement running it, the result as a term or None for void, its type). The
        arguments are evaluated left to right and converted to the parameter types as by assignment;
        the callee is inlined with its variables renamed apart, and the result is copied to a fresh
        variable so that later statements cannot change it. Using the value of a C function that ended
        without a return statement is undefined behaviour: an assert (unless the value is not ``used``)."""
        name = e.name.name
        line = line_of(e)
        exits = self.callees.may_exit(name)
        if exits and id(e) != self._exit_site:
            raise ProgramError(f"unsupported: a call of {name}, which may end the program (exit), inside an expression "
                               f"or a condition: call it as a statement of its own (`{name}(...);`, `x = {name}(...);` "
                               f"or `return {name}(...);`)", line)
        callee = self.callees.get(name, line=line)
        if name not in self.callees.defs and EXITED in callee.hidden.values():
            raise ProgramError(f"unsupported: a call of the program {name}, which may end the whole program (exit)",
                               line)
        exprs = e.args.exprs if e.args is not None else []
        if len(exprs) != len(callee.params):
            raise ProgramError(f"{name} takes {len(callee.params)} arguments, got {len(exprs)}", line)
        vals = self._operands(exprs, checks, pre, f"the arguments of {name}", e)
        seen = self._declared(name, e)
        declared = self.callees.signatures.get(name)
        if name not in self.callees.defs and declared is not None:
            # a program of the .proof file the source declares itself: the declaration must be its type
            own = (callee.result or "void", [t for _, t in callee.params])
            if (declared[0], list(declared[1])) != own:
                raise ProgramError(f"conflicting types for {name}: the source declares it otherwise than the "
                                   f"program {name} is ({', '.join(own[1])}) -> {own[0]}", line)
        if seen == "prototype":        # converted to the parameter types as by assignment
            args = [self._to(v, ty, pty, checks) for (v, ty), (_, pty) in zip(vals, callee.params)]
        else:
            # no prototype visible: the arguments only undergo the integer promotions (and calling a
            # function not declared at all takes it to return int), which means the same only when
            # the promoted types are the parameter types
            why = f"{name} is called before it is declared" if seen is None else\
                f"{name} is declared without parameter types where it is called"
            if [self.promote(ty) for _, ty in vals] != [t for _, t in callee.params]:
                raise ProgramError(f"{why}, so its arguments are not converted to the parameter types: "
                                   f"declare {name} with its parameter types before this call", line)
            if seen is None and callee.result != self.small:
                raise ProgramError(f"{why}, so C takes it to return int: declare {name} before this call", line)
            args = [v for v, _ in vals]
        if isinstance(callee, ProcRef) and callee.passes is not None:     # g = p(args, g)
            g = callee.passes
            return Expr("call", tuple(args) + (Var(g),), (g, callee.name)), None, None
        if isinstance(callee, ProcRef):         # recursion: a call of the function's procedure
            out = self.names.fresh(f"__{name}_result", f"is the value {name} returned", numbered=True)
            self.types[out] = callee.result or "int"
            stmt = Expr("call", tuple(args), (out, callee.name))
            return stmt, (Var(out) if callee.result is not None and used else None), callee.result
        try:
            stmt, res, loops, renamed = inline(callee, args, self.names)
        except ProgramError as exc:
            raise ProgramError(exc.message, line) from None
        self.loops.extend(loops)
        for x, ty in callee.types().items():
            self.types[renamed[x]] = ty
        self.demonic |= {renamed[x] for x in callee.demonic}
        if res is None or not used:
            return stmt, None, None
        returned = returned_check(callee, renamed)
        if exits:            # a callee that called exit returned nothing, and nothing after it runs
            returned = [Expr("if", (mk("eq", Var(self._exit_var()), Int(0)), seq(returned), Expr("skip")))]\
                if returned else []
        out = self.names.fresh(f"__{callee.name}_result", f"is the value {callee.name} returned", numbered=True)
        self.types[out] = callee.result
        return seq([stmt] + returned + [Expr("assign", (res,), out)]), Var(out), callee.result

    def _declared(self, name: str, e) -> str | None:
        """How the function ``name`` is declared where ``e`` calls it: "prototype" (with its parameter
        types; also every program declared before in a .proof file), "old" (``int f();``) or None."""
        for scope in reversed(self.scopes):
            if "()" + name in scope:
                return "prototype" if scope["()" + name] else "old"
        if name not in self.callees.defs:
            return "prototype"
        at = (e.coord.line, e.coord.column or 0) if e.coord is not None else (0, 0)
        if self.callees.prototyped.get(name, at) < at:
            return "prototype"
        return "old" if self.callees.declared.get(name, at) < at else None

    def _operands(self, exprs: list, checks: list, pre: list, what: str, node) -> list:
        """The values of operands that C evaluates in an unspecified order (the arguments of a call, the
        two sides of + or <), left to right. Their effects commute (a callee changes only its own
        variables), except that one operand may run forever (it calls a function with a loop) where
        another fails (an assert, or an assume that blocks) in the other order. So when some operand may
        run forever, the checks of the operands without calls are made first (each order that fails is
        then seen to fail; otherwise they do nothing), and two operands with calls, one of which may run
        forever while the other may fail, are refused."""
        out, parts = [], []
        for x in exprs:
            mine: list = []
            out.append(self._val(x, mine, pre))
            parts.append(mine)
        for i, p in enumerate(parts):
            # a value is a term read after every operand has run: it must not read what another's
            # call changes (a file-scope variable), which C may read before or after that call
            written = {w for x in p if x.sort == "stmt" for w in writes(x)}
            for j, (v, _) in enumerate(out):
                both = written & (v.fv | {u for x in parts[j] for u in program_vars_of(x)})
                if j != i and both:
                    raise ProgramError(f"unsupported: {what} are evaluated in an unspecified order in C, and one "
                                       f"of them changes {min(both)}, which another uses: compute them in separate "
                                       "statements", line_of(node))
        if any(may_diverge(p) for p in parts):
            calls = [p for p in parts if any(x.sort == "stmt" for x in p)]
            if any(i != j and may_diverge(p) and may_stop(q) for i, p in enumerate(calls)
                   for j, q in enumerate(calls)):
                checks.extend(x for p in parts if p not in calls for x in p)
                checks.append(self._any_order(calls, what, node))
                return out
            parts = [p for p in parts if not any(x.sort == "stmt" for x in p)] + calls
        for p in parts:
            checks.extend(p)
        return out

    def _any_order(self, calls: list, what: str, node) -> Expr:
        """Operands with calls, one of which may run forever while another may fail, in every order
        (C sequences the calls of one expression indeterminately: each runs whole, in an order the
        compiler picks): ``havoc o; if (o = 0) A; B else B; A``. The choice is the compiler's, not
        the input's: ``Program.demonic`` keeps the search for a run forever from fixing it, so a
        "no" holds whichever order gcc picks (and a "yes" holds for every order). The calls' effects
        commute (``_operands`` refuses an operand changing what another uses), so a run ends as the
        first operand in the order that fails or runs forever makes it end: choices nested along an
        expression's tree, ``(a + b) + c``, reach every such end, as all six orders do."""
        if len(calls) > 3:
            raise ProgramError(f"unsupported: {what} are evaluated in an unspecified order in C, and one of them "
                               f"may run forever while another may fail; {len(calls)} such operands are too many "
                               "orders (at most 3): compute them in separate statements", line_of(node))
        o = self.names.fresh("__order", "is the order the compiler picks for the calls of an expression",
                             numbered=True)
        self.types[o] = "int"
        self.demonic.add(o)
        orders = [seq([s for k in perm for s in run_checks(calls[k])])
                  for perm in itertools.permutations(range(len(calls)))]
        st = orders[-1]
        for k in range(len(orders) - 2, -1, -1):
            st = Expr("if", (mk("eq", Var(o), Int(k)), orders[k], st))
        return seq([Expr("havoc", (), o), st])

    # -- expressions -----------------------------------------------------------------------
    @property
    def small(self) -> str:
        """The type of int: 32-bit, or the mathematical integers in math mode."""
        return "i32" if self.int_mode == "c" else "int"

    def convert(self, v: Expr, src: str, dst: str) -> tuple[Expr, list]:
        """v of type src as a value of type dst (C11 6.3.1): _Bool is 0/1; a value that fits is kept;
        otherwise unsigned types wrap, and so do signed ones (implementation-defined: gcc reduces modulo
        2^N). Checks (asserts) only for a mathematical integer into a C signed type (Quod's own programs,
        and the result of a program with mathematical integers called from C)."""
        if dst == src or dst == "int":
            return v, []
        if dst == "bool":
            if src in ("bool",):
                return v, []
            return Expr("ite", (mk("not", mk("eq", v, Int(0))), Int(1), Int(0))), []
        lo, hi = BOUNDS[dst]
        if src in BOUNDS and lo <= BOUNDS[src][0] and BOUNDS[src][1] <= hi:
            return v, []
        if v.op == "int" and lo <= v.data <= hi:
            return v, []
        if src == "int" and lo < 0 and self.int_mode == "c":
            # a mathematical integer (Quod's own int, or the result of a program that computes with
            # them, called from C) into a C signed type: it must fit
            fact = range_of(v, dst)
            return v, [fact]
        size = hi - lo + 1
        if lo == 0:
            return mk("mod", v, Int(size)), []
        return mk("sub", mk("mod", mk("add", v, Int(-lo)), Int(size)), Int(-lo)), []

    def value(self, e) -> tuple[list, Expr, str]:
        """(statements to run first, the value as a term, its C type); overflow checks are asserts."""
        self._unsequenced(e)
        checks: list = []
        pre: list = []
        v, ty = self._val(e, checks, pre)
        return pre + run_checks(checks), v, ty

    def cond(self, e) -> tuple[list, Expr]:
        self._unsequenced(e)
        checks: list = []
        pre: list = []
        f = self._cond(e, checks, pre)
        return pre + run_checks(checks), f

    def promote(self, ty: str) -> str:
        """The integer promotions: _Bool, char and short (signed or not) become int."""
        return self.small if ty in ("bool", "i8", "u8", "i16", "u16") else ty

    def _common(self, a: str, b: str) -> str:
        """The usual arithmetic conversions (C11 6.3.1.8), LP64: the type both operands convert to."""
        a, b = self.promote(a), self.promote(b)
        if a == b:
            return a
        if "int" in (a, b):            # the mathematical integers (math mode, Quod's own int)
            other = b if a == "int" else a
            return other if other in ("u32", "u64") else "int"
        rank = {"i32": 1, "u32": 1, "i64": 2, "u64": 2}
        ua, ub = a in UNSIGNED, b in UNSIGNED
        if ua == ub:
            return a if rank[a] >= rank[b] else b
        u, sgn = (a, b) if ua else (b, a)
        if rank[u] >= rank[sgn]:
            return u
        lo, hi = BOUNDS[sgn]
        if lo <= BOUNDS[u][0] and BOUNDS[u][1] <= hi:     # long holds every unsigned int
            return sgn
        return "u64"

    def _to(self, v: Expr, src: str, dst: str, checks: list) -> Expr:
        v, more = self.convert(v, src, dst)
        checks.extend(more)
        return v

    def _constant(self, e) -> tuple[Expr, str]:
        line = line_of(e)
        if e.type == "char":
            return Int(char_code(e.value, line)), self.small
        if not e.type.endswith("int"):
            raise ProgramError(f"{e.type} constants are not supported", line)
        if e.value.startswith("'") or e.value[:1] in "LuU" and "'" in e.value:    # 'ab', L'a'
            return Int(char_code(e.value, line)), self.small
        n, kinds = int_constant(e.value, line)
        if self.native and kinds[0] == "i32":      # Quod's own language: an unsuffixed literal is signed
            kinds = ["i32", "i64"]
        for k in kinds:
            if self.int_mode == "math" and k in ("i32", "i64"):
                return Int(n), "int"
            lo, hi = BOUNDS[k]
            if lo <= n <= hi:
                return Int(n), k
        raise ProgramError(f"integer constant {e.value} is too large", line)

    def _val(self, e, checks, pre) -> tuple[Expr, str]:
        from pycparser import c_ast
        small = self.small
        if isinstance(e, c_ast.Constant):
            return self._constant(e)
        if isinstance(e, c_ast.ID):
            if not self._is_variable(e.name) and e.name in self.callees.enumerators:
                k = self.callees.enumerators[e.name]
                if k is None:
                    raise ProgramError(f"unsupported: the value of the enumeration constant {e.name}", line_of(e))
                return Int(k), small
            if self._bool_constant(e.name):
                return Int(1 if e.name == "true" else 0), small
            x = self.lookup(e.name, e)
            return Var(x), self.types[x]
        if isinstance(e, c_ast.Cast):
            v, ty = self._val(e.expr, checks, pre)
            dst = ctype(e.to_type.type, self.int_mode)
            if dst == "void":
                raise ProgramError("a cast to void is not a value", line_of(e))
            return self._to(v, ty, dst, checks), dst
        if isinstance(e, c_ast.UnaryOp) and e.op in INCDEC:
            return self._side_effect(e, checks)
        if isinstance(e, c_ast.UnaryOp):
            if e.op == "-":
                v, ty = self._val(e.expr, checks, pre)
                ty = self.promote(ty)
                if ty in UNSIGNED:
                    return mk("mod", mk("neg", v), Int(BOUNDS[ty][1] + 1)), ty
                r = mk("neg", v)
                self._check_range(r, ty, checks)
                return r, ty
            if e.op == "+":
                v, ty = self._val(e.expr, checks, pre)
                return v, self.promote(ty)
            if e.op == "!":
                return Expr("ite", (self._cond(e, checks, pre), Int(1), Int(0))), small
            if e.op == "sizeof":
                raise ProgramError("sizeof is not supported", line_of(e))
            raise ProgramError(f"unsupported operator {e.op} in an expression", line_of(e))
        if isinstance(e, c_ast.BinaryOp):
            if e.op in ARITH or e.op in ("/", "%"):
                (a, ta), (b, tb) = self._operands([e.left, e.right], checks, pre, f"the operands of {e.op}", e)
                ty = self._common(ta, tb)
                a, b = self._to(a, ta, ty, checks), self._to(b, tb, ty, checks)
                # a constant divisor other than 0 and -1: nothing can go wrong (|a / k| <= |a|, |a % k| < |k|)
                safe = e.op in ("/", "%") and b.op == "int" and b.data not in (0, -1)
                if e.op in ("/", "%"):
                    if not safe:
                        checks.append(mk("not", mk("eq", b, Int(0))))
                    if ty in UNSIGNED or (ty == "int" and self.native):
                        r = mk("div" if e.op == "/" else "mod", a, b)     # floor, as in the logic
                    else:
                        r = tdiv(a, b) if e.op == "/" else tmod(a, b)
                        if e.op == "%" and ty != "int" and not safe:
                            self._check_range(tdiv(a, b), ty, checks)
                else:
                    r = mk(ARITH[e.op], a, b)
                    if ty in UNSIGNED:
                        return mk("mod", r, Int(BOUNDS[ty][1] + 1)), ty
                if ty not in UNSIGNED and not safe:
                    self._check_range(r, ty, checks)
                return r, ty
            if e.op in COMPARE or e.op in ("&&", "||"):
                return Expr("ite", (self._cond(e, checks, pre), Int(1), Int(0))), small
            raise ProgramError(f"unsupported operator {e.op}", line_of(e))
        if isinstance(e, c_ast.TernaryOp):
            c = self._cond(e.cond, checks, pre)
            ca, cb = [], []
            a, ta = self._val(e.iftrue, ca, pre)
            b, tb = self._val(e.iffalse, cb, pre)
            ty = self._common(ta, tb)           # both arms convert to the common type
            a, b = self._to(a, ta, ty, ca), self._to(b, tb, ty, cb)
            checks.extend(only_when(c, x) for x in ca)
            checks.extend(only_when(mk("not", c), x) for x in cb)
            return Expr("ite", (c, a, b)), ty
        if isinstance(e, c_ast.FuncCall):
            name = e.name.name if isinstance(e.name, c_ast.ID) else "?"
            if name.startswith("__VERIFIER_nondet") and self.builtin(name, e) is not None:
                t = self.names.fresh("__nd", f"is what a {name}() call returns", numbered=True)
                # the declared result type, if the program declares the function; else the one its name says
                ty = self.callees.results.get(name)
                ty = ty or NONDET_TYPES.get(name[len("__VERIFIER_nondet_"):])
                if ty is None or ty == "void":
                    raise ProgramError(f"unsupported: {name}() (declare it with an integer result type)", line_of(e))
                if ty in ("i32", "i64") and self.int_mode == "math":
                    ty = "int"
                self.types[t] = ty
                pre.append(Expr("havoc", (), t))
                fact = range_fact(t, ty)
                if fact is not None:
                    pre.append(Expr("assume", (fact,)))
                return Var(t), ty
            if self.callees.has(name) and not self._is_variable(name):
                stmt, res, ty = self.call(e, checks, pre)
                if res is None:
                    raise ProgramError(f"{name} returns no value (it is void)", line_of(e))
                checks.append(stmt)
                return res, ty
            raise ProgramError(f"calls to {name} are not supported{ONLY_DEFINED}", line_of(e))
        if isinstance(e, c_ast.Assignment) or isinstance(e, c_ast.UnaryOp) and e.op in INCDEC:
            return self._side_effect(e, checks)
        raise ProgramError(f"unsupported expression {type(e).__name__}", line_of(e))

    def _side_effect(self, e, checks: list) -> tuple[Expr, str]:
        """An assignment, ``++`` or ``--`` inside an expression: its store runs where C evaluates it
        (among the expression's checks and calls, in order); the value is the variable's new value (a
        postfix ``x++``: the old one, kept in a fresh variable). ``_unsequenced`` has made sure no
        other part of the full expression reads or writes the variable, so reading it later is the
        same as reading it at the store."""
        from pycparser import c_ast
        target = e.lvalue if isinstance(e, c_ast.Assignment) else e.expr
        if not isinstance(target, c_ast.ID):
            raise ProgramError("only assignments to variables are supported", line_of(e))
        x = self.lookup(target.name, e)
        store = self.assignment(e) if isinstance(e, c_ast.Assignment) else self.incdec(e)
        if isinstance(e, c_ast.UnaryOp) and e.op in ("p++", "p--"):
            old = self.names.fresh(f"__{target.name}_old", f"is {target.name} before {target.name}{e.op[1:]}",
                                   numbered=True)
            self.types[old] = self.types[x]
            checks.append(seq([Expr("assign", (Var(x),), old), store]))
            return Var(old), self.types[x]
        checks.append(store)
        return Var(x), self.types[x]

    def _unsequenced(self, e, top=None) -> None:
        """Refuse a full expression that stores into a variable (``=``, ``op=``, ``++``, ``--`` inside
        it; ``top``, the statement's own store, aside) and mentions that variable anywhere else: C leaves
        such accesses unsequenced (undefined behaviour) or, across ``&&``, ``||``, ``?:`` and ``,``,
        ordered in ways this front end does not follow. A file-scope variable stored into by a full
        expression that also calls a function of the program is refused too (the callee may read or
        write it, in an order C leaves open)."""
        from pycparser import c_ast
        stores, uses, calls = [], {}, False
        for n in walk(e):
            if n is not top and (isinstance(n, c_ast.Assignment) or isinstance(n, c_ast.UnaryOp) and n.op in INCDEC):
                t = n.lvalue if isinstance(n, c_ast.Assignment) else n.expr
                if isinstance(t, c_ast.ID):
                    stores.append((t.name, n))
            if isinstance(n, c_ast.FuncCall):
                name = n.name.name if isinstance(n.name, c_ast.ID) else None
                calls = calls or name is None or self.builtin(name, n) is None
            elif isinstance(n, c_ast.ID):
                uses[n.name] = uses.get(n.name, 0) + 1
        called = called_names(e)
        for name, n in stores:
            if uses.get(name, 0) - called.count(name) > 1:
                raise ProgramError(f"unsupported: {name} is changed inside an expression that also reads or "
                                   "changes it elsewhere (unsequenced in C, or in an order Quod does not follow): "
                                   "split the expression into statements", line_of(n))
            if calls and len(self.scopes) > 1 and self._is_variable(name) and\
                    self.scopes[0].get(name) == self.lookup(name, n):
                raise ProgramError(f"unsupported: the file-scope variable {name} is changed inside an expression "
                                   "that also calls a function (which may use it, in an order C leaves open): "
                                   "split the expression into statements", line_of(n))

    def _cond(self, e, checks, pre) -> Expr:
        from pycparser import c_ast
        if isinstance(e, c_ast.UnaryOp) and e.op == "!":
            return mk("not", self._cond(e.expr, checks, pre))
        if isinstance(e, c_ast.BinaryOp) and e.op in ("&&", "||"):
            a = self._cond(e.left, checks, pre)
            inner: list = []
            b = self._cond(e.right, inner, pre)
            guard = a if e.op == "&&" else mk("not", a)
            checks.extend(only_when(guard, x) for x in inner)   # the right side runs only sometimes
            return mk("and" if e.op == "&&" else "or", a, b)
        if isinstance(e, c_ast.BinaryOp) and e.op in COMPARE:
            (a, ta), (b, tb) = self._operands([e.left, e.right], checks, pre, f"the operands of {e.op}", e)
            ty = self._common(ta, tb)
            a, b = self._to(a, ta, ty, checks), self._to(b, tb, ty, checks)
            op = COMPARE[e.op]
            if op == "gt":
                return mk("lt", b, a)
            if op == "ge":
                return mk("le", b, a)
            if op == "ne":
                return mk("not", mk("eq", a, b))
            return mk(op, a, b)
        if isinstance(e, c_ast.ID) and self._bool_constant(e.name):
            return TRUE if e.name == "true" else FALSE
        v, _ = self._val(e, checks, pre)
        if v.op == "int":
            return TRUE if v.data != 0 else FALSE
        return mk("not", mk("eq", v, Int(0)))

    def _check_range(self, r: Expr, ty: str, checks: list) -> None:
        if ty not in ("i32", "i64") or self.int_mode != "c":
            return
        lo, hi = BOUNDS[ty]
        if r.op == "int" and lo <= r.data <= hi:
            return
        checks.append(range_of(r, ty))
