"""``quod check``: batch checking with a report, a cache and parallel files.

One line per theorem, then a summary. Exit code 0 when everything checked, 1
when something failed (or rests on ``sorry``; with ``--strict`` also on an
oracle or an axiom), 2 for usage and I/O errors (a missing path).

Proofs are cached in the user's cache directory (``--cache-dir``, ``$QUOD_CACHE_DIR``; see
``quod/cache.py``): a warm run still parses and elaborates every file, but takes
each theorem's proof term from the cache instead of running tactics and z3, and
the kernel re-checks it against the statement as it reads now before it is
reported, marked "cached, re-checked". A stale or forged entry can at worst fail
to help.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

from .cli import VERSION

ROOT = Path(__file__).resolve().parent.parent
_ERROR_LINE = re.compile(r"([^\n]*?):(\d+):\d+: error: ")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# ---- which files ---------------------------------------------------------------------------

def collect(paths: list[str], explicit: bool = True) -> tuple[list[Path], list[str]]:
    """The .proof files under ``paths`` (each once) and the I/O errors met on the way."""
    files, errors = [], []
    for p in paths:
        path = Path(p)
        try:
            if path.is_dir():
                found = []
                for f in sorted(path.rglob("*.proof")):
                    if f.is_file():
                        found.append(f)
                    elif not f.is_dir():      # a FIFO would block the check for ever, a device fill memory
                        print(f"quod check: warning: {f}: not a regular file; skipped", file=sys.stderr)
                if not found and explicit:       # nothing checked is not a success
                    errors.append(f"quod check: error: no .proof files in {p}")
                files.extend(found)
            elif path.is_file():
                files.append(path)
            elif explicit:
                what = "not a regular file" if os.path.exists(path) else "no such file or directory"
                errors.append(f"quod check: error: {p}: {what}")
        except OSError as exc:
            errors.append(f"quod check: error: {p}: {exc.strerror or exc}")
    seen, out = set(), []
    for f in files:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            out.append(f)
    return out, errors


# ---- checking one file -----------------------------------------------------------------------

def check_one(path_str: str, emit: str | None = None, use_cache: bool = False, statements: bool = False) -> dict:
    """Check one file (in this process's loader); a plain dict so it can cross process boundaries."""
    try:
        return _check_one(path_str, emit, use_cache, statements)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:        # a bug, not the user's fault: say so, without a traceback
        if os.environ.get("QUOD_DEBUG"):
            raise
        what = "out of memory" if isinstance(exc, MemoryError) else f"{type(exc).__name__}: {exc}"
        return _failure(f"{path_str}: error: internal error while checking this file ({_short(what)}); "
                        f"please report it (QUOD_DEBUG=1 shows the traceback)")


def _failure(message: str) -> dict:
    return {"results": [], "messages": [], "errors": [message], "cached": False}


def _relative(exc):
    """Errors name files as the user would: relative to the current directory when inside it."""
    pos = exc.pos
    if pos is not None and os.path.isabs(pos.file):
        try:
            rel = os.path.relpath(pos.file)
        except ValueError:
            rel = pos.file
        if not rel.startswith(".."):
            exc.pos = type(pos)(rel, pos.line, pos.col)
    return exc


def _short(s: str, n: int = 200) -> str:
    return s if len(s) <= n else s[:n] + "..."


_LOADER = None


def _loader(use_cache: bool = False, statements: bool = False):
    """One loader per process: the prelude and shared imports are checked once, not once per file."""
    global _LOADER
    from .loader import Loader, search_path
    if _LOADER is None or list(_LOADER.paths) != list(search_path()) or (_LOADER.store is not None) != use_cache \
            or _LOADER.show_statements != statements:
        _LOADER = Loader()
        _LOADER.show_statements = statements
        if use_cache:
            from .cache import Store
            _LOADER.store = Store()
    return _LOADER


def _closure(loader, mod) -> list:
    """``mod`` and every module it rests on (its imports, transitively, and the prelude)."""
    from .loader import PRELUDE
    out, todo = {}, [mod]
    try:
        todo.append(loader.module(PRELUDE))
    except Exception:
        pass
    while todo:
        m = todo.pop()
        if m.path in out:
            continue
        out[m.path] = m
        for p in m.import_paths.values():
            if p is not None and p in loader.modules:
                todo.append(loader.modules[p])
    return list(out.values())


def _check_one(path_str: str, emit: str | None, use_cache: bool, statements: bool) -> dict:
    from dataclasses import asdict

    from tactics.syntax import QuodError

    from .loader import format_error
    loader = _loader(use_cache, statements)
    path = Path(path_str)
    try:
        mod = loader.load(path)
    except QuodError as exc:
        return _failure(format_error(_relative(exc)))
    except RecursionError:
        return _failure(f"{path}: error: this file is nested too deeply to check")
    closure = _closure(loader, mod)
    out = {"results": [asdict(r) for r in mod.results],
           "messages": [{"file": p.file, "line": p.line, "col": p.col, "text": m} for p, m in mod.messages],
           "cached": mod.cache_entry is not None and not mod.recomputed,
           # items that failed outright (a parse error, a rejected def); the rest of the file was checked
           "errors": [str(e) for e in getattr(mod, "errors", None) or []]}
    # an import with errors, or with a theorem that did not check, is an error of this file too: shown at
    # its own place (report() leaves out those of modules that are checked in this run anyway)
    out["imported"] = []
    for m in closure:
        if m is mod:
            continue
        out["errors"].extend(str(e) for e in getattr(m, "errors", None) or [] if str(e) not in out["errors"])
        for r in m.results:
            if r.error and (r.status == "failed" or r.status == "don't know" and r.expected != "dont_know"):
                out["imported"].append({"path": str(m.path), "text": f"{r.error}\nnote: {r.name} ({r.status}) is in "
                                        f"module {m.name}, which {path} imports"})
    if emit:
        out["errors"].extend(_emit(mod, Path(emit)))
    return out


def _emit(mod, outdir: Path) -> list[str]:
    """Write each proved theorem's proof term; a write that fails (a full disk, a read-only
    directory) is an error at that theorem, and the file's results are kept."""
    from kernel.export import export_theorem
    from tactics.syntax import Pos, QuodError

    from .loader import format_error
    errors = []
    for r in mod.results:
        if r.status in ("proved", "sorry", "oracle"):
            target = outdir / f"{mod.path.stem}.{r.name}.json"
            tmp = target.with_name(target.name + ".tmp")
            try:
                outdir.mkdir(parents=True, exist_ok=True)
                tmp.write_text(export_theorem(mod.env, r.name), encoding="utf-8")
                os.replace(tmp, target)
            except OSError as exc:
                try:
                    tmp.unlink()
                except OSError:
                    pass
                err = QuodError(Pos(r.file, r.line, 1), f"cannot write the proof of {r.name} to {target}: "
                                f"{exc.strerror or exc}")
                errors.append(format_error(_relative(err)))
    return errors


class Progress:
    """A progress bar on a terminal (rich's), naming the file being checked as the user would."""

    def __init__(self, total: int):
        self.total, self.bar, self.task = total, None, None
        if total > 1 and sys.stderr.isatty() and os.environ.get("TERM") != "dumb":
            try:
                from rich.console import Console
                from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn
            except ImportError:         # rich is a dependency; a broken install still checks, without a bar
                return
            console = Console(file=sys.stderr, no_color=bool(os.environ.get("NO_COLOR")))
            self.bar = Bar(BarColumn(bar_width=30), MofNCompleteColumn(), TextColumn("{task.description}"),
                           console=console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("", total=total)

    def start(self, path) -> None:
        if self.bar is not None:
            self.bar.update(self.task, description=f"checking {_as_user_sees(path)}")
            self.bar.refresh()

    def step(self, path) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=1, description=f"checked {_as_user_sees(path)}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _as_user_sees(path) -> str:
    """A path relative to the current directory when it is inside it (as the results name files)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


# ---- the command ---------------------------------------------------------------------------

def run_check(args) -> int:
    global _LOADER
    _LOADER = None           # each run reads the files afresh (the loader is shared by the files of one run)
    explicit = bool(args.paths)
    from .loader import THEORIES
    paths = args.paths or [str(THEORIES)] + ([str(ROOT / "proofs")] if (ROOT / "proofs").is_dir() else [])
    if not explicit and (ROOT / "examples").is_dir():    # the bundled proofs read the bundled examples
        os.environ["QUOD_ALLOW_PATH"] = os.pathsep.join(
            [str(ROOT / "examples")] + [p for p in os.environ.get("QUOD_ALLOW_PATH", "").split(os.pathsep) if p])
    files, errors = collect(paths, explicit)
    for e in errors:
        print(e, file=sys.stderr)
    if errors and not files:
        return 2
    if args.jobs < 1:
        print("quod check: error: -j needs a positive number", file=sys.stderr)
        return 2
    if args.emit_proofs:
        try:
            Path(args.emit_proofs).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            print(f"quod check: error: {args.emit_proofs}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    use_cache = not args.no_cache
    if getattr(args, "cache_dir", None):
        os.environ["QUOD_CACHE_DIR"] = str(Path(args.cache_dir).resolve())     # workers inherit it
    statements = bool(args.json or args.show_statement)
    outcomes: dict[Path, dict] = {}
    todo = files
    progress = Progress(len(todo))

    def done(f, outcome):
        outcomes[f] = outcome
        progress.step(f)

    if args.jobs > 1 and len(todo) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        if multiprocessing.get_start_method() == "fork":
            try:            # forked workers inherit the imports and the checked prelude
                _loader(use_cache, statements).prelude()
            except Exception:
                pass
        with ProcessPoolExecutor(max_workers=min(args.jobs, len(todo)), initializer=_orphan_guard,
                                 initargs=(os.getpid(),)) as pool:
            futs = {f: pool.submit(check_one, str(f), args.emit_proofs, use_cache, statements) for f in todo}
            for f in todo:
                progress.start(f)
                try:
                    outcome = futs[f].result()
                except Exception as exc:      # a worker died (killed, out of memory)
                    outcome = _failure(f"{f}: error: the worker checking this file died ({type(exc).__name__})")
                done(f, outcome)
    else:
        for f in todo:
            progress.start(f)
            done(f, check_one(str(f), args.emit_proofs, use_cache, statements))
    progress.close()
    code = report(files, outcomes, args)
    return 2 if errors else code


def _orphan_guard(parent: int) -> None:
    """In a ``-j`` worker: end when the parent ``quod check`` is gone (killed with -9, it cannot tell
    its workers), rather than go on checking for nobody. Linux ends it at once (PR_SET_PDEATHSIG);
    elsewhere a thread notices within a second that the parent changed."""
    import signal
    import threading
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)          # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:          # the parent died before the request took effect
        os._exit(1)

    def watch():
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)
    threading.Thread(target=watch, name="quod-orphan-guard", daemon=True).start()


def _failed(r: dict, strict: bool) -> bool:
    if r["status"] == "don't know" and r.get("expected") == "dont_know":
        return False        # @[expect_dont_know]: an open question, stated as such
    if r["status"] in ("failed", "sorry", "don't know"):
        return True
    return strict and r["status"] == "oracle"


def _safe(text: str) -> str:
    """No terminal control characters from a (possibly binary) source file reach the screen."""
    return _CONTROL.sub("?", text.replace("\r\n", "\n").replace("\ufeff", ""))


def summarize(results: list[dict], strict: bool) -> dict:
    theorems = [r for r in results if r["status"] != "axiom"]
    n = {s: sum(1 for r in theorems if r["status"] == s) for s in ("proved", "failed", "don't know", "sorry",
                                                                     "oracle")}
    counts = {"theorems": len(theorems), "proved": n["proved"], "failed": n["failed"],
              "dont_know": n["don't know"], "using_oracles": n["sorry"] + n["oracle"],
              "cached": sum(1 for r in theorems if r.get("cached"))}
    if strict:
        counts["failed"] += n["sorry"] + n["oracle"]
    return counts


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(c: dict) -> str:
    return (f"{_plural(c['theorems'], 'theorem')}: {c['proved']} proved, {c['failed']} failed, "
            f"{c['dont_know']} don't know, {c['using_oracles']} using oracles")


def _json_status(status: str) -> str:
    """One spelling of don't know in JSON, as in the counts: dont_know."""
    return "dont_know" if status == "don't know" else status


def _imported_failures(files, outcomes) -> list[str]:
    """Theorems of imported modules that did not check, not already reported as a file of this run."""
    checked = {str(Path(f).resolve()) for f in files}
    out = []
    for f in files:
        for e in outcomes[f].get("imported", []):
            if e["path"] not in checked and e["text"] not in out:
                out.append(e["text"])
    return out


def _position(text: str) -> tuple[str, int, int] | None:
    m = re.match(r"([^\n]*?):(\d+):(\d+): (?:error|note): ", text)
    return (m.group(1), int(m.group(2)), int(m.group(3))) if m else None


def _message(text: str, severity: str) -> dict:
    at = _position(text)
    file, line, col = at if at else (text.split(":")[0], None, None)
    return {"file": file, "line": line, "col": col, "severity": severity, "text": text}


def report(files, outcomes, args) -> int:
    results = [r for f in files for r in outcomes[f]["results"]]
    file_errors = list(dict.fromkeys(e for f in files for e in outcomes[f]["errors"]))
    imported = _imported_failures(files, outcomes)
    counts = summarize(results, args.strict)
    bad = bool(file_errors) or bool(imported) or any(_failed(r, args.strict) for r in results)
    code = 1 if bad else 0
    if args.json:
        theorems, messages = [], []
        for f in files:
            for m in outcomes[f]["messages"]:
                messages.append(dict(m, severity="info"))
        for r in results:
            t = {k: v for k, v in r.items()}
            t["status"] = _json_status(r["status"])
            t["ok"] = r["status"] == "axiom" or not _failed(r, args.strict)
            theorems.append(t)
            if r.get("error"):
                messages.append(_message(_error_text(r, args.strict), "error" if not t["ok"] else "note"))
        messages.extend(_message(e, "error") for e in file_errors + imported)
        doc = {"version": VERSION, "files": [str(f) for f in files], "theorems": theorems,
               "messages": messages,
               "cached": [str(f) for f in files if outcomes[f].get("cached")],
               "errors": file_errors + imported, "counts": counts, "summary": summary_line(counts),
               "strict": bool(args.strict), "ok": not bad, "exit_code": code}
        print(json.dumps(doc, indent=2))
        return code
    out = Output()
    loc_w = max([len(f"{r['file']}:{r['line']}") for r in results] + [20])
    shown_errors: set[str] = set()
    name_w = max([len(r["name"]) for r in results] + [10])
    n_errors, error_files = 0, set()
    for f in files:
        o = outcomes[f]
        lines = []     # (line, order, text): theorems and messages in source order
        for i, r in enumerate(o["results"]):
            text = _result_text(r, args.strict, loc_w, name_w)
            if r.get("error") and _failed(r, args.strict):
                n_errors += 1
                error_files.add(r["file"])
            if args.show_statement and r.get("statement") is not None:
                from .statement import indented
                text += "\n" + indented(r["statement"], "  statement: ", " " * len("  statement: "))
            lines.append((r["line"], i, text))
        for i, m in enumerate(o["messages"]):
            lines.append((m["line"], len(o["results"]) + i, f"{m['file']}:{m['line']}:{m['col']}: info: {m['text']}"))
        for i, e in enumerate(o["errors"]):
            if e in shown_errors:       # an imported module's error, already shown for another file
                continue
            shown_errors.add(e)
            at = _ERROR_LINE.match(e)
            n_errors += 1
            error_files.add(at.group(1) if at else e.split(":")[0])
            lines.append((int(at.group(2)) if at else 1 << 60, len(o["results"]) + len(o["messages"]) + i, e))
        for _, _, text in sorted(lines):
            out.line(_safe(text))
    for e in imported:          # a theorem of an imported module (not itself checked here) that failed
        out.line(_safe(e))
        n_errors += 1
        at = _ERROR_LINE.match(e)
        error_files.add(at.group(1) if at else e.split(":")[0])
    if n_errors:
        # each failed theorem has one error; say what the others are about, so the counts add up
        in_theorems = sum(1 for r in results if r["status"] in ("failed", "don't know") and _failed(r, args.strict))
        others = n_errors - in_theorems
        why = f" ({in_theorems} in failed theorems, {others} elsewhere)" if in_theorems and others > 0 else ""
        out.line(f"{_plural(n_errors, 'error')} in {_plural(len(error_files), 'file')}{why}")
    out.line(summary_line(counts))
    return code


class Output:
    """Lines to standard output; on a terminal (and unless NO_COLOR is set) in colour, through rich."""

    STYLES = [(re.compile(r"(?<= )proved(?= )"), "green"), (re.compile(r"(?<= )failed(?= )"), "bold red"),
              (re.compile(r"(?<= )don't know(?= )"), "yellow"), (re.compile(r"(?<= )(oracle|sorry)(?= )"), "magenta"),
              (re.compile(r": error: "), "bold red"), (re.compile(r": (note|info): "), "cyan"),
              (re.compile(r"^hint: ", re.M), "cyan"), (re.compile(r"^ *\^$", re.M), "bold red")]

    def __init__(self):
        self.console = None
        if os.environ.get("NO_COLOR"):
            return
        force = os.environ.get("FORCE_COLOR")
        if not (sys.stdout.isatty() or force) or os.environ.get("TERM") == "dumb" and not force:
            return
        try:
            from rich.console import Console
        except ImportError:
            return
        self.console = Console(file=sys.stdout, highlight=False, soft_wrap=True, force_terminal=True,
                               emoji=False, markup=False)

    def line(self, text: str) -> None:
        if self.console is None:
            print(text)
            return
        from rich.text import Text
        t = Text(text)
        for pattern, style in self.STYLES:
            for m in pattern.finditer(text):
                t.stylize(style, m.start(), m.end())
        self.console.print(t)


def _error_text(r: dict, strict: bool) -> str:
    """A theorem's error block; an expected don't know (a passing run) is a note, not an error."""
    text = r["error"]
    if r["status"] == "don't know" and not _failed(r, strict):
        text = re.sub(r"^([^\n]*?:\d+:\d+): error: ", r"\1: note: ", text, count=1)
    return text


def _result_text(r: dict, strict: bool, loc_w: int, name_w: int) -> str:
    loc = f"{r['file']}:{r['line']}"
    status = r["status"]
    axioms = r.get("axioms") or []
    cached = r.get("cached")
    if status == "axiom":
        extra = "(declared, not proved)"
    elif strict and status in ("oracle", "sorry"):
        status, extra = "failed", f"(--strict: rests on {', '.join(axioms) or 'an oracle'}" + \
            ("; cached, re-checked)" if cached else ")")
    elif status in ("proved", "oracle", "sorry"):
        # a cached proof was re-checked by the kernel just now; its ms are the re-check's
        extra = f"({r['detail']}, {'cached, re-checked, ' if cached else ''}{r['ms']:.0f} ms)"
        if axioms:
            extra += f" [axioms: {', '.join(axioms)}]"
    else:
        extra = f"({r['detail']}; cached)" if cached else f"({r['detail']})"
    if r.get("expected") == "dont_know" and r["status"] == "don't know":
        extra += " (expected: @[expect_dont_know])"
    text = f"{loc:<{loc_w}} {r['name']:<{name_w}} {status:<10} {extra}".rstrip()
    if r.get("error"):
        text += "\n" + _error_text(r, strict)
    return text


__all__ = ["run_check", "check_one", "collect", "summarize", "summary_line"]
