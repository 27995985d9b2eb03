"""``quod repl``: the interactive front end over ``Session``.

On a terminal it uses prompt-toolkit (highlighting, completion, history in the
user's data directory, a bottom toolbar, multi-line blocks); otherwise it
reads commands line by line and prints plain text, so it can be scripted.
Ctrl-C during a long step (``smt``, ``hammer``) cancels that step and keeps the
state; Ctrl-C at the prompt clears the line; Ctrl-D with unsaved work asks.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from pathlib import Path

from .session import INTERRUPTED, REPL_COMMANDS, Session


def history_file() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    d = Path(base) / "quod"
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    return d / "history"


PROGRESS_AFTER = 1.0     # seconds before a running step says that it is working


def run_interruptible(session: Session, text: str, progress=None) -> str:
    """Run one input in a worker thread so that Ctrl-C can cancel it.

    The worker signals the end with an Event rather than being joined: a ``Thread.join``
    interrupted by KeyboardInterrupt can report a running thread as finished (CPython 3.11).
    After Ctrl-C the session's ``cancel`` flag makes a proof step discard its result, z3 is
    interrupted until the worker is done, and a worker busy in Python code (a long ``linarith``,
    the reconstruction after z3) gets an exception raised in it; the next input never runs
    beside the old one. If the input completed anyway (Ctrl-C came too late), its real output
    is returned. ``progress(seconds)`` (on a terminal) is called about once a second after the first
    ``PROGRESS_AFTER`` seconds, and ``progress(None)`` at the end if it was called at all.
    """
    box: dict = {}
    done = threading.Event()

    def work():
        try:
            box["out"] = session.handle(text)
            box["completed"] = True
        except EOFError:
            box["eof"] = True
        except BaseException as exc:  # noqa: BLE001 - reported to the user, never a traceback
            box["out"] = f"error: {type(exc).__name__}: {exc}"
        finally:
            while not done.is_set():    # an exception raised in this thread may land even here
                try:
                    done.set()
                except BaseException:  # noqa: BLE001
                    pass

    _quiet_z3(load=True)
    session.cancel.clear()
    worker = threading.Thread(target=work, daemon=True)
    t_start = time.monotonic()
    shown = [False]

    def tick() -> None:
        waited = time.monotonic() - t_start
        if progress is not None and waited >= PROGRESS_AFTER and (not shown[0] or waited - shown[1] >= 1.0):
            shown[:] = [True, waited]
            progress(int(waited))
    worker.start()
    try:
        while not done.wait(0.05):
            tick()
    except KeyboardInterrupt:
        session.cancel.set()
        t0 = time.monotonic()
        next_raise = t0 + 0.3
        while not done.is_set():
            try:
                while not done.wait(0.05):
                    _interrupt_z3()
                    if time.monotonic() >= next_raise:
                        _raise_in(worker, done)
                        next_raise = time.monotonic() + 1.0
            except KeyboardInterrupt:
                continue            # a second Ctrl-C: still waiting for the worker to stop
        _settle_z3()
        if box.get("completed"):
            return box["out"]
        return INTERRUPTED
    finally:
        _quiet_z3()
        if shown[0]:
            progress(None)
    if box.get("eof"):
        raise EOFError
    return box.get("out", "")


def _raise_in(worker: threading.Thread, done: threading.Event) -> None:
    """Raise SystemExit in the worker at its next Python instruction. SystemExit: not caught by
    ``except Exception`` in tactics, and silently dropped by threading if it lands after the work."""
    if done.is_set() or worker.ident is None:
        return
    import ctypes
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(SystemExit))


def _quiet_z3(load: bool = False) -> None:
    """Stop z3 from catching SIGINT itself: then Ctrl-C reaches Python and cancels the whole step
    (z3's own handler cancels one call, and `first | smt | t` goes on). With ``load``, z3 is
    imported for this (once, about 40 ms; the front end's warm-up has usually done it already)."""
    if getattr(_quiet_z3, "done", False):
        return
    z3 = sys.modules.get("z3")
    if z3 is None and load:
        try:
            import z3
        except ImportError:
            return
    if z3 is not None:
        try:
            z3.set_param("ctrl_c", False)
            _quiet_z3.done = True
        except Exception:
            pass


def _interrupt_z3() -> None:
    if "z3" in sys.modules:
        try:
            sys.modules["z3"].main_ctx().interrupt()
        except Exception:
            pass


def _settle_z3() -> None:
    """z3's context stays cancelled after an interrupt until its next solver check (a `simplify` then
    gives back its input unsimplified): run one trivial check so nothing later meets the stale flag."""
    z3 = sys.modules.get("z3")
    if z3 is not None:
        try:
            z3.Solver().check()
        except Exception:
            pass


def _warm_up(session: Session) -> None:
    """Background work after the first prompt: the prelude, the tactic engine and z3."""
    try:
        session.ready()
        import tactics.engine  # noqa: F401
        import z3  # noqa: F401
        _quiet_z3()
    except BaseException:  # noqa: BLE001 - the first real input reports any problem
        pass


def read_block(first: str, more, session: Session) -> str:
    """Collect a multi-line block: after a line ending in `by`, `:=` or `proof`, read until a blank line;
    a `program` runs to its closing brace or triple quote (blank lines included)."""
    lines = [first]
    if not session.needs_more(first):
        return first
    program = session.unclosed(first)
    while True:
        if program and not session.unclosed("\n".join(lines)):
            break
        nxt = more()
        if nxt is None or (not nxt.strip() and not program):
            break
        lines.append(nxt)
        if nxt.strip() == "qed" and first.lstrip().startswith(("theorem", "lemma")):
            break
    return "\n".join(lines)


def plain(session: Session, stdin=sys.stdin, out=sys.stdout) -> int:
    """Line-by-line mode for pipes and scripts: no prompt-toolkit, plain text."""
    def more():
        line = stdin.readline()
        return None if line == "" else line.rstrip("\n")
    while True:
        line = more()
        if line is None:
            return 0
        text = read_block(line, more, session)
        try:
            res = session.handle(text)
        except EOFError:
            return 0
        session.question = None     # no one to ask: the refusal says how to overwrite
        if res:
            print(res, file=out, flush=True)


def interactive(session: Session) -> int:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import Completer, Completion
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.lexers import PygmentsLexer

    from .lexer import TACTICS, ProofLexer

    class Words(Completer):
        def get_completions(self, document, complete_event):
            word = document.get_word_before_cursor(WORD=False)
            if not word:
                return
            names = set(TACTICS) | set(REPL_COMMANDS) | set(session.mod.env.order)
            names |= {"theorem", "lemma", "def", "import", "axiom", "print axioms", "check", "eval", "search"}
            if session.proof is not None and session.proof.current.state.goals:
                names |= {h for h, _ in session.proof.current.state.goals[0].hyps}
            for n in sorted(names):
                if n.startswith(word) and n != word:
                    yield Completion(n, start_position=-len(word))

    try:
        hist = FileHistory(str(history_file()))
    except OSError:
        hist = None
    ps = PromptSession(history=hist, lexer=PygmentsLexer(ProofLexer), completer=Words(),
                       bottom_toolbar=lambda: session.toolbar())
    def may_quit() -> bool:
        if not (session.dirty or session.proof is not None):
            return True
        what = (f"unsaved changes to {session.editor.path.name} (save writes them)" if session.editor is not None
                else "unsaved work (use save FILE)")
        try:
            ans = ps.prompt(f"{what}; quit anyway? [y/N] ")
        except EOFError:
            return True         # a second Ctrl-D
        except KeyboardInterrupt:
            return False
        return ans.strip().lower() in ("y", "yes")

    def more():
        try:
            return ps.prompt("... ")
        except EOFError:
            return None         # Ctrl-D ends the block
        # Ctrl-C (KeyboardInterrupt) abandons the whole block

    def warm_up(_app) -> None:          # once the first prompt is drawn, so as not to delay it
        ps.app.after_render -= warm_up
        threading.Thread(target=_warm_up, args=(session,), daemon=True).start()
    ps.app.after_render += warm_up

    def progress(seconds: int | None) -> None:
        """A line that says a long step is still at work, erased when it ends."""
        out = sys.stdout
        if seconds is None:
            out.write("\r\x1b[K")
        else:
            words = progress.text.split(None, 1)
            word = words[0] if words else "this step"
            out.write(f"\r\x1b[K{word}: working, {seconds} s (Ctrl-C stops it)")
        out.flush()
    progress.text = ""

    print("Quod REPL. Type help for help, quit to leave.")
    while True:
        try:
            if not _one_input(session, ps, more, may_quit, progress):
                return 0
        except KeyboardInterrupt:       # Ctrl-C while printing: the output is cut short, the session goes on
            print("\n(interrupted)")
        except Exception as exc:  # noqa: BLE001 - never lose the session (and its unsaved work) to a bug
            print(f"internal error: {type(exc).__name__}: {exc} (please report this; the session goes on)")


def _one_input(session: Session, ps, more, may_quit, progress) -> bool:
    """Read, run and print one input on the terminal; False when the user leaves."""
    session.width = shutil.get_terminal_size((100, 24)).columns
    try:
        line = ps.prompt(session.prompt())
        text = read_block(line, more, session)
    except KeyboardInterrupt:
        return True             # Ctrl-C at the prompt clears the line
    except EOFError:
        return not may_quit()
    progress.text = text
    try:
        res = run_interruptible(session, text, progress)
    except EOFError:        # quit
        return not may_quit()
    if session.question is not None:        # `save` over a file this session did not write: ask
        question, command = session.question
        session.question = None
        try:
            yes = ps.prompt(question).strip().lower() in ("y", "yes")
        except (EOFError, KeyboardInterrupt):
            yes = False
        res = run_interruptible(session, command) if yes else "not saved"
    if res:
        print(res)
    return True


def run_repl(args) -> int:
    tty = sys.stdin.isatty() and sys.stdout.isatty()
    width = shutil.get_terminal_size((100, 24)).columns if tty else _env_width()
    session = Session(ascii=args.ascii, preload=not tty, width=width)   # on a terminal: loaded after the first prompt
    if args.file:
        print(_load(session, args.file))
    if tty:
        return interactive(session)
    return plain(session)


def _env_width() -> int:
    try:
        return max(int(os.environ.get("COLUMNS", "")), 40)
    except ValueError:
        return 100


def _load(session: Session, path: str) -> str:
    from tactics.syntax import QuodError

    from .loader import format_error
    try:
        return session.load_file(path)
    except QuodError as exc:
        return format_error(exc)
