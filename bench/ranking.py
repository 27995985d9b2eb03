"""Ranking-function synthesis (analysis/ranking.py) on every loop of the termination corpus.  By hand:

    python bench/ranking.py             # the table: median ms per loop over 5 runs
    python bench/ranking.py -n 11 lin_  # 11 runs, only files whose name contains lin_

Invariants come from ``analysis.termination.find_specs`` (partial correctness, computed once and not
timed), as the caller will pass them. Printed per loop: the file, the loop's guard, the number of
feasible paths of one iteration, the median synthesis time, and the candidates in preference order
(``(r)`` linear, ``(r1, r2)`` lexicographic).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "programs"))

from progcorpus import load, prelude_env  # noqa: E402

from kernel import show  # noqa: E402
from analysis.termination import Z3, find_specs, loops_of  # noqa: E402
from programs.lang import precondition  # noqa: E402
from analysis.paths import paths_of  # noqa: E402
from analysis.ranking import synthesize  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--runs", type=int, default=5)
    ap.add_argument("only", nargs="*", help="substrings of file names")
    args = ap.parse_args(argv)
    env = prelude_env()
    rows = []
    for e in load():
        if args.only and not any(s in e.name for s in args.only):
            continue
        try:
            prog = e.parse()
        except Exception as exc:
            rows.append((e.name, "-", "-", None, f"front end: {exc}"))
            continue
        specs = find_specs(env, prog, precondition(prog), False, Z3(env), []) or {}
        for w in loops_of(prog.body):
            inv = specs[w].invariant if w in specs else None
            guard, body = w.args
            times, cands = [], []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                cands = synthesize(guard, body, inv, specs)
                times.append(1000 * (time.perf_counter() - t0))
            ps = paths_of(guard, body, inv, specs)
            found = "  ".join("(" + ", ".join(show(t) for t in c) + ")" for c in cands) or "-"
            rows.append((e.name, show(guard)[:34], "-" if ps is None else len(ps), statistics.median(times), found))
    print(f"{'file':24} {'loop guard':34} {'paths':>5} {'ms':>7}  candidates")
    print("-" * 110)
    for name, g, np, ms, found in rows:
        print(f"{name:24} {g:34} {np!s:>5} {'-' if ms is None else f'{ms:7.1f}':>7}  {found}")
    ms_all = [r[3] for r in rows if r[3] is not None]
    lin = sum(1 for r in rows if r[3] is not None and r[4] != "-" and not r[4].split("  ")[0].count(","))
    lex = sum(1 for r in rows if r[3] is not None and r[4] != "-" and r[4].split("  ")[0].count(","))
    print("-" * 110)
    print(f"{len(ms_all)} loops: {lin} linear first, {lex} lexicographic first, {len(ms_all) - lin - lex} nothing; "
          f"median {statistics.median(ms_all):.1f} ms, max {max(ms_all):.1f} ms, total {sum(ms_all):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
