"""Checking a document declaration by declaration, reusing what has not changed.

A .proof document is a sequence of top-level declarations, each checked in the state the ones above
it left: their environment, simp lemmas, programs and imports. The state after a declaration is
kept, with what checking it came to (an ``Outcome``: diagnostics, and the proof state before and
after every tactic), in a cache keyed by the declaration's text and the *context* it was checked in.

A context is named by the interface of everything above: the statements and axioms of the theorems
that were admitted, the definitions, programs and imports, but not the proofs. So a declaration's
result, which depends on everything above it, is reused exactly when its text and that interface are
unchanged. After an edit, the declarations above the first changed one come from the cache; the
changed one is checked again; below it a declaration is checked again only if its context changed
(editing a proof that still proves the same statement with the same axioms re-checks that proof
alone: an early cutoff, as in build systems).

Positions in an outcome are relative to the declaration's first line (line 1), so inserting a line
above a declaration moves its diagnostics without checking it again.

A reused declaration was checked in an environment that may hold an earlier proof of a theorem above
it (with the same statement and axioms). That changes nothing it could see: every theorem there was
admitted by the kernel, and a declaration uses the statements and axioms of the theorems above it,
never their proofs. ``quod check`` remains the authority; this is the editor's view of the same
checks (``tests/test_incremental.py`` compares the two after random edits).

A check can be cancelled (the user typed again): ``cancelled()`` is polled before every
declaration and every tactic, and a cancelled declaration leaves nothing in the cache.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from kernel import Environment, KernelError
from tactics.syntax import Pos, QuodError, normalize_newlines

from .loader import PRELUDE, THEORIES, Loader, Module, Result, merge_programs

CACHE_SIZE = 4000          # outcomes kept; far more than the declarations of the files one edits at once

_DECL = re.compile(r"(?:@\[([^\]]*)\]\s*)?(theorem|lemma|def|axiom|import|program|check|eval|search|print)\b"
                   r"(?:\s+(?:axioms\s+)?([A-Za-z_][\w'.]*))?")
_FROM_FILE = re.compile(r'from\s+(c|python)\s+"([^"\n]*)"(?:\s+function\s+([A-Za-z_]\w*))?')
_AT_LINE = re.compile(r"at line (\d+), column")


class Cancelled(BaseException):
    """The document changed while it was being checked. A BaseException, so that no tactic's
    ``except Exception`` takes it for a failure of its own."""


# ---- the declarations of a document ------------------------------------------------------------

@dataclass
class Decl:
    """One top-level item of a document."""
    line: int               # first line in the document (1-based)
    text: str               # without comments, as parsed
    source: str             # the original text (a program's C source may contain `--`)
    kind: str               # theorem, lemma, def, axiom, import, program, check, eval, search, print; "" if none
    name: str | None
    name_line: int = 1      # where the name is, relative to the first line (1-based line and column)
    name_col: int = 1
    attrs: tuple = ()

    @property
    def end_line(self) -> int:
        return self.line + self.source.count("\n")


def strip(text: str, shown: str) -> tuple[str, QuodError | None]:
    """The text without comments; an unterminated ``/-`` comments out the rest of the file (and is
    reported), so that the declarations above it are still checked."""
    from tactics.parser import strip_comments
    try:
        return strip_comments(text, shown), None
    except QuodError as exc:
        lines = text.split("\n")
        offset = sum(len(x) + 1 for x in lines[:exc.pos.line - 1]) + exc.pos.col - 1
        rest = "\n".join(" " * len(x) for x in text[offset:].split("\n"))
        return strip_comments(text[:offset], shown) + rest, exc


def lf(text: str) -> str:
    """CR LF and CR line ends as LF (the loader reads files so; line numbers do not change)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def declarations(text: str, shown: str = "<doc>") -> list[Decl]:
    """The top-level items of ``text``, as the loader splits a file."""
    from tactics.parser import split_items

    from .loader import text_of
    text = lf(text)
    clean, _ = strip(text, shown)
    out = []
    for line, item in merge_programs(split_items(clean)):
        source = text_of(text, line, item)
        m = _DECL.match(item)
        kind, name, attrs, nl, nc = "", None, (), 1, 1
        if m:
            kind, name = m.group(2), m.group(3)
            attrs = tuple(a.strip() for a in (m.group(1) or "").split(",") if a.strip())
            if kind in ("check", "eval", "search"):
                name = None
            if name is not None:
                before = item[:m.start(3)]
                nl = before.count("\n") + 1
                nc = m.start(3) - (before.rfind("\n") + 1) + 1
        out.append(Decl(line, item, source if kind == "program" else item, kind, name, nl, nc, attrs))
    return out


# ---- what checking one declaration came to -------------------------------------------------------

@dataclass
class Diag:
    """A diagnostic; lines relative to its declaration (1 is the first), columns 1-based."""
    line: int
    col: int
    end_line: int
    end_col: int
    severity: str           # error, warning, information
    message: str


@dataclass
class Step:
    """One run of a tactic: the state before, and after (None when it failed)."""
    tactic: object
    before: object
    after: object = None
    error: str | None = None
    oracle: str | None = None   # "sorry" or "smt_oracle" when this step admitted one


@dataclass
class Outcome:
    diags: list
    parsed: object = None       # the parsed item (positions relative to its first line)
    steps: list = field(default_factory=list)
    start: object = None        # a theorem's proof state where its proof starts
    result: Result | None = None
    ms: float = 0.0
    program: object = None      # the program a `program` item declared

    def steps_of(self, tac) -> list[Step]:
        return [s for s in self.steps if s.tactic is tac]


@dataclass(frozen=True)
class State:
    """What the declarations above leave: the environment and the rest of a module, and its context id."""
    env: Environment
    simp_lemmas: tuple
    programs: dict
    imports: tuple
    ctx: int


# ---- the tracing engine and loader -------------------------------------------------------------

def _engine_class():
    from tactics.engine import TACTICS, Engine

    class TracingEngine(Engine):
        """The tactic engine, recording every tactic it runs and stopping when the check is cancelled."""

        def __init__(self, *args, cancelled: Callable[[], bool] = lambda: False, **kwargs):
            super().__init__(*args, **kwargs)
            self.cancelled = cancelled
            self.steps: list[Step] = []
            self.start = None

        def run_block(self, state, block):
            if self.start is None:
                self.start = state
            return super().run_block(state, block)

        def run(self, state, tac):
            if self.cancelled():
                raise Cancelled()
            step = Step(tac, state)
            self.steps.append(step)
            n = len(self.used)
            try:
                after = super().run(state, tac)
            except QuodError as exc:
                step.error = exc.message
                raise
            step.after = after
            if tac.name in TACTICS:
                new = self.used[n:]
                step.oracle = "sorry" if tac.name == "sorry" else "smt_oracle" if "smt_oracle" in new else None
            return after
    return TracingEngine


class TracingLoader(Loader):
    """A loader whose theorem proofs run on a recording engine that polls ``cancelled``."""

    def __init__(self, paths: list[Path] | None = None):
        super().__init__(paths)
        self.cancelled: Callable[[], bool] = lambda: False
        self.tracing: Module | None = None      # the module whose proofs are recorded
        self.last_engine = None
        self.last_stop: QuodError | None = None
        self._engine = _engine_class()

    def engine(self, mod, item):
        eng = self._engine(mod.env, item.pos.file, mod.simp_lemmas, cancelled=self.cancelled)
        eng.programs = mod.programs
        if mod is self.tracing:
            self.last_engine = eng
        return eng

    def stopped(self, item, exc) -> None:
        self.last_stop = exc

    def files(self) -> dict[Path, tuple]:
        return {p: _stamp(p) for p in self.modules}


def _stamp(path: Path) -> tuple:
    try:
        st = path.stat()
        return (st.st_size, st.st_mtime_ns)
    except OSError:
        return (None, None)


# ---- a run: one version of a document, checked ---------------------------------------------------

@dataclass
class Run:
    decls: list
    outcomes: list = field(default_factory=list)     # one per declaration checked so far, in order
    states: list = field(default_factory=list)       # the state before each declaration checked so far
    final: State | None = None                       # after the last declaration (when not cancelled)
    checked: int = 0
    reused: int = 0
    cancelled: bool = False
    done: bool = False
    ms: float = 0.0
    text_errors: list = field(default_factory=list)  # errors about the text as a whole (an unclosed comment)

    def index_at(self, line: int) -> int | None:
        """The declaration that contains document line ``line`` (1-based), if any."""
        best = None
        for i, d in enumerate(self.decls):
            if d.line <= line:
                best = i
            else:
                break
        return best

    def state_before(self, i: int) -> State | None:
        if i < len(self.states):
            return self.states[i]
        return self.states[-1] if self.states else None


class DocumentChecker:
    """Checks versions of one document, keeping the per-declaration cache between them."""

    def __init__(self, path: Path | None, loader: TracingLoader | None = None):
        self.path = Path(path).resolve() if path is not None else None
        self.shown = display_path(self.path) if self.path is not None else "untitled"
        self.base_dir = self.path.parent if self.path is not None else Path.cwd()
        self.loader = loader or TracingLoader()
        self.cache: OrderedDict = OrderedDict()     # (ctx, key) -> (Outcome, State after)
        self.contexts: dict = {}                    # (ctx, interface) -> ctx
        self._start: State | None = None
        self._stamps: dict = {}

    # -- the state at the top of the file ---------------------------------------------------------

    def fresh(self) -> bool:
        """Start over (a new loader, an empty cache) if a module the document rests on changed on disk."""
        if all(_stamp(p) == s for p, s in self._stamps.items()):
            return False
        self.reset()
        return True

    def reset(self) -> None:
        self.loader = TracingLoader(self.loader.paths)
        self.cache.clear()
        self.contexts.clear()
        self._start = None
        self._stamps = {}

    def start(self) -> State:
        if self._start is None:
            env = Environment()
            simp: tuple = ()
            is_prelude = self.path == (THEORIES / Path(*PRELUDE.split("."))).with_suffix(".proof").resolve()
            if not is_prelude:
                pre = self.loader.prelude()
                if pre is not None:
                    env.include(pre.env)
                    simp = tuple(pre.simp_lemmas)
            self._start = State(env, simp, {}, (), 0)
            self._stamps = self.loader.files()
        return self._start

    # -- checking ------------------------------------------------------------------------------------

    def check(self, text: str, cancelled: Callable[[], bool] = lambda: False,
              on_decl: Callable[[Run, int], None] | None = None,
              on_start: Callable[[Run, int], None] | None = None) -> Run:
        """Check ``text``; ``on_start(run, i)`` is called before a declaration is checked (not when it
        is reused), ``on_decl(run, i)`` after each declaration (checked or reused)."""
        t0 = time.perf_counter()
        self.fresh()
        text = lf(text)
        clean, comment_error = strip(text, self.shown)
        run = Run(declarations(text, self.shown))
        try:
            normalize_newlines(text, self.shown)
        except QuodError as exc:         # a line break that only some editors show: refused, as quod check does
            run.text_errors.append(exc)
        if comment_error is not None:
            run.text_errors.append(comment_error)
        state = self.start()
        used = []
        try:
            for i, d in enumerate(run.decls):
                if cancelled():
                    raise Cancelled()
                key = (state.ctx, self._key(d))
                hit = self.cache.get(key)
                run.states.append(state)
                if hit is not None:
                    self.cache.move_to_end(key)
                    outcome, state = hit
                    run.reused += 1
                else:
                    if on_start is not None:
                        on_start(run, i)
                    outcome, state = self._check_decl(d, state, cancelled)
                    if cancelled():          # z3 may have been interrupted: the outcome is not to be trusted
                        raise Cancelled()
                    self.cache[key] = (outcome, state)
                    run.checked += 1
                used.append(key)
                run.outcomes.append(outcome)
                if on_decl is not None:
                    on_decl(run, i)
            run.final = state
            run.done = True
        except Cancelled:
            run.cancelled = True
        finally:
            self._stamps.update(self.loader.files())
            self._prune(set(used))
        run.ms = (time.perf_counter() - t0) * 1000
        return run

    def _prune(self, keep: set) -> None:
        extra = len(self.cache) - CACHE_SIZE
        for key in list(self.cache):
            if extra <= 0:
                break
            if key not in keep:
                del self.cache[key]
                extra -= 1
        if len(self.contexts) > 4 * CACHE_SIZE:
            live = {s.ctx for _, s in self.cache.values()} | {k[0] for k in self.cache}
            self.contexts = {k: v for k, v in self.contexts.items() if v in live}

    def _key(self, d: Decl) -> str:
        """What a declaration's result depends on besides its context: its text, and a program's source file."""
        if d.kind == "program":
            m = _FROM_FILE.search(d.text)
            if m and '"""' not in d.text:
                p = program_file(m.group(2), self.base_dir)
                try:
                    digest = hashlib.sha256(p.read_bytes()).hexdigest()
                except OSError:
                    digest = "unreadable"
                return f"{d.source}\0{p}\0{digest}"
        return d.text

    def _interface(self, d: Decl, before: State, mod: Module) -> tuple:
        """What a declaration added that declarations below it can see: names with their statements,
        axioms or definitions (not proofs), simp lemmas, programs and imports."""
        env = mod.env
        added = []
        for name in env.order[len(before.env.order):]:
            try:
                added.append(env.theorem(name))
            except KernelError:
                added.append(env.definition(name))
        new_programs = tuple(n for n in mod.programs if n not in before.programs)
        return (tuple(added), tuple(mod.simp_lemmas[len(before.simp_lemmas):]),
                (self._key(d),) if new_programs else (), tuple(mod.imports[len(before.imports):]))

    def _check_decl(self, d: Decl, state: State, cancelled: Callable[[], bool]) -> tuple[Outcome, State]:
        from tactics.parser import parse_item
        t0 = time.perf_counter()
        mod = Module(self.path.stem if self.path else "untitled", self.path or Path("untitled"), state.env.copy(),
                     [], [], list(state.simp_lemmas), list(state.imports), d.source)
        mod.programs = dict(state.programs)
        loader = self.loader
        loader.cancelled, loader.tracing, loader.last_engine, loader.last_stop = cancelled, mod, None, None
        out = Outcome([])
        try:
            if d.kind == "program":
                loader.declare_program(mod, d.source, Pos(self.shown, 1, 1), self.base_dir)
                new = [p for n, p in mod.programs.items() if n not in state.programs]
                out.program = new[0] if new else None
            else:
                out.parsed = parse_item(d.text, self.shown, 1)
                loader.declare(mod, out.parsed)
        except QuodError as exc:
            if exc.pos is not None and exc.pos.file != self.shown:
                out.diags.append(self._diag(d, Pos(self.shown, 1, 1), "error",
                                            f"{exc.pos}: {exc.message}"))
            else:
                out.diags.append(self._diag(d, exc.pos, "error", _message(exc)))
            if d.kind in ("theorem", "lemma") and d.name:
                out.result = Result(self.shown, 1, d.name, "failed", exc.message.splitlines()[0])
        except RecursionError:
            out.diags.append(self._diag(d, None, "error", "this declaration is nested too deeply"))
        except Exception as exc:     # a bug: say so in place, and go on with the rest of the document
            out.diags.append(self._diag(d, None, "error", f"internal error while checking this declaration "
                                                          f"({type(exc).__name__}: {exc}); please report it"))
        finally:
            loader.tracing = None
        eng = loader.last_engine
        if eng is not None:
            out.steps, out.start = eng.steps, eng.start
        if mod.results:
            out.result = mod.results[-1]
            out.diags.extend(self._result_diags(d, out, loader.last_stop))
        for pos, text in mod.messages:
            out.diags.append(self._diag(d, pos, "information", text))
        for e in mod.errors:
            out.diags.append(self._diag(d, None, "error", e.split(": error: ", 1)[-1]))
        out.ms = (time.perf_counter() - t0) * 1000
        interface = self._interface(d, state, mod)
        ctx = self.contexts.setdefault((state.ctx, interface), len(self.contexts) + 1)
        after = State(mod.env, tuple(mod.simp_lemmas), dict(mod.programs), tuple(mod.imports), ctx)
        return out, after

    def _result_diags(self, d: Decl, out: Outcome, stop: QuodError | None) -> list[Diag]:
        r = out.result
        name_pos = Pos(self.shown, d.name_line, d.name_col)
        if r.status in ("failed", "don't know"):
            if r.status == "don't know":
                sev = "information" if r.expected == "dont_know" else "warning"
                prefix = "don't know (expected: @[expect_dont_know]): " if sev == "information" else "don't know: "
            else:
                sev, prefix = "error", ""
            if stop is not None:
                return [self._diag(d, stop.pos, sev, prefix + _message(stop))]
            return [self._diag(d, _error_pos(r.error, self.shown) or name_pos, sev, prefix + (r.detail or "failed"))]
        diags = []
        own = set()
        for s in out.steps:
            if s.oracle and s.after is not None:
                own.add(s.oracle)
                what = ("declaration uses sorry" if s.oracle == "sorry" else
                        "z3 proved this goal but Quod could not rebuild a kernel proof: this step rests on the "
                        "oracle smt_oracle")
                diags.append(self._diag(d, s.tactic.pos, "warning", what))
        rest = [a for a in r.axioms if a not in own]
        if r.status in ("sorry", "oracle") and rest:
            diags.append(self._diag(d, name_pos, "warning", f"{r.name} rests on {', '.join(rest)}"))
        return diags

    def _diag(self, d: Decl, pos: Pos | None, severity: str, message: str) -> Diag:
        lines = d.source.split("\n")
        line = pos.line if pos is not None and 1 <= pos.line <= len(lines) else 1
        col = pos.col if pos is not None else 1
        text = lines[line - 1] if line <= len(lines) else ""
        if pos is None:                           # the whole first line
            col, end = 1, max(len(text), 1) + 1
        else:
            end = word_end(text, col - 1) + 1
        return Diag(line, col, line, end, severity, message)


def word_end(text: str, i: int) -> int:
    """The end (0-based, exclusive) of the word or symbol starting at index ``i``."""
    if i >= len(text):
        return i + 1
    m = re.compile(r"[\w'.]+|:=|<->|->|<=|>=|!=|\S").match(text, i)
    return m.end() if m else i + 1


def _message(exc: QuodError) -> str:
    msg = exc.message
    if exc.goal:
        msg += "\nthe goal was:\n" + exc.goal
    return msg


def shift_message(message: str, offset: int) -> str:
    """Line numbers written in a message (a parse error's unclosed parenthesis) are relative to the
    declaration: make them lines of the document."""
    return _AT_LINE.sub(lambda m: f"at line {int(m.group(1)) + offset}, column", message)


def _error_pos(error: str | None, shown: str) -> Pos | None:
    if not error:
        return None
    m = re.match(re.escape(shown) + r":(\d+):(\d+): error: ", error)
    return Pos(shown, int(m.group(1)), int(m.group(2))) if m else None


def program_file(path: str, base_dir: Path) -> Path:
    """Where a `program ... from c "FILE"` reads its source (as ``programs.decl`` resolves it)."""
    p = Path(path)
    if not p.is_absolute():
        p = (base_dir / p) if (base_dir / p).exists() else p
    return p.resolve()


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


# ---- goals at a position -------------------------------------------------------------------------

def tactics_of(block) -> list:
    """Every tactic of a proof block, nested ones included, in source order."""
    from tactics.syntax import Block, Tactic
    out, todo = [], [block]
    while todo:
        x = todo.pop()
        if isinstance(x, Tactic):
            out.append(x)
            todo.extend(x.args)
        elif isinstance(x, Block):
            todo.extend(x.steps)
        elif isinstance(x, (tuple, list)):
            todo.extend(x)
    return sorted(out, key=lambda t: (t.pos.line, t.pos.col))


@dataclass
class GoalsAt:
    """The proof state around the tactic at a position (``tactic`` None: where the proof starts)."""
    decl: Decl
    tactic: object = None
    before: object = None         # ProofState or None
    after: object = None
    error: str | None = None
    runs: int = 0
    not_run: bool = False


def goals_at(run: Run, line: int, col: int) -> GoalsAt | None:
    """The tactic under (document line, column), both 1-based, and the states around it; None outside a
    proof or when that declaration is not checked yet."""
    i = run.index_at(line)
    if i is None or i >= len(run.outcomes):
        return None
    d, out = run.decls[i], run.outcomes[i]
    parsed = out.parsed
    if parsed is None or type(parsed).__name__ != "TheoremDecl":
        return None
    rel = (line - d.line + 1, col)
    tacs = [t for t in tactics_of(parsed.proof) if (t.pos.line, t.pos.col) <= rel]
    if not tacs:
        if out.start is None:
            return None
        return GoalsAt(d, None, None, out.start)
    tac = tacs[-1]
    steps = out.steps_of(tac)
    if not steps:
        why = ("the proof did not start: the statement was not accepted" if out.start is None else
               "the proof stopped before it")
        return GoalsAt(d, tac, error=why, not_run=True)
    last = steps[-1]
    return GoalsAt(d, tac, steps[0].before, last.after, last.error if last.after is None else None, len(steps))


__all__ = ["DocumentChecker", "Run", "Decl", "lf", "Diag", "Outcome", "GoalsAt", "goals_at", "declarations",
           "Cancelled", "TracingLoader", "tactics_of", "shift_message", "program_file", "word_end"]
