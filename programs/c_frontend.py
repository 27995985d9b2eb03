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
a loop condition before every test). Recursion is refused. C leaves the order of the operands of an
operator and of the arguments of a call unspecified: they are evaluated left to right, and a call
where that order could matter (one operand may run forever while another may fail) is refused.
"""

from __future__ import annotations

import dataclasses
import re

from kernel import Expr, Int, Var, mk
from kernel.expr import postorder

from .lang import (BOUNDS, RET, Callees, Loop, Names, ProcRef, Program, ProgramError, conj, depth_guard,
                   inline, program_vars, range_fact, rename, returned_check, seq)

TRUE, FALSE = Expr("true"), Expr("false")
_ARITH = {"+": "add", "-": "sub", "*": "mul"}
_CMP = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}
_PRELUDE = "typedef int u32; typedef int i32; typedef int i64; typedef int bool;\n"


def strip_comments(source: str) -> str:
    """The source with its comments blanked out (newlines kept, so lines and columns stay the same);
    string and character literals are left alone. A ``//`` comment ending in a backslash goes on
    on the next line, as in C."""
    from .preprocess import blank_comments
    return blank_comments(source)


def _syntax_error(exc, parser) -> ProgramError:
    """pycparser's ParseError as a ProgramError with the source line (and column). Some of its messages
    ('<c>: Invalid expression') carry no position: then the token the parser stopped at gives it."""
    msg = str(exc)
    m = re.match(r"[^:]*:(\d+)(?::(\d+))?: (.*)", msg, re.S)
    if m:
        line, col, text = int(m.group(1)), int(m.group(2)) if m.group(2) else None, m.group(3)
    else:
        text = re.sub(r"^[^:]*:\s*", "", msg)
        line = col = None
        try:             # pycparser 3's token stream: the next token is where it stopped
            tokens = parser._tokens
            tok = tokens.peek()
            if tok is not None:
                text += f" before: {tok.value}"
            else:
                tok = next((t for t in reversed(tokens._buffer) if t is not None), None)
                text += " at the end of the input"
            if tok is not None:
                line, col = tok.lineno, getattr(tok, "column", None)
        except Exception:      # another pycparser: no position then
            pass
    return ProgramError(f"C syntax: {text}", line, col if line else None)


def _error_offset(text: str, exc) -> int | None:
    m = re.match(r"[^:]*:(\d+):(\d+):", str(exc))
    if not m:
        return None
    return _offset(text, int(m.group(1)), int(m.group(2)))


def _offset(text: str, line: int, col: int) -> int | None:
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    return sum(len(x) + 1 for x in lines[:line - 1]) + col - 1


def _missing_semicolon(text: str, line: int | None, col: int | None):
    """(line, column, the token) just after the token before the error, when a ';' there lets the
    parser get past the error: the statement before lacks its ';' (the error is at the next token)."""
    from pycparser import c_parser
    if not line or not col:
        return None
    at = _offset(text, line, col)
    if at is None or at > len(text):
        return None
    prev = at - 1
    while prev >= 0 and text[prev].isspace():
        prev -= 1
    if prev < 0 or text[prev] in ";{}":
        return None
    fixed = text[:prev + 1] + ";" + text[prev + 1:]
    try:
        c_parser.CParser().parse(fixed, filename="<c>")
    except Exception as exc:
        later = _error_offset(fixed, exc)
        if later is None or later <= at + 1:
            return None
    m = re.match(r"[A-Za-z_]\w*|\S", text[at:])
    before = f"'{m.group()}'" if m else "the end of the input"
    ln = text.count("\n", 0, prev + 1) + 1
    cl = prev + 1 - (text.rfind("\n", 0, prev + 1) + 1) + 1
    return ln, cl, before


def _prepare(source: str, base_dir=None):
    """(the preprocessed source, the text pycparser parses): ``programs.preprocess`` runs a C
    preprocessor; its output's first line is left for ``typedef _Bool bool;`` (``bool`` without
    <stdbool.h>) unless the program defines ``bool`` itself."""
    from .preprocess import preprocess
    pp = preprocess(source, base_dir)
    text = pp.text
    if not re.search(r"\btypedef\b[^;]*\bbool\s*;", text):
        text = "typedef _Bool bool;" + text
    return pp, text


@depth_guard("C")
def parse_c(source: str, function: str | None = None, int_mode: str = "c", name: str | None = None,
            native: bool = False, known: dict | None = None, base_dir=None) -> Program:
    """The function ``function`` of ``source`` (default: the only one, else the one called ``name``, else
    ``main``; several and none of these is an error). It may call the other functions of the source and the programs in
    ``known`` (name -> Program). ``base_dir``: the source file's directory, where ``#include "..."`` looks."""
    from pycparser import c_ast, c_parser
    pp, text = _prepare(source, base_dir)
    parser = c_parser.CParser()
    try:
        ast = parser.parse(text, filename="<c>")
    except RecursionError:       # pycparser recurses: see depth_guard
        raise
    except Exception as exc:     # pycparser raises ParseError with "file:line:col: message", mostly
        err = _syntax_error(exc, parser)
        semi = _missing_semicolon(text, err.line, err.col)
        if semi is not None:       # as gcc says it: where the ';' is missing, not at the next line's token
            line, col, before = semi
            raise pp.error(f"C syntax: expected ';' before {before}", line, col) from None
        raise pp.error(err.message, err.line, err.col) from None
    pp.relocate(ast)             # positions in the user's file from here on
    pp.check(ast)
    enums = _resolve_enums(ast, int_mode)
    _resolve_typedefs(ast, native)
    funcs = [n for n in ast.ext if isinstance(n, c_ast.FuncDef)]
    if not funcs:
        raise ProgramError("no function definition in the C source")
    if function is None:
        chosen = funcs[0] if len(funcs) == 1 else next((f for f in funcs if f.decl.name == name), None) or \
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
            raise ProgramError(f"{f.decl.name} is defined twice", _line(f))
        defs[f.decl.name] = f
    # fresh names avoid every word of the source and of what the preprocessor made of it (a macro
    # can paste an identifier the source never spells out)
    callees = _Callees(source, defs, known or {}, int_mode, native)
    callees.names.taken |= Names(text).taken
    callees.enumerators = enums
    callees.globals = _file_scope_variables(ast, int_mode)
    callees.file_names = {n.name for n in ast.ext if isinstance(n, (c_ast.Decl, c_ast.Typedef)) and n.name} | \
        {n.decl.name for n in ast.ext if isinstance(n, c_ast.FuncDef)}
    # where each function is first declared, and first declared with a prototype (its parameter types)
    for n in ast.ext:
        d = n.decl if isinstance(n, c_ast.FuncDef) else n
        if not (isinstance(d, c_ast.Decl) and isinstance(d.type, c_ast.FuncDecl)):
            continue
        at = (d.coord.line, d.coord.column or 0) if d.coord is not None else (0, 0)
        try:
            sig = _signature(d.type, int_mode)
            defined = _signature(defs[d.name].decl.type, int_mode) if d.name in defs else None
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
                               _line(d))
        if defined is not None and sig[1] is None and any(t in _PROMOTED for t in defined[1] or []):
            # C11 6.7.6.3p15: without parameter types, the parameters must keep their types under the
            # default argument promotions (gcc: "conflicting types")
            raise ProgramError(f"conflicting types for {d.name}: a declaration without parameter types does not "
                               "match parameters of type _Bool, char or short", _line(d))
    prog = callees.get(chosen.decl.name, name)
    if prog.globals and chosen.decl.name != "main":
        # main starts with the initial values; another function's call may come after calls that
        # changed a file-scope variable, so only one no function writes reads as its initial value
        written = _written_names(defs.values())
        for g in sorted(prog.globals):
            if g in written:
                raise ProgramError(f"unsupported: {chosen.decl.name} reads the file-scope variable {g}, which the "
                                   f"program changes: its value when {chosen.decl.name} is called depends on the "
                                   "calls before (take main as the program, or pass the value as a parameter)",
                                   _line(chosen))
    if callees.exit_vars and callees.exit_vars[0] in prog.globals:
        flag, status = callees.exit_vars
        if chosen.decl.name != "main":
            raise ProgramError(f"unsupported: {chosen.decl.name} may call exit, which ends the whole program: take "
                               "main as the program", _line(chosen))
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


def _written_names(funcs) -> set:
    """Every name assigned, incremented, decremented or whose address is taken in the functions' bodies
    (a local of the same name counts too: the check that uses it only refuses more)."""
    from pycparser import c_ast
    out: set = set()
    for f in funcs:
        for n in _walk(f):
            target = n.lvalue if isinstance(n, c_ast.Assignment) else \
                n.expr if isinstance(n, c_ast.UnaryOp) and n.op in ("++", "--", "p++", "p--", "&") else None
            while isinstance(target, c_ast.Cast):
                target = target.expr
            if isinstance(target, c_ast.ID):
                out.add(target.name)
    return out


def _file_scope_variables(ast, int_mode: str) -> dict:
    """The file-scope integer variables with their initial values: name -> (type, value). One of another
    type, ``extern``, or with an initialiser that is not a constant is left out (a use of it is then
    refused as undeclared)."""
    from pycparser import c_ast
    out: dict = {}
    for n in ast.ext:
        if not isinstance(n, c_ast.Decl) or not isinstance(n.type, c_ast.TypeDecl) or not n.name:
            continue
        if "extern" in (n.storage or []) or "typedef" in (n.storage or []):
            continue
        try:
            ty = _ctype(n.type, int_mode)
        except ProgramError:
            continue
        if ty == "void":
            continue
        value = 0 if n.init is None else _constant_value(n.init)
        if value is None or (ty in BOUNDS and not BOUNDS[ty][0] <= value <= BOUNDS[ty][1]):
            continue
        out[n.name] = (ty, value)
    return out


_PROMOTED = ("bool", "i8", "u8", "i16", "u16")     # the types the integer promotions change


def _resolve_typedefs(ast, native: bool) -> None:
    """Every use of a file-scope typedef name replaced by the type it names, so that a type means what
    C says whatever its name (`typedef int bool;` is an int, `typedef short i64;` a short). A typedef of a
    pointer, array, structure or function type leaves a name that ``_ctype`` refuses. In Quod's own
    programs (native) ``__math_int`` is the mathematical integers."""
    from pycparser import c_ast
    named: dict[str, list] = {}            # typedef name -> the type names it stands for
    for n in ast.ext:
        if not isinstance(n, c_ast.Typedef):
            continue
        t = n.type
        while isinstance(t, c_ast.TypeDecl):
            t = t.type
        if isinstance(t, c_ast.IdentifierType):
            names = []
            for x in t.names:
                names.extend(named.get(x, [x]))
            named[n.name] = names
        elif isinstance(t, c_ast.Enum):
            named[n.name] = ["int"]
        else:
            what = {"PtrDecl": "pointer", "ArrayDecl": "array", "Struct": "structure", "Union": "union",
                    "FuncDecl": "function"}.get(type(t).__name__, type(t).__name__)
            named[n.name] = [f"{n.name} (a typedef of {'an' if what[0] in 'aeiou' else 'a'} {what} type)"]
    if native:
        named.pop("__math_int", None)
    if not named:
        return
    for n in _walk(ast):
        if isinstance(n, c_ast.IdentifierType) and any(x in named for x in n.names):
            n.names = [y for x in n.names for y in named.get(x, [x])]


def _signature(ftype, int_mode: str) -> tuple:
    """(result type, parameter types) of a function declarator (parameter types None without a prototype)."""
    from pycparser import c_ast
    result = _ctype(ftype.type, int_mode)
    if ftype.args is None:
        return result, None
    params = []
    for p in ftype.args.params:
        if isinstance(p, c_ast.EllipsisParam):
            raise ProgramError("variadic functions are not supported", _line(p))
        if isinstance(p, c_ast.Typename) and _ctype(p.type, int_mode) == "void":
            continue
        if isinstance(p, c_ast.ID):            # K&R: int f(a) int a; { ... }
            return result, None
        params.append(_ctype(p.type, int_mode))
    return result, params


class _Callees(Callees):
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
            written |= _global_writes(self.defs[f]) & set(self.globals)
            todo.extend(_called_names(self.defs[f].body))
        return min(written) if len(written) == 1 else None

    def _result_of(self, fname: str) -> str | None:
        try:
            return _ctype(self.defs[fname].decl.type.type, self.int_mode)
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
            called = {n.name.name for n in _walk(self.defs[fname].body)
                      if isinstance(n, c_ast.FuncCall) and isinstance(n.name, c_ast.ID)}
            self._exits[fname] = "exit" in called and "exit" not in self.defs or any(self.may_exit(g) for g in called)
        return self._exits[fname]

    def translate(self, fname: str, name: str | None) -> Program:
        tr = _Translator(self.int_mode, self.source)
        tr.native = self.native
        tr.callees = self
        tr.scopes.insert(0, {g: g for g in self.globals})    # file scope, below the function's own
        tr.types.update({g: ty for g, (ty, _) in self.globals.items()})
        return tr.function(self.defs[fname], name)


def _ctype(node, int_mode: str) -> str:
    from pycparser import c_ast
    t = node
    while isinstance(t, (c_ast.TypeDecl,)):
        t = t.type
    if isinstance(t, c_ast.PtrDecl) or isinstance(t, c_ast.ArrayDecl):
        raise ProgramError("pointers and arrays are not supported", _line(node))
    if isinstance(t, c_ast.Enum):
        return "i32" if int_mode == "c" else "int"
    if not isinstance(t, c_ast.IdentifierType):
        raise ProgramError(f"unsupported type {type(t).__name__}", _line(node))
    names = t.names
    unsigned = "unsigned" in names
    if "double" in names or "float" in names or "_Complex" in names:
        raise ProgramError(f"unsupported type {' '.join(names)}", _line(node))
    if "__math_int" in names:
        return "int"
    if "void" in names:
        return "void"
    if "_Bool" in names or "bool" in names:
        return "bool"
    if "char" in names:                   # plain char is signed (x86-64)
        return "u8" if unsigned else "i8"
    if "short" in names:
        return "u16" if unsigned else "i16"
    if "long" in names:
        if unsigned:
            return "u64"
        return "i64" if int_mode == "c" else "int"
    if "u32" in names or unsigned:
        return "u32"
    if "i64" in names:
        return "i64" if int_mode == "c" else "int"
    if "int" in names or "i32" in names or "signed" in names:
        return "i32" if int_mode == "c" else "int"
    raise ProgramError(f"unsupported type {' '.join(names)}", _line(node))


_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "e": 27, "\\": 92, "'": 39, '"': 34,
            "?": 63}


def _char_code(text: str, line: int | None) -> int:
    """The value of a character constant such as 'a', '\\n', '\\0', '\\x41', '\\101' (type int; plain
    char is signed, so '\\377' is -1 as in gcc on x86-64)."""
    if len(text) < 3 or text[0] != "'" or text[-1] != "'":
        raise ProgramError(f"unsupported character constant {text} (only plain 'c' constants)", line)
    body = text[1:-1]
    codes = []
    i = 0
    while i < len(body):
        if body[i] != "\\":
            codes.extend(body[i].encode("utf-8"))
            i += 1
            continue
        i += 1
        if i >= len(body):
            raise ProgramError(f"bad character constant {text}", line)
        c = body[i]
        if c in "01234567":
            j = i
            while j < len(body) and j < i + 3 and body[j] in "01234567":
                j += 1
            codes.append(int(body[i:j], 8))
            i = j
        elif c == "x":
            j = i + 1
            while j < len(body) and body[j] in "0123456789abcdefABCDEF":
                j += 1
            if j == i + 1:
                raise ProgramError(f"bad character constant {text}", line)
            codes.append(int(body[i + 1:j], 16))
            i = j
        elif c in _ESCAPES:
            codes.append(_ESCAPES[c])
            i += 1
        else:
            raise ProgramError(f"unknown escape sequence \\{c} in {text}", line)
    if len(codes) != 1:
        raise ProgramError(f"multi-character constant {text} is not supported", line)
    if codes[0] > 255:
        raise ProgramError(f"escape sequence out of range in {text}", line)
    return codes[0] - 256 if codes[0] >= 128 else codes[0]


_INT_CONST = re.compile(r"(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([uU]?(?:l|L|ll|LL)?|(?:l|L|ll|LL)[uU])")


def _int_constant(text: str, line: int | None) -> tuple[int, list]:
    """(value, the types it may have, in order): C11 6.4.4.1 for LP64. A decimal constant without a u
    suffix is int or long; a hex or octal one may also be unsigned."""
    m = _INT_CONST.fullmatch(text)
    if not m:
        if re.fullmatch(r"0[bB][01]+\w*", text):
            raise ProgramError(f"binary constants ({text}) are not supported", line)
        raise ProgramError(f"unsupported integer constant {text}", line)
    digits, suffix = m.group(1), m.group(2).lower()
    decimal = not digits.startswith("0") or digits == "0"
    n = int(digits, 16) if digits[:2].lower() == "0x" else int(digits, 8) if not decimal else int(digits)
    unsigned, long_ = "u" in suffix, "l" in suffix
    if unsigned:
        kinds = ["u64"] if long_ else ["u32", "u64"]
    elif decimal:
        kinds = ["i64"] if long_ else ["i32", "i64"]
    else:
        kinds = ["i64", "u64"] if long_ else ["i32", "u32", "i64", "u64"]
    return n, kinds


def _line(node) -> int | None:
    c = getattr(node, "coord", None)
    return c.line if c is not None and c.line else None


def tdiv(a: Expr, b: Expr) -> Expr:
    """C's truncating division, from the logic's floor division. By a literal k > 0: a / k when a >= 0,
    else -((-a) / k) (no abs, no sign test of k: the form the arithmetic procedures read best); by a
    literal k < 0: -(a / -k)."""
    if b.op == "int" and b.data > 0:
        return Expr("ite", (mk("lt", a, Int(0)), mk("neg", mk("div", mk("neg", a), b)), mk("div", a, b)))
    if b.op == "int" and b.data < 0:
        return mk("neg", tdiv(a, Int(-b.data)))
    q = mk("div", Expr("abs", (a,)), Expr("abs", (b,)))
    opposite = mk("or", mk("and", mk("lt", a, Int(0)), mk("lt", Int(0), b)),
                  mk("and", mk("le", Int(0), a), mk("lt", b, Int(0))))
    return Expr("ite", (opposite, mk("neg", q), q))


def tmod(a: Expr, b: Expr) -> Expr:
    """C's remainder: a - b * (a / b) with truncating division (the sign of a)."""
    return mk("sub", a, mk("mul", b, tdiv(a, b)))


class _Translator:
    def __init__(self, int_mode: str, source: str):
        if int_mode not in ("c", "math"):
            raise ProgramError("int mode is c or math")
        self.int_mode = int_mode
        self.source = source
        self.native = False      # Quod's own program syntax: `int` division is the logic's floor division
        self.types: dict[str, str] = {}
        self.loops: list[Loop] = []
        self.flags: set[str] = set()
        self.scopes: list[dict] = [{}]      # block scopes: C name -> variable (an inner declaration that
        self.declared: dict = {}            # shadows gets a fresh name); declaration node -> variable
        self.locals_declared: set[str] = set()
        self.uninitialised: set[str] = set()   # variables declared without an initialiser
        self.callees: _Callees | None = None
        self._flag: dict[str, str] = {}     # "ret" / "brk" / "cont" / "goto:L" -> this function's jump flag
        self.targets: list[set] = []         # the labels a goto may jump to here (later in enclosing blocks)
        self.demonic: set[str] = set()      # havocs that are the compiler's choice (see ``_any_order``)
        self._exit_site = None               # id of the call a statement is (where exit may be called)
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
                if isinstance(p, c_ast.Typename) and _ctype(p.type, self.int_mode) == "void":
                    continue
                if not isinstance(p, c_ast.Decl) or not p.name:
                    raise ProgramError("unsupported parameter", _line(p))
                ty = _ctype(p.type, self.int_mode)
                params.append((p.name, ty))
                self.types[p.name] = ty
                if p.name in self.scopes[0] and len(self.scopes) > 1:
                    raise ProgramError(f"unsupported: the parameter {p.name} hides the file-scope variable "
                                       f"{p.name}", _line(p))
                self.scopes[-1][p.name] = p.name
        result = _ctype(ftype.type, self.int_mode)
        self.result = None if result == "void" else result
        if self.result is not None:
            if RET in dict(params):
                raise ProgramError(f"a parameter cannot be named {RET} (the name of the return value)", _line(decl))
            self.types[RET] = self.result
        if self.callees is not None:
            self.callees.header(decl.name, params, self.result)
        self._failing = {n.name for n in _walk(fd.body) if isinstance(n, c_ast.Label) and self._fails_at_once(n.stmt)}
        body = self.block(fd.body.block_items or [])
        body, moved = drop_dead_havocs(body, self.uninitialised)
        self.loops = [Loop(moved.get(lp.node, lp.node), lp.invariant, lp.decreasing, lp.line) for lp in self.loops]
        if self.flags:
            inits = [Expr("assign", (Int(0),), f) for f in sorted(self.flags)]
            body = seq(inits + [body])
        mentioned = program_vars(body)
        file_scope = getattr(self.callees, "globals", {}) if self.callees is not None else {}
        used_globals = {g: file_scope[g][0] for g in sorted(mentioned) if g in file_scope
                        and len(self.scopes) > 1 and self.scopes[0].get(g) == g}
        exit_vars = self.callees.exit_vars if self.callees is not None else None
        used_globals.update({g: "int" for g in exit_vars or () if g in mentioned})
        locals_ = {k: v for k, v in self.types.items() if k not in dict(params)
                   and (k not in file_scope or k in used_globals)}
        hidden = {x: m for x, m in self.names.hidden.items() if x in mentioned}
        ret_flag = self._flag.get("ret")
        return Program(name or decl.name, params, self.result, body, "c", locals_, self.loops, self.source,
                       hidden, ret_flag if ret_flag in self.flags else None, globals=used_globals,
                       demonic=self.demonic & mentioned)

    @property
    def names(self):
        """The fresh-name supply of the source being translated."""
        if self.callees is None:
            self.callees = _Callees(self.source, {}, {}, self.int_mode, self.native)
        return self.callees.names

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

    # -- scopes -------------------------------------------------------------------------
    def lookup(self, name: str, node) -> str:
        """The variable a C name denotes here."""
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        raise ProgramError(f"{name} is not declared", _line(node))

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
            raise ProgramError(f"{name} is declared with two types", _line(node))
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
            chain = _label_chain(items[k])
            labels = chain + [x for x in _labels_in(items[k]) if x not in chain]
            before = (self._jumps_in(c_ast.Compound(items[:k])) if k and labels else set()) | set(pending)
            for label in labels:
                f = self.goto_flag(label)
                if f not in before:
                    continue
                self.targets.append({x for it in items[k:] for x in _labels_in(it)})
                try:
                    head = self.block(items[:k], pending)
                finally:
                    self.targets.pop()
                self.flags.add(f)
                if label not in chain:
                    for n in _path_to_label(items[k], label):
                        self._entering[id(n)] = f
                tail = self.block(items[k:], frozenset(before - {f}))
                return seq([head] + ([Expr("assign", (Int(0),), f)] if label in chain else []) + [tail])
        if pending:
            guard = conj([mk("eq", Var(g), Int(0)) for g in sorted(pending)])
            return Expr("if", (guard, self.block(items), Expr("skip")))
        out = []
        for i, s in enumerate(items):
            self.targets.append({x for it in items[i + 1:] for x in _labels_in(it)})
            try:
                st, jumps = self.stmt(s)
            finally:
                self.targets.pop()
            if jumps and i + 1 < len(items):
                rest = self.block(items[i + 1:])
                guard = conj([mk("eq", Var(f), Int(0)) for f in sorted(jumps)])
                out.append(_then(st, guard, rest, jumps))
                break
            out.append(st)
        return seq(out)

    def _backward_regions(self, items: list) -> list:
        """items with each part that a backward goto repeats (from a label to the last statement that
        jumps back to it) made one ``_Backward`` statement."""
        from pycparser import c_ast
        out, k = [], 0
        while k < len(items):
            chain = [x for x in _label_chain(items[k]) if x not in self._wrapped and x not in self._failing]
            back = [x for x in chain if any(isinstance(n, c_ast.Goto) and n.name == x
                                            for it in items[k:] for n in _walk(it))]
            if not back:
                out.append(items[k])
                k += 1
                continue
            if len(back) > 1:
                raise ProgramError(f"unsupported: backward gotos to the labels {' and '.join(back)} of one statement",
                                   _line(items[k]))
            j = max(i for i in range(k, len(items)) if any(isinstance(n, c_ast.Goto) and n.name == back[0]
                                                           for n in _walk(items[i])))
            out.append(_Backward(back[0], items[k:j + 1], items[k].coord))
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
        self.loops.append(Loop(w, None, None, _line(s)))
        return seq([Expr("assign", (Int(1),), f), w])

    def stmt(self, s) -> tuple[Expr, set]:
        """(statement, flags it may set). A call that may end the program (``exit``) is read only as a
        statement of its own: ``f(...);``, ``x = f(...);``, ``T x = f(...);`` or ``return f(...);``;
        after it the exit flag stops everything (``exit_flag``)."""
        site = _exit_site(s)
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
        return s.name.name in ("__VERIFIER_error", "reach_error", "abort") and not self._is_variable(s.name.name) \
            and self.builtin(s.name.name, s) is not None

    def exit_flag(self) -> str:
        """The variable that is 1 once the program has called ``exit`` (one per source, shared by every
        function like a file-scope variable; ``parse_c`` sets it to 0 when main starts)."""
        cs = self.callees
        if cs.exit_vars is None:
            cs.exit_vars = (cs.names.fresh("__exit", _EXITED), cs.names.fresh("__exit_status", "is the status "
                                                                              "the program passed to exit"))
        return cs.exit_vars[0]

    def _may_exit(self, call) -> bool:
        """Whether this call may end the program: it is ``exit`` or calls a function that may."""
        from pycparser import c_ast
        name = call.name.name if isinstance(call.name, c_ast.ID) else None
        if name is None or self._is_variable(name):
            return False
        if name == "exit" and self.builtin(name, call) is not None:
            return True
        return self.callees is not None and self.callees.may_exit(name)

    def _stmt(self, s) -> tuple[Expr, set]:
        from pycparser import c_ast
        entering = self._entering.get(id(s))
        if isinstance(s, _Backward):
            return self.backward(s, frozenset({entering} if entering else ())), self._jumps_in(s)
        if isinstance(s, c_ast.Compound):
            st = self.scoped(s.block_items or [], frozenset({entering} if entering else ()))
            return st, self._jumps_in(s)
        if isinstance(s, c_ast.Decl):
            if isinstance(s.type, c_ast.FuncDecl):     # a declaration of a function in a block
                try:
                    self.scopes[-1]["()" + s.name] = _signature(s.type, self.int_mode)[1] is not None
                except ProgramError:
                    pass
                return Expr("skip"), set()
            if s.name is None:                          # enum { A, B }; struct s { ... };
                what = {"Enum": "an enum", "Struct": "a struct", "Union": "a union"}.get(type(s.type).__name__, "a")
                raise ProgramError(f"unsupported declaration of {what} type in a block", _line(s))
            if s.storage and set(s.storage) & {"static", "extern"}:
                # a static local keeps its value from call to call (and is initialised once); extern is
                # a global: neither is a local variable of this function
                raise ProgramError(f"{' '.join(s.storage)} variables are not supported", _line(s))
            ty = _ctype(s.type, self.int_mode)
            if s.init is not None and any(isinstance(n, c_ast.ID) and n.name == s.name for n in _walk(s.init)):
                raise ProgramError(f"{s.name} is used in its own initializer", _line(s))
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
                    raise ProgramError("havoc takes one variable: `havoc x;`", _line(s))
                x = self.lookup(args[0].name, s)
                fact = range_fact(x, self.types[x])
                return seq([Expr("havoc", (), x)] + ([Expr("assume", (fact,))] if fact is not None else [])), set()
            elif name in ("__VERIFIER_error", "reach_error", "abort"):
                return Expr("assert", (FALSE,)), set()
            elif name == "exit":
                # the program ends here, normally (a status as a return from main would give it)
                args = s.args.exprs if s.args is not None else []
                if len(args) != 1:
                    raise ProgramError("exit takes one argument", _line(s))
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
            if self.callees is not None and self.callees.has(name) and not self._is_variable(name):
                self._unsequenced(s)
                checks: list = []
                pre: list = []
                stmt, _, _ = self.call(s, checks, pre, used=False)    # a void call, or a result not used
                return seq(pre + _run(checks) + [stmt]), set()
            raise ProgramError(f"calls to {name} are not supported{_ONLY_DEFINED}", _line(s))
        if isinstance(s, c_ast.Cast) and _ctype(s.to_type.type, self.int_mode) == "void":
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
                into_then = s.iftrue is not None and any(id(n) in self._entering for n in _walk(s.iftrue))
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
                                           "header: call it in the loop's body", _line(part))
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
                                       _line(s))
                st = Expr("skip")
            elif self.result is None:
                raise ProgramError("return with a value in a void function", _line(s))
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
                                   "before the goto's statement, not into an earlier statement)", _line(s))
            f = self.goto_flag(s.name)
            self.flags.add(f)
            return Expr("assign", (Int(1),), f), {f}
        if isinstance(s, c_ast.ExprList):
            return seq([self.stmt(x)[0] for x in s.exprs]), set()
        raise ProgramError(f"unsupported statement {type(s).__name__}", _line(s))

    def _jumps_in(self, node) -> set:
        from pycparser import c_ast
        found = set()

        inside = {n.name for n in _walk(node) if isinstance(n, c_ast.Label)}

        def walk(n, in_loop):
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
                walk(ch, in_loop or loop)
        walk(node, False)
        return found

    def _ret_only(self, body) -> set:
        """The jumps out of a loop with this body: return, and goto to a label outside it."""
        return {f for f in self._jumps_in(body) if f == self.flag("ret") or f.startswith("__goto_")
                and f in self._goto_flags() or f == self._exit_var()}

    def _exit_var(self) -> str | None:
        return self.callees.exit_vars[0] if self.callees is not None and self.callees.exit_vars else None

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
                ann = self.cond(it.args.exprs[0]) if it.name.name == "invariant" else \
                    self.value(it.args.exprs[0])
                if any(x.op != "assert" for x in ann[0]):
                    raise ProgramError(f"{it.name.name}(...) cannot call functions or draw nondeterministic values",
                                       _line(it))
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
        self.loops.append(Loop(w, inv, dec, _line(node)))
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

    # -- assignments --------------------------------------------------------------------
    def assignment(self, s) -> Expr:
        from pycparser import c_ast
        if not isinstance(s.lvalue, c_ast.ID):
            raise ProgramError("only assignments to variables are supported", _line(s))
        self._unsequenced(s, top=s)
        x = self.lookup(s.lvalue.name, s)
        if s.op == "=":
            return self.assign_to(x, s.rvalue, s)
        op = s.op[:-1]
        return self.assign_to(x, c_ast.BinaryOp(op, s.lvalue, s.rvalue, s.coord), s)

    def incdec(self, s) -> Expr:
        from pycparser import c_ast
        if not isinstance(s.expr, c_ast.ID):
            raise ProgramError("++/-- apply to variables only", _line(s))
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
            self.callees is not None and (name in self.callees.enumerators or name in self.callees.file_names))

    def builtin(self, name: str, node) -> str | None:
        """``name`` if a call to it has Quod's built-in meaning here (``assume``, ``assert``,
        ``__VERIFIER_*``, ``reach_error``, ``abort``, ``havoc``, the loop annotations), None if the
        program defines that function itself (its own definition is what C calls). A variable is not
        callable; a program declared before in the .proof file with a built-in's name is ambiguous."""
        if not (name in _BUILTIN_CALLS or name.startswith("__VERIFIER_nondet")):
            return None
        if self._is_variable(name):
            raise ProgramError(f"{name} is a variable here, not a function", _line(node))
        if self.callees is not None and name in self.callees.defs:
            return None
        if self.callees is not None and name in self.callees.known:
            raise ProgramError(f"unsupported: {name} is both Quod's built-in {name} and a program declared before "
                               "it in the .proof file: rename the program", _line(node))
        return name

    def call(self, e, checks: list, pre: list, used: bool = True) -> tuple[Expr, Expr | None, str | None]:
        """``f(args)``: (the statement running it, the result as a term or None for void, its type). The
        arguments are evaluated left to right and converted to the parameter types as by assignment;
        the callee is inlined with its variables renamed apart, and the result is copied to a fresh
        variable so that later statements cannot change it. Using the value of a C function that ended
        without a return statement is undefined behaviour: an assert (unless the value is not ``used``)."""
        name = e.name.name
        line = _line(e)
        exits = self.callees.may_exit(name)
        if exits and id(e) != self._exit_site:
            raise ProgramError(f"unsupported: a call of {name}, which may end the program (exit), inside an expression "
                               f"or a condition: call it as a statement of its own (`{name}(...);`, `x = {name}(...);` "
                               f"or `return {name}(...);`)", line)
        callee = self.callees.get(name, line=line)
        if name not in self.callees.defs and _EXITED in callee.hidden.values():
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
            why = f"{name} is called before it is declared" if seen is None else \
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
            returned = [Expr("if", (mk("eq", Var(self._exit_var()), Int(0)), seq(returned), Expr("skip")))] \
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
            written = {w for x in p if x.sort == "stmt" for w in _writes(x)}
            for j, (v, _) in enumerate(out):
                both = written & (v.fv | {u for x in parts[j] for u in program_vars_of(x)})
                if j != i and both:
                    raise ProgramError(f"unsupported: {what} are evaluated in an unspecified order in C, and one "
                                       f"of them changes {min(both)}, which another uses: compute them in separate "
                                       "statements", _line(node))
        if any(_may_diverge(p) for p in parts):
            calls = [p for p in parts if any(x.sort == "stmt" for x in p)]
            if any(i != j and _may_diverge(p) and _may_stop(q) for i, p in enumerate(calls)
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
        import itertools
        if len(calls) > 3:
            raise ProgramError(f"unsupported: {what} are evaluated in an unspecified order in C, and one of them "
                               f"may run forever while another may fail; {len(calls)} such operands are too many "
                               "orders (at most 3): compute them in separate statements", _line(node))
        o = self.names.fresh("__order", "is the order the compiler picks for the calls of an expression",
                             numbered=True)
        self.types[o] = "int"
        self.demonic.add(o)
        orders = [seq([s for k in perm for s in _run(calls[k])]) for perm in itertools.permutations(range(len(calls)))]
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
            fact = _range_of(v, dst)
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
        return pre + _run(checks), v, ty

    def cond(self, e) -> tuple[list, Expr]:
        self._unsequenced(e)
        checks: list = []
        pre: list = []
        f = self._cond(e, checks, pre)
        return pre + _run(checks), f

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
        ua, ub = a in _UNSIGNED, b in _UNSIGNED
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
        line = _line(e)
        if e.type == "char":
            return Int(_char_code(e.value, line)), self.small
        if not e.type.endswith("int"):
            raise ProgramError(f"{e.type} constants are not supported", line)
        if e.value.startswith("'") or e.value[:1] in "LuU" and "'" in e.value:    # 'ab', L'a'
            return Int(_char_code(e.value, line)), self.small
        n, kinds = _int_constant(e.value, line)
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
            if not self._is_variable(e.name) and self.callees is not None and e.name in self.callees.enumerators:
                k = self.callees.enumerators[e.name]
                if k is None:
                    raise ProgramError(f"unsupported: the value of the enumeration constant {e.name}", _line(e))
                return Int(k), small
            if self._bool_constant(e.name):
                return Int(1 if e.name == "true" else 0), small
            x = self.lookup(e.name, e)
            return Var(x), self.types[x]
        if isinstance(e, c_ast.Cast):
            v, ty = self._val(e.expr, checks, pre)
            dst = _ctype(e.to_type.type, self.int_mode)
            if dst == "void":
                raise ProgramError("a cast to void is not a value", _line(e))
            return self._to(v, ty, dst, checks), dst
        if isinstance(e, c_ast.UnaryOp) and e.op in _INCDEC:
            return self._side_effect(e, checks)
        if isinstance(e, c_ast.UnaryOp):
            if e.op == "-":
                v, ty = self._val(e.expr, checks, pre)
                ty = self.promote(ty)
                if ty in _UNSIGNED:
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
                raise ProgramError("sizeof is not supported", _line(e))
            raise ProgramError(f"unsupported operator {e.op} in an expression", _line(e))
        if isinstance(e, c_ast.BinaryOp):
            if e.op in _ARITH or e.op in ("/", "%"):
                (a, ta), (b, tb) = self._operands([e.left, e.right], checks, pre, f"the operands of {e.op}", e)
                ty = self._common(ta, tb)
                a, b = self._to(a, ta, ty, checks), self._to(b, tb, ty, checks)
                # a constant divisor other than 0 and -1: nothing can go wrong (|a / k| <= |a|, |a % k| < |k|)
                safe = e.op in ("/", "%") and b.op == "int" and b.data not in (0, -1)
                if e.op in ("/", "%"):
                    if not safe:
                        checks.append(mk("not", mk("eq", b, Int(0))))
                    if ty in _UNSIGNED or (ty == "int" and self.native):
                        r = mk("div" if e.op == "/" else "mod", a, b)     # floor, as in the logic
                    else:
                        r = tdiv(a, b) if e.op == "/" else tmod(a, b)
                        if e.op == "%" and ty != "int" and not safe:
                            self._check_range(tdiv(a, b), ty, checks)
                else:
                    r = mk(_ARITH[e.op], a, b)
                    if ty in _UNSIGNED:
                        return mk("mod", r, Int(BOUNDS[ty][1] + 1)), ty
                if ty not in _UNSIGNED and not safe:
                    self._check_range(r, ty, checks)
                return r, ty
            if e.op in _CMP or e.op in ("&&", "||"):
                return Expr("ite", (self._cond(e, checks, pre), Int(1), Int(0))), small
            raise ProgramError(f"unsupported operator {e.op}", _line(e))
        if isinstance(e, c_ast.TernaryOp):
            c = self._cond(e.cond, checks, pre)
            ca, cb = [], []
            a, ta = self._val(e.iftrue, ca, pre)
            b, tb = self._val(e.iffalse, cb, pre)
            ty = self._common(ta, tb)           # both arms convert to the common type
            a, b = self._to(a, ta, ty, ca), self._to(b, tb, ty, cb)
            checks.extend(_when(c, x) for x in ca)
            checks.extend(_when(mk("not", c), x) for x in cb)
            return Expr("ite", (c, a, b)), ty
        if isinstance(e, c_ast.FuncCall):
            name = e.name.name if isinstance(e.name, c_ast.ID) else "?"
            if name.startswith("__VERIFIER_nondet") and self.builtin(name, e) is not None:
                t = self.names.fresh("__nd", f"is what a {name}() call returns", numbered=True)
                # the declared result type, if the program declares the function; else the one its name says
                ty = self.callees.results.get(name) if self.callees is not None else None
                ty = ty or _NONDET.get(name[len("__VERIFIER_nondet_"):])
                if ty is None or ty == "void":
                    raise ProgramError(f"unsupported: {name}() (declare it with an integer result type)", _line(e))
                if ty in ("i32", "i64") and self.int_mode == "math":
                    ty = "int"
                self.types[t] = ty
                pre.append(Expr("havoc", (), t))
                fact = range_fact(t, ty)
                if fact is not None:
                    pre.append(Expr("assume", (fact,)))
                return Var(t), ty
            if self.callees is not None and self.callees.has(name) and not self._is_variable(name):
                stmt, res, ty = self.call(e, checks, pre)
                if res is None:
                    raise ProgramError(f"{name} returns no value (it is void)", _line(e))
                checks.append(stmt)
                return res, ty
            raise ProgramError(f"calls to {name} are not supported{_ONLY_DEFINED}", _line(e))
        if isinstance(e, c_ast.Assignment) or isinstance(e, c_ast.UnaryOp) and e.op in _INCDEC:
            return self._side_effect(e, checks)
        raise ProgramError(f"unsupported expression {type(e).__name__}", _line(e))

    def _side_effect(self, e, checks: list) -> tuple[Expr, str]:
        """An assignment, ``++`` or ``--`` inside an expression: its store runs where C evaluates it
        (among the expression's checks and calls, in order); the value is the variable's new value (a
        postfix ``x++``: the old one, kept in a fresh variable). ``_unsequenced`` has made sure no
        other part of the full expression reads or writes the variable, so reading it later is the
        same as reading it at the store."""
        from pycparser import c_ast
        target = e.lvalue if isinstance(e, c_ast.Assignment) else e.expr
        if not isinstance(target, c_ast.ID):
            raise ProgramError("only assignments to variables are supported", _line(e))
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
        for n in _walk(e):
            if n is not top and (isinstance(n, c_ast.Assignment) or isinstance(n, c_ast.UnaryOp) and n.op in _INCDEC):
                t = n.lvalue if isinstance(n, c_ast.Assignment) else n.expr
                if isinstance(t, c_ast.ID):
                    stores.append((t.name, n))
            if isinstance(n, c_ast.FuncCall):
                name = n.name.name if isinstance(n.name, c_ast.ID) else None
                calls = calls or name is None or self.builtin(name, n) is None
            elif isinstance(n, c_ast.ID):
                uses[n.name] = uses.get(n.name, 0) + 1
        called = _called_names(e)
        for name, n in stores:
            if uses.get(name, 0) - called.count(name) > 1:
                raise ProgramError(f"unsupported: {name} is changed inside an expression that also reads or "
                                   "changes it elsewhere (unsequenced in C, or in an order Quod does not follow): "
                                   "split the expression into statements", _line(n))
            if calls and len(self.scopes) > 1 and self._is_variable(name) and \
                    self.scopes[0].get(name) == self.lookup(name, n):
                raise ProgramError(f"unsupported: the file-scope variable {name} is changed inside an expression "
                                   "that also calls a function (which may use it, in an order C leaves open): "
                                   "split the expression into statements", _line(n))

    def _cond(self, e, checks, pre) -> Expr:
        from pycparser import c_ast
        if isinstance(e, c_ast.UnaryOp) and e.op == "!":
            return mk("not", self._cond(e.expr, checks, pre))
        if isinstance(e, c_ast.BinaryOp) and e.op in ("&&", "||"):
            a = self._cond(e.left, checks, pre)
            inner: list = []
            b = self._cond(e.right, inner, pre)
            guard = a if e.op == "&&" else mk("not", a)
            checks.extend(_when(guard, x) for x in inner)   # the right side runs only sometimes
            return mk("and" if e.op == "&&" else "or", a, b)
        if isinstance(e, c_ast.BinaryOp) and e.op in _CMP:
            (a, ta), (b, tb) = self._operands([e.left, e.right], checks, pre, f"the operands of {e.op}", e)
            ty = self._common(ta, tb)
            a, b = self._to(a, ta, ty, checks), self._to(b, tb, ty, checks)
            op = _CMP[e.op]
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
        checks.append(_range_of(r, ty))


_UNSIGNED = ("bool", "u8", "u16", "u32", "u64")
_INCDEC = ("++", "--", "p++", "p--")
# calls with Quod's meaning unless the program defines the function (__VERIFIER_nondet_* too)
_BUILTIN_CALLS = {"__VERIFIER_assume", "assume", "__quod_havoc", "__VERIFIER_error", "reach_error", "abort", "assert",
                  "__VERIFIER_assert", "invariant", "decreasing", "exit"}
_FLAG_MEANING = {"ret": "is 1 once the function has returned", "brk": "is 1 once the loop has run `break`",
                 "cont": "is 1 while the rest of an iteration is skipped by `continue`"}
_ONLY_DEFINED = " (only to the functions defined in the source and the programs declared before)"


def _run(checks: list) -> list:
    """What evaluating an expression does, in order: its calls run, its conditions (no overflow, no
    division by zero) are asserted."""
    return [x if x.sort == "stmt" else Expr("assert", (x,)) for x in checks]


def _when(guard: Expr, x: Expr) -> Expr:
    """A check or call that happens only when ``guard`` holds (the operand is evaluated only then)."""
    return Expr("if", (guard, x, Expr("skip"))) if x.sort == "stmt" else mk("imp", guard, x)


def _then(st: Expr, guard: Expr, rest: Expr, flags: set) -> Expr:
    """``st; if (guard) rest`` (guard: no flag of ``flags`` is set), with ``rest`` moved into the
    branches of an ``if`` in ``st`` that do not jump: a branch after which some flag is always set
    would skip it anyway. Same runs, but a chain of ``if (..) return ..;`` no longer doubles the paths
    through the code at each ``if`` (the verification conditions stay linear in its length)."""
    if st.op == "seq":
        return Expr("seq", (st.args[0], _then(st.args[1], guard, rest, flags)))
    if st.op == "if":
        c, a, b = st.args
        if _always_sets(a, flags):
            return Expr("if", (c, a, _then(b, guard, rest, flags)))
        if _always_sets(b, flags):
            return Expr("if", (c, _then(a, guard, rest, flags), b))
    return seq([st, Expr("if", (guard, rest, Expr("skip")))])


def _always_sets(c: Expr, flags: set) -> bool:
    """Whether every normal end of c has some flag of ``flags`` equal to 1 (read from its form: a
    ``flag = 1`` that nothing after it undoes, in every branch)."""
    if c.op == "assign":
        return c.data in flags and c.args[0] == Int(1)
    if c.op == "assert":
        return c.args[0] == FALSE
    if c.op == "seq":
        a, b = c.args
        return _always_sets(b, flags) or _always_sets(a, flags) and not any(
            n.op in ("assign", "havoc", "call") and (n.data[0] if n.op == "call" else n.data) in flags
            and not (n.op == "assign" and n.args[0] == Int(1)) for n in postorder(b))
    if c.op == "if":
        return _always_sets(c.args[1], flags) and _always_sets(c.args[2], flags)
    return False


def _writes(c: Expr) -> set:
    """The variables a statement may change."""
    return {n.data[0] if n.op == "call" else n.data for n in postorder(c) if n.op in ("assign", "havoc", "call")}


def program_vars_of(x: Expr) -> set:
    """The variables a check (a formula) or a statement mentions."""
    return program_vars(x) if x.sort == "stmt" else set(x.fv)


def _may_diverge(checks: list) -> bool:
    return any(x.sort == "stmt" and any(n.op in ("while", "call") for n in postorder(x)) for x in checks)


def _may_stop(checks: list) -> bool:
    return any(x.sort != "stmt" or any(n.op in ("assert", "assume", "call") for n in postorder(x)) for x in checks)


def drop_dead_havocs(c: Expr, names: set) -> tuple[Expr, dict]:
    """c without the ``havoc x`` (and the ``assume`` of x's type range right after it) of an uninitialised
    declaration of x whose value no run reads: on every path x is written before it is read, and it
    counts as read at the end. Such a havoc changes nothing a run does, and it would be one more
    nondeterministic value for the search to choose. Also returns each loop that changed -> its new
    node."""
    moved: dict = {}
    if not names:
        return c, moved
    return _Liveness(names, moved).stmt(c, frozenset(program_vars(c)))[0], moved


class _Liveness:
    """Backward liveness over a statement, dropping dead declaration havocs on the way."""

    def __init__(self, names: set, moved: dict):
        self.names, self.moved = names, moved
        self.memo: dict = {}

    def stmt(self, c: Expr, live: frozenset) -> tuple[Expr, frozenset]:
        """(c with dead declaration havocs dropped, the variables live before it), given those live after."""
        key = (c, live)
        if key not in self.memo:
            self.memo[key] = self._stmt(c, live)
        return self.memo[key]

    def _stmt(self, c: Expr, live: frozenset) -> tuple[Expr, frozenset]:
        op = c.op
        if op == "seq":
            parts = []
            while c.op == "seq":          # a long right-nested sequence: walked as a list
                parts.append(c.args[0])
                c = c.args[1]
            parts.append(c)
            out = []
            i = len(parts) - 1
            while i >= 0:
                s = parts[i]
                if s.op == "assume" and i > 0 and parts[i - 1].op == "havoc" and parts[i - 1].data in self.names \
                        and parts[i - 1].data not in live and s.args[0].fv <= {parts[i - 1].data}:
                    i -= 2                # havoc x; assume (x in its type): both go
                    continue
                s, live = self.stmt(s, live)
                out.append(s)
                i -= 1
            return seq(list(reversed(out))), live
        if op == "havoc":
            if c.data in self.names and c.data not in live:
                return Expr("skip"), live
            return c, live - {c.data}
        if op == "assign":
            return c, (live - {c.data}) | c.args[0].fv
        if op in ("assume", "assert"):
            return c, live | c.args[0].fv
        if op == "if":
            t, lt = self.stmt(c.args[1], live)
            e, le = self.stmt(c.args[2], live)
            new = c if (t, e) == c.args[1:] else Expr("if", (c.args[0], t, e))
            return new, lt | le | c.args[0].fv
        if op == "while":
            # live before the loop: after it, in its test, or before its body when another pass follows
            before = live | c.args[0].fv
            while True:
                body, into = self.stmt(c.args[1], before)
                if into <= before:
                    break
                before = before | into
            if body == c.args[1]:
                return c, before
            new = Expr("while", (c.args[0], body))
            self.moved[c] = new
            return new, before
        return c, live | c.fv


def _resolve_enums(ast, int_mode: str) -> dict:
    """Enumerations as gcc reads them on x86-64: their constants (C11 6.7.2.2: an explicit value, else one
    more than the previous) have type int, and an enumerated type is unsigned int when no constant is
    negative, int otherwise. Every enumerated type in the tree is replaced by that integer type; the
    file-scope constants are returned (name -> value, None where the value is not a constant Quod
    reads). An enumeration declared anywhere but at file scope (a block, a cast, a parameter list,
    where its constants have another scope), a constant outside int, a name declared twice and a tag
    never defined are refused."""
    from pycparser import c_ast
    consts: dict = {}
    tags: dict = {}                       # tag -> "int" / "unsigned"

    def define(n) -> str:
        k: int | None = -1
        values = []
        for en in n.values.enumerators:
            if en.name in consts:
                raise ProgramError(f"{en.name} is declared twice", _line(en))
            if en.value is not None:
                k = _constant_value(en.value)
            elif k is not None:
                k += 1
            if k is not None and not BOUNDS["i32"][0] <= k <= BOUNDS["i32"][1]:
                raise ProgramError(f"unsupported: the enumeration constant {en.name} = {k} is outside int",
                                   _line(en))
            consts[en.name] = k
            values.append(k)
        kind = None if None in values else "unsigned" if all(v >= 0 for v in values) else "int"
        if n.name is not None:
            if n.name in tags:
                raise ProgramError(f"enum {n.name} is defined twice", _line(n))
            tags[n.name] = kind
        return kind

    def file_scope(node):
        """The enumerations of a file-scope declaration, not those of a prototype's parameters."""
        if isinstance(node, c_ast.FuncDecl):
            if node.type is not None:
                yield from file_scope(node.type)
            return
        if isinstance(node, c_ast.Enum) and node.values is not None:
            yield node
        for _, ch in node.children():
            yield from file_scope(ch)

    at_file_scope = set()
    for top in ast.ext:
        if not isinstance(top, c_ast.FuncDef):
            for n in file_scope(top):
                at_file_scope.add(id(n))
    kinds = {}
    for n in _walk(ast):
        if isinstance(n, c_ast.Enum) and n.values is not None:
            if id(n) not in at_file_scope:
                raise ProgramError("unsupported declaration of an enum type in a block, a cast or a parameter list "
                                   "(declare it at file scope)", _line(n))
            kinds[id(n)] = define(n)
    for n in _walk(ast):
        if isinstance(n, c_ast.TypeDecl) and isinstance(n.type, c_ast.Enum):
            e = n.type
            kind = kinds.get(id(e)) if e.values is not None else tags.get(e.name, "undefined")
            if kind == "undefined":
                names = [f"enum {e.name} (never defined)"]
            elif kind is None:
                names = ["enum (a constant's value is not one Quod reads)"]
            elif int_mode == "math":
                names = ["int"]               # the C_Integer convention: every int-like type is the integers
            else:
                names = ["unsigned", "int"] if kind == "unsigned" else ["int"]
            n.type = c_ast.IdentifierType(names, e.coord)
    return consts


def _constant_value(e) -> int | None:
    from pycparser import c_ast
    if isinstance(e, c_ast.Constant) and e.type == "int":
        try:
            return _int_constant(e.value, None)[0]
        except ProgramError:
            return None
    if isinstance(e, c_ast.UnaryOp) and e.op in ("-", "+"):
        v = _constant_value(e.expr)
        return None if v is None else (-v if e.op == "-" else v)
    return None


def _global_writes(fd) -> set:
    """The names a function definition assigns, increments or decrements that it does not declare
    itself (parameters and locals): the file-scope variables it may change."""
    from pycparser import c_ast
    own = {n.name for n in _walk(fd.decl.type.args) if isinstance(n, c_ast.Decl)} if fd.decl.type.args else set()
    own |= {n.name for n in _walk(fd.body) if isinstance(n, c_ast.Decl)}
    return _written_names([fd.body]) - own


def _label_chain(s) -> list:
    """The labels of a statement itself (``a: b: stmt`` has a and b)."""
    from pycparser import c_ast
    out = []
    while isinstance(s, c_ast.Label):
        out.append(s.name)
        s = s.stmt
    return out


def _labels_in(node) -> list:
    """Every label in a statement, nested ones too, in order."""
    from pycparser import c_ast
    return [n.name for n in _walk(node) if isinstance(n, c_ast.Label)]


def _path_to_label(node, label: str) -> list:
    """The statements from node down to the statement labelled ``label`` (both included)."""
    from pycparser import c_ast
    if isinstance(node, c_ast.Label) and node.name == label:
        return [node]
    for _, ch in node.children():
        p = _path_to_label(ch, label)
        if p:
            return [node] + p
    return []


class _Backward:
    """Statements of one block that a backward goto to ``label`` repeats (no scope of their own); walked
    like a pycparser node."""

    def __init__(self, label: str, items: list, coord):
        self.label, self.block_items, self.coord = label, items, coord

    def children(self):
        return tuple((f"block_items[{i}]", x) for i, x in enumerate(self.block_items))


_EXITED = "is 1 once the program has called exit"


def _exit_site(s):
    """The call a statement is, if it is one of the forms where a call may end the program:
    ``f(...);``, ``x = f(...);``, ``T x = f(...);``, ``return f(...);`` (None otherwise)."""
    from pycparser import c_ast
    e = s.rvalue if isinstance(s, c_ast.Assignment) and s.op == "=" else \
        s.init if isinstance(s, c_ast.Decl) else s.expr if isinstance(s, c_ast.Return) else s
    return e if isinstance(e, c_ast.FuncCall) else None


def _called_names(e) -> list:
    """The names of the functions called in e (as written: an ``ID`` that is a call's function)."""
    from pycparser import c_ast
    return [n.name.name for n in _walk(e) if isinstance(n, c_ast.FuncCall) and isinstance(n.name, c_ast.ID)]


def _walk(node):
    yield node
    for _, child in node.children():
        yield from _walk(child)

# __VERIFIER_nondet_X: the type of X
_NONDET = {"int": "i32", "uint": "u32", "unsigned": "u32", "unsigned_int": "u32", "bool": "bool", "_Bool": "bool",
           "long": "i64", "ulong": "u64", "unsigned_long": "u64", "short": "i16", "ushort": "u16",
           "char": "i8", "uchar": "u8", "unsigned_char": "u8"}


def _range_of(v: Expr, ty: str) -> Expr:
    lo, hi = BOUNDS[ty]
    return mk("and", mk("le", Int(lo), v), mk("le", v, Int(hi)))
