"""Programs as Quod sees them: a kernel statement plus what the source said about it.

The C and Python front ends (and the native ``program`` syntax) all produce a
``Program``: parameters with their types, the body as a kernel statement over
unbounded integers, the loop annotations, and where each loop came from. The
source language's integer semantics is already compiled into the statement:
C ``unsigned`` wraps modulo 2^32 (``% 4294967296``), ``short`` and ``char`` are 16 and 8 bits,
C ``int`` overflow is an ``assert`` that the verification conditions must discharge, C ``/``
and ``%`` truncate (written with ``abs`` and floor division), Python's are the logic's own.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from dataclasses import dataclass, field

from kernel import Expr, Int, Var, mk, subst
from kernel.expr import WRITES, postorder

I32_MIN, I32_MAX = -2**31, 2**31 - 1
I64_MIN, I64_MAX = -2**63, 2**63 - 1
U32 = 2**32
RET = "ret"

TYPES = ("int", "i32", "u32", "i64", "bool", "i8", "u8", "i16", "u16", "u64")

# The C integer types (LP64, as gcc on x86-64): their values. "int" is the mathematical integers.
BOUNDS = {
    "bool": (0, 1),
    "i8": (-2**7, 2**7 - 1), "u8": (0, 2**8 - 1),
    "i16": (-2**15, 2**15 - 1), "u16": (0, 2**16 - 1),
    "i32": (I32_MIN, I32_MAX), "u32": (0, U32 - 1),
    "i64": (I64_MIN, I64_MAX), "u64": (0, 2**64 - 1),
}


class ProgramError(Exception):
    """Source outside the supported subset, with a line number (and a column) when known."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


def depth_guard(language: str):
    """A front end's entry point: a source nested deeper than Python's stack lets it (or its parser)
    follow is refused as a ProgramError for this program alone, not a RecursionError that would end
    the check of the whole file. (``ast.parse`` runs out of its own parser stack as a MemoryError.)"""
    def wrap(fn):
        import functools

        @functools.wraps(fn)
        def guarded(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except RecursionError:
                pass
            raise ProgramError(f"unsupported: the {language} source is nested too deeply (expressions or "
                               "statements inside one another, or an expression thousands of operators long); "
                               "split it up")
        return guarded
    return wrap


@dataclass
class Loop:
    """A while loop of the program with its annotations (kernel formulas / terms, or None)."""
    node: Expr
    invariant: Expr | None = None
    decreasing: Expr | None = None
    line: int | None = None


@dataclass
class Program:
    name: str
    params: list                 # [(name, type)]
    result: str | None           # result type, or None for void
    body: Expr                   # kernel statement
    language: str                # "c", "python" or "quod"
    locals: dict = field(default_factory=dict)   # name -> type
    loops: list = field(default_factory=list)    # [Loop], in source order
    source: str = ""
    hidden: dict = field(default_factory=dict)   # variable the translation added -> what it holds
    ret_flag: str | None = None                  # the hidden variable that is 1 once a C function returned
    procedures: dict = field(default_factory=dict)   # kernel procedure name -> kernel.env.Procedure, in the
    #                                                  order to declare them (each calls only earlier ones)
    proc_sigs: dict = field(default_factory=dict)    # procedure name -> (params with types, result type)
    proc_choices: dict = field(default_factory=dict)  # procedure name -> {havoc: type} an input decides (not
    #                                                   the compiler): what a witness of a run forever may fix
    contracts: dict = field(default_factory=dict)    # procedure name -> procs.ContractSpec the user wrote
    contract_text: list = field(default_factory=list)   # [(requires|ensures|decreases, text, offset)]
    proved: dict = field(default_factory=dict)   # "hoare"/"total" -> {procedure: vcgen.Contract} (procs.contracts)
    globals: dict = field(default_factory=dict)  # file-scope variables it uses (C): name -> type, never renamed
    demonic: set = field(default_factory=set)    # havocs that are the compiler's choice, not an input's (C's
    #                                              order of calls): a witness of a run forever never fixes them

    def types(self) -> dict:
        t = dict(self.locals)
        t.update(dict(self.params))
        return t

    def loop(self, node: Expr) -> Loop | None:
        for lp in self.loops:
            if lp.node is node or lp.node == node:
                return lp
        return None


def range_fact(x: str, ty: str) -> Expr | None:
    """The values a variable of this type can hold, as a formula (None for unbounded int)."""
    v = Var(x)
    if ty == "i32":
        return mk("and", mk("le", Int(I32_MIN), v), mk("le", v, Int(I32_MAX)))
    if ty == "i64":
        return mk("and", mk("le", Int(I64_MIN), v), mk("le", v, Int(I64_MAX)))
    if ty == "u32":
        return mk("and", mk("le", Int(0), v), mk("lt", v, Int(U32)))
    if ty == "bool":
        return mk("and", mk("le", Int(0), v), mk("le", v, Int(1)))
    if ty in BOUNDS:
        lo, hi = BOUNDS[ty]
        return mk("and", mk("le", Int(lo), v), mk("le", v, Int(hi)))
    return None


def conj(fs: list) -> Expr:
    fs = [f for f in fs if f is not None]
    if not fs:
        return Expr("true")
    out = fs[-1]
    for f in reversed(fs[:-1]):
        out = mk("and", f, out)
    return out


def conjuncts(f: Expr) -> list[Expr]:
    """The conjuncts of f, left to right (``true`` left out)."""
    out, stack = [], [f]
    while stack:
        g = stack.pop()
        if g.op == "and":
            stack.extend(reversed(g.args))
        elif g.op != "true":
            out.append(g)
    return out


def seq(stmts: list) -> Expr:
    stmts = [s for s in stmts if s is not None and s.op != "skip"]
    if not stmts:
        return Expr("skip")
    out = stmts[-1]
    for s in reversed(stmts[:-1]):
        out = Expr("seq", (s, out))
    return out


def precondition(prog: Program) -> Expr:
    """The type facts of the parameters: what every call may assume."""
    return conj([range_fact(x, t) for x, t in prog.params])


def rename(e: Expr, names: dict) -> Expr:
    """e (a statement, formula or term) with the program variables in ``names`` renamed, assignment
    and havoc targets included."""
    new: dict[int, Expr] = {}
    terms = {x: Var(y) for x, y in names.items()}
    for n in postorder(e):
        if n.sort != "stmt":
            continue
        args = tuple(new.get(id(a), subst(a, terms) if a.sort != "stmt" else a) for a in n.args)
        data = names.get(n.data, n.data) if n.op in ("assign", "havoc") else \
            (names.get(n.data[0], n.data[0]), n.data[1]) if n.op == "call" else n.data
        new[id(n)] = Expr(n.op, args, data)
    return new[id(e)] if id(e) in new else subst(e, terms)


def program_vars(c: Expr) -> set[str]:
    """Every program variable a statement reads or writes."""
    return {n.data[0] if n.op == "call" else n.data for n in postorder(c) if n.op in ("var", "assign", "havoc", "call")}


_IDENT = re.compile(r"[^\W\d]\w*")


class Names:
    """The fresh-name supply of one translation unit: every variable the translation invents (jump flags,
    nondeterministic values, the variables of an inlined call, a shadowing declaration's new name) comes
    from here. A name it gives is never a word of the source text (so never an identifier of any
    function of the source, whatever gets inlined), never ``ret`` (the return value), and never a name
    it gave before; no naming convention is assumed of the user's identifiers."""

    def __init__(self, source: str = ""):
        import unicodedata
        # Python reads identifiers in NFKC form (a fullwidth k in `__brｋ` is the k of `__brk`)
        self.taken: set[str] = set(_IDENT.findall(source)) | set(_IDENT.findall(unicodedata.normalize("NFKC", source)))
        self.taken.add(RET)
        self.hidden: dict[str, str] = {}

    def fresh(self, base: str, meaning: str | None = None, numbered: bool = False) -> str:
        k = 1 if numbered else 0
        name = f"{base}{k}" if numbered else base
        while name in self.taken:
            k += 1
            name = f"{base}{k}"
        self.taken.add(name)
        if meaning is not None:
            self.hidden[name] = meaning
        return name


def inline(callee: "Program", args: list, names: Names) -> tuple[Expr, Expr | None, list, dict]:
    """A call ``callee(args)`` as a statement of the caller: each of the callee's variables renamed to a
    fresh name of the caller's translation unit, its parameters assigned the argument values, then
    its body. Returns (statement, the result as a term or None for void, the callee's loops renamed, the
    renaming)."""
    if len(args) != len(callee.params):
        raise ProgramError(f"{callee.name} takes {len(callee.params)} arguments, got {len(args)}")
    shared = set(callee.globals)          # file-scope variables: the caller's too, under the same name
    own = sorted((program_vars(callee.body) | {p for p, _ in callee.params} | set(callee.types()) | {RET}) - shared)
    renamed = {x: names.fresh(f"__{callee.name}_{x}",
                              f"is {callee.name}'s {'result' if x == RET else x} in an inlined call")
               for x in own}
    renamed.update({x: x for x in shared})
    body = rename(callee.body, renamed)
    stmt = seq([Expr("assign", (a,), renamed[p]) for (p, _), a in zip(callee.params, args)] + [body])
    loops = [Loop(rename(lp.node, renamed),
                  None if lp.invariant is None else rename(lp.invariant, renamed),
                  None if lp.decreasing is None else rename(lp.decreasing, renamed), lp.line)
             for lp in callee.loops]
    return stmt, (Var(renamed[RET]) if callee.result is not None else None), loops, renamed


def _always_returns(c: Expr, flag: str | None) -> bool:
    """Whether a function body (as the front ends translate it: a return sets its flag to 1, and the
    rest of a block after it is guarded by flag = 0) ends with flag = 1 whenever it ends normally."""
    if flag is None:
        return False
    ret0 = mk("eq", Var(flag), Int(0))
    if c.op == "assign":
        return c.data == flag and c.args[0] == Int(1)
    if c.op == "assert":
        return c.args[0] == Expr("false")
    if c.op == "seq":
        a, b = c.args
        return _always_returns(b, flag) or _always_returns(a, flag) and not any(
            n.op == "assign" and n.data == flag and n.args[0] != Int(1) for n in postorder(b))
    if c.op == "if":
        g, a, b = c.args
        return _always_returns(a, flag) and (g == ret0 or _always_returns(b, flag))
    if c.op == "while":      # while (flag = 0 [and true]): it ends only after a return
        g = c.args[0]
        return g == ret0 or g.op == "and" and {g.args[0], g.args[1]} == {ret0, Expr("true")}
    return False


def returned_check(callee: "Program", renamed: dict) -> list:
    """What using the value of an inlined call must check: that the callee returned a value (C: falling
    off the end of a function whose value is used is undefined behaviour; Python: the value is None,
    and arithmetic or a comparison with it is not what an integer would do). Nothing when every
    normal end of the callee returns one."""
    flag = callee.ret_flag
    if flag is not None and _always_returns(callee.body, flag):
        return []
    return [Expr("assert", (mk("eq", Var(renamed[flag]), Int(1)) if flag is not None else Expr("false"),))]


@dataclass
class ProcRef:
    """A call back into a function being translated (recursion): a call of its procedure, not an
    inlining. ``name`` is the kernel procedure's name."""
    name: str
    params: list
    result: str | None
    language: str
    passes: str | None = None     # a file-scope variable passed in and out (``Callees.passed_global``)
    hidden: dict = field(default_factory=dict)     # as Program.hidden: the procedure's frame is its own


SUMMARISE = contextvars.ContextVar("summarise", default=False)


@contextlib.contextmanager
def summarising():
    """Inside the block, the front ends make every function a program calls (recursive or not) a kernel
    procedure, called through its contract, instead of inlining its body at each call; a function that
    cannot be one (it assumes, exits, or reads or writes a file-scope variable) is inlined still."""
    token = SUMMARISE.set(True)
    try:
        yield
    finally:
        SUMMARISE.reset(token)


class Callees:
    """The functions of one source, each translated once, on demand: a call inlines the callee, except
    a call back into a function being translated (recursion), which calls its procedure (``ProcRef``):
    that function's translation becomes a kernel procedure. Front ends say how to translate one
    function (``translate``) and give each function's parameters before its body (``header``)."""

    language = "c"

    def __init__(self, defs: dict, known: dict, source: str = ""):
        self.defs, self.known = defs, known       # name -> the source's definition; name -> Program
        self.names = Names(source)                # one fresh-name supply for everything translated here
        self.done: dict[str, Program] = {}
        self.active: list[str] = []
        self.headers: dict[str, tuple] = {}       # function -> (params, result type) once its body is read
        self.recursive: set[str] = set()
        self.procedures: dict = {}                # kernel procedure name -> Procedure, callees first
        self.proc_sigs: dict = {}
        self.proc_choices: dict = {}
        self.contracts: dict = {}                 # the contracts of programs declared before (``known``)
        self.item: str | None = None              # the program item's name: the top function's procedure
        self.top: str | None = None
        self.summarise = SUMMARISE.get()          # every function called a procedure (``summarising``)
        self.summarised: set[str] = set()

    def translate(self, fname: str, name: str | None) -> "Program":
        raise NotImplementedError

    def has(self, name: str) -> bool:
        return name in self.defs or name in self.known

    def passed_global(self, fname: str) -> str | None:
        """The one file-scope variable a recursive void function (with what it calls) may change, which
        its procedure then takes as an extra parameter and gives back as its result (a call is
        ``g = p(args, g)``: the deeper calls' writes are kept, exactly). None: no such variable (the
        front end's own reading; by default none)."""
        return None

    def header(self, fname: str, params: list, result: str | None) -> None:
        self.headers[fname] = (list(params), result)

    def proc_name(self, fname: str) -> str:
        return self.item if fname == self.top else f"{self.item}.{fname}"

    def get(self, fname: str, name: str | None = None, line=None) -> "Program | ProcRef":
        if self.top is None:                    # the function the program item names
            self.item, self.top = name or fname, fname
        if fname in self.active:
            if fname not in self.headers or self.item is None:
                raise ProgramError(f"unsupported: recursive call to {fname} here", line)
            self.recursive.add(fname)
            params, result = self.headers[fname]
            return ProcRef(self.proc_name(fname), params, result, self.language, self.passed_global(fname))
        if fname not in self.defs:
            prog = self.known[fname]
            for k, v in prog.procedures.items():
                self.procedures.setdefault(k, v)
            self.proc_sigs.update(prog.proc_sigs)
            self.proc_choices.update(prog.proc_choices)
            self.contracts.update(prog.contracts)
            if fname in prog.contracts and fname in prog.procedures:
                # a program with the user's contract is a procedure: a call assumes the contract (proved
                # once, for its body) instead of running the body again
                return ProcRef(fname, list(prog.params), prog.result, prog.language)
            return prog
        if fname not in self.done or name is not None:
            self.active.append(fname)
            try:
                prog = self.translate(fname, name)
            finally:
                self.active.pop()
            if fname in self.recursive:
                self.procedure(fname, prog, line)
            elif self.summarise and fname != self.top and name is None \
                    and not program_vars(prog.body) & set(prog.globals):     # a frame of its own: no globals
                try:
                    self.procedures[self.proc_name(fname)], self.proc_sigs[self.proc_name(fname)] = \
                        as_procedure(self.proc_name(fname), fname, prog, line, what="the function")
                    self.proc_choices[self.proc_name(fname)] = proc_choices(self.procedures[self.proc_name(fname)].body,
                                                                            prog)
                    self.summarised.add(fname)
                except ProgramError:
                    pass              # not a procedure (it assumes or exits): inlined
            prog.procedures, prog.proc_sigs = dict(self.procedures), dict(self.proc_sigs)
            prog.proc_choices = dict(self.proc_choices)
            prog.contracts = dict(self.contracts)
            if name is not None:
                return prog
            self.done[fname] = prog
        if self.summarise and fname != self.top and (fname in self.summarised or fname in self.recursive):
            prog = self.done[fname]
            return ProcRef(self.proc_name(fname), list(prog.params), prog.result, self.language,
                           self.passed_global(fname) if fname in self.recursive else None)
        return self.done[fname]

    def procedure(self, fname: str, prog: "Program", line) -> None:
        """The kernel procedure of a recursive function (``as_procedure``)."""
        name = self.proc_name(fname)
        self.procedures[name], self.proc_sigs[name] = as_procedure(name, fname, prog, line, self.passed_global(fname))
        self.proc_choices[name] = proc_choices(self.procedures[name].body, prog)


def proc_choices(body: Expr, prog: "Program") -> dict:
    """{havoc: type} of a procedure's body that an input decides (not the compiler's order of operands):
    what a witness of a run forever may fix."""
    types = prog.types()
    return {n.data: types.get(n.data, "int") for n in postorder(body) if n.op == "havoc" and n.data not in prog.demonic}


def as_procedure(name: str, fname: str, prog: "Program", line=None, passed: str | None = None,
                 what: str = "the recursive function") -> tuple:
    """(kernel procedure, signature) of a function: its translated body, run in a frame of its own. An
    uninitialised local (``havoc x; assume range``) is any value there (more runs than C's: sound for
    every judgment); any other ``assume`` is refused (a procedure never blocks); ending without a value
    is a failure. ``passed``: a file-scope variable taken in as an extra parameter and given back as
    the result (``Callees.passed_global``). ``what`` names the function in errors."""
    from kernel.env import Procedure
    body = _drop_range_assumes(prog.body, prog.types())
    if prog.result is not None and not _always_returns(prog.body, prog.ret_flag):
        # ending without a value is an error here, used or not: stricter than C and Python (only
        # some normal ends become failures), so what is proved of this program holds of theirs
        body = seq([body] + returned_check(prog, {prog.ret_flag: prog.ret_flag} if prog.ret_flag else {}))
    if any(n.op == "assume" for n in postorder(body)):
        raise ProgramError(f"unsupported: an assume in {what} {fname}", line)
    params = tuple(x for x, _ in prog.params)
    sig = (list(prog.params), prog.result)
    if passed is not None:        # in as a parameter, out as the result: ``passed = p(args, passed)``
        body = seq([body, Expr("assign", (Var(passed),), RET)])
        params += (passed,)
        sig = (list(prog.params) + [(passed, prog.globals.get(passed, "int"))], prog.globals.get(passed, "int"))
    # a call keeps the caller's variables but its result: a global the body writes would be lost
    written = {n.data[0] if n.op == "call" else n.data for n in postorder(body) if n.op in WRITES}
    for g in sorted(written & set(prog.globals) - {passed}):
        if g in prog.hidden:         # the front end's own shared variable: the one exit sets
            raise ProgramError(f"unsupported: {what} {fname} may call exit", line)
        raise ProgramError(f"unsupported: {what} {fname} changes the file-scope variable {g}", line)
    return Procedure(name, params, RET, body), sig


def _drop_range_assumes(c: Expr, types: dict) -> Expr:
    """c with each ``havoc x; assume range_fact(x)`` made ``havoc x``."""
    new: dict[int, Expr] = {}
    for n in postorder(c):
        if n.sort != "stmt":
            continue
        args = tuple(new.get(id(a), a) for a in n.args)
        if n.op == "seq" and args[0].op == "havoc" and args[1].op == "assume" \
                and args[1].args[0] == range_fact(args[0].data, types.get(args[0].data, "int")):
            new[id(n)] = args[0]
        elif n.op == "seq" and args[0].op == "havoc" and args[1].op == "seq" and args[1].args[0].op == "assume" \
                and args[1].args[0].args[0] == range_fact(args[0].data, types.get(args[0].data, "int")):
            new[id(n)] = Expr("seq", (args[0], args[1].args[1]))
        elif args != n.args:
            new[id(n)] = Expr(n.op, args, n.data)
    return new.get(id(c), c)
