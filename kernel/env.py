"""The environment: named definitions and theorems, grown only by checking.

``Environment.add(decl)`` is the only way in. A theorem's proof is checked
and its statement compared with the claim; a definition is admitted only when
it is well-formed and, if recursive, its ``decreasing`` obligations are proved.
``Theorem`` objects can only be made here (``_make_theorem``), are immutable,
and are used only when this module made them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .check import DEFAULT_FUEL, Checker, check_proof
from .errors import KernelError, ScopeError
from .expr import BINDERS, FORMULA, JUDGMENTS, STMT, TERM, Expr, Forall, Int, free_vars, mk, postorder, subst, symbols
from .proofs import Proof

RESERVED = {"sorry", "smt_oracle"}
PROC = "procedure "          # the declarations of procedures are known by this and their names


class Theorem(tuple):
    """A checked statement, with the named axioms and oracles it rests on.

    A tuple, so its fields cannot be changed (not even with ``object.__setattr__``); made only by
    ``Environment.add`` (``_make_theorem``), and an environment uses only theorems it made or
    imported from another environment that made them (``_genuine``). Python code in the same process
    can still get around this (see TRUST.md): the guarantee is for proofs, not for hostile Python."""

    __slots__ = ()

    def __new__(cls, *args, **kwargs):
        raise KernelError("theorem", "theorems are made only by the kernel's checker")

    name = property(lambda self: tuple.__getitem__(self, 0))
    statement = property(lambda self: tuple.__getitem__(self, 1))
    axioms = property(lambda self: tuple.__getitem__(self, 2))

    def __reduce__(self):
        raise TypeError("a Theorem cannot be pickled; export its proof instead")

    def __repr__(self) -> str:
        return f"Theorem({self.name}: {self.statement})"


def _theorem_registry():
    made: dict[int, Theorem] = {}          # every theorem the kernel made (kept, so an id is never reused)

    def make(name: str, statement: Expr, axioms) -> Theorem:
        t = tuple.__new__(Theorem, (name, statement, frozenset(axioms)))
        made[id(t)] = t
        return t

    def genuine(t, rule: str) -> Theorem:
        if made.get(id(t)) is not t:
            raise KernelError(rule, "not a theorem the kernel made")
        return t
    return make, genuine


_make_theorem, _genuine = _theorem_registry()


@dataclass(frozen=True)
class Definition:
    """An admitted definition: ``name(params) := body`` (a term, or a formula for a predicate)."""
    name: str
    params: tuple
    sort: str          # "term" for functions, "formula" for predicates
    body: Expr
    measure: Expr | None
    axioms: frozenset


@dataclass(frozen=True)
class Def:
    """Declaration of a definition; ``proofs`` prove ``decreasing_obligations`` in order."""
    name: str
    params: tuple
    sort: str
    body: Expr
    measure: Expr | None = None
    proofs: tuple = ()


@dataclass(frozen=True)
class TheoremDecl:
    name: str
    statement: Expr
    proof: Proof


@dataclass(frozen=True)
class AxiomDecl:
    """A user axiom: admitted unproved, recorded by name in every theorem that uses it."""
    name: str
    statement: Expr


@dataclass(frozen=True)
class Procedure:
    """A procedure: ``result = name(params)`` runs ``body`` in a frame of its own (the parameters
    hold the arguments, every other variable starts with any value) and returns ``result``'s value."""
    name: str
    params: tuple
    result: str
    body: Expr


@dataclass(frozen=True)
class ProcGroup:
    """Procedures declared together: their bodies may call each other and earlier procedures."""
    procs: tuple

    @property
    def name(self) -> str:
        return self.procs[0].name if self.procs and isinstance(self.procs[0], Procedure) else "?"


def _valid_name(name, rule: str) -> str:
    if not isinstance(name, str) or not name or name in RESERVED:
        raise KernelError(rule, f"invalid name {name!r}")
    return name


class Environment:
    def __init__(self):
        self._defs: dict[str, Definition] = {}
        self._thms: dict[str, Theorem] = {}
        self._decls: dict = {}
        self._procs: dict[str, Procedure] = {}
        self.order: list[str] = []

    def copy(self) -> "Environment":
        e = Environment()
        e._defs, e._thms, e.order = dict(self._defs), dict(self._thms), list(self.order)
        e._decls, e._procs = dict(self._decls), dict(self._procs)
        return e

    def include(self, other: "Environment") -> None:
        """Add everything ``other`` has admitted (an import). Shared names must be the same entry."""
        if not isinstance(other, Environment):      # its entries are trusted: they must be checked ones
            raise KernelError("import", f"not an environment: {type(other).__name__}")
        for name in other.order:
            mine = self._defs.get(name) or self._thms.get(name) or self._decls.get(name)
            theirs = other._defs.get(name) or other._thms.get(name) or other._decls[name]
            if mine is not None:
                if mine is not theirs:
                    raise ScopeError("import", f"{name} is declared differently in two modules")
                continue
            if isinstance(theirs, ProcGroup):
                for pr in theirs.procs:
                    if pr.name in self._procs:
                        raise ScopeError("import", f"{pr.name} is declared differently in two modules")
                    self._procs[pr.name] = other._procs[pr.name]
                    self._decls[PROC + pr.name] = theirs
            elif name in other._defs:
                self._defs[name] = theirs
            else:
                self._thms[name] = _genuine(theirs, "import")
            self._decls[name] = other._decls[name]
            self.order.append(name)

    # -- lookups used by the checker ----------------------------------------------------

    def check_symbol(self, op: str, name: str, arity: int, rule: str) -> None:
        d = self._defs.get(name)
        want = TERM if op == "app" else FORMULA
        if d is None:
            raise ScopeError(rule, f"{name} is not defined")
        if d.sort != want or len(d.params) != arity:
            kind = "function" if d.sort == TERM else "predicate"
            raise ScopeError(rule, f"{name} is a {kind} of {len(d.params)} arguments")

    def definition(self, name: str, rule: str = "unfold") -> Definition:
        d = self._defs.get(name)
        if d is None:
            raise ScopeError(rule, f"{name} is not defined")
        return d

    def theorem(self, name: str, rule: str = "thm") -> Theorem:
        t = self._thms.get(name)
        if t is None:
            raise ScopeError(rule, f"no theorem named {name}")
        return _genuine(t, rule)

    def procedure(self, name, rule: str) -> Procedure:
        p = self._procs.get(name) if isinstance(name, str) else None
        if p is None:
            raise ScopeError(rule, f"no procedure named {name!r}")
        return p

    def procedures(self) -> dict[str, Procedure]:
        return dict(self._procs)

    def __contains__(self, name: str) -> bool:
        return name in self._defs or name in self._thms

    def definitions(self) -> dict[str, Definition]:
        return dict(self._defs)

    def theorems(self) -> dict[str, Theorem]:
        return dict(self._thms)

    def declarations(self) -> dict:
        """The checked declarations, by name, as they were added (for export)."""
        return dict(self._decls)

    # -- the only way in ---------------------------------------------------------------

    def add(self, decl, fuel: int = DEFAULT_FUEL):
        if isinstance(decl, TheoremDecl):
            return self._add_theorem(decl, fuel)
        if isinstance(decl, AxiomDecl):
            return self._add_axiom(decl)
        if isinstance(decl, Def):
            return self._add_def(decl, fuel)
        if isinstance(decl, ProcGroup):
            return self._add_procs(decl)
        raise KernelError("add", f"not a declaration: {type(decl).__name__}")

    def _fresh(self, name, rule: str) -> str:
        _valid_name(name, rule)
        if name in self:
            raise ScopeError(rule, f"{name} is already declared")
        return name

    def _closed_formula(self, f, rule: str) -> Expr:
        f = Checker(self).formula(f, rule)
        if free_vars(f):
            raise KernelError(rule, f"the statement has free variables {sorted(free_vars(f))}")
        return f

    def _add_theorem(self, d: TheoremDecl, fuel: int) -> Theorem:
        name = self._fresh(d.name, "theorem")
        want = self._closed_formula(d.statement, "theorem")
        got, axioms = check_proof(self, d.proof, fuel)
        if got != want:
            raise KernelError("theorem", f"{name}: the proof proves {got}, not the statement {want}")
        t = _make_theorem(name, want, axioms)
        self._thms[name] = t
        self._decls[name] = d
        self.order.append(name)
        return t

    def _add_axiom(self, d: AxiomDecl) -> Theorem:
        name = self._fresh(d.name, "axiom")
        t = _make_theorem(name, self._closed_formula(d.statement, "axiom"), frozenset({name}))
        self._thms[name] = t
        self._decls[name] = d
        self.order.append(name)
        return t

    def _add_def(self, d: Def, fuel: int) -> Definition:
        name = self._fresh(d.name, "def")
        params = d.params
        if not isinstance(params, tuple) or len(set(params)) != len(params) \
                or not all(isinstance(p, str) and p for p in params):
            raise KernelError("def", "parameters must be distinct names")
        if d.sort not in (TERM, FORMULA):
            raise KernelError("def", "a definition is a function (term) or a predicate (formula)")
        recursive = d.measure is not None
        if not recursive and isinstance(d.body, Expr) and any(s[1] == name for s in symbols(d.body)):
            raise KernelError("def", f"{name} calls itself but has no decreasing measure")
        pending = Definition(name, params, d.sort, d.body, d.measure, frozenset())
        scope = self.copy()
        if recursive:
            scope._defs[name] = pending            # the body may call name, nothing else may yet
        chk = Checker(scope)
        body = chk.wf(d.body, d.sort, "def")
        if not free_vars(body) <= set(params):
            raise KernelError("def", f"the body mentions undeclared variables {sorted(free_vars(body) - set(params))}")
        axioms: set[str] = set()
        if not recursive:
            if d.proofs:
                raise KernelError("def", "a non-recursive definition takes no proofs")
        else:
            obligations = decreasing_obligations(self, name, params, body, d.measure)
            if len(d.proofs) != len(obligations):
                raise KernelError("decreasing", f"{len(obligations)} obligations but {len(d.proofs)} proofs")
            for i, (ob, p) in enumerate(zip(obligations, d.proofs)):
                got, ax = check_proof(self, p, fuel)
                if got != ob:
                    raise KernelError("decreasing", f"obligation {i + 1} is {ob}, the proof proves {got}")
                axioms |= ax
        defn = Definition(name, params, d.sort, body, d.measure, frozenset(axioms))
        self._defs[name] = defn
        self._decls[name] = d
        self.order.append(name)
        return defn


    def _add_procs(self, g: ProcGroup) -> tuple:
        """Admit procedures (no proof: a body means what it runs). Every call names a procedure of the
        group or an earlier one, with its number of arguments; no body has ``assume`` (a procedure
        never blocks, which the divergence rules rely on when they read calls)."""
        if not isinstance(g.procs, tuple) or not g.procs or not all(isinstance(p, Procedure) for p in g.procs):
            raise KernelError("procedure", "a group is a non-empty tuple of procedures")
        names = [p.name for p in g.procs]
        if len(set(names)) != len(names):
            raise KernelError("procedure", "the procedures of a group must have distinct names")
        arity = {n: len(p.params) for n, p in self._procs.items()}
        for p in g.procs:           # procedures have names of their own: only calls name them
            if not isinstance(p.name, str) or not p.name or p.name in self._procs:
                raise ScopeError("procedure", f"invalid or already declared procedure name {p.name!r}")
            if not isinstance(p.params, tuple) or len(set(p.params)) != len(p.params) \
                    or not all(isinstance(a, str) and a for a in p.params):
                raise KernelError("procedure", f"{p.name}: parameters must be distinct names")
            if not isinstance(p.result, str) or not p.result or p.result in p.params:
                raise KernelError("procedure", f"{p.name}: the result must be a name other than a parameter's")
            arity[p.name] = len(p.params)
        chk = Checker(self)
        for p in g.procs:
            for n in postorder(chk.wf(p.body, STMT, "procedure")):
                if n.op == "assume":
                    raise KernelError("procedure", f"{p.name}: a procedure body cannot assume")
                if n.op == "call" and arity.get(n.data[1]) != len(n.args):
                    raise KernelError("procedure", f"{p.name}: {n.data[1]} is not a procedure of {len(n.args)} "
                                      "arguments")
        for p in g.procs:
            self._procs[p.name] = p
            self._decls[PROC + p.name] = g
        self.order.append(PROC + names[0])
        return g.procs


def decreasing_obligations(env: Environment, name: str, params: tuple, body: Expr, measure) -> list[Expr]:
    """For each recursive call ``name(us)`` under branch conditions ``cs``:
    ``forall params, cs -> 0 <= m and m[us/params] < m``.

    The measure is checked in ``env`` (without ``name``); a call under a
    quantifier or inside a program judgment (which quantifies over states) is
    refused. Obligations that mention ``name`` cannot be proved,
    since ``name`` is not admitted yet: nested recursion is refused that way.
    """
    m = Checker(env).term(measure, "decreasing")
    if not free_vars(m) <= set(params):
        raise KernelError("decreasing", "the measure mentions variables that are not parameters")
    obligations = []
    stack: list[tuple[Expr, tuple, bool]] = [(body, (), False)]
    while stack:
        e, conds, under_binder = stack.pop()
        if e.op in ("app", "pred") and e.data == name:
            if under_binder:
                raise KernelError("decreasing", f"recursive call of {name} under a quantifier or program judgment")
            callee = subst(m, dict(zip(params, e.args)))
            goal = mk("and", mk("le", Int(0), m), mk("lt", callee, m))
            for c in reversed(conds):
                goal = mk("imp", c, goal)
            for p in reversed(params):
                goal = Forall(p, goal)
            obligations.append(goal)
        if e.op == "ite":
            c, a, b = e.args
            stack.append((b, conds + (mk("not", c),), under_binder))
            stack.append((a, conds + (c,), under_binder))
            stack.append((c, conds, under_binder))
        else:
            inner = under_binder or e.op in BINDERS or e.op in JUDGMENTS    # a judgment quantifies over states
            stack.extend((a, conds, inner) for a in reversed(e.args))
    return obligations
