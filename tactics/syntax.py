"""The parsed form of .proof files: declarations, surface expressions, tactics.

Everything carries a ``Pos`` (file, line, column) so that every error can point
at the source. Surface expressions are untyped; ``elab.py`` turns them into
kernel terms and formulas.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Pos:
    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class QuodError(Exception):
    """A user-facing error at a source position (parse, elaboration, tactic, kernel)."""

    def __init__(self, pos: Pos | None, message: str, goal: str | None = None):
        super().__init__(message)
        self.pos = pos
        self.message = message
        self.goal = goal


@dataclass(frozen=True)
class SExpr:
    """A surface expression: kind in name, lit, call, binop, cmp, not, and, or, imp,
    iff, neg, ite, forall, exists, true, false, hole, dvd."""
    kind: str
    args: tuple = ()
    data: object = None
    pos: Pos | None = field(default=None, compare=False)


@dataclass
class Binder:
    names: list
    type: object          # "int" or an SExpr hypothesis
    pos: Pos


@dataclass
class Tactic:
    name: str
    args: tuple
    pos: Pos
    end: Pos | None = None
    text: str = ""


@dataclass
class Block:
    """A sequence of tactics run one after another (a proof, a bullet, a `by` block)."""
    steps: list
    pos: Pos


@dataclass
class Import:
    module: str
    pos: Pos


@dataclass
class DefDecl:
    name: str
    binders: list
    sort: str
    body: SExpr
    decreasing: SExpr | None
    attrs: list
    pos: Pos


@dataclass
class TheoremDecl:
    name: str
    binders: list
    statement: SExpr
    proof: Block
    attrs: list
    pos: Pos
    kind: str = "theorem"


@dataclass
class AxiomDecl:
    name: str
    binders: list
    statement: SExpr
    pos: Pos


@dataclass
class Command:
    name: str            # print_axioms, check, eval, search
    arg: object
    pos: Pos
