"""The Python front end: a function of the supported Python subset, read with ``ast``, as a Program.

Integers are unbounded and ``//``, ``%`` are floor division, exactly the
logic's own (division by zero raises in Python, so it is an ``assert``).
Supported: ``def`` with integer parameters, assignments and augmented
assignments, ``if``/``elif``/``else``, ``while``, ``for i in range(...)``,
``break``/``continue``/``return`` (as flags), ``assert``, and
``assert isinstance(x, int)`` read as a type fact.

CPython's semantics, exactly: ``x or y`` / ``x and y`` are an operand (True
and False are 1 and 0), the right operand and the rest of a chained comparison
are evaluated only when needed (their division checks are guarded), and a
range loop walks a hidden counter over bounds evaluated once (see
``for_range``). Hidden variables (the jump flags, range counters) get names
the function does not use; a local called ``ret`` is renamed, as that name
holds the return value.
"""

from __future__ import annotations

import ast
import re
import sys

from kernel import Expr, Int, Var, mk

from .lang import (RET, Callees, Loop, Program, ProgramError, conj, depth_guard, inline, program_vars, range_fact,
                   returned_check, seq)

TRUE, FALSE = Expr("true"), Expr("false")
_BIN = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.FloorDiv: "div", ast.Mod: "mod"}
_CMP = {ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge", ast.Eq: "eq", ast.NotEq: "ne"}


@depth_guard("Python")
def parse_python(source: str, function: str | None = None, name: str | None = None,
                 known: dict | None = None) -> Program:
    """The function ``function`` (default: ``main``, or the only one) of ``source``. It may call the other functions
    of the source and the programs in ``known`` (name -> Program); calls are inlined, so recursion
    is refused."""
    _utf8_only(source)
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ProgramError(f"Python syntax: {exc.msg}", exc.lineno) from None
    except MemoryError:          # CPython's parser stack, not the machine's memory: see depth_guard
        raise RecursionError from None
    _definitions_only(tree)
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.decorator_list]
    if not funcs:
        raise ProgramError("no function definition in the Python source")
    # Python's scoping: a name a function does not bind is the module's, then a builtin. The module's
    # functions are the last `def` of each name; every other module-level binding (an assignment, an
    # import, a class, a decorated def, a def under `if`) is recorded, and using such a name is refused
    # (its meaning is not one Quod reads).
    defs = {f.name: f for f in funcs}
    bound: dict[str, int] = {}
    for node in tree.body:
        if node in funcs:
            continue
        for x, line in _bindings(node):
            bound.setdefault(x, line)
    for x in list(defs):
        if x in bound and bound[x] > defs[x].lineno:
            del defs[x]               # rebound after its def: the function is not what the name means
    funcs = [f for f in funcs if defs.get(f.name) is f]
    if function is None:      # the only function, else the one named like the program, else main (as for C)
        fd = funcs[0] if len(funcs) == 1 else defs.get(name) if name in defs else defs.get("main")
        if fd is None:
            raise ProgramError(f"the source defines {len(funcs)} functions ({', '.join(f.name for f in funcs)}) "
                               "and no main: choose one (--function NAME, or `function NAME` in a .proof file)")
    else:
        fd = defs.get(function)
        if fd is None:
            if function in bound:
                raise ProgramError(f"unsupported: {function} is bound at module level by something other than a "
                                   f"plain def (line {bound[function]})", bound[function])
            raise ProgramError(f"no function named {function} (found: {', '.join(f.name for f in funcs)})")
    callees = _Callees(source, defs, known or {})
    callees.module_bound = bound
    return callees.get(fd.name, name)


_BUILTINS = {"abs", "min", "max", "range", "isinstance", "int", "bool"}
_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _utf8_only(source: str) -> None:
    """CPython decodes a file by its coding declaration (PEP 263); Quod reads sources as UTF-8, so a file
    declaring another encoding would mean something else to CPython: refused."""
    import codecs
    for i, line in enumerate(source.split("\n")[:2], 1):
        m = _CODING.match(line)
        if m:
            try:
                enc = codecs.lookup(m.group(1)).name
            except LookupError:
                enc = m.group(1)
            if enc != "utf-8":
                raise ProgramError(f"unsupported: the source declares the encoding {m.group(1)}; Quod reads Python "
                                   "sources as UTF-8", i)
            return
        if line.strip() and not line.lstrip().startswith("#"):
            return


def _definitions_only(tree: ast.Module) -> None:
    """Importing the module must run nothing but its `def`s: any other module-level code (an assignment, a
    class, a decorator, a call, a `try`, an import of a module outside the standard library, a default
    value or annotation that calls something) could change what a name means when the function runs,
    so it is refused. Docstrings, standard-library imports and `if __name__ == "__main__":` (which
    does not run on import) are fine."""
    for node in tree.body:
        line = getattr(node, "lineno", None)
        if isinstance(node, ast.FunctionDef) and not node.decorator_list:
            a = node.args
            parts = a.defaults + [d for d in a.kw_defaults if d is not None] + \
                [x.annotation for x in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg]
                 if x is not None and x.annotation is not None] + ([node.returns] if node.returns else [])
            for part in parts:
                if any(isinstance(n, (ast.Call, ast.Lambda, ast.NamedExpr, ast.comprehension, ast.Await, ast.Yield,
                                      ast.YieldFrom)) for n in ast.walk(part)):
                    raise ProgramError(f"unsupported: `{_source(part)}` runs code when the module is imported "
                                       f"(a default value or annotation of {node.name})", part.lineno, _col(part))
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) or isinstance(node, ast.Pass):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if node.module is not None and node.level == 0 else [None]
            bad = [m for m in mods if m is None or m.split(".")[0] not in sys.stdlib_module_names
                   or m.split(".")[0] == "builtins"]
            if not bad:
                continue
            raise ProgramError(f"unsupported: `{_source(node)}` (only modules of the standard library may be "
                               "imported: another module's code runs on import)", line, _col(node))
        if isinstance(node, ast.If) and _is_main_guard(node.test) and not node.orelse:
            continue
        raise ProgramError(f"unsupported: module-level code `{_source(node)}` (Quod reads a module of plain function "
                           "definitions: nothing else may run when it is imported)", line, _col(node))


def _is_main_guard(test) -> bool:
    return isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__" and \
        len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq) and isinstance(test.comparators[0], ast.Constant) \
        and test.comparators[0].value == "__main__"


def _bindings(node):
    """The names a module-level statement binds (with their lines)."""
    for n in ast.walk(node):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            yield n.id, n.lineno
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield n.name, n.lineno
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            for a in n.names:
                if a.name == "*":
                    yield "*", n.lineno
                else:
                    yield (a.asname or a.name.split(".")[0]), n.lineno
        elif isinstance(n, (ast.MatchAs, ast.MatchStar)) and n.name:
            yield n.name, n.lineno


class _Callees(Callees):
    def __init__(self, source: str, defs: dict, known: dict):
        super().__init__(defs, known, source)
        self.source = source
        self.module_bound: dict[str, int] = {}      # module-level names bound other than by a plain def

    def translate(self, fname: str, name: str | None) -> Program:
        """A second pass when some local may be read before it has a value: then those locals carry a flag
        that says they have one, and such a read asserts it (UnboundLocalError)."""
        fd = self.defs[fname]
        tr = _Translator(self.source, fd, self)
        prog = tr.function(fd, name)
        if tr.unsafe:
            tr = _Translator(self.source, fd, self, tracked=tr.unsafe)
            prog = tr.function(fd, name)
        return prog


class _Translator:
    def __init__(self, source: str, fd: ast.FunctionDef, callees: _Callees | None = None, tracked=frozenset()):
        self.source = source
        self.callees = callees
        self.vars: set[str] = set()
        self.definite: set[str] = set()     # the locals that surely have a value here (Python's must-analysis)
        self.unsafe: set[str] = set()       # locals read where they may have none
        # the expressions where a None raises TypeError in CPython: operands of + - * // % < <= > >=,
        # unary - +, abs/min/max and range arguments (elsewhere a None goes on as a value)
        self.none_raises: set[int] = set()
        self.tracked = tracked              # locals that carry a "has a value" flag (the second pass)
        self.has_value: dict[str, str] = {}
        self.loops: list[Loop] = []
        self.flags: set[str] = set()
        # hidden variables come from the source's fresh-name supply: they never collide with its names
        self.names = (callees or _Callees(source, {}, {})).names
        # names that are local variables of the function (so not the builtins range, abs, min, max)
        self.local_names: set[str] = {n.id for n in ast.walk(fd) if isinstance(n, ast.Name)
                                      and isinstance(n.ctx, ast.Store)} | {a.arg for a in ast.walk(fd)
                                                                           if isinstance(a, ast.arg)}
        self.rename: dict[str, str] = {}
        self.RET_F = self.names.fresh("__ret", "is 1 once the function has returned")
        self.BRK = self.names.fresh("__brk", "is 1 once the loop has run `break`")
        self.CONT = self.names.fresh("__cont", "is 1 while the rest of an iteration is skipped by `continue`")

    def fresh(self, base: str, meaning: str, numbered: bool = False) -> str:
        return self.names.fresh(base, meaning, numbered)

    def resolve(self, name: str, node) -> str:
        """What a called name means here, by Python's scoping: "local" (a variable of the function), "def"
        (a function of the source), "builtin", "program" (one declared before in the .proof file) or
        "unknown". A name the module binds otherwise (an assignment, an import) is refused."""
        if name in self.local_names:
            return "local"
        callees = self.callees
        bound = callees.module_bound if callees is not None else {}
        if name in bound or "*" in bound:
            line = bound.get(name, bound.get("*"))
            raise ProgramError(f"unsupported: {name} is bound at module level (line {line}), and Quod reads only "
                               "plain function definitions there", getattr(node, "lineno", None), _col(node))
        if callees is not None and name in callees.defs:
            return "def"
        if name in _BUILTINS:
            if callees is not None and name in callees.known:
                raise ProgramError(f"unsupported: {name} is both Python's builtin and a program declared before "
                                   "it in the .proof file: rename the program", getattr(node, "lineno", None),
                                   _col(node))
            return "builtin"
        if callees is not None and name in callees.known:
            return "program"
        return "unknown"

    def nm(self, x: str) -> str:
        """The program variable of the Python name x (a user variable called `ret` is renamed: that
        name is the return value)."""
        return self.rename.get(x, x)

    def function(self, fd: ast.FunctionDef, name: str | None) -> Program:
        params = []
        for a in fd.args.posonlyargs + fd.args.args:
            ann = a.annotation
            if ann is not None and not (isinstance(ann, ast.Name) and ann.id in ("int", "bool")):
                raise ProgramError(f"parameter {a.arg} must be an int", a.lineno)
            if a.arg == RET:
                raise ProgramError(f"a parameter cannot be named {RET} (the name of the return value)", a.lineno)
            params.append((a.arg, "int"))
            self.vars.add(a.arg)
            self.definite.add(a.arg)
        if fd.args.vararg or fd.args.kwarg or fd.args.kwonlyargs:
            raise ProgramError("unsupported: *args, **kwargs and keyword-only parameters", fd.lineno)
        bare = any(isinstance(n, ast.Return) and n.value is None for n in ast.walk(fd))
        valued = any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(fd))
        # whether a value was returned: the return flag, or (when a bare `return` returns None) a flag of its own
        self.VAL = self.fresh("__val", "is 1 once the function has returned a value") if bare and valued \
            else self.RET_F
        for x in sorted(self.tracked):
            self.has_value[x] = self.fresh(f"__has_{x}", f"is 1 once {x} has a value")
            self.flags.add(self.has_value[x])
        if any(isinstance(n, ast.Name) and n.id == RET for n in ast.walk(fd)):
            self.rename[RET] = self.fresh(RET + "_", "is the function's variable `ret` (that name holds the "
                                          "return value)")
        body = self.block(fd.body)
        returns = any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(fd))
        if self.flags:
            body = seq([Expr("assign", (Int(0),), f) for f in sorted(self.flags)] + [body])
        locals_ = {v: "int" for v in self.vars if v not in dict(params)}
        if returns:
            locals_[RET] = "int"
        mentioned = program_vars(body)
        hidden = {x: m for x, m in self.names.hidden.items() if x in mentioned}
        return Program(name or fd.name, params, "int" if returns else None, body, "python", locals_,
                       self.loops, self.source, hidden, self.VAL if returns else None)

    def block(self, stmts: list) -> Expr:
        out = []
        for i, s in enumerate(stmts):
            st, jumps = self.stmt(s)
            out.append(st)
            if jumps and i + 1 < len(stmts):
                guard = conj([mk("eq", Var(f), Int(0)) for f in sorted(jumps)])
                out.append(Expr("if", (guard, self.block(stmts[i + 1:]), Expr("skip"))))
                break
        return seq(out)

    def stmt(self, s) -> tuple[Expr, set]:
        if isinstance(s, ast.Assign):
            if len(s.targets) != 1 or not isinstance(s.targets[0], ast.Name):
                raise ProgramError("only assignments to one variable are supported", s.lineno)
            return self.assign(self.nm(s.targets[0].id), s.value), set()
        if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.value is not None:
            return self.assign(self.nm(s.target.id), s.value), set()
        if isinstance(s, ast.AugAssign):
            if not isinstance(s.target, ast.Name):
                raise ProgramError("only variables can be updated", s.lineno)
            read = ast.copy_location(ast.Name(s.target.id, ast.Load()), s.target)
            return self.assign(self.nm(s.target.id), ast.copy_location(ast.BinOp(read, s.op, s.value), s)), set()
        if isinstance(s, ast.If):
            checks: list = []
            c = self.cond(s.test, checks)
            before = set(self.definite)
            t, jt = self.stmts(s.body)
            after_then, self.definite = self.definite, set(before)     # (a copy: the else branch adds to it)
            e, je = self.stmts(s.orelse)
            self.definite = before | (after_then & self.definite)
            return seq(_run(checks) + [Expr("if", (c, t, e))]), jt | je
        if isinstance(s, ast.While):
            if s.orelse:
                raise ProgramError("while ... else is not supported", s.lineno)
            return self.while_loop(s), self._ret(s.body)
        if isinstance(s, ast.For):
            return self.for_range(s), self._ret(s.body)
        if isinstance(s, ast.Return):
            st = self.assign(RET, s.value) if s.value is not None else Expr("skip")
            self.flags.add(self.RET_F)
            if s.value is not None and self.VAL != self.RET_F:
                self.flags.add(self.VAL)
                st = seq([st, Expr("assign", (Int(1),), self.VAL)])
            return seq([st, Expr("assign", (Int(1),), self.RET_F)]), {self.RET_F}
        if isinstance(s, ast.Break):
            self.flags.add(self.BRK)
            return Expr("assign", (Int(1),), self.BRK), {self.BRK}
        if isinstance(s, ast.Continue):
            self.flags.add(self.CONT)
            return Expr("assign", (Int(1),), self.CONT), {self.CONT}
        if isinstance(s, ast.Assert):
            t = s.test
            checks: list = []
            c = self.cond(t, checks)
            return seq(_run(checks) + [Expr("assert", (c,))]), set()
        if isinstance(s, ast.Pass):
            return Expr("skip"), set()
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant):
            return Expr("skip"), set()            # a docstring
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Name) \
                and self.resolve(s.value.func.id, s.value) in ("def", "program"):
            checks = []
            stmt, _ = self.call(s.value, checks, used=False)
            return seq(_run(checks) + [stmt]), set()
        raise ProgramError(f"unsupported statement `{_source(s)}` (the subset: assignments, if, while, "
                           "for ... in range, break, continue, return, assert, pass)", getattr(s, "lineno", None),
                           _col(s))

    def stmts(self, body: list) -> tuple[Expr, set]:
        return self.block(body), self._jumps_in(body)

    def _jumps(self, node, in_loop=False) -> set:
        """The flags a statement can set that are seen outside it: return always, break and
        continue unless they belong to a loop inside the statement."""
        found = set()
        if isinstance(node, ast.Return):
            found.add(self.RET_F)
        elif isinstance(node, ast.Break) and not in_loop:
            found.add(self.BRK)
        elif isinstance(node, ast.Continue) and not in_loop:
            found.add(self.CONT)
        loop = isinstance(node, (ast.While, ast.For))
        for ch in ast.iter_child_nodes(node):
            found |= self._jumps(ch, in_loop or loop)
        return found

    def _jumps_in(self, body: list) -> set:
        out = set()
        for s in body:
            out |= self._jumps(s)
        return out

    def _ret(self, body) -> set:
        return {self.RET_F} if self.RET_F in self._jumps_in(body) else set()

    def loop(self, cond: Expr, head: list, body: list, line, prep: list = ()) -> Expr:
        """while cond: head; body -- with the jump flags of the body's own break / continue / return.

        __cont is cleared at the start of every iteration and __brk, __cont when the loop ends, so
        neither is ever seen set outside the loop that owns it (an outer loop's body after this
        loop is guarded by them)."""
        jumps = self._jumps_in(body)
        resets = [Expr("assign", (Int(0),), f) for f in (self.BRK, self.CONT) if f in jumps]
        pre = head + ([Expr("assign", (Int(0),), self.CONT)] if self.CONT in jumps else [])
        guards = [mk("eq", Var(f), Int(0)) for f in (self.RET_F, self.BRK) if f in jumps]
        # a condition that calls or can fail is computed (prep) before the first test and after every
        # iteration that did not break or return
        again = [Expr("if", (conj(guards), seq(list(prep)), Expr("skip")))] if prep and guards else list(prep)
        before = set(self.definite)             # the body may not run; each pass starts from here
        b = seq(pre + [self.block(body)] + again)
        self.definite = before
        w = Expr("while", (conj(guards + [cond]), b))
        self.loops.append(Loop(w, None, None, line))
        return seq(list(prep) + [w] + resets)

    def while_loop(self, s: ast.While) -> Expr:
        checks: list = []
        c = self.cond(s.test, checks)
        return self.loop(c, [], s.body, s.lineno, _run(checks))

    def for_range(self, s: ast.For) -> Expr:
        """``for i in range(start, stop, step)``, as CPython runs it: the arguments are evaluated once,
        a hidden counter walks the range (assigning i in the body does not change the iteration), i
        is set from it at the start of every iteration (so after the loop i is the last value
        produced, or unchanged when the range is empty), and a zero step raises ValueError (an
        assert). A step that is not a constant is split on its sign."""
        it = s.iter
        if not (isinstance(s.target, ast.Name) and isinstance(it, ast.Call) and isinstance(it.func, ast.Name)
                and self.resolve("range", it) == "builtin" and not it.keywords
                and 1 <= len(it.args) <= 3) or s.orelse:
            raise ProgramError("only `for i in range(...)` loops (without else) are supported", s.lineno)
        checks: list = []
        self.none_raises.update(id(a) for a in it.args)          # range(None): TypeError
        args = [self.value(a, checks) for a in it.args]
        start, stop, step = (Int(0), args[0], Int(1)) if len(args) == 1 else \
            (args[0], args[1], Int(1)) if len(args) == 2 else tuple(args)
        pre = _run(checks)
        k = _const(it.args[2]) if len(args) == 3 else 1
        if k == 0:                 # ValueError: range() arg 3 must not be zero
            return seq(pre + [Expr("assert", (FALSE,))])
        i = self.nm(s.target.id)
        ctr = self.fresh("__for", "is the hidden counter of a `for ... in range` loop", True)
        end = self.fresh("__stop", "is a range's stop value", True)
        self.vars.update((ctr, end))
        pre += [Expr("assign", (start,), ctr), Expr("assign", (stop,), end)]
        if k is None:
            stp = self.fresh("__step", "is a range's step", True)
            self.vars.add(stp)
            pre = pre[:len(checks)] + [Expr("assert", (mk("not", mk("eq", step, Int(0))),))] + \
                pre[len(checks):] + [Expr("assign", (step,), stp)]
            step = Var(stp)
        else:
            step = Int(k)
        self.vars.add(i)

        def one(up: bool) -> Expr:
            cond = mk("lt", Var(ctr), Var(end)) if up else mk("lt", Var(end), Var(ctr))
            head = [Expr("assign", (Var(ctr),), i), Expr("assign", (mk("add", Var(ctr), step),), ctr)]
            if i in self.has_value:
                head.append(Expr("assign", (Int(1),), self.has_value[i]))
            before = set(self.definite)
            self.definite.add(i)
            try:
                return self.loop(cond, head, s.body, s.lineno)
            finally:
                self.definite = before

        if k is not None:
            return seq(pre + [one(k > 0)])
        return seq(pre + [Expr("if", (mk("lt", Int(0), step), one(True), one(False)))])

    def assign(self, x: str, value) -> Expr:
        checks: list = []
        v = self.value(value, checks)
        self.vars.add(x)
        self.definite.add(x)
        mark = [Expr("assign", (Int(1),), self.has_value[x])] if x in self.has_value else []
        return seq(_run(checks) + [Expr("assign", (v,), x)] + mark)

    def value(self, e, checks: list) -> Expr:
        if isinstance(e, ast.Constant) and isinstance(e.value, bool):
            return Int(int(e.value))
        if isinstance(e, ast.Constant) and isinstance(e.value, int):
            return Int(e.value)
        if isinstance(e, ast.Name):
            x = self.nm(e.id)
            if e.id not in self.local_names:       # not a local: the module's or a builtin (NameError)
                raise ProgramError(f"{e.id} is not a parameter or a local variable of the function (only those "
                                   "are supported)", getattr(e, "lineno", None), _col(e))
            if x not in self.definite:             # may be unassigned here: UnboundLocalError then
                self.unsafe.add(x)
                if x in self.has_value:
                    checks.append(mk("eq", Var(self.has_value[x]), Int(1)))
            return Var(x)
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
            self.none_raises.add(id(e.operand))
            return mk("neg", self.value(e.operand, checks))
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.UAdd):
            self.none_raises.add(id(e.operand))
            return self.value(e.operand, checks)
        if isinstance(e, ast.BinOp) and type(e.op) in _BIN:
            self.none_raises.update((id(e.left), id(e.right)))
            a, b = self.value(e.left, checks), self.value(e.right, checks)
            op = _BIN[type(e.op)]
            if op in ("div", "mod"):
                checks.append(mk("not", mk("eq", b, Int(0))))     # ZeroDivisionError
            return mk(op, a, b)
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id in ("abs", "min", "max") \
                and self.resolve(e.func.id, e) == "builtin" and not e.keywords:
            self.none_raises.update(id(a) for a in e.args)
            args = [self.value(a, checks) for a in e.args]
            if e.func.id == "abs" and len(args) == 1:
                return Expr("abs", tuple(args))
            if len(args) == 2:
                return Expr(e.func.id, tuple(args))
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) \
                and self.resolve(e.func.id, e) in ("def", "program"):
            stmt, res = self.call(e, checks, none_raises=id(e) in self.none_raises)
            if res is None:
                raise ProgramError(f"{e.func.id} returns no value", e.lineno)
            checks.append(stmt)
            return res
        if isinstance(e, ast.IfExp):
            inner: list = []
            c = self.cond(e.test, checks)
            a = self.value(e.body, inner)
            checks.extend(_when(c, x) for x in inner)
            inner = []
            b = self.value(e.orelse, inner)
            checks.extend(_when(mk("not", c), x) for x in inner)
            return Expr("ite", (c, a, b))
        if isinstance(e, ast.BoolOp):
            return self.boolop_value(isinstance(e.op, ast.Or), e.values, checks)
        if isinstance(e, ast.Compare) or (isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not)):
            return Expr("ite", (self.cond(e, checks), Int(1), Int(0)))     # True / False are 1 / 0
        why = "only integers" if isinstance(e, ast.Constant) else \
            f"the operator {type(e.op).__name__} is not supported" if isinstance(e, ast.BinOp) else \
            "only calls to abs, min, max and functions of the program" if isinstance(e, ast.Call) else \
            "not in the supported subset"
        raise ProgramError(f"unsupported expression `{_source(e)}` ({why})", getattr(e, "lineno", None), _col(e))

    def call(self, e: ast.Call, checks: list, used: bool = True, none_raises: bool = False) -> tuple[Expr, Expr | None]:
        """``f(args)``: the callee inlined with its variables renamed apart; the result is copied to a
        fresh variable so that later statements cannot change it. When the callee can end without
        returning a value (None), its value is checked where a None raises TypeError (``none_raises``)
        and refused elsewhere: assigned, returned, tested or compared with ==, CPython goes on with it."""
        if e.keywords or any(isinstance(a, ast.Starred) for a in e.args):
            raise ProgramError("only calls with positional arguments are supported", e.lineno)
        callee = self.callees.get(e.func.id, line=e.lineno)
        args = [self.value(a, checks) for a in e.args]
        try:
            stmt, res, loops, renamed = inline(callee, args, self.names)
        except ProgramError as exc:
            raise ProgramError(exc.message, e.lineno) from None
        # a program with typed parameters (a C or native one) is only called on values of its types:
        # Python does not convert, so an argument outside the type is an error, as `eval` says
        facts = [range_fact(renamed[p], t) for p, t in callee.params]
        if any(f is not None for f in facts):
            assigns, body = _split_assigns(stmt, len(callee.params))
            stmt = seq(assigns + [Expr("assert", (f,)) for f in facts if f is not None] + [body])
        self.loops.extend(loops)
        self.vars.update(n for n in program_vars(stmt))
        if res is None or not used:
            return stmt, None
        check = returned_check(callee, renamed)
        if check and callee.language == "python" and not none_raises:
            raise ProgramError(f"unsupported: the value of {e.func.id}(...) is used where CPython would go on "
                               f"with None, and {e.func.id} can end without returning a value (use it in "
                               "arithmetic, or return a value on every path)", e.lineno, _col(e))
        out = self.fresh(f"__{callee.name}_result", f"is the value {callee.name} returned", True)
        self.vars.add(out)
        return seq([stmt] + check + [Expr("assign", (res,), out)]), Var(out)

    def boolop_value(self, is_or: bool, values: list, checks: list) -> Expr:
        """``a or b`` is a if a is truthy, else b; ``a and b`` is a if a is falsy, else b (b is
        evaluated only when needed, so its checks are guarded)."""
        first = self.value(values[0], checks)
        if len(values) == 1:
            return first
        t = _truth(first)
        inner: list = []
        rest = self.boolop_value(is_or, values[1:], inner)
        guard = mk("not", t) if is_or else t
        checks.extend(_when(guard, x) for x in inner)
        return Expr("ite", (t, first, rest)) if is_or else Expr("ite", (t, rest, first))

    def cond(self, e, checks: list) -> Expr:
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
            return mk("not", self.cond(e.operand, checks))
        if isinstance(e, ast.BoolOp):
            parts = []
            guard = None
            for v in e.values:
                inner: list = []
                f = self.cond(v, inner)
                checks.extend(_when(guard, x) if guard is not None else x for x in inner)
                parts.append(f)
                step = f if isinstance(e.op, ast.And) else mk("not", f)
                guard = step if guard is None else mk("and", guard, step)
            out = parts[-1]
            for p in reversed(parts[:-1]):
                out = mk("and" if isinstance(e.op, ast.And) else "or", p, out)
            return out
        if isinstance(e, ast.Compare):
            # a < b < c: b is evaluated once, c only when a < b holds (its checks are guarded); an operand
            # of an ordering comparison that runs raises TypeError on None
            order = [type(op) in (ast.Lt, ast.LtE, ast.Gt, ast.GtE) for op in e.ops]
            self.none_raises.update(id(x) for x, o in zip([e.left] + e.comparators, order[:1] + order) if o)
            left = self.value(e.left, checks)
            out = None
            for op, right_e in zip(e.ops, e.comparators):
                if type(op) not in _CMP:
                    raise ProgramError("unsupported comparison", e.lineno)
                inner: list = []
                right = self.value(right_e, inner)
                checks.extend(_when(out, x) if out is not None else x for x in inner)
                k = _CMP[type(op)]
                f = mk("lt", right, left) if k == "gt" else mk("le", right, left) if k == "ge" else \
                    mk("not", mk("eq", left, right)) if k == "ne" else mk(k, left, right)
                out = f if out is None else mk("and", out, f)
                left = right
            return out
        if isinstance(e, ast.Constant) and isinstance(e.value, bool):
            return TRUE if e.value else FALSE
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "isinstance" \
                and self.resolve("isinstance", e) == "builtin":
            # every value of the subset is an int (True and False are ints too); other types are refused
            if len(e.args) != 2 or e.keywords or not (isinstance(e.args[1], ast.Name) and e.args[1].id == "int"
                                                      and self.resolve("int", e) == "builtin"):
                raise ProgramError(f"unsupported: `{_source(e)}` (only isinstance(x, int), which every value "
                                   "here satisfies)", e.lineno, _col(e))
            self.value(e.args[0], checks)
            return TRUE
        return _truth(self.value(e, checks))


def _source(node) -> str:
    text = ast.unparse(node).split("\n")[0]
    return text if len(text) <= 60 else text[:57] + "..."


def _col(node) -> int | None:
    return node.col_offset + 1 if getattr(node, "col_offset", None) is not None else None


def _split_assigns(stmt: Expr, n: int) -> tuple[list, Expr]:
    """The first n assignments of a sequence (an inlined call's parameters) and the rest."""
    out = []
    while len(out) < n and stmt.op == "seq" and stmt.args[0].op == "assign":
        out.append(stmt.args[0])
        stmt = stmt.args[1]
    if len(out) < n and stmt.op == "assign":
        out.append(stmt)
        stmt = Expr("skip")
    return out, stmt


def _run(checks: list) -> list:
    """What evaluating an expression does first: its calls run, its conditions (no division by zero)
    are asserted."""
    return [x if x.sort == "stmt" else Expr("assert", (x,)) for x in checks]


def _when(guard: Expr, x: Expr) -> Expr:
    """A check that applies only when ``guard`` holds (the operand is evaluated only then)."""
    return Expr("if", (guard, x, Expr("skip"))) if x.sort == "stmt" else mk("imp", guard, x)


def _truth(v: Expr) -> Expr:
    """Python's truth value of an integer term."""
    if v.op == "ite" and v.args[1] == Int(1) and v.args[2] == Int(0):
        return v.args[0]
    return mk("not", mk("eq", v, Int(0)))


def _const(e) -> int | None:
    """The value of a constant integer expression (-2, +3, 2 * 3), or None."""
    if isinstance(e, ast.Constant) and isinstance(e.value, int):
        return int(e.value)
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, (ast.USub, ast.UAdd)):
        v = _const(e.operand)
        return None if v is None else -v if isinstance(e.op, ast.USub) else v
    if isinstance(e, ast.BinOp) and isinstance(e.op, (ast.Add, ast.Sub, ast.Mult)):
        a, b = _const(e.left), _const(e.right)
        if a is None or b is None:
            return None
        return a + b if isinstance(e.op, ast.Add) else a - b if isinstance(e.op, ast.Sub) else a * b
    return None
