"""Running the ``quod`` command in a test as a user does (a subprocess; tests/conftest.py puts this tree
first on PYTHONPATH), and writing the files it reads."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path


def quod(*args, cwd: Path, env: dict | None = None, timeout: float = 120,
         unset: tuple = ()) -> subprocess.CompletedProcess:
    """``python -m quod.cli ARGS`` in ``cwd``, without QUOD_DEBUG (and the variables in ``unset``), with
    ``env`` added; a traceback in its output fails the test."""
    e = dict(os.environ)
    for k in ("QUOD_DEBUG", *unset):
        e.pop(k, None)
    e.update(env or {})
    p = subprocess.run([sys.executable, "-m", "quod.cli", *args], cwd=cwd, env=e, capture_output=True, text=True,
                       encoding="utf-8", errors="replace", timeout=timeout)
    assert "Traceback" not in p.stdout + p.stderr, p.stdout + p.stderr
    return p


def write(d: Path, name: str, text: str, dedent: bool = False) -> Path:
    """``d/name`` with ``text`` (its directories made)."""
    p = d / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(textwrap.dedent(text) if dedent else text, encoding="utf-8")
    return p
