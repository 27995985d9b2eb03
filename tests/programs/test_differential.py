"""The interpreter (the semantics the proofs speak about) against real execution.

For every corpus program (tests/programs/corpus/) and a few straight-line programs exercising
/ and % on negatives, unsigned wraparound, ternaries, && and || (tests/programs/straight/), run
``programs.interp.run`` on the front end's statement and the source itself (gcc -O0 with
-fsanitize=undefined, or CPython) on the same inputs: a few fixed edge inputs, then
hypothesis-generated ones. Compared:

- C: when the interpreter finishes without a failed ``assert`` (C mode: every undefined
  behaviour is an assert), the binary must finish too, with no sanitizer report (the interpreter
  must not miss undefined behaviour), and return the same value (``ret``). When the interpreter
  fails an assert, the sanitizer must report undefined behaviour too (a conversion to a narrower
  signed type is not undefined: it wraps, as in gcc). A program marked
  ``int: math`` is also run in math mode, which must agree with C mode whenever C mode has no
  overflow.
- Python: a failed assert must be an exception in CPython (ZeroDivisionError, AssertionError);
  otherwise the same return value (None when ``ret`` is unset).
- Runs the interpreter cannot finish in the step bound are skipped, except that a run it sees
  loop forever (a repeated state) or cannot finish must not be one CPython finishes in 600
  lines, and the first repeated-state run of each C program must not finish in gcc.

- ``eval p(args)`` in a .proof file (the command a person uses) prints what gcc / CPython compute,
  on a few inputs of every program without a known front-end bug.

All C programs are compiled into one binary (each function renamed), kept running and fed one
input per line; gcc missing means the C half is skipped.
"""

from __future__ import annotations

import itertools
import select
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from progcorpus import CORPUS, EXTRA, load, strip_c_comments

I32_MIN, I32_MAX = -2**31, 2**31 - 1
U32_MAX = 2**32 - 1
MAX_STEPS = 8_000            # interpreter steps per run
PY_LINES = 600               # CPython lines allowed when the interpreter could not finish (< MAX_STEPS / 8)
TIMEOUT = 1.0                # seconds for a gcc binary that the interpreter says terminates

GCC = shutil.which("gcc")

# Programs on which the interpreter (so, the front end) disagrees with real execution: strict
# xfails, so a fix shows up as an XPASS.
KNOWN_C = {
}
KNOWN_PY: dict = {}
# Programs the front end rejects (so nothing to compare).
REJECTED: dict = {}


@dataclass
class Case:
    path: Path
    language: str      # c / python
    int_mode: str      # c / math

    @property
    def name(self) -> str:
        return self.path.name


def _cases() -> list[Case]:
    out = [Case(e.path, e.language, e.int_mode) for e in load(CORPUS)]
    for p in sorted(EXTRA.iterdir()):
        if p.suffix in (".c", ".py"):
            out.append(Case(p, "c" if p.suffix == ".c" else "python", "c" if p.suffix == ".c" else "math"))
    return out


CASES = _cases()
C_CASES = [c for c in CASES if c.language == "c"]
PY_CASES = [c for c in CASES if c.language == "python"]


def _param(case: Case, known: dict):
    if case.name in REJECTED:
        return pytest.param(case, id=case.name, marks=pytest.mark.xfail(strict=True, reason=REJECTED[case.name]))
    if case.name in known:
        return pytest.param(case, id=case.name, marks=pytest.mark.xfail(strict=True, reason=known[case.name]))
    return pytest.param(case, id=case.name)


# ---- the interpreter -----------------------------------------------------------------------------

_ENV = None


def env():
    global _ENV
    if _ENV is None:
        from progcorpus import prelude_env
        _ENV = prelude_env()
    return _ENV


def parse(case: Case, int_mode: str | None = None):
    from programs.c_frontend import parse_c
    from programs.py_frontend import parse_python
    if case.language == "c":
        from pycparser import c_ast, c_parser

        from programs.c_syntax import prepare
        src = case.path.read_text()
        tree = c_parser.CParser().parse(prepare(src)[1], filename="<c>")
        first = next(n.decl.name for n in tree.ext if isinstance(n, c_ast.FuncDef))
        return parse_c(src, first, int_mode or case.int_mode)      # the program under test: the first function
    import ast
    src = case.path.read_text()
    first = next(n.name for n in ast.parse(src).body if isinstance(n, ast.FunctionDef))
    return parse_python(src, first)          # the program under test is the first function


class _Cycle(Exception):
    pass


def has_loops(prog) -> bool:
    from kernel.expr import postorder
    return any(n.op == "while" for n in postorder(prog.body))


def has_havoc_of_nondet(prog) -> bool:
    from kernel.expr import postorder
    return any(n.op == "havoc" and n.data.startswith("__nd") for n in postorder(prog.body))


def interpret(prog, args: tuple, nondet: tuple = ()):
    """("ok", ret) | ("assert", None) | ("steps", None) | ("cycle", None) | ("blocked", None)"""
    from programs.interp import AssertionFailed, Blocked, OutOfSteps, run
    state = {x: v for (x, _), v in zip(prog.params, args)}
    feed = iter(nondet)

    def choose(name):
        return next(feed, 0) if name.startswith("__nd") else 0

    seen: set = set()
    deterministic = not has_havoc_of_nondet(prog)

    def on_loop(node, st):
        if deterministic:
            key = (id(node), tuple(sorted(st.items())))
            if key in seen:
                raise _Cycle()
            seen.add(key)
    try:
        final = run(env(), prog.body, state, MAX_STEPS, nondet=choose, on_loop=on_loop)
    except AssertionFailed:
        return "assert", None
    except OutOfSteps:
        return "steps", None
    except _Cycle:
        return "cycle", None
    except Blocked:
        return "blocked", None
    return "ok", final.get("ret")


# ---- C: gcc --------------------------------------------------------------------------------------

_CTYPE = {"i32": "int", "u32": "unsigned int", "i64": "long", "bool": "_Bool", "int": "int", "i8": "signed char",
          "u8": "unsigned char", "i16": "short", "u16": "unsigned short", "u64": "unsigned long"}
_HEAD = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static long long nd_vals[512];
static int nd_n, nd_i;
int __VERIFIER_nondet_int(void) { return nd_i < nd_n ? (int) nd_vals[nd_i++] : 0; }
unsigned int __VERIFIER_nondet_uint(void) { return nd_i < nd_n ? (unsigned int) nd_vals[nd_i++] : 0u; }
#include <setjmp.h>
static jmp_buf blocked;
void __VERIFIER_assume(int c) { if (!c) longjmp(blocked, 1); }
"""
_MAIN = r"""
int main(void) {
    static char line[65536];
    while (fgets(line, sizeof line, stdin)) {
        long long a[16] = {0};
        int na = 0, k;
        char *semi = strchr(line, ';');
        char *p = line, *end;
        if (semi) *semi = '\0';
        k = (int) strtol(p, &end, 10);
        p = end;
        while (na < 16) {
            long long v = strtoll(p, &end, 10);
            if (end == p) break;
            a[na++] = v;
            p = end;
        }
        nd_n = nd_i = 0;
        if (semi) {
            p = semi + 1;
            while (nd_n < 512) {
                long long v = strtoll(p, &end, 10);
                if (end == p) break;
                nd_vals[nd_n++] = v;
                p = end;
            }
        }
        if (setjmp(blocked)) {
            printf("blocked\n");
            fflush(stdout);
            continue;
        }
        switch (k) {
%(cases)s
        default: printf("no such program\n");
        }
        fflush(stdout);
    }
    return 0;
}
"""


def _call(k: int, prog) -> str:
    fn = f"quod_prog_{k}"
    args = ", ".join(f"({_CTYPE[t]}) a[{i}]" for i, (_, t) in enumerate(prog.params))
    if prog.result is None:
        body = f'{fn}({args}); printf("done\\n");'
    elif prog.result in ("u32", "u64"):
        body = f'printf("%llu\\n", (unsigned long long) {fn}({args}));'
    else:
        body = f'printf("%lld\\n", (long long) {fn}({args}));'
    return f"        case {k}: {body} break;"


def _sanitizer_flags(tmp: Path) -> list[str]:
    probe = tmp / "probe.c"
    probe.write_text("int main(void) { return 0; }\n")
    flags = ["-fsanitize=undefined", "-fno-sanitize-recover=all"]
    r = subprocess.run([GCC, *flags, "-o", str(tmp / "probe"), str(probe)], capture_output=True)
    return flags if r.returncode == 0 else []


class Binary:
    """One gcc binary holding every C case (each function renamed quod_prog_K), kept running: an
    input is a line `K args ; nondet values`, the answer a line (the value, or `done`)."""

    def __init__(self, path: Path, index: dict, sanitized: bool):
        self.path, self.index, self.proc, self.sanitized = path, index, None, sanitized

    def _start(self):
        self.proc = subprocess.Popen([str(self.path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)

    def _stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def run(self, name: str, args: tuple, nondet: tuple = (), timeout: float = TIMEOUT):
        """("ok", value or None for void) | ("blocked", None) (a false __VERIFIER_assume) | ("ub", report) |
        ("timeout", None) | ("crash", message)"""
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        line = f"{self.index[name]} " + " ".join(map(str, args)) + " ; " + " ".join(map(str, nondet)) + "\n"
        try:
            self.proc.stdin.write(line)
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self._stop()
            return "timeout", None
        out = self.proc.stdout.readline()
        if not out:
            self.proc.wait()
            err = self.proc.stderr.read()
            code = self.proc.returncode
            self.proc = None
            if "runtime error" in err:
                return "ub", err.strip().splitlines()[0]
            return "crash", f"exit {code}: {err.strip()[:300]}"
        out = out.strip()
        if out == "blocked":
            return "blocked", None
        return "ok", None if out == "done" else int(out)

    def close(self):
        self._stop()


@pytest.fixture(scope="module")
def binary(tmp_path_factory):
    """Every C case compiled into one binary (gcc -O0, with the undefined-behaviour sanitizer)."""
    if GCC is None:
        pytest.skip("gcc is not installed")
    tmp = tmp_path_factory.mktemp("gcc")
    flags = _sanitizer_flags(tmp)
    parts, cases, index = [_HEAD], [], {}
    for k, case in enumerate(C_CASES):
        try:
            prog = parse(case, "c")
        except Exception:
            continue           # the test of this case reports it
        index[case.name] = k
        parts.append(f"#define {prog.name} quod_prog_{k}\n#line 1 \"{case.path}\"\n{case.path.read_text()}\n"
                     f"#undef {prog.name}\n")
        cases.append(_call(k, prog))
    parts.append(_MAIN % {"cases": "\n".join(cases)})
    src = tmp / "all.c"
    src.write_text("".join(parts))
    out = tmp / "all"
    r = subprocess.run([GCC, "-O0", "-w", *flags, "-o", str(out), str(src)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"gcc failed on the corpus:\n{r.stderr[:3000]}")
    b = Binary(out, index, bool(flags))
    yield b
    b.close()


# ---- inputs --------------------------------------------------------------------------------------

_EDGE = {
    "i32": [I32_MIN, I32_MIN + 1, -40000, -300, 300, 40000, 65536, I32_MAX - 1, I32_MAX],
    "u32": [U32_MAX, U32_MAX - 1, 2**31, 2**31 - 1, 300, 65536],
    "i64": [-2**63, 2**63 - 1, 2**31, -2**31 - 1, 3 * 10**9],
    "bool": [],
    "int": [10**12, -10**12],
    "i8": [-128, -127, 127, 126, -100, 100],
    "u8": [255, 254, 128, 127, 200],
    "i16": [-32768, -32767, 32767, 32766, -300, 300],
    "u16": [65535, 65534, 32768, 32767, 300],
    "u64": [2**63 - 1, 2**63 - 2, 2**32, U32_MAX, 2**40],     # the harness reads inputs as long long
}
_UNSIGNED = ("u8", "u16", "u32", "u64")


def value_strategy(ty: str, loops: bool):
    """Small values (smaller for programs with loops, whose runs grow with them) and edge values."""
    if ty == "bool":
        return st.integers(0, 1)
    r = 12 if loops else 50
    small = st.integers(0, 2 * r) if ty in _UNSIGNED else st.integers(-r, r)
    if loops:     # a big value usually means a long loop: rarely
        return st.one_of(small, small, small, small, st.sampled_from(_EDGE[ty]))
    return st.one_of(small, st.sampled_from(_EDGE[ty]))


def fixed_inputs(prog, loops: bool) -> list[tuple]:
    pools = []
    for _, ty in prog.params:
        if ty == "bool":
            pools.append([0, 1])
        elif ty == "u32":
            pools.append([0, 1, 2, 5, 9] + ([] if loops else [300, U32_MAX, 2**31]))
        elif ty in _UNSIGNED:
            pools.append([0, 1, 2, 5, 9] + ([] if loops else _EDGE[ty][:3]))
        elif ty in ("i32", "i64", "int"):
            pools.append([0, 1, -1, 2, 5, -6] + ([] if loops else [-7, 7, 300, 40000, I32_MAX, I32_MIN]))
        else:
            pools.append([0, 1, -1, 2, 5, -6] + ([] if loops else [-7, 7] + _EDGE[ty][:4]))
    return list(itertools.product(*pools))[:150]


def input_strategy(prog):
    loops = has_loops(prog)
    args = st.tuples(*[value_strategy(t, loops) for _, t in prog.params])
    if has_havoc_of_nondet(prog):
        return st.tuples(args, st.lists(st.integers(-3, 3), max_size=40).map(tuple))
    return st.tuples(args, st.just(()))


def _settings(n: int):
    return settings(max_examples=n, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck), print_blob=False)


def examples(prog) -> int:
    return 15 if has_loops(prog) else 40


# ---- the tests -----------------------------------------------------------------------------------

def _c_check(case: Case, prog, prog_math, binary: Binary, args: tuple, nondet: tuple, state: dict):
    kind, ret = interpret(prog, args, nondet)
    if kind == "cycle" and not state.get("cycle_checked"):
        state["cycle_checked"] = True
        got = binary.run(case.name, args, nondet, timeout=0.3)
        assert got[0] in ("timeout", "ub"), \
            f"{case.name}{args}: the interpreter loops forever (a state repeats), the gcc binary gives {got}"
        return
    if kind == "assert" and binary.sanitized:
        # the interpreter's asserts are C's undefined behaviour (narrowing conversions wrap, they are
        # not checked): the sanitizer must see it too. It is reached within the step
        # bound, so the binary gets there quickly; a timeout is inconclusive.
        got = binary.run(case.name, args, nondet)
        assert got[0] in ("ub", "timeout"), f"{case.name}{args} nondet={nondet}: the interpreter fails an " \
                                            f"assert (undefined behaviour), gcc -fsanitize=undefined gives {got}"
        return
    if kind == "blocked":
        got = binary.run(case.name, args, nondet)
        assert got[0] in ("blocked", "timeout"), f"{case.name}{args} nondet={nondet}: the interpreter is blocked " \
                                                 f"by an assume, gcc gives {got}"
        return
    if kind != "ok":
        return
    state["compared"] = state.get("compared", 0) + 1
    got = binary.run(case.name, args, nondet)
    assert got[0] != "ub", f"{case.name}{args} nondet={nondet}: gcc reports undefined behaviour the " \
                           f"interpreter does not see (it returned {ret}): {got[1]}"
    assert got[0] == "ok", f"{case.name}{args} nondet={nondet}: the interpreter returns {ret}, gcc: {got}"
    if prog.result is not None:
        assert got[1] == ret, f"{case.name}{args} nondet={nondet}: interpreter {ret}, gcc {got[1]}"
    if prog_math is not None:
        mk, mret = interpret(prog_math, args, nondet)
        assert mk == "ok" and mret == ret, \
            f"{case.name}{args}: C mode (no overflow) gives {ret}, math mode {mk} {mret}"


@pytest.mark.parametrize("case", [_param(c, KNOWN_C) for c in C_CASES])
def test_c_against_gcc(case, binary):
    prog = parse(case, "c")
    prog_math = parse(case, "math") if case.int_mode == "math" else None
    state: dict = {}
    for args in fixed_inputs(prog, has_loops(prog)):
        _c_check(case, prog, prog_math, binary, args, (), state)

    @_settings(examples(prog))
    @given(input_strategy(prog))
    def check(inp):
        args, nondet = inp
        _c_check(case, prog, prog_math, binary, args, nondet, state)
    check()
    COMPARED[case.name] = state.get("compared", 0)


COMPARED: dict = {}
# Terminating programs whose runs from small inputs are too long for the interpreter's step bound.
FEW_FINISH = {"uns_up_wrap.c"}      # x + 1 until it wraps: 2^32 - x steps


class _TooLong(Exception):
    pass


def call_python(fn, args: tuple, max_lines: int | None):
    """("ok", value) | ("raise", exception) | ("long", None) when max_lines lines were not enough."""
    count = [0]

    def tracer(frame, event, arg):
        if event == "line":
            count[0] += 1
            if count[0] > max_lines:
                raise _TooLong()
        return tracer
    old = sys.gettrace()
    if max_lines is not None:
        sys.settrace(tracer)
    try:
        return "ok", fn(*args)
    except _TooLong:
        return "long", None
    except Exception as exc:
        return "raise", exc
    finally:
        if max_lines is not None:
            sys.settrace(old)


def _py_check(case: Case, prog, fn, args: tuple, state: dict):
    kind, ret = interpret(prog, args)
    if kind in ("steps", "cycle"):
        got = call_python(fn, args, PY_LINES)
        assert got[0] == "long", f"{case.name}{args}: the interpreter does not finish ({kind}), " \
                                 f"CPython gives {got[0]} {got[1]!r} within {PY_LINES} lines"
        return
    got = call_python(fn, args, 2_000_000)
    if kind == "assert":
        assert got[0] == "raise", f"{case.name}{args}: the interpreter fails an assert, CPython gives {got}"
        return
    assert kind == "ok", (case.name, args, kind)
    state["compared"] = state.get("compared", 0) + 1
    assert got[0] == "ok", f"{case.name}{args}: the interpreter returns {ret}, CPython: {got}"
    value = got[1]
    if isinstance(value, bool):
        value = int(value)
    assert value == ret, f"{case.name}{args}: interpreter {ret}, CPython {got[1]!r}"


@pytest.mark.parametrize("case", [_param(c, KNOWN_PY) for c in PY_CASES])
def test_python_against_cpython(case):
    prog = parse(case)
    namespace: dict = {}
    exec(compile(case.path.read_text(), str(case.path), "exec"), namespace)
    fn = namespace[prog.name]
    state: dict = {}
    for args in fixed_inputs(prog, has_loops(prog)):
        _py_check(case, prog, fn, args, state)

    @_settings(examples(prog))
    @given(input_strategy(prog))
    def check(inp):
        _py_check(case, prog, fn, inp[0], state)
    check()
    COMPARED[case.name] = state.get("compared", 0)


def test_every_program_is_compared():
    """Runs last (file order): every program that should terminate was compared on many inputs."""
    names = {c.name for c in CASES}
    assert len([c for c in CASES if c.path.parent == CORPUS]) >= 40
    assert set(KNOWN_C) <= names and set(KNOWN_PY) <= names and set(REJECTED) <= names
    if not COMPARED:
        pytest.skip("run with the comparisons")
    expect = {e.name: e.expect for e in load(CORPUS)}
    for c in CASES:
        if c.name in COMPARED and expect.get(c.name, "yes") == "yes" and c.name not in FEW_FINISH:
            assert COMPARED[c.name] >= 10, f"{c.name}: only {COMPARED[c.name]} inputs compared"


# ---- the `eval` command ---------------------------------------------------------------------------

def _expected_eval(name: str, prog, kind: str, real) -> str | None:
    """What `eval` must print for a run the interpreter finished (None: only "fails" is checked)."""
    if kind == "assert":
        return None
    value = real[1]
    if prog.result is None:
        return f"{name} returns"
    if prog.result == "bool":
        return str(bool(value)).lower()
    return str(int(value) if isinstance(value, bool) else value)


def test_eval_against_real_execution(binary, tmp_path):
    """`eval p(args)` in a .proof file (programs declared `from c` / `from python`, inline) prints
    what gcc / CPython compute, or that the program fails where gcc's sanitizer sees undefined
    behaviour and CPython raises. A few inputs per program (those the interpreter finishes), every
    program without a known front-end bug."""
    from quod.loader import Loader
    text: list[str] = []
    checks: dict = {}            # line of the eval -> (case, program name, prog, args, kind, real result)
    for k, case in enumerate(CASES):
        if case.name in KNOWN_C or case.name in KNOWN_PY or case.name in REJECTED:
            continue
        prog = parse(case, "c")
        name = f"p{k}"
        if case.language == "c":
            src = strip_c_comments(case.path.read_text())
        else:
            src = case.path.read_text()
        text.append(f'program {name} from {"c" if case.language == "c" else "python"} """')
        text.extend(src.splitlines())
        text.append(f'""" function {prog.name}')
        fn = None
        if case.language == "python":
            namespace: dict = {}
            exec(compile(case.path.read_text(), str(case.path), "exec"), namespace)
            fn = namespace[prog.name]
        chosen = 0
        for args in fixed_inputs(prog, has_loops(prog)):
            if has_havoc_of_nondet(prog):
                break
            kind, _ = interpret(prog, args)
            if kind not in ("ok", "assert"):
                continue
            if case.language == "c":
                real = binary.run(case.name, args)
            else:
                real = call_python(fn, args, 2_000_000)
            text.append(f"eval {name}({', '.join(map(str, args))})")
            checks[len(text)] = (case, name, prog, args, kind, real)
            chosen += 1
            if chosen == 6:
                break
    f = tmp_path / "evals.proof"
    f.write_text("\n".join(text) + "\n")
    mod = Loader().load(f)
    assert mod.errors == []
    out = {pos.line: msg for pos, msg in mod.messages}
    bad = []
    for line, (case, name, prog, args, kind, real) in checks.items():
        msg = out.get(line)
        want = _expected_eval(name, prog, kind, real)
        if kind == "assert":
            ok = msg is not None and msg.startswith(f"{name} fails") and \
                (real[0] == "raise" if case.language == "python" else real[0] in ("ub", "timeout") or
                 not binary.sanitized)
        elif prog.result is None:
            ok = msg is not None and msg.startswith(want) and real[0] == "ok"
        else:
            ok = msg == want and real[0] == "ok"
        if not ok:
            bad.append(f"{case.name}: eval {name}{args} printed {msg!r}; real execution: {real}")
    assert len(checks) >= 150
    assert bad == [], "\n".join(bad)
