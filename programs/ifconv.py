"""If-conversion: an ``if`` whose branches only assign, assert and assume becomes straight-line code.

``if (c) { x = e; assert a; } else { y = f; }`` is ``b = c; x = b ? e : x; assert (b -> a);
y = b ? y : f`` (b a fresh variable when a branch changes what c reads, else c itself): the same
runs, ending in the same states and failing or blocking in the same places. The wp of n such ``if``
statements in a row is 2^n copies of the postcondition; the converted code's is one. The front end
applies it only to a program too large to analyse otherwise (the ``if`` form is what the ranking
and invariant searches read best).
"""

from __future__ import annotations

from kernel import Expr, Int, Var, mk
from kernel.expr import postorder

from .lang import seq

_STRAIGHT = ("assign", "assert", "assume", "skip", "seq")
# the analysis's limit (analysis.termination.MAX_WP_PATHS): more paths between two loop tests and it gives up
MAX_PATHS = 2048


def paths(c: Expr, most: int = MAX_PATHS) -> int:
    """The paths through c's ``if`` statements between two loop tests (the most over c and each loop
    body), capped at most + 1: how many copies of a postcondition a wp makes."""
    def count(c: Expr) -> int:
        if c.op == "seq":
            n = 1
            while c.op == "seq":
                n = min(n * count(c.args[0]), most + 1)
                c = c.args[1]
            return min(n * count(c), most + 1)
        if c.op == "if":
            return min(count(c.args[1]) + count(c.args[2]), most + 1)
        return 1
    return max([count(c)] + [count(n.args[1]) for n in postorder(c) if n.op == "while"])


def flatten_branches(c: Expr, fresh) -> tuple[Expr, dict]:
    """c with every ``if`` whose branches are straight-line made straight-line (innermost first), and
    each loop that changed -> its new node. ``fresh(meaning)`` gives a fresh variable name."""
    new: dict[int, Expr] = {}
    moved: dict = {}
    for n in postorder(c):
        if n.sort != "stmt":
            continue
        args = tuple(new.get(id(a), a) for a in n.args)
        out = n if args == n.args else Expr(n.op, args, n.data)
        if n.op == "if" and all(_straight(b) for b in args[1:]):
            out = _convert(args[0], args[1], args[2], fresh)
        if n.op == "while" and out is not n:
            moved[n] = out
        if out is not n:
            new[id(n)] = out
    return new.get(id(c), c), moved


def _straight(c: Expr) -> bool:
    return all(n.op in _STRAIGHT for n in postorder(c) if n.sort == "stmt")


def _written(c: Expr) -> set:
    return {n.data for n in postorder(c) if n.op == "assign"}


def _convert(cond: Expr, then: Expr, other: Expr, fresh) -> Expr:
    pre = []
    if cond.fv & (_written(then) | _written(other)):
        b = fresh("is 1 when the test of a converted if held")
        pre.append(Expr("assign", (Expr("ite", (cond, Int(1), Int(0))),), b))
        cond = mk("eq", Var(b), Int(1))
    return seq(pre + _guarded(then, cond) + _guarded(other, mk("not", cond)))


def _guarded(c: Expr, g: Expr) -> list:
    """c's statements made to do nothing where g is false. The test variable of an inner converted
    if too, though it is read only under its own guard, which includes g: its test may read a
    variable that has no value where g is false (a local of a call that did not happen), and a run
    of the converted code must not read it there."""
    out, todo = [], [c]
    while todo:
        s = todo.pop()
        if s.op == "seq":
            todo.extend(reversed(s.args))
        elif s.op == "assign":
            out.append(Expr("assign", (Expr("ite", (g, s.args[0], Var(s.data))),), s.data))
        elif s.op in ("assert", "assume"):
            out.append(Expr(s.op, (mk("imp", g, s.args[0]),)))
    return out


