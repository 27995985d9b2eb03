"""Terms and formulas of Quod's logic: one immutable node type, locally nameless.

Grammar (``op`` of a node, its ``data`` and its children)::

    term    ::= int(n) | var(name) | bvar(i)
              | add(t, t) | sub(t, t) | mul(t, t) | neg(t) | div(t, t) | mod(t, t)
              | abs(t) | min(t, t) | max(t, t) | ite(formula, t, t)
              | app(fname; t, ...)
    formula ::= true | false | not(A) | and(A, B) | or(A, B) | imp(A, B) | iff(A, B)
              | eq(t, t) | lt(t, t) | le(t, t) | pred(pname; t, ...)
              | forall(hint; A) | exists(hint; A)

Bound variables are de Bruijn indices (``bvar``), free variables are names
(``var``). So alpha-equivalent formulas are equal as data, and substituting a
term without loose indices can never capture: both are structural facts, not
algorithms to get right. A binder's ``data`` is only a name hint for printing
and is ignored by equality and hashing.

Every traversal here is iterative: terms 100,000 levels deep are fine.
"""

from __future__ import annotations

from operator import is_
from typing import Callable, Iterable

from .errors import KernelError

TERM, FORMULA, STMT = "term", "formula", "stmt"

# op -> (sort of the node, sorts of the children); None = variable arity terms
SIGNATURE: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "int": (TERM, ()), "var": (TERM, ()), "bvar": (TERM, ()),
    "add": (TERM, (TERM, TERM)), "sub": (TERM, (TERM, TERM)), "mul": (TERM, (TERM, TERM)),
    "neg": (TERM, (TERM,)), "div": (TERM, (TERM, TERM)), "mod": (TERM, (TERM, TERM)),
    "abs": (TERM, (TERM,)), "min": (TERM, (TERM, TERM)), "max": (TERM, (TERM, TERM)),
    "ite": (TERM, (FORMULA, TERM, TERM)), "app": (TERM, None),
    "true": (FORMULA, ()), "false": (FORMULA, ()), "not": (FORMULA, (FORMULA,)),
    "and": (FORMULA, (FORMULA, FORMULA)), "or": (FORMULA, (FORMULA, FORMULA)),
    "imp": (FORMULA, (FORMULA, FORMULA)), "iff": (FORMULA, (FORMULA, FORMULA)),
    "eq": (FORMULA, (TERM, TERM)), "lt": (FORMULA, (TERM, TERM)), "le": (FORMULA, (TERM, TERM)),
    "pred": (FORMULA, None), "forall": (FORMULA, (FORMULA,)), "exists": (FORMULA, (FORMULA,)),
    # programs (see hoare.py): statements over program variables, and judgments about them
    "skip": (STMT, ()), "assign": (STMT, (TERM,)), "havoc": (STMT, ()), "seq": (STMT, (STMT, STMT)),
    "if": (STMT, (FORMULA, STMT, STMT)), "while": (STMT, (FORMULA, STMT)),
    "assume": (STMT, (FORMULA,)), "assert": (STMT, (FORMULA,)),
    "call": (STMT, None),       # x = p(e1, ..., en): data (x, p); p's body runs in a frame of its own
    "hoare": (FORMULA, (FORMULA, STMT, FORMULA)), "total": (FORMULA, (FORMULA, STMT, FORMULA)),
    "diverges": (FORMULA, (FORMULA, STMT)), "can_diverge": (FORMULA, (FORMULA, STMT)),
}
# A judgment speaks of every state: its variables are bound by it, so it has no free variables
# and substitution and abstraction never enter it.
JUDGMENTS = ("hoare", "total", "diverges", "can_diverge")
WRITES = ("assign", "havoc", "call")
BINDERS = ("forall", "exists")
SYMBOLS = ("app", "pred")
_EMPTY: frozenset = frozenset()


class Expr:
    """An immutable term or formula node.

    Besides ``op``, ``data`` and ``args`` each node caches, computed once when it is
    built from its children's: its ``sort``, its structural hash, ``lbr`` (one more
    than the largest loose bound index, 0 if closed), ``fv`` (the names of its free
    variables) and ``has_symbols`` (whether it applies any defined symbol).
    """

    __slots__ = ("op", "data", "args", "sort", "lbr", "fv", "has_symbols", "_hash")

    def __init__(self, op: str, args: tuple = (), data=None):
        sig = SIGNATURE.get(op)
        if sig is None:
            raise KernelError("expr", f"unknown operator {op!r}")
        sort, want = sig
        if type(args) is not tuple:
            args = tuple(args)
        if want is None:
            want = (TERM,) * len(args)
            if op == "call":
                if type(data) is list:          # as read back from JSON
                    data = tuple(data)
                if type(data) is not tuple or len(data) != 2 or not all(isinstance(d, str) and d for d in data):
                    raise KernelError("expr", "call needs (variable, procedure) names")
            elif not isinstance(data, str) or not data:
                raise KernelError("expr", f"{op} needs a symbol name")
        if len(args) != len(want):
            raise KernelError("expr", f"{op} takes {len(want)} arguments, got {len(args)}")
        lbr, fv, sym, hs = 0, _EMPTY, op in SYMBOLS, []
        for a, s in zip(args, want):
            if not isinstance(a, Expr) or a.sort != s:
                raise KernelError("expr", f"{op} expects a {s} argument")
            if a.lbr > lbr:
                lbr = a.lbr
            f = a.fv
            if f and f is not fv:
                fv = f if not fv or fv < f else fv if f <= fv else fv | f
            sym = sym or a.has_symbols
            hs.append(a._hash)
        if op == "int":
            if type(data) is not int:
                raise KernelError("expr", "int literal needs a Python int")
        elif op == "var":
            if not isinstance(data, str) or not data:
                raise KernelError("expr", "var needs a name")
            fv = frozenset((data,))
        elif op == "bvar":
            if type(data) is not int or data < 0:
                raise KernelError("expr", "bvar needs an index >= 0")
            lbr = data + 1
        elif op in BINDERS:
            lbr = max(lbr - 1, 0)
            data = data if isinstance(data, str) and data else "x"
        elif op == "call":
            fv = fv | {data[0]}
        elif op in WRITES:
            if not isinstance(data, str) or not data:
                raise KernelError("expr", f"{op} needs a variable name")
            fv = fv | {data}
        elif op in JUDGMENTS:
            if lbr:
                raise KernelError("expr", "a program judgment cannot mention bound variables")
            fv, data = _EMPTY, None
        elif op not in SYMBOLS:
            data = None
        _set_op(self, op)
        _set_data(self, data)
        _set_args(self, args)
        _set_sort(self, sort)
        _set_lbr(self, lbr)
        _set_fv(self, fv)
        _set_sym(self, sym)
        _set_hash(self, hash((op, None if op in BINDERS else data, *hs)))

    def __setattr__(self, name, value):
        raise AttributeError("Expr is immutable")

    def __delattr__(self, name):
        raise AttributeError("Expr is immutable")

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other) -> bool:
        if self is other:
            return True
        if not isinstance(other, Expr):
            return NotImplemented
        stack = [(self, other)]
        while stack:
            a, b = stack.pop()
            if a is b:
                continue
            if a._hash != b._hash or a.op != b.op or len(a.args) != len(b.args):
                return False
            if a.op not in BINDERS and a.data != b.data:
                return False
            stack.extend(zip(a.args, b.args))
        return True

    def __ne__(self, other) -> bool:
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    def __reduce__(self):
        return (Expr, (self.op, self.args, self.data))

    def __repr__(self) -> str:
        return f"Expr({show(self)!r})"

    def __str__(self) -> str:
        return show(self)


# slot setters: Expr.__setattr__ refuses, so __init__ writes through the slot descriptors
_set_op, _set_data, _set_args, _set_sort, _set_lbr, _set_fv, _set_sym, _set_hash = (
    getattr(Expr, name).__set__ for name in Expr.__slots__)


# ---- constructors -------------------------------------------------------------

def Int(n: int) -> Expr:
    return Expr("int", (), n)


def Var(name: str) -> Expr:
    return Expr("var", (), name)


TRUE, FALSE = Expr("true"), Expr("false")


def mk(op: str, *args: Expr) -> Expr:
    return Expr(op, args)


def App(name: str, *args: Expr) -> Expr:
    return Expr("app", args, name)


def Pred(name: str, *args: Expr) -> Expr:
    return Expr("pred", args, name)


def Forall(x: str, body: Expr) -> Expr:
    """forall x, body  (x a free variable of body, abstracted)."""
    return Expr("forall", (abstract(body, x),), x)


def Exists(x: str, body: Expr) -> Expr:
    return Expr("exists", (abstract(body, x),), x)


# ---- iterative traversals -------------------------------------------------------

def rebuild(e: Expr, visit: Callable[[Expr, int], Expr | None]) -> Expr:
    """Rebuild ``e`` bottom-up; ``visit(node, depth)`` may replace a node outright.

    ``depth`` counts the binders above the node. Shared subterms are rebuilt once
    per depth. Iterative, so any depth is fine.
    """
    top = visit(e, 0)
    if top is not None:
        return top
    memo: dict[tuple[int, int], Expr] = {}     # (id(node), depth) -> rebuilt node
    stack: list[tuple[Expr, int, bool]] = [(e, 0, False)]
    while stack:
        node, depth, done = stack.pop()
        d = depth + 1 if node.op in BINDERS else depth
        if done:        # children are rebuilt: rebuild the node, or keep it if nothing changed
            old = node.args
            new = tuple([memo[id(a), d] for a in old])
            memo[id(node), depth] = node if all(map(is_, new, old)) else Expr(node.op, new, node.data)
            continue
        if (id(node), depth) in memo:
            continue
        stack.append((node, depth, True))
        for a in node.args:
            if (id(a), d) not in memo:
                rep = visit(a, d)
                if rep is None:
                    stack.append((a, d, False))
                else:
                    memo[id(a), d] = rep
    return memo[id(e), 0]


def instantiate(body: Expr, t: Expr) -> Expr:
    """Open a binder: replace the loose index 0 of ``body`` by ``t`` (no loose indices)."""
    if t.lbr:
        raise KernelError("instantiate", "the instance has loose bound variables")

    def visit(n: Expr, depth: int):
        if n.lbr <= depth:
            return n
        if n.op == "bvar" and n.data == depth:
            return t
        return None
    return rebuild(body, visit)


def abstract(body: Expr, x: str) -> Expr:
    """Close over free variable ``x``: the inverse of instantiate with Var(x)."""
    def visit(n: Expr, depth: int):
        if x not in n.fv:
            return n
        if n.op == "var":
            return Expr("bvar", (), depth)
        return None
    return rebuild(body, visit)


def subst(e: Expr, sigma: dict[str, Expr]) -> Expr:
    """Simultaneous substitution of terms for free variables (capture-free by construction)."""
    for t in sigma.values():
        if t.lbr:
            raise KernelError("subst", "a substituted term has loose bound variables")
    names = set(sigma)

    def visit(n: Expr, depth: int):
        if names.isdisjoint(n.fv):
            return n
        if n.op == "var":
            return sigma[n.data]
        return None
    return rebuild(e, visit)


def postorder(e: Expr) -> Iterable[Expr]:
    """Each distinct node once, children before parents."""
    seen: set[int] = set()
    stack: list[tuple[Expr, bool]] = [(e, False)]
    while stack:
        n, done = stack.pop()
        if done:
            yield n
            continue
        if id(n) in seen:
            continue
        seen.add(id(n))
        stack.append((n, True))
        stack.extend((a, False) for a in n.args)


def free_vars(e: Expr) -> frozenset:
    """Names of the free variables of ``e`` (cached on each node)."""
    return e.fv


def symbols(e: Expr) -> set[tuple[str, str, int]]:
    """The (kind, name, arity) of every defined symbol that ``e`` applies."""
    if not e.has_symbols:
        return set()
    return {(n.op, n.data, len(n.args)) for n in postorder(e) if n.op in SYMBOLS}


def size(e: Expr) -> int:
    return sum(1 for _ in postorder(e))


def fresh_name(base: str, avoid) -> str:
    """``base`` or ``base1``, ``base2``, ... whichever is first not in ``avoid``."""
    if base not in avoid:
        return base
    stem = base.rstrip("0123456789'") or "x"
    i = 1
    while f"{stem}{i}" in avoid:
        i += 1
    return f"{stem}{i}"


# ---- printing (recursion bounded by MAX_DEPTH, so deep terms print with "...") ----

MAX_DEPTH = 60
INFIX = {"add": ("+", 6), "sub": ("-", 6), "mul": ("*", 7), "div": ("/", 7), "mod": ("%", 7),
          "eq": ("=", 4), "lt": ("<", 4), "le": ("<=", 4),
          "and": ("and", 3), "or": ("or", 2), "imp": ("->", 1), "iff": ("<->", 0)}
UNICODE = {"<=": "≤", "->": "→", "<->": "↔", "and": "∧", "or": "∨",
            "forall": "∀", "exists": "∃", "not": "¬", "!=": "≠", ">=": "≥"}


def show(e: Expr, ascii: bool = True) -> str:
    """Readable concrete syntax, the same that the .proof parser reads."""
    return _show(e, [], free_vars(e), 0, -1, ascii)


def _show(e: Expr, names: list, avoid, depth: int, ctx: int, ascii: bool) -> str:
    if depth > MAX_DEPTH:
        return "..."
    u = (lambda s: s) if ascii else (lambda s: UNICODE.get(s, s))
    op, d = e.op, depth + 1
    if e.sort == STMT or op in JUDGMENTS:
        return _show_program(e, lambda x: _show(x, names, avoid, d, -1, ascii), depth)
    if op == "int":
        return str(e.data) if e.data >= 0 or ctx < 0 else f"({e.data})"
    if op == "var":
        return e.data
    if op == "bvar":
        i = len(names) - 1 - e.data
        return names[i] if 0 <= i < len(names) else f"#{e.data}"
    if op in ("true", "false"):
        return op
    if op == "pred" and e.data == "dvd" and len(e.args) == 2:     # the prelude's divisibility
        s = f"{_show(e.args[0], names, avoid, d, 5, ascii)} | {_show(e.args[1], names, avoid, d, 5, ascii)}"
        return f"({s})" if ctx > 4 else s
    if op in ("app", "pred"):
        return f"{e.data}(" + ", ".join(_show(a, names, avoid, d, -1, ascii) for a in e.args) + ")"
    if op in ("abs", "min", "max"):
        return f"{op}(" + ", ".join(_show(a, names, avoid, d, -1, ascii) for a in e.args) + ")"
    if op in BINDERS:
        xs, body = [], e
        while body.op == op and len(xs) < MAX_DEPTH:      # forall x y : int, ...
            xs.append(fresh_name(body.data, set(avoid) | set(names) | set(xs)))
            body = body.args[0]
        inner = _show(body, names + xs, avoid, d, -1, ascii)
        s = f"{u(op)} {' '.join(xs)} : int, {inner}"
        return f"({s})" if ctx >= 0 else s
    if op == "not":
        a = e.args[0]
        if a.op == "eq":
            lhs, rhs = (_show(x, names, avoid, d, 5, ascii) for x in a.args)
            return f"{lhs} {u('!=')} {rhs}"
        return f"{u('not')} " + _show(a, names, avoid, d, 8, ascii)
    if op == "neg":
        inner = _show(e.args[0], names, avoid, d, 8, ascii)
        return f"-({inner})" if inner.startswith("-") else "-" + inner     # never `--`, a comment
    if op == "ite":
        c, a, b = (_show(x, names, avoid, d, -1, ascii) for x in e.args)
        return f"(if {c} then {a} else {b})"
    sym, prec = INFIX[op]
    right_assoc = op in ("imp", "and", "or")
    lp = prec + 1 if right_assoc or prec == 4 else prec
    rp = prec if right_assoc else prec + 1
    s = f"{_show(e.args[0], names, avoid, d, lp, ascii)} {u(sym)} {_show(e.args[1], names, avoid, d, rp, ascii)}"
    return f"({s})" if prec < ctx else s


def _show_program(e: Expr, sh, depth: int) -> str:
    """Statements in C-like syntax; judgments as {P} c {Q}, [P] c [Q], diverges c from P."""
    if depth > MAX_DEPTH:
        return "..."
    op, a = e.op, e.args
    sub = lambda x: _show_program(x, sh, depth + 1)  # noqa: E731
    if op == "hoare":
        return f"{{{sh(a[0])}}} {sub(a[1])} {{{sh(a[2])}}}"
    if op == "total":
        return f"[{sh(a[0])}] {sub(a[1])} [{sh(a[2])}]"
    if op == "diverges":
        return f"diverges {sub(a[1])} from ({sh(a[0])})"
    if op == "can_diverge":
        return f"can diverge {sub(a[1])} from ({sh(a[0])})"
    if op == "skip":
        return "skip;"
    if op == "assign":
        return f"{e.data} = {sh(a[0])};"
    if op == "havoc":
        return f"havoc {e.data};"
    if op == "call":
        return f"{e.data[0]} = {e.data[1]}(" + ", ".join(sh(x) for x in a) + ");"
    if op == "seq":
        return f"{sub(a[0])} {sub(a[1])}"
    if op == "if":
        return f"if ({sh(a[0])}) {{ {sub(a[1])} }} else {{ {sub(a[2])} }}"
    if op == "while":
        return f"while ({sh(a[0])}) {{ {sub(a[1])} }}"
    return f"{op}({sh(a[0])});"
