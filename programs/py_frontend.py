"""The Python front end: a function of the supported Python subset, read with ``ast``, as a Program.

Integers are unbounded and ``//``, ``%`` are floor division, exactly the
logic's own (division by zero raises in Python, so it is an ``assert``).
Supported: ``def`` with integer parameters, assignments and augmented
assignments, ``if``/``elif``/``else``, ``while``, ``for i in range(...)``,
``break``/``continue``/``return`` (as flags), ``assert``, and
``assert isinstance(x, int)`` read as a type fact.
"""

from __future__ import annotations

import ast

from kernel import Expr, Int, Var, mk

from .lang import RET, Loop, Program, ProgramError, conj, seq

TRUE, FALSE = Expr("true"), Expr("false")
_BIN = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.FloorDiv: "div", ast.Mod: "mod"}
_CMP = {ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge", ast.Eq: "eq", ast.NotEq: "ne"}


def parse_python(source: str, function: str | None = None, name: str | None = None) -> Program:
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ProgramError(f"Python syntax: {exc.msg}", exc.lineno) from None
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    if not funcs:
        raise ProgramError("no function definition in the Python source")
    if function is None:
        fd = funcs[0]
    else:
        fd = next((f for f in funcs if f.name == function), None)
        if fd is None:
            raise ProgramError(f"no function named {function} (found: {', '.join(f.name for f in funcs)})")
    return _Translator(source).function(fd, name)


class _Translator:
    def __init__(self, source: str):
        self.source = source
        self.vars: set[str] = set()
        self.loops: list[Loop] = []
        self.flags: set[str] = set()

    def function(self, fd: ast.FunctionDef, name: str | None) -> Program:
        params = []
        for a in fd.args.args:
            ann = a.annotation
            if ann is not None and not (isinstance(ann, ast.Name) and ann.id in ("int", "bool")):
                raise ProgramError(f"parameter {a.arg} must be an int", a.lineno)
            params.append((a.arg, "int"))
            self.vars.add(a.arg)
        body = self.block(fd.body)
        returns = any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(fd))
        if self.flags:
            body = seq([Expr("assign", (Int(0),), f) for f in sorted(self.flags)] + [body])
        locals_ = {v: "int" for v in self.vars if v not in dict(params)}
        if returns:
            locals_[RET] = "int"
        return Program(name or fd.name, params, "int" if returns else None, body, "python", locals_,
                       self.loops, self.source)

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
            return self.assign(s.targets[0].id, s.value), set()
        if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.value is not None:
            return self.assign(s.target.id, s.value), set()
        if isinstance(s, ast.AugAssign):
            if not isinstance(s.target, ast.Name):
                raise ProgramError("only variables can be updated", s.lineno)
            return self.assign(s.target.id, ast.BinOp(ast.Name(s.target.id, ast.Load()), s.op, s.value)), set()
        if isinstance(s, ast.If):
            checks: list = []
            c = self.cond(s.test, checks)
            t, jt = self.stmts(s.body)
            e, je = self.stmts(s.orelse)
            return seq([Expr("assert", (x,)) for x in checks] + [Expr("if", (c, t, e))]), jt | je
        if isinstance(s, ast.While):
            if s.orelse:
                raise ProgramError("while ... else is not supported", s.lineno)
            return self.loop(s.test, s.body, None, s.lineno), self._ret(s.body)
        if isinstance(s, ast.For):
            return self.for_range(s), self._ret(s.body)
        if isinstance(s, ast.Return):
            st = self.assign(RET, s.value) if s.value is not None else Expr("skip")
            self.flags.add("__ret")
            return seq([st, Expr("assign", (Int(1),), "__ret")]), {"__ret"}
        if isinstance(s, ast.Break):
            self.flags.add("__brk")
            return Expr("assign", (Int(1),), "__brk"), {"__brk"}
        if isinstance(s, ast.Continue):
            self.flags.add("__cont")
            return Expr("assign", (Int(1),), "__cont"), {"__cont"}
        if isinstance(s, ast.Assert):
            t = s.test
            parts = t.values if isinstance(t, ast.BoolOp) and isinstance(t.op, ast.And) else [t]
            if all(isinstance(x, ast.Call) and isinstance(x.func, ast.Name) and x.func.id == "isinstance"
                   for x in parts):
                return Expr("skip"), set()        # a type fact: every value here is an int
            checks: list = []
            c = self.cond(t, checks)
            return seq([Expr("assert", (x,)) for x in checks] + [Expr("assert", (c,))]), set()
        if isinstance(s, ast.Pass):
            return Expr("skip"), set()
        if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant):
            return Expr("skip"), set()            # a docstring
        raise ProgramError(f"unsupported statement {type(s).__name__}", getattr(s, "lineno", None))

    def stmts(self, body: list) -> tuple[Expr, set]:
        jumps = set()
        for s in body:
            jumps |= self._jumps(s)
        return self.block(body), jumps

    def _jumps(self, node, in_loop=False) -> set:
        found = set()
        if isinstance(node, ast.Return):
            found.add("__ret")
        elif isinstance(node, ast.Break) and not in_loop:
            found.add("__brk")
        elif isinstance(node, ast.Continue) and not in_loop:
            found.add("__cont")
        loop = isinstance(node, (ast.While, ast.For))
        for ch in ast.iter_child_nodes(node):
            found |= self._jumps(ch, in_loop or loop)
        return found

    def _ret(self, body) -> set:
        return {"__ret"} if any("__ret" in self._jumps(s) for s in body) else set()

    def loop(self, test, body, step, line) -> Expr:
        checks: list = []
        c = self.cond(test, checks) if test is not None else TRUE
        if checks:
            raise ProgramError("a loop condition that can fail (division by zero) is not supported", line)
        jumps = set()
        for s in body:
            jumps |= self._jumps(s)
        b = self.block(body)
        if "__cont" in jumps:
            b = seq([Expr("assign", (Int(0),), "__cont"), b])
        if step is not None:
            b = seq([b, Expr("if", (mk("eq", Var("__brk"), Int(0)), step, Expr("skip")))]) if "__brk" in jumps \
                else seq([b, step])
        guards = [mk("eq", Var(f), Int(0)) for f in ("__ret", "__brk") if f in jumps]
        w = Expr("while", (conj(guards + [c]), b))
        self.loops.append(Loop(w, None, None, line))
        return seq([w, Expr("assign", (Int(0),), "__brk")]) if "__brk" in jumps else w

    def for_range(self, s: ast.For) -> Expr:
        it = s.iter
        if not (isinstance(s.target, ast.Name) and isinstance(it, ast.Call) and isinstance(it.func, ast.Name)
                and it.func.id == "range" and 1 <= len(it.args) <= 3) or s.orelse:
            raise ProgramError("only `for i in range(...)` loops are supported", s.lineno)
        i = s.target.id
        self.vars.add(i)
        args = [self.value(a, []) for a in it.args]
        start, stop, step = (Int(0), args[0], Int(1)) if len(args) == 1 else \
            (args[0], args[1], Int(1)) if len(args) == 2 else tuple(args)
        if step.op != "int" or step.data == 0:
            raise ProgramError("range needs a nonzero literal step", s.lineno)
        bound = "__stop"
        k = 0
        while f"{bound}{k}" in self.vars:
            k += 1
        bound = f"{bound}{k}"
        self.vars.add(bound)
        cond = mk("lt", Var(i), Var(bound)) if step.data > 0 else mk("lt", Var(bound), Var(i))
        incr = Expr("assign", (mk("add", Var(i), step),), i)
        test = ast.Compare(ast.Name(i, ast.Load()), [ast.Lt()], [ast.Name(bound, ast.Load())])
        del test
        init = [Expr("assign", (stop,), bound), Expr("assign", (start,), i)]
        checks: list = []
        guards = []
        body_jumps = set()
        for st in s.body:
            body_jumps |= self._jumps(st)
        b = self.block(s.body)
        if "__cont" in body_jumps:
            b = seq([Expr("assign", (Int(0),), "__cont"), b])
        b = seq([b, Expr("if", (mk("eq", Var("__brk"), Int(0)), incr, Expr("skip")))]) if "__brk" in body_jumps \
            else seq([b, incr])
        guards = [mk("eq", Var(f), Int(0)) for f in ("__ret", "__brk") if f in body_jumps]
        w = Expr("while", (conj(guards + [cond]), b))
        self.loops.append(Loop(w, None, None, s.lineno))
        del checks
        tail = [Expr("assign", (Int(0),), "__brk")] if "__brk" in body_jumps else []
        return seq(init + [w] + tail)

    def assign(self, x: str, value) -> Expr:
        checks: list = []
        v = self.value(value, checks)
        self.vars.add(x)
        return seq([Expr("assert", (c,)) for c in checks] + [Expr("assign", (v,), x)])

    def value(self, e, checks: list) -> Expr:
        if isinstance(e, ast.Constant) and isinstance(e.value, bool):
            return Int(int(e.value))
        if isinstance(e, ast.Constant) and isinstance(e.value, int):
            return Int(e.value)
        if isinstance(e, ast.Name):
            if e.id in ("True", "False"):
                return Int(1 if e.id == "True" else 0)
            if e.id not in self.vars:
                raise ProgramError(f"{e.id} is used before it is assigned", e.lineno)
            return Var(e.id)
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
            return mk("neg", self.value(e.operand, checks))
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.UAdd):
            return self.value(e.operand, checks)
        if isinstance(e, ast.BinOp) and type(e.op) in _BIN:
            a, b = self.value(e.left, checks), self.value(e.right, checks)
            op = _BIN[type(e.op)]
            if op in ("div", "mod"):
                checks.append(mk("not", mk("eq", b, Int(0))))     # ZeroDivisionError
            return mk(op, a, b)
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id in ("abs", "min", "max") \
                and not e.keywords:
            args = [self.value(a, checks) for a in e.args]
            if e.func.id == "abs" and len(args) == 1:
                return Expr("abs", tuple(args))
            if len(args) == 2:
                return Expr(e.func.id, tuple(args))
        if isinstance(e, ast.IfExp):
            inner: list = []
            c = self.cond(e.test, checks)
            a = self.value(e.body, inner)
            checks.extend(mk("imp", c, x) for x in inner)
            inner = []
            b = self.value(e.orelse, inner)
            checks.extend(mk("imp", mk("not", c), x) for x in inner)
            return Expr("ite", (c, a, b))
        if isinstance(e, (ast.Compare, ast.BoolOp)) or (isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not)):
            return Expr("ite", (self.cond(e, checks), Int(1), Int(0)))
        raise ProgramError(f"unsupported expression {type(e).__name__}", getattr(e, "lineno", None))

    def cond(self, e, checks: list) -> Expr:
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
            return mk("not", self.cond(e.operand, checks))
        if isinstance(e, ast.BoolOp):
            parts = []
            guard = None
            for v in e.values:
                inner: list = []
                f = self.cond(v, inner)
                checks.extend(mk("imp", guard, x) if guard is not None else x for x in inner)
                parts.append(f)
                step = f if isinstance(e.op, ast.And) else mk("not", f)
                guard = step if guard is None else mk("and", guard, step)
            out = parts[-1]
            for p in reversed(parts[:-1]):
                out = mk("and" if isinstance(e.op, ast.And) else "or", p, out)
            return out
        if isinstance(e, ast.Compare):
            left = self.value(e.left, checks)
            out = None
            for op, right_e in zip(e.ops, e.comparators):
                if type(op) not in _CMP:
                    raise ProgramError("unsupported comparison", e.lineno)
                right = self.value(right_e, checks)
                k = _CMP[type(op)]
                f = mk("lt", right, left) if k == "gt" else mk("le", right, left) if k == "ge" else \
                    mk("not", mk("eq", left, right)) if k == "ne" else mk(k, left, right)
                out = f if out is None else mk("and", out, f)
                left = right
            return out
        if isinstance(e, ast.Constant) and isinstance(e.value, bool):
            return TRUE if e.value else FALSE
        v = self.value(e, checks)
        return mk("not", mk("eq", v, Int(0)))
