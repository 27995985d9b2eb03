"""C's integer types and constants as gcc reads them on x86-64 (LP64): type names, typedefs and
enumerations resolved to Quod's integer types, constants with their types, the ranges of the types,
and C's truncating division and remainder in the logic's terms."""

from __future__ import annotations

import re

from kernel import Expr, Int, mk

from .c_syntax import line_of, walk
from .lang import BOUNDS, ProgramError


PROMOTED = ("bool", "i8", "u8", "i16", "u16")     # the types the integer promotions change


def resolve_typedefs(ast, native: bool) -> None:
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
    for n in walk(ast):
        if isinstance(n, c_ast.IdentifierType) and any(x in named for x in n.names):
            n.names = [y for x in n.names for y in named.get(x, [x])]


def signature(ftype, int_mode: str) -> tuple:
    """(result type, parameter types) of a function declarator (parameter types None without a prototype)."""
    from pycparser import c_ast
    result = ctype(ftype.type, int_mode)
    if ftype.args is None:
        return result, None
    params = []
    for p in ftype.args.params:
        if isinstance(p, c_ast.EllipsisParam):
            raise ProgramError("variadic functions are not supported", line_of(p))
        if isinstance(p, c_ast.Typename) and ctype(p.type, int_mode) == "void":
            continue
        if isinstance(p, c_ast.ID):            # K&R: int f(a) int a; { ... }
            return result, None
        params.append(ctype(p.type, int_mode))
    return result, params


def ctype(node, int_mode: str) -> str:
    from pycparser import c_ast
    t = node
    while isinstance(t, (c_ast.TypeDecl,)):
        t = t.type
    if isinstance(t, c_ast.PtrDecl) or isinstance(t, c_ast.ArrayDecl):
        raise ProgramError("pointers and arrays are not supported", line_of(node))
    if isinstance(t, c_ast.Enum):
        return "i32" if int_mode == "c" else "int"
    if not isinstance(t, c_ast.IdentifierType):
        raise ProgramError(f"unsupported type {type(t).__name__}", line_of(node))
    names = t.names
    unsigned = "unsigned" in names
    if "double" in names or "float" in names or "_Complex" in names:
        raise ProgramError(f"unsupported type {' '.join(names)}", line_of(node))
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
    raise ProgramError(f"unsupported type {' '.join(names)}", line_of(node))


def resolve_enums(ast, int_mode: str) -> dict:
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
                raise ProgramError(f"{en.name} is declared twice", line_of(en))
            if en.value is not None:
                k = constant_value(en.value)
            elif k is not None:
                k += 1
            if k is not None and not BOUNDS["i32"][0] <= k <= BOUNDS["i32"][1]:
                raise ProgramError(f"unsupported: the enumeration constant {en.name} = {k} is outside int",
                                   line_of(en))
            consts[en.name] = k
            values.append(k)
        kind = None if None in values else "unsigned" if all(v >= 0 for v in values) else "int"
        if n.name is not None:
            if n.name in tags:
                raise ProgramError(f"enum {n.name} is defined twice", line_of(n))
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
    for n in walk(ast):
        if isinstance(n, c_ast.Enum) and n.values is not None:
            if id(n) not in at_file_scope:
                raise ProgramError("unsupported declaration of an enum type in a block, a cast or a parameter list "
                                   "(declare it at file scope)", line_of(n))
            kinds[id(n)] = define(n)
    for n in walk(ast):
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


def constant_value(e) -> int | None:
    from pycparser import c_ast
    if isinstance(e, c_ast.Constant) and e.type == "int":
        try:
            return int_constant(e.value, None)[0]
        except ProgramError:
            return None
    if isinstance(e, c_ast.UnaryOp) and e.op in ("-", "+"):
        v = constant_value(e.expr)
        return None if v is None else (-v if e.op == "-" else v)
    return None


_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "e": 27, "\\": 92, "'": 39, '"': 34,
            "?": 63}


def char_code(text: str, line: int | None) -> int:
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


def int_constant(text: str, line: int | None) -> tuple[int, list]:
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


# __VERIFIER_nondet_X: the type of X
NONDET_TYPES = {"int": "i32", "uint": "u32", "unsigned": "u32", "unsigned_int": "u32", "bool": "bool", "_Bool": "bool",
           "long": "i64", "ulong": "u64", "unsigned_long": "u64", "short": "i16", "ushort": "u16",
           "char": "i8", "uchar": "u8", "unsigned_char": "u8"}


def range_of(v: Expr, ty: str) -> Expr:
    lo, hi = BOUNDS[ty]
    return mk("and", mk("le", Int(lo), v), mk("le", v, Int(hi)))


UNSIGNED = ("bool", "u8", "u16", "u32", "u64")


def file_scope_variables(ast, int_mode: str) -> dict:
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
            ty = ctype(n.type, int_mode)
        except ProgramError:
            continue
        if ty == "void":
            continue
        value = 0 if n.init is None else constant_value(n.init)
        if value is None or (ty in BOUNDS and not BOUNDS[ty][0] <= value <= BOUNDS[ty][1]):
            continue
        out[n.name] = (ty, value)
    return out


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
