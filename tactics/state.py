"""Proof states: goals with named hypotheses, and the proof term they leave holes in.

A goal mirrors the kernel's context exactly: its hypotheses are the ones the
kernel will see at that point of the proof term, in order, with unique names
(a tactic that reuses a name first ``clear``s the old one). ``vars`` are the
variables in scope. A tactic replaces a goal by new goals and a piece of proof
with a hole ``?goal(id)`` for each new goal; ``assemble`` fills the holes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cached_property

from kernel import Expr, Proof, show

_ids = itertools.count(1)


def hole(goal_id: int) -> Proof:
    return Proof("?goal", (goal_id,))


@dataclass(frozen=True)
class Goal:
    hyps: tuple            # ((name, formula), ...), innermost last, names unique
    target: Expr
    vars: tuple = ()       # variables in scope, in order of introduction
    id: int = field(default_factory=lambda: next(_ids))

    # A proof of thousands of steps makes thousands of goals, each with the whole context. What is
    # asked of a goal's hypotheses (by name) and of the names in use is kept in maps that only grow
    # (``_Grow``), shared along a chain of goals: a step that adds a hypothesis or a variable adds one
    # entry in place, so a step costs O(1) there, not O(context) (bench/proof_length.py).

    @cached_property
    def _index(self) -> tuple:
        """(map, n): name -> formula of the hypotheses (the last one of a name)."""
        return _Grow.of(self.hyps)

    @cached_property
    def _used(self) -> tuple:
        """(map, n): the variables in scope and every name free in the target or a hypothesis."""
        names = frozenset(self.vars).union(self.target.fv, *[f.fv for _, f in self.hyps])
        return _Grow.of((x, None) for x in sorted(names))

    def hyp(self, name: str) -> Expr | None:
        m, n = self._index
        e = m.d.get(name)
        return e[1] if e is not None and e[0] < n else None

    def names(self) -> set[str]:
        return set(_Grow.keys(self._index))

    def used_vars(self) -> set[str]:
        return set(_Grow.keys(self._used))

    def fresh_hyp(self, base: str = "h") -> str:
        return _fresh(base, base, self._index, self._used)

    def fresh_var(self, base: str) -> str:
        return _fresh(base, base.rstrip("0123456789") or "x", self._index, self._used)

    def has_name(self, name: str) -> bool:
        """Whether a hypothesis is called ``name`` (without building ``names()``)."""
        return _Grow.has(self._index, name)

    def uses(self, name: str) -> bool:
        """Whether ``name`` is in ``used_vars()`` (without building it)."""
        return _Grow.has(self._used, name)

    def introduced(self, target: Expr, hyp: tuple | None = None, var: str | None = None) -> "Goal":
        """The goal after ``intro``: ``hyp`` = (name, formula) added or variable ``var`` introduced,
        and ``target`` the rest. What the new goal's names in use are follows from this one's (the
        hypothesis was part of the target, the variable was bound in it): no scan of the context."""
        if hyp is not None:
            g = Goal(self.hyps + (hyp,), target, self.vars)
            g.__dict__["_index"] = _Grow.extend(self._index, [hyp])
            g.__dict__["_used"] = self._used
        else:
            g = Goal(self.hyps, target, self.vars + (var,))
            g.__dict__["_index"] = self._index
            g.__dict__["_used"] = _Grow.extend(self._used, [(var, None)], distinct=True)
        return g

    def with_target(self, target: Expr) -> "Goal":
        g = Goal(self.hyps, target, self.vars)
        if "_index" in self.__dict__:
            g.__dict__["_index"] = self._index      # the same hypotheses
        return g


class _Grow:
    """A map that only grows, shared by a chain of goals. Each entry has a stamp (the count of entries
    before it); a goal sees the map through a view ``(map, n)``: the entries stamped below n. A goal
    whose view is the whole map extends it in place (O(1) an entry); another copies the entries it
    sees first (two goals made from one, or a goal used again after its successor: ``first``, undo).
    Every goal sharing a map sees a prefix of what was added to it, so the views stay exact."""

    __slots__ = ("d", "n", "hints")

    def __init__(self):
        self.d: dict = {}
        self.n = 0
        self.hints: dict = {}       # for _fresh: stem -> (n, used map, its n, a suffix below which all are taken)

    @staticmethod
    def of(items) -> tuple:
        m = _Grow()
        for k, v in items:
            m.d[k] = (m.n, v)         # a repeated name: the last one (as dict(hyps) had it)
            m.n += 1
        return m, m.n

    @staticmethod
    def has(view: tuple, key) -> bool:
        m, n = view
        e = m.d.get(key)
        return e is not None and e[0] < n

    @staticmethod
    def keys(view: tuple):
        m, n = view
        return (k for k, e in m.d.items() if e[0] < n)

    @staticmethod
    def extend(view: tuple, items, distinct: bool = False) -> tuple:
        """The view with ``items`` added (with ``distinct``, keys already seen are not added again)."""
        m, n = view
        if m.n != n:
            c = _Grow()
            c.d = {k: e for k, e in m.d.items() if e[0] < n}
            c.n = n
            m = c
        for k, v in items:
            if distinct and k in m.d:
                continue
            m.d[k] = (m.n, v)
            m.n += 1
        return m, m.n


def _fresh(base: str, stem: str, names: tuple, used: tuple) -> str:
    """``base`` if it is free, else the first of ``stem1``, ``stem2``, ... that is (one pass over the
    names taken, not one per candidate: hypotheses h, h1, ..., h4999 are common)."""
    if not _Grow.has(names, base) and not _Grow.has(used, base):
        return base
    m, n = names
    u, k = used
    hint = m.hints.get(stem)
    if hint is not None and hint[1] is u and n >= hint[0] and k >= hint[2]:
        # every stemJ with J below the hint was taken in a view this one contains (the maps only grow)
        i = hint[3]
        while _Grow.has(names, f"{stem}{i}") or _Grow.has(used, f"{stem}{i}"):
            i += 1
        m.hints[stem] = (n, u, k, i)
        return f"{stem}{i}"
    taken = set()
    ln = len(stem)
    for x in itertools.chain(_Grow.keys(names), _Grow.keys(used)):
        if x.startswith(stem) and x[ln:].isdigit():
            taken.add(x[ln:])
    i = 1
    while str(i) in taken:
        i += 1
    m.hints[stem] = (n, u, k, i)
    return f"{stem}{i}"


def with_hyps(goal: Goal, new: list, remove=(), target: Expr | None = None,
              new_vars=()) -> tuple[Goal, "callable"]:
    """A goal with hypotheses ``new`` = [(name, formula, proof)] added and ``remove`` cleared.

    Returns the new goal and ``wrap(p)``, which turns a proof ``p`` of the new goal
    into a proof of ``goal`` (the proofs in ``new`` are checked in the old context).
    """
    names = [n for n, _, _ in new]
    drop = list(dict.fromkeys([h for h in remove if goal.hyp(h) is not None] +
                              [n for n in names if goal.hyp(n) is not None and n not in remove]))
    kept = tuple((h, f) for h, f in goal.hyps if h not in drop) if drop else goal.hyps
    hyps = kept + tuple((n, f) for n, f, _ in new)
    g = Goal(hyps, goal.target if target is None else target, tuple(goal.vars) + tuple(new_vars))
    if not drop:            # the parent's hypotheses plus some: its maps, grown (see _Grow)
        g.__dict__["_index"] = _Grow.extend(goal._index, [(n, f) for n, f, _ in new])
        if target is None or target is goal.target:
            # the same target: the parent's names in use plus the new ones
            add = sorted(frozenset(new_vars).union(*[f.fv for _, f, _ in new]))
            g.__dict__["_used"] = _Grow.extend(goal._used, [(x, None) for x in add], distinct=True)

    def wrap(p: Proof) -> Proof:
        for n, f, _ in reversed(new):
            p = Proof("imp_intro", (n, f, p))
        if drop:
            p = Proof("clear", (tuple(drop), p))
        for _, _, q in new:
            p = Proof("imp_elim", (p, q))
        return p
    return g, wrap


class Recorded:
    """The proofs recorded for solved goals (goal id -> proof) as a persistent list: recording one
    costs O(1) and leaves the earlier states (which ``undo`` keeps) as they were; ``assignment``
    flattens it once, for ``assemble``. The list ends in a plain dict."""

    __slots__ = ("gid", "proof", "parent")

    def __init__(self, gid: int, proof: Proof, parent):
        self.gid, self.proof, self.parent = gid, proof, parent


def assignment(assign) -> dict:
    """goal id -> proof, from a ``Recorded`` list or a dict."""
    out: dict = {}
    while isinstance(assign, Recorded):
        out.setdefault(assign.gid, assign.proof)
        assign = assign.parent
    for k, v in assign.items():
        out.setdefault(k, v)
    return out


@dataclass(frozen=True)
class ProofState:
    goals: tuple
    assign: object         # goal id -> proof: a Recorded list or a dict (see ``assignment``)
    root: int

    @staticmethod
    def start(target: Expr, vars=()) -> "ProofState":
        g = Goal((), target, tuple(vars))
        return ProofState((g,), {}, g.id)

    def solve(self, goal: Goal, proof: Proof, new_goals: list) -> "ProofState":
        """Replace ``goal`` (the first goal) by ``new_goals``, recording ``proof`` for it."""
        goals = self.goals
        rest = goals[1:] if goals and goals[0].id == goal.id else tuple(g for g in goals if g.id != goal.id)
        return ProofState(tuple(new_goals) + rest, Recorded(goal.id, proof, self.assign), self.root)

    def done(self) -> bool:
        return not self.goals


def fill_holes(p: Proof, filled: dict) -> Proof:
    """The proof p with each hole ``?goal n`` replaced by ``filled[n]`` (a proposer's obligations,
    proved one by one, put back into the proof that left them open)."""
    root = -1
    assign = dict(filled)
    assign[root] = p
    return assemble(ProofState((), assign, root))


def assemble(state: ProofState) -> Proof:
    """The proof term with every hole filled (iteratively; proofs may be deep)."""
    assign = assignment(state.assign)

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
