"""Statements built by the C translation: checks made statements, the rest of a block guarded by the
jump flags, and the removal of the nondeterministic values of uninitialised variables no run reads."""

from __future__ import annotations

from kernel import Expr, Int, mk
from kernel.expr import postorder

from .lang import program_vars, seq

FALSE = Expr("false")


def run_checks(checks: list) -> list:
    """What evaluating an expression does, in order: its calls run, its conditions (no overflow, no
    division by zero) are asserted."""
    return [x if x.sort == "stmt" else Expr("assert", (x,)) for x in checks]


def only_when(guard: Expr, x: Expr) -> Expr:
    """A check or call that happens only when ``guard`` holds (the operand is evaluated only then)."""
    return Expr("if", (guard, x, Expr("skip"))) if x.sort == "stmt" else mk("imp", guard, x)


def then_rest(st: Expr, guard: Expr, rest: Expr, flags: set) -> Expr:
    """``st; if (guard) rest`` (guard: no flag of ``flags`` is set), with ``rest`` moved into the
    branches of an ``if`` in ``st`` that do not jump: a branch after which some flag is always set
    would skip it anyway. Same runs, but a chain of ``if (..) return ..;`` no longer doubles the paths
    through the code at each ``if`` (the verification conditions stay linear in its length)."""
    if st.op == "seq":
        return Expr("seq", (st.args[0], then_rest(st.args[1], guard, rest, flags)))
    if st.op == "if":
        c, a, b = st.args
        if always_sets(a, flags):
            return Expr("if", (c, a, then_rest(b, guard, rest, flags)))
        if always_sets(b, flags):
            return Expr("if", (c, then_rest(a, guard, rest, flags), b))
    return seq([st, Expr("if", (guard, rest, Expr("skip")))])


def always_sets(c: Expr, flags: set) -> bool:
    """Whether every normal end of c has some flag of ``flags`` equal to 1 (read from its form: a
    ``flag = 1`` that nothing after it undoes, in every branch)."""
    if c.op == "assign":
        return c.data in flags and c.args[0] == Int(1)
    if c.op == "assert":
        return c.args[0] == FALSE
    if c.op == "seq":
        a, b = c.args
        return always_sets(b, flags) or always_sets(a, flags) and not any(
            n.op in ("assign", "havoc", "call") and (n.data[0] if n.op == "call" else n.data) in flags
            and not (n.op == "assign" and n.args[0] == Int(1)) for n in postorder(b))
    if c.op == "if":
        return always_sets(c.args[1], flags) and always_sets(c.args[2], flags)
    return False


def writes(c: Expr) -> set:
    """The variables a statement may change."""
    return {n.data[0] if n.op == "call" else n.data for n in postorder(c) if n.op in ("assign", "havoc", "call")}


def program_vars_of(x: Expr) -> set:
    """The variables a check (a formula) or a statement mentions."""
    return program_vars(x) if x.sort == "stmt" else set(x.fv)


def may_diverge(checks: list) -> bool:
    return any(x.sort == "stmt" and any(n.op in ("while", "call") for n in postorder(x)) for x in checks)


def may_stop(checks: list) -> bool:
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
                if s.op == "assume" and i > 0 and parts[i - 1].op == "havoc" and parts[i - 1].data in self.names\
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
