"""The parsed form of .proof files: declarations, surface expressions, tactics.

Everything carries a ``Pos`` (file, line, column) so that every error can point
at the source. Surface expressions are untyped; ``elab.py`` turns them into
kernel terms and formulas.
"""

from __future__ import annotations

import re
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


class LazyBlock:
    """A theorem's tactic block not read yet (``parse_item(..., lazy=True)``): ``force()`` reads it,
    raising the QuodError a syntax error in it would have raised when the item was parsed."""
    __slots__ = ("_read",)

    def __init__(self, read):
        self._read = read

    def force(self) -> Block:
        return self._read()


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


_OTHER_BREAKS = re.compile("[\x0b\x1c\x1d\x1e\x85\u2028\u2029]")


def normalize_newlines(text: str, file: str) -> str:
    """Windows (CR LF) and old Mac (CR) line ends as LF, as every editor shows them: a `-- comment`
    then ends where the reader sees the line end. Other characters some editors break lines at
    (vertical tab, U+2028, ...) are refused, so what Quod reads is what the reader sees."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    m = _OTHER_BREAKS.search(text)
    if m:
        at = m.start()
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        raise QuodError(Pos(file, line, col), f"unsupported: the character U+{ord(m.group()):04X}, which some "
                        "editors show as a line break")
    return text


def did_you_mean(name: str, candidates) -> str:
    """``; did you mean 'x'?`` for a misspelt name (difflib's close matches), else ''."""
    import difflib
    close = difflib.get_close_matches(name, sorted(set(candidates) - {name}), n=3, cutoff=0.75)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
