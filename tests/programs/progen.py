"""Random programs in the C and Python subsets of the front ends, for differential testing.

``c_program(rng)`` and ``py_program(rng)`` draw one small program (a few helper functions and an
entry function ``f``) as a tree of ``N`` nodes; ``render`` prints a tree as source text. The trees
are kept so that a program on which Quod and real execution disagree can be shrunk
(``shrink_candidates``: every program one simplification away).

C: the types int, unsigned, long, long long, short, char, signed char, _Bool / bool and their
unsigned variants, in several spellings; + - * / % on negatives and across types, comparisons,
&& || ! ?:, casts, decimal / hex / octal / character constants with u/l/ll suffixes; declarations
(block-scoped, shadowing outer ones, in a for's first clause), = and compound assignment, ++/--,
if/else (else if, dangling else), while, do-while and for (comma-separated clauses, counted loops
with one-statement bodies, for (;;)) with break, continue and early return, calls to helpers (void or
not, defined first or declared by prototypes at file scope, in a block, or old-style `int h();`),
typedefs (also of the names i32, u32, i64). Python: ints and True/False, + - *
// % on negatives, and/or/not as values, chained comparisons, conditional expressions, abs/min/max,
if/elif/else, while, for over range(...) with any steps (negative, computed, possibly zero) and a
body that assigns the loop variable, break/continue/return, augmented assignment, calls to
helpers, assert. A few constructs outside the subsets (bitwise operators, assignments inside C
expressions, the comma operator, Python's ** and /) appear now and then: the front end must
refuse them cleanly.

Loops carry a counter (``k1 < 6 && ...``) so that most runs end; every local is initialised
(C reads of indeterminate values are not comparable with gcc) and every function ends with a
return. Identifiers never start with ``__`` nor shadow a builtin (abs, range, assume, ret, ...).
"""

from __future__ import annotations

import copy
import random
import re
from dataclasses import dataclass, field


class N:
    """A node: ``k`` its kind, ``a`` its fields (nodes, lists of nodes, strings, numbers)."""
    __slots__ = ("k", "a")

    def __init__(self, k: str, *a):
        self.k, self.a = k, list(a)

    def __repr__(self):
        return f"N({self.k!r}, {', '.join(map(repr, self.a))})"


@dataclass
class Func:
    name: str
    ret: str | None             # C type spelling / "int" for Python, None for void (C)
    params: list                # [(name, type spelling)]
    body: list                  # statements


@dataclass
class GenProgram:
    language: str               # "c" / "python"
    funcs: list                 # [Func], in source order; the entry is "f"
    header: str = ""            # C: #include and typedef lines
    protos: list = field(default_factory=list)   # C: prototypes printed first (names; name() old style)
    entry: str = "f"
    typedefs: tuple = ()        # C: the typedef names of the header

    @property
    def source(self) -> str:
        return render(self)

    def names(self) -> list[str]:
        return [f.name for f in self.funcs]


# ---- C -----------------------------------------------------------------------------------------

# (spelling, kind): kind is the front end's type name; weights favour int
C_TYPES = [
    ("int", "i32", 30), ("unsigned", "u32", 8), ("unsigned int", "u32", 4), ("long", "i64", 7),
    ("long long", "i64", 2), ("long int", "i64", 1), ("short", "i16", 5), ("short int", "i16", 1),
    ("unsigned short", "u16", 4), ("char", "i8", 5), ("signed char", "i8", 2), ("unsigned char", "u8", 4),
    ("_Bool", "bool", 4), ("bool", "bool", 2), ("unsigned long", "u64", 4), ("unsigned long long", "u64", 1),
    ("signed", "i32", 1), ("signed int", "i32", 1), ("long unsigned", "u64", 1),
]
C_KIND = {s: k for s, k, _ in C_TYPES}
C_PARAM_TYPES = [t for t in C_TYPES if t[0] != "bool"]
# (x_1 and a1 look like the names the front ends make up for shadowing declarations)
C_VARS = ["a", "b", "c", "d", "e", "g", "m", "n", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "x_1", "a1"]
PY_VARS = ["a", "b", "c", "d", "e", "g", "m", "n", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "x_1", "a1"]

_C_DEC = ["0", "1", "2", "3", "5", "7", "9", "10", "13", "100", "127", "128", "255", "256", "1000", "32767",
          "32768", "65535", "65536", "2147483647", "2147483648", "4294967295", "4294967296",
          "9223372036854775807"]
_C_HEX = ["0x0", "0x1", "0xf", "0xFF", "0x7f", "0x80", "0xffff", "0x7fffffff", "0x80000000", "0xFFFFFFFF",
          "0x100000000", "0x7fffffffffffffff", "0x8000000000000000", "0xffffffffffffffff", "0X1a"]
_C_OCT = ["00", "01", "07", "010", "017", "0777", "0177777", "017777777777", "020000000000", "037777777777"]
_C_SUFFIX = ["", "", "", "", "u", "U", "l", "L", "ul", "UL", "lu", "LU", "ll", "LL", "ull", "ULL", "llu"]
_C_CHARS = ["'a'", "'0'", "'z'", "' '", "'\\n'", "'\\0'", "'\\t'", "'\\x7f'", "'\\xff'", "'\\x80'", "'\\377'",
            "'\\200'", "'\\177'", "'\\\\'", "'\\''", "'\"'", "'\\101'", "'\\x41'", "'\\e'", "'\\a'", "'\\?'"]

# C precedences (higher binds tighter)
_C_PREC = {"*": 13, "/": 13, "%": 13, "+": 12, "-": 12, "<<": 11, ">>": 11, "<": 10, "<=": 10, ">": 10,
           ">=": 10, "==": 9, "!=": 9, "&": 8, "^": 7, "|": 6, "&&": 5, "||": 4}


class _Scope:
    def __init__(self, parent=None):
        self.parent, self.vars = parent, {}

    def visible(self) -> dict:
        out = {} if self.parent is None else self.parent.visible()
        out.update(self.vars)
        return out


class _Gen:
    """Shared state while drawing one function."""

    def __init__(self, rng: random.Random, language: str, helpers: list, odd: float):
        self.rng, self.language, self.helpers, self.odd = rng, language, helpers, odd
        self.counters = 0
        self.protected: set[str] = set()      # loop counters and read-only loop variables
        self.loop_depth = 0
        self.nest = 0                         # enclosing if / loop / block statements
        self.budget = 0                       # statements left
        self.hidden: set[str] = set()         # names an expression must not read (C: a declaration's own)
        self.typedefs: tuple = ()             # C: the typedef names of the program

    def counter(self) -> str:
        self.counters += 1
        return f"k{self.counters}"


def _c_type(rng, params: bool = False, typedefs: tuple = ()) -> str:
    if typedefs and rng.random() < 0.25:
        return rng.choice(typedefs)
    pool = C_PARAM_TYPES if params else C_TYPES
    return rng.choices([t[0] for t in pool], [t[2] for t in pool])[0]


# typedef names: some are the names of Quod's own types (i32, u32, i64), which the typedef overrides
C_TYPEDEF_NAMES = ["word", "small", "i32", "u32", "i64", "uchar", "T"]


def _c_const(rng) -> str:
    r = rng.random()
    if r < 0.55:
        text = rng.choice(_C_DEC[:12]) if rng.random() < 0.7 else rng.choice(_C_DEC)
        if text == "9223372036854775807" or rng.random() < 0.2:
            return text + rng.choice(_C_SUFFIX)
        return text
    if r < 0.72:
        return rng.choice(_C_HEX) + rng.choice(_C_SUFFIX)
    if r < 0.85:
        return rng.choice(_C_OCT) + rng.choice(_C_SUFFIX)
    return rng.choice(_C_CHARS)


def _c_expr(g: _Gen, scope: _Scope, depth: int) -> N:
    rng = g.rng
    names = [x for x in scope.visible() if x not in g.hidden]
    if depth <= 0 or rng.random() < 0.25:
        if names and rng.random() < 0.7:
            return N("var", rng.choice(names))
        return N("const", _c_const(rng))
    r = rng.random()
    if r < 0.36:
        op = rng.choice(["+", "-", "*", "+", "-", "*", "/", "%"])
        if op in "/%" and rng.random() < 0.5:          # a divisor that is not 0 (but maybe -1)
            d = N("const", rng.choice(["2", "3", "7", "10", "1", "0x10", "5u", "3L", "'\\n'"]))
            return N("bin", op, _c_expr(g, scope, depth - 1), d if rng.random() < 0.7 else N("un", "-", d))
        return N("bin", op, _c_expr(g, scope, depth - 1), _c_expr(g, scope, depth - 1))
    if r < 0.50:
        op = rng.choice(["<", "<=", ">", ">=", "==", "!="])
        return N("bin", op, _c_expr(g, scope, depth - 1), _c_expr(g, scope, depth - 1))
    if r < 0.58:
        return N("bin", rng.choice(["&&", "||"]), _c_expr(g, scope, depth - 1), _c_expr(g, scope, depth - 1))
    if r < 0.68:
        return N("un", rng.choice(["-", "-", "!", "+"]), _c_expr(g, scope, depth - 1))
    if r < 0.75:
        return N("cond", _c_expr(g, scope, depth - 1), _c_expr(g, scope, depth - 1), _c_expr(g, scope, depth - 1))
    if r < 0.85:
        return N("cast", _c_type(rng, typedefs=g.typedefs), _c_expr(g, scope, depth - 1))
    if r < 0.95:
        fs = [h for h in g.helpers if h.ret is not None]
        if fs:
            h = rng.choice(fs)
            return N("call", h.name, [_c_expr(g, scope, depth - 1) for _ in h.params])
        return N("var", rng.choice(names)) if names else N("const", _c_const(rng))
    if rng.random() < g.odd * 10:               # outside the subset: must be refused
        which = rng.random()
        if which < 0.4:
            return N("bin", rng.choice(["&", "|", "^", "<<", ">>"]), _c_expr(g, scope, 0), _c_expr(g, scope, 0))
        if which < 0.7 and names:
            x = rng.choice(names)
            return N("rawexpr", rng.choice([f"{x}++", f"++{x}", f"{x} = 1", f"{x} += 2"]))
        return N("comma", _c_expr(g, scope, 0), _c_expr(g, scope, 0))
    return N("const", _c_const(rng))


def _c_assignable(g: _Gen, scope: _Scope) -> list[str]:
    return [x for x in scope.visible() if x not in g.protected]


def _c_block(g: _Gen, scope: _Scope, n: int, fn: Func, nested: bool = True) -> list:
    out = []
    g.nest += nested
    for _ in range(n):
        if g.budget <= 0:
            break
        out.extend(_c_stmt(g, scope, fn))
    g.nest -= nested
    return out


def _c_decl(g: _Gen, scope: _Scope, shadow: bool) -> N | None:
    rng = g.rng
    outer = [x for x in scope.visible() if x not in scope.vars and x not in g.protected]
    if shadow and outer:
        name = rng.choice(outer)
    else:
        free = [x for x in C_VARS if x not in scope.visible()]
        if not free:
            return None
        name = rng.choice(free)
    ty = _c_type(rng, typedefs=g.typedefs)
    g.hidden.add(name)          # in `T x = e`, x in e is the new x (not initialised yet)
    init = _c_expr(g, scope, rng.randint(0, 2))
    g.hidden.discard(name)
    scope.vars[name] = ty
    r = rng.random()
    if r < 0.1:                 # T x; x = e;  (one node: the assignment never goes without the declaration)
        return N("decl0", ty, name, init)
    if r < 0.2:                 # T x = e, y = e2;  (x is in scope in e2)
        free = [x for x in C_VARS if x not in scope.visible()]
        if free:
            other = rng.choice(free)
            g.hidden.add(other)
            init2 = _c_expr(g, scope, rng.randint(0, 2))
            g.hidden.discard(other)
            scope.vars[other] = ty
            return N("decls", ty, [name, other], [init, init2])
    return N("decl", ty, name, init)


def _loop_limit(g: _Gen) -> int:
    return g.rng.randint(1, 9) if g.loop_depth == 0 else g.rng.randint(1, 4)


def _c_stmt(g: _Gen, scope: _Scope, fn: Func) -> list:
    rng = g.rng
    g.budget -= 1
    r = rng.random()
    targets = _c_assignable(g, scope)
    if r < 0.12:
        d = _c_decl(g, scope, shadow=scope.parent is not None and rng.random() < 0.5)
        return [d] if d else []
    if r < 0.30 and targets:
        return [N("assign", rng.choice(targets), "=", _c_expr(g, scope, rng.randint(1, 3)))]
    if r < 0.42 and targets:
        op = rng.choice(["+=", "-=", "*=", "+=", "-=", "/=", "%="])
        v = N("const", rng.choice(["2", "3", "7", "-3"])) if op in ("/=", "%=") and rng.random() < 0.5 else \
            _c_expr(g, scope, rng.randint(0, 2))
        return [N("assign", rng.choice(targets), op, v)]
    if r < 0.49 and targets:
        x = rng.choice(targets)
        return [N("incdec", rng.choice([f"{x}++", f"++{x}", f"{x}--", f"--{x}"]), x)]
    if r < 0.62:
        c = _c_expr(g, scope, rng.randint(1, 3))
        t = _c_block(g, _Scope(scope), rng.randint(1, 3), fn)
        x = rng.random()
        e = _c_block(g, _Scope(scope), rng.randint(1, 3), fn) if x < 0.4 else \
            _c_stmt_if(g, scope, fn) if x < 0.55 else None          # else if
        braces = rng.random() < 0.75 or len(t) != 1 or (e is not None and len(e) != 1)
        return [N("if", c, t, e, braces)]
    if r < 0.76 and g.loop_depth < 2:
        return _c_loop(g, scope, fn)
    if r < 0.81:
        inner = _Scope(scope)
        body = []
        d = _c_decl(g, inner, shadow=True)
        if d:
            body.append(d)
        body += _c_block(g, inner, rng.randint(1, 3), fn)
        return [N("block", body)]
    if r < 0.85 and g.loop_depth > 0:
        return [N("break")] if rng.random() < 0.5 else [N("continue")]
    if r < 0.88 and g.nest > 0:
        return [N("return", None if fn.ret is None else _c_expr(g, scope, rng.randint(0, 2)))]
    if r < 0.94 and g.helpers:
        h = rng.choice(g.helpers)
        call = N("call", h.name, [_c_expr(g, scope, rng.randint(0, 2)) for _ in h.params])
        return [N("exprstmt", N("cast", "void", call) if h.ret is not None and rng.random() < 0.3 else call)]
    if rng.random() < g.odd * 4 and targets:        # outside the subset: must be refused
        x = rng.choice(targets)
        return [N("rawstmt", rng.choice([f"switch ({x}) {{ case 1: {x} = 2; break; default: break; }}",
                                         f"goto l_{x}; l_{x}: {x} = 1;", f"{x} <<= 1;", f"{x} = {x}++;",
                                         "enum { E1 = 3, E2 };", "static int s_1 = 0;",
                                         f"struct {{ int f1; }} s_{x};", f"int a_{x}[2] = {{0, 1}};",
                                         f"{x} = sizeof {x};", "typedef int t_1;"]))]
    if targets:
        return [N("assign", rng.choice(targets), "=", _c_expr(g, scope, rng.randint(0, 2)))]
    return []


def _c_stmt_if(g: _Gen, scope: _Scope, fn: Func) -> list:
    c = _c_expr(g, scope, g.rng.randint(1, 2))
    t = _c_block(g, _Scope(scope), g.rng.randint(1, 2), fn)
    e = _c_block(g, _Scope(scope), g.rng.randint(1, 2), fn) if g.rng.random() < 0.5 else None
    return [N("if", c, t, e, True)]


def _c_counted(g: _Gen, scope: _Scope, fn: Func) -> list:
    """for (T i = a; i < b; i++) body: a loop variable the body does not assign, a small range (an input
    as one bound, the other a constant); the body may be one statement without braces."""
    rng = g.rng
    fscope = _Scope(scope)
    name = next((x for x in ("i", "j") if x not in g.protected), None)
    if name is None:
        return []
    ty = rng.choice(["int", "int", "unsigned", "long", "short", "unsigned char"])
    up = rng.random() < 0.8
    g.hidden.add(name)
    if up and rng.random() < 0.3:
        lo, hi = _c_expr(g, scope, 0), N("const", str(rng.randint(0, 9)))
    elif up:
        lo = N("const", str(rng.randint(0, 5)))
        hi = N("const", str(rng.randint(0, 9))) if rng.random() < 0.6 else _c_expr(g, scope, 1)
    else:
        lo, hi = N("const", str(rng.randint(0, 9))), N("const", str(rng.randint(-2, 5)))
    g.hidden.discard(name)
    fscope.vars[name] = ty
    small = all(x.k == "const" and x.a[0].isdigit() for x in (lo, hi)) and int(lo.a[0]) <= int(hi.a[0])
    ops = [">", ">="] if not up else ["<", "<=", "!="] if small else ["<", "<="]
    cond = N("bin", rng.choice(ops), N("var", name), hi)
    g.protected.add(name)
    g.loop_depth += 1
    try:
        body = _c_block(g, _Scope(fscope), rng.randint(1, 3), fn)
    finally:
        g.loop_depth -= 1
        g.protected.discard(name)
    braces = len(body) != 1 or rng.random() < 0.5
    step = N("incdec", rng.choice([f"{name}++", f"++{name}"] if up else [f"{name}--", f"--{name}"]), name)
    return [N("for", N("decl", ty, name, lo), cond, [step], body, braces)]


def _c_loop(g: _Gen, scope: _Scope, fn: Func) -> list:
    rng = g.rng
    if rng.random() < 0.2:
        out = _c_counted(g, scope, fn)
        if out:
            return out
    k = g.counter()
    limit = _loop_limit(g)
    g.protected.add(k)
    pre = [N("decl", "int", k, N("const", "0"))]
    scope.vars[k] = "int"
    bump = N("incdec", rng.choice([f"{k}++", f"++{k}", f"{k} += 1"]), k)
    guard = N("bin", "<", N("var", k), N("const", str(limit)))
    g.loop_depth += 1
    try:
        style = rng.random()
        if style < 0.3:             # while (k < L && c) { k++; ... }
            c = _c_expr(g, scope, rng.randint(1, 2))
            body = [bump] + _c_block(g, _Scope(scope), rng.randint(1, 4), fn)
            return pre + [N("while", N("bin", "&&", guard, c), body)]
        if style < 0.42:            # while (1) / for (;;) { k++; if (k > L) break; ... }
            body = [bump, N("if", N("bin", ">", N("var", k), N("const", str(limit))), [N("break")], None, False)]
            body += _c_block(g, _Scope(scope), rng.randint(1, 4), fn)
            if rng.random() < 0.3:
                return pre + [N("for", None, None, [], body)]
            return pre + [N("while", N("const", "1"), body)]
        if style < 0.57:            # do { k++; ... } while (k < L && c);
            body = [bump] + _c_block(g, _Scope(scope), rng.randint(1, 4), fn)
            c = _c_expr(g, scope, rng.randint(1, 2))
            return pre + [N("dowhile", body, N("bin", "&&", guard, c))]
        # for (init; k < L && c; step) { k++; ... }
        fscope = _Scope(scope)
        init = None
        names = _c_assignable(g, scope)
        if rng.random() < 0.6 or not names:
            free = [x for x in ("i", "j") + tuple(C_VARS) if x not in fscope.visible()] or ["i"]
            name = rng.choice(["i", "j"] + list(scope.visible())) if rng.random() < 0.3 else free[0]
            if name in g.protected:
                name = free[0]
            ty = rng.choice(["int", "int", "unsigned", "long", "char", "short"])
            g.hidden.add(name)
            init = N("decl", ty, name, _c_expr(g, scope, rng.randint(0, 1)))
            g.hidden.discard(name)
            fscope.vars[name] = ty
            var = name
            other = next((x for x in free if x != name and x not in g.protected), None)
            if other is not None and rng.random() < 0.2:       # for (int i = 0, j = i + 1; ...)
                g.hidden.add(other)
                init = N("decls", ty, [name, other], [init.a[2], _c_expr(g, fscope, rng.randint(0, 1))])
                g.hidden.discard(other)
                fscope.vars[other] = ty
        else:
            var = rng.choice(names)
            init = N("assign", var, "=", _c_expr(g, scope, rng.randint(0, 1)))
            if len(names) > 1 and rng.random() < 0.25:        # for (i = 0, j = 1; ...)
                y = rng.choice([x for x in names if x != var])
                init = N("assigns", [init, N("assign", y, "=", _c_expr(g, scope, 0))])
        c = N("bin", rng.choice(["<", "<=", ">", ">=", "!="]), N("var", var), _c_expr(g, fscope, rng.randint(0, 1)))
        step = [N("incdec", rng.choice([f"{var}++", f"++{var}", f"{var}--", f"{var} += 2", f"{var} -= 3"]), var)]
        if rng.random() < 0.25:
            others = [x for x in _c_assignable(g, fscope) if x != var]
            if others:
                y = rng.choice(others)
                step.append(N("incdec", rng.choice([f"{y}++", f"{y}--", f"{y} *= 2"]), y))
        body = [bump] + _c_block(g, _Scope(fscope), rng.randint(1, 4), fn)
        return pre + [N("for", init, N("bin", "&&", guard, c), step, body)]
    finally:
        g.loop_depth -= 1


def _c_function(rng: random.Random, name: str, helpers: list, odd: float, main: bool, typedefs: tuple = ()) -> Func:
    g = _Gen(rng, "c", helpers, odd)
    g.typedefs = typedefs
    nparams = rng.randint(1, 3) if main else rng.randint(0, 3)
    names = rng.sample(C_VARS, nparams)
    params = [(x, _c_type(rng, params=True, typedefs=typedefs)) for x in names]
    ret = None if (not main and rng.random() < 0.15) else _c_type(rng, typedefs=typedefs)
    fn = Func(name, ret, params, [])
    top = _Scope()
    top.vars.update(dict(params))
    g.budget = rng.randint(3, 14) if main else rng.randint(2, 7)
    body = []
    for _ in range(rng.randint(0, 2)):
        d = _c_decl(g, top, shadow=False)
        if d:
            body.append(d)
    body += _c_block(g, top, 40, fn, nested=False)
    body.append(N("return", None if ret is None else _c_expr(g, top, rng.randint(1, 3))))
    fn.body = body
    return fn


def c_program(rng: random.Random, odd: float = 0.005) -> GenProgram:
    """A random C program: up to three helpers and the entry function f (int-like parameters)."""
    typedefs, header = (), ""
    if rng.random() < 0.15:
        typedefs = tuple(rng.sample(C_TYPEDEF_NAMES, rng.randint(1, 2)))
        for t in typedefs:
            header += f"typedef {rng.choice([x for x, _, _ in C_TYPES if x != 'bool'])} {t};\n"
    helpers: list[Func] = []
    for k in range(rng.choice([0, 0, 1, 1, 2, 3])):
        helpers.append(_c_function(rng, f"h{k + 1}", list(helpers), odd, main=False, typedefs=typedefs))
    f = _c_function(rng, "f", helpers, odd, main=True, typedefs=typedefs)
    if re.search(r"\bbool\b", render_c_funcs([f] + helpers)):
        header = "#include <stdbool.h>\n" + header
    funcs = helpers + [f]
    protos = []
    if helpers and rng.random() < 0.3:          # prototypes, the helpers after f
        funcs = [f] + helpers
        style = rng.random()
        if style < 0.7:                         # at file scope
            protos = [h.name for h in helpers]
        elif style < 0.85:                      # old style, without parameter types: int h();
            protos = [h.name + "()" for h in helpers]
        else:                                   # in f's body
            f.body[:0] = [N("protostmt", _c_sig(h)) for h in helpers]
    return GenProgram("c", funcs, header, protos, typedefs=typedefs)


# ---- C rendering ----------------------------------------------------------------------------------

_CHECKED = {"+": "QADD", "-": "QSUB", "*": "QMUL", "/": "QDIV", "%": "QMOD"}


def _c_e(e: N, need: int = 0, checked: bool = False) -> str:
    """e as C text; ``checked``: every + - * / % and unary - as a macro of CHECKED_C (for the oracle)."""
    k = e.k
    if checked and k == "bin" and e.a[0] in _CHECKED:
        return f"{_CHECKED[e.a[0]]}({_c_e(e.a[1], 2, True)}, {_c_e(e.a[2], 2, True)})"
    if checked and k == "un" and e.a[0] == "-":
        return f"QNEG({_c_e(e.a[1], 2, True)})"
    if k == "var":
        s, p = e.a[0], 16
    elif k == "const":
        s, p = e.a[0], 16
    elif k == "rawexpr":
        s, p = e.a[0], 2
    elif k == "call":
        s, p = f"{e.a[0]}({', '.join(_c_e(x, 2, checked) for x in e.a[1])})", 16
    elif k == "un":
        inner = _c_e(e.a[1], 15, checked)
        if e.a[1].k == "un" or inner.startswith(("-", "+")):
            inner = f"({inner})"
        s, p = e.a[0] + inner, 15
    elif k == "cast":
        s, p = f"({e.a[0]}) {_c_e(e.a[1], 15, checked)}", 15
    elif k == "bin":
        p = _C_PREC[e.a[0]]
        s = f"{_c_e(e.a[1], p, checked)} {e.a[0]} {_c_e(e.a[2], p + 1, checked)}"
    elif k == "cond":
        s, p = f"{_c_e(e.a[0], 4, checked)} ? {_c_e(e.a[1], 3, checked)} : {_c_e(e.a[2], 3, checked)}", 3
    elif k == "comma":
        s, p = f"{_c_e(e.a[0], 2, checked)}, {_c_e(e.a[1], 2, checked)}", 1
    else:
        raise ValueError(k)
    return f"({s})" if p < need else s


def _c_decls(s: N, checked: bool) -> str:
    ty, names, inits = s.a
    return f"{ty} " + ", ".join(f"{x} = {_c_e(e, 2, checked)}" for x, e in zip(names, inits))


def _c_simple(s: N, checked: bool = False) -> str:
    """A statement without its semicolon (for the clauses of a for). Checked: x op= e is x = x op (e),
    and x++ is x = x + 1 (the same in C for a variable), with the operator checked."""
    if s.k == "assign":
        if checked and s.a[1] != "=":
            e = N("bin", s.a[1][:-1], N("var", s.a[0]), s.a[2])
            return f"{s.a[0]} = {_c_e(e, 2, True)}"
        return f"{s.a[0]} {s.a[1]} {_c_e(s.a[2], 2, checked)}"
    if s.k == "incdec":
        if checked:
            text, x = s.a
            m = re.fullmatch(r"\s*(\+\+|--)?\s*\w+\s*(\+\+|--|[-+*]=)?\s*(\d*)", text)
            op = (m.group(1) or m.group(2))[0]
            return f"{x} = {_c_e(N('bin', op, N('var', x), N('const', m.group(3) or '1')), 2, True)}"
        return s.a[0]
    if s.k == "decl":
        return f"{s.a[0]} {s.a[1]} = {_c_e(s.a[2], 2, checked)}"
    if s.k == "decls":
        return _c_decls(s, checked)
    if s.k == "assigns":
        return ", ".join(_c_simple(x, checked) for x in s.a[0])
    raise ValueError(s.k)


def _c_s(s: N, ind: str, out: list, checked: bool = False) -> None:
    k = s.k
    if k in ("assign", "incdec", "decl", "decls"):
        out.append(f"{ind}{_c_simple(s, checked)};")
    elif k == "decl0":
        out.append(f"{ind}{s.a[0]} {s.a[1]};")
        out.append(f"{ind}{s.a[1]} = {_c_e(s.a[2], 2, checked)};")
    elif k == "rawstmt":
        out.append(f"{ind}{s.a[0]}")
    elif k == "protostmt":
        out.append(f"{ind}{s.a[0]};")
    elif k == "exprstmt":
        out.append(f"{ind}{_c_e(s.a[0], 0, checked)};")
    elif k == "return":
        out.append(f"{ind}return;" if s.a[0] is None else f"{ind}return {_c_e(s.a[0], 0, checked)};")
    elif k in ("break", "continue"):
        out.append(f"{ind}{k};")
    elif k == "block":
        out.append(f"{ind}{{")
        for x in s.a[0]:
            _c_s(x, ind + "  ", out, checked)
        out.append(f"{ind}}}")
    elif k == "if":
        c, t, e, braces = s.a
        if not braces and len(t) == 1 and (e is None or len(e) == 1) and _unbraced(t[0]) and \
                (e is None or _unbraced(e[0])) and (t[0].k != "if" or e is None or t[0].a[2] is not None):
            # (an if inside an if without braces: the else goes to the inner if, so the inner one
            # has an else or the outer one has none)
            out.append(f"{ind}if ({_c_e(c, 0, checked)})")
            _c_s(t[0], ind + "  ", out, checked)
            if e is not None:
                out.append(f"{ind}else")
                _c_s(e[0], ind + "  ", out, checked)
            return
        out.append(f"{ind}if ({_c_e(c, 0, checked)}) {{")
        for x in t:
            _c_s(x, ind + "  ", out, checked)
        if e is None:
            out.append(f"{ind}}}")
        elif len(e) == 1 and e[0].k == "if":              # else if
            inner: list = []
            _c_s(e[0], ind, inner, checked)
            out.append(f"{ind}}} else {inner[0].lstrip()}")
            out.extend(inner[1:])
        else:
            out.append(f"{ind}}} else {{")
            for x in e:
                _c_s(x, ind + "  ", out, checked)
            out.append(f"{ind}}}")
    elif k == "while":
        out.append(f"{ind}while ({_c_e(s.a[0], 0, checked)}) {{")
        for x in s.a[1]:
            _c_s(x, ind + "  ", out, checked)
        out.append(f"{ind}}}")
    elif k == "dowhile":
        out.append(f"{ind}do {{")
        for x in s.a[0]:
            _c_s(x, ind + "  ", out, checked)
        out.append(f"{ind}}} while ({_c_e(s.a[1], 0, checked)});")
    elif k == "for":
        init, c, step, body = s.a[:4]
        head = "; ".join([_c_simple(init, checked) if init is not None else "",
                          _c_e(c, 0, checked) if c is not None else "",
                          ", ".join(_c_simple(x, checked) for x in step)])
        if len(s.a) > 4 and not s.a[4] and len(body) == 1 and _unbraced(body[0]):
            out.append(f"{ind}for ({head})")
            _c_s(body[0], ind + "  ", out, checked)
            return
        out.append(f"{ind}for ({head}) {{")
        for x in body:
            _c_s(x, ind + "  ", out, checked)
        out.append(f"{ind}}}")
    else:
        raise ValueError(k)


def _unbraced(s: N) -> bool:
    """Whether s can be the body of an if / for without braces (a declaration cannot)."""
    return s.k not in ("decl", "decl0", "decls", "rawstmt", "protostmt")


def _c_sig(f: Func, old: bool = False) -> str:
    """The function's declarator; ``old``: without parameter types, `int h()`."""
    params = "" if old else ", ".join(f"{t} {x}" for x, t in f.params) or "void"
    return f"{f.ret or 'void'} {f.name}({params})"


def render_c_funcs(funcs: list, protos: list = (), checked: bool = False) -> str:
    """The functions, after the prototypes of those named in ``protos`` (name() for an old-style one)."""
    out = []
    for f in funcs:
        if f.name in protos or f.name + "()" in protos:
            out.append(_c_sig(f, f.name not in protos) + ";")
    for f in funcs:
        out.append(_c_sig(f) + " {")
        for s in f.body:
            _c_s(s, "  ", out, checked)
        out.append("}")
    return "\n".join(out) + "\n"


# gcc folds some overflows away before its sanitizer sees them (n * 2147483647 != 0 becomes n != 0, a
# long product converted to unsigned is computed in 32 bits, 9 + 0x7fffffff is a constant), so the
# oracle compiles each program with every + - * / % and unary - checked in gcc's own types: the operands
# are converted to the type of `a op b` as gcc computes it, and __builtin_*_overflow says whether the
# exact result fits (an overflow of a signed type, a zero divisor or MIN / -1 is undefined behaviour,
# reported as the sanitizer does; unsigned types wrap).
CHECKED_C = r"""
#include <unistd.h>
static void quod_ub(const char *what) { fprintf(stderr, "quod: runtime error: %s\n", what); fflush(stderr); _exit(1); }
#define QSIGNED(x) ((__typeof__(x)) -1 < 0)
#define QARITH(op, fn, a, b) ({ __auto_type qa_ = (a); __auto_type qb_ = (b); __typeof__(qa_ op qb_) qr_; \
    if (fn((__typeof__(qr_)) qa_, (__typeof__(qr_)) qb_, &qr_) && QSIGNED(qr_)) \
        quod_ub("signed integer overflow: " #op); qr_; })
#define QADD(a, b) QARITH(+, __builtin_add_overflow, a, b)
#define QSUB(a, b) QARITH(-, __builtin_sub_overflow, a, b)
#define QMUL(a, b) QARITH(*, __builtin_mul_overflow, a, b)
#define QDIVMOD(op, a, b) ({ __auto_type qa_ = (a); __auto_type qb_ = (b); \
    __typeof__(qa_ op qb_) qx_ = qa_, qy_ = qb_, qr_; \
    if (qy_ == 0) quod_ub("division by zero: " #op); \
    if (QSIGNED(qx_) && qy_ == (__typeof__(qy_)) -1 && __builtin_mul_overflow(qx_, qy_, &qr_)) \
        quod_ub("division overflow: " #op); qx_ op qy_; })
#define QDIV(a, b) QDIVMOD(/, a, b)
#define QMOD(a, b) QDIVMOD(%, a, b)
#define QNEG(a) ({ __auto_type qa_ = (a); __typeof__(-qa_) qx_ = qa_, qr_; \
    if (__builtin_sub_overflow((__typeof__(qx_)) 0, qx_, &qr_) && QSIGNED(qr_)) quod_ub("negation overflow"); qr_; })
"""


# ---- Python ---------------------------------------------------------------------------------------

_PY_CONSTS = ["0", "1", "2", "3", "5", "7", "10", "100", "255", "65536", "2147483647", "4294967296",
              "0x1f", "0o17", "0b101", "1_000", "True", "False", "12345678901234567890"]
_PY_PREC = {"or": 2, "and": 3, "not": 4, "cmp": 5, "|": 6, "^": 7, "&": 8, "<<": 9, ">>": 9, "+": 10, "-": 10,
            "*": 11, "//": 11, "%": 11, "/": 11, "**": 13}


def _py_const(rng) -> str:
    return rng.choice(_PY_CONSTS[:8]) if rng.random() < 0.75 else rng.choice(_PY_CONSTS)


def _py_expr(g: _Gen, names: list, depth: int, small: bool = False) -> N:
    """small: inside a loop, * only by constants (values must not grow without bound)."""
    rng = g.rng
    if depth <= 0 or rng.random() < 0.25:
        if names and rng.random() < 0.7:
            return N("var", rng.choice(names))
        return N("const", _py_const(rng))
    r = rng.random()
    if r < 0.34:
        op = rng.choice(["+", "-", "*", "+", "-", "//", "%"])
        a = _py_expr(g, names, depth - 1, small)
        if op == "*" and small:
            return N("bin", "*", a, N("const", rng.choice(["2", "3", "-1", "-2"])))
        if op in ("//", "%") and rng.random() < 0.5:     # a divisor that is not 0
            d = N("const", rng.choice(["2", "3", "7", "10", "1", "True"]))
            return N("bin", op, a, d if rng.random() < 0.6 else N("un", "-", d))
        return N("bin", op, a, _py_expr(g, names, depth - 1, small))
    if r < 0.48:
        n = rng.choice([1, 1, 1, 2, 2, 3])
        ops = [rng.choice(["<", "<=", ">", ">=", "==", "!="]) for _ in range(n)]
        return N("cmp", [_py_expr(g, names, depth - 1, small) for _ in range(n + 1)], ops)
    if r < 0.58:
        n = rng.choice([2, 2, 3])
        return N("bool", rng.choice(["and", "or"]), [_py_expr(g, names, depth - 1, small) for _ in range(n)])
    if r < 0.68:
        return N("un", rng.choice(["-", "not", "-", "+"]), _py_expr(g, names, depth - 1, small))
    if r < 0.76:
        return N("ifexp", _py_expr(g, names, depth - 1, small), _py_expr(g, names, depth - 1, small),
                 _py_expr(g, names, depth - 1, small))
    if r < 0.83:
        fn = rng.choice(["abs", "min", "max"])
        return N("call", fn, [_py_expr(g, names, depth - 1, small) for _ in range(1 if fn == "abs" else 2)])
    if r < 0.95:
        fs = [h for h in g.helpers if h.ret is not None]
        if fs:
            h = rng.choice(fs)
            return N("call", h.name, [_py_expr(g, names, depth - 1, small) for _ in h.params])
        return N("var", rng.choice(names)) if names else N("const", _py_const(rng))
    if rng.random() < g.odd * 10:
        return N("bin", rng.choice(["**", "/", "&", "|", "<<"]), _py_expr(g, names, 0), N("const", "2"))
    return N("const", _py_const(rng))


def _py_block(g: _Gen, names: list, n: int, fn: Func, nested: bool = True) -> list:
    out = []
    g.nest += nested
    for _ in range(n):
        if g.budget <= 0:
            break
        out.extend(_py_stmt(g, names, fn))
    g.nest -= nested
    return out or [N("pass")]


def _py_stmt(g: _Gen, names: list, fn: Func) -> list:
    rng = g.rng
    g.budget -= 1
    small = g.loop_depth > 0
    targets = [x for x in names if x not in g.protected]
    r = rng.random()
    if r < 0.25 and targets:
        return [N("assign", rng.choice(targets), "=", _py_expr(g, names, rng.randint(1, 3), small))]
    if r < 0.40 and targets:
        op = rng.choice(["+=", "-=", "+=", "-=", "//=", "%=", "*="])
        v = N("const", rng.choice(["2", "3", "-1"])) if op == "*=" and small else \
            N("const", rng.choice(["2", "3", "7"])) if op in ("//=", "%=") and rng.random() < 0.5 else \
            _py_expr(g, names, rng.randint(0, 2), small)
        return [N("assign", rng.choice(targets), op, v)]
    if r < 0.57:
        c = _py_expr(g, names, rng.randint(1, 3), small)
        t = _py_block(g, names, rng.randint(1, 3), fn)
        e = None
        x = rng.random()
        if x < 0.3:
            e = _py_block(g, names, rng.randint(1, 3), fn)
        elif x < 0.5:                                    # elif
            e = _py_stmt_if(g, names, fn)
        return [N("if", c, t, e)]
    if r < 0.72 and g.loop_depth < 2:
        return _py_loop(g, names, fn)
    if r < 0.76 and g.loop_depth > 0:
        return [N("break")] if rng.random() < 0.5 else [N("continue")]
    if r < 0.79 and g.nest > 0:
        return [N("return", _py_expr(g, names, rng.randint(0, 2), small))]
    if r < 0.85 and g.helpers:
        h = rng.choice(g.helpers)
        return [N("exprstmt", N("call", h.name, [_py_expr(g, names, rng.randint(0, 2), small) for _ in h.params]))]
    if r < 0.83:
        return [N("assert", _py_expr(g, names, rng.randint(1, 2), small))]
    if rng.random() < g.odd * 4 and len(targets) >= 2:       # outside the subset: must be refused
        x, y = rng.sample(targets, 2)
        return [N("rawstmt", rng.choice([f"{x} = {y} = 0", f"{x}, {y} = {y}, {x}", f"{x} = min({x}, {y}, 3)",
                                         f"{x} = {x} if {y} else None", f"del {x}", f"{x} = [{y}][0]",
                                         f"{x} = (lambda: {y})()", f"{x} = int({y})", f"{x} = -{x} ** 2",
                                         f"{x} = divmod({x}, 3)[0]", f"{x} = {y} is {x}", f"{x}: int = {y}"]))]
    if targets:
        return [N("assign", rng.choice(targets), "=", _py_expr(g, names, rng.randint(0, 2), small))]
    return [N("pass")]


def _py_stmt_if(g: _Gen, names: list, fn: Func) -> list:
    c = _py_expr(g, names, g.rng.randint(1, 2), g.loop_depth > 0)
    t = _py_block(g, names, g.rng.randint(1, 2), fn)
    e = _py_block(g, names, g.rng.randint(1, 2), fn) if g.rng.random() < 0.5 else None
    return [N("if", c, t, e)]


def _py_range_arg(g: _Gen, names: list) -> N:
    rng = g.rng
    r = rng.random()
    if r < 0.4 or not names:
        v = rng.randint(-4, 12)
        return N("const", str(v)) if v >= 0 else N("un", "-", N("const", str(-v)))
    if r < 0.7:
        return N("bin", "%", N("var", rng.choice(names)), N("const", str(rng.randint(2, 9))))
    if r < 0.85:
        return N("call", "min", [N("var", rng.choice(names)), N("const", str(rng.randint(2, 9)))])
    return _py_expr(g, names, 1, True)


def _py_loop(g: _Gen, names: list, fn: Func) -> list:
    rng = g.rng
    g.loop_depth += 1
    try:
        if rng.random() < 0.45:
            k = g.counter()
            g.protected.add(k)
            names.append(k)
            limit = _loop_limit(g)
            bump = N("assign", k, "+=", N("const", "1"))
            pre = [N("assign", k, "=", N("const", "0"))]
            if rng.random() < 0.7:
                c = _py_expr(g, names, rng.randint(1, 2), True)
                cond = N("bool", "and", [N("cmp", [N("var", k), N("const", str(limit))], ["<"]), c])
                return pre + [N("while", cond, [bump] + _py_block(g, names, rng.randint(1, 4), fn))]
            body = [bump, N("if", N("cmp", [N("var", k), N("const", str(limit))], [">"]), [N("break")], None)]
            return pre + [N("while", N("const", "True"), body + _py_block(g, names, rng.randint(1, 4), fn))]
        # for v in range(...)
        var = rng.choice([x for x in names if x not in g.protected] or names)
        n = rng.choice([1, 2, 2, 3, 3])
        args = [_py_range_arg(g, names) for _ in range(n)]
        if n == 3:
            r = rng.random()
            if r < 0.6:
                v = rng.choice([1, 2, 3, -1, -2, -3])
                args[2] = N("const", str(v)) if v > 0 else N("un", "-", N("const", str(-v)))
        body = []
        if rng.random() < 0.3:
            k = g.counter()
            g.protected.add(k)
            names.append(k)
            body = [N("assign", k, "+=", N("const", "1")),
                    N("if", N("cmp", [N("var", k), N("const", str(_loop_limit(g)))], [">"]), [N("break")], None)]
            pre = [N("assign", k, "=", N("const", "0"))]
        else:
            pre = []
        body += _py_block(g, names, rng.randint(1, 4), fn)
        return pre + [N("for", var, args, body)]
    finally:
        g.loop_depth -= 1


def _py_function(rng: random.Random, name: str, helpers: list, odd: float, main: bool,
                 risky: bool = False) -> Func:
    g = _Gen(rng, "python", helpers, odd)
    nparams = rng.randint(1, 3) if main else rng.randint(0, 3)
    params = [(x, "int") for x in rng.sample(PY_VARS, nparams)]
    fn = Func(name, "int", params, [])
    names = [x for x, _ in params]
    body = []
    for x in rng.sample([v for v in PY_VARS if v not in names], rng.randint(1, 3)):
        if not (risky and rng.random() < 0.3):      # risky: a local that may be read before it is set
            body.append(N("assign", x, "=", _py_expr(g, names, rng.randint(0, 2))))
        names.append(x)
    if rng.random() < 0.5:
        body.append(N("assign", "i", "=", N("const", "0")))
        names.append("i")
    g.budget = rng.randint(3, 14) if main else rng.randint(2, 7)
    body += _py_block(g, names, 40, fn, nested=False)
    if main or rng.random() < 0.93:                  # a helper may end without a return (None)
        body.append(N("return", _py_expr(g, names, rng.randint(1, 3))))
    # the loop counters are also set at the start, so that no read after a loop can find them unset
    fn.body = [N("assign", f"k{i + 1}", "=", N("const", "0")) for i in range(g.counters)] + body
    return fn


def py_program(rng: random.Random, odd: float = 0.005, risky: bool = False) -> GenProgram:
    """A random Python program: up to three helpers and the entry function f. ``risky``: locals that
    may be read before they are assigned (UnboundLocalError in CPython; issue 10's class 4)."""
    helpers: list[Func] = []
    for k in range(rng.choice([0, 0, 1, 1, 2, 3])):
        helpers.append(_py_function(rng, f"h{k + 1}", list(helpers), odd, main=False, risky=risky))
    f = _py_function(rng, "f", helpers, odd, main=True, risky=risky)
    return GenProgram("python", helpers + [f] if rng.random() < 0.7 else [f] + helpers)


def _py_e(e: N, need: int = 0) -> str:
    k = e.k
    if k in ("var", "const"):
        s, p = e.a[0], 14
    elif k == "call":
        s, p = f"{e.a[0]}({', '.join(_py_e(x, 1) for x in e.a[1])})", 14
    elif k == "un":
        if e.a[0] == "not":
            s, p = f"not {_py_e(e.a[1], 4)}", 4
        else:
            inner = _py_e(e.a[1], 12)
            if inner.startswith(("-", "+")):
                inner = f"({inner})"
            s, p = e.a[0] + inner, 12
    elif k == "bin":
        p = _PY_PREC[e.a[0]]
        if e.a[0] == "**":
            s = f"{_py_e(e.a[1], p + 1)} ** {_py_e(e.a[2], 12)}"
        else:
            s = f"{_py_e(e.a[1], p)} {e.a[0]} {_py_e(e.a[2], p + 1)}"
    elif k == "cmp":
        items, ops = e.a
        s = _py_e(items[0], 6) + "".join(f" {op} {_py_e(x, 6)}" for op, x in zip(ops, items[1:]))
        p = 5
    elif k == "bool":
        p = _PY_PREC[e.a[0]]
        s = f" {e.a[0]} ".join(_py_e(x, p + 1) for x in e.a[1])
    elif k == "ifexp":
        s, p = f"{_py_e(e.a[1], 2)} if {_py_e(e.a[0], 2)} else {_py_e(e.a[2], 1)}", 1
    else:
        raise ValueError(k)
    return f"({s})" if p < need else s


def _py_s(s: N, ind: str, out: list) -> None:
    k = s.k
    if k == "assign":
        out.append(f"{ind}{s.a[0]} {s.a[1]} {_py_e(s.a[2])}")
    elif k == "exprstmt":
        out.append(f"{ind}{_py_e(s.a[0])}")
    elif k == "return":
        out.append(f"{ind}return" if s.a[0] is None else f"{ind}return {_py_e(s.a[0])}")
    elif k in ("break", "continue", "pass"):
        out.append(f"{ind}{k}")
    elif k == "rawstmt":
        out.append(f"{ind}{s.a[0]}")
    elif k == "assert":
        out.append(f"{ind}assert {_py_e(s.a[0])}")
    elif k == "if":
        c, t, e = s.a
        out.append(f"{ind}if {_py_e(c)}:")
        _py_body(t, ind + "    ", out)
        while e is not None and len(e) == 1 and e[0].k == "if":
            c, t, e = e[0].a
            out.append(f"{ind}elif {_py_e(c)}:")
            _py_body(t, ind + "    ", out)
        if e is not None:
            out.append(f"{ind}else:")
            _py_body(e, ind + "    ", out)
    elif k == "while":
        out.append(f"{ind}while {_py_e(s.a[0])}:")
        _py_body(s.a[1], ind + "    ", out)
    elif k == "for":
        var, args, body = s.a
        out.append(f"{ind}for {var} in range({', '.join(_py_e(x, 1) for x in args)}):")
        _py_body(body, ind + "    ", out)
    else:
        raise ValueError(k)


def _py_body(stmts: list, ind: str, out: list) -> None:
    if not stmts:
        out.append(f"{ind}pass")
    for x in stmts:
        _py_s(x, ind, out)


def render(p: GenProgram, checked: bool = False) -> str:
    """The program's source; ``checked`` (C): the same program with its arithmetic checked (CHECKED_C)."""
    if p.language == "c":
        return p.header + render_c_funcs(p.funcs, p.protos, checked)
    out = []
    for f in p.funcs:
        out.append(f"def {f.name}({', '.join(x for x, _ in f.params)}):")
        _py_body(f.body, "    ", out)
        out.append("")
    return "\n".join(out)


# ---- shrinking ------------------------------------------------------------------------------------

_STMT_LISTS = {   # kind -> indices of fields that are statement lists
    "if": (1, 2), "while": (1,), "dowhile": (0,), "for": (3,), "block": (0,),
}
_PY_STMT_LISTS = {"if": (1, 2), "while": (1,), "for": (2,)}


def _is_expr(x) -> bool:
    return isinstance(x, N) and x.k in ("var", "const", "rawexpr", "call", "un", "cast", "bin", "cond", "comma",
                                        "cmp", "bool", "ifexp")


def _sub_exprs(e: N) -> list:
    out = []
    for a in e.a:
        if _is_expr(a):
            out.append(a)
        elif isinstance(a, list):
            out.extend(x for x in a if _is_expr(x))
    return out


def shrink_candidates(p: GenProgram):
    """Programs one step simpler than p, roughly biggest steps first: a function removed, a statement
    removed or replaced by its body, an expression replaced by a part of it or by 0 / 1."""
    lists = _PY_STMT_LISTS if p.language == "python" else _STMT_LISTS
    # each edit is a function of a fresh copy of the program
    edits = []
    for fi, f in enumerate(p.funcs):
        if f.name != p.entry:
            edits.append(("drop function", lambda q, fi=fi: q.funcs.pop(fi) and None))

    paths: list = []          # (path to a statement list) so that edits find it again in a copy

    def walk_stmts(stmts: list, path: tuple):
        paths.append(path)
        for i, s in enumerate(stmts):
            for j in lists.get(s.k, ()):
                if isinstance(s.a[j], list):
                    walk_stmts(s.a[j], path + (i, j))

    for fi, f in enumerate(p.funcs):
        walk_stmts(f.body, (fi,))

    def get_list(q: GenProgram, path: tuple) -> list:
        stmts = q.funcs[path[0]].body
        for i in range(1, len(path), 2):
            stmts = stmts[path[i]].a[path[i + 1]]
        return stmts

    for path in paths:
        stmts = get_list(p, path)
        for i, s in enumerate(stmts):
            if p.language == "c" and len(path) == 1 and i == len(stmts) - 1 and s.k == "return":
                continue        # a C function that ends without a return: its value is not comparable
            def drop(q, path=path, i=i):
                get_list(q, path).pop(i)
            edits.append(("drop statement", drop))
            for j in lists.get(s.k, ()):
                if isinstance(s.a[j], list):
                    def splice(q, path=path, i=i, j=j):
                        lst = get_list(q, path)
                        lst[i:i + 1] = lst[i].a[j]
                    edits.append(("splice", splice))
            if s.k == "if" and s.a[2] is not None:
                def no_else(q, path=path, i=i):
                    get_list(q, path)[i].a[2] = None
                edits.append(("drop else", no_else))
    # expressions: every expression position (in statements, recursively), by a path of indices
    epaths: list = []

    def walk_expr(e: N, path: tuple):
        epaths.append(path)
        for ai, a in enumerate(e.a):
            if _is_expr(a):
                walk_expr(a, path + (ai,))
            elif isinstance(a, list):
                for li, x in enumerate(a):
                    if _is_expr(x):
                        walk_expr(x, path + ((ai, li),))

    def walk_stmt_exprs(stmts, spath):
        for i, s in enumerate(stmts):
            for ai, a in enumerate(s.a):
                if _is_expr(a):
                    walk_expr(a, (spath, i, ai))
                elif isinstance(a, N) and s.k == "for":           # the init of a C for
                    for bi, b in enumerate(a.a):
                        if _is_expr(b):
                            walk_expr(b, (spath, i, (ai, "n", bi)))
                elif isinstance(a, list) and a and all(_is_expr(b) for b in a):   # range(...), declarators
                    for li, b in enumerate(a):
                        walk_expr(b, (spath, i, (ai, li)))

    for path in paths:
        walk_stmt_exprs(get_list(p, path), path)

    def locate(q, epath):
        """(container, key) of the expression at epath in q."""
        spath, i, first, *rest = epath
        node = get_list(q, spath)[i]
        steps = [first] + rest
        cont, key = None, None
        for st_ in steps:
            if isinstance(st_, tuple) and len(st_) == 3:       # (ai, "n", bi): a node field, then its field
                cont, key = node.a[st_[0]].a, st_[2]
            elif isinstance(st_, tuple):
                cont, key = node.a[st_[0]], st_[1]
            else:
                cont, key = node.a, st_
            node = cont[key]
        return cont, key

    for epath in epaths:
        cont, key = locate(p, epath)
        e = cont[key]
        repl = []
        for sub in _sub_exprs(e):
            repl.append(sub)
        if not (e.k == "const" and e.a[0] in ("0", "1")):
            repl += [N("const", "0"), N("const", "1")]
        for r in repl:
            def put(q, epath=epath, r=r):
                c, k = locate(q, epath)
                c[k] = copy.deepcopy(r)
            edits.append(("expression", put))
    for label, edit in edits:
        q = copy.deepcopy(p)
        try:
            edit(q)
            render(q)
        except Exception:
            continue
        yield label, q


# ---- coverage -------------------------------------------------------------------------------------

def features(p: GenProgram) -> set[str]:
    """The constructs a program uses (for the bench's coverage table)."""
    out: set[str] = set()
    calls = {n.a[0] for f in p.funcs for n in _nodes(f.body) if n.k == "call"}
    if any(f.name in calls for f in p.funcs):
        out.add("calls to helpers")
    if p.protos:
        out.add("old-style declarations" if p.protos[0].endswith("()") else "prototypes")
    if any(n.k == "protostmt" for f in p.funcs for n in f.body):
        out.add("prototypes in a block")
    if "typedef" in p.header:
        out.add("typedefs")
    for f in p.funcs:
        for _, t in f.params:
            if p.language == "c":
                out.add(f"type {C_KIND.get(t, 'typedef')}")
        for n in _nodes(f.body):
            k = n.k
            if k in ("bin", "un"):
                out.add(f"op {n.a[0]}")
            elif k == "bool":
                out.add(f"op {n.a[0]} (value)")
            elif k == "cmp":
                out.add("chained comparison" if len(n.a[1]) > 1 else "comparison")
            elif k == "cast":
                out.add(f"cast to {C_KIND.get(n.a[0], 'typedef' if n.a[0] != 'void' else 'void')}")
            elif k in ("decl", "decl0", "decls"):
                out.add({"decl": "declaration", "decl0": "declaration without initialiser",
                         "decls": "several declarators"}[k])
                out.add(f"type {C_KIND.get(n.a[0], 'typedef')}")
            elif k == "const":
                t = n.a[0]
                out.add("char constant" if t.startswith("'") else "hex constant" if t[:2].lower() == "0x" else
                        "octal constant" if len(t) > 1 and t[0] == "0" and t[1] in "01234567o" else
                        "binary constant" if t[:2] == "0b" else "decimal constant")
                if p.language == "c" and not t.startswith("'") and re.search(r"[uUlL]$", t):
                    out.add("suffixed constant")
            elif k == "assign":
                out.add("assignment" if n.a[1] == "=" else f"compound {n.a[1]}")
            elif k == "incdec":
                out.add("++/--")
            elif k == "for" and p.language == "python":
                out.add(f"range/{len(n.a[1])}")
                if len(n.a[1]) == 3 and n.a[1][2].k == "un":
                    out.add("range, negative step")
                elif len(n.a[1]) == 3 and n.a[1][2].k != "const":
                    out.add("range, computed step")
                if any(x.k == "assign" and x.a[0] == n.a[0] for x in _nodes(n.a[2])):
                    out.add("range, loop variable assigned")
            elif k == "if" and n.a[2] is not None and len(n.a[2]) == 1 and n.a[2][0].k == "if":
                out.add("elif / else if")
            elif k == "call" and n.a[0] in ("abs", "min", "max"):
                out.add(n.a[0])
            elif k in ("rawstmt", "rawexpr"):
                out.add("outside the subset")
            if k in ("while", "dowhile", "for", "break", "continue", "return", "block", "ifexp", "cond", "assert"):
                out.add({"dowhile": "do-while", "cond": "?:", "ifexp": "x if c else y", "block": "block"}.get(k, k))
    return out


def _nodes(x):
    if isinstance(x, N):
        yield x
        for a in x.a:
            yield from _nodes(a)
    elif isinstance(x, list):
        for a in x:
            yield from _nodes(a)
