"""REPL latency. Run by hand:

    python bench/repl.py                 # the table
    python bench/repl.py --runs 50       # fewer repetitions of each structural step
    python bench/repl.py --imports       # also: the slowest imports on the way to the first prompt

Measures
  * time to the first prompt: the installed ``quod repl`` started in a pseudo-terminal (pexpect),
    until prompt-toolkit draws ``quod>`` (median of 5, after one uncounted start that may write .pyc
    files), with the CPU time the process used by then (wall time on a busy machine is inflated,
    CPU time much less); and until the first answer (``eval 1 + 1``), which also waits for the
    prelude, loaded in the background once the first prompt is drawn;
  * structural steps (intro, split, cases, exists, apply, exact, rewrite, unfold, induction, have, ...,
    and undo/redo): from entering the tactic to the new state being printed, in-process through the
    front end's path (``run_interruptible``: a worker thread, ``Session.handle``, printing the goals),
    and end to end in a pty for one step (keystrokes in, next prompt drawn);
  * ``smt`` on library goals: each theorem of theories/integers restated and closed by ``smt``.

Aims (from the issue): structural steps under 20 ms median, first prompt under 400 ms.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kernel import show  # noqa: E402
from quod.repl import run_interruptible  # noqa: E402
from quod.session import Session  # noqa: E402

START, ACCEPTED = "\x1b[?2004h", "\x1b[?2004l"     # prompt-toolkit: a prompt starts / a line is accepted

# (name, setup inputs, the step measured); the step is undone after each run
STRUCTURAL = [
    ("intro", ["theorem s1 : forall x y : int, x < y -> x + 1 <= y /\\ x < y"], "intro x y h"),
    ("split", ["theorem s2 : forall x y : int, x < y -> x + 1 <= y /\\ x < y", "intro x y h"], "split"),
    ("cases", ["theorem s3 (p q : int) (h : p < q \\/ q < p) : p != q"], "cases h"),
    ("left", ["theorem s4 (a : int) (h : a > 0) : a > 0 \\/ a < 0"], "left"),
    ("exists", ["theorem s5 : exists x : int, x > 3"], "exists 4"),
    ("apply", ["theorem s6 (a b : int) (h1 : a < b) : a <= b"], "apply le_of_lt"),
    ("exact", ["theorem s7 (a b : int) (h1 : a < b) : a <= b"], "exact le_of_lt(a, b, h1)"),
    ("assumption", ["theorem s8 (a b : int) (h1 : a < b) (h2 : b < 7) : b < 7"], "assumption"),
    ("rewrite", ["theorem s9 (a b : int) (h : a = b) : a + 1 = b + 1"], "rewrite [h]"),
    ("unfold", ["theorem s10 (a : int) : dbl(a) = 2 * a"], "unfold dbl"),
    ("induction", ["theorem s11 : forall n : int, n >= 0 -> n * 0 = 0", "intro n hn"], "induction n from 0"),
    ("have", ["theorem s12 (a : int) (h : a > 0) : a > 0 \\/ a < 0"], "have k : a >= 1 := by linarith"),
    ("intro; split", ["theorem s13 : forall x y : int, x < y -> x + 1 <= y /\\ x < y"], "intro x y h; split"),
]
PRELUDE = ["import integers.order", "def dbl (a : int) : int := a + a"]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, round(p / 100 * (len(xs) - 1))))
    return xs[k]


def row(name: str, xs: list[float], note: str = "") -> str:
    return f"{name:<34} {statistics.median(xs):>9.2f} {pct(xs, 95):>9.2f} {len(xs):>6}  {note}"


def header() -> str:
    return f"{'':<34} {'median ms':>9} {'p95 ms':>9} {'n':>6}"


# -- the installed script in a pty --------------------------------------------------------------

def quod_script() -> str | None:
    cand = Path(sys.executable).parent / "quod"
    if cand.is_file():
        return str(cand)
    return shutil.which("quod")


def spawn(home: str):
    import pexpect
    env = dict(os.environ, TERM="xterm", HOME=home, XDG_DATA_HOME=home, PROMPT_TOOLKIT_NO_CPR="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)    # as installed: stale .pyc files are rewritten, not recompiled
    child = pexpect.spawn(quod_script(), ["repl"], env=env, encoding="utf-8", timeout=60, dimensions=(50, 200))
    child.delaybeforesend = None        # pexpect sleeps 50 ms before each send by default
    return child


def cpu_ms(pid: int) -> float | None:
    """user + system CPU time of a process so far (Linux), which, unlike wall time, a busy machine
    does not inflate."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def first_prompt(n: int) -> tuple[list[float], list[float], list[float]]:
    import pexpect
    prompt, answer, cpu = [], [], []
    with tempfile.TemporaryDirectory() as home:
        for i in range(n + 1):          # the first start is not counted: it may write .pyc files
            t0 = time.perf_counter()
            child = spawn(home)
            child.expect_exact(START)
            child.expect_exact("quod>")
            t1 = time.perf_counter()
            c = cpu_ms(child.pid)
            child.sendline("eval 1 + 1")
            child.expect_exact(ACCEPTED)
            child.expect_exact(START)
            t2 = time.perf_counter()
            if i:
                prompt.append((t1 - t0) * 1000)
                answer.append((t2 - t0) * 1000)
                if c is not None:
                    cpu.append(c)
            assert "2" in child.before, child.before
            child.sendcontrol("d")
            child.expect(pexpect.EOF)
            child.close()
    return prompt, answer, cpu


def pty_step(runs: int) -> list[float]:
    """Keystrokes of `split` in, the next prompt drawn (`undo` between runs)."""
    import pexpect
    out = []
    with tempfile.TemporaryDirectory() as home:
        child = spawn(home)

        def step(line: str, prompt: str) -> float:
            t0 = time.perf_counter()
            child.sendline(line)
            child.expect_exact(ACCEPTED)
            child.expect_exact(START)
            child.expect_exact(prompt)
            return (time.perf_counter() - t0) * 1000
        child.expect_exact("quod>")
        step("theorem p : forall x y : int, x < y -> x + 1 <= y /\\ x < y", "p (1 goal)>")
        step("intro x y h", "p (1 goal)>")
        for _ in range(runs):
            out.append(step("split", "p (2 goals)>"))
            step("undo", "p (1 goal)>")
        child.sendcontrol("d")
        child.expect_exact("quit anyway")
        child.sendline("y")
        child.expect(pexpect.EOF)
    return out


def import_report(top: int = 15) -> str:
    """The slowest imports (cumulative) on the way to the first prompt: quod.repl and prompt-toolkit."""
    code = ("import quod.cli, quod.repl\n"
            "from prompt_toolkit import PromptSession\n"
            "from prompt_toolkit.history import FileHistory\n"
            "from prompt_toolkit.lexers import PygmentsLexer\n"
            "import quod.lexer\n")
    res = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                         cwd=ROOT)
    rows = []
    for line in res.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((int(m.group(2)) / 1000, len(m.group(3)) // 2, m.group(4)))
    total = sum(r[0] for r in rows if r[1] == 0)
    out = [f"imports before the first prompt: {total:.0f} ms in all (-X importtime inflates them); slowest:"]
    for ms, depth, name in sorted(rows, reverse=True)[:top]:
        out.append(f"  {ms:8.1f} ms  {'  ' * depth}{name}")
    return "\n".join(out)


# -- in-process ------------------------------------------------------------------------------------

def structural(runs: int) -> list[tuple[str, list[float]]]:
    s = Session()
    for text in PRELUDE:
        s.handle(text)
    sink = io.StringIO()
    results = []
    all_steps: list[float] = []
    for name, setup, tac in STRUCTURAL:
        for text in setup:
            out = s.handle(text)
            assert not out.startswith("error") and "error:" not in out, (text, out)
        out = run_interruptible(s, tac)
        assert "error" not in out, (tac, out)
        s.handle("undo")
        xs = []
        for _ in range(runs):
            t0 = time.perf_counter()
            print(run_interruptible(s, tac), file=sink)
            xs.append((time.perf_counter() - t0) * 1000)
            s.handle("undo")
        results.append((name, xs))
        all_steps += xs
        if name == "split":
            u, r = [], []
            for _ in range(runs):
                t0 = time.perf_counter()
                print(run_interruptible(s, "undo"), file=sink)
                u.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                print(run_interruptible(s, "redo"), file=sink)
                r.append((time.perf_counter() - t0) * 1000)
            s.handle("undo")
            results += [("undo", u), ("redo", r)]
        s.handle("abort")
    results.append(("all structural steps", all_steps))
    return results


def library_goals() -> list[tuple[str, str]]:
    """(name, statement) for every theorem of theories/integers, as text the REPL reads back."""
    s = Session()
    for mod in ("integers.basics", "integers.order"):
        s.handle(f"import {mod}")
    goals = []
    for path, mod in s.loader.modules.items():
        if "theories" not in Path(path).parts:
            continue
        for r in mod.results:
            if r.name in mod.env and r.status == "proved":
                goals.append((r.name, show(mod.env.theorem(r.name).statement, True)))
    return sorted(set(goals))


def smt_library(timeout_ms: int) -> tuple[list[float], list[float], list[str], int]:
    s = Session()
    s.handle("import integers.order")
    proved, other, failed, skipped = [], [], [], 0
    for name, stmt in library_goals():
        out = s.handle(f"theorem bench_{name} : {stmt}")
        if s.proof is None:             # the statement does not read back (printer/parser mismatch)
            skipped += 1
            continue
        t0 = time.perf_counter()
        out = run_interruptible(s, f"smt (timeout := {timeout_ms})")
        ms = (time.perf_counter() - t0) * 1000
        if "error" in out:
            other.append(ms)
            failed.append(name)
        else:
            proved.append(ms)
        s.handle("abort")
    return proved, other, failed, skipped


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=200, help="repetitions of each structural step")
    ap.add_argument("--starts", type=int, default=5, help="cold starts for the first-prompt time")
    ap.add_argument("--smt-timeout", type=int, default=5000, help="ms per library goal")
    ap.add_argument("--imports", action="store_true", help="list the slowest imports before the first prompt")
    ap.add_argument("--no-pty", action="store_true", help="skip the pseudo-terminal measurements")
    args = ap.parse_args()

    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(header())
    have_pty = not args.no_pty and quod_script() is not None
    try:
        import pexpect  # noqa: F401
    except ImportError:
        have_pty = False
    if have_pty:
        prompt, answer, cpu = first_prompt(args.starts)
        print(row("first prompt (pty, cold start)", prompt, f"aim < 400 ms; min {min(prompt):.0f} ms"))
        if cpu:
            print(row("  CPU time used by then", cpu, "user+sys, 10 ms ticks"))
        print(row("first answer: eval 1 + 1 (pty)", answer, "prelude loads after the prompt"))
    else:
        print("(pty measurements skipped: pexpect or the quod script missing)")

    res = structural(args.runs)
    for name, xs in res:
        note = "aim < 20 ms median" if name == "all structural steps" else ""
        print(row(f"{name}", xs, note))
    if have_pty:
        print(row("split end to end (pty)", pty_step(max(10, args.runs // 10)), "keys in, next prompt drawn"))

    proved, other, failed, skipped = smt_library(args.smt_timeout)
    if proved:
        print(row("smt, library goals proved", proved))
    if other:
        print(row("smt, library goals not proved", other, ", ".join(failed[:6]) + (" ..." if len(failed) > 6 else "")))
    print(f"library goals: {len(proved)} proved by smt, {len(other)} not, {skipped} not restated")
    if args.imports:
        print()
        print(import_report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
