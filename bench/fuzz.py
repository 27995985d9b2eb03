"""Fuzz ``quod check``: no input may give a traceback, a hang or an error without a location.
Run by hand (issue 17):

    python bench/fuzz.py                      # 5,000 inputs, seed 0, one worker
    python bench/fuzz.py -n 500 --seed 7      # fewer, another seed
    python bench/fuzz.py --jobs 2 --keep DIR  # two workers; failing inputs copied to DIR

Inputs are of two kinds, half each:

- *mutated*: one to four top-level items (theorems, defs, programs, commands) cut from the
  bundled ``proofs/`` and ``theories/`` files, then changed by 1 to 6 random edits: a character
  or a run deleted, duplicated or replaced, a token from Quod's vocabulary inserted, a line
  duplicated or swapped, a control character, CR, NUL, a non-ASCII letter, a number thousands of
  digits long, parentheses hundreds deep, the text cut short;
- *generated*: a small random grammar of Quod's own (theorems with random formulas and random
  tactic scripts, defs, native programs with loops and calls, commands), well formed or nearly so,
  so that the tactics, the elaborator, the program front end and the termination analysis run
  (not only the parser).

Each input is written to a fresh file and checked with ``quod check --no-cache FILE`` inside a
worker process that runs this tree's ``quod.cli.main`` (importing Quod once, not once per input).
A failure is

- *traceback*: an exception escaped ``main``, or the output has ``Traceback`` or ``internal error``;
- *hang*: no answer within ``--timeout`` seconds (the worker is killed and a new one started);
- *unlocated*: a line with ``error:`` that is not ``FILE:LINE:COL: error: ...`` followed by the
  source line and a caret line (the summary line ``N errors in 1 file`` is not an error line);
- *exit*: an exit code other than 0 or 1.

The report prints the number of inputs tried, of each kind of failure, and for each failure its
kind, the input (shortened) and the first lines of the output. Exit code 0 when nothing failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# ---- the worker -----------------------------------------------------------------------------------

WORKER = r"""
import contextlib, io, json, os, sys, traceback
sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
from quod.cli import main
import quod.check as qc
n = 0
for line in sys.stdin:
    path = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    tb = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = main(["check", "--no-cache", path])
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else 2
        except BaseException:
            rc, tb = -1, traceback.format_exc()
    n += 1
    if n % 40 == 0:            # a fresh loader now and then: the modules of old inputs are not kept
        qc._LOADER = None
    sys.__stdout__.write(json.dumps({"rc": rc, "out": out.getvalue(), "err": err.getvalue(), "tb": tb}) + "\n")
    sys.__stdout__.flush()
"""


class Worker:
    def __init__(self):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
        for k in ("QUOD_DEBUG", "QUOD_ALLOW_PATH", "QUOD_PATH"):
            env.pop(k, None)
        self.p = subprocess.Popen([sys.executable, "-c", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, encoding="utf-8", errors="replace",
                                  env=env, cwd=tempfile.gettempdir(), bufsize=1)

    def ask(self, path: Path, timeout: float):
        """The worker's answer (a dict), or None if it took longer than ``timeout`` (then it is killed)."""
        import selectors
        self.p.stdin.write(json.dumps(str(path)) + "\n")
        self.p.stdin.flush()
        sel = selectors.DefaultSelector()
        sel.register(self.p.stdout, selectors.EVENT_READ)
        ready = sel.select(timeout)
        sel.close()
        if not ready:
            self.kill()
            return None
        line = self.p.stdout.readline()
        if not line:                        # the worker died (killed by the OS: memory?)
            self.kill()
            return {"rc": -9, "out": "", "err": "the worker process died", "tb": "worker died"}
        return json.loads(line)

    def kill(self):
        try:
            self.p.kill()
            self.p.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass


# ---- judging an answer ----------------------------------------------------------------------------

LOCATED = re.compile(r"^(\S.*?):(\d+):(\d+): error: \S")


def judge(ans: dict | None, path: Path) -> tuple[str, str] | None:
    """(kind, detail) of a failure, or None."""
    if ans is None:
        return "hang", ""
    out = ans["out"] + ans["err"]
    if ans["tb"] or "Traceback" in out or "internal error" in out:
        return "traceback", (ans["tb"] or out)[-1500:]
    if ans["rc"] not in (0, 1):
        return "exit", f"exit code {ans['rc']}"
    lines = out.split("\n")
    for i, ln in enumerate(lines):
        if "error:" not in ln:
            continue
        if not LOCATED.match(ln):
            if ln.startswith(" "):            # a source line echoed under a located error
                continue
            return "unlocated", ln[:300]
        if i + 2 >= len(lines) or not lines[i + 1].startswith("  ") or "^" not in lines[i + 2]:
            return "unlocated", "no source line and caret after: " + ln[:300]
    return None


# ---- mutated inputs -------------------------------------------------------------------------------

ITEM_START = re.compile(r"^(?:@\[|theorem|lemma|def|axiom|program|import|check|eval|search|print|--)")


def seed_items() -> list[str]:
    items = []
    files = sorted(ROOT.glob("proofs/*.proof")) + sorted(ROOT.glob("theories/**/*.proof"))
    for f in files:
        cur: list[str] = []
        for ln in f.read_text(encoding="utf-8").split("\n"):
            if ln and not ln[0].isspace() and ITEM_START.match(ln) and cur and not cur[-1].startswith("@["):
                if any(c.strip() for c in cur):
                    items.append("\n".join(cur).strip("\n"))
                cur = []
            if not ln.startswith("import"):
                cur.append(ln)
        if any(c.strip() for c in cur):
            items.append("\n".join(cur).strip("\n"))
    # items whose program sources are files (examples/g.c) are kept: they must fail cleanly here
    return [i for i in items if len(i) < 4000]


VOCAB = ["(", ")", ":", ":=", ",", "by", "proof", "qed", "forall", "exists", "fun", "->", "<->", "and", "or",
         "not", "=", "!=", "<", "<=", "+", "-", "*", "/", "%", "intro", "intros", "apply", "exact", "split",
         "cases", "induction", "ring", "linarith", "nlinarith", "smt", "simp", "norm_num", "omega", "hammer",
         "repeat", "first", "|", "all_goals", "have", "show", "calc", "sorry", "termination", "vcgen",
         "reflexivity", "exfalso", "left", "right", "use", "rw", "unfold", "{", "}", ";", "while", "if", "else",
         "return", "int", "u32", "i32", "bool", "program", "def", "theorem", "\u00b7", ".", "--", "@[", "]",
         "decreasing", "invariant", "x", "y", "h", "h1", "n", "0", "1", "-1", "2147483648", "4294967296",
         "\"", '"""', "\\", "from c", "from python", "import", "eval", "check", "terminates", "abs", "max", "min",
         "\u2200", "\u2203", "\u2192", "\u2227", "\u00ac", "\u2264"]
ODD = ["\x00", "\r", "\r\n", "\t", "\x1b[31m", "\x7f", "\u200b", "\ufeff", "\u00e9", "\U0001F600", "\ud7ff",
       "\u2028", "\x0c", "\x1a"]


def mutate(text: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 6)):
        n = len(text)
        i = rng.randint(0, n)
        op = rng.randrange(14)
        if op == 0 and n:
            j = min(n, i + rng.randint(1, 20))
            text = text[:i] + text[j:]
        elif op == 1:
            text = text[:i] + " " + rng.choice(VOCAB) + " " + text[i:]
        elif op == 2:
            text = text[:i] + rng.choice(VOCAB) + text[i:]
        elif op == 3 and n:
            j = min(n, i + rng.randint(1, 40))
            text = text[:i] + text[i:j] * rng.randint(2, 4) + text[j:]
        elif op == 4:
            text = text[:i] + rng.choice(ODD) + text[i:]
        elif op == 5:
            lines = text.split("\n")
            k = rng.randrange(len(lines))
            lines.insert(k, lines[rng.randrange(len(lines))])
            text = "\n".join(lines)
        elif op == 6:
            lines = text.split("\n")
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
        elif op == 7:
            text = text[:i]
        elif op == 8:
            big = rng.choice(["9" * rng.randint(15, 5000), str(-(2 ** 64)), str(2 ** 31), "0" * 50 + "7"])
            text = text[:i] + big + text[i:]
        elif op == 9:
            d = rng.choice([50, 300, 1500])
            text = text[:i] + "(" * d + "x" + ")" * d + text[i:]
        elif op == 10 and n:
            c = text[rng.randrange(n)]
            text = text[:i] + c + text[i:]
        elif op == 11:
            text = text.replace("\n", rng.choice(["\r", "\r\n", "\n\n", "\n  "]))
        elif op == 12 and n:            # re-indent a line (tactic blocks are layout-sensitive)
            lines = text.split("\n")
            k = rng.randrange(len(lines))
            lines[k] = " " * rng.choice([0, 1, 3, 4, 8]) + lines[k].lstrip()
            text = "\n".join(lines)
        elif op == 13:
            text = text[:i] + rng.choice(["-- ", "/-", "-/", "{-", "\""]) + text[i:]
    return text


# ---- generated inputs -----------------------------------------------------------------------------

class Gen:
    def __init__(self, rng: random.Random):
        self.r = rng

    def term(self, vs: list[str], d: int) -> str:
        r = self.r
        if d <= 0 or r.random() < 0.3:
            return r.choice(vs + [str(r.randint(-5, 20)), str(r.choice([0, 1, 2]))]) if vs else str(r.randint(0, 9))
        k = r.randrange(8)
        if k < 4:
            return f"({self.term(vs, d - 1)} {'+-*+'[k]} {self.term(vs, d - 1)})"
        if k == 4:
            return f"({self.term(vs, d - 1)} {r.choice(['/', '%'])} {self.term(vs, d - 1)})"
        if k == 5:
            args = [self.term(vs, d - 1) for _ in range(1 if r.random() < 0.5 else 2)]
            return f"{r.choice(['abs', 'max', 'min'])}({', '.join(args)})"
        if k == 6:
            return f"-{self.term(vs, d - 1)}"
        return " + ".join(self.term(vs, 0) for _ in range(r.choice([3, 10, 200])))

    def formula(self, vs: list[str], d: int) -> str:
        r = self.r
        if d <= 0 or r.random() < 0.35:
            return f"{self.term(vs, 2)} {r.choice(['=', '!=', '<', '<=', '>', '>='])} {self.term(vs, 2)}"
        k = r.randrange(7)
        if k < 4:
            return f"({self.formula(vs, d - 1)} {['and', 'or', '->', '<->'][k]} {self.formula(vs, d - 1)})"
        if k == 4:
            return f"not {self.formula(vs, d - 1)}"
        v = r.choice(["x", "y", "z", "n", "m"])
        return f"({r.choice(['forall', 'exists'])} {v} : int, {self.formula(vs + [v], d - 1)})"

    TACS = ["intro", "intros", "split", "ring", "linarith", "nlinarith", "smt", "simp", "norm_num", "omega",
            "reflexivity", "exfalso", "left", "right", "assumption", "sorry", "hammer", "done", "skip", "trivial",
            "contradiction", "constructor"]

    def tactic(self, d: int, hyps: list[str], vs: list[str]) -> str:
        r = self.r
        k = r.randrange(14)
        if d <= 0 or k < 6:
            return r.choice(self.TACS)
        if k == 6:
            return f"repeat {self.tactic(d - 1, hyps, vs)}"
        if k == 7:
            return f"first | {self.tactic(d - 1, hyps, vs)} | {self.tactic(d - 1, hyps, vs)}"
        if k == 8:
            return f"all_goals {self.tactic(d - 1, hyps, vs)}"
        if k == 9:
            return f"intro {' '.join(r.choice(['x', 'y', 'h', 'h1', 'n']) for _ in range(r.randint(1, 3)))}"
        if k == 10:
            return f"{r.choice(['exact', 'apply', 'cases', 'induction', 'rw', 'unfold', 'use'])} " \
                   f"{r.choice(hyps + vs + ['foo', '0', 'add_comm', 'twice'])}"
        if k == 11:
            return f"have h{r.randint(1, 9)} : {self.formula(vs, 1)} := by {self.tactic(d - 1, hyps, vs)}"
        if k == 12:
            return f"show {self.formula(vs, 1)}"
        return f"{self.tactic(d - 1, hyps, vs)}; {self.tactic(d - 1, hyps, vs)}"

    def theorem(self, i: int, progs: list[str]) -> str:
        r = self.r
        vs = r.sample(["x", "y", "z", "n"], r.randint(0, 3))
        params = " ".join(f"({v} : int)" for v in vs)
        if progs and r.random() < 0.4:
            p, arity = r.choice(progs)
            call = f"{p}({', '.join(['a'] * arity)})"
            stmt = r.choice([f"terminates {p}", f"forall a : int, {call} = a", f"forall a : i32, {call} >= 0",
                             f"[x >= 0] {p} [ret >= 0]"])
            tac = r.choice(["termination", "vcgen; all_goals smt", "smt", "hammer", "sorry",
                            "termination with decreasing x"])
            return f"theorem t{i} {params} : {stmt} := by {tac}"
        stmt = self.formula(vs, r.randint(0, 3))
        if r.random() < 0.5:
            return f"theorem t{i} {params} : {stmt} := by {self.tactic(2, ['h'], vs)}"
        steps = "\n".join("  " * r.choice([1, 1, 1, 2]) + self.tactic(2, ["h", "h1"], vs)
                           for _ in range(r.randint(1, 6)))
        return f"theorem t{i} {params} : {stmt} := by\n{steps}"

    def stmt(self, d: int, vs: list[str]) -> str:
        r = self.r
        k = r.randrange(6)
        v = r.choice(vs)
        if d <= 0 or k < 2:
            return f"{v} = {self.term(vs, 1)};"
        if k == 2:
            return f"if ({v} > {r.randint(-3, 3)}) {{ {self.stmt(d - 1, vs)} }} else {{ {self.stmt(d - 1, vs)} }}"
        if k == 3:
            inv = f" invariant({v} >= 0);" if r.random() < 0.3 else ""
            dec = f" decreasing({v});" if r.random() < 0.3 else ""
            return f"while ({v} > 0) {{{inv}{dec} {self.stmt(d - 1, vs)} {v} = {v} - {r.randint(0, 2)}; }}"
        if k == 4:
            return f"{self.stmt(d - 1, vs)} {self.stmt(d - 1, vs)}"
        return f"return {self.term(vs, 1)};"

    def program(self, name: str, vs: list[str]) -> str:
        r = self.r
        ty = r.choice(["int", "int", "u32", "i32"])
        ret = r.choice(["-> int ", "-> int ", "-> bool ", ""])
        body = " ".join(self.stmt(r.randint(1, 3), vs) for _ in range(r.randint(1, 3)))
        if ret == "-> int ":
            body += f" return {vs[0]};"
        elif ret == "-> bool ":
            body += f" return {vs[0]} > 0;"
        return f"program {name}({', '.join(f'{v} : {ty}' for v in vs)}) {ret}{{ {body} }}"

    def file(self) -> str:
        r = self.r
        items, progs = [], []
        for i in range(r.randint(1, 4)):
            k = r.randrange(10)
            if k < 5:
                items.append(self.theorem(i, progs))
            elif k < 7:
                name, vs = f"p{i}", r.sample(["x", "y", "z"], r.randint(1, 3))
                items.append(self.program(name, vs))
                progs.append((name, len(vs)))
            elif k == 7:
                items.append(f"def d{i}(a : int) : int := {self.term(['a'], 2)}")
            elif k == 8:
                items.append(r.choice([f"eval {self.term([], 2)}", f"check {self.formula([], 1)}",
                                       "print axioms", "search ring", "import integers.ring"]))
            else:
                items.append(f"lemma l{i} : {self.formula([], 2)} := by {self.tactic(1, [], [])}")
        text = "\n".join(items) + "\n"
        return mutate(text, r) if r.random() < 0.25 else text


# ---- the run --------------------------------------------------------------------------------------

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=5000, help="inputs to try (default 5,000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds before an input counts as a hang")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--keep", metavar="DIR", help="copy failing inputs here")
    ap.add_argument("--only", choices=["mutated", "generated"], help="one kind of input only")
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    items = seed_items()
    gen = Gen(rng)
    inputs = []
    for k in range(args.n):
        kind = args.only or ("mutated" if k % 2 == 0 else "generated")
        if kind == "mutated":
            text = mutate("\n\n".join(rng.sample(items, rng.randint(1, 4))) + "\n", rng)
        else:
            text = gen.file()
        inputs.append((k, kind, text))

    work = Path(tempfile.mkdtemp(prefix="quod-fuzz-"))
    keep = Path(args.keep) if args.keep else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    failures: list[tuple] = []
    counts = {"mutated": 0, "generated": 0}
    slowest: list[tuple[float, int]] = []
    t0 = time.perf_counter()
    from concurrent.futures import ThreadPoolExecutor
    import threading
    local = threading.local()
    workers: list[Worker] = []
    lock = threading.Lock()

    def one(job):
        k, kind, text = job
        w = getattr(local, "w", None)
        if w is None or w.p.poll() is not None:
            w = local.w = Worker()
            with lock:
                workers.append(w)
        f = work / f"in{k}.proof"
        f.write_bytes(text.encode("utf-8", "surrogatepass"))
        s = time.perf_counter()
        ans = w.ask(f, args.timeout)
        took = time.perf_counter() - s
        bad = judge(ans, f)
        with lock:
            counts[kind] += 1
            slowest.append((took, k))
            if bad:
                failures.append((k, kind, bad[0], bad[1], text, ans))
                if keep:
                    shutil.copy(f, keep / f.name)
            done = sum(counts.values())
            if done % 250 == 0:
                print(f"  {done:,} inputs, {len(failures)} failures, {time.perf_counter() - t0:,.0f} s",
                      file=sys.stderr, flush=True)
        if ans is None:
            local.w = None
        f.unlink()

    try:
        with ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(one, inputs))
    finally:
        for w in workers:
            w.kill()
        shutil.rmtree(work, ignore_errors=True)

    total = sum(counts.values())
    kinds = {}
    for f in failures:
        kinds[f[2]] = kinds.get(f[2], 0) + 1
    print(f"inputs tried: {total:,} ({counts['mutated']:,} mutated, {counts['generated']:,} generated), "
          f"seed {args.seed}, {time.perf_counter() - t0:,.0f} s")
    print(f"failures: {len(failures)}" + (" (" + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items())) + ")"
                                          if kinds else ""))
    slowest.sort(reverse=True)
    print("slowest inputs: " + ", ".join(f"#{k} {t:.1f} s" for t, k in slowest[:5]))
    for k, kind, what, detail, text, ans in sorted(failures)[:40]:
        shown = text if len(text) < 600 else text[:300] + f" ...[{len(text):,} chars]... " + text[-200:]
        print(f"\n--- #{k} ({kind}): {what}\n{shown!r}\n{detail}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
