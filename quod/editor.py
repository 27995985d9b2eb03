"""A .proof file open in the REPL: its text, a point in it, and edits at the point.

This is the REPL's proof editor, in the manner of Proof General and Lean's infoview: the file is the
truth, and there is a *point*, either in a theorem's proof (at its start, or after one of its steps)
or after a declaration. Moving the point (``goto LINE``, ``next``, ``prev``) shows the goals there and
what the step before the point changed. A tactic typed at a point in a proof is inserted into the file
after the step there (a step that failed is replaced instead, since nothing after it could run),
``replace`` changes the step at the point, ``delete`` removes it; a declaration typed outside a proof is
inserted after the declaration at the point. ``undo`` and ``redo`` go back and forth through the edits,
and ``save`` writes the text back. An edit is kept only if the step it writes runs; what it does to the
rest of the proof is reported.

Checking is ``quod.incremental.DocumentChecker``'s, the language server's: the file is checked
declaration by declaration and each result kept with the tactic steps it ran, so that moving the
point costs nothing and an edit re-checks the declaration it is in (and, below it, only what its
change can reach). Only the declarations up to the point are checked after an edit; the rest when
the point gets there, or on ``check``.

A step is a tactic of a proof, within bullets and ``have ... := by`` blocks (whose own steps come after
it); the arguments of combinators (``first``, ``try``, ``<;>``) are part of their step.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass
from pathlib import Path

from tactics.syntax import QuodError

from .incremental import Decl, DocumentChecker, Run, TracingLoader, declarations
from .loader import Loader, Module

MAX_UNDO = 200


class Interrupted(Exception):
    """The check was cancelled (Ctrl-C): nothing was changed."""


@dataclass
class Step:
    """A step of a proof: the tactic, and where its text ends (positions relative to the declaration)."""
    tactic: object
    end: tuple | None       # (line, col) where the next step (not inside this one) starts; None: the proof's end
    depth: int = 0          # 0 for the proof's own steps, more inside bullets and `have` blocks
    bullet: object = None   # the innermost bullet it is in

    @property
    def at(self) -> tuple:
        return (self.tactic.pos.line, self.tactic.pos.col)


@dataclass(frozen=True)
class Point:
    decl: int               # index of the declaration (-1: before the first)
    step: object = "after"  # "after" the declaration, None at the start of its proof, or a step's (line, col)


def steps_of(proof) -> list[Step]:
    """The steps of a proof block in the order of the text."""
    out: list[Step] = []
    # a stack of (the steps of a block not walked yet, where the block ends, its depth); a step's inner
    # block (a bullet's, a have's) is walked before the step after it
    stack = [(list(proof.steps), None, 0, None)]
    while stack:
        steps, end, depth, bullet = stack.pop()
        if not steps:
            continue
        t, rest = steps[0], steps[1:]
        t_end = (rest[0].pos.line, rest[0].pos.col) if rest else end
        stack.append((rest, end, depth, bullet))
        if t.name == "bullet":
            stack.append((list(t.args[0].steps), t_end, depth + 1, t))
            continue
        out.append(Step(t, t_end, depth, bullet))
        if t.name == "have":
            for a in t.args:
                if type(a).__name__ == "Block":
                    stack.append((list(a.steps), t_end, depth + 1, bullet))
    return out


class Editor:
    def __init__(self, path: Path, text: str, loader: Loader, newline: str = "\n"):
        self.path = Path(path)
        self.newline = newline
        self.bom = text.startswith("\ufeff")
        text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        self.lines = text.split("\n")
        tl = TracingLoader(loader.paths)
        tl.modules = loader.modules         # the library modules the session has checked already
        self.checker = DocumentChecker(self.path, tl)
        self.point: Point | None = None
        self.history: list = []             # (lines, point, what the edit was) before each edit
        self.future: list = []
        self.cancelled = lambda: False
        self._runs: dict = {}
        self._parsed: dict = {}

    # -- the text and its declarations ------------------------------------------------------------

    def text(self) -> str:
        return "\n".join(self.lines)

    def file_text(self) -> str:
        """The text as the file has it (its line ends and byte-order mark)."""
        return ("\ufeff" if self.bom else "") + self.newline.join(self.lines)

    def decls(self, lines: list[str] | None = None) -> list[Decl]:
        return declarations("\n".join(self.lines if lines is None else lines), self.checker.shown)

    def run(self, upto: int | None = None, lines: list[str] | None = None) -> Run:
        """The document (or ``lines``) checked up to declaration ``upto`` (all if None)."""
        lines = self.lines if lines is None else lines
        decls = declarations("\n".join(lines), self.checker.shown)
        if upto is not None and upto < len(decls) - 1:
            text = "\n".join(lines[:decls[upto].end_line])
        else:
            text = "\n".join(lines)
        key = text
        hit = self._runs.get(key)
        if hit is not None and not self.checker.fresh():
            return hit
        run = self.checker.check(text, cancelled=self.cancelled)
        if run.cancelled:
            raise Interrupted()
        self._runs = {key: run}
        return run

    def parsed(self, d: Decl):
        """A theorem's parsed item (positions relative to its first line), or None."""
        if d.kind not in ("theorem", "lemma"):
            return None
        if d.text not in self._parsed:
            from tactics.parser import parse_item
            try:
                self._parsed[d.text] = parse_item(d.text, self.checker.shown, 1)
            except QuodError:
                self._parsed[d.text] = None
            if len(self._parsed) > 2000:
                self._parsed.clear()
        return self._parsed[d.text]

    # -- the scope at the point ----------------------------------------------------------------------

    def scope(self, after_decl: bool = False) -> Module:
        """What the point sees (with ``after_decl``, what a declaration inserted at the point sees: all of
        the declaration the point is in), as a module of its own: nothing done in it reaches the file."""
        p = self.point
        if p is None:
            state = self.run().final
        elif p.decl < 0:
            state = self.checker.start()
        elif p.step == "after" or after_decl:
            run = self.run(p.decl)
            state = run.final if run.final is not None else run.state_before(p.decl)
        else:
            state = self.run(p.decl).state_before(p.decl)
        if state is None:
            state = self.checker.start()
        mod = Module(self.path.stem, self.path, state.env.copy(), [], [], list(state.simp_lemmas),
                     list(state.imports))
        mod.programs = dict(state.programs)
        return mod

    # -- positions -----------------------------------------------------------------------------------

    def positions(self) -> list[Point]:
        """Every place the point can be moved to by next and prev: the start of each proof and after each
        of its steps."""
        out = []
        for i, d in enumerate(self.decls()):
            item = self.parsed(d)
            if item is None:
                continue
            out.append(Point(i, None))
            out.extend(Point(i, (s.tactic.pos.line, s.tactic.pos.col)) for s in steps_of(item.proof))
        return out

    def point_at_line(self, line: int) -> Point:
        """The point for a line of the file: after the last step that starts on or before it, the start of
        the proof on a theorem's first lines, after the declaration elsewhere."""
        decls = self.decls()
        i = None
        for k, d in enumerate(decls):
            if d.line <= line:
                i = k
        if i is None:
            return Point(-1)
        d = decls[i]
        item = self.parsed(d)
        if item is None or line > d.end_line:
            return Point(i)
        rel = line - d.line + 1
        best = None
        for s in steps_of(item.proof):
            if s.tactic.pos.line <= rel:
                best = s
        if best is None:
            return Point(i, None)
        return Point(i, (best.tactic.pos.line, best.tactic.pos.col))

    def point_of_name(self, name: str) -> Point | None:
        for i, d in enumerate(self.decls()):
            if d.name == name:
                return Point(i, None) if self.parsed(d) is not None else Point(i)
        return None

    # -- what is at the point --------------------------------------------------------------------------

    def at(self, point: Point, lines: list[str] | None = None) -> dict:
        """What there is at ``point``: the declaration, its outcome, the step, the states around it."""
        lines = self.lines if lines is None else lines
        run = self.run(point.decl, lines)
        d = run.decls[point.decl]
        out = run.outcomes[point.decl] if point.decl < len(run.outcomes) else None
        info = {"decl": d, "outcome": out, "run": run, "step": None, "before": None, "after": None, "error": None,
                "not_run": False, "steps": [], "index": 0, "outside": 0}
        parsed = out.parsed if out is not None else None
        if parsed is None or type(parsed).__name__ != "TheoremDecl":
            return info
        steps = steps_of(parsed.proof)
        info["steps"] = steps
        if point.step is None or point.step == "after":
            info["after"] = out.start
            return info
        for k, s in enumerate(steps, 1):
            if (s.tactic.pos.line, s.tactic.pos.col) == point.step:
                info["step"], info["index"] = s, k
                runs = out.steps_of(s.tactic)
                if not runs:
                    info["not_run"] = True
                else:
                    info["before"] = runs[0].before
                    info["after"] = runs[-1].after
                    if runs[-1].after is None:
                        info["error"] = runs[-1].error
                if s.bullet is not None:       # the goals the bullet leaves for after it
                    outer = out.steps_of(s.bullet)
                    if outer and outer[0].before is not None:
                        info["outside"] = max(len(outer[0].before.goals) - 1, 0)
                break
        return info

    def step_text(self, d: Decl, s: Step, lines: list[str] | None = None) -> str:
        """The text of a step (its first line if it runs over several)."""
        (l0, c0), (l1, c1) = self.span(d, s)
        lines = self.lines if lines is None else lines
        first = lines[d.line + l0 - 2]
        return first[c0 - 1:c1 - 1] if l1 == l0 else first[c0 - 1:].rstrip() + " ..."

    # -- where a step's text is ------------------------------------------------------------------------

    def _clean_lines(self, d: Decl) -> list[str]:
        return d.text.split("\n")

    def proof_end(self, d: Decl) -> tuple[tuple, bool]:
        """Where the proof ends (relative line, column), and whether a line `qed` is there."""
        lines = self._clean_lines(d)
        k = len(lines)
        while k > 1 and not lines[k - 1].strip():
            k -= 1
        last = lines[k - 1]
        if last.strip() == "qed":
            return (k, len(last) - len(last.lstrip()) + 1), True
        return (k, len(last.rstrip()) + 1), False

    def span(self, d: Decl, s: Step) -> tuple[tuple, tuple]:
        """From the step's first character to just after its last (trailing spaces and `;` left out)."""
        lines = self._clean_lines(d)
        end = s.end if s.end is not None else self.proof_end(d)[0]
        ln, c = end
        # walk back from the end over blanks and separators
        while True:
            before = lines[ln - 1][:c - 1]
            stripped = before.rstrip().rstrip(";").rstrip()
            if stripped or ln <= s.tactic.pos.line:
                if ln == s.tactic.pos.line:
                    stripped = stripped if len(stripped) >= s.tactic.pos.col else before[:s.tactic.pos.col]
                return (s.tactic.pos.line, s.tactic.pos.col), (ln, len(stripped) + 1)
            ln -= 1
            c = len(lines[ln - 1]) + 1

    def _alone_at_start(self, d: Decl, line: int, col: int) -> bool:
        """Whether only blanks come before (line, col) on its line."""
        return not self._clean_lines(d)[line - 1][:col - 1].strip()

    # -- edits ---------------------------------------------------------------------------------------

    def _lines_of(self, text: str, indent: int) -> list[str]:
        """A typed step as lines of the file at ``indent``: the first line's own indentation dropped,
        the others keep theirs relative to it."""
        raw = text.strip("\n").split("\n")
        first = raw[0].strip()
        rest = textwrap.dedent("\n".join(raw[1:])).split("\n") if len(raw) > 1 else []
        pad = " " * indent
        return [pad + first] + [(pad + "  " + x) if x.strip() else "" for x in rest]

    def insert_after(self, point: Point, text: str) -> tuple[list[str], tuple, tuple]:
        """The lines with ``text`` inserted as a step after the point (in a proof), and where it starts
        and ends (relative line, column)."""
        d = self.decls()[point.decl]
        steps = steps_of(self.parsed(d).proof)
        lines = list(self.lines)
        one = text.strip()
        if point.step is None:                        # at the start of the proof: before its first step
            if not steps:
                (ln, c), qed = self.proof_end(d)
                new = self._lines_of(text, 2)
                at = ln if qed else ln + 1
                lines[d.line + at - 2:d.line + at - 2] = new
                return lines, (at, 3), (at + len(new), 0)
            t = steps[0].tactic
            if self._alone_at_start(d, t.pos.line, t.pos.col):
                new = self._lines_of(text, t.pos.col - 1)
                k = d.line + t.pos.line - 2
                lines[k:k] = new
                return lines, (t.pos.line, t.pos.col), (t.pos.line + len(new), 0)
            self._one_line(text)
            k = d.line + t.pos.line - 2
            lines[k] = lines[k][:t.pos.col - 1] + one + "; " + lines[k][t.pos.col - 1:]
            return lines, (t.pos.line, t.pos.col), (t.pos.line, t.pos.col + len(one))
        s = next(x for x in steps if x.at == point.step)
        t = s.tactic
        (l0, c0), (l1, c1) = self.span(d, s)
        if s.end is not None and not self._alone_at_start(d, *s.end):    # `split; ring`, after split
            self._one_line(text)
            k = d.line + s.end[0] - 2
            lines[k] = lines[k][:s.end[1] - 1] + one + "; " + lines[k][s.end[1] - 1:]
            return lines, s.end, (s.end[0], s.end[1] + len(one))
        if self._alone_at_start(d, t.pos.line, t.pos.col) or self._bullet_start(d, t):
            new = self._lines_of(text, t.pos.col - 1)     # lines of their own after the step's last line
            k = d.line + l1 - 1
            lines[k:k] = new
            return lines, (l1 + 1, t.pos.col), (l1 + 1 + len(new), 0)
        self._one_line(text)                          # `by vcgen; smt`, after smt: `by vcgen; smt; NEW`
        k = d.line + l1 - 2
        lines[k] = lines[k][:c1 - 1] + "; " + one + lines[k][c1 - 1:]
        return lines, (l1, c1 + 2), (l1, c1 + 2 + len(one))

    @staticmethod
    def _one_line(text: str) -> None:
        if "\n" in text.strip("\n"):
            raise ValueError("a block of several lines cannot go inside a line of steps; put the proof's steps "
                             "on lines of their own first")

    def _bullet_start(self, d: Decl, t) -> bool:
        """Whether the step is the first of a bullet, on the bullet's line (`. ring`)."""
        before = self._clean_lines(d)[t.pos.line - 1][:t.pos.col - 1]
        return before.strip() in (".", "·")

    def replace_step(self, point: Point, text: str) -> tuple[list[str], tuple, tuple]:
        d = self.decls()[point.decl]
        s = next(x for x in steps_of(self.parsed(d).proof) if x.at == point.step)
        (l0, c0), (l1, c1) = self.span(d, s)
        lines = list(self.lines)
        new = self._lines_of(text, c0 - 1)
        new[0] = new[0][c0 - 1:]
        a, b = d.line + l0 - 2, d.line + l1 - 2
        end_col = (c0 if len(new) == 1 else 1) + len(new[-1])
        new[0] = lines[a][:c0 - 1] + new[0]
        new[-1] = new[-1] + lines[b][c1 - 1:]
        lines[a:b + 1] = new
        return lines, (l0, c0), (l0 + len(new) - 1, end_col)

    def delete_step(self, point: Point) -> tuple[list[str], Point]:
        d = self.decls()[point.decl]
        steps = steps_of(self.parsed(d).proof)
        k = next(i for i, x in enumerate(steps) if (x.tactic.pos.line, x.tactic.pos.col) == point.step)
        s = steps[k]
        t = s.tactic
        (l0, c0), (l1, c1) = self.span(d, s)
        lines = list(self.lines)
        a, b = d.line + l0 - 2, d.line + l1 - 2
        prev = Point(point.decl, None) if k == 0 else Point(point.decl, (steps[k - 1].tactic.pos.line,
                                                                           steps[k - 1].tactic.pos.col))
        next_on_same_line = s.end is not None and not self._alone_at_start(d, *s.end)
        if next_on_same_line:                         # `split; ring`: remove `split; `
            e = d.line + s.end[0] - 2
            lines[a:e + 1] = [lines[a][:c0 - 1] + lines[e][s.end[1] - 1:]]
            return lines, prev
        if self._alone_at_start(d, t.pos.line, t.pos.col) and not lines[b][c1 - 1:].split("--")[0].strip():
            del lines[a:b + 1]                        # whole lines
            return lines, prev
        before = lines[a][:c0 - 1].rstrip()
        if before.endswith(";"):                      # `vcgen; smt`: remove `; smt`
            cut = len(before) - 1
            lines[a:b + 1] = [lines[a][:cut] + lines[b][c1 - 1:]]
            return lines, prev
        raise ValueError("this is the only step on its line after `by` or a bullet: `replace` it instead")

    def commit(self, lines: list[str], point: Point | None, what: str) -> None:
        self.history.append((self.lines, self.point, what))
        del self.history[:-MAX_UNDO]
        self.future = []
        self.lines = lines
        self.point = point

    def undo(self) -> str | None:
        """Go back one edit; what it was, or None if there is none."""
        if not self.history:
            return None
        lines, point, what = self.history.pop()
        self.future.append((self.lines, self.point, what))
        self.lines, self.point = lines, point
        return what

    def redo(self) -> str | None:
        if not self.future:
            return None
        lines, point, what = self.future.pop()
        self.history.append((self.lines, self.point, what))
        self.lines, self.point = lines, point
        return what

    def insert_decl(self, text: str) -> tuple[list[str], int]:
        """The lines with a declaration inserted after the declaration at the point (at the end if the
        point is not placed), and the line where it starts."""
        lines = list(self.lines)
        new = text.strip("\n").split("\n")
        decls = self.decls()
        p = self.point
        if p is None or not decls:
            at = len(lines)
            while at > 0 and not lines[at - 1].strip():
                at -= 1
        elif p.decl < 0:
            at = 0
        else:
            at = decls[p.decl].end_line
        chunk = ([""] if at > 0 else []) + new + ([""] if at < len(lines) and lines[at:at + 1] != [""] else [])
        if at == len(lines) or (at == len(lines) - 1 and lines[-1] == ""):
            chunk = ([""] if at > 0 else []) + new
            lines = lines[:at] + chunk + [""]
        else:
            lines[at:at] = chunk
        return lines, at + (1 if at > 0 else 0) + 1


def display_path(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if not rel.startswith("../../") else str(path)
