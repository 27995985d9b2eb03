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
    from programs.sources import project, read_regular
    if path.suffix not in (".c", ".py"):
        raise ValueError("expected a .c, .py or .proof file")
    text = read_regular(path)          # a regular file of bounded size (not /dev/zero, not a FIFO)
    with project(path.resolve().parent):
        if path.suffix == ".c":
            return parse_c(text, function, int_mode, base_dir=path.resolve().parent)
        return parse_python(text, function)


def load_proof_program(path: Path, function: str | None):
    """A program declared in a .proof file (the file is loaded as `quod check` would), with its
    module's environment."""
    from programs.lang import ProgramError

    from .loader import Loader
    mod = Loader().load(path)
    progs = mod.programs
    if function is None:
        if len(progs) != 1:
            names = ", ".join(progs) or "none"
            raise ProgramError(f"the file declares {len(progs)} programs ({names}); choose one with --function")
        function = next(iter(progs))
    if function not in progs:
        raise ProgramError(f"no program named {function} (found: {', '.join(progs) or 'none'})")
    return progs[function], mod.env


def run_terminates(args) -> int:
    from programs.lang import ProgramError

    from .loader import Loader
    from tactics.syntax import QuodError
    path = Path(args.file)
    env = None
    try:
        if path.suffix == ".proof":
            prog, env = load_proof_program(path, args.function)
        else:
            prog = load_program(path, args.function, args.int)
    except QuodError as exc:
        from .loader import format_error
        print(format_error(exc), file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"error: {path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ProgramError, ValueError) as exc:
        from programs.sources import read_regular
        line, col = getattr(exc, "line", None), getattr(exc, "col", None)
        try:
            text = read_regular(path).split("\n")[line - 1] if line else None
        except (ProgramError, IndexError):
            text = None
        if text is not None and not col:          # no column from the front end: the line's first token
            col = len(text) - len(text.lstrip()) + 1
        where = f"{path}:{line}:{col}: " if line and col else f"{path}:{line}: " if line else f"{path}: "
        print(f"{where}error: {getattr(exc, 'message', exc)}", file=sys.stderr)
        if text is not None:
            shown = col
            if len(text) > 200:               # a long line: the 200 characters around the column
                start = max(0, col - 100)
                text, shown = text[start:start + 200], col - start
            print(f"  {text}\n  {' ' * (shown - 1)}^", file=sys.stderr)
        return EXIT_USAGE
    if env is None:
        pre = Loader().prelude()
        env = pre.env.copy() if pre is not None else __import__("kernel").Environment()
    else:
        env = env.copy()
    try:
        v = _decide(path, args, env, prog)
    except RecursionError:           # a step of the analysis could not follow the program's depth
        print("don't know: the program is nested too deeply for a step of the analysis")
        return EXIT_DONT_KNOW
    except Exception as exc:         # a bug in the analysis is no answer, and never a traceback
        import os
        if os.environ.get("QUOD_DEBUG"):
            raise
        print(f"don't know: internal error in the analysis ({type(exc).__name__}: {exc}); please report it "
              "(QUOD_DEBUG=1 shows where)")
        return EXIT_DONT_KNOW
    try:
        return _report(args, v)
    finally:
        if getattr(args, "show_statement", False):
            from analysis.termination import terminates_statement

            from .statement import indented, render
            if v.statement is not None and v.answer in ("yes", "no"):
                head, text = "statement: ", render(v.statement)
            else:                             # no theorem: the question it could not settle
                head, text = "statement (not proved): ", render(terminates_statement(prog))
            print(indented(text, head, "  "))


def _decide(path: Path, args, env, prog):
    """The answer for the program as its front end reads it (calls inlined), and for the program read
    with each function it calls as a procedure, called through a contract found once for it
    (``summarising``), within one budget. The summarised reading goes first (with a third of the
    budget) when inlining at least doubles the program, since each call site then pays for the callee
    again; otherwise it is tried only after a don't know. Only a yes is sought from it (a procedure's frame
    has more runs than the function: a "no" comes from the inlined reading). Either way a contract too
    weak for the caller costs no answer the other reading gives."""
    from analysis.budget import budget
    from analysis.termination import decide_termination
    from kernel.expr import postorder
    base = env.copy()
    summarised = _summarised(path, args, prog) if path.suffix in (".c", ".py") else None
    with budget():
        if summarised is not None and len(list(postorder(prog.body))) >= 2 * len(list(postorder(summarised.body))):
            with budget(1 / 3):
                v = decide_termination(base.copy(), summarised, divergence=False)
            if v.answer == "yes":
                return v
            summarised = None
        v = decide_termination(env, prog)
        if v.answer == "don't know" and summarised is not None:
            w = decide_termination(base, summarised, divergence=False)
            if w.answer == "yes":
                return w
    return v


def _summarised(path: Path, args, inlined):
    """The program read with each function it calls as a procedure; None when that reading is the
    inlined one (it calls no function, or none can be a procedure) or is refused."""
    from programs.lang import ProgramError, summarising
    if not inlined.procedures and not any(m.endswith("in an inlined call") for m in inlined.hidden.values()):
        return None               # it calls no function: nothing to summarise
    try:
        with summarising():
            prog = load_program(path, args.function, args.int)
    except (ProgramError, ValueError, OSError, RecursionError):
        return None
    if set(prog.procedures) <= set(inlined.procedures) and prog.body == inlined.body:
        return None
    return prog


def _report(args, v) -> int:
    if v.oracle and args.strict:          # the first line is the answer, so decide it first
        print(f"don't know: only z3's word (smt_oracle) backs this: {v.text}")
        for d in v.details:
            print(f"  {d}")
        return EXIT_DONT_KNOW
    print(v.text)
    for d in v.details:
        if d not in v.text:          # the first line already says it
            print(f"  {d}")
    if v.oracle:
        print("  note: some verification conditions rest on smt_oracle (z3's word)")
    elif v.answer in ("yes", "no"):
        print("  kernel-checked")
    return {"yes": EXIT_YES, "no": EXIT_NO}.get(v.answer, EXIT_DONT_KNOW)
