"""Differential testing of the front ends on random programs (progen), at scale.

Each program goes through Quod's front end (``parse_c`` / ``parse_python``) and interpreter
(``programs.interp.run``, via test_differential's ``interpret``) and through real execution (gcc -O0
-fsanitize=undefined, many programs per binary fed by stdin, test_differential's ``Binary``; or
CPython), on random inputs, with test_differential's comparison rules:

- C: the interpreter finishes => gcc finishes without a sanitizer report and returns the same value;
  the interpreter fails an assert (undefined behaviour) => the sanitizer reports undefined behaviour
  (a timeout is inconclusive); the interpreter sees a state repeat at a loop (runs forever) => the
  binary does not finish (checked once per program); runs the interpreter cannot finish in its step
  bound are skipped.
- Python: the interpreter finishes => CPython returns the same value (True/False as 1/0, None for no
  return); a failed assert => CPython raises; no end within the step bound or a repeated state =>
  CPython does not finish within PY_LINES traced lines.

Besides, the front end may refuse a program only with a ProgramError (any other exception is a
crash to report), the interpreter may fail only by an assert (another error is a disagreement), and
gcc must compile every program the front end accepts. A disagreement is shrunk (progen's
``shrink_candidates``) while it stays a disagreement of the same kind on the same input.
"""

from __future__ import annotations

import random
import re
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import progen
from test_differential import _EDGE, _HEAD, _MAIN, GCC, Binary, _call, _sanitizer_flags, call_python, interpret

PY_LINES = 300               # CPython lines allowed when the interpreter could not finish
PY_MAX_LINES = 200_000       # CPython lines for a run the interpreter finished
BATCH = 150                  # C programs per gcc binary
INPUTS = 10                  # inputs per program

_PY_EDGE = [2**31 - 1, -2**31, 2**32, -2**63, 2**63 - 1, 10**12, -10**12, 2**70, -40000]


@dataclass
class Disagreement:
    language: str
    kind: str                 # value / missed-ub / false-ub / missed-raise / false-raise / runs-forever / ...
    source: str
    args: tuple
    quod: str                 # what the interpreter (or the front end) says
    real: str                 # what gcc / CPython says
    origin: str               # seed:language:index
    program: object = None    # the progen.GenProgram
    shrunk: tuple | None = None     # (source, quod, real) of the minimised program
    more: int = 0             # other inputs of the same program that disagree the same way

    def text(self) -> str:
        also = f" (and {self.more} other inputs)" if self.more else ""
        out = [f"DISAGREEMENT [{self.language}] {self.kind} (program {self.origin}), input {self.args}{also}",
               f"  Quod: {self.quod}", f"  {'gcc' if self.language == 'c' else 'CPython'}: {self.real}"]
        if self.shrunk is not None:
            src, q, r = self.shrunk
            out += ["  minimised program:", _indent(src), f"  Quod: {q}",
                    f"  {'gcc' if self.language == 'c' else 'CPython'}: {r}"]
        else:
            out += ["  program:", _indent(self.source)]
        return "\n".join(out)


def outcome_class(real: str) -> str:
    """The kind of a real execution's answer: returns / undefined behaviour / raises TypeError / ..."""
    return "returns" if real.startswith("returns") else real.split(":")[0]


def _indent(s: str) -> str:
    return "\n".join("    " + x for x in s.rstrip().split("\n"))


@dataclass
class Stats:
    programs: int = 0
    rejected: Counter = field(default_factory=Counter)     # reason -> count
    inputs: int = 0           # (program, input) pairs whose outcomes were compared
    agreed_failures: int = 0  # of which: both sides fail (undefined behaviour / an exception)
    skipped: int = 0          # not comparable (interpreter out of steps, gcc timeout on a failure, ...)
    disagreements: list = field(default_factory=list)
    coverage: Counter = field(default_factory=Counter)     # construct -> accepted programs using it

    def merge(self, other: "Stats") -> None:
        self.programs += other.programs
        self.rejected.update(other.rejected)
        self.inputs += other.inputs
        self.agreed_failures += other.agreed_failures
        self.skipped += other.skipped
        self.disagreements.extend(other.disagreements)
        self.coverage.update(other.coverage)


def reason(msg: str) -> str:
    """A front-end refusal with the program-specific parts (names, numbers, quoted source) blanked."""
    msg = re.sub(r"`[^`]*`", "`...`", msg)
    msg = re.sub(r"\b(?:[hk]\d+|[a-z])(?=\(| (?:is|are|returns|takes|can)\b)", "X", msg)
    msg = re.sub(r"\b[hk]\d+\b", "X", msg)
    msg = re.sub(r"\d+", "N", msg)
    return msg.split("\n")[0][:110]


# ---- inputs ---------------------------------------------------------------------------------------

def draw_inputs(rng: random.Random, params: list, n: int = INPUTS) -> list[tuple]:
    out = []
    for j in range(n):
        args = []
        for _, ty in params:
            if ty == "bool":
                args.append(rng.randint(0, 1))
            elif j > 1 and rng.random() < 0.2:
                args.append(rng.choice(_EDGE[ty] if ty != "int" else _PY_EDGE))
            elif ty in ("u8", "u16", "u32", "u64"):
                args.append(rng.randint(0, 24))
            else:
                args.append(rng.randint(-12, 12))
        out.append(tuple(args))
    return list(dict.fromkeys(out))


# ---- the Quod side --------------------------------------------------------------------------------

def front_end(gp: progen.GenProgram):
    """("ok", Program) | ("rejected", reason) | ("crash", message)"""
    from programs.c_frontend import parse_c
    from programs.lang import ProgramError
    from programs.py_frontend import parse_python
    try:
        if gp.language == "c":
            return "ok", parse_c(gp.source, gp.entry)
        return "ok", parse_python(gp.source, gp.entry)
    except ProgramError as exc:
        return "rejected", exc.message
    except Exception as exc:           # noqa: BLE001 -- a crash of the front end is a finding
        return "crash", f"{type(exc).__name__}: {exc}"


def run_quod(prog, args: tuple) -> tuple:
    """interpret's answer, or ("error", message) when the interpreter fails other than by an assert."""
    try:
        return interpret(prog, args)
    except Exception as exc:           # noqa: BLE001
        return "error", f"{type(exc).__name__}: {exc}"


def _quod_text(res: tuple) -> str:
    kind, v = res
    return {"ok": f"returns {v}", "assert": "fails an assert (undefined behaviour / an exception)",
            "steps": "does not finish within the step bound", "cycle": "runs forever (a state repeats)",
            "blocked": "blocked"}.get(kind, f"{kind}: {v}")


# ---- C --------------------------------------------------------------------------------------------

class CBatch:
    """Programs compiled into one sanitized binary (each function renamed apart), kept running."""

    def __init__(self, tmp: Path, flags: list):
        self.tmp, self.flags = tmp, flags
        self.binary: Binary | None = None
        self.proc: subprocess.Popen | None = None
        self.failed: dict = {}          # key -> gcc's error, for programs gcc rejects

    @staticmethod
    def unit(key: int, gp: progen.GenProgram, prog, checked: bool = True) -> tuple[str, str]:
        """The program (with checked arithmetic: progen.CHECKED_C), its functions renamed apart, and the
        harness's case that calls it."""
        names = gp.names() + list(gp.typedefs)
        pre = "".join(f"#define {n} quod_prog_{key}{'' if n == gp.entry else '_' + n}\n" for n in names)
        post = "".join(f"#undef {n}\n" for n in names)
        return pre + progen.render(gp, checked) + post, _call(key, prog)

    def start(self, items: list) -> None:
        """items: [(key, GenProgram, Program)]; compiling runs in the background."""
        self.items = items
        self._write(items)
        self.proc = subprocess.Popen([GCC, "-O0", "-w", *self.flags, "-o", str(self.tmp / "bin"),
                                      str(self.tmp / "all.c")], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)

    def _write(self, items: list) -> None:
        parts, cases = [_HEAD, progen.CHECKED_C], []
        for key, gp, prog in items:
            u, c = self.unit(key, gp, prog)
            parts.append(u)
            cases.append(c)
        parts.append(_MAIN % {"cases": "\n".join(cases)})
        (self.tmp / "all.c").write_text("".join(parts))

    def _syntax_ok(self, gp, prog) -> str | None:
        """None when gcc compiles the program, else gcc's complaint. The program as written must compile;
        the checked rendering of a program that compiles must too (else the harness is wrong)."""
        f = self.tmp / "one.c"
        errors = []
        for checked in (False, True):
            u, _ = self.unit(0, gp, prog, checked)
            f.write_text(_HEAD + progen.CHECKED_C + u)
            r = subprocess.run([GCC, "-fsyntax-only", "-w", str(f)], capture_output=True, text=True)
            errors.append(None if r.returncode == 0 else r.stderr.strip())
        if errors[0] is None and errors[1] is not None:
            raise RuntimeError(f"the checked rendering does not compile:\n{errors[1][:2000]}")
        return errors[0]

    def finish(self) -> Binary:
        _, err = self.proc.communicate()
        if self.proc.returncode != 0:
            good = []
            for key, gp, prog in self.items:
                why = self._syntax_ok(gp, prog)
                if why is None:
                    good.append((key, gp, prog))
                else:
                    self.failed[key] = why
            self._write(good)
            r = subprocess.run([GCC, "-O0", "-w", *self.flags, "-o", str(self.tmp / "bin"), str(self.tmp / "all.c")],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError(f"gcc failed on a batch:\n{r.stderr[:3000]}")
        self.binary = Binary(self.tmp / "bin", {str(k): k for k, _, _ in self.items}, bool(self.flags))
        return self.binary

    def close(self) -> None:
        if self.binary is not None:
            self.binary.close()


def _gcc_text(got: tuple) -> str:
    kind, v = got
    return {"ok": f"returns {v}", "ub": f"undefined behaviour: {v}", "timeout": "does not finish (timeout)",
            "blocked": "blocked"}.get(kind, f"{kind}: {v}")


def judge_c(res: tuple, run, cycle_checked: bool) -> tuple[str, str | None, tuple | None]:
    """("compared" | "failure" | "skipped" | disagreement kind, gcc's answer text, gcc's answer)."""
    kind, ret = res
    if kind == "steps" or kind == "blocked":
        return "skipped", None, None
    if kind == "cycle":
        if cycle_checked:
            return "skipped", None, None
        got = run(0.3)
        return ("failure" if got[0] in ("timeout", "ub") else "runs-forever"), _gcc_text(got), got
    got = run(1.0)
    if kind == "error":
        return "interpreter-error", _gcc_text(got), got
    if kind == "assert":
        if got[0] == "ub":
            return "failure", _gcc_text(got), got
        if got[0] == "timeout":
            return "skipped", _gcc_text(got), got
        return "false-ub", _gcc_text(got), got
    if got[0] == "ub":
        return "missed-ub", _gcc_text(got), got
    if got[0] != "ok":
        return "gcc-fails", _gcc_text(got), got
    if got[1] != ret:
        return "value", _gcc_text(got), got
    return "compared", _gcc_text(got), got


def _c_flags(tmp: Path) -> list:
    flags = _sanitizer_flags(tmp)
    if not flags:
        raise RuntimeError("gcc cannot build with -fsanitize=undefined here")
    return flags


def c_batch(items: list, tmp: Path, flags: list, stats: Stats) -> list:
    """items: [(origin, GenProgram, rng for inputs)]. Returns the disagreements' (origin, gp, args, kind)."""
    accepted = []
    for key, (origin, gp, rng) in enumerate(items):
        stats.programs += 1
        status, prog = front_end(gp)
        if status == "rejected":
            stats.rejected[reason(prog)] += 1
            continue
        if status == "crash":
            stats.disagreements.append(Disagreement("c", "front-end-crash", gp.source, (), prog, "-", origin, gp))
            continue
        stats.coverage.update(progen.features(gp))
        accepted.append((key, gp, prog, origin, draw_inputs(rng, prog.params)))
    if not accepted:
        return []
    batch = CBatch(tmp, flags)
    batch.start([(k, gp, prog) for k, gp, prog, _, _ in accepted])
    quod = {k: [run_quod(prog, a) for a in inputs] for k, gp, prog, _, inputs in accepted}
    binary = batch.finish()
    try:
        for key, gp, prog, origin, inputs in accepted:
            if key in batch.failed:
                stats.disagreements.append(Disagreement("c", "gcc-rejects", gp.source, (), "accepted by the front end",
                                                        batch.failed[key][:500], origin, gp))
                continue
            cycle_checked = False
            for args, res in zip(inputs, quod[key]):
                verdict, real, _ = judge_c(res, lambda t, a=args: binary.run(str(key), a, (), timeout=t), cycle_checked)
                cycle_checked |= res[0] == "cycle"
                _count(stats, verdict, "c", gp, args, res, real, origin)
    finally:
        batch.close()
    return []


def _count(stats: Stats, verdict: str, language: str, gp, args, res, real, origin) -> None:
    if verdict == "compared":
        stats.inputs += 1
    elif verdict == "failure":
        stats.inputs += 1
        stats.agreed_failures += 1
    elif verdict == "skipped":
        stats.skipped += 1
    else:
        for d in stats.disagreements:
            if d.origin == origin and d.kind == verdict and outcome_class(d.real) == outcome_class(real):
                d.more += 1
                return
        stats.disagreements.append(Disagreement(language, verdict, gp.source, args, _quod_text(res), real, origin, gp))


# ---- Python ---------------------------------------------------------------------------------------

def _py_text(got: tuple) -> str:
    kind, v = got
    if kind == "ok":
        return f"returns {v!r}"
    if kind == "raise":
        return f"raises {type(v).__name__}: {v}"
    return f"does not finish within {PY_LINES} lines"


def judge_py(res: tuple, fn, args: tuple) -> tuple[str, str]:
    kind, ret = res
    if kind in ("steps", "cycle"):
        got = call_python(fn, args, PY_LINES)
        return ("skipped" if got[0] == "long" else "finishes"), _py_text(got)
    got = call_python(fn, args, PY_MAX_LINES)
    if kind == "error":
        return "interpreter-error", _py_text(got)
    if got[0] == "long":
        return "skipped", _py_text(got)
    if kind == "assert":
        return ("failure" if got[0] == "raise" else "false-raise"), _py_text(got)
    if got[0] == "raise":
        return "missed-raise", _py_text(got)
    value = got[1]
    if isinstance(value, bool):
        value = int(value)
    return ("compared" if value == ret and type(value) in (int, type(None)) else "value"), _py_text(got)


def python_function(gp: progen.GenProgram):
    namespace: dict = {}
    exec(compile(gp.source, f"<{gp.entry}>", "exec"), namespace)
    return namespace[gp.entry]


def py_one(origin: str, gp: progen.GenProgram, rng: random.Random, stats: Stats) -> None:
    stats.programs += 1
    status, prog = front_end(gp)
    if status == "rejected":
        stats.rejected[reason(prog)] += 1
        return
    if status == "crash":
        stats.disagreements.append(Disagreement("python", "front-end-crash", gp.source, (), prog, "-", origin, gp))
        return
    stats.coverage.update(progen.features(gp))
    try:
        fn = python_function(gp)
    except SyntaxError as exc:
        stats.disagreements.append(Disagreement("python", "python-rejects", gp.source, (), "accepted by the front end",
                                                f"SyntaxError: {exc}", origin, gp))
        return
    for args in draw_inputs(rng, prog.params):
        res = run_quod(prog, args)
        verdict, real = judge_py(res, fn, args)
        _count(stats, verdict, "python", gp, args, res, real, origin)


# ---- driving --------------------------------------------------------------------------------------

def generate(language: str, seed: int, index: int, risky: bool = False) -> tuple[str, progen.GenProgram, random.Random]:
    origin = f"{seed}:{language}:{index}" + (":risky" if risky else "")
    rng = random.Random(origin)
    gp = progen.c_program(rng) if language == "c" else progen.py_program(rng, risky=risky)
    return origin, gp, rng


def run_c(seed: int, start: int, count: int, stats: Stats, tmp: Path | None = None, progress=None) -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d) if tmp is None else tmp
        flags = _c_flags(tmp)
        for lo in range(start, start + count, BATCH):
            items = [generate("c", seed, i) for i in range(lo, min(lo + BATCH, start + count))]
            c_batch(items, tmp, flags, stats)
            if progress:
                progress(stats)


def run_python(seed: int, start: int, count: int, stats: Stats, progress=None, risky: bool = False) -> None:
    for i in range(start, start + count):
        py_one(*generate("python", seed, i, risky), stats)
        if progress and (i - start + 1) % BATCH == 0:
            progress(stats)


# ---- shrinking ------------------------------------------------------------------------------------

def _same_c(gp, args, kind: str, real: str, tmp: Path, flags: list, cands: list) -> int | None:
    """The index of the first candidate program that still disagrees with gcc in the same way on args."""
    live = []
    for i, q in enumerate(cands):
        status, prog = front_end(q)
        if status == "crash" and kind == "front-end-crash":
            return i
        if status != "ok":
            continue
        if kind == "gcc-rejects":
            live.append((i, q, prog, None))
            continue
        if len(prog.params) != len(args):
            continue
        res = run_quod(prog, args)
        want = {"value": ("ok",), "missed-ub": ("ok",), "gcc-fails": ("ok",), "false-ub": ("assert",),
                "runs-forever": ("cycle",), "interpreter-error": ("error",)}.get(kind, ())
        if res[0] in want:
            live.append((i, q, prog, res))
    for lo in range(0, len(live), 40):
        chunk = live[lo:lo + 40]
        batch = CBatch(tmp, flags)
        batch.start([(k, q, prog) for k, (_, q, prog, _) in enumerate(chunk)])
        try:
            binary = batch.finish()
        except RuntimeError:
            continue
        try:
            for k, (i, q, prog, res) in enumerate(chunk):
                if kind == "gcc-rejects":
                    if k in batch.failed:
                        return i
                    continue
                if k in batch.failed:
                    continue
                verdict, got, _ = judge_c(res, lambda t, k=k: binary.run(str(k), args, (), timeout=t), False)
                if verdict == kind and outcome_class(got) == outcome_class(real):
                    return i
        finally:
            batch.close()
    return None


def _same_py(gp, args, kind: str, real: str, cands: list) -> int | None:
    for i, q in enumerate(cands):
        status, prog = front_end(q)
        if status == "crash" and kind == "front-end-crash":
            return i
        if status != "ok" or len(prog.params) != len(args):
            continue
        try:
            fn = python_function(q)
        except SyntaxError:
            if kind == "python-rejects":
                return i
            continue
        if kind in ("front-end-crash", "python-rejects"):
            continue
        verdict, got = judge_py(run_quod(prog, args), fn, args)
        if verdict == kind and outcome_class(got) == outcome_class(real):
            return i
    return None


def shrink(d: Disagreement, tmp: Path | None = None, budget: float = 120.0) -> None:
    """Minimise d's program while it disagrees the same way on the same input (sets d.shrunk)."""
    t0 = time.perf_counter()
    gp = d.program
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td) if tmp is None else tmp
        flags = _c_flags(tmp) if d.language == "c" else []
        while time.perf_counter() - t0 < budget:
            cands = [q for _, q in progen.shrink_candidates(gp)]
            cands.sort(key=lambda q: len(q.source))
            if d.language == "c":
                i = _same_c(gp, d.args, d.kind, d.real, tmp, flags, cands)
            else:
                i = _same_py(gp, d.args, d.kind, d.real, cands)
            if i is None:
                break
            gp = cands[i]
        # the answers on the minimised program
        status, prog = front_end(gp)
        if status != "ok":
            d.shrunk = (gp.source, prog, "-")
            return
        res = run_quod(prog, d.args)
        if d.language == "python":
            _, real = judge_py(res, python_function(gp), d.args)
        else:
            batch = CBatch(tmp, flags)
            batch.start([(0, gp, prog)])
            binary = batch.finish()
            try:
                if 0 in batch.failed:
                    real = f"does not compile: {batch.failed[0][:300]}"
                else:
                    _, real, _ = judge_c(res, lambda t: binary.run("0", d.args, (), timeout=t), False)
            finally:
                batch.close()
        d.shrunk = (gp.source, _quod_text(res), real)
