"""``quod terminates FILE``: yes (a ranking function), no (a witness that runs forever) or don't know.

The first line is exactly one of ``yes: ranking function ...``,
``no: runs forever from x = 5, y = 0`` or ``don't know: REASON``; exit codes
0, 1, 3 (2 for bad input). Every yes and no is a theorem the kernel admitted;
a no is also replayed by running the program from the witness.
"""

from __future__ import annotations

import sys
from pathlib import Path

EXIT_YES, EXIT_NO, EXIT_USAGE, EXIT_DONT_KNOW = 0, 1, 2, 3


def load_program(path: Path, function: str | None, int_mode: str):
    from programs.c_frontend import parse_c
    from programs.py_frontend import parse_python
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".c":
        return parse_c(text, function, int_mode)
    if path.suffix == ".py":
        return parse_python(text, function)
    raise ValueError(f"{path}: expected a .c or .py file")


def run_terminates(args) -> int:
    from programs.analysis import decide_termination
    from programs.lang import ProgramError

    from .loader import Loader
    path = Path(args.file)
    try:
        prog = load_program(path, args.function, args.int)
    except OSError as exc:
        print(f"error: {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ProgramError, ValueError) as exc:
        line, col = getattr(exc, "line", None), getattr(exc, "col", None)
        where = f"{path}:{line}:{col}: " if line and col else f"{path}:{line}: " if line else f"{path}: "
        print(f"{where}error: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return EXIT_USAGE
    pre = Loader().prelude()
    env = pre.env.copy() if pre is not None else __import__("kernel").Environment()
    v = decide_termination(env, prog)
    print(v.text)
    for d in v.details:
        print(f"  {d}")
    if v.oracle:
        if args.strict:
            print("don't know: only the oracle proved it")
            return EXIT_DONT_KNOW
        print("  note: some verification conditions rest on smt_oracle (z3's word)")
    elif v.answer in ("yes", "no"):
        print("  kernel-checked")
    return {"yes": EXIT_YES, "no": EXIT_NO}.get(v.answer, EXIT_DONT_KNOW)
