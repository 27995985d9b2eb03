"""``quod check``: batch checking with a report, a cache and parallel files.

One line per theorem, then a summary. Exit code 0 when everything checked, 1
when something failed (or rests on ``sorry``; with ``--strict`` also on an
oracle or an axiom), 2 for usage and I/O errors (a missing path).

Results are cached in ``.quod-cache/`` (in the current directory), one entry
per checked file. An entry is used only when the file, every module it loaded
(its imports, the prelude) and Quod itself are byte-for-byte what they were;
an entry is written to a temporary name and renamed, so a killed run never
leaves a half-written one, and an unreadable or malformed entry is ignored.

A warm run (everything cached) imports neither the kernel nor the parser.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from .cli import VERSION

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = Path(".quod-cache")
CACHE_FORMAT = 2
_ERROR_LINE = re.compile(r"([^\n]*?):(\d+):\d+: error: ")
_TIMEOUT = re.compile(r"time ?out|timed out|time limit|wall.?clock", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_RESULT_KEYS = {"file": str, "line": int, "name": str, "status": str, "detail": str, "ms": (int, float),
                "axioms": list}


# ---- which files ---------------------------------------------------------------------------

def collect(paths: list[str], explicit: bool = True) -> tuple[list[Path], list[str]]:
    """The .proof files under ``paths`` (each once) and the I/O errors met on the way."""
    files, errors = [], []
    for p in paths:
        path = Path(p)
        try:
            if path.is_dir():
                found = sorted(path.rglob("*.proof"))
                if not found and explicit:
                    print(f"quod check: warning: no .proof files in {p}", file=sys.stderr)
                files.extend(found)
            elif path.is_file():
                with open(path, "rb"):
                    pass
                files.append(path)
            elif explicit:
                errors.append(f"quod check: error: {p}: no such file or directory")
        except OSError as exc:
            errors.append(f"quod check: error: {p}: {exc.strerror or exc}")
    seen, out = set(), []
    for f in files:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            out.append(f)
    return out, errors


# ---- the cache -----------------------------------------------------------------------------

def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_implementation: str | None = None


def implementation_stamp() -> str:
    """Quod's version and the size and mtime of its own source files: a changed tactic is a new Quod."""
    global _implementation
    if _implementation is None:
        h = hashlib.sha256(f"{VERSION}\0{sys.version}".encode())
        for sub in ("kernel", "tactics", "quod"):
            try:
                entries = sorted(os.scandir(ROOT / sub), key=lambda e: e.name)
            except OSError:
                continue
            for e in entries:
                if e.name.endswith((".py", ".lark")):
                    try:
                        st = e.stat()
                    except OSError:
                        continue
                    h.update(f"{sub}/{e.name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        _implementation = h.hexdigest()
    return _implementation


class Cache:
    """One entry per source file: ``.quod-cache/<hash of its path>.json``."""

    def __init__(self, directory: Path = CACHE_DIR):
        self.dir = directory
        self._hashes: dict[str, str | None] = {}

    def file_hash(self, path: str) -> str | None:
        if path not in self._hashes:
            try:
                self._hashes[path] = _sha(Path(path).read_bytes())
            except OSError:
                self._hashes[path] = None
        return self._hashes[path]

    def key(self, path: Path) -> str | None:
        content = self.file_hash(str(path.resolve()))
        if content is None:
            return None
        env = os.environ.get("QUOD_PATH", "")
        return _sha(f"{CACHE_FORMAT}\0{implementation_stamp()}\0{path.resolve()}\0{content}\0{env}".encode())

    def entry_path(self, path: Path) -> Path:
        return self.dir / f"{_sha(str(path.resolve()).encode())[:40]}.json"

    def read(self, path: Path, key: str) -> dict | None:
        try:
            entry = json.loads(self.entry_path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        try:
            if entry["format"] != CACHE_FORMAT or entry["key"] != key:
                return None
            for dep, digest in entry["deps"]:
                if self.file_hash(dep) != digest:
                    return None
            outcome = entry["outcome"]
            return outcome if _valid_outcome(outcome) else None
        except (KeyError, TypeError, ValueError):
            return None

    def write(self, path: Path, key: str, outcome: dict) -> None:
        entry = {"format": CACHE_FORMAT, "key": key, "source": str(path.resolve()),
                 "deps": outcome.get("deps", []), "outcome": outcome}
        try:
            self.dir.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(entry, f)
                os.replace(tmp, self.entry_path(path))
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError:
            pass


def _valid_outcome(o) -> bool:
    if not isinstance(o, dict) or o.get("errors") != []:
        return False
    results, messages = o.get("results"), o.get("messages")
    if not isinstance(results, list) or not isinstance(messages, list):
        return False
    for r in results:
        if not isinstance(r, dict):
            return False
        for k, t in _RESULT_KEYS.items():
            if not isinstance(r.get(k), t):
                return False
        if not isinstance(r.get("error"), (str, type(None))):
            return False
    return all(isinstance(m, dict) and isinstance(m.get("text"), str) and isinstance(m.get("line"), int)
               for m in messages)


def _cacheable(outcome: dict) -> bool:
    # A "don't know" that ran out of time may be a yes on a quieter machine: try again next time.
    return not outcome["errors"] and not any(
        r["status"] == "don't know" and _TIMEOUT.search(f"{r.get('detail')} {r.get('error')}")
        for r in outcome["results"])


# ---- checking one file -----------------------------------------------------------------------

def check_one(path_str: str, emit: str | None = None) -> dict:
    """Check one file in a fresh loader; a plain dict so it can cross process boundaries."""
    try:
        return _check_one(path_str, emit)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:        # a bug, not the user's fault: say so, without a traceback
        if os.environ.get("QUOD_DEBUG"):
            raise
        what = "out of memory" if isinstance(exc, MemoryError) else f"{type(exc).__name__}: {exc}"
        return _failure(f"{path_str}: error: internal error while checking this file ({_short(what)}); "
                        f"please report it (QUOD_DEBUG=1 shows the traceback)")


def _failure(message: str) -> dict:
    return {"results": [], "messages": [], "deps": [], "errors": [message]}


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


def _loader():
    """One loader per process: the prelude and shared imports are checked once, not once per file."""
    global _LOADER
    from .loader import Loader, search_path
    if _LOADER is None or list(_LOADER.paths) != list(search_path()):
        _LOADER = Loader()
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
        for name in m.imports:
            try:
                todo.append(loader.modules[loader.resolve(name, None)])
            except Exception:
                continue
    return list(out.values())


def _check_one(path_str: str, emit: str | None) -> dict:
    from dataclasses import asdict

    from tactics.syntax import QuodError

    from .loader import format_error
    loader = _loader()
    path = Path(path_str)
    try:
        mod = loader.load(path)
    except QuodError as exc:
        return _failure(format_error(_relative(exc)))
    except RecursionError:
        return _failure(f"{path}: error: this file is nested too deeply to check")
    closure = _closure(loader, mod)
    deps = sorted([str(m.path), _sha(m.source.encode("utf-8"))] for m in closure)
    out = {"results": [asdict(r) for r in mod.results],
           "messages": [{"file": p.file, "line": p.line, "col": p.col, "text": m} for p, m in mod.messages],
           "deps": deps,
           # items that failed outright (a parse error, a rejected def); the rest of the file was checked
           "errors": [str(e) for e in getattr(mod, "errors", None) or []]}
    for m in closure:      # an import with errors is an error of this file too
        if m is not mod:
            out["errors"].extend(str(e) for e in getattr(m, "errors", None) or [] if str(e) not in out["errors"])
    if emit:
        _emit(mod, Path(emit))
    return out


def _emit(mod, outdir: Path) -> None:
    from kernel.export import export_theorem
    outdir.mkdir(parents=True, exist_ok=True)
    for r in mod.results:
        if r.status in ("proved", "sorry", "oracle"):
            (outdir / f"{mod.path.stem}.{r.name}.json").write_text(export_theorem(mod.env, r.name), encoding="utf-8")


class Progress:
    def __init__(self, total: int):
        self.total, self.done, self.start = total, 0, time.perf_counter()
        self.on = sys.stderr.isatty() and total > 1

    def step(self, name: str) -> None:
        self.done += 1
        if self.on and time.perf_counter() - self.start > 1.0:
            width = 30
            fill = int(width * self.done / self.total)
            sys.stderr.write(f"\r[{'#' * fill}{' ' * (width - fill)}] {self.done}/{self.total} {name[:40]:<40}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.on and time.perf_counter() - self.start > 1.0:
            sys.stderr.write("\r" + " " * 80 + "\r")
            sys.stderr.flush()


# ---- the command ---------------------------------------------------------------------------

def run_check(args) -> int:
    explicit = bool(args.paths)
    paths = args.paths or [str(ROOT / "theories"), str(ROOT / "proofs")]
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
    use_cache = not (args.no_cache or args.emit_proofs)
    cache = Cache()
    outcomes: dict[Path, dict] = {}
    todo = []
    for f in files:
        key = cache.key(f) if use_cache else None
        cached = cache.read(f, key) if key else None
        if cached is not None:
            outcomes[f] = dict(cached, cached=True)
        else:
            todo.append((f, key))
    progress = Progress(len(todo))

    def done(f, key, outcome):
        outcomes[f] = outcome
        progress.step(str(f))
        if key and _cacheable(outcome):
            cache.write(f, key, outcome)

    if args.jobs > 1 and len(todo) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        if multiprocessing.get_start_method() == "fork":
            try:            # forked workers inherit the imports and the checked prelude
                _loader().prelude()
            except Exception:
                pass
        with ProcessPoolExecutor(max_workers=min(args.jobs, len(todo))) as pool:
            futs = {f: pool.submit(check_one, str(f), args.emit_proofs) for f, _ in todo}
            for f, key in todo:
                try:
                    outcome = futs[f].result()
                except Exception as exc:      # a worker died (killed, out of memory)
                    outcome = _failure(f"{f}: error: the worker checking this file died ({type(exc).__name__})")
                done(f, key, outcome)
    else:
        for f, key in todo:
            done(f, key, check_one(str(f), args.emit_proofs))
    progress.close()
    code = report(files, outcomes, args)
    return 2 if errors else code


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
              "dont_know": n["don't know"], "using_oracles": n["sorry"] + n["oracle"]}
    if strict:
        counts["failed"] += n["sorry"] + n["oracle"]
    return counts


def summary_line(c: dict) -> str:
    return (f"{c['theorems']} theorems: {c['proved']} proved, {c['failed']} failed, "
            f"{c['dont_know']} don't know, {c['using_oracles']} using oracles")


def report(files, outcomes, args) -> int:
    results = [r for f in files for r in outcomes[f]["results"]]
    file_errors = list(dict.fromkeys(e for f in files for e in outcomes[f]["errors"]))
    counts = summarize(results, args.strict)
    bad = bool(file_errors) or any(_failed(r, args.strict) for r in results)
    code = 1 if bad else 0
    if args.json:
        theorems = []
        for r in results:
            t = {k: v for k, v in r.items()}
            t["ok"] = r["status"] == "axiom" or not _failed(r, args.strict)
            theorems.append(t)
        doc = {"version": VERSION, "files": [str(f) for f in files], "theorems": theorems,
               "messages": [m for f in files for m in outcomes[f]["messages"]],
               "cached": [str(f) for f in files if outcomes[f].get("cached")],
               "errors": file_errors, "counts": counts, "summary": summary_line(counts),
               "strict": bool(args.strict), "ok": not bad, "exit_code": code}
        print(json.dumps(doc, indent=2))
        return code
    loc_w = max([len(f"{r['file']}:{r['line']}") for r in results] + [20])
    shown_errors: set[str] = set()
    name_w = max([len(r["name"]) for r in results] + [10])
    for f in files:
        o = outcomes[f]
        lines = []     # (line, order, text): theorems and messages in source order
        for i, r in enumerate(o["results"]):
            lines.append((r["line"], i, _result_text(r, args.strict, loc_w, name_w)))
        for i, m in enumerate(o["messages"]):
            lines.append((m["line"], len(o["results"]) + i, f"{m['file']}:{m['line']}:{m['col']}: info: {m['text']}"))
        for i, e in enumerate(o["errors"]):
            if e in shown_errors:       # an imported module's error, already shown for another file
                continue
            shown_errors.add(e)
            at = _ERROR_LINE.match(e)
            lines.append((int(at.group(2)) if at else 1 << 60, len(o["results"]) + len(o["messages"]) + i, e))
        for _, _, text in sorted(lines):
            print(_safe(text))
    if file_errors:
        n_files = len({m.group(1) if (m := _ERROR_LINE.match(e)) else e.split(":")[0] for e in file_errors})
        print(f"{len(file_errors)} error{'s' if len(file_errors) != 1 else ''} in {n_files} "
              f"file{'s' if n_files != 1 else ''}")
    print(summary_line(counts))
    return code


def _result_text(r: dict, strict: bool, loc_w: int, name_w: int) -> str:
    loc = f"{r['file']}:{r['line']}"
    status = r["status"]
    axioms = r.get("axioms") or []
    if status == "axiom":
        extra = "(declared, not proved)"
    elif strict and status in ("oracle", "sorry"):
        status, extra = "failed", f"(--strict: rests on {', '.join(axioms) or 'an oracle'})"
    elif status in ("proved", "oracle", "sorry"):
        extra = f"({r['detail']}, {r['ms']:.0f} ms)"
        if axioms:
            extra += f" [axioms: {', '.join(axioms)}]"
    else:
        extra = f"({r['detail']})"
    text = f"{loc:<{loc_w}} {r['name']:<{name_w}} {status:<10} {extra}".rstrip()
    if r.get("error"):
        text += "\n" + r["error"]
    return text


__all__ = ["run_check", "check_one", "collect", "Cache", "summarize", "summary_line"]
