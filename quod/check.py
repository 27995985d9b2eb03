"""``quod check``: batch checking with a report, a cache and parallel files.

One line per theorem, then a summary. Results are cached in ``.quod-cache/``
under a key made of the file's content, the content of everything it imports
(the prelude included) and the Quod version; a cache file is written to a
temporary name and renamed, so a killed run never leaves a corrupt entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from .cli import VERSION
from .loader import ROOT, THEORIES, Loader, Result, format_error

CACHE_DIR = Path(".quod-cache")
_IMPORT = re.compile(r"^import\s+([A-Za-z_][\w'.]*)", re.M)


def collect(paths: list[str]) -> tuple[list[Path], list[str]]:
    files, errors = [], []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files.extend(sorted(path.rglob("*.proof")))
        elif path.is_file():
            files.append(path)
        else:
            errors.append(f"quod check: error: {p}: no such file or directory")
    seen, out = set(), []
    for f in files:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            out.append(f)
    return out, errors


def cache_key(path: Path, loader: Loader) -> str | None:
    """Hash of the file, its import closure and the version; None if an import cannot be resolved."""
    h = hashlib.sha256(VERSION.encode())
    todo, seen = [path.resolve()], set()
    prelude = None
    try:
        prelude = loader.resolve("integers.prelude", None)
    except Exception:
        pass
    if prelude is not None:
        todo.append(prelude)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            data = p.read_bytes()
        except OSError:
            return None
        h.update(str(p).encode() + b"\0" + hashlib.sha256(data).digest())
        text = data.decode("utf-8", errors="replace")
        for m in _IMPORT.finditer(text):
            try:
                todo.append(loader.resolve(m.group(1), None))
            except Exception:
                return None
    return h.hexdigest()


def _cache_read(key: str):
    try:
        return json.loads((CACHE_DIR / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _cache_write(key: str, payload) -> None:
    try:
        CACHE_DIR.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=CACHE_DIR, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(payload, f)
        os.replace(tmp, CACHE_DIR / f"{key}.json")
    except OSError:
        pass


def check_one(path_str: str, emit: str | None = None) -> dict:
    """Check one file in a fresh loader; a plain dict so it can cross process boundaries."""
    from tactics.syntax import QuodError
    loader = Loader()
    path = Path(path_str)
    try:
        mod = loader.load(path)
    except QuodError as exc:
        return {"results": [], "messages": [], "error": format_error(exc)}
    except RecursionError:
        return {"results": [], "messages": [], "error": f"{path}: error: input nested too deeply"}
    out = {"results": [asdict(r) for r in mod.results],
           "messages": [f"{p}: info: {m}" for p, m in mod.messages], "error": None}
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


def run_check(args) -> int:
    paths = args.paths or [str(THEORIES), str(ROOT / "proofs")]
    files, errors = collect(paths)
    for e in errors:
        print(e, file=sys.stderr)
    if errors and not files:
        return 2
    if args.jobs < 1:
        print("quod check: error: -j needs a positive number", file=sys.stderr)
        return 2
    loader = Loader()
    outcomes: dict[Path, dict] = {}
    todo = []
    for f in files:
        key = None if (args.no_cache or args.emit_proofs) else cache_key(f, loader)
        cached = _cache_read(key) if key else None
        if cached is not None:
            outcomes[f] = cached
        else:
            todo.append((f, key))
    progress = Progress(len(todo))
    if args.jobs > 1 and len(todo) > 1:
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futs = {f: pool.submit(check_one, str(f), args.emit_proofs) for f, _ in todo}
            for f, key in todo:
                outcomes[f] = futs[f].result()
                progress.step(str(f))
                if key and outcomes[f]["error"] is None:
                    _cache_write(key, outcomes[f])
    else:
        for f, key in todo:
            outcomes[f] = check_one(str(f), args.emit_proofs)
            progress.step(str(f))
            if key and outcomes[f]["error"] is None:
                _cache_write(key, outcomes[f])
    progress.close()
    return report(files, outcomes, args)


def _failed(r: dict, strict: bool) -> bool:
    if r["status"] in ("failed", "sorry", "don't know"):
        return True
    return strict and r["status"] in ("oracle", "axiom")


def report(files, outcomes, args) -> int:
    results = [r for f in files for r in outcomes[f]["results"]]
    theorems = [r for r in results if r["status"] != "axiom"]
    counts = {k: sum(1 for r in theorems if r["status"] == k) for k in ("proved", "failed", "don't know")}
    oracles = sum(1 for r in theorems if r["status"] in ("oracle", "sorry"))
    file_errors = [outcomes[f]["error"] for f in files if outcomes[f]["error"]]
    if args.strict:
        counts["failed"] += sum(1 for r in theorems if r["status"] == "oracle")
    dont_know = counts["don't know"]
    summary = (f"{len(theorems)} theorems: {counts['proved']} proved, {counts['failed']} failed, "
               f"{dont_know} don't know, {oracles} using oracles")
    bad = bool(file_errors) or any(_failed(r, args.strict) for r in results)
    if args.json:
        doc = {"version": VERSION, "files": [str(f) for f in files], "theorems": results,
               "messages": [m for f in files for m in outcomes[f]["messages"]],
               "errors": file_errors, "summary": summary, "ok": not bad}
        print(json.dumps(doc, indent=2))
        return 1 if bad else 0
    width = max([len(r["name"]) for r in results] + [10])
    for f in files:
        o = outcomes[f]
        for r in o["results"]:
            loc = f"{r['file']}:{r['line']}"
            status = r["status"]
            if args.strict and status in ("oracle", "axiom"):
                status = "failed (strict)"
            extra = f"({r['detail']}, {r['ms']:.0f} ms)" if status in ("proved", "oracle", "sorry") else \
                f"({r['detail']})"
            if r["axioms"] and status not in ("axiom",):
                extra += f" [axioms: {', '.join(r['axioms'])}]"
            print(f"{loc:<28} {r['name']:<{width}} {status:<10} {extra}")
            if r.get("error"):
                print("    " + r["error"].replace("\n", "\n    "))
        for m in o["messages"]:
            print(m)
        if o["error"]:
            print(o["error"])
    print(summary)
    return 1 if bad else 0


__all__ = ["run_check", "check_one", "Result"]
