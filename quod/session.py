"""A REPL session: declarations, an open proof kept as a tree of states, file walking.

This is the REPL without its terminal: ``Session.handle(text)`` takes one
input (a declaration, a command, a tactic or a REPL command) and returns the
text to show. Every proof step is a node in a tree, so ``undo`` and ``redo``
always work, also after an error (which changes nothing). Both the
prompt-toolkit front end and the plain line-by-line mode drive this class.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from kernel import Environment, KernelError, TheoremDecl
from tactics.syntax import QuodError

from .loader import Loader, Module, format_error
from .editor import Editor, Interrupted, Point, display_path, steps_of
from .help import help_text, hint
from .pretty import WIDTH, Orientation, goal_lines, show_state

INTERRUPTED = "interrupted; the proof state is unchanged"
REPL_COMMANDS = ["undo", "redo", "restart", "goals", "qed", "abort", "save", "save!", "help", "quit", "next", "prev",
                 "goto", "replace", "delete"]


@dataclass
class Node:
    state: object
    parent: "Node | None"
    text: str = ""
    children: list = field(default_factory=list)


@dataclass
class OpenProof:
    name: str
    header: str          # the theorem's text up to its statement
    statement: object
    root: Node
    current: Node
    redo: list = field(default_factory=list)
    orient: Orientation = field(default_factory=Orientation)     # how the user wrote the comparisons


class Session:
    def __init__(self, ascii: bool = False, loader: Loader | None = None, preload: bool = True, width: int = WIDTH):
        self.ascii = ascii
        self.width = width
        self.loader = loader or Loader()
        env = Environment()
        self.mod = Module("<repl>", Path("<repl>"), env, [], [], [], [])
        self.proof: OpenProof | None = None
        self.saved_text: list[str] = []     # declarations and finished proofs, in order
        self.dirty = False
        self.owned: dict[str, str] = {}     # real path -> digest of what this session last read or wrote there
        self.save_path: str | None = None   # where a bare `save` writes
        self.question: tuple[str, str] | None = None    # (question, command to run on yes) for the front end
        self.editor = None                  # the file open in the editor (quod.editor.Editor), if any
        self._where = "quod> "
        self.messages_seen = 0
        self.cancel = threading.Event()     # set by the front end on Ctrl-C: the running step is not kept
        self._lock = threading.Lock()
        self._loaded = False
        if preload:
            self.ready()

    def ready(self) -> None:
        """Load the prelude unless done already (the front end may call this from a background
        thread, so that the first prompt does not wait for parsing and checking the prelude)."""
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            pre = self.loader.prelude()
            if pre is not None:
                self.mod.env.include(pre.env)
                self.mod.simp_lemmas.extend(pre.simp_lemmas)

    # -- prompt and status ---------------------------------------------------------------

    def prompt(self) -> str:
        if self.proof is None:
            return self._where if self.editor is not None else "quod> "
        n = len(self.proof.current.state.goals)
        return f"{self.proof.name} ({n} goal{'s' if n != 1 else ''})> "

    def toolbar(self) -> str:
        if self.proof is None and self.editor is not None:
            return (f" editing {self.editor.path.name} | next, prev, goto LINE, replace, delete, undo, save"
                    f"{' (unsaved changes)' if self.dirty else ''}")
        if self.proof is None:
            return " no open proof | help for help"
        n = len(self.proof.current.state.goals)
        return f" proving {self.proof.name} | {n} goal{'s' if n != 1 else ''} | undo, redo, qed, abort"

    def needs_more(self, text: str) -> bool:
        """Whether an input line opens a block that continues on the next lines."""
        s = text.rstrip()
        if s.split(" ", 1)[0] == "replace":         # its step may be a block: `replace have h : P := by`
            s = s.split(" ", 1)[1] if " " in s else ""
        elif s.split(" ", 1)[0] in REPL_COMMANDS:
            return False
        if self.unclosed(s):
            return True
        if s.strip() == "proof" and self.proof is not None:
            return False        # `theorem NAME : F` then `proof` on its own line, as in a file
        return bool(re.search(r"(^|\s)(by|:=|proof|calc)$", s))

    @staticmethod
    def unclosed(text: str) -> bool:
        """A `program` whose braces or triple-quoted source are not closed yet."""
        if not text.lstrip().startswith("program"):
            return False
        from .loader import program_complete
        return not program_complete(text)

    # -- input ---------------------------------------------------------------------------

    def handle(self, text: str) -> str:
        """Process one input; never raises for bad input."""
        text = text.rstrip()
        if not text.strip():
            return ""
        try:
            self.ready()
            return self._handle(text)
        except QuodError as exc:
            return format_error(exc, text) + self._hint(text, exc.message)
        except KernelError as exc:
            return f"error: {exc}"
        except RecursionError:
            return "error: input nested too deeply"
        except EOFError:
            raise                   # quit
        except Exception as exc:  # noqa: BLE001 - a bug must not end the session (and its unsaved work)
            return f"internal error: {type(exc).__name__}: {exc} (please report this)"

    def _handle(self, text: str) -> str:
        word, _, rest = text.strip().partition(" ")
        rest = rest.strip()
        if word in ("quit", "exit"):
            raise EOFError
        if word == "help":
            return help_text(rest)
        if word in ("save", "save!"):
            return self.save(rest, force=word == "save!")
        command = word in ("eval", "check", "search") or text.split()[:2] == ["print", "axioms"]
        if word in ("next", "prev", "goto", "replace", "delete") and self.editor is None:
            return f"error: no file open ({word} works after `quod repl FILE`)"
        if self.editor is not None and self.proof is None:
            self.editor.cancelled = self.cancel.is_set
            try:
                out = self._edit(word, rest, text, command)
            except Interrupted:
                out = INTERRUPTED
            if out is not None:
                return out
        if word in ("next", "prev", "goto", "replace", "delete"):
            return f"error: finish the open proof of {self.proof.name} first (qed or abort)"
        if self.proof is not None:
            if word in ("undo", "redo"):
                return self._undo(word, rest)
            if word == "restart":
                p = self.proof
                p.redo = []
                p.current = p.root
                return self.show_goals()
            if word == "goals":
                return self.show_goals()
            if word == "abort":
                name = self.proof.name
                self.proof = None
                return f"proof of {name} aborted"
            if word == "qed":
                return self.qed()
            if word == "proof" and not rest and self.proof.current is self.proof.root:
                return self.show_goals()    # the `proof` line of a file-style theorem
            if word in ("theorem", "lemma", "def", "import", "axiom"):
                return "error: finish the open proof first (qed or abort)"
            if command:
                return self.declare(text)   # commands work inside a proof too
            return self.tactic(text)
        if word in ("undo", "redo", "restart", "goals", "qed", "abort"):
            return f"error: no open proof ({word} works inside a proof)"
        if word in ("theorem", "lemma") and not re.search(r":=\s*by\b|\bproof\b", text):
            return self.start_proof(text)
        return self.declare(text)

    def declare(self, text: str) -> str:
        """Declarations and commands, item by item as the loader reads a file (programs included);
        an error in one item is reported and the rest still run. Each item that is kept is saved
        with its own text."""
        from tactics.parser import parse_item, split_items, strip_comments

        from .loader import merge_programs, text_of
        out = []
        self.mod.source = text          # errors quote the input's lines
        for line, item_text in merge_programs(split_items(strip_comments(text, "<repl>"))):
            own = text_of(text, line, item_text)
            try:
                out += self._declare_item(line, item_text, own, parse_item)
            except QuodError as exc:
                out.append(format_error(exc, text) + self._hint(own, exc.message))
        return "\n".join(out)

    def _declare_item(self, line: int, item_text: str, own: str, parse_item) -> list[str]:
        from tactics.syntax import Pos
        if item_text.startswith("program"):
            before = set(self.mod.programs)
            base = self.editor.path.parent if self.editor is not None else Path.cwd()
            self._declaring_loader().declare_program(self.mod, own, Pos("<repl>", line, 1), base)
            kept = self._keep(own)
            if kept is not None:
                return [kept]
            return [f"program {n} declared" for n in self.mod.programs if n not in before]
        item = parse_item(item_text, "<repl>", line)
        out = []
        n_res, n_msg = len(self.mod.results), len(self.mod.messages)
        self._declaring_loader().declare(self.mod, item)
        results = self.mod.results[n_res:]
        for r in results:
            if r.error:
                out.append(r.error + self._hint(own, r.error))
            else:
                out.append(f"{r.name}: {r.status}" + (f" [axioms: {', '.join(r.axioms)}]" if r.axioms else ""))
        for _, m in self.mod.messages[n_msg:]:
            out.append(m)
        kind = type(item).__name__
        if kind in ("DefDecl", "AxiomDecl", "Import") or (
                kind == "TheoremDecl" and results and results[-1].status in ("proved", "oracle", "sorry")):
            kept = self._keep(own)
            if kept is not None:
                return out + [kept]
            if kind == "DefDecl":
                out.append(f"defined {item.name}")
            elif kind == "AxiomDecl":
                out.append(f"axiom {item.name} (reported like an oracle)")
            elif kind == "Import":
                out.append(f"imported {item.module}")
        return out

    def _hint(self, text: str, message: str) -> str:
        ed = self.editor
        m = re.search(r"(?:unknown function or predicate|unknown name|theorem named|unknown program) "
                      r"'([A-Za-z_][\w']*)'", message)
        if ed is not None and m and m.group(1) not in self.mod.env and ed.point is not None:
            below = next((d for d in ed.decls()[max(ed.point.decl, 0):] if d.name == m.group(1)), None)
            if below is not None:
                return (f"\nhint: {below.name} is declared below the point (line {below.line}); the point sees only "
                        "what is above it")
        return hint(text, message, set(self.mod.env.order), set(self.mod.programs))

    def _declaring_loader(self) -> Loader:
        """The loader declarations go through: the editor's when a file is open (so that imported modules
        are the very ones the file's checks use)."""
        return self.editor.checker.loader if self.editor is not None else self.loader

    def start_proof(self, text: str) -> str:
        from tactics.engine import Engine
        from tactics.parser import parse_file
        from tactics.state import ProofState
        from tactics.syntax import Tactic
        try:
            items = parse_file(text + "\n  := by skip", "<repl>")     # on its own line: after any -- comment
        except QuodError as exc:
            if exc.pos is not None and exc.pos.line > text.count("\n") + 1:     # in the added `:= by skip`
                return "error: the statement is incomplete; expected `theorem NAME (binders) : FORMULA`"
            raise
        if len(items) != 1 or type(items[0]).__name__ != "TheoremDecl":
            return "error: expected `theorem NAME (binders) : FORMULA`"
        item = items[0]
        if item.name in self.mod.env:
            return f"error: {item.name} is already declared"
        stmt = self.loader.statement(self.mod.env, item.binders, item.statement, self.mod.programs)
        state = ProofState.start(stmt)
        names = [n for b in item.binders for n in b.names]
        if names:
            state = Engine(self.mod.env).run(state, Tactic("intro", tuple(names), item.pos))
        root = Node(state, None, "")
        self.proof = OpenProof(item.name, text.strip(), stmt, root, root, orient=Orientation.of(item))
        return self.show_goals()

    def tactic(self, text: str) -> str:
        from tactics.engine import Engine
        from tactics.parser import parse_block
        p = self.proof
        before = p.current.state
        try:
            block = parse_block(text, "<repl>", 1, 1)
            eng = Engine(self.mod.env, "<repl>", self.mod.simp_lemmas)
            eng.programs = self.mod.programs
            after = eng.run_block(before, block)
        except QuodError as exc:
            if self.cancel.is_set():
                return INTERRUPTED
            return self._failure(exc, text, before)
        if self.cancel.is_set():
            return INTERRUPTED  # Ctrl-C came while this step ran: it is not kept
        node = Node(after, p.current, text.strip())
        p.current.children.append(node)
        p.current = node
        p.redo = []
        extra = "".join(f"\n{m}" for _, m in eng.messages)
        return self.show_goals(before) + extra

    def _failure(self, exc: QuodError, text: str, before, unchanged: str = "(the proof state is unchanged)") -> str:
        """The error, then the goal it failed on shown as the REPL shows goals (numbered hypotheses,
        --ascii honoured) when it is one of the current goals, else as the tactic engine wrote it."""
        from tactics.state import show_goal
        goal = before.goals[0] if before.goals else None
        if exc.goal:
            goal = next((g for g in before.goals if show_goal(g, True) == exc.goal), None)
        if goal is not None:
            exc.goal = None
        out = format_error(exc, text) + self._hint(text, exc.message)
        if goal is not None:
            orient = self.proof.orient if self.proof is not None else None
            out += "\nthe goal was:\n" + "\n".join(goal_lines(goal, None, self.ascii, self.width, orient))
        return out + "\n" + unchanged

    def _undo(self, word: str, rest: str) -> str:
        p = self.proof
        try:
            n = int(rest) if rest else 1
        except ValueError:
            return f"error: {word} takes a number of steps"
        done = 0
        for _ in range(max(n, 1)):
            if word == "undo":
                if p.current.parent is None:
                    break
                p.redo.append(p.current)
                p.current = p.current.parent
            else:
                if not p.redo:
                    break
                p.current = p.redo.pop()
            done += 1
        if done == 0:
            return (f"nothing to undo: this is the start of the proof of {p.name}" if word == "undo" else
                    "nothing to redo: no step was undone since the last new one")
        if done < n:
            verb = "undid" if word == "undo" else "redid"
            return f"{verb} only {done} step{'s' if done != 1 else ''}: nothing more to {word}\n" + self.show_goals()
        return self.show_goals()

    def qed(self) -> str:
        from tactics.state import assemble
        p = self.proof
        st = p.current.state
        if st.goals:
            return "error: the proof is not finished:\n" + self.show_goals()
        try:
            thm = self.mod.env.add(TheoremDecl(p.name, p.statement, assemble(st)))
        except KernelError as exc:
            return f"error: the kernel rejected the proof: {exc}"
        steps = []
        node = p.current
        while node.parent is not None:
            steps.append(node.text)
            node = node.parent
        body = "\n".join("  " + line for s in reversed(steps) for line in s.splitlines())
        sep = "\n  := by" if "--" in p.header.splitlines()[-1] else " := by"    # a trailing -- comment
        kept = self._keep(f"{p.header}{sep}\n{body if body.strip() else '  skip'}")
        if kept is not None:
            return kept
        self.proof = None
        ax = f" (axioms: {', '.join(sorted(thm.axioms))})" if thm.axioms else ""
        return f"{p.name} proved; the kernel checked it{ax}"

    def text_to_save(self) -> str:
        """The file `save` writes: the file open in the editor, as edited, or the declarations and proofs
        of this session (imports included), so that it checks by itself."""
        if self.editor is not None:
            return self.editor.file_text()
        return "\n\n".join(self.saved_text) + "\n"

    def save(self, arg: str, force: bool = False) -> str:
        """Write the session to a file, atomically (a temporary file renamed over the old one, so a failed
        write leaves the old file as it was). A file that exists is overwritten only if this session read or
        wrote it and it has not changed on disk since; otherwise only `save! FILE` overwrites it (on a
        terminal the front end asks)."""
        self.question = None
        path = arg or self.save_path
        if not path:
            return "error: save needs a file name (save FILE)"
        real = os.path.realpath(os.path.expanduser(path))
        if os.path.isdir(real):
            return f"error: {path} is a directory"
        if os.path.exists(real) and not force:
            why = None
            known = self.owned.get(real)
            if known is None:
                why = "exists and this session did not write it"
            elif _digest_file(real) != known:
                why = "changed on disk since this session read or wrote it"
            if why is not None:
                self.question = (f"{path} {why}; overwrite it? [y/N] ", f"save! {path}")
                return f"error: {path} {why}: not overwritten (`save! {path}` overwrites it)"
        text = self.text_to_save()
        try:
            write_atomic(Path(real), text)
        except OSError as exc:
            return f"error: cannot write {path}: {exc.strerror or exc} (nothing was changed on disk)"
        self.owned[real] = _digest(text.encode("utf-8"))
        self.save_path = path
        self.dirty = False
        n = len(self.saved_text)
        what = f"{n} declaration{'s' if n != 1 else ''}"
        note = f" (the open proof of {self.proof.name} is not included)" if self.proof is not None else ""
        if self.editor is not None:
            n_lines = len(self.editor.lines) - (self.editor.lines[-1:] == [""])
            return f"saved {display_path(Path(path))} ({n_lines} lines){note}" + self._summary()
        return f"saved {what} to {path}{note}"

    def _summary(self) -> str:
        """After saving the file open in the editor: what its theorems come to, all checked now."""
        try:
            run = self.editor.run()
        except Interrupted:
            return "\n(the check of the whole file was interrupted)"
        counts: dict = {}
        bad = []
        for d, o in zip(run.decls, run.outcomes):
            r = o.result
            if r is None:
                if any(g.severity == "error" for g in o.diags):
                    bad.append(f"{d.kind} {d.name or ''} at line {d.line}".replace("  ", " "))
                continue
            counts[r.status] = counts.get(r.status, 0) + 1
            if r.status not in ("proved", "oracle", "sorry", "axiom") and r.expected != "dont_know":
                bad.append(f"{r.name} ({r.status}) at line {d.line}")
        n = sum(v for k, v in counts.items() if k != "axiom")
        parts = ", ".join(f"{v} {k}" for k, v in counts.items() if k != "axiom")
        out = f"\n{n} theorem{'s' if n != 1 else ''}: {parts}" if n else "\nno theorems yet"
        if bad:
            out += "\nnot proved: " + ", ".join(bad)
        return out

    # -- display ---------------------------------------------------------------------------

    def show_goals(self, before=None) -> str:
        st = self.proof.current.state
        if not st.goals:
            return "no goals left; type qed"
        return show_state(st, before, self.ascii, self.width, self.proof.orient)

    # -- the file open in the editor -----------------------------------------------------------

    def load_file(self, path: str) -> str:
        """Open a .proof file in the editor: check it, report what each theorem came to."""
        self.ready()
        p = Path(path)
        if not p.exists() and p.parent.is_dir():        # a new file: save writes it
            self.editor = Editor(p, "", self.loader)
            self.editor.cancelled = self.cancel.is_set
            self.save_path = str(path)
            self._moved()
            return f"new file {display_path(p)}: declarations you enter go into it, and save writes it"
        try:
            raw = p.read_bytes()
        except OSError as exc:
            return f"error: cannot read {path}: {exc.strerror or exc}"
        text = self.loader.read(p)          # refuses what is not UTF-8 text
        ed = Editor(p, text, self.loader, "\r\n" if b"\r\n" in raw else "\n")
        ed.cancelled = self.cancel.is_set
        run = ed.run()
        self.editor = ed
        self.owned[os.path.realpath(p)] = _digest(raw)
        self.save_path = str(path)
        self.dirty = False
        out = []
        counts: dict = {}
        for d, o in zip(run.decls, run.outcomes):
            out += [self._diag_text(d, g, ed.lines) for g in o.diags if g.severity == "error"]
            if o.result is not None:
                counts[o.result.status] = counts.get(o.result.status, 0) + 1
                out.append(f"{o.result.name}: {o.result.status}")
        for exc in run.text_errors:
            out.append(format_error(exc, ed.text()))
        n = sum(counts.values())
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
        out.append(f"opened {display_path(p)}: {n} theorem{'s' if n != 1 else ''}" + (f" ({summary})" if n else "") +
                   "; `next` steps through the proofs, `goto LINE` moves to a line, `help edit` says more")
        self._moved()
        return "\n".join(out)

    def _diag_text(self, d, g, lines: list[str]) -> str:
        """A diagnostic of a declaration of the file: file:line:col, the line and a caret, then the rest of
        the message (the goal a step failed on)."""
        line = d.line + g.line - 1
        first, *rest = g.message.split("\n")
        out = [f"{display_path(self.editor.path)}:{line}:{g.col}: {g.severity}: {first}"]
        if 1 <= line <= len(lines):
            out.append("  " + lines[line - 1])
            out.append("  " + " " * (g.col - 1) + "^")
        out += ["    " + x for x in rest]
        return "\n".join(out)

    def _moved(self) -> None:
        """After the point moved or the file changed: the scope and the prompt follow the point."""
        ed = self.editor
        self.mod = ed.scope()
        p = ed.point
        where = ed.path.name
        if p is None:
            self._where = f"{where}> "
            return
        decls = ed.decls()
        if p.decl < 0 or p.decl >= len(decls):
            self._where = f"{where}:{1 if p.decl < 0 else len(ed.lines)}> "
            return
        d = decls[p.decl]
        if p.step == "after":
            self._where = f"{where}:{d.end_line}> "
            return
        info = ed.at(p)
        st = info["after"]
        line = d.line + (p.step[0] - 1 if p.step is not None else 0)
        n = len(st.goals) if st is not None else None
        goals = f" ({n} goal{'s' if n != 1 else ''})" if n is not None else ""
        self._where = f"{d.name or where}:{line}{goals}> "

    def _edit(self, word: str, rest: str, text: str, command: bool) -> str | None:
        """Input while a file is open and no new proof is: moves, edits, or None to be handled as usual."""
        ed = self.editor
        p = ed.point
        in_proof = p is not None and p.decl >= 0 and p.step != "after"
        if word in ("next", "prev"):
            return self._ed_step(1 if word == "next" else -1, rest)
        if word == "goto":
            return self._ed_goto(rest)
        if word in ("undo", "redo"):
            return self._ed_undo(word, rest)
        if command:
            self.mod = ed.scope()
            return None
        if word in ("goals", "restart", "qed", "abort", "replace", "delete") and not in_proof:
            return (f"error: the point is not in a proof ({word} works there); `goto LINE` or `next` moves it into "
                    "one")
        if word == "goals":
            return self._ed_view(p)
        if word == "restart":
            return self._ed_move(Point(p.decl, None))
        if word == "qed":
            return self._ed_qed()
        if word == "abort":
            name = ed.decls()[p.decl].name
            self._ed_set(Point(p.decl))
            return f"left the proof of {name}; the file keeps it as it is"
        if word == "replace":
            return self._ed_edit(rest, replace=True)
        if word == "delete":
            return self._ed_delete(rest)
        if re.match(r"(@\[|(theorem|lemma|def|import|axiom|program)\b)", text.lstrip()):
            self.mod = ed.scope(after_decl=True)      # a declaration goes after the one at the point
            return None
        if word in ("proof",) and not rest:
            return self._ed_view(p) if in_proof else None
        if not in_proof:
            return ("error: the point is not in a proof, so this is not a step of one; `goto LINE` or `next` moves "
                    "into a proof, `theorem NAME : FORMULA` starts a new one")
        return self._ed_edit(text, replace=False)

    def _ed_set(self, point) -> None:
        self.editor.point = point
        self._moved()

    def _ed_move(self, point) -> str:
        self._ed_set(point)
        return self._ed_view(point)

    def _ed_goto(self, rest: str) -> str:
        ed = self.editor
        if not rest:
            return "error: goto takes a line number or a theorem's name"
        if rest.isdigit() or (rest[0] in "+-" and rest[1:].isdigit()):
            line = int(rest)
            if line < 1 or line > len(ed.lines):
                return f"error: line {line} is not in the file (it has {len(ed.lines)} lines)"
            return self._ed_move(ed.point_at_line(line))
        point = ed.point_of_name(rest)
        if point is None:
            return f"error: no declaration named {rest} in {ed.path.name}"
        return self._ed_move(point)

    def _ed_step(self, direction: int, rest: str) -> str:
        ed = self.editor
        try:
            n = int(rest) if rest else 1
        except ValueError:
            return "error: next and prev take a number of steps"
        positions = ed.positions()
        if not positions:
            return "this file has no proofs to step through"
        p = ed.point
        order = {q: k for k, q in enumerate(positions)}

        def key(q):
            return (q.decl, 0 if q.step is None else 2 if q.step == "after" else 1, q.step if isinstance(q.step, tuple)
                    else (0, 0))
        if p is None:
            k = -1 if direction > 0 else len(positions)
        elif p in order:
            k = order[p]
        else:        # after a declaration: between the positions before and after it
            later = [i for i, q in enumerate(positions) if key(q) > key(p)]
            k = (later[0] - 1 if later else len(positions) - 1) if direction > 0 else \
                (later[0] if later else len(positions))
        target = k + direction * max(n, 1)
        if target < 0 or target >= len(positions):
            edge = "start" if target < 0 else "end"
            if (target < 0 and k <= 0) or (target >= len(positions) and k >= len(positions) - 1):
                return f"at the {edge} of the file's proofs; nothing {'before' if target < 0 else 'after'} it"
            target = 0 if target < 0 else len(positions) - 1
        return self._ed_move(positions[target])

    def _ed_view(self, point, lines=None, info=None) -> str:
        """What is at the point: the step there and the goals after it, marked with what it changed."""
        ed = self.editor
        info = info or ed.at(point, lines)
        d, out = info["decl"], info["outcome"]
        if point.step == "after" or out is None or type(out.parsed).__name__ != "TheoremDecl":
            head = f"after {d.kind or 'the text'} {d.name or ''} (line {d.line})".replace("  ", " ")
            lines_out = [head.strip()]
            if out is not None:
                errors = [self._diag_text(d, g, ed.lines if lines is None else lines) for g in out.diags
                          if g.severity == "error"]
                lines_out += errors
                if out.result is not None:
                    lines_out.append(self._status(d, out))
            return "\n".join(lines_out)
        orient = self._orientation(out.parsed)
        if info["step"] is None:
            head = f"{d.name} (line {d.line}), start of the proof"
            if info["after"] is None:
                errs = [self._diag_text(d, g, ed.lines) for g in out.diags if g.severity == "error"]
                return "\n".join([head, "the proof did not start:"] + errs)
            return head + "\n" + show_state(info["after"], None, self.ascii, self.width, orient)
        s = info["step"]
        line = d.line + s.tactic.pos.line - 1
        head = (f"{d.name}, step {info['index']}/{len(info['steps'])}, line {line}: "
                f"{ed.step_text(d, s, lines)}")
        if info["not_run"]:
            return head + f"\nthis step did not run: {self._stop(d, out)}"
        if info["after"] is None:
            goal = info["before"]
            return (head + f"\nerror: {info['error']}" + (
                "\nthe goal was:\n" + show_state(goal, None, self.ascii, self.width, orient) if goal.goals else ""))
        k = info["outside"]
        more = f"\n({k} more goal{'s' if k != 1 else ''} after this bullet)" if k else ""
        return head + "\n" + show_state(info["after"], info["before"], self.ascii, self.width, orient) + more

    def _orientation(self, parsed):
        cache = getattr(self, "_orient_cache", None)
        if cache is None or cache[0] is not parsed:
            self._orient_cache = (parsed, Orientation.of(parsed))
        return self._orient_cache[1]

    def _stop(self, d, out) -> str:
        errors = [g for g in out.diags if g.severity in ("error", "warning")]
        if not errors:
            return "the proof stopped before it"
        g = errors[0]
        return f"the proof stops at line {d.line + g.line - 1}: {g.message.splitlines()[0]}"

    def _status(self, d, out) -> str:
        """One line: what the theorem comes to now."""
        r = out.result
        if r is None:
            errors = [g for g in out.diags if g.severity == "error"]
            return f"{d.name}: " + (errors[0].message.splitlines()[0] if errors else "checked")
        if r.status in ("proved", "oracle", "sorry"):
            return f"{r.name}: {r.status}" + (f" [axioms: {', '.join(r.axioms)}]" if r.axioms else "")
        return f"{r.name}: {r.status}; {self._stop(d, out)}"

    def _ed_edit(self, text: str, replace: bool) -> str:
        """A step typed at the point: inserted after the step there (replacing it if it failed, or with
        `replace`). Kept only if it runs."""
        from tactics.parser import parse_block
        ed = self.editor
        p = ed.point
        if not text.strip():
            return "error: replace needs the new step: replace TACTIC"
        info = ed.at(p)
        d = info["decl"]
        if info["outcome"] is None or info["outcome"].parsed is None:
            return "error: this theorem does not parse, so its steps cannot be edited here:\n" + "\n".join(
                self._diag_text(d, g, ed.lines) for g in (info["outcome"].diags if info["outcome"] else []))
        before = info["before"] if replace else info["after"]
        if replace and (p.step is None):
            return "error: the point is at the start of the proof, not at a step: type a tactic to add a first step"
        if info["not_run"]:
            return f"error: the step at the point did not run ({self._stop(d, info['outcome'])}); fix that step first"
        instead = info["error"] is not None and not replace      # a step typed at a failed one replaces it
        if instead:
            replace, before = True, info["before"]
        try:
            parse_block(text, "<repl>", 1, 1)
        except QuodError as exc:
            return self._failure(exc, text, before, unchanged="(the file is unchanged)") if before is not None \
                else format_error(exc, text)
        try:
            if replace:
                lines, start, end = ed.replace_step(p, text)
                what = f"replaced line {d.line + p.step[0] - 1} `{ed.step_text(d, info['step'])}` with `{_short(text)}`"
            else:
                lines, start, end = ed.insert_after(p, text)
                what = f"inserted `{_short(text)}` at line {d.line + start[0] - 1}"
        except ValueError as exc:
            return f"error: {exc}"
        new_info = ed.at(Point(p.decl, start), lines)
        out = new_info["outcome"]
        if out is None or out.parsed is None:
            return "error: with this step the theorem does not parse:\n" + "\n".join(
                self._diag_text(new_info["decl"], g, lines) for g in (out.diags if out else [])) + \
                "\n(the file is unchanged)"
        # the step to show: the last of those typed, not inside another one
        typed = [s for s in new_info["steps"] if start <= s.at < end]
        if not typed:
            return "error: this is not a step of the proof here (the file is unchanged)"
        top = min(s.depth for s in typed)
        for s in typed:
            runs = out.steps_of(s.tactic)
            if runs and runs[-1].after is None or not runs:
                msg = runs[-1].error if runs else "it did not run"
                goal = runs[0].before if runs else before
                shown = show_state(goal, None, self.ascii, self.width, self._orientation(out.parsed)) \
                    if goal is not None and goal.goals else ""
                return (f"error: {msg}" + self._hint(text, msg or "") + (f"\nthe goal was:\n{shown}" if shown else "") +
                        "\n(the file is unchanged)")
        point = Point(p.decl, [s for s in typed if s.depth == top][-1].at)
        ed.commit(lines, point, what)
        self.dirty = True
        self._moved()
        view = self._ed_view(point, info=ed.at(point))
        note = f"{what}{'; it replaces the step that failed there' if instead else ''}"
        return f"{note}\n{view}\n{self._status(new_info['decl'], out)}"

    def _ed_delete(self, rest: str) -> str:
        ed = self.editor
        p = ed.point
        try:
            n = int(rest) if rest else 1
        except ValueError:
            return "error: delete takes a number of steps"
        if p.step is None:
            return "error: the point is at the start of the proof, not at a step (next moves to the first step)"
        lines, point, done = ed.lines, p, []
        saved = ed.lines
        try:
            for _ in range(max(n, 1)):
                if point.step is None:
                    break
                d = ed.decls(lines)[point.decl]
                s = next(x for x in steps_of(ed.parsed(d).proof) if x.at == point.step)
                done.append(f"`{ed.step_text(d, s, lines)}` (line {d.line + s.at[0] - 1})")
                ed.lines = lines
                lines, point = ed.delete_step(point)
        except ValueError as exc:
            ed.lines = saved
            return f"error: {exc}"
        finally:
            ed.lines = saved
        info = ed.at(point, lines)
        ed.commit(lines, point, "deleted " + ", ".join(done))
        self.dirty = True
        self._moved()
        view = self._ed_view(point, info=ed.at(point))
        return f"deleted {', '.join(done)}\n{view}\n{self._status(info['decl'], info['outcome'])}"

    def _ed_undo(self, word: str, rest: str) -> str:
        ed = self.editor
        try:
            n = int(rest) if rest else 1
        except ValueError:
            return f"error: {word} takes a number of edits"
        done = []
        for _ in range(max(n, 1)):
            what = ed.undo() if word == "undo" else ed.redo()
            if what is None:
                break
            done.append(what)
        if not done:
            return f"nothing to {word}: " + ("no edit of the file in this session" if word == "undo" else
                                            "no edit was undone")
        self.dirty = True
        self._moved()
        verb = "undone" if word == "undo" else "redone"
        short = f" (only {len(done)}: nothing more to {word})" if len(done) < n else ""
        view = self._ed_view(ed.point) if ed.point is not None else ""
        return f"{verb}: {'; '.join(done)}{short}" + (f"\n{view}" if view else "")

    def _ed_qed(self) -> str:
        ed = self.editor
        p = ed.point
        info = ed.at(p)
        d, out = info["decl"], info["outcome"]
        status = self._status(d, out)
        self._ed_set(Point(p.decl))
        if out.result is not None and out.result.status in ("proved", "oracle", "sorry"):
            return status + "; the kernel checked it"
        return "error: " + status

    def _keep(self, own: str) -> str | None:
        """Keep a declaration that was accepted: in the file open in the editor, after the declaration at
        the point (checked there again), else in the session's own text. An error, or None."""
        if self.editor is None:
            self.saved_text.append(own)
            self.dirty = True
            return None
        ed = self.editor
        lines, line = ed.insert_decl(own)
        decls = ed.decls(lines)
        i = next((k for k, d in enumerate(decls) if d.line == line), None)
        if i is None:
            return "error: the declaration could not be placed in the file (the file is unchanged)"
        run = ed.run(i, lines)
        out = run.outcomes[i]
        errors = [g for g in out.diags if g.severity == "error"]
        if errors or (out.result is not None and out.result.status not in ("proved", "oracle", "sorry", "axiom")):
            self.mod = ed.scope(after_decl=True)
            return ("error: in the file at line " + str(line) + " it fails:\n" +
                    "\n".join(self._diag_text(decls[i], g, lines) for g in errors) + "\n(the file is unchanged)")
        ed.commit(lines, Point(i), f"added {decls[i].kind} {decls[i].name or ''} at line {line}".rstrip())
        self.dirty = True
        self._moved()
        return None


def _short(text: str) -> str:
    """A typed step in one line: its first line, and `...` if there are more."""
    lines = text.strip().split("\n")
    return lines[0].strip() + (" ..." if len(lines) > 1 else "")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _digest_file(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return _digest(f.read())
    except OSError:
        return None


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory, renamed over ``path``
    once it is complete and on disk: a failure (a full disk, an interrupt) leaves the old file intact."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise



