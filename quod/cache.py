"""The proof cache (in the user's cache directory, see ``cache_dir``): it saves tactics and z3, never the
kernel's judgment.

One entry per module (every ``.proof`` file a check loaded: the files named on the command
line, their imports, the prelude). An entry holds, for each theorem of the module:

- when it was proved: its proof term, in the export format of ``kernel/export.py`` (what
  ``--emit-proofs`` writes), with the tactic's name and its messages. On a later run the
  loader elaborates the statement from the sources as they are *now*, in the environment
  as loaded *now*, and hands the cached proof to the kernel (``Environment.add``). What
  the theorem rests on (axioms, ``smt_oracle``, ``sorry``) is what the kernel computes
  then, exactly as for a fresh proof. An ``smt_oracle`` step is z3's word, which no file
  can vouch for: each one in a cached proof is asked of z3 again first. If the kernel
  (or z3) refuses, the tactics run as if there were no cache (the theorem's tactic block is
  read only then: with a cached proof only its statement is parsed). So a stale or forged entry
  can at worst fail to help: it cannot make a statement pass that the kernel does not
  accept as proved *now*, nor hide what it rests on.
- when it was not proved (failed, or don't know for a reason other than a time-out):
  the verdict and its message. A "no" is replayed only when the statement elaborated now
  is the one the verdict was about and everything the check read is unchanged.

An entry is used at all only when its dependencies are what they were: the stamp of
Quod's own code (the content of every source file of ``kernel/``, ``tactics/``,
``programs/`` and ``quod/``, the Python version, and the installed lark, pycparser and
z3), the search path (``QUOD_PATH``) and the current directory, the content hash of every
file the check read (the module, every module it imports with the path each import
resolved to, the prelude, every C or Python source a ``program`` item read), and for every
import the path it resolves to now (a new module earlier on ``QUOD_PATH`` is noticed).

Entries are written to a temporary name and renamed, so a killed run never leaves a
half-written one; an unreadable or malformed entry is ignored.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE_FORMAT = 3
PACKAGES = ("kernel", "tactics", "programs", "quod")     # Quod's code: it decides what a file means
LIBRARIES = ("lark", "pycparser", "z3", "pcpp")          # the parser, the C front end, the solver, cpp's fallback
POSITIVE = ("proved", "oracle", "sorry")                 # a kernel-checked proof exists (maybe on oracles)
NEGATIVE = ("failed", "don't know")
MAX_ENTRY_BYTES = 100_000_000                            # a bigger entry is ignored (and rewritten)


def cache_dir() -> Path:
    """Where entries live: ``$QUOD_CACHE_DIR`` (``quod check --cache-dir`` sets it), else the user's cache
    directory (platformdirs: ``~/.cache/quod`` on Linux), never the directory the user stands in."""
    given = os.environ.get("QUOD_CACHE_DIR")
    if given:
        return Path(given)
    import platformdirs
    return Path(platformdirs.user_cache_dir("quod", appauthor=False)) / "proofs"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ---- what decides meaning besides the files: Quod's own code ---------------------------------

_stamp: str | None = None


def implementation_stamp() -> str:
    """A hash of Quod's version, its source files' content, Python's version and the libraries'."""
    global _stamp
    if _stamp is None:
        from .cli import VERSION
        h = hashlib.sha256(f"{CACHE_FORMAT}\0{VERSION}\0{sys.version}\0".encode())
        for sub in PACKAGES:        # every source, grammar and header below them (programs/include/*.h too)
            if not (ROOT / sub).is_dir():
                h.update(f"{sub}: missing\0".encode())
                continue
            for dirpath, dirnames, filenames in os.walk(ROOT / sub):
                dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
                for name in sorted(filenames):
                    if name.endswith((".py", ".lark", ".h")):
                        path = os.path.join(dirpath, name)
                        rel = os.path.relpath(path, ROOT)
                        h.update(f"{rel}\0{file_state(path)}\0".encode())
        h.update(f"{_preprocessor_identity()}\0".encode())
        import importlib.util
        for lib in LIBRARIES:        # an upgrade rewrites the package: its __init__'s size and time change
            try:
                spec = importlib.util.find_spec(lib)
                st = os.stat(spec.origin) if spec and spec.origin else None
                h.update(f"{lib}\0{spec.origin}\0{st.st_size}\0{st.st_mtime_ns}\0".encode() if st else
                         f"{lib}: none\0".encode())
            except (ImportError, OSError, ValueError):
                h.update(f"{lib}: none\0".encode())
        _stamp = h.hexdigest()
    return _stamp


def _preprocessor_identity() -> str:
    """Which C preprocessor runs (QUOD_CPP, the GNU cpp on the PATH and its binary's size and time):
    another cpp may define other macros, so a C program may mean something else."""
    import shutil
    choice = os.environ.get("QUOD_CPP", "").strip()
    path = choice if choice and choice != "pcpp" else shutil.which("cpp") if not choice else None
    try:
        st = os.stat(os.path.realpath(path)) if path else None
    except OSError:
        st = None
    return f"cpp {choice!r} {path} {st.st_size if st else '-'} {st.st_mtime_ns if st else '-'}"


def file_state(path) -> str:
    """The sha256 of a regular file's bytes, or what stands there instead (never reads a device)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file"
    try:
        with open(path, "rb") as f:
            return sha(f.read())
    except OSError:
        return "unreadable"


# ---- the files a program front end reads -------------------------------------------------------

_recorders: list[set] = []
_hooked = False


def _skip_prefixes() -> tuple[str, ...]:
    out = {os.path.join(str(ROOT / p), "") for p in PACKAGES}
    for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        out.add(os.path.join(p, ""))
    return tuple(out)


_SKIP: tuple[str, ...] = ()


def _audit(event: str, args) -> None:
    # An audit hook runs inside every open(): it must never raise and never open anything.
    if event not in ("open", "quod.read") or not _recorders:
        return
    try:                # quod.read: a file read for Quod by another process (GNU cpp's #include "...")
        path, mode = (args[0], "r") if event == "quod.read" else (args[0], args[1])
        if isinstance(path, int) or path is None:
            return
        if mode and any(c in mode for c in "wax+"):
            return
        path = os.path.abspath(os.fsdecode(os.fspath(path)))
        if path.endswith(".pyc") or path.startswith(_SKIP):
            return                     # Python's own modules and Quod's code: covered by the stamp
        _recorders[-1].add(path)
    except Exception:
        return


class record_reads:
    """``with record_reads() as reads:``: the files opened for reading inside the block
    (by Python code: the C and Python front ends and whatever they use)."""

    def __enter__(self) -> set:
        global _hooked, _SKIP
        if not _hooked:
            _SKIP = _skip_prefixes()
            sys.addaudithook(_audit)
            _hooked = True
        self.reads: set = set()
        _recorders.append(self.reads)
        return self.reads

    def __exit__(self, *exc) -> None:
        while _recorders:
            if _recorders.pop() is self.reads:
                break


# ---- entries -----------------------------------------------------------------------------------

class Entry:
    """A validated cache entry of one module: its theorems' records and, lazily, their proofs."""

    def __init__(self, doc: dict):
        self.files: dict = doc["files"]
        self.theorems: dict = doc["theorems"]
        self._proofs_text: str = doc.get("proofs") or ""
        self._proofs: dict | None = None

    def proof(self, name: str):
        """The cached proof term of theorem ``name`` (a kernel ``Proof``), or None."""
        if self._proofs is None:
            self._proofs = {}
            if self._proofs_text:
                from kernel import TheoremDecl, loads
                try:
                    self._proofs = {d.name: d.proof for d in loads(self._proofs_text)
                                    if isinstance(d, TheoremDecl)}
                except Exception:          # malformed: it helps with nothing
                    self._proofs = {}
        return self._proofs.get(name)

    def record(self, name: str) -> dict | None:
        r = self.theorems.get(name)
        if not isinstance(r, dict) or r.get("status") not in POSITIVE + NEGATIVE:
            return None
        if not isinstance(r.get("detail"), str) or not isinstance(r.get("ms"), (int, float)) \
                or not math.isfinite(r["ms"]) or not isinstance(r.get("error"), (str, type(None))) \
                or not isinstance(r.get("statement"), (str, type(None))):
            return None
        msgs = r.get("messages")
        if not isinstance(msgs, list) or not all(
                isinstance(m, list) and len(m) == 3 and type(m[0]) is int and type(m[1]) is int
                and isinstance(m[2], str) for m in msgs):
            return None
        return r

    def unchanged_reads(self, reads: set) -> bool:
        """Every file read so far was read, with this content, when the entry was written (the
        content of every file of the entry was compared when it was looked up)."""
        return all(p in self.files for p in reads)


class Store:
    """The cache directory: look up a module's entry (validated), write one."""

    def __init__(self, directory: Path | None = None):
        self.dir = directory if directory is not None else cache_dir()
        self._states: dict[str, str] = {}

    def state(self, path: str) -> str:
        if path not in self._states:
            self._states[path] = file_state(path)
        return self._states[path]

    def entry_path(self, source: Path) -> Path:
        return self.dir / f"{sha(str(Path(source).resolve()).encode())[:40]}.json"

    def lookup(self, loader, source: Path) -> Entry | None:
        """The entry of module ``source`` if every dependency it recorded is as it was."""
        path = self.entry_path(source)
        try:
            st = os.stat(path)        # a FIFO, a device or a huge file planted there is not read
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ENTRY_BYTES:
                return None
            doc = json.loads(path.read_bytes().decode("utf-8"))
        except (OSError, ValueError, RecursionError, MemoryError):
            return None
        try:
            if doc["format"] != CACHE_FORMAT or doc["stamp"] != implementation_stamp() \
                    or doc["source"] != str(source) or doc["cwd"] != os.getcwd() \
                    or doc["search_path"] != [str(p) for p in loader.paths]:
                return None
            if not isinstance(doc["files"], dict) or str(source) not in doc["files"] \
                    or not isinstance(doc["theorems"], dict) or not isinstance(doc.get("proofs", ""), str):
                return None
            from .loader import split_import_key
            for key, path in doc["imports"].items():          # resolved the same way today?
                name, base = split_import_key(key)
                if path is None:                                # (None: it was not found then)
                    if loader.resolves(name, base):
                        return None
                elif not isinstance(path, str) or str(loader.resolve(name, None, base)) != path:
                    return None
            for path, state in doc["files"].items():
                if self.state(path) != state:
                    return None
            return Entry(doc)
        except Exception:      # a missing key, a wrong type, a module that no longer resolves
            return None

    def write(self, mod) -> None:
        """Write module ``mod``'s entry (``mod.cache_records``, its proofs and its dependencies)."""
        from kernel import dumps
        decls = mod.env.declarations()
        proved = [decls[n] for n, r in mod.cache_records.items() if r["status"] in POSITIVE and n in decls]
        try:
            proofs = dumps(proved)
        except Exception:
            proofs = ""
        doc = {"format": CACHE_FORMAT, "stamp": implementation_stamp(), "source": str(mod.path),
               "cwd": os.getcwd(), "search_path": [str(p) for p in mod.search_path],
               "files": mod.deps_files, "imports": mod.deps_imports,
               "theorems": mod.cache_records, "proofs": proofs}
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(doc, f)
                os.replace(tmp, self.entry_path(mod.path))
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except (OSError, ValueError, RecursionError):
            pass


_TIMEOUT = re.compile(r"time ?out|timed out|time limit|wall.?clock", re.I)


def storable(result) -> bool:
    """Whether a theorem's result may be kept: not a "don't know" that ran out of time (it may be a yes
    on a quieter machine: try again next time)."""
    return not (result.status == "don't know" and _TIMEOUT.search(f"{result.detail} {result.error}"))


def oracle_claims(proof) -> list:
    """The claims of the ``smt_oracle`` steps inside a proof term (not those of the theorems it cites:
    their own proofs were confirmed when they were admitted)."""
    from kernel import Proof
    out, seen, todo = [], set(), [proof]
    while todo:
        p = todo.pop()
        if isinstance(p, tuple):
            todo.extend(p)
            continue
        if not isinstance(p, Proof) or id(p) in seen:
            continue
        seen.add(id(p))
        if p.rule == "oracle" and p.args and p.args[0] == "smt_oracle":
            out.append(p.args[1] if len(p.args) > 1 else None)
        todo.extend(a for a in p.args if isinstance(a, (Proof, tuple)))
    return out


def oracle_steps_hold(env, proof) -> bool:
    """Ask z3 again for every ``smt_oracle`` step of a cached proof. An oracle step is z3's word, and a
    cache entry cannot vouch for what z3 said: a forged entry could claim anything under that name."""
    claims = oracle_claims(proof)
    if not claims:
        return True
    from kernel import FORMULA, Expr, free_vars
    from tactics.smt import decide
    from tactics.state import Goal
    for claim in claims:
        if not isinstance(claim, Expr) or claim.sort != FORMULA or claim.lbr:
            return False
        try:
            decide(env, Goal((), claim, tuple(sorted(free_vars(claim)))))
        except Exception:          # a counterexample, a don't know, or not something z3 can read
            return False
    return True


def statement_digest(stmt) -> str:
    """A hash of a kernel statement (its export form)."""
    from kernel import AxiomDecl, dumps
    return sha(dumps([AxiomDecl("_", stmt)]).encode())
