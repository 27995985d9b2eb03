"""A batch of lemmas checked by ``quod check`` and, side by side, by ``coqc``.  Run by hand:

    python bench/lemmas.py              # writes the files to a temporary directory and times them
    python bench/lemmas.py --runs 5 --keep DIR

The lemmas are the true statements of tests/smt/corpus.txt and bench/heldout.txt that Coq closes
with one ``lia`` / ``nia`` (the linear, nonlinear and abs/min/max classes, and division by
literals), 120 of them, each ``theorem tN : FORMULA := by smt`` in Quod and ``Lemma tN : ... Proof.
intros; first [lia | nia]. Qed.`` in Coq (the translation is mechanical: int is Z, % is mod,
abs/min/max are Z.abs/Z.min/Z.max; floor division is Coq's Z.div too). Statements Coq refuses with
these tactics are dropped (so the set is what both systems prove automatically).

Printed: ``quod check --no-cache`` (every proof found and checked), ``quod check`` with a warm
cache (proofs re-checked by the kernel, no tactic runs), ``coqc``; start-up of each (an empty
file / ``quod prove "1 = 1"``), the per-lemma median from quod's own per-theorem times, and
(total - start-up) / lemmas for each. Each time is given as wall clock and as the child's CPU time
(user + system): on a shared machine the wall clock grows with the load, the CPU time much less, and
it is what an idle machine's wall clock would be.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "smt"))

from smtcorpus import load_corpus  # noqa: E402

N = 120


def coq_of(formula: str) -> str | None:
    if re.search(r"\bif\b|\||even|odd|gcd|exists|\*\s*\w+\s*\*", formula):
        return None
    f = formula
    f = re.sub(r"\bint\b", "Z", f)
    f = f.replace("!=", "<>").replace("<->", "<=>")
    f = re.sub(r"\band\b", "/\\\\", f)
    f = re.sub(r"\bor\b", "\\\\/", f)
    f = re.sub(r"\bnot\b", "~", f)
    f = f.replace("<=>", "<->").replace("%", " mod ")
    f = re.sub(r"\babs\(", "Z.abs (", f)
    f = re.sub(r"\bmin\(([^,()]+),", r"Z.min (\1) (", f)
    f = re.sub(r"\bmax\(([^,()]+),", r"Z.max (\1) (", f)
    if re.search(r"/\s*[a-z(]", f.replace("/\\", "")):
        return None                       # division by a symbolic divisor: not lia's
    return f


def lemmas() -> list[tuple[str, str]]:
    out = []
    for path in (ROOT / "tests" / "smt" / "corpus.txt", ROOT / "bench" / "heldout.txt"):
        for s in load_corpus(path):
            if s.expected != "yes" or s.category not in ("linear", "nonlinear", "absminmax", "divmod"):
                continue
            c = coq_of(s.formula)
            if c is not None and s.formula.startswith("forall"):
                out.append((s.formula, c))
    return out


def coq_file(items) -> str:
    head = "Require Import ZArith Lia.\nOpen Scope Z_scope.\n\n"
    return head + "".join(f"Lemma t{i} : {c}.\nProof. intros; first [lia | nia]. Qed.\n\n"
                          for i, (_, c) in enumerate(items))


def quod_file(items) -> str:
    return "".join(f"theorem t{i} : {q} := by smt\n" for i, (q, _) in enumerate(items))


def coq_accepts(items, d: Path) -> list:
    """Drop the lemmas coqc refuses (it stops at the first error: drop it and go on)."""
    items = list(items)
    while items:
        (d / "L.v").write_text(coq_file(items))
        p = subprocess.run(["coqc", "L.v"], cwd=d, capture_output=True, text=True)
        if p.returncode == 0:
            return items
        m = re.search(r'line (\d+)', p.stdout + p.stderr)
        if not m:
            raise SystemExit(p.stdout + p.stderr)
        line = int(m.group(1))
        idx = (line - 4) // 3
        del items[max(0, min(idx, len(items) - 1))]
    return items


def timed(cmd, cwd, env=None) -> tuple[float, float]:
    """(wall-clock s, CPU s of the child: user + system). On a shared machine the CPU time is what
    an idle machine's wall clock would be (the child does no I/O to speak of)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode not in (0, 1):
        raise SystemExit(f"{cmd}: {p.stderr[-2000:]}")
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args(argv)
    d = args.keep or Path(tempfile.mkdtemp())
    d.mkdir(parents=True, exist_ok=True)
    have_coq = shutil.which("coqc") is not None
    items = lemmas()
    if have_coq:
        items = coq_accepts(items, d)
    items = items[:N]
    (d / "L.v").write_text(coq_file(items))
    (d / "L.proof").write_text(quod_file(items))
    (d / "E.v").write_text("Require Import ZArith Lia.\n")
    (d / "E.proof").write_text("")
    env = dict(os.environ, PYTHONPATH=str(ROOT), QUOD_CACHE_DIR=str(d / "cache"))
    quod = [sys.executable, "-m", "quod.cli"]
    rows = []

    def med(cmd, before=None):
        ts = []
        for _ in range(args.runs):
            if before:
                before()
            ts.append(timed(cmd, d, env))
        return statistics.median(t for t, _ in ts), statistics.median(c for _, c in ts)
    rows.append(("quod prove '1 = 1' (start-up)", med(quod + ["prove", "1 = 1"])))
    rows.append(("quod check empty file", med(quod + ["check", "E.proof", "--no-cache"])))
    cold = med(quod + ["check", "L.proof", "--no-cache"])
    rows.append((f"quod check {len(items)} lemmas, --no-cache", cold))
    subprocess.run(quod + ["check", "L.proof"], cwd=d, env=env, capture_output=True)
    warm = med(quod + ["check", "L.proof"])
    rows.append((f"quod check {len(items)} lemmas, cached (kernel re-check)", warm))
    out = subprocess.run(quod + ["check", "L.proof", "--no-cache"], cwd=d, env=env, capture_output=True,
                         text=True).stdout
    per = [int(m.group(1)) for m in re.finditer(r"\(\w+, (\d+) ms\)", out)]
    statuses = re.findall(r"^\S+:\d+\s+\S+\s+(proved|oracle|failed|don't know)\b", out, re.M)
    if have_coq:
        rows.append(("coqc Require ZArith Lia (start-up)", med(["coqc", "E.v"])))
        rows.append((f"coqc {len(items)} lemmas", med(["coqc", "L.v"])))
    print(f"{len(items)} lemmas, {args.runs} runs each (median), load average {os.getloadavg()[0]:.1f}, files in {d}")
    print(f"  {'':48} {'wall':>8}    {'CPU (user+sys)':>14}")
    for name, (t, c) in rows:
        print(f"  {name:48} {t * 1000:8.0f} ms {c * 1000:8.0f} ms")
    print("  quod statuses: " + ", ".join(f"{s} {statuses.count(s)}" for s in sorted(set(statuses))))
    if per:
        print(f"  quod per-lemma median (its own timer): {statistics.median(per)} ms;"
              f" mean {sum(per) / len(per):.1f} ms")
    e = dict(rows)
    for i, what in ((0, "wall"), (1, "CPU")):
        empty = e["quod check empty file"][i]
        print(f"  {what}: quod (cold - empty) / lemma: {(cold[i] - empty) / len(items) * 1000:.1f} ms;"
              f" cached: {(warm[i] - empty) / len(items) * 1000:.1f} ms", end="")
        if have_coq:
            c = e[f"coqc {len(items)} lemmas"][i] - e["coqc Require ZArith Lia (start-up)"][i]
            print(f";  coqc (total - start-up) / lemma: {c / len(items) * 1000:.1f} ms", end="")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
