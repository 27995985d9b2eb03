"""The C front end: a function of the supported C subset, parsed with pycparser, as a Program.

Types ``int`` (32-bit, overflow is an ``assert`` the verification conditions
must discharge; with ``int_mode="math"`` the mathematical integers, as in the
termination competition's C_Integer programs), ``long`` (64-bit), ``unsigned``
(wraps modulo 2^32) and ``_Bool``/``bool``. Division and remainder truncate
toward zero, as in C. ``__VERIFIER_nondet_int()`` is a fresh ``havoc``.
``break``, ``continue`` and early ``return`` become flags that guard the rest.

Calls to the other functions of the source (in any order; prototypes are fine) and to the programs
declared earlier in a .proof file (``known``) are inlined (``lang.inline``): the callee, translated
once with its own types, has its variables renamed apart; the arguments are converted to the
parameter types as by assignment and the result is copied into a fresh variable. Calls run exactly
when C evaluates them (the right operand of ``&&`` / ``||`` and the arms of ``?:`` only when needed,
a loop condition before every test). A function in a cycle of calls (recursion) is not inlined: it
becomes a procedure, called with the ``call`` statement. C leaves the order of the operands of an
operator and of the arguments of a call unspecified: calls in one expression run in every order (a
choice no witness fixes), and a value one operand's call may change is not read by another.

This module reads the source and translates statements and jumps; the rest of the front end:
``c_syntax`` (pycparser's tree, syntax errors), ``c_types`` (types and constants), ``c_expressions``
(expressions and calls), ``c_control`` (statements built for checks, jumps and liveness).
"""

from __future__ import annotations

import dataclasses

from kernel import Expr, Int, Var, mk

from .c_control import drop_dead_havocs, run_checks, then_rest
from .c_expressions import ONLY_DEFINED, ExpressionTranslator
from .c_syntax import (BackwardRegion, called_names, exit_site, global_writes, label_chain, labels_in, line_of,
                       missing_semicolon, path_to_label, prepare, strip_comments, syntax_error, walk, written_names)
from .c_types import PROMOTED, ctype, file_scope_variables, resolve_enums, resolve_typedefs, signature, tdiv, tmod
from .lang import (RET, Callees, Loop, Names, Program, ProgramError, conj, depth_guard, program_vars, range_fact,
                   rename, seq)

__all__ = ["parse_c", "strip_comments", "tdiv", "tmod", "ProgramError"]

TRUE, FALSE = Expr("true"), Expr("false")
_FLAG_MEANING = {"ret": "is 1 once the function has returned", "brk": "is 1 once the loop has run `break`",
                 "cont": "is 1 while the rest of an iteration is skipped by `continue`"}


@depth_guard("C")
def parse_c(source: str, function: str | None = None, int_mode: str = "c", name: str | None = None,
            native: bool = False, known: dict | None = None, base_dir=None) -> Program:
    """The function ``function`` of ``source`` (default: the only one, else the one called ``name``, else
    ``main``; several and none of these is an error). It may call the other functions of the source and the programs in
    ``known`` (name -> Program). ``base_dir``: the source file's directory, where ``#include "..."`` looks."""
    from pycparser import c_ast, c_parser
    pp, text = prepare(source, base_dir)
    parser = c_parser.CParser()
    try:
        ast = parser.parse(text, filename="<c>")
    except RecursionError:       # pycparser recurses: see depth_guard
        raise
    except Exception as exc:     # pycparser raises ParseError with "file:line:col: message", mostly
        err = syntax_error(exc, parser)
        semi = missing_semicolon(text, err.line, err.col)
        if semi is not None:       # as gcc says it: where the ';' is missing, not at the next line's token
            line, col, before = semi
            raise pp.error(f"C syntax: expected ';' before {before}", line, col) from None
        raise pp.error(err.message, err.line, err.col) from None
    pp.relocate(ast)             # positions in the user's file from here on
    pp.check(ast)
    enums = resolve_enums(ast, int_mode)
    resolve_typedefs(ast, native)
    funcs = [n for n in ast.ext if isinstance(n, c_ast.FuncDef)]
    if not funcs:
        raise ProgramError("no function definition in the C source")
    if function is None:
        chosen = funcs[0] if len(funcs) == 1 else next((f for f in funcs if f.decl.name == name), None) or\
            next((f for f in funcs if f.decl.name == "main"), None)
        if chosen is None:          # a helper is never analysed by accident
            raise ProgramError(f"the source defines {len(funcs)} functions "
                               f"({', '.join(f.decl.name for f in funcs)}) and no main: choose one "
                               "(--function NAME, or `function NAME` in a .proof file)")
    else:
        chosen = next((f for f in funcs if f.decl.name == function), None)
        if chosen is None:
            raise ProgramError(f"no function named {function} (found: {', '.join(f.decl.name for f in funcs)})")
    if int_mode not in ("c", "math"):
        raise ProgramError("int mode is c or math")
    defs: dict = {}
    for f in funcs:
        if f.decl.name in defs:
            raise ProgramError(f"{f.decl.name} is defined twice", line_of(f))
        defs[f.decl.name] = f
    # fresh names avoid every word of the source and of what the preprocessor made of it (a macro
    # can paste an identifier the source never spells out)
    callees = SourceCallees(source, defs, known or {}, int_mode, native)
    callees.names.taken |= Names(text).taken
    callees.enumerators = enums
    callees.globals = file_scope_variables(ast, int_mode)
    callees.file_names = {n.name for n in ast.ext if isinstance(n, (c_ast.Decl, c_ast.Typedef)) and n.name} |\
        {n.decl.name for n in ast.ext if isinstance(n, c_ast.FuncDef)}
    # where each function is first declared, and first declared with a prototype (its parameter types)
    for n in ast.ext:
        d = n.decl if isinstance(n, c_ast.FuncDef) else n
        if not (isinstance(d, c_ast.Decl) and isinstance(d.type, c_ast.FuncDecl)):
            continue
        at = (d.coord.line, d.coord.column or 0) if d.coord is not None else (0, 0)
        try:
            sig = signature(d.type, int_mode)
            defined = signature(defs[d.name].decl.type, int_mode) if d.name in defs else None
        except ProgramError:
            continue             # a function the program cannot call (its types are not supported)
        callees.declared.setdefault(d.name, at)
        callees.results.setdefault(d.name, sig[0])
        if sig[1] is not None:
            callees.signatures.setdefault(d.name, sig)
        if sig[1] is not None:
            callees.prototyped.setdefault(d.name, at)
        if defined is not None and (sig[0] != defined[0] or sig[1] is not None and defined[1] is not None
                                    and sig[1] != defined[1]):
            raise ProgramError(f"conflicting types for {d.name}: this declaration and the definition differ",
                               line_of(d))
        if defined is not None and sig[1] is None and any(t in PROMOTED for t in defined[1] or []):
            # C11 6.7.6.3p15: without parameter types, the parameters must keep their types under the
            # default argument promotions (gcc: "conflicting types")
            raise ProgramError(f"conflicting types for {d.name}: a declaration without parameter types does not "
                               "match parameters of type _Bool, char or short", line_of(d))
    prog = callees.get(chosen.decl.name, name)
    if prog.globals and chosen.decl.name != "main":
        # main starts with the initial values; another function's call may come after calls that
        # changed a file-scope variable, so only one no function writes reads as its initial value
        written = written_names(defs.values())
        for g in sorted(prog.globals):
            if g in written:
                raise ProgramError(f"unsupported: {chosen.decl.name} reads the file-scope variable {g}, which the "
                                   f"program changes: its value when {chosen.decl.name} is called depends on the "
                                   "calls before (take main as the program, or pass the value as a parameter)",
                                   line_of(chosen))
    if callees.exit_vars and callees.exit_vars[0] in prog.globals:
        flag, status = callees.exit_vars
        if chosen.decl.name != "main":
            raise ProgramError(f"unsupported: {chosen.decl.name} may call exit, which ends the whole program: take "
                               "main as the program", line_of(chosen))
        # exit(s) ends the program as returning s from main does: ret is the status
        if prog.result is not None:
            prog = dataclasses.replace(prog, body=seq([prog.body, Expr("if", (
                mk("eq", Var(flag), Int(1)), Expr("assign", (Var(status),), RET), Expr("skip")))]))
        callees.globals.update({flag: ("int", 0), status: ("int", 0)})
        prog.globals.update({flag: "int", status: "int"})
    if prog.globals:
        # C gives a file-scope variable its initial value (0 without an initialiser) before main runs
        init = [Expr("assign", (Int(callees.globals[g][1]),), g) for g in sorted(prog.globals)]
        prog = dataclasses.replace(prog, body=seq(init + [prog.body]))
    from .ifconv import MAX_PATHS, flatten_branches, paths
    if paths(prog.body) > MAX_PATHS:      # too many paths to analyse: branches that only assign, straight
        def fresh(meaning):
            x = callees.names.fresh("__test", meaning, numbered=True)
            prog.hidden[x] = meaning
            prog.locals[x] = "int"
            return x
        body, moved = flatten_branches(prog.body, fresh)
        loops = [dataclasses.replace(lp, node=moved.get(lp.node, lp.node)) for lp in prog.loops]
        prog = dataclasses.replace(prog, body=body, loops=loops)
    return prog


class SourceCallees(Callees):
    def __init__(self, source: str, defs: dict, known: dict, int_mode: str, native: bool):
        super().__init__(defs, known, source)
        self.source, self.int_mode, self.native = source, int_mode, native
        self.enumerators: dict[str, int | None] = {}   # file-scope enumeration constants (None: not a value we read)
        self.declared: dict[str, tuple] = {}      # function -> (line, column) of its first declaration
        self.results: dict[str, str] = {}         # function -> its declared result type
        self.signatures: dict[str, tuple] = {}    # function -> (result, parameter types) of its first prototype
        self.file_names: set[str] = set()         # every name declared at file scope
        self.prototyped: dict[str, tuple] = {}    # ... of its first declaration with parameter types
        self.globals: dict[str, tuple] = {}       # file-scope variable -> (type, initial value)
        self.exit_vars: tuple | None = None       # (the exit flag, the exit status), once exit is called
        self._exits: dict[str, bool] = {}

    def passed_global(self, fname: str) -> str | None:
        """The file-scope variable a void function, with the functions it calls, may change, when there
        is exactly one (read from the text: a name assigned, incremented or decremented where no
        local or parameter of that name is declared)."""
        if fname not in self.defs or self._result_of(fname) != "void":
            return None
        written: set = set()
        todo, seen = [fname], set()
        while todo:
            f = todo.pop()
            if f in seen or f not in self.defs:
                continue
            seen.add(f)
            written |= global_writes(self.defs[f]) & set(self.globals)
            todo.extend(called_names(self.defs[f].body))
        return min(written) if len(written) == 1 else None

    def _result_of(self, fname: str) -> str | None:
        try:
            return ctype(self.defs[fname].decl.type.type, self.int_mode)
        except ProgramError:
            return None

    def may_exit(self, fname: str) -> bool:
        """Whether the source's function ``fname`` may call ``exit`` (itself or through the functions it
        calls; read from the text, so it may say yes where no run does)."""
        from pycparser import c_ast
        if fname not in self.defs:
            return False
        if fname not in self._exits:
            self._exits[fname] = False           # a cycle of calls adds nothing
            called = {n.name.name for n in walk(self.defs[fname].body)
                      if isinstance(n, c_ast.FuncCall) and isinstance(n.name, c_ast.ID)}
            self._exits[fname] = "exit" in called and "exit" not in self.defs or any(self.may_exit(g) for g in called)
        return self._exits[fname]

    def translate(self, fname: str, name: str | None) -> Program:
        return Translator(self).function(self.defs[fname], name)


class Translator(ExpressionTranslator):
    """One C function as a Program: its statements, scopes and jumps (expressions: the base class)."""

    def __init__(self, callees: SourceCallees):
        super().__init__(callees)
        self.flags: set[str] = set()
        self.declared: dict = {}            # declaration node -> its variable
        self.locals_declared: set[str] = set()
        self.uninitialised: set[str] = set()   # variables declared without an initialiser
        self._flag: dict[str, str] = {}     # "ret" / "brk" / "cont" / "goto:L" -> this function's jump flag
        self.targets: list[set] = []         # the labels a goto may jump to here (later in enclosing blocks)
        self._entering: dict = {}            # id of a statement on the way to a label a goto jumps into -> its flag
        self._wrapped: set = set()           # labels whose backward region is being translated
        self._failing: set = set()           # labels whose statement is a failure (``__VERIFIER_error();``)

    # -- functions -------------------------------------------------------------------
    def function(self, fd, name: str | None) -> Program:
        from pycparser import c_ast
        decl = fd.decl
        ftype = decl.type
        params = []
        if ftype.args is not None:
            for p in ftype.args.params:
                if isinstance(p, c_ast.Typename) and ctype(p.type, self.int_mode) == "void":
                    continue
                if not isinstance(p, c_ast.Decl) or not p.name:
                    raise ProgramError("unsupported parameter", line_of(p))
                ty = ctype(p.type, self.int_mode)
                params.append((p.name, ty))
                self.types[p.name] = ty
                if p.name in self.scopes[0] and len(self.scopes) > 1:
                    raise ProgramError(f"unsupported: the parameter {p.name} hides the file-scope variable "
                                       f"{p.name}", line_of(p))
                self.scopes[-1][p.name] = p.name
        result = ctype(ftype.type, self.int_mode)
        self.result = None if result == "void" else result
        if self.result is not None:
            if RET in dict(params):
                raise ProgramError(f"a parameter cannot be named {RET} (the name of the return value)", line_of(decl))
            self.types[RET] = self.result
        self.callees.header(decl.name, params, self.result)
        self._failing = {n.name for n in walk(fd.body) if isinstance(n, c_ast.Label) and self._fails_at_once(n.stmt)}
        body = self.block(fd.body.block_items or [])
        body, moved = drop_dead_havocs(body, self.uninitialised)
        self.loops = [Loop(moved.get(lp.node, lp.node), lp.invariant, lp.decreasing, lp.line) for lp in self.loops]
        if self.flags:
            inits = [Expr("assign", (Int(0),), f) for f in sorted(self.flags)]
            body = seq(inits + [body])
        mentioned = program_vars(body)
        file_scope = self.callees.globals
        used_globals = {g: file_scope[g][0] for g in sorted(mentioned) if g in file_scope
                        and len(self.scopes) > 1 and self.scopes[0].get(g) == g}
        exit_vars = self.callees.exit_vars
        used_globals.update({g: "int" for g in exit_vars or () if g in mentioned})
        locals_ = {k: v for k, v in self.types.items() if k not in dict(params)
                   and (k not in file_scope or k in used_globals)}
        hidden = {x: m for x, m in self.names.hidden.items() if x in mentioned}
        ret_flag = self._flag.get("ret")
        return Program(name or decl.name, params, self.result, body, "c", locals_, self.loops, self.source,
                       hidden, ret_flag if ret_flag in self.flags else None, globals=used_globals,
                       demonic=self.demonic & mentioned)

    def flag(self, kind: str) -> str:
        """This function's jump flag (a fresh hidden variable) for return, break or continue."""
        if kind not in self._flag:
            if kind.startswith("goto:"):
                label = kind[5:]
                self._flag[kind] = self.names.fresh(f"__goto_{label}", f"is 1 once `goto {label}` has jumped")
            else:
                self._flag[kind] = self.names.fresh(f"__{kind}", _FLAG_MEANING[kind])
        return self._flag[kind]

    def goto_flag(self, label: str) -> str:
        """The jump flag of ``goto label``: set by the goto, it skips the rest of every statement up to
        the label (loops it leaves stop, like after a return) and is cleared there."""
        return self.flag("goto:" + label)

    def declare(self, name: str, ty: str, node) -> str:
        """A declaration in the current block: a fresh variable when the name is in use (shadowing an
        outer declaration, or declared before with another type, or the result)."""
        x = self.declared.get(id(node))
        if x is None:
            visible = any(name in scope for scope in self.scopes)
            x = name
            if name in self.types and (visible or self.types[name] != ty or name not in self.locals_declared):
                x = self.names.fresh(f"{name}_", numbered=True)
            self.declared[id(node)] = x
        if self.types.get(x, ty) != ty:
            raise ProgramError(f"{name} is declared with two types", line_of(node))
        self.types[x] = ty
        self.locals_declared.add(x)
        self.scopes[-1][name] = x
        return x

    def scoped(self, items, pending: frozenset = frozenset()) -> Expr:
        """A block with its own scope."""
        self.scopes.append({})
        try:
            return self.block(items, pending)
        finally:
            self.scopes.pop()

    # -- statements ------------------------------------------------------------------
    def block(self, items, pending: frozenset = frozenset()) -> Expr:
        """A statement list; after a statement that may jump (break, continue, return, goto),
        the rest runs only if no jump happened. ``goto`` (within one function), as the jumps allow:

        - backward, to a label of this list at or before the statement holding the goto: the part
          from the label to that statement becomes a loop that runs again while the goto's flag is set
          (``_Backward``);
        - forward, to a label later in this list or inside a later statement: the list is cut there:
          the part before, then the rest, which runs if no other jump happened; a label inside a
          statement is reached by entering each statement around it whatever its test says (an if's
          branch, a loop's body without its first test, a for loop without its first clause), the
          parts before the label skipped while the flag is set, which the label clears.

        ``pending``: the jump flags that may already be set when the list starts (set by the part of
        the same C block before it)."""
        from pycparser import c_ast
        items = self._backward_regions(list(items))
        for k in range(len(items)):
            chain = label_chain(items[k])
            labels = chain + [x for x in labels_in(items[k]) if x not in chain]
            before = (self._jumps_in(c_ast.Compound(items[:k])) if k and labels else set()) | set(pending)
            for label in labels:
                f = self.goto_flag(label)
                if f not in before:
                    continue
                self.targets.append({x for it in items[k:] for x in labels_in(it)})
                try:
                    head = self.block(items[:k], pending)
                finally:
                    self.targets.pop()
                self.flags.add(f)
                if label not in chain:
                    for n in path_to_label(items[k], label):
                        self._entering[id(n)] = f
                tail = self.block(items[k:], frozenset(before - {f}))
                return seq([head] + ([Expr("assign", (Int(0),), f)] if label in chain else []) + [tail])
        if pending:
            guard = conj([mk("eq", Var(g), Int(0)) for g in sorted(pending)])
            return Expr("if", (guard, self.block(items), Expr("skip")))
        out = []
        for i, s in enumerate(items):
            self.targets.append({x for it in items[i + 1:] for x in labels_in(it)})
            try:
                st, jumps = self.stmt(s)
            finally:
                self.targets.pop()
            if jumps and i + 1 < len(items):
                rest = self.block(items[i + 1:])
                guard = conj([mk("eq", Var(f), Int(0)) for f in sorted(jumps)])
                out.append(then_rest(st, guard, rest, jumps))
                break
            out.append(st)
        return seq(out)

    def _backward_regions(self, items: list) -> list:
        """items with each part that a backward goto repeats (from a label to the last statement that
        jumps back to it) made one ``_Backward`` statement."""
        from pycparser import c_ast
        out, k = [], 0
        while k < len(items):
            chain = [x for x in label_chain(items[k]) if x not in self._wrapped and x not in self._failing]
            back = [x for x in chain if any(isinstance(n, c_ast.Goto) and n.name == x
                                            for it in items[k:] for n in walk(it))]
            if not back:
                out.append(items[k])
                k += 1
                continue
            if len(back) > 1:
                raise ProgramError(f"unsupported: backward gotos to the labels {' and '.join(back)} of one statement",
                                   line_of(items[k]))
            j = max(i for i in range(k, len(items)) if any(isinstance(n, c_ast.Goto) and n.name == back[0]
                                                           for n in walk(items[i])))
            out.append(BackwardRegion(back[0], items[k:j + 1], items[k].coord))
            k = j + 1
        return out

    def backward(self, s, pending: frozenset) -> Expr:
        """The part a backward goto repeats: ``f = 1; while (f == 1) { f = 0; part }``; the goto sets
        f, which skips the rest of the part (loops inside stop, as after a return)."""
        f = self.goto_flag(s.label)
        self.flags.add(f)
        self._wrapped.add(s.label)
        self.targets.append({s.label})
        try:
            body = self.block(s.block_items, pending - {f})
        finally:
            self.targets.pop()
            self._wrapped.discard(s.label)
        w = Expr("while", (mk("eq", Var(f), Int(1)), seq([Expr("assign", (Int(0),), f), body])))
        self.loops.append(Loop(w, None, None, line_of(s)))
        return seq([Expr("assign", (Int(1),), f), w])

    def stmt(self, s) -> tuple[Expr, set]:
        """(statement, flags it may set). A call that may end the program (``exit``) is read only as a
        statement of its own: ``f(...);``, ``x = f(...);``, ``T x = f(...);`` or ``return f(...);``;
        after it the exit flag stops everything (``exit_flag``)."""
        site = exit_site(s)
        saved, self._exit_site = self._exit_site, id(site) if site is not None else None
        try:
            st, jumps = self._stmt(s)
        finally:
            self._exit_site = saved
        if site is not None and self._may_exit(site):
            jumps = jumps | {self.exit_flag()}
        return st, jumps

    def _fails_at_once(self, s) -> bool:
        """Whether a statement starts with a failure (``__VERIFIER_error()``, ``reach_error()``,
        ``abort()`` with Quod's meaning): a goto to its label fails where it jumps."""
        from pycparser import c_ast
        while isinstance(s, (c_ast.Label, c_ast.Compound)):
            if isinstance(s, c_ast.Compound):
                if not s.block_items:
                    return False
                s = s.block_items[0]
            else:
                s = s.stmt
        if not isinstance(s, c_ast.FuncCall) or not isinstance(s.name, c_ast.ID):
            return False
        return s.name.name in ("__VERIFIER_error", "reach_error", "abort") and not self._is_variable(s.name.name)\
            and self.builtin(s.name.name, s) is not None

    def _may_exit(self, call) -> bool:
        """Whether this call may end the program: it is ``exit`` or calls a function that may."""
        from pycparser import c_ast
        name = call.name.name if isinstance(call.name, c_ast.ID) else None
        if name is None or self._is_variable(name):
            return False
        if name == "exit" and self.builtin(name, call) is not None:
            return True
        return self.callees.may_exit(name)

    def _stmt(self, s) -> tuple[Expr, set]:
        from pycparser import c_ast
        entering = self._entering.get(id(s))
        if isinstance(s, BackwardRegion):
            return self.backward(s, frozenset({entering} if entering else ())), self._jumps_in(s)
        if isinstance(s, c_ast.Compound):
            st = self.scoped(s.block_items or [], frozenset({entering} if entering else ()))
            return st, self._jumps_in(s)
        if isinstance(s, c_ast.Decl):
            if isinstance(s.type, c_ast.FuncDecl):     # a declaration of a function in a block
                try:
                    self.scopes[-1]["()" + s.name] = signature(s.type, self.int_mode)[1] is not None
                except ProgramError:
                    pass
                return Expr("skip"), set()
            if s.name is None:                          # enum { A, B }; struct s { ... };
                what = {"Enum": "an enum", "Struct": "a struct", "Union": "a union"}.get(type(s.type).__name__, "a")
                raise ProgramError(f"unsupported declaration of {what} type in a block", line_of(s))
            if s.storage and set(s.storage) & {"static", "extern"}:
                # a static local keeps its value from call to call (and is initialised once); extern is
                # a global: neither is a local variable of this function
                raise ProgramError(f"{' '.join(s.storage)} variables are not supported", line_of(s))
            ty = ctype(s.type, self.int_mode)
            if s.init is not None and any(isinstance(n, c_ast.ID) and n.name == s.name for n in walk(s.init)):
                raise ProgramError(f"{s.name} is used in its own initializer", line_of(s))
            x = self.declare(s.name, ty, s)
            if s.init is None:
                self.uninitialised.add(x)
                fact = range_fact(x, ty)
                return seq([Expr("havoc", (), x)] + ([Expr("assume", (fact,))] if fact is not None else [])), set()
            return self.assign_to(x, s.init, s), set()
        if isinstance(s, c_ast.Assignment):
            return self.assignment(s), set()
        if isinstance(s, c_ast.UnaryOp) and s.op in ("p++", "++", "p--", "--"):
            return self.incdec(s), set()
        if isinstance(s, c_ast.FuncCall):
            name = s.name.name if isinstance(s.name, c_ast.ID) else "?"
            if self.builtin(name, s) is None:
                pass                              # the program's own function: called below
            elif name in ("__VERIFIER_assume", "assume"):
                pre, cond = self.cond(s.args.exprs[0])
                return seq(pre + [Expr("assume", (cond,))]), set()
            elif name == "__quod_havoc" and self.native:     # Quod's own `havoc x;`: any value of x's type
                args = s.args.exprs if s.args is not None else []
                if len(args) != 1 or not isinstance(args[0], c_ast.ID):
                    raise ProgramError("havoc takes one variable: `havoc x;`", line_of(s))
                x = self.lookup(args[0].name, s)
                fact = range_fact(x, self.types[x])
                return seq([Expr("havoc", (), x)] + ([Expr("assume", (fact,))] if fact is not None else [])), set()
            elif name in ("__VERIFIER_error", "reach_error", "abort"):
                return Expr("assert", (FALSE,)), set()
            elif name == "exit":
                # the program ends here, normally (a status as a return from main would give it)
                args = s.args.exprs if s.args is not None else []
                if len(args) != 1:
                    raise ProgramError("exit takes one argument", line_of(s))
                flag = self.exit_flag()
                pre, v, ty = self.value(args[0])
                v, more = self.convert(v, ty, self.small)
                return seq(pre + [Expr("assert", (c,)) for c in more] + [
                    Expr("assign", (v,), self.callees.exit_vars[1]), Expr("assign", (Int(1),), flag)]), {flag}
            elif name in ("assert", "__VERIFIER_assert"):
                pre, cond = self.cond(s.args.exprs[0])
                return seq(pre + [Expr("assert", (cond,))]), set()
            elif name.startswith("__VERIFIER_nondet"):
                return Expr("skip"), set()
            if self.callees.has(name) and not self._is_variable(name):
                self._unsequenced(s)
                checks: list = []
                pre: list = []
                stmt, _, _ = self.call(s, checks, pre, used=False)    # a void call, or a result not used
                return seq(pre + run_checks(checks) + [stmt]), set()
            raise ProgramError(f"calls to {name} are not supported{ONLY_DEFINED}", line_of(s))
        if isinstance(s, c_ast.Cast) and ctype(s.to_type.type, self.int_mode) == "void":
            if isinstance(s.expr, c_ast.FuncCall):      # (void) f(x);
                return self.stmt(s.expr)
            pre, _, _ = self.value(s.expr)
            return seq(pre), set()
        if isinstance(s, c_ast.If):
            pre, cond = self.cond(s.cond)
            t, jt = self.stmt(s.iftrue) if s.iftrue is not None else (Expr("skip"), set())
            e, je = self.stmt(s.iffalse) if s.iffalse is not None else (Expr("skip"), set())
            if entering:        # a goto into a branch: the test is not evaluated, that branch runs
                idle = mk("eq", Var(entering), Int(0))
                pre = [Expr("if", (idle, seq(pre), Expr("skip")))] if pre else []
                into_then = s.iftrue is not None and any(id(n) in self._entering for n in walk(s.iftrue))
                cond = mk("or", mk("not", idle), cond) if into_then else mk("and", idle, cond)
            return seq(pre + [Expr("if", (cond, t, e))]), jt | je
        if isinstance(s, c_ast.While):
            return self.loop(s.cond, s.stmt, None, s), self._ret_only(s.stmt)
        if isinstance(s, c_ast.DoWhile):
            return self.loop(s.cond, s.stmt, None, s, do_while=True), self._ret_only(s.stmt)
        if isinstance(s, c_ast.For):
            self.scopes.append({})          # the scope of a declaration in the for's first clause
            try:
                init = []
                for part in (s.init, s.next):
                    if part is not None and self._jumps_in(part) & {self._exit_var()}:
                        raise ProgramError("unsupported: a call that may end the program (exit) in a for loop's "
                                           "header: call it in the loop's body", line_of(part))
                if s.init is not None:
                    if isinstance(s.init, c_ast.DeclList):
                        init = [self.stmt(d)[0] for d in s.init.decls]
                    else:
                        init = [self.stmt(s.init)[0]]
                if entering and init:       # a goto into the body skips the first clause
                    init = [Expr("if", (mk("eq", Var(entering), Int(0)), seq(init), Expr("skip")))]
                return seq(init + [self.loop(s.cond, s.stmt, s.next, s)]), self._ret_only(s.stmt)
            finally:
                self.scopes.pop()
        if isinstance(s, c_ast.Return):
            if s.expr is None:
                if self.result is not None:      # the caller would read a value that was never returned
                    raise ProgramError("unsupported: `return;` without a value in a function that returns one",
                                       line_of(s))
                st = Expr("skip")
            elif self.result is None:
                raise ProgramError("return with a value in a void function", line_of(s))
            else:
                st = self.assign_to(RET, s.expr, s)
            f = self.flag("ret")
            self.flags.add(f)
            return seq([st, Expr("assign", (Int(1),), f)]), {f}
        if isinstance(s, c_ast.Break):
            f = self.flag("brk")
            self.flags.add(f)
            return Expr("assign", (Int(1),), f), {f}
        if isinstance(s, c_ast.Continue):
            f = self.flag("cont")
            self.flags.add(f)
            return Expr("assign", (Int(1),), f), {f}
        if isinstance(s, c_ast.EmptyStatement):
            return Expr("skip"), set()
        if isinstance(s, c_ast.Label):
            st, jumps = self.stmt(s.stmt)
            if entering:        # the label a goto jumps to inside this statement: reached
                st = seq([Expr("assign", (Int(0),), entering), st])
            return st, jumps
        if isinstance(s, c_ast.Goto):
            if s.name in self._failing:      # the label's statement fails at once: so does the jump
                return Expr("assert", (FALSE,)), set()
            if not any(s.name in t for t in self.targets):
                raise ProgramError(f"unsupported: goto {s.name} (a jump forward, to a label later in an enclosing "
                                   "block or inside a later statement, or backward, to a label of an enclosing block "
                                   "before the goto's statement, not into an earlier statement)", line_of(s))
            f = self.goto_flag(s.name)
            self.flags.add(f)
            return Expr("assign", (Int(1),), f), {f}
        if isinstance(s, c_ast.ExprList):
            return seq([self.stmt(x)[0] for x in s.exprs]), set()
        raise ProgramError(f"unsupported statement {type(s).__name__}", line_of(s))

    def _jumps_in(self, node) -> set:
        from pycparser import c_ast
        found = set()
        inside = {n.name for n in walk(node) if isinstance(n, c_ast.Label)}

        def visit(n, in_loop):
            if isinstance(n, c_ast.Return):
                found.add(self.flag("ret"))
            elif isinstance(n, c_ast.Goto) and n.name not in inside and n.name not in self._failing:
                found.add(self.goto_flag(n.name))
            elif isinstance(n, c_ast.Break) and not in_loop:
                found.add(self.flag("brk"))
            elif isinstance(n, c_ast.Continue) and not in_loop:
                found.add(self.flag("cont"))
            elif isinstance(n, c_ast.FuncCall) and self._may_exit(n):
                found.add(self.exit_flag())
            loop = isinstance(n, (c_ast.While, c_ast.DoWhile, c_ast.For))
            for _, ch in n.children():
                visit(ch, in_loop or loop)
        visit(node, False)
        return found

    def _ret_only(self, body) -> set:
        """The jumps out of a loop with this body: return, and goto to a label outside it."""
        return {f for f in self._jumps_in(body) if f == self.flag("ret") or f.startswith("__goto_")
                and f in self._goto_flags() or f == self._exit_var()}

    def _goto_flags(self) -> set:
        return {f for k, f in self._flag.items() if k.startswith("goto:")}

    def loop(self, cond, body, step, node, do_while: bool = False) -> Expr:
        """A while / for / do-while loop. The jump flags: a `continue` sets __cont, which guards the rest
        of the iteration and is cleared at its end (so it never outlives the iteration, whichever loop it
        was in); `break` and `return` set __brk / __ret, which stop the loop before the step and the
        test. The condition's checks (overflow asserts) and nondeterministic values are computed before
        the first test and again at the end of every iteration (after the step), so the test itself is
        a formula over the state."""
        from pycparser import c_ast
        items = body.block_items if isinstance(body, c_ast.Compound) else [body]
        inv = dec = None
        rest = []
        for it in items or []:
            if isinstance(it, c_ast.FuncCall) and isinstance(it.name, c_ast.ID) and it.name.name in (
                    "invariant", "decreasing") and self.builtin(it.name.name, it) is not None:
                ann = self.cond(it.args.exprs[0]) if it.name.name == "invariant" else\
                    self.value(it.args.exprs[0])
                if any(x.op != "assert" for x in ann[0]):
                    raise ProgramError(f"{it.name.name}(...) cannot call functions or draw nondeterministic values",
                                       line_of(it))
                if it.name.name == "invariant":
                    inv = ann[1]
                else:
                    dec = ann[1]
                continue
            rest.append(it)
        jumps = self._jumps_in(c_ast.Compound(rest))
        ret, brk, cont = self.flag("ret"), self.flag("brk"), self.flag("cont")
        stop = [mk("eq", Var(f), Int(0)) for f in [ret, brk] + sorted(jumps & self._goto_flags())
                + ([self._exit_var()] if self._exit_var() else []) if f in jumps]

        entering = self._entering.get(id(node))
        into = frozenset({entering} if entering else ())

        def iteration() -> Expr:
            b = self.scoped(rest, into)
            if cont in jumps:
                b = seq([b, Expr("assign", (Int(0),), cont)])
            return b

        def unless_stopped(stmts: list) -> list:
            if not stmts or not stop:
                return stmts
            return [Expr("if", (conj(stop), seq(stmts), Expr("skip")))]

        out = []
        if do_while:
            out.append(iteration())
        used, nloops = set(self.names.hidden), len(self.loops)
        pre, c = self.cond(cond) if cond is not None else ([], TRUE)
        again = self._again(pre, c, used, self.loops[nloops:])
        b = iteration()
        st = [self.stmt(step)[0]] if step is not None else []
        b = seq([b] + unless_stopped(st + again))
        first = unless_stopped(pre) if do_while else pre
        guard = conj(stop + [c])
        if entering and not do_while:      # a goto into the body: in without the first test
            first = [Expr("if", (mk("eq", Var(entering), Int(0)), seq(first), Expr("skip")))] if first else []
            guard = mk("or", mk("not", mk("eq", Var(entering), Int(0))), guard)
        out.extend(first)
        w = Expr("while", (guard, b))
        self.loops.append(Loop(w, inv, dec, line_of(node)))
        out.append(w)
        if brk in jumps:
            out.append(Expr("assign", (Int(0),), brk))
        return seq(out)

    def _again(self, pre: list, c: Expr, used: set, loops: list) -> list:
        """The loop condition's statements once more, for the test after an iteration. The variables of
        the calls there (``pre`` made them; ``used`` is what was used before) that the test does not
        read get new names, so that a callee's ``loops`` there are other loops than before the first
        test (each gets its own invariant)."""
        from kernel import free_vars
        inner = {x for x in program_vars(seq(pre)) if x in self.names.hidden and x not in used} - free_vars(c)
        if not inner:
            return pre
        names = {}
        for x in sorted(inner):
            names[x] = self.names.fresh(x + "_again", self.names.hidden.get(x))
            if x in self.demonic:
                self.demonic.add(names[x])
            if x in self.types:
                self.types[names[x]] = self.types[x]
        for lp in loops:
            self.loops.append(Loop(rename(lp.node, names),
                                   None if lp.invariant is None else rename(lp.invariant, names),
                                   None if lp.decreasing is None else rename(lp.decreasing, names), lp.line))
        return [rename(x, names) for x in pre]
