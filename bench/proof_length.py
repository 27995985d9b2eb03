"""Does checking time grow linearly with the length of a proof?  Run by hand:

    python bench/proof_length.py                     # the table: 625, 1,250, 2,500 and 5,000 steps
    python bench/proof_length.py --sizes 1000 2000   # other lengths
    python bench/proof_length.py --shapes have_ring  # some shapes only

Each shape is one theorem whose proof has N steps, one a line, written to a temporary file and
checked by ``python -m quod.cli check --no-cache --json`` in a fresh process running this tree's
code. The table gives the wall-clock time of the whole command, the time of the theorem alone
(``ms`` in the JSON: parsing the file and starting Python are not in it), that time per 1,000 steps,
and the ratio to the previous row: about 2 for each doubling of N is linear, 4 is quadratic.

Shapes:
  have_ring    ``have hK : x + K = K + x := by ring``, N times (the context grows by one each step)
  intro        ``intro hK`` N times, on ``x = x -> x = x -> ... -> x = x`` (a statement N deep)
  intro_anon   ``intro`` N times with no name, on the statement of ``intro``: each step names its
               hypothesis itself (h, h1, ..., the first free one: a scan of the names taken)
  linarith     ``have hK : x + K >= K := by linarith``: linarith reads every hypothesis in context
               (as Lean's does), so each step costs O(context) by design and the whole is quadratic;
               shown at the smaller sizes only
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def have_ring(n: int) -> str:
    steps = [f"  have h{i} : x + {i} = {i} + x := by ring" for i in range(1, n)]
    return "\n".join(["theorem long : forall x : int, x + 0 = x", "proof", "  intro x", *steps, "  ring", "qed"])


def intro(n: int) -> str:
    stmt = " -> ".join(["x = x"] * n + ["x + 0 = x"])
    steps = [f"  intro h{i}" for i in range(1, n + 1)]
    return "\n".join([f"theorem long : forall x : int, {stmt}", "proof", "  intro x", *steps, "  ring", "qed"])


def intro_anon(n: int) -> str:
    stmt = " -> ".join(["x = x"] * n + ["x + 0 = x"])
    steps = ["  intro"] * n
    return "\n".join([f"theorem long : forall x : int, {stmt}", "proof", "  intro x", *steps, "  ring", "qed"])


def linarith(n: int) -> str:
    steps = [f"  have h{i} : x + {i} >= {i} := by linarith" for i in range(1, n)]
    return "\n".join(["theorem long : forall x : int, x >= 0 -> x + 0 >= 0", "proof", "  intro x h", *steps,
                      "  linarith", "qed"])


SHAPES = {"have_ring": have_ring, "intro": intro, "intro_anon": intro_anon, "linarith": linarith}
SMALL_ONLY = {"linarith": 1250}


def run(text: str, work: Path) -> tuple[float, float, str]:
    f = work / "long.proof"
    f.write_text(text + "\n", encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    env.pop("QUOD_DEBUG", None)
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "quod.cli", "check", "--no-cache", "--json", str(f)], cwd=work,
                       env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if "Traceback" in p.stdout + p.stderr:
        raise SystemExit(f"quod check crashed:\n{p.stderr[-2000:]}")
    try:
        doc = json.loads(p.stdout)
        th = doc["theorems"][0]
        return wall, th["ms"] / 1000, th["status"]
    except (ValueError, KeyError, IndexError):
        return wall, float("nan"), (p.stdout + p.stderr).strip().split("\n")[-1][:60]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[625, 1250, 2500, 5000])
    ap.add_argument("--shapes", nargs="+", choices=list(SHAPES), default=list(SHAPES))
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="quod-bench-length-"))
    print(f"{'shape':<10} {'steps':>6} {'wall':>8} {'theorem':>8} {'per 1000':>9} {'ratio':>6}  status")
    for shape in args.shapes:
        prev = None
        for n in sorted(args.sizes):
            if n > SMALL_ONLY.get(shape, n):
                continue
            wall, thm, status = run(SHAPES[shape](n), work)
            ratio = f"{thm / prev:6.2f}" if prev else ""
            print(f"{shape:<10} {n:>6} {wall:>7.2f}s {thm:>7.2f}s {thm / n * 1000:>8.2f}s {ratio:>6}  {status}",
                  flush=True)
            prev = thm
    for f in work.iterdir():
        f.unlink()
    work.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
