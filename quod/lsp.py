"""``quod lsp``: a Language Server Protocol server (pygls, standard input and output).

The server keeps each open document's text and checks it in one background thread with
``incremental.DocumentChecker``: a declaration is checked again only when its text or what the
declarations above it offer changed, so an edit re-checks little. A check in progress stops at
the next tactic when the user types again, and the next one starts after a short pause.

What it offers an editor:

- diagnostics: parse errors and failed steps as errors; don't knows, ``sorry`` and oracle steps
  as warnings; the output of commands (``eval``, ``check``, ``search``, ``print axioms``) as
  information;
- ``quod/goals`` (shaped like Lean's ``$/lean/plainGoal``): the hypotheses and goals before and
  after the tactic under the cursor, also shown on hover over a tactic;
- completion of tactics, keywords, module names and the names in scope (theorems, definitions,
  programs, the hypotheses of the goal at the cursor);
- go to definition and hover for theorems, definitions, programs (and a program's C or Python
  source), and imported modules;
- the outline (document symbols) and semantic tokens for highlighting;
- ``$/progress`` while a long check runs, and a ``quod/checked`` notification after each check
  (what was checked and what was reused).
"""

from __future__ import annotations

import asyncio
import itertools
import re
import sys
import threading
import time
from pathlib import Path

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from .cli import VERSION
from .incremental import (Decl, DocumentChecker, Run, TracingLoader, declarations, goals_at, lf, program_file,
                          shift_message, word_end)

DEBOUNCE = 0.08             # seconds of quiet after a change before checking
PROGRESS_DELAY = 0.4        # a check that runs longer than this shows progress
PUBLISH_EVERY = 0.5         # while a long check runs, diagnostics are published this often
GOALS_WAIT = 60.0           # how long quod/goals waits for the check to reach the cursor

KEYWORDS = ["theorem", "lemma", "def", "axiom", "import", "program", "proof", "qed", "by", "decreasing",
            "check", "eval", "search", "print axioms", "forall", "exists", "and", "or", "not", "if", "then",
            "else", "true", "false", "int", "terminates", "diverges", "from", "with", "at"]
_WORD = re.compile(r"[A-Za-z_][\w'.]*")
_SEVERITY = {"error": T.DiagnosticSeverity.Error, "warning": T.DiagnosticSeverity.Warning,
             "information": T.DiagnosticSeverity.Information}
_SYMBOL = {"theorem": T.SymbolKind.Method, "lemma": T.SymbolKind.Method, "def": T.SymbolKind.Function,
           "axiom": T.SymbolKind.Constant, "program": T.SymbolKind.Class, "import": T.SymbolKind.Module}
TOKEN_TYPES = ["keyword", "function", "variable", "number", "comment", "string", "operator", "macro", "class"]
_TOKENS = re.compile(r"""(?P<comment>--.*)|(?P<open>/-)|(?P<string>"(?:[^"\\\n]|\\.)*")|(?P<number>\b\d+\b)|"""
                     r"""(?P<word>[A-Za-z_][\w']*)|(?P<operator><->|->|<=|>=|!=|:=|[∀∃¬∧∨→↔≠≤≥⊢+*/%<>=|-])""")


# ---- positions: LSP counts UTF-16 code units, Python counts characters ---------------------------

def to_index(line: str, units: int) -> int:
    if line.isascii():
        return min(units, len(line))
    n = 0
    for i, ch in enumerate(line):
        if n >= units:
            return i
        n += 2 if ord(ch) > 0xFFFF else 1
    return len(line)


def to_units(line: str, index: int) -> int:
    if line.isascii():
        return index
    return index + sum(1 for ch in line[:index] if ord(ch) > 0xFFFF)


def _line(lines: list[str], i: int) -> str:
    return lines[i] if 0 <= i < len(lines) else ""


def _range(lines: list[str], line0: int, col0: int, end_line0: int, end_col0: int) -> T.Range:
    return T.Range(T.Position(line0, to_units(_line(lines, line0), col0)),
                   T.Position(end_line0, to_units(_line(lines, end_line0), end_col0)))


# ---- showing goals -----------------------------------------------------------------------------

def goal_text(goal) -> str:
    """One goal as Lean shows it: the variables, each hypothesis ``h : P``, then ``⊢ target``."""
    from kernel import show
    lines = []
    if goal.vars:
        lines.append(" ".join(goal.vars) + " : int")
    for h, f in goal.hyps:
        lines.append(f"{h} : {show(f, False)}")
    lines.append("⊢ " + show(goal.target, False))
    return "\n".join(lines)


def state_goals(state) -> list[str] | None:
    return None if state is None else [goal_text(g) for g in state.goals]


def _block(goals: list[str]) -> str:
    if not goals:
        return "no goals"
    head = f"{len(goals)} goal{'s' if len(goals) != 1 else ''}\n" if len(goals) > 1 else ""
    return head + "\n\n".join(goals)


def render_goals(g) -> dict:
    """The answer to ``quod/goals``: Lean's ``rendered`` and ``goals`` (the goals at the cursor: after
    the tactic, or before it when it failed), and ``before``, ``after``, ``tactic``, ``error``."""
    before, after = state_goals(g.before), state_goals(g.after)
    name = g.tactic.name if g.tactic is not None else None
    if g.tactic is None:
        parts = [f"**{g.decl.name}**: where the proof starts", f"```quod\n{_block(after)}\n```"]
        return {"rendered": "\n\n".join(parts), "goals": after, "before": None, "after": after,
                "tactic": None, "error": None}
    if g.not_run:
        text = f"`{name}` was not run: {g.error}"
        return {"rendered": text, "goals": [], "before": None, "after": None, "tactic": name,
                "error": text}
    times = f" (ran {g.runs} times: the first before, the last after)" if g.runs > 1 else ""
    parts = [f"**before** `{name}`{times}", f"```quod\n{_block(before)}\n```"]
    if g.error is not None:
        parts += ["**failed**", f"```\n{g.error}\n```"]
    else:
        parts += ["**after**", f"```quod\n{_block(after)}\n```"]
    return {"rendered": "\n\n".join(parts), "goals": after if after is not None else before,
            "before": before, "after": after, "tactic": name, "error": g.error}


# ---- the server --------------------------------------------------------------------------------

class Doc:
    """An open document: its current text and version, and the latest check of it."""

    def __init__(self, uri: str, text: str, version: int, loader: TracingLoader):
        self.uri = uri
        path = to_fs_path(uri) if uri.startswith("file:") else None
        self.path = Path(path) if path else None
        self.text = lf(text)
        self.version = version
        self.checker = DocumentChecker(self.path, loader)
        self.run: Run | None = None          # the latest check (possibly still running)
        self.run_version: int | None = None
        self.run_text = ""
        self.last: Run | None = None         # the latest check that finished


class QuodServer(LanguageServer):
    def __init__(self):
        super().__init__("quod", VERSION, text_document_sync_kind=T.TextDocumentSyncKind.Incremental)
        self.docs: dict[str, Doc] = {}
        self.loader = TracingLoader()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.options: dict = {}
        self._dirty: dict[str, float] = {}
        self._cond = threading.Condition()
        self._stop = False
        self._worker: threading.Thread | None = None
        self._tokens = itertools.count(1)
        self._module_index: dict = {}
        self._running: tuple | None = None      # (doc, version) being checked
        self._interrupter = None

    # -- scheduling ------------------------------------------------------------------------------

    def schedule(self, uri: str, now: bool = False) -> None:
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
        with self._cond:
            self._dirty[uri] = float("-inf") if now else time.monotonic()
            self._cond.notify()
        if self._worker is None:
            self._worker = threading.Thread(target=self._work, name="quod-check", daemon=True)
            self._worker.start()

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()

    def _work(self) -> None:
        debounce = float(self.options.get("debounce", DEBOUNCE * 1000)) / 1000
        while True:
            with self._cond:
                while True:
                    if self._stop:
                        return
                    now = time.monotonic()
                    ready = [(t, u) for u, t in self._dirty.items() if now - t >= debounce]
                    if ready:
                        uri = min(ready)[1]
                        del self._dirty[uri]
                        break
                    wait = min(self._dirty.values()) + debounce - now if self._dirty else None
                    self._cond.wait(wait)
            try:
                self._check(uri)
            except Exception as exc:     # a bug must not stop the checking thread
                self.send(self.window_log_message, T.LogMessageParams(
                    T.MessageType.Error, f"quod: internal error while checking {uri}: {type(exc).__name__}: {exc}"))

    def interrupt(self, doc: Doc | None) -> None:
        """The document changed: if it is being checked, interrupt z3 until that check has stopped (the
        check itself stops at its next tactic)."""
        token = self._running
        if token is None or (doc is not None and token[0] is not doc):
            return

        async def keep_interrupting():
            while self._running is token:
                _interrupt_z3()
                await asyncio.sleep(0.05)
        self._interrupter = asyncio.ensure_future(keep_interrupting())   # held: the loop keeps weak references

    def send(self, fn, *args) -> None:
        """Call ``fn`` on the event loop's thread (every message to the client goes out from there)."""
        if self.loop is not None and not self.loop.is_closed():
            try:
                self.loop.call_soon_threadsafe(fn, *args)
            except RuntimeError:        # the loop is closing
                pass

    def _check(self, uri: str) -> None:
        doc = self.docs.get(uri)
        if doc is None:
            return
        version, text = doc.version, doc.text
        cancelled = lambda: self._stop or self.docs.get(uri) is not doc or doc.version != version
        progress = _Progress(self, doc, float(self.options.get("progressDelay", PROGRESS_DELAY * 1000)) / 1000)
        last_publish = [time.monotonic()]

        def on_decl(run: Run, i: int) -> None:
            if doc.run is not run:
                doc.run, doc.run_version, doc.run_text = run, version, text
            progress.step(run, i, False)
            if time.monotonic() - last_publish[0] > PUBLISH_EVERY and not cancelled():
                last_publish[0] = time.monotonic()
                self.publish(doc, run, text, version)

        self._running = token = (doc, version)
        try:
            run = doc.checker.check(text, cancelled, on_decl, lambda run, i: progress.step(run, i, True))
        finally:
            if self._running is token:
                self._running = None
        if not run.cancelled:
            doc.run, doc.run_version, doc.run_text, doc.last = run, version, text, run
            self.publish(doc, run, text, version)
        progress.end(run)
        self.send(self.protocol.notify, "quod/checked", {
            "uri": uri, "version": version, "declarations": len(run.decls), "checked": run.checked,
            "reused": run.reused, "cancelled": run.cancelled, "ms": round(run.ms, 1)})

    # -- diagnostics ---------------------------------------------------------------------------------

    def diagnostics(self, doc: Doc, run: Run, text: str) -> list[T.Diagnostic]:
        lines = text.split("\n")
        out = []
        previous = {}
        if doc.last is not None and doc.last is not run:
            previous = {d.text: o for d, o in zip(doc.last.decls, doc.last.outcomes)}
        for i, d in enumerate(run.decls):
            outcome = run.outcomes[i] if i < len(run.outcomes) else previous.get(d.text)
            if outcome is None:
                continue
            for g in outcome.diags:
                line0 = d.line + g.line - 2
                out.append(T.Diagnostic(
                    range=_range(lines, line0, g.col - 1, d.line + g.end_line - 2, g.end_col - 1),
                    message=shift_message(g.message, d.line - 1), severity=_SEVERITY[g.severity], source="quod"))
        for exc in run.text_errors:
            p = exc.pos
            out.append(T.Diagnostic(range=_range(lines, p.line - 1, p.col - 1, p.line - 1, p.col + 1),
                                    message=exc.message, severity=T.DiagnosticSeverity.Error, source="quod"))
        return out

    def publish(self, doc: Doc, run: Run, text: str, version: int) -> None:
        params = T.PublishDiagnosticsParams(uri=doc.uri, diagnostics=self.diagnostics(doc, run, text), version=version)
        self.send(self.text_document_publish_diagnostics, params)

    # -- looking things up ---------------------------------------------------------------------------

    async def current_run(self, doc: Doc, line: int, wait: float) -> Run | None:
        """The check of the document's current version once it has reached ``line`` (1-based), waiting
        up to ``wait`` seconds; else the latest check there is."""
        deadline = time.monotonic() + wait
        while True:
            run = doc.run
            if run is not None and doc.run_version == doc.version:
                i = run.index_at(line)
                if i is None or i < len(run.outcomes) or run.done:
                    return run
            if time.monotonic() >= deadline:
                return run
            await asyncio.sleep(0.01)

    def word_at(self, doc: Doc, pos: T.Position) -> tuple[str | None, str, int, int]:
        lines = doc.text.split("\n")
        line = _line(lines, pos.line)
        i = to_index(line, pos.character)
        for m in _WORD.finditer(line):
            if m.start() <= i <= m.end():
                return m.group().rstrip("."), line, m.start(), m.end()
        return None, line, i, i

    def module_decls(self, path: Path, source: str) -> dict[str, Decl]:
        key = (path, len(source), hash(source))
        if key not in self._module_index:
            self._module_index[key] = {d.name: d for d in declarations(source, str(path)) if d.name
                                       and d.kind not in ("import", "print")}
        return self._module_index[key]

    def find(self, doc: Doc, name: str) -> list[tuple[Path | None, Decl]]:
        """Where ``name`` is declared: in the document, else in a module it imports (or the prelude)."""
        run = doc.run
        decls = run.decls if run is not None and doc.run_version == doc.version else declarations(doc.text)
        own = [(doc.path, d) for d in decls if d.name == name and d.kind not in ("import", "print")]
        if own:
            return own
        try:
            modules = list(doc.checker.loader.modules.values())
        except RuntimeError:            # the checking thread added a module just now
            modules = []
        for mod in modules:
            d = self.module_decls(mod.path, mod.source).get(name)
            if d is not None:
                return [(mod.path, d)]
        return []

    def module_path(self, doc: Doc, name: str) -> Path | None:
        try:
            return doc.checker.loader.resolve(name, None)
        except Exception:
            return None


def _interrupt_z3() -> None:
    z3 = sys.modules.get("z3")
    if z3 is not None:
        try:
            z3.main_ctx().interrupt()
        except Exception:
            pass


def _uri(doc: Doc, path: Path | None) -> str:
    if path is None or path == doc.path:
        return doc.uri
    return from_fs_path(str(path)) or doc.uri


class _Progress:
    """``$/progress`` for one check, begun once the check has run for ``delay`` seconds (from a timer,
    so that one long declaration shows it too)."""

    def __init__(self, server: QuodServer, doc: Doc, delay: float):
        self.server, self.doc = server, doc
        self.token: str | None = None
        self.message = "starting"
        self.pct = 0
        self.last = 0.0
        self.ended = False
        self.lock = threading.Lock()
        caps = server.client_capabilities
        self.timer = None
        if caps and caps.window and caps.window.work_done_progress:
            if delay <= 0:
                self.begin()
            else:
                self.timer = threading.Timer(delay, self.begin)
                self.timer.daemon = True
                self.timer.start()

    def begin(self) -> None:
        s = self.server
        with self.lock:
            if self.ended or self.token is not None:
                return
            self.token = f"quod-check-{next(s._tokens)}"
            name = self.doc.path.name if self.doc.path else "document"
            s.send(s.work_done_progress.create, self.token)
            s.send(s.work_done_progress.begin, self.token, T.WorkDoneProgressBegin(
                title=f"Checking {name}", message=self.message, percentage=self.pct, cancellable=False))
            self.last = time.monotonic()

    def step(self, run: Run, i: int, starting: bool) -> None:
        d = run.decls[i]
        total = len(run.decls)
        self.pct = int(100 * (i if starting else i + 1) / max(total, 1))
        self.message = f"{i + 1}/{total}: {d.name or d.kind}"
        s = self.server
        with self.lock:
            if self.token is not None and time.monotonic() - self.last > 0.1:
                self.last = time.monotonic()
                s.send(s.work_done_progress.report, self.token,
                       T.WorkDoneProgressReport(message=self.message, percentage=self.pct))

    def end(self, run: Run) -> None:
        with self.lock:
            self.ended = True
            if self.timer is not None:
                self.timer.cancel()
            if self.token is None:
                return
            msg = (f"cancelled after {run.checked} declarations" if run.cancelled else
                   f"checked {run.checked}, reused {run.reused}")
            self.server.send(self.server.work_done_progress.end, self.token, T.WorkDoneProgressEnd(message=msg))


def make_server() -> QuodServer:
    server = QuodServer()

    @server.feature(T.INITIALIZE)
    def initialize(ls: QuodServer, params: T.InitializeParams):
        opts = params.initialization_options
        if isinstance(opts, dict):
            ls.options = opts

    @server.feature(T.SHUTDOWN)
    def shutdown(ls: QuodServer, params):
        ls.stop()
        ls.interrupt(None)

    @server.feature(T.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: QuodServer, params: T.DidOpenTextDocumentParams):
        td = params.text_document
        ls.docs[td.uri] = Doc(td.uri, td.text, td.version, ls.loader)
        ls.schedule(td.uri, now=True)

    @server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: QuodServer, params: T.DidChangeTextDocumentParams):
        doc = ls.docs.get(params.text_document.uri)
        if doc is None:
            return
        doc.text = lf(ls.workspace.get_text_document(doc.uri).source)
        doc.version = params.text_document.version
        ls.schedule(doc.uri)
        ls.interrupt(doc)

    @server.feature(T.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: QuodServer, params: T.DidSaveTextDocumentParams):
        for uri in ls.docs:            # a saved module may be imported by the other open documents
            if uri != params.text_document.uri:
                ls.schedule(uri)

    @server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: QuodServer, params: T.DidCloseTextDocumentParams):
        doc = ls.docs.pop(params.text_document.uri, None)
        if doc is not None:
            ls.interrupt(doc)
        ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    @server.feature("quod/goals")
    async def goals(ls: QuodServer, params):
        doc = ls.docs.get(params.textDocument.uri)
        if doc is None:
            return None
        pos = T.Position(params.position.line, params.position.character)
        return await _goals(ls, doc, pos, GOALS_WAIT)

    @server.feature(T.TEXT_DOCUMENT_HOVER)
    async def hover(ls: QuodServer, params: T.HoverParams):
        doc = ls.docs.get(params.text_document.uri)
        if doc is None:
            return None
        word, line, start, end = ls.word_at(doc, params.position)
        rng = T.Range(T.Position(params.position.line, to_units(line, start)),
                      T.Position(params.position.line, to_units(line, end)))
        text = _name_info(ls, doc, word) if word else None
        if text is None:
            g = await _goals(ls, doc, params.position, 2.0)
            text = g["rendered"] if g is not None and g.get("tactic") is not None else None
        if text is None:
            return None
        return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=text), range=rng)

    @server.feature(T.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: QuodServer, params: T.DefinitionParams):
        doc = ls.docs.get(params.text_document.uri)
        if doc is None:
            return None
        word, line, _, _ = ls.word_at(doc, params.position)
        if word is None:
            return None
        m = re.match(r"\s*import\s+([\w'.]+)", line)
        if m and m.group(1) == word:
            p = ls.module_path(doc, word)
            return [T.Location(_uri(doc, p), T.Range(T.Position(0, 0), T.Position(0, 0)))] if p else None
        out = []
        for path, d in ls.find(doc, word):
            src_lines = d.source.split("\n")
            l0 = d.line + d.name_line - 2
            c0 = d.name_col - 1
            first = _line(src_lines, d.name_line - 1)
            rng = T.Range(T.Position(l0, to_units(first, c0)), T.Position(l0, to_units(first, c0 + len(d.name))))
            out.append(T.Location(_uri(doc, path), rng))
            src = _program_source(doc, path, d)
            if src is not None:
                out.append(src)
        return out or None

    @server.feature(T.TEXT_DOCUMENT_COMPLETION)
    async def completion(ls: QuodServer, params: T.CompletionParams):
        doc = ls.docs.get(params.text_document.uri)
        if doc is None:
            return None
        return await _completion(ls, doc, params.position)

    @server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(ls: QuodServer, params: T.DocumentSymbolParams):
        doc = ls.docs.get(params.text_document.uri)
        if doc is None:
            return None
        lines = doc.text.split("\n")
        out = []
        for d in declarations(doc.text):
            if d.kind not in _SYMBOL or not d.name:
                continue
            end0 = d.end_line - 1
            full = T.Range(T.Position(d.line - 1, 0), T.Position(end0, to_units(_line(lines, end0),
                                                                               len(_line(lines, end0)))))
            l0, c0 = d.line + d.name_line - 2, d.name_col - 1
            sel = _range(lines, l0, c0, l0, c0 + len(d.name))
            detail = d.kind + (" @[" + ", ".join(d.attrs) + "]" if d.attrs else "")
            out.append(T.DocumentSymbol(name=d.name, kind=_SYMBOL[d.kind], range=full, selection_range=sel,
                                        detail=detail))
        return out

    @server.feature(T.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL,
                    T.SemanticTokensLegend(token_types=TOKEN_TYPES, token_modifiers=[]))
    def semantic_tokens(ls: QuodServer, params: T.SemanticTokensParams):
        doc = ls.docs.get(params.text_document.uri)
        if doc is None:
            return None
        return T.SemanticTokens(data=semantic_tokens_of(doc.text, _known_names(ls, doc)))

    return server


async def _goals_at(ls: QuodServer, doc: Doc, pos: T.Position, wait: float):
    """The tactic at an LSP position and the states around it (see ``incremental.goals_at``), and the
    lines of the text that check read."""
    run = await ls.current_run(doc, pos.line + 1, wait)
    if run is None:
        return None, []
    lines = doc.run_text.split("\n") if doc.run is run else doc.text.split("\n")
    col = to_index(_line(lines, pos.line), pos.character) + 1
    return goals_at(run, pos.line + 1, col), lines


async def _goals(ls: QuodServer, doc: Doc, pos: T.Position, wait: float) -> dict | None:
    g, lines = await _goals_at(ls, doc, pos, wait)
    if g is None:
        return None
    out = render_goals(g)
    if g.tactic is not None:
        p = g.tactic.pos
        l0 = g.decl.line + p.line - 2
        text = _line(lines, l0)
        out["range"] = {"start": {"line": l0, "character": to_units(text, p.col - 1)},
                        "end": {"line": l0, "character": to_units(text, word_end(text, p.col - 1))}}
    return out


def _scope(ls: QuodServer, doc: Doc, line: int):
    """The state of the declarations above ``line`` (1-based), from the latest check."""
    run = doc.run or doc.last
    if run is None or not run.states:
        return None
    i = run.index_at(line)
    return run.state_before(i if i is not None else 0)


async def _completion(ls: QuodServer, doc: Doc, pos: T.Position) -> T.CompletionList:
    from kernel import show
    from tactics.parser import tactic_names
    lines = doc.text.split("\n")
    line = _line(lines, pos.line)
    items: dict[str, T.CompletionItem] = {}

    def add(label, kind, detail=None):
        if label not in items:
            items[label] = T.CompletionItem(label=label, kind=kind, detail=detail)

    m = re.match(r"\s*import\s+", line)
    if m and to_index(line, pos.character) >= m.end():
        for name in _modules(ls):
            add(name, T.CompletionItemKind.Module, "module")
        return T.CompletionList(is_incomplete=False, items=list(items.values()))
    g, _ = await _goals_at(ls, doc, pos, 0.5)
    st = None if g is None else g.after if g.after is not None else g.before
    if st is not None and st.goals:
        goal = st.goals[0]
        for h, f in goal.hyps:
            add(h, T.CompletionItemKind.Variable, show(f, False))
        for x in goal.vars:
            add(x, T.CompletionItemKind.Variable, "int")
    for t in tactic_names():
        add(t, T.CompletionItemKind.Keyword, "tactic")
    for k in KEYWORDS:
        add(k, T.CompletionItemKind.Keyword, "keyword")
    scope = _scope(ls, doc, pos.line + 1)
    if scope is not None:
        for name, t in scope.env.theorems().items():
            add(name, T.CompletionItemKind.Constant, show(t.statement, False))
        for name, d in scope.env.definitions().items():
            add(name, T.CompletionItemKind.Function, f"{name}({', '.join(d.params)})")
        for name, p in scope.programs.items():
            add(name, T.CompletionItemKind.Class, f"program ({p.language})")
    return T.CompletionList(is_incomplete=False, items=list(items.values()))


def _modules(ls: QuodServer) -> list[str]:
    out = set()
    for base in ls.loader.paths:
        try:
            for p in Path(base).rglob("*.proof"):
                out.add(".".join(p.relative_to(base).with_suffix("").parts))
        except OSError:
            continue
    return sorted(out)


def _name_info(ls: QuodServer, doc: Doc, word: str) -> str | None:
    """Markdown about a theorem, definition, program or module named ``word``."""
    from kernel import KernelError, show
    run = doc.run or doc.last
    state = run.final if run is not None and run.final is not None else (run.states[-1] if run and run.states
                                                                          else None)
    lines = doc.text.split("\n")
    if any(re.match(r"\s*import\s+" + re.escape(word) + r"\s*$", x) for x in lines):
        p = ls.module_path(doc, word)
        if p is not None:
            return f"module `{word}`\n\n{p}"
    found = ls.find(doc, word)
    where = ""
    if found and found[0][0] is not None and found[0][0] != doc.path:
        where = f"\n\nfrom {found[0][0]}"
    env = state.env if state is not None else None
    if env is not None:
        try:
            t = env.theorem(word)
            ax = f"\n\nrests on: {', '.join(sorted(t.axioms))}" if t.axioms else "\n\nno axioms (kernel rules only)"
            return f"```quod\ntheorem {word} : {show(t.statement, False)}\n```{ax}{where}"
        except KernelError:
            pass
        try:
            d = env.definition(word)
            if found and found[0][1].kind == "def":      # as it was written
                return "```quod\n" + "\n".join(found[0][1].source.split("\n")[:12]) + "\n```" + where
            sort = "int" if d.sort == "term" else "Prop"
            params = f" ({' '.join(d.params)} : int)" if d.params else ""
            body = show(d.body, False)
            measure = f"\n  decreasing {show(d.measure, False)}" if d.measure is not None else ""
            return f"```quod\ndef {word}{params} : {sort} := {body}{measure}\n```{where}"
        except KernelError:
            pass
        prog = state.programs.get(word)
        if prog is not None:
            params = ", ".join(f"{x} : {t}" for x, t in prog.params)
            result = f" -> {prog.result}" if prog.result else ""
            src = ""
            for path, d in found:
                loc = _program_source(doc, path, d)
                if loc is not None:
                    file = Path(to_fs_path(loc.uri))
                    lines = file.read_text(encoding="utf-8", errors="replace").split("\n")
                    first = loc.range.start.line
                    excerpt = "\n".join(lines[first:first + 12])
                    lang = "python" if prog.language == "python" else "c"
                    src = f"\n\nfrom {file}, line {first + 1}:\n\n```{lang}\n{excerpt}\n```"
            return f"```quod\nprogram {word}({params}){result}\n```\n\n{prog.language} program{src}"
    for path, d in found:            # declared but not admitted (it failed), or not checked yet
        head = d.source.split("\n")[:8]
        return "```quod\n" + "\n".join(head) + "\n```" + where
    return None


def _program_source(doc: Doc, path: Path | None, d: Decl) -> T.Location | None:
    """A `program NAME from c "FILE" [function F]`: where F (or NAME) is defined in FILE."""
    if d.kind != "program":
        return None
    m = re.search(r'from\s+(c|python)\s+"([^"\n]*)"(?:\s+function\s+([A-Za-z_]\w*))?', d.text)
    if not m:
        return None
    base = path.parent if path is not None else Path.cwd()
    src = program_file(m.group(2), base)
    fn = m.group(3) or d.name
    line0 = 0
    try:
        text = src.read_text(encoding="utf-8")
    except OSError:
        return None
    pat = (re.compile(r"^\s*def\s+" + re.escape(fn) + r"\b") if m.group(1) == "python" else
           re.compile(r"^[^;#{}]*\b" + re.escape(fn) + r"\s*\("))
    for i, x in enumerate(text.split("\n")):
        if pat.search(x):
            line0 = i
            break
    uri = from_fs_path(str(src))
    return T.Location(uri, T.Range(T.Position(line0, 0), T.Position(line0, 0))) if uri else None


def _known_names(ls: QuodServer, doc: Doc) -> tuple[set, set, set]:
    run = doc.run or doc.last
    state = run.final if run is not None and run.final is not None else (run.states[-1] if run and run.states
                                                                          else None)
    if state is None:
        return set(), set(), set()
    return set(state.env.theorems()), set(state.env.definitions()), set(state.programs)


_KEYWORD_SET = {"theorem", "lemma", "def", "axiom", "import", "program", "proof", "qed", "by", "decreasing",
                "check", "eval", "search", "print", "axioms", "forall", "exists", "and", "or", "not", "if",
                "then", "else", "true", "false", "int", "Prop", "terminates", "diverges", "from", "with", "at",
                "function", "u32", "i32", "i64", "when"}


def semantic_tokens_of(text: str, names: tuple[set, set, set], tactics: set | None = None) -> list[int]:
    """LSP semantic tokens (relative encoding) for keywords, tactics, theorem and definition names,
    programs, numbers, strings, comments and operators; positions in UTF-16 units."""
    if tactics is None:
        from tactics.parser import tactic_names
        tactics = set(tactic_names())
    theorems, defs, programs = names
    kinds = {k: i for i, k in enumerate(TOKEN_TYPES)}
    data: list[int] = []
    prev_line, prev_col = 0, 0
    depth = 0                               # of /- ... -/ comments open at the start of a line
    for ln, line in enumerate(text.split("\n")):
        spans = []
        i = 0
        if depth:
            i, depth = _block_end(line, 0, depth)
            spans.append((0, i, "comment"))
        while not depth:
            m = _TOKENS.search(line, i)
            if m is None:
                break
            kind = m.lastgroup
            if kind == "open":
                i, depth = _block_end(line, m.end(), 1)
                spans.append((m.start(), i, "comment"))
                continue
            i = m.end()
            if kind == "word":
                w = m.group()
                kind = ("keyword" if w in _KEYWORD_SET else "macro" if w in tactics else
                        "function" if w in defs or w in theorems else "class" if w in programs else None)
            if kind is not None:
                spans.append((m.start(), m.end(), kind))
        for s, e, kind in spans:
            if e <= s:
                continue
            us, ue = to_units(line, s), to_units(line, e)
            delta_line = ln - prev_line
            data += [delta_line, us - prev_col if delta_line == 0 else us, ue - us, kinds[kind], 0]
            prev_line, prev_col = ln, us
    return data


def _block_end(line: str, i: int, depth: int) -> tuple[int, int]:
    """Where a nested /- -/ comment open to ``depth`` ends on this line (index, depth left)."""
    while i < len(line):
        if line.startswith("/-", i):
            depth, i = depth + 1, i + 2
        elif line.startswith("-/", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i, 0
        else:
            i += 1
    return len(line), depth


def run_lsp(args=None) -> int:
    """Serve on standard input and output until the client says exit."""
    server = make_server()
    server.start_io()
    server.stop()
    return 0


__all__ = ["make_server", "run_lsp", "QuodServer", "render_goals", "goal_text", "semantic_tokens_of"]
