"""The termination corpus (tests/programs/corpus/) as a benchmark.  Run by hand:

    python bench/terminates.py              # the table
    python bench/terminates.py -v           # and one line per program
    python bench/terminates.py -j 4         # in 4 processes
    python bench/terminates.py --category nt --strict
    python bench/terminates.py --tpdb -j 2   # and then the public TPDB corpus (bench/tpdb.py: comment-free
                                             # copies, one subprocess each; by folder and expected verdict)

Every program goes through ``analysis.termination.decide_termination`` (what ``quod terminates``
does, with the prelude loaded once). Printed per category: the yes / no / don't know answers,
how many are right (the expected verdict), honest don't knows (expected yes or no, answered don't
know) and WRONG answers (a yes or no that contradicts the expected verdict: a soundness bug), and
the median time per program. ``--strict`` counts an answer resting on the z3 oracle as don't know,
like ``quod terminates --strict``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "programs"))

from progcorpus import CATEGORIES, KNOWN_WRONG, decide_all, load  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="one line per program")
    ap.add_argument("-j", "--jobs", type=int, default=1, help="worker processes")
    ap.add_argument("--category", help="only this category (file-name prefix, e.g. nt)")
    ap.add_argument("--strict", action="store_true", help="an answer that needs the z3 oracle is don't know")
    ap.add_argument("--tpdb", action="store_true", help="also the public corpus, as bench/tpdb.py runs it")
    args = ap.parse_args(argv)
    own = own_corpus(args)
    if not args.tpdb:
        return own
    import tpdb
    print()
    return tpdb.main(["-j", str(max(args.jobs, 1)), "-t", "60"] + (["-v"] if args.verbose else [])) or own


def own_corpus(args) -> int:

    entries = [e for e in load() if args.category is None or e.category == args.category]
    if not entries:
        print("no corpus programs selected", file=sys.stderr)
        return 2
    expected = {e.name: e for e in entries}
    t_all = time.perf_counter()
    out = decide_all(entries, args.jobs, args.strict)
    results = [(name, *out[name]) for name in sorted(out)]
    wall = time.perf_counter() - t_all

    rows: dict = defaultdict(lambda: defaultdict(int))
    times: dict = defaultdict(list)
    wrong = []
    for name, ans, secs, text in results:
        e = expected[name]
        for key in (e.category, "ALL"):
            r = rows[key]
            r["n"] += 1
            r["dontknow" if ans in ("error", "crash") else ans] += 1
            if ans in ("error", "crash"):
                r["errors"] += 1
            elif ans == e.expect:
                r["right"] += 1
            elif ans == "dontknow":
                r["honest"] += 1
            else:
                r["wrong"] += 1
            times[key].append(secs)
        if ans in ("yes", "no") and ans != e.expect:
            wrong.append((name, e.expect, text))
        if args.verbose:
            mark = "ok" if ans == e.expect else "WRONG" if ans in ("yes", "no") else "dk" if ans == "dontknow" \
                else ans
            print(f"{mark:5} {name:26} expect {e.expect:8} {secs:6.2f}s  {text[:90]}")
    if args.verbose:
        print()

    head = (f"{'category':34} {'n':>3} {'yes':>4} {'no':>4} {'dk':>4} | {'right':>5} {'dk*':>4} {'err':>4} "
            f"{'WRONG':>5} | {'median':>7}")
    print(head)
    print("-" * len(head))
    order = [c for c in CATEGORIES if c in rows] + sorted(c for c in rows if c not in CATEGORIES and c != "ALL")
    for key in order + ["ALL"]:
        r = rows[key]
        label = "all" if key == "ALL" else f"{key} ({CATEGORIES.get(key, '?')})"
        if key == "ALL":
            print("-" * len(head))
        print(f"{label:34} {r['n']:3} {r['yes']:4} {r['no']:4} {r['dontknow']:4} | {r['right']:5} {r['honest']:4} "
              f"{r['errors']:4} {r['wrong']:5} | {statistics.median(times[key]) * 1000:5.0f}ms")
    print()
    total = rows["ALL"]
    print("dk* = don't know on a program whose expected verdict is yes or no (honest, but a miss); "
          "err = the front end rejected the program or the analysis crashed (counted in dk)")
    print(f"{total['n']} programs: {total['right']} right, {total['honest']} don't know (honest), "
          f"{total['errors']} errors, {total['wrong']} WRONG; wall {wall:.1f}s, total {sum(times['ALL']):.1f}s")
    for name, exp, text in wrong:
        known = " (known bug)" if name in KNOWN_WRONG else ""
        print(f"WRONG{known}: {name}: expected {exp}, got: {text}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
