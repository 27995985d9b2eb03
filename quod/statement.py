"""The kernel statement behind an answer, printed in full for a reviewer (``--show-statement``).

A "yes" or "no" is a theorem about a kernel ``Expr``; what it means is that ``Expr``, not the
source the user wrote. This prints it so the two can be compared: formulas and terms in the
``.proof`` notation of ``kernel.show`` (the same precedences, binder names and spellings), and
programs inside judgments (``{P} c {Q}``, ``[P] c [Q]``, ``diverges c from P``, ``can diverge c
from P``) as C-like text, one statement per line and indented. Unlike ``kernel.show`` nothing is
abbreviated: no ``...`` however deep or long the statement is. Two readings are left to the
reader: a sequence of statements is shown as a flat list (sequencing is associative), and an
``if`` whose ``else`` branch is ``skip;`` is shown without it.
"""

from __future__ import annotations

import sys

from kernel import Expr, free_vars
from kernel.expr import BINDERS, JUDGMENTS, STMT, fresh_name

_INFIX = {"add": ("+", 6), "sub": ("-", 6), "mul": ("*", 7), "div": ("/", 7), "mod": ("%", 7),
          "eq": ("=", 4), "lt": ("<", 4), "le": ("<=", 4),
          "and": ("and", 3), "or": ("or", 2), "imp": ("->", 1), "iff": ("<->", 0)}
INDENT = "  "


def render(e: Expr) -> str:
    """The whole statement; a judgment's program takes several lines."""
    depth = _depth(e)
    old = sys.getrecursionlimit()
    try:
        if depth * 4 + 200 > old:
            sys.setrecursionlimit(depth * 4 + 200)
        return _Printer(free_vars(e)).expr(e, [], -1)
    except RecursionError:
        return f"(a statement {depth} levels deep, too deep to print)"
    finally:
        sys.setrecursionlimit(old)


def _depth(e: Expr) -> int:
    best, todo = 0, [(e, 1)]
    while todo:
        n, d = todo.pop()
        best = max(best, d)
        todo.extend((a, d + 1) for a in n.args)
    return best


class _Printer:
    def __init__(self, avoid):
        self.avoid = set(avoid)

    def expr(self, e: Expr, names: list, ctx: int) -> str:
        op = e.op
        if op in JUDGMENTS:
            return self.judgment(e, names)
        if e.sort == STMT:
            return "\n".join(self.stmt(e, names))
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
            s = f"{self.expr(e.args[0], names, 5)} | {self.expr(e.args[1], names, 5)}"
            return f"({s})" if ctx > 4 else s
        if op in ("app", "pred", "abs", "min", "max"):
            f = e.data if op in ("app", "pred") else op
            return f"{f}(" + ", ".join(self.expr(a, names, -1) for a in e.args) + ")"
        if op in BINDERS:
            xs, body = [], e
            while body.op == op:                              # forall x y : int, ...
                xs.append(fresh_name(body.data, self.avoid | set(names) | set(xs)))
                body = body.args[0]
            s = f"{op} {' '.join(xs)} : int, {self.expr(body, names + xs, -1)}"
            return f"({s})" if ctx >= 0 else s
        if op == "not":
            a = e.args[0]
            if a.op == "eq":
                return f"{self.expr(a.args[0], names, 5)} != {self.expr(a.args[1], names, 5)}"
            return "not " + self.expr(a, names, 8)
        if op == "neg":
            inner = self.expr(e.args[0], names, 8)
            return f"-({inner})" if inner.startswith("-") else "-" + inner     # never `--`, a comment
        if op == "ite":
            c, a, b = (self.expr(x, names, -1) for x in e.args)
            return f"(if {c} then {a} else {b})"
        sym, prec = _INFIX[op]
        right_assoc = op in ("imp", "and", "or")
        lp = prec + 1 if right_assoc or prec == 4 else prec
        rp = prec if right_assoc else prec + 1
        s = f"{self.expr(e.args[0], names, lp)} {sym} {self.expr(e.args[1], names, rp)}"
        return f"({s})" if prec < ctx else s

    def judgment(self, e: Expr, names: list) -> str:
        a = e.args
        body = [INDENT + line for line in self.stmt(a[1], names)]
        if e.op in ("hoare", "total"):
            o, c = ("{", "}") if e.op == "hoare" else ("[", "]")
            lines = [f"{o}{self.expr(a[0], names, -1)}{c}", *body, f"{o}{self.expr(a[2], names, -1)}{c}"]
        else:
            word = "diverges" if e.op == "diverges" else "can diverge"
            lines = [word, *body, f"from ({self.expr(a[0], names, -1)})"]
        return "\n".join(lines)

    def stmt(self, e: Expr, names: list) -> list[str]:
        """The lines of a statement (a sequence is flattened)."""
        out: list[str] = []
        todo = [e]
        while todo:
            s = todo.pop()
            op, a = s.op, s.args
            if op == "seq":
                todo.extend((a[1], a[0]))
            elif op == "skip":
                out.append("skip;")
            elif op == "assign":
                out.append(f"{s.data} = {self.expr(a[0], names, -1)};")
            elif op == "havoc":
                out.append(f"havoc {s.data};")
            elif op in ("assume", "assert"):
                out.append(f"{op}({self.expr(a[0], names, -1)});")
            elif op == "if":
                out.append(f"if ({self.expr(a[0], names, -1)}) {{")
                out.extend(INDENT + line for line in self.stmt(a[1], names))
                if a[2].op != "skip":
                    out.append("} else {")
                    out.extend(INDENT + line for line in self.stmt(a[2], names))
                out.append("}")
            elif op == "while":
                out.append(f"while ({self.expr(a[0], names, -1)}) {{")
                out.extend(INDENT + line for line in self.stmt(a[1], names))
                out.append("}")
            elif op == "call":         # x = p(args): p's body runs in a frame of its own
                out.append(f"{s.data[0]} = {s.data[1]}({', '.join(self.expr(x, names, -1) for x in a)});")
            else:                      # a statement form this printer does not know: say so, never guess
                out.append(f"<{op}: {s!r}>")
        return out


def indented(text: str, first: str, rest: str) -> str:
    """``text`` with ``first`` before its first line and ``rest`` before the others."""
    lines = text.split("\n")
    return "\n".join([first + lines[0]] + [rest + line for line in lines[1:]])
