"""Proof states: goals with named hypotheses, and the proof term they leave holes in.

A goal mirrors the kernel's context exactly: its hypotheses are the ones the
kernel will see at that point of the proof term, in order, with unique names
(a tactic that reuses a name first ``clear``s the old one). ``vars`` are the
variables in scope. A tactic replaces a goal by new goals and a piece of proof
with a hole ``?goal(id)`` for each new goal; ``assemble`` fills the holes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

from kernel import Expr, Proof, free_vars, show

_ids = itertools.count(1)


def hole(goal_id: int) -> Proof:
    return Proof("?goal", (goal_id,))


@dataclass(frozen=True)
class Goal:
    hyps: tuple            # ((name, formula), ...), innermost last, names unique
    target: Expr
    vars: tuple = ()       # variables in scope, in order of introduction
    id: int = field(default_factory=lambda: next(_ids))

    def hyp(self, name: str) -> Expr | None:
        for h, f in reversed(self.hyps):
            if h == name:
                return f
        return None

    def names(self) -> set[str]:
        return {h for h, _ in self.hyps}

    def used_vars(self) -> set[str]:
        s = set(self.vars) | set(free_vars(self.target))
        for _, f in self.hyps:
            s |= free_vars(f)
        return s

    def fresh_hyp(self, base: str = "h") -> str:
        names = self.names() | self.used_vars()
        if base not in names:
            return base
        i = 1
        while f"{base}{i}" in names:
            i += 1
        return f"{base}{i}"

    def fresh_var(self, base: str) -> str:
        used = self.used_vars() | self.names()
        if base not in used:
            return base
        stem = base.rstrip("0123456789") or "x"
        i = 1
        while f"{stem}{i}" in used:
            i += 1
        return f"{stem}{i}"

    def with_target(self, target: Expr) -> "Goal":
        return Goal(self.hyps, target, self.vars)


def with_hyps(goal: Goal, new: list, remove=(), target: Expr | None = None,
              new_vars=()) -> tuple[Goal, "callable"]:
    """A goal with hypotheses ``new`` = [(name, formula, proof)] added and ``remove`` cleared.

    Returns the new goal and ``wrap(p)``, which turns a proof ``p`` of the new goal
    into a proof of ``goal`` (the proofs in ``new`` are checked in the old context).
    """
    names = [n for n, _, _ in new]
    drop = list(dict.fromkeys([h for h in remove if goal.hyp(h) is not None] +
                              [n for n in names if goal.hyp(n) is not None and n not in remove]))
    hyps = tuple((h, f) for h, f in goal.hyps if h not in drop) + tuple((n, f) for n, f, _ in new)
    g = Goal(hyps, goal.target if target is None else target, tuple(goal.vars) + tuple(new_vars))

    def wrap(p: Proof) -> Proof:
        for n, f, _ in reversed(new):
            p = Proof("imp_intro", (n, f, p))
        if drop:
            p = Proof("clear", (tuple(drop), p))
        for _, _, q in new:
            p = Proof("imp_elim", (p, q))
        return p
    return g, wrap


@dataclass(frozen=True)
class ProofState:
    goals: tuple
    assign: dict
    root: int

    @staticmethod
    def start(target: Expr, vars=()) -> "ProofState":
        g = Goal((), target, tuple(vars))
        return ProofState((g,), {}, g.id)

    def solve(self, goal: Goal, proof: Proof, new_goals: list) -> "ProofState":
        """Replace ``goal`` (the first goal) by ``new_goals``, recording ``proof`` for it."""
        a = dict(self.assign)
        a[goal.id] = proof
        rest = tuple(g for g in self.goals if g.id != goal.id)
        return replace(self, goals=tuple(new_goals) + rest, assign=a)

    def done(self) -> bool:
        return not self.goals


def assemble(state: ProofState) -> Proof:
    """The proof term with every hole filled (iteratively; proofs may be deep)."""
    assign = state.assign

    def deref(p: Proof) -> Proof:
        """Follow a hole to the proof recorded for its goal (possibly another hole)."""
        seen = set()
        while p.rule == "?goal" and p.args[0] in assign and p.args[0] not in seen:
            seen.add(p.args[0])
            p = assign[p.args[0]]
        return p

    root = deref(hole(state.root))
    keep_alive: list = []               # ids in `out` stay unique while we work
    out: dict[int, Proof] = {}

    def resolve(x):
        if isinstance(x, Proof):
            return out[id(deref(x))]
        if isinstance(x, tuple):
            return tuple(resolve(y) for y in x)
        return x

    def children(args):
        for y in args:
            if isinstance(y, Proof):
                yield deref(y)
            elif isinstance(y, tuple):
                yield from children(y)

    stack = [(root, False)]
    while stack:
        p, done = stack.pop()
        if id(p) in out:
            continue
        if not done:
            stack.append((p, True))
            stack.extend((c, False) for c in children(p.args) if id(c) not in out)
            continue
        out[id(p)] = p if p.rule == "?goal" else Proof(p.rule, tuple(resolve(y) for y in p.args))
        keep_alive.append(p)
    return out[id(root)]


def show_goal(goal: Goal, ascii: bool = True) -> str:
    lines = []
    if goal.vars:
        lines.append(" ".join(goal.vars) + " : int")
    for h, f in goal.hyps:
        lines.append(f"{h} : {show(f, ascii)}")
    lines.append(("|- " if ascii else "⊢ ") + show(goal.target, ascii))
    return "\n".join(lines)


def show_state(state: ProofState, ascii: bool = True) -> str:
    if not state.goals:
        return "no goals"
    n = len(state.goals)
    out = [f"{n} goal{'s' if n > 1 else ''}", show_goal(state.goals[0], ascii)]
    for g in state.goals[1:]:
        out.append(("|- " if ascii else "⊢ ") + show(g.target, ascii))
    return "\n".join(out)
