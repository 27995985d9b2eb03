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

from kernel import Environment, KernelError, TheoremDecl, show
from tactics.syntax import QuodError

from .loader import Loader, Module, format_error

INTERRUPTED = "interrupted; the proof state is unchanged"
REPL_COMMANDS = ["undo", "redo", "restart", "goals", "qed", "abort", "save", "help", "quit", "next", "prev",
                 "goto"]
HELP = {
    "": """Enter a declaration (def, theorem NAME : FORMULA, import, axiom), a command
(print axioms NAME, check E, eval E, search PATTERN) or, inside a proof, a tactic.
REPL commands: undo [N], redo [N], restart, goals, qed, abort, save FILE, help [TOPIC], quit.
Walking a file (quod repl FILE): next, prev, goto LINE.
Topics: help tactics, help proof, help walk.""",
    "tactics": """intro/intros, apply, exact, assumption, split, left, right, exists t, cases h,
induction n [from b], strong_induction n, rewrite [h, <- l] [at h], unfold f, simp, have h : P := by ..,
show P, calc, by_contra, contradiction, exfalso, ring, linarith, norm_num, smt [lemmas], hammer, sorry.
Combinators: t1; t2   t <;> t'   try t   repeat t   first | t1 | t2   all_goals t   . (bullet)   { }""",
    "proof": """Start a proof with `theorem NAME (x : int) (h : x > 0) : FORMULA`, enter tactics one at a
time, then `qed` (the kernel checks the whole proof). `undo`/`redo` move in the history, `restart`
goes back to the start, `abort` drops the proof.""",
    "walk": """After `quod repl FILE`: `next` and `prev` step through the file's proofs one tactic at a
time, showing the state before and after; `goto LINE` jumps to the step at that line.""",
}


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


class Session:
    def __init__(self, ascii: bool = False, loader: Loader | None = None, preload: bool = True):
        self.ascii = ascii
        self.loader = loader or Loader()
        env = Environment()
        self.mod = Module("<repl>", Path("<repl>"), env, [], [], [], [])
        self.proof: OpenProof | None = None
        self.saved_text: list[str] = []     # declarations and finished proofs, in order
        self.dirty = False
        self.owned: dict[str, str] = {}     # real path -> digest of what this session last read or wrote there
        self.save_path: str | None = None   # where a bare `save` writes
        self.question: tuple[str, str] | None = None    # (question, command to run on yes) for the front end
        self.walk = None
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
            return "quod> "
        n = len(self.proof.current.state.goals)
        return f"{self.proof.name} ({n} goal{'s' if n != 1 else ''})> "

    def toolbar(self) -> str:
        if self.proof is None:
            return " no open proof | help for help"
        n = len(self.proof.current.state.goals)
        return f" proving {self.proof.name} | {n} goal{'s' if n != 1 else ''} | undo, redo, qed, abort"

    def needs_more(self, text: str) -> bool:
        """Whether an input line opens a block that continues on the next lines."""
        s = text.rstrip()
        if s.split(" ", 1)[0] in REPL_COMMANDS:
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
        from .loader import _program_complete
        return not _program_complete(text)

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
            return format_error(exc, text)
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
            return HELP.get(rest, f"no help on {rest!r}; topics: tactics, proof, walk")
        if word in ("next", "prev", "goto"):
            if self.walk is None:
                return f"error: no file to walk ({word} works after `quod repl FILE`)"
            return self._walk(word, rest)
        if word in ("save", "save!"):
            return self.save(rest, force=word == "save!")
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
            if word in ("eval", "check", "search") or text.split()[:2] == ["print", "axioms"]:
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

        from .loader import _merge_programs, text_of
        out = []
        for line, item_text in _merge_programs(split_items(strip_comments(text, "<repl>"))):
            own = text_of(text, line, item_text)
            try:
                out += self._declare_item(line, item_text, own, parse_item)
            except QuodError as exc:
                out.append(format_error(exc, text))
        return "\n".join(out)

    def _declare_item(self, line: int, item_text: str, own: str, parse_item) -> list[str]:
        from tactics.syntax import Pos
        if item_text.startswith("program"):
            before = set(self.mod.programs)
            self.loader.declare_program(self.mod, own, Pos("<repl>", line, 1), Path.cwd())
            self.saved_text.append(own)
            self.dirty = True
            return [f"program {n} declared" for n in self.mod.programs if n not in before]
        item = parse_item(item_text, "<repl>", line)
        out = []
        n_res, n_msg = len(self.mod.results), len(self.mod.messages)
        self.loader.declare(self.mod, item)
        results = self.mod.results[n_res:]
        for r in results:
            if r.error:
                out.append(r.error)
            else:
                out.append(f"{r.name}: {r.status}" + (f" [axioms: {', '.join(r.axioms)}]" if r.axioms else ""))
        for _, m in self.mod.messages[n_msg:]:
            out.append(m)
        kind = type(item).__name__
        if kind in ("DefDecl", "AxiomDecl", "Import") or (
                kind == "TheoremDecl" and results and results[-1].status in ("proved", "oracle", "sorry")):
            self.saved_text.append(own)
            self.dirty = True
            if kind == "DefDecl":
                out.append(f"defined {item.name}")
            elif kind == "AxiomDecl":
                out.append(f"axiom {item.name} (reported like an oracle)")
            elif kind == "Import":
                out.append(f"imported {item.module}")
        return out

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
        self.proof = OpenProof(item.name, text.strip(), stmt, root, root)
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

    def _failure(self, exc: QuodError, text: str, before) -> str:
        """The error, then the goal it failed on shown as the REPL shows goals (numbered hypotheses,
        --ascii honoured) when it is one of the current goals, else as the tactic engine wrote it."""
        from tactics.state import show_goal
        goal = before.goals[0] if before.goals else None
        if exc.goal:
            goal = next((g for g in before.goals if show_goal(g, True) == exc.goal), None)
        if goal is not None:
            exc.goal = None
        out = format_error(exc, text)
        if goal is not None:
            out += "\nthe goal was:\n" + "\n".join(goal_lines(goal, None, self.ascii))
        return out + "\n(the proof state is unchanged)"

    def _undo(self, word: str, rest: str) -> str:
        p = self.proof
        try:
            n = int(rest) if rest else 1
        except ValueError:
            return f"error: {word} takes a number of steps"
        for _ in range(max(n, 0)):
            if word == "undo":
                if p.current.parent is None:
                    break
                p.redo.append(p.current)
                p.current = p.current.parent
            else:
                if not p.redo:
                    break
                p.current = p.redo.pop()
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
        self.saved_text.append(f"{p.header}{sep}\n{body if body.strip() else '  skip'}")
        self.dirty = True
        self.proof = None
        ax = f" (axioms: {', '.join(sorted(thm.axioms))})" if thm.axioms else ""
        return f"{p.name} proved; the kernel checked it{ax}"

    def text_to_save(self) -> str:
        """The file `save` writes: the walked file (if any) with the declarations and proofs of this session
        after it, so that it checks by itself."""
        parts = list(self.saved_text)
        if self.walk is not None and self.walk.source.strip():
            parts.insert(0, self.walk.source.rstrip("\n"))
        return "\n\n".join(parts) + "\n"

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
        if self.walk is not None:
            what = f"{self.walk.path} with {what} of this session" if n else f"{self.walk.path}"
        note = f" (the open proof of {self.proof.name} is not included)" if self.proof is not None else ""
        return f"saved {what} to {path}{note}"

    # -- display ---------------------------------------------------------------------------

    def show_goals(self, before=None) -> str:
        st = self.proof.current.state
        if not st.goals:
            return "no goals left; type qed"
        return show_state(st, before, self.ascii)

    # -- walking a file ----------------------------------------------------------------------

    def load_file(self, path: str) -> str:
        """Load a .proof file into the session and prepare to walk its proofs."""
        from tactics.parser import parse_item, split_items, strip_comments
        from tactics.syntax import Pos

        from .loader import _merge_programs, text_of
        self.ready()
        p = Path(path)
        text = self.loader._read(p)
        items = []
        out = []
        for line, item_text in _merge_programs(split_items(strip_comments(text, str(path)))):
            n_res = len(self.mod.results)
            try:
                if item_text.startswith("program"):
                    self.loader.declare_program(self.mod, text_of(text, line, item_text), Pos(str(path), line, 1),
                                                p.parent)
                    continue
                item = parse_item(item_text, str(path), line)
                items.append(item)
                self.loader.declare(self.mod, item)
            except QuodError as exc:
                out.append(format_error(exc, text))
            for r in self.mod.results[n_res:]:
                out.append(f"{r.name}: {r.status}")
        self.walk = Walker(self, items, text)
        self.walk.path = str(path)
        self.walk.source = text
        real = os.path.realpath(p)
        self.owned[real] = _digest_file(real)
        self.save_path = str(path)
        theorems = sum(1 for i in items if type(i).__name__ == "TheoremDecl")
        out.append(f"loaded {path}: {theorems} theorems; `next` walks its proofs step by step")
        return "\n".join(out)

    def _walk(self, word: str, rest: str) -> str:
        w = self.walk
        if word == "next":
            return w.move(w.pos + 1)
        if word == "prev":
            return w.move(w.pos - 1)
        try:
            line = int(rest)
        except ValueError:
            return "error: goto takes a line number"
        return w.goto(line)


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


class Walker:
    """The proof steps of a file, flattened (bullets become focus/unfocus), run up to a position."""

    def __init__(self, session: Session, items, text: str):
        self.session = session
        self.text = text.split("\n")
        self.steps = []      # (theorem item, ops up to and including this step, tactic)
        for item in items:
            if type(item).__name__ != "TheoremDecl":
                continue
            ops = []
            self._flatten(item.proof, ops)
            for i, op in enumerate(ops):
                if op[0] == "tac":
                    self.steps.append((item, ops[: i + 1], op[1]))
        self.pos = -1

    def _flatten(self, block, ops) -> None:
        for t in block.steps:
            if t.name == "bullet":
                ops.append(("push", t))
                self._flatten(t.args[0], ops)
                ops.append(("pop", t))
            else:
                ops.append(("tac", t))

    def goto(self, line: int) -> str:
        for i, (_, _, t) in enumerate(self.steps):
            if t.pos.line >= line:
                return self.move(i)
        return "error: no proof step at or after that line"

    def move(self, i: int) -> str:
        if not self.steps:
            return "this file has no proof steps"
        if i < 0 or i >= len(self.steps):
            return "at the " + ("start" if i < 0 else "end") + " of the file's proof steps"
        self.pos = i
        item, ops, tac = self.steps[i]
        before = self._run(item, ops[:-1])
        after = self._run(item, ops)
        line = self.text[tac.pos.line - 1] if 0 < tac.pos.line <= len(self.text) else ""
        head = f"{item.name}, step {i + 1}/{len(self.steps)} at line {tac.pos.line}:\n  {line.strip()}"
        if isinstance(before, str):
            return head + "\n" + before
        b = show_state(before, None, self.session.ascii)
        a = after if isinstance(after, str) else show_state(after, before, self.session.ascii)
        return f"{head}\nbefore:\n{b}\nafter:\n{a}"

    def _run(self, item, ops):
        from tactics.engine import Engine
        from tactics.state import ProofState
        from tactics.syntax import Tactic
        s = self.session
        env = s.mod.env.copy()
        try:
            stmt = s.loader.statement(env, item.binders, item.statement, s.mod.programs)
        except QuodError as exc:
            return format_error(exc)
        eng = Engine(env, item.pos.file, s.mod.simp_lemmas)
        eng.programs = s.mod.programs
        state = ProofState.start(stmt)
        names = [n for b in item.binders for n in b.names]
        stack = []
        try:
            if names:
                state = eng.run(state, Tactic("intro", tuple(names), item.pos))
            for kind, t in ops:
                if kind == "tac":
                    state = eng.run(state, t)
                elif kind == "push":
                    stack.append(state.goals[1:])
                    state = ProofState(state.goals[:1], state.assign, state.root)
                else:
                    rest = stack.pop()
                    state = ProofState(state.goals + rest, state.assign, state.root)
        except QuodError as exc:
            return format_error(exc, "\n".join(self.text))
        return state


def goal_lines(g, old=None, ascii: bool = False) -> list[str]:
    """One goal: its variables, numbered hypotheses, the target after a turnstile; lines that differ
    from the goal ``old`` (when given) are marked with '*'."""
    turn = "|-" if ascii else "⊢"
    old_hyps = dict(old.hyps) if old is not None else None
    lines = []
    if g.vars:
        lines.append("   " + " ".join(g.vars) + " : int")
    for i, (h, f) in enumerate(g.hyps, 1):
        mark = "*" if old_hyps is not None and old_hyps.get(h) != f else " "
        lines.append(f"{mark}{i:>2}. {h} : {show(f, ascii)}")
    mark = "*" if old is not None and old.target != g.target else " "
    lines.append(f"{mark}  {turn} {show(g.target, ascii)}")
    return lines


def show_state(state, before=None, ascii: bool = False) -> str:
    """Goals with numbered hypotheses, the target under a turnstile line; changes marked with '*'."""
    if not state.goals:
        return "no goals"
    turn = "|-" if ascii else "⊢"
    old = before.goals[0] if before is not None and before.goals else None
    n = len(state.goals)
    lines = [f"{n} goal{'s' if n != 1 else ''}"] + goal_lines(state.goals[0], old, ascii)
    for k, other in enumerate(state.goals[1:], 2):
        lines.append(f"goal {k}: {turn} {show(other.target, ascii)}")
    return "\n".join(lines)
