"""How long ``quod check`` and ``quod --version`` take, as a user sees it.  Run by hand:

    python bench/check.py              # the table (medians of several runs)
    python bench/check.py --runs 9     # more runs
    python bench/check.py --importtime # also: the slowest imports of --version and of a warm check
    python bench/check.py --against DIR # also: the warm check of another Quod tree (say, the previous
                                        # commit, from `git archive`), in the same run

Every command runs the code of the tree this script is in (``PYTHONPATH`` is set to it), not whatever
``quod`` happens to be installed, and with Python's bytecode cache on (``PYTHONDONTWRITEBYTECODE`` is
dropped: without it every run would compile every module it imports again).

Every measurement is a fresh process, timed from the outside. "cold" checks the
bundled theories/ and proofs/ with --no-cache (and, separately, with an empty
cache directory, which also writes the cache); "warm" repeats the check with
every file served from .quod-cache. Targets: a warm re-check under 0.3 s and
``--version`` under 150 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = [str(ROOT / "theories"), str(ROOT / "proofs")]


def timed(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - t0, p


def median_of(runs: int, cmd: list[str], cwd: Path, before=None, env: dict | None = None):
    times, last = [], None
    for _ in range(runs):
        if before:
            before()
        t, last = timed(cmd, cwd, env)
        if "Traceback" in last.stdout + last.stderr:
            raise SystemExit(f"{' '.join(cmd)} crashed:\n{last.stderr[-2000:]}")
        times.append(t)
    return statistics.median(times), min(times), max(times), last


def _env_for(root: Path) -> dict:
    """The environment that makes ``python -m quod.cli`` run the tree at ``root``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root)] + [p for p in [env.get("PYTHONPATH")] if p])
    env.pop("QUOD_DEBUG", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)    # as a user's Python: compiled modules are kept
    return env


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="runs per measurement (cold checks use fewer)")
    ap.add_argument("--importtime", action="store_true", help="show the slowest imports")
    ap.add_argument("--against", metavar="DIR", help="also time the warm check of the Quod tree in DIR")
    args = ap.parse_args()
    env = _env_for(ROOT)
    py = sys.executable
    script = Path(py).with_name("quod")
    on_path = shutil.which("quod")
    work = Path(tempfile.mkdtemp(prefix="quod-bench-"))
    cache = work / ".quod-cache"
    check = [py, "-m", "quod.cli", "check"]
    n_files = sum(1 for d in BUNDLED for _ in Path(d).rglob("*.proof"))
    rows = []

    def row(what, cmd, runs, target=None, before=None, env=env):
        med, lo, hi, p = median_of(runs, cmd, work, before, env)
        tail = p.stdout.strip().split("\n")[-1] if p.stdout.strip() else p.stderr.strip()[-60:]
        rows.append((what, med, lo, hi, runs, target, tail))

    row("python -c pass (baseline)", [py, "-c", "pass"], args.runs)
    if script.exists():
        row("quod --version", [str(script), "--version"], args.runs, 0.150)
    row("python -m quod.cli --version", [py, "-m", "quod.cli", "--version"], args.runs, 0.150)
    if on_path and Path(on_path).resolve() != script.resolve():
        row(f"quod --version via PATH ({on_path})", [on_path, "--version"], args.runs)
    cold_runs = max(1, min(3, args.runs))
    row(f"check --no-cache ({n_files} bundled files)", check + ["--no-cache"] + BUNDLED, cold_runs)
    row("check -j 4 --no-cache", check + ["-j", "4", "--no-cache"] + BUNDLED, cold_runs)
    row("check, empty cache (writes it)", check + BUNDLED, cold_runs,
        before=lambda: shutil.rmtree(cache, ignore_errors=True))
    timed(check + BUNDLED, work, env)
    row("check, warm (all cached)", check + BUNDLED, args.runs, 0.300)
    if args.against:
        other = Path(args.against).resolve()
        other_work = Path(tempfile.mkdtemp(prefix="quod-bench-against-"))
        other_cmd = check + [str(other / "theories"), str(other / "proofs")]
        timed(other_cmd, other_work, _env_for(other))
        med, lo, hi, p = median_of(args.runs, other_cmd, other_work, env=_env_for(other))
        rows.append((f"check, warm, {other.name} (--against)", med, lo, hi, args.runs, 0.300,
                     p.stdout.strip().split("\n")[-1]))
        shutil.rmtree(other_work, ignore_errors=True)
    one = str(ROOT / "theories" / "integers" / "prelude.proof")
    row("check prelude.proof --no-cache", check + ["--no-cache", one], cold_runs)
    timed(check + [one], work, env)
    row("check prelude.proof, warm", check + [one], args.runs, 0.300)

    w = max(len(r[0]) for r in rows)
    print(f"{'measurement':<{w}}  {'median':>8}  {'min':>8}  {'max':>8}  runs  target")
    for what, med, lo, hi, runs, target, tail in rows:
        verdict = "" if target is None else (f"< {target * 1000:.0f} ms " + ("ok" if med < target else "SLOW"))
        print(f"{what:<{w}}  {med * 1000:>6.0f}ms  {lo * 1000:>6.0f}ms  {hi * 1000:>6.0f}ms  {runs:>4}  {verdict}")
    base = rows[0][1]
    for what, med, *_ in rows:
        if what.endswith("--version"):
            print(f"\n{what}: {(med - base) * 1000:.0f} ms over a bare python start")
    cold = next(r for r in rows if r[0].startswith("check --no-cache"))
    print(f"(last output line of the cold check: {cold[6]})")
    for what, *_, tail in rows:
        if "warm" in what:
            print(f"(last output line of {what}: {tail})")

    if args.importtime:
        for label, cmd in (("--version", [py, "-X", "importtime", "-m", "quod.cli", "--version"]),
                           ("warm check", [py, "-X", "importtime", "-m", "quod.cli", "check"] + BUNDLED)):
            p = subprocess.run(cmd, cwd=work, capture_output=True, text=True, env=env)
            top = []
            for line in p.stderr.splitlines():
                parts = line.split("|")
                if len(parts) == 3 and parts[1].strip().isdigit():
                    top.append((int(parts[1]), parts[2].rstrip()))
            print(f"\nslowest imports (cumulative us) for {label}:")
            for us, name in sorted(top, reverse=True)[:12]:
                print(f"  {us:>8}  {name}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
