"""Kernel checking speed on generated proofs of about 1e3 .. 1e6 nodes.  Run by hand:

    python bench/kernel.py                    # the tables
    python bench/kernel.py --profile          # cProfile of checking the 1e5 mixed proof
    python bench/kernel.py --root /old/tree   # the same proofs against another checkout's kernel

"mixed": each proof is a chain of blocks under growing hypotheses (so it has depth), and
every block mixes the everyday rules: propositional introduction/elimination, forall
introduction/elimination, a theorem, linarith certificates, ring identities, evaluation
and hypothesis lookups. Formulas differ from block to block (no free caching).
"chain": structural rules only (imp_intro, and_intro, and_left, hyp, true_intro), the
driver's own overhead.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

_root = sys.argv[sys.argv.index("--root") + 1] if "--root" in sys.argv else Path(__file__).resolve().parent.parent
sys.path.insert(0, str(_root))

from kernel import Environment, Forall, Int, P, TheoremDecl, Var, mk  # noqa: E402
from kernel.check import DEFAULT_FUEL, Checker  # noqa: E402

x, c = Var("x"), Var("c")


def lit(v):
    return v if not isinstance(v, int) else Int(v)


def op(name):
    return lambda a, b: mk(name, lit(a), lit(b))


add, sub, mul, eq, lt, le = op("add"), op("sub"), op("mul"), op("eq"), op("lt"), op("le")
imp, and_, or_ = op("imp"), op("and"), op("or")


def env_with_lemmas() -> Environment:
    env = Environment()
    env.add(TheoremDecl("lt_succ", Forall("x", lt(x, add(x, 1))), P("forall_intro", "x", P(
        "by_contra", "h", lt(x, add(x, 1)), P("linarith", ((1, P("hyp", "h")),))))))
    return env


def block(i: int, outer: str):
    """A proof of about 45 nodes; uses the hypothesis ``outer : 0 <= c``."""
    k = i % 7 + 1
    a, b = le(0, add(x, k)), lt(x, add(x, k))
    # forall x, 0 <= x -> 0 < x + k
    pos = P("forall_intro", "x", P("imp_intro", "h", le(0, x), P(
        "by_contra", "n", lt(0, add(x, k)), P("linarith", ((1, P("hyp", "h")), (1, P("hyp", "n")))))))
    # its instance at i, discharged by evaluation
    inst = P("imp_elim", P("forall_elim", pos, Int(i)), P("eval", le(0, i)))
    # (x + k) * (x - k) = x*x - k*k
    ring = P("ring", mul(add(x, k), sub(x, k)), sub(mul(x, x), k * k))
    # a or b -> b or a
    swap = P("imp_intro", "d", or_(a, b), P("or_elim", P("hyp", "d"), "l", P("or_right", b, P("hyp", "l")),
                                             "r", P("or_left", P("hyp", "r"), a)))
    # c < c + i + 1 from the theorem, and 0 <= c from the context
    succ = P("forall_elim", P("thm", "lt_succ"), add(c, i))
    ctx = P("and_left", P("and_intro", P("hyp", outer), P("true_intro")))
    # 0 <= c -> 0 <= c + k  by linarith with the outer hypothesis
    mono = P("by_contra", "m", le(0, add(c, k)), P("linarith", ((1, P("hyp", outer)), (1, P("hyp", "m")))))
    return P("and_intro", P("and_intro", inst, ring), P("and_intro", P("and_intro", swap, succ),
                                                           P("and_intro", ctx, mono)))


def make_proof(blocks: int):
    """imp_intro g0 (0 <= c) (and_intro block0 (imp_intro g1 (0 <= c) (... true_intro)))"""
    p = P("true_intro")
    for i in reversed(range(blocks)):
        g = f"g{i}"
        p = P("imp_intro", g, le(0, c), P("and_intro", block(i, g), p))
    return p


def make_chain(blocks: int):
    """imp_intro h (0 <= c) (and_left (and_intro (... hyp h ...) true_intro)), 4 nodes a block"""
    a = le(0, c)
    p = P("hyp", "h0")
    for i in range(blocks):
        p = P("imp_intro", f"h{i % 10}", a, P("and_left", P("and_intro", p, P("true_intro"))))
    return P("imp_intro", "h0", a, p)


def run(env, proof) -> tuple[int, float]:
    ch = Checker(env)
    t = time.perf_counter()
    ch.run(proof)
    return DEFAULT_FUEL - ch.fuel, time.perf_counter() - t


def table(title: str, env, make, per_block: int, largest: float) -> None:
    print(f"{title}\n{'size':>8} {'nodes':>10} {'seconds':>9} {'nodes/s':>10}")
    for size in (1e3, 1e4, 1e5, 1e6):
        if size > largest:
            break
        proof = make(max(1, round(size / per_block)))
        runs = [run(env, proof) for _ in range(5 if size <= 1e4 else 3 if size <= 1e5 else 1)]
        nodes = runs[0][0]
        secs = statistics.median(r[1] for r in runs)
        print(f"{size:>8.0e} {nodes:>10,} {secs:>9.3f} {nodes / secs:>10,.0f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--max", type=float, default=1e6)
    ap.add_argument("--root", help="directory holding the kernel package to measure")
    args = ap.parse_args()
    env = env_with_lemmas()
    per_block = run(env, make_proof(1))[0] - 2
    if args.profile:
        import cProfile
        import pstats
        proof = make_proof(100_000 // per_block)
        cProfile.runctx("run(env, proof)", globals(), {"env": env, "proof": proof, "run": run}, "/tmp/kernel.prof")
        pstats.Stats("/tmp/kernel.prof").sort_stats("tottime").print_stats(25)
        return
    table("mixed", env, make_proof, per_block, args.max)
    table("chain", env, make_chain, 4, args.max)


if __name__ == "__main__":
    main()
