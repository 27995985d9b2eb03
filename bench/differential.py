"""Differential testing of the C and Python front ends on random programs.  Run by hand:

    python bench/differential.py --programs 5000 --seed 1            # 5000 C and 5000 Python programs
    python bench/differential.py --programs 500 --lang c --seed 7
    python bench/differential.py --lang python --seed 3 --only 1234  # one program again, printed
    python bench/differential.py --programs 5000 -j 2                # in 2 processes
    python bench/differential.py --lang python --risky               # also possibly unbound locals
    python bench/differential.py --recursive --programs 300          # recursive programs (recgen.py)

Every program (tests/programs/progen.py draws them) goes through Quod's front end and interpreter
and through gcc -O0 -fsanitize=undefined (many programs per binary) or CPython, on random inputs,
compared by the rules of tests/programs/test_differential.py (see tests/programs/randdiff.py).
Printed: programs tried, refused by the front end (by reason), inputs compared, and every
disagreement with its program and input, minimised (``--shrink N``: the first N of each kind).
``--recursive`` draws recursive functions instead (tests/programs/recgen.py): the same comparison,
and also which inputs run out of the interpreter's steps (an infinite chain of calls) and which end.
Exit status 1 when there is a disagreement.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "programs"))

import randdiff  # noqa: E402
import recgen  # noqa: E402


def _part(language: str, seed: int, start: int, count: int, risky: bool = False) -> randdiff.Stats:
    stats = randdiff.Stats()
    if language == "c":
        randdiff.run_c(seed, start, count, stats)
    else:
        randdiff.run_python(seed, start, count, stats, risky=risky)
    return stats


def run(language: str, seed: int, count: int, jobs: int, verbose: bool, risky: bool = False) -> randdiff.Stats:
    t0 = time.perf_counter()
    stats = randdiff.Stats()
    if jobs <= 1:
        def progress(s):
            if verbose:
                print(f"  [{language}] {s.programs} programs, {s.inputs} inputs, {len(s.disagreements)} "
                      f"disagreements, {time.perf_counter() - t0:.0f}s", file=sys.stderr, flush=True)
        if language == "c":
            randdiff.run_c(seed, 0, count, stats, progress=progress)
        else:
            randdiff.run_python(seed, 0, count, stats, progress=progress, risky=risky)
        return stats
    chunk = max(randdiff.BATCH, -(-count // (jobs * 4)))
    starts = list(range(0, count, chunk))
    with ProcessPoolExecutor(jobs) as ex:
        futures = [ex.submit(_part, language, seed, s, min(chunk, count - s), risky) for s in starts]
        for f in futures:
            stats.merge(f.result())
            if verbose:
                print(f"  [{language}] {stats.programs} programs, {stats.inputs} inputs, "
                      f"{len(stats.disagreements)} disagreements, {time.perf_counter() - t0:.0f}s",
                      file=sys.stderr, flush=True)
    return stats


def report(language: str, stats: randdiff.Stats, seconds: float, shrink: int, budget: float) -> None:
    name = {"c": "C (gcc -O0 -fsanitize=undefined)", "python": "Python (CPython)"}[language]
    accepted = stats.programs - sum(stats.rejected.values())
    print(f"== {name}: {stats.programs} programs tried in {seconds:.0f}s")
    print(f"   refused by the front end: {sum(stats.rejected.values())}; accepted: {accepted}")
    for why, n in stats.rejected.most_common():
        print(f"     {n:6d}  {why}")
    print(f"   inputs compared: {stats.inputs} (both sides fail: {stats.agreed_failures}); "
          f"not comparable (no end within the step bound, ...): {stats.skipped}")
    cov = sorted(stats.coverage.items(), key=lambda kv: kv[0])
    print("   constructs (accepted programs using each): " + ", ".join(f"{k} {n}" for k, n in cov))
    print(f"   disagreements: {len(stats.disagreements)}")
    shrunk = defaultdict(int)
    for d in stats.disagreements:
        if shrunk[d.kind] < shrink:
            shrunk[d.kind] += 1
            randdiff.shrink(d, budget=budget)
        print()
        print(d.text())
    print()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--programs", type=int, default=1000, help="programs per language (default 1000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lang", choices=["c", "python", "both"], default="both")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--shrink", type=int, default=3, help="minimise the first N disagreements of each kind")
    ap.add_argument("--shrink-seconds", type=float, default=120.0, help="time for minimising one disagreement")
    ap.add_argument("--only", type=int, help="print program number ONLY (of --lang) and test it alone")
    ap.add_argument("-v", "--verbose", action="store_true", help="progress on stderr")
    ap.add_argument("--risky", action="store_true",
                    help="Python: also locals that may be read before they are set (an open class of issue 10)")
    ap.add_argument("--recursive", action="store_true", help="recursive programs (tests/programs/recgen.py)")
    args = ap.parse_args(argv)
    if args.lang in ("c", "both") and randdiff.GCC is None:
        print("gcc is not installed: the C half is skipped", file=sys.stderr)
    languages = ["c", "python"] if args.lang == "both" else [args.lang]
    languages = [x for x in languages if x == "python" or randdiff.GCC is not None]
    if args.recursive:
        total = 0
        for lang in languages:
            t0 = time.perf_counter()
            stats = randdiff.Stats()
            (recgen.run_c if lang == "c" else recgen.run_python)(args.seed, 0, args.programs, stats)
            print(recgen.report(lang, stats) + f"\n   ({time.perf_counter() - t0:.0f}s)\n")
            total += len(stats.disagreements)
        print(f"TOTAL disagreements: {total}")
        return 1 if total else 0
    if args.only is not None:
        for lang in languages:
            origin, gp, _ = randdiff.generate(lang, args.seed, args.only, args.risky and lang == "python")
            print(f"-- program {origin}\n{gp.source}")
            stats = randdiff.Stats()
            if lang == "c":
                randdiff.run_c(args.seed, args.only, 1, stats)
            else:
                randdiff.run_python(args.seed, args.only, 1, stats, risky=args.risky)
            report(lang, stats, 0, args.shrink, args.shrink_seconds)
        return 0
    total = 0
    for lang in languages:
        t0 = time.perf_counter()
        stats = run(lang, args.seed, args.programs, args.jobs, args.verbose, args.risky)
        report(lang, stats, time.perf_counter() - t0, args.shrink, args.shrink_seconds)
        total += len(stats.disagreements)
    print(f"TOTAL disagreements: {total}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
