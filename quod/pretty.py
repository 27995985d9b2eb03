"""The REPL's goal view: formulas laid out to a width, and what a step changed.

A formula is printed as the kernel's ``show`` prints it (the same concrete syntax, the same
parentheses and bound-variable names), but as a document in the style of Wadler's "prettier
printer": a group is laid out on one line when it fits in what is left of the line, else it breaks
after its operators (``∧``, ``→``, ``+``, the comma of a binder, the arguments of a call), its
parts indented under it. A long goal therefore breaks between operands, never inside a word.

Comparisons keep the orientation the user wrote: the elaborator keeps only ``<`` and ``≤`` (``x > 0``
is ``0 < x`` to the kernel), so ``Orientation`` remembers the comparisons written with ``>`` or ``≥``
in the source of the theorem being proved (and keeps that side on the right when a step rewrites the
other), and without such a record a comparison with a number on the left and none on the right is
shown with the number on the right (``n ≥ 0``, not ``0 ≤ n``).
Both read the same formula; only the display changes.

``goal_lines`` and ``show_state`` mark what a step changed against the state before it: ``+`` for a
hypothesis (or variable) added, ``-`` for one removed (shown as it was), ``~`` for one changed and for
a changed goal, each followed by what it was.
"""

from __future__ import annotations

import re

from kernel import show
from kernel.expr import INFIX, UNICODE, BINDERS, JUDGMENTS, MAX_DEPTH, STMT, fresh_name, free_vars

WIDTH = 100

# ---- documents -------------------------------------------------------------------------------
# ("text", s) | ("line",) a space or a line break | ("nest", n, doc) | ("group", doc) | ("cat", docs)
# | ("align", doc): the lines of doc indented to the column where it starts

LINE = ("line",)


def text(s: str):
    return ("text", s)


def cat(*docs):
    return ("cat", docs)


def nest(n: int, doc):
    return ("nest", n, doc)


def group(doc):
    return ("group", doc)


def align(doc):
    return ("align", doc)


def layout(doc, width: int) -> str:
    """Wadler's algorithm with an explicit stack: a group is flat if it fits up to the next break."""
    out: list[str] = []
    col = 0
    stack = [(0, False, doc)]           # (indent, flat, doc), the next one on top
    while stack:
        ind, flat, d = stack.pop()
        kind = d[0]
        if kind == "text":
            out.append(d[1])
            col += len(d[1])
        elif kind == "cat":
            stack.extend((ind, flat, x) for x in reversed(d[1]))
        elif kind == "nest":
            stack.append((ind + d[1], flat, d[2]))
        elif kind == "align":
            stack.append((col, flat, d[1]))
        elif kind == "line":
            if flat:
                out.append(" ")
                col += 1
            else:
                out.append("\n" + " " * ind)
                col = ind
        else:       # group
            stack.append((ind, flat or _fits(width - col, d[1], stack), d[1]))
    return "".join(out)


def _fits(room: int, doc, rest: list) -> bool:
    """Whether ``doc`` laid flat, then what follows it up to its next line break, fits in ``room``."""
    todo = [(True, doc)]
    k = len(rest)
    while room >= 0:
        if not todo:
            if k == 0:
                return True
            k -= 1
            _, flat, d = rest[k]
            todo.append((flat, d))
            continue
        flat, d = todo.pop()
        kind = d[0]
        if kind == "text":
            room -= len(d[1])
        elif kind == "cat":
            todo.extend((flat, x) for x in reversed(d[1]))
        elif kind == "nest":
            todo.append((flat, d[2]))
        elif kind == "align":
            todo.append((flat, d[1]))
        elif kind == "line":
            if not flat:
                return True
            room -= 1
        else:
            todo.append((flat, d[1]))
    return False


# ---- which way a comparison is shown -----------------------------------------------------------

_SPACE = re.compile(r"[\s()]+")


def _norm(s: str) -> str:
    return _SPACE.sub("", s)


class Orientation:
    """The comparisons of a theorem's source, as written: ``a > b`` (which the kernel has as ``b < a``) is
    shown ``a > b`` again. Keys are the operands' text without spaces and parentheses."""

    def __init__(self):
        self.flipped: set = set()
        self.kept: set = set()

    @classmethod
    def of(cls, *sources) -> "Orientation":
        """Collect from parsed syntax (items, tactics, surface expressions, nested in any way)."""
        from tactics.syntax import SExpr
        o = cls()
        stack = list(sources)
        seen = 0
        while stack and seen < 100_000:
            x = stack.pop()
            seen += 1
            if isinstance(x, SExpr):
                if x.kind in ("lt", "le", "gt", "ge") and len(x.args) == 2:
                    a, b = (_surface(y) for y in x.args)
                    if a is not None and b is not None:
                        if x.kind in ("gt", "ge"):
                            o.flipped.add(("lt" if x.kind == "gt" else "le", _norm(b), _norm(a)))
                        else:
                            o.kept.add((x.kind, _norm(a), _norm(b)))
                stack.extend(x.args)
            elif isinstance(x, (list, tuple)):
                stack.extend(x)
            elif hasattr(x, "__dataclass_fields__"):
                stack.extend(getattr(x, f) for f in x.__dataclass_fields__)
        return o

    def flip(self, op: str, a: str, b: str, a_is_number: bool, b_is_number: bool) -> bool:
        key = (op, _norm(a), _norm(b))
        if key in self.kept:
            return False
        if key in self.flipped:
            return True
        if b_is_number:
            return False
        if a_is_number:
            return True
        # a step rewrote the larger side (`dbl(x) > x` unfolded): the smaller side, as the user put it
        return key[1] in {k[1] for k in self.flipped} and key[1] not in {k[1] for k in self.kept}


def _surface(se) -> str | None:
    """A surface term as text (for matching only: parentheses are dropped anyway), or None."""
    out: list[str] = []
    stack = [se]
    ops = {"add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%"}
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            out.append(x)
            continue
        k = getattr(x, "kind", None)
        if k == "name":
            out.append(str(x.data))
        elif k == "lit":
            out.append(str(x.data))
        elif k in ops and len(x.args) == 2:
            stack.extend([x.args[1], ops[k], x.args[0]])
        elif k == "neg" and len(x.args) == 1:
            stack.extend([x.args[0], "-"])
        elif k == "call" and isinstance(x.data, str):
            parts: list = [")"]
            for i, a in enumerate(reversed(x.args)):
                parts.append(a)
                if i < len(x.args) - 1:
                    parts.append(",")
            stack.extend(parts + [f"{x.data}("])
        else:
            return None
    return "".join(out)


NO_ORIENTATION = Orientation()


# ---- formulas as documents ------------------------------------------------------------------------

def _number(e) -> bool:
    return e.op == "int" or (e.op == "neg" and e.args[0].op == "int")


def formula_doc(e, ascii: bool = False, orient: Orientation | None = None):
    return _doc(e, [], free_vars(e), 0, -1, ascii, orient or NO_ORIENTATION)


def _doc(e, names: list, avoid, depth: int, ctx: int, ascii: bool, orient: Orientation):
    """The kernel's ``_show`` (kernel/expr.py), case by case, building a document instead of a string."""
    if depth > MAX_DEPTH:
        return text("...")
    u = (lambda s: s) if ascii else (lambda s: UNICODE.get(s, s))
    op, d = e.op, depth + 1

    def sub(x, c):
        return _doc(x, names, avoid, d, c, ascii, orient)

    def flat(x, c):
        return layout(sub(x, c), 10**9)

    def paren(doc, yes: bool):
        return cat(text("("), doc, text(")")) if yes else doc

    if e.sort == STMT or op in JUDGMENTS:
        return text(show(e, ascii))         # a program: closed, printed by the kernel
    if op == "int":
        return text(str(e.data) if e.data >= 0 or ctx < 0 else f"({e.data})")
    if op == "var":
        return text(e.data)
    if op == "bvar":
        i = len(names) - 1 - e.data
        return text(names[i] if 0 <= i < len(names) else f"#{e.data}")
    if op in ("true", "false"):
        return text(op)
    if op == "pred" and e.data == "dvd" and len(e.args) == 2:
        return paren(align(group(cat(sub(e.args[0], 5), text(" |"), LINE, sub(e.args[1], 5)))), ctx > 4)
    if op in ("app", "pred", "abs", "min", "max"):
        head = e.data if op in ("app", "pred") else op
        parts = []
        for i, a in enumerate(e.args):
            if i:
                parts += [text(","), LINE]
            parts.append(sub(a, -1))
        return cat(text(f"{head}("), align(group(cat(*parts))), text(")"))
    if op in BINDERS:
        xs, body = [], e
        while body.op == op and len(xs) < MAX_DEPTH:
            xs.append(fresh_name(body.data, set(avoid) | set(names) | set(xs)))
            body = body.args[0]
        inner = _doc(body, names + xs, avoid, d, -1, ascii, orient)
        return paren(align(group(cat(text(f"{u(op)} {' '.join(xs)} : int,"), nest(2, cat(LINE, inner))))), ctx >= 0)
    if op == "not":
        a = e.args[0]
        if a.op == "eq":
            return align(group(cat(sub(a.args[0], 5), text(f" {u('!=')}"), LINE, sub(a.args[1], 5))))
        return cat(text(f"{u('not')} "), sub(a, 8))
    if op == "neg":
        inner = flat(e.args[0], 8)
        return text(f"-({inner})" if inner.startswith("-") else "-" + inner)
    if op == "ite":
        c, a, b = (sub(x, -1) for x in e.args)
        return cat(text("("), align(group(cat(text("if "), align(c), LINE, text("then "), align(a), LINE,
                                             text("else "), align(b)))), text(")"))
    sym, prec = INFIX[op]
    right_assoc = op in ("imp", "and", "or")
    lp = prec + 1 if right_assoc or prec == 4 else prec
    rp = prec if right_assoc else prec + 1
    left, right = e.args
    if op in ("lt", "le") and orient.flip(op, flat(left, lp), flat(right, rp), _number(left), _number(right)):
        sym = ">" if op == "lt" else ">="
        left, right = right, left
    # a chain of the same operator breaks at every one of its operators, at one indentation
    if right_assoc:                             # a ∧ (b ∧ c): each but the last is a left operand
        chain, r = [left], right
        while r.op == op and len(chain) < MAX_DEPTH:
            chain.append(r.args[0])
            r = r.args[1]
        docs = [sub(x, lp) for x in chain] + [sub(r, rp)]
    elif prec != 4:                             # (a + b) + c: each but the first is a right operand
        chain, lft = [right], left
        while lft.op == op and len(chain) < MAX_DEPTH:
            chain.append(lft.args[1])
            lft = lft.args[0]
        docs = [sub(lft, lp)] + [sub(x, rp) for x in reversed(chain)]
    else:
        docs = [sub(left, lp), sub(right, rp)]
    parts = [docs[0]]
    for x in docs[1:]:
        parts += [text(f" {u(sym)}"), LINE, x]
    doc = align(group(cat(*parts)))
    return paren(doc, prec < ctx)


def show_formula(e, ascii: bool = False, width: int = WIDTH, indent: int = 0,
                 orient: Orientation | None = None) -> str:
    """``e`` laid out in ``width`` columns, its lines after the first indented by ``indent``."""
    return layout(nest(indent, formula_doc(e, ascii, orient)), max(width - indent, 20) + indent)


# ---- goals and what changed --------------------------------------------------------------------

def _entry(mark: str, label: str, body, ascii: bool, width: int, orient) -> list[str]:
    head = f"{mark}{label}"
    return (head + show_formula(body, ascii, width - len(head), 0, orient).replace(
        "\n", "\n" + " " * len(head))).split("\n")


def goal_lines(g, old=None, ascii: bool = False, width: int = WIDTH, orient: Orientation | None = None) -> list[str]:
    """One goal: its variables, numbered hypotheses, the target after a turnstile. Given the goal ``old``
    it came from, what changed is marked: ``+`` added, ``-`` removed (shown as it was), ``~`` changed
    (followed by what it was)."""
    turn = "|-" if ascii else "⊢"
    lines = []
    if g.vars:
        mark = " "
        if old is not None and tuple(old.vars) != tuple(g.vars):
            mark = "+" if tuple(g.vars[:len(old.vars)]) == tuple(old.vars) else "~"
        lines.append(f"{mark}  " + " ".join(g.vars) + " : int")
    old_hyps = dict(old.hyps) if old is not None else None
    new_names = {h for h, _ in g.hyps}
    for i, (h, f) in enumerate(g.hyps, 1):
        mark = " "
        if old_hyps is not None:
            mark = "+" if h not in old_hyps else "~" if old_hyps[h] != f else " "
        lines += _entry(mark, f"{i:>2}. {h} : ", f, ascii, width, orient)
        if mark == "~":
            lines += _entry("", "    was: ", old_hyps[h], ascii, width, orient)
    if old is not None:
        for h, f in old.hyps:
            if h not in new_names:
                lines += _entry("-", f"    {h} : ", f, ascii, width, orient)
    changed = old is not None and old.target != g.target
    lines += _entry("~" if changed else " ", f"  {turn} ", g.target, ascii, width, orient)
    if changed:
        lines += _entry("", "    was: ", old.target, ascii, width, orient)
    return lines


def show_state(state, before=None, ascii: bool = False, width: int = WIDTH, orient: Orientation | None = None) -> str:
    """The goals, the first in full; with ``before``, what the step changed (see ``goal_lines``)."""
    turn = "|-" if ascii else "⊢"
    n = len(state.goals)
    m = len(before.goals) if before is not None else n
    count = f" (was {m})" if before is not None and m != n else ""
    if not state.goals:
        return "no goals" + (f"{count}" if before is not None and m else "")
    g = state.goals[0]
    old = before.goals[0] if before is not None and before.goals else None
    head = f"{n} goal{'s' if n != 1 else ''}{count}"
    if old is not None and old.id != g.id and any(x.id == g.id for x in before.goals[1:]):
        old = None              # the goal before is proved: this is the next one, as it was
    lines = [head] + goal_lines(g, old, ascii, width, orient)
    for k, other in enumerate(state.goals[1:], 2):
        lines += _entry("", f"goal {k}: {turn} ", other.target, ascii, width, orient)
    return "\n".join(lines)


__all__ = ["Orientation", "show_formula", "formula_doc", "layout", "goal_lines", "show_state", "WIDTH"]
