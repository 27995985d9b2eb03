"""`quod terminates --int math` on the public TPDB programs (../shared/corpora/termination/).  By hand:

    python bench/tpdb.py                     # the table (2 processes, 60 s per program)
    python bench/tpdb.py -j 2 -t 30 -v       # and one line per program
    python bench/tpdb.py --only L0           # the programs whose file name starts with L0
    python bench/tpdb.py --against ../other  # the same programs with another tree's quod, in the same run

Each program is copied with its comments removed (some state the answer; a prover must not read
them) and run as a user runs it, `python -m quod.cli terminates FILE --int math`, in a subprocess
with a time limit. The first line of the answer is compared with the manifest's verdict: right,
WRONG (a yes or no against the verdict: a soundness bug, listed by name), oracle (the right answer,
but resting on z3's word somewhere: not counted as right), don't know, timeout, or front-end error
(the front end refused the program; the reasons are counted).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "termination"


def strip_c_comments(text: str) -> str:
    sys.path.insert(0, str(ROOT))
    from programs.c_frontend import strip_comments
    return strip_comments(text)


def run_one(tree: Path, path: Path, timeout: float) -> tuple[str, float, str]:
    """(outcome, seconds, first line): outcome is yes, no (+oracle when it rests on z3's word),
    dontknow, timeout or error."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("QUOD_DEBUG", None)
    t0 = time.perf_counter()
    try:
        p = subprocess.run([sys.executable, "-m", "quod.cli", "terminates", str(path), "--int", "math"],
                           cwd=tree, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.perf_counter() - t0, ""
    secs = time.perf_counter() - t0
    first = (p.stdout.strip().splitlines() or [""])[0]
    oracle = "smt_oracle" in p.stdout
    if first.startswith("yes"):
        return "yes+oracle" if oracle else "yes", secs, first
    if first.startswith("no"):
        return "no+oracle" if oracle else "no", secs, first
    if first.startswith("don't know"):
        return "dontknow", secs, first
    err = (p.stderr.strip().splitlines() or ["?"])[0]
    return "error", secs, err


def folder(row: dict) -> str:
    """Where the program sits in TPDB (C_Integer/Stroeder_15, C/AProVE_numeric, ...)."""
    return row["tpdb_path"].rsplit("/", 1)[0]


def reason(err: str) -> str:
    """A front-end error without its place and names, to count alike ones together."""
    m = re.search(r"error: (.*)", err)
    text = m.group(1) if m else err
    text = re.sub(r"`[^`]*`", "`...`", text)
    text = re.sub(r"\b\d+\b", "N", text)
    text = re.sub(r"recursive call to \w+", "recursive call to F", text)
    text = re.sub(r"^\w+ is not declared", "NAME is not declared", text)
    return text[:90]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("-t", "--timeout", type=float, default=60.0)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--only", default="", help="file-name prefix")
    ap.add_argument("--against", type=Path, help="another Quod tree to run on the same programs")
    args = ap.parse_args(argv)
    rows = [r for r in csv.DictReader(open(CORPUS / "manifest.tsv"), delimiter="\t")
            if r["file"].startswith(args.only)]
    wrong = 0
    trees = [("this tree", ROOT)] + ([("against", args.against.resolve())] if args.against else [])
    with tempfile.TemporaryDirectory() as tmp:
        copies = []
        for r in rows:
            dst = Path(tmp) / r["file"]
            dst.write_text(strip_c_comments((CORPUS / r["file"]).read_text(encoding="utf-8", errors="replace")))
            copies.append((r, dst))
        for label, tree in trees:
            with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                outs = list(pool.map(lambda c: run_one(tree, c[1], args.timeout), copies))
            wrong = report(label, copies, outs, args.verbose) or wrong
    return 1 if wrong else 0


def report(label: str, copies: list, outs: list, verbose: bool) -> int:
    """Print the table; the number of WRONG answers."""
    counts, wrong, reasons, times, kinds = Counter(), [], Counter(), [], []
    for (r, _), (outcome, secs, first) in zip(copies, outs):
        want = "yes" if r["expected"] == "terminating" else "no"
        answer = outcome.split("+")[0]
        if answer in ("yes", "no"):
            kind = "right" if answer == want else "WRONG"
            if kind == "WRONG":
                wrong.append(f"{r['file']}: {first}")
            elif outcome.endswith("+oracle"):
                kind = "oracle"          # right, but resting on z3's word: not counted as right
        else:
            kind = outcome
        if outcome == "error":
            reasons[reason(first)] += 1
        counts[kind] += 1
        kinds.append(kind)
        times.append(secs)
        if verbose:
            print(f"{r['file']:<60} {want:<4} {kind:<9} {secs:6.1f} s  {first[:100]}")
    n = len(copies)
    times.sort()
    p90 = times[min(len(times) - 1, int(0.9 * len(times)))] if times else 0.0
    print(f"\n{label}: {n} programs, median {statistics.median(times) if times else 0:.1f} s, p90 {p90:.1f} s "
          "per program")
    print(f"{'right':>8} {'WRONG':>8} {'oracle':>8} {'dont know':>10} {'timeout':>8} {'error':>8}")
    print(f"{counts['right']:>8} {counts['WRONG']:>8} {counts['oracle']:>8} {counts['dontknow']:>10} "
          f"{counts['timeout']:>8} {counts['error']:>8}")
    for want in ("yes", "no"):
        mine = [k for (r, _), k in zip(copies, kinds) if (r["expected"] == "terminating") == (want == "yes")]
        c = Counter(mine)
        print(f"  expected {want:<3}: {len(mine):3} programs, {c['right']} right, {c['WRONG']} wrong, "
              f"{c['oracle']} oracle, {c['dontknow']} don't know, {c['timeout']} timeout, {c['error']} error")
    folders = sorted({folder(r) for r, _ in copies})
    print(f"  {'by folder':<36} {'n':>4} {'right':>6} {'WRONG':>6} {'oracle':>7} {'dk':>4} {'t/o':>4} {'err':>4}")
    for f in folders:
        c = Counter(k for (r, _), k in zip(copies, kinds) if folder(r) == f)
        print(f"  {f:<36} {sum(c.values()):4} {c['right']:6} {c['WRONG']:6} {c['oracle']:7} {c['dontknow']:4} "
              f"{c['timeout']:4} {c['error']:4}")
    print(f"right: {100 * counts['right'] / max(n, 1):.0f}%")
    for w in wrong:
        print("  WRONG", w)
    for text, k in reasons.most_common(12):
        print(f"  {k:4} front end: {text}")
    return len(wrong)


if __name__ == "__main__":
    sys.exit(main())
