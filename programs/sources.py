"""Where program sources may be read from: files of the project, regular, of bounded size.

A ``.proof`` file names the C and Python sources of its programs (``program g from c "g.c"``),
and a C source names the files it ``#include``s. A file someone hands you must not make Quod
read whatever it likes (``/etc/shadow``, ``../../secret``), block on a FIFO or swallow
``/dev/zero``. So a source is read only when it is

- named relative to the ``.proof`` file's directory (never the current directory: what a
  ``.proof`` file means must not depend on where ``quod`` is run, or two files named ``f.c`` in
  different directories would give different theorems), and under the *project*: that directory
  (or that of the C or Python file given to ``quod terminates``), or a directory allowed
  explicitly (``--allow-path DIR``, or ``QUOD_ALLOW_PATH``, directories separated by ``:``),
  where "under" is decided on the path with every symbolic link resolved;
- a regular file (not a directory, FIFO, socket or device), read without blocking;
- at most ``MAX_SOURCE`` bytes.

A path outside the project gets the same message whether or not something exists there, so a
``.proof`` file cannot probe the machine through Quod's errors.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import stat
from pathlib import Path

from .lang import ProgramError

MAX_SOURCE = 4_000_000          # bytes: far more than any program Quod can analyse
ALLOW_ENV = "QUOD_ALLOW_PATH"

_project: contextvars.ContextVar[tuple] = contextvars.ContextVar("quod_project", default=())


@contextlib.contextmanager
def project(*dirs):
    """Inside the block, ``dirs`` (the directory of the file being checked) belong to the project."""
    token = _project.set(_project.get() + tuple(Path(d) for d in dirs if d is not None))
    try:
        yield
    finally:
        _project.reset(token)


def roots(*extra) -> list[Path]:
    """The directories under which sources may be read (resolved); never the current directory
    unless it is one of them."""
    out = []
    allowed = [p for p in os.environ.get(ALLOW_ENV, "").split(os.pathsep) if p]
    for d in [*_project.get(), *extra, *allowed]:
        try:
            r = Path(d).resolve()
        except (OSError, RuntimeError, ValueError):
            continue
        if r not in out:
            out.append(r)
    return out


def inside(path: Path, dirs: list[Path]) -> bool:
    """Whether ``path`` (resolved: no symbolic link can lead out) is under one of ``dirs``."""
    try:
        r = Path(path).resolve()
    except (OSError, RuntimeError, ValueError):
        return False
    return any(r == d or d in r.parents for d in dirs)


def _where() -> str:
    return "sources are named relative to the .proof file's directory and read from it and below; " \
           "--allow-path DIR allows others"


def locate(name: str, base_dir: Path | None) -> Path:
    """The file a program item's ``"name"`` means: relative to the .proof file's directory
    (``base_dir``; the current directory only where there is no file, as in the REPL), never
    looked for elsewhere; only inside the project (see the module's text)."""
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    dirs = roots(base)
    p = Path(name)
    c = p if p.is_absolute() else base / p
    # outside the project it is not even looked at: its existence is none of the .proof file's business
    if inside(c, dirs) and os.path.lexists(c):
        return c
    raise ProgramError(f"cannot read {name}: no such file in this project ({_where()})")


def read_source(name: str, base_dir: Path | None) -> tuple[str, Path]:
    """The text of the source ``name`` (see ``locate``) and where it was found (resolved)."""
    path = locate(name, base_dir)
    return read_regular(path, name), path.resolve()


def read_regular(path: Path, shown: str | None = None) -> str:
    """A regular file's text (UTF-8), read without blocking and at most ``MAX_SOURCE`` bytes."""
    shown = shown or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise ProgramError(f"cannot read {shown}: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ProgramError(f"cannot read {shown}: not a regular file")
        if st.st_size > MAX_SOURCE:
            raise ProgramError(f"cannot read {shown}: {st.st_size:,} bytes is more than the limit for a "
                               f"program source ({MAX_SOURCE:,})")
        chunks, total = [], 0
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            total += len(b)
            if total > MAX_SOURCE:
                raise ProgramError(f"cannot read {shown}: more than the limit for a program source "
                                   f"({MAX_SOURCE:,} bytes)")
            chunks.append(b)
    except OSError as exc:
        raise ProgramError(f"cannot read {shown}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ProgramError(f"cannot read {shown}: it is not UTF-8 text (line {line})") from None


__all__ = ["MAX_SOURCE", "ALLOW_ENV", "project", "roots", "inside", "locate", "read_source", "read_regular"]
