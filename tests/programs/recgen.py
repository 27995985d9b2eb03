"""Random recursive programs, run by Quod's interpreter and by gcc / CPython (issue 12).

``rec_program(rng, language)`` draws a recursive entry function ``f`` (one or two parameters, a base
case, then recursive calls: one, two in sequence, one nested in another's argument as McCarthy's 91
function, one through a helper that calls back) whose arguments step towards the base case or not
(``a - 2``, ``a / 2``, ``(a + b) / 2``, ``a % b``, ``b``, ``a + 1``, the same ``a``), so that some
inputs end and some recurse forever. The trees are progen's, so progen renders them (C with every
operator checked for overflow) and shrinks them.

``judge`` compares by these rules, for each input: Quod's interpreter (an unbounded call stack, a step
bound) returns v => the real run returns v; fails an assert => the real run has undefined behaviour
(C) or raises (Python); runs out of steps => the real run does not end (C: a stack overflow or a
timeout; Python: RecursionError or more lines than allowed). A real run that ends quickly where Quod
runs out of steps is a disagreement; one that ends only after more than that is not comparable (the
step bound), nor is a CPython RecursionError where Quod ends (CPython's stack has a limit, Quod's
semantics none: TRUST.md).
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import progen
import randdiff
from progen import Func, GenProgram, N
from test_differential import MAX_STEPS, call_python

PY_LINES = 600              # CPython lines within which a run ends for sure within Quod's step bound


# ---- drawing ----------------------------------------------------------------------------------------

class _B:
    """Nodes spelled for one language."""

    def __init__(self, language: str, rng: random.Random):
        self.c, self.rng = language == "c", rng

    def cmp(self, op, a, b):
        return N("bin", op, a, b) if self.c else N("cmp", [a, b], [op])

    def div(self, a, b):
        return N("bin", "/" if self.c else "//", a, b)

    def iff(self, c, t, e=None):
        return N("if", c, t, e, True) if self.c else N("if", c, t, e)

    def decl(self, x, e):
        return N("decl", "int", x, e) if self.c else N("assign", x, "=", e)

    def ite(self, c, a, b):
        return N("cond", c, a, b) if self.c else N("ifexp", c, a, b)


def _k(rng, lo=0, hi=3) -> N:
    return N("const", str(rng.randint(lo, hi)))


def _step(b: _B, x: str, params: list) -> N:
    """A next argument for parameter x: mostly towards a base case, sometimes not."""
    rng = b.rng
    v = N("var", x)
    other = [N("var", y) for y in params if y != x]
    r = rng.random()
    if r < 0.35:
        return N("bin", "-", v, _k(rng, 1, 3))
    if r < 0.50:
        return b.div(v, N("const", rng.choice(["2", "3", "-2"])))
    if r < 0.60 and other:
        return b.div(N("bin", "+", v, other[0]), N("const", "2"))
    if r < 0.68 and other:
        return N("bin", "%", v, other[0])
    if r < 0.76 and other:
        return other[0] if rng.random() < 0.5 else N("bin", "-", v, other[0])
    if r < 0.82:
        return N("bin", "+", v, _k(rng, 1, 2))
    if r < 0.88:
        return N("bin", "-", _k(rng, 0, 5), v)
    if r < 0.92:
        return v
    return b.ite(b.cmp(rng.choice(["<", ">"]), v, _k(rng, -2, 2)), N("bin", "+", v, N("const", "1")),
                 N("bin", "-", v, N("const", "1")))


def _small(b: _B, params: list) -> N:
    rng = b.rng
    v = N("var", rng.choice(params))
    r = rng.random()
    if r < 0.4:
        return v
    if r < 0.7:
        return _k(rng, -1, 3)
    return N("bin", rng.choice(["+", "-", "*"]), v, _k(rng, 1, 3))


def _combine(b: _B, x: N, params: list) -> N:
    """What a recursive call's result becomes (C: operands that cannot fail, so the call's place among
    them does not matter)."""
    rng = b.rng
    r = rng.random()
    if r < 0.4:
        return x
    if r < 0.7:
        return N("bin", rng.choice(["+", "-"]), x, N("var", rng.choice(params)))
    if r < 0.85:
        return N("bin", "+", x, _k(rng, 1, 2))
    return N("bin", "*", x, N("const", "2"))


def rec_program(rng: random.Random, language: str) -> GenProgram:
    b = _B(language, rng)
    params = rng.sample(["a", "b", "n", "m"], rng.choice([1, 1, 2, 2, 2]))
    ty = "int"
    body: list = []
    if rng.random() < 0.2:
        body.append(b.decl("t", _small(b, params)))
        names = params + ["t"]
    else:
        names = params
    x = rng.choice(params)
    guard = rng.choice([b.cmp("<=", N("var", x), _k(rng, -1, 2)), b.cmp("==", N("var", x), _k(rng, 0, 1)),
                        b.cmp("<", N("var", x), _k(rng, 0, 2))])
    if len(params) > 1 and rng.random() < 0.3:
        y = [p for p in params if p != x][0]
        guard = b.cmp(rng.choice(["<=", ">=", "=="]), N("var", x), N("var", y)) if rng.random() < 0.5 else \
            N("bin", "||", guard, b.cmp("==", N("var", y), N("const", "0"))) if b.c else \
            N("bool", "or", [guard, b.cmp("==", N("var", y), N("const", "0"))])
    body.append(b.iff(guard, [N("return", _small(b, names))]))

    def call():
        return N("call", "f", [_step(b, p, params) for p in params])
    shape = rng.random()
    helpers: list[Func] = []
    if shape < 0.45:                                       # one call
        if rng.random() < 0.3 and len(params) > 0:        # under a second condition
            c = b.cmp(rng.choice([">", "<"]), N("var", rng.choice(params)), _k(rng, 0, 6))
            body.append(b.iff(c, [N("return", _combine(b, call(), names))]))
        body.append(N("return", _combine(b, call(), names)))
    elif shape < 0.7:                                      # two calls in sequence
        body.append(b.decl("r1", call()))
        body.append(b.decl("r2", call()))
        body.append(N("return", N("bin", rng.choice(["+", "-"]), N("var", "r1"), N("var", "r2"))))
    elif shape < 0.85:                                     # a call in a call's argument (McCarthy)
        inner = call()
        args = [_step(b, p, params) for p in params]
        i = rng.randrange(len(params))
        args[i] = inner if rng.random() < 0.5 else N("bin", rng.choice(["+", "-"]), inner, _k(rng, 0, 11))
        body.append(b.decl("r1", N("call", "f", args)))
        body.append(N("return", N("var", "r1")))
    else:                                                  # through a helper that calls back
        hp = ["p" + str(i) for i in range(len(params))]
        helpers.append(Func("g", ty, [(p, ty) for p in hp],
                            [N("return", N("call", "f", [N("var", p) for p in hp]))]))
        body.append(N("return", _combine(b, N("call", "g", [_step(b, p, params) for p in params]), names)))
    f = Func("f", ty, [(p, ty) for p in params], body)
    if language == "c":
        protos = ["f"] if helpers else []
        return GenProgram("c", helpers + [f], "", protos)
    return GenProgram("python", [f] + helpers, "")


# ---- running --------------------------------------------------------------------------------------

def interpret(prog, args: tuple) -> tuple:
    """("ok", ret) | ("assert", None) | ("steps", None) | ("error", message): Quod's interpreter, with the
    program's procedures declared in an environment of its own."""
    from kernel import Environment
    from programs.interp import AssertionFailed, OutOfSteps, run
    from analysis.recursion import declare
    env = Environment()
    try:
        declare(env, prog)
        final = run(env, prog.body, {x: v for (x, _), v in zip(prog.params, args)}, MAX_STEPS)
    except AssertionFailed:
        return "assert", None
    except OutOfSteps:
        return "steps", None
    except Exception as exc:            # noqa: BLE001 -- the interpreter may fail only by an assert
        return "error", f"{type(exc).__name__}: {exc}"
    return "ok", final.get("ret")


def judge(quod: tuple, real: tuple, language: str, real_lines_ok: bool = False) -> str:
    """"value" / "failure" / "runs-on" (agreements), "skipped", or a disagreement's kind. ``real``: gcc's
    (ok / ub / timeout / crash) or CPython's (ok / raise / long) answer."""
    kind, ret = quod
    rk, rv = real
    ends_not = rk in ("timeout", "crash", "long") or (rk == "raise" and isinstance(rv, RecursionError))
    if kind == "error":
        return "interpreter-error"
    if kind == "steps":
        if ends_not:
            return "runs-on"
        return "finishes" if real_lines_ok else "skipped"
    if kind == "assert":
        if rk in ("ub",) or (rk == "raise" and not isinstance(rv, RecursionError)):
            return "failure"
        return "skipped" if ends_not else ("false-ub" if language == "c" else "false-raise")
    if rk == "ok":
        v = int(rv) if isinstance(rv, bool) else rv
        return "value" if v == ret else "value-differs"
    if rk == "ub":
        return "missed-ub"
    if rk == "raise" and not isinstance(rv, RecursionError):
        return "missed-raise"
    if language == "python" and rk == "raise":
        return "skipped"             # CPython's recursion limit where Quod's stack is unbounded
    return "does-not-end"


def _inputs(rng: random.Random, n: int, language: str) -> list:
    ty = "i32" if language == "c" else "int"
    return randdiff.draw_inputs(rng, [(f"x{i}", ty) for i in range(n)], 8)


def _note(stats: randdiff.Stats, verdict: str, gp, args, quod, real_text: str, origin: str) -> None:
    stats.outcomes[verdict] = stats.outcomes.get(verdict, 0) + 1
    if verdict in ("value", "failure", "runs-on"):
        stats.inputs += 1
        stats.agreed_failures += verdict == "failure"
    elif verdict == "skipped":
        stats.skipped += 1
    else:
        stats.disagreements.append(randdiff.Disagreement(gp.language, verdict, gp.source, args,
                                                         randdiff._quod_text(quod), real_text, origin, gp))


def _front(gp, stats, origin):
    stats.programs += 1
    status, prog = randdiff.front_end(gp)
    if status == "rejected":
        stats.rejected[randdiff.reason(prog)] += 1
        return None
    if status == "crash":
        stats.disagreements.append(randdiff.Disagreement(gp.language, "front-end-crash", gp.source, (), prog, "-",
                                                         origin, gp))
        return None
    return prog


def run_python(seed: int, start: int, count: int, stats: randdiff.Stats) -> None:
    stats.outcomes = getattr(stats, "outcomes", {})
    for i in range(start, start + count):
        origin = f"{seed}:rec-python:{i}"
        rng = random.Random(origin)
        gp = rec_program(rng, "python")
        prog = _front(gp, stats, origin)
        if prog is None:
            continue
        fn = randdiff.python_function(gp)
        for args in _inputs(rng, len(prog.params), "python"):
            q = interpret(prog, args)
            real = call_python(fn, args, PY_LINES if q[0] == "steps" else randdiff.PY_MAX_LINES)
            _note(stats, judge(q, real, "python", real_lines_ok=real[0] == "ok"), gp, args, q,
                  randdiff._py_text(real), origin)


def run_c(seed: int, start: int, count: int, stats: randdiff.Stats) -> None:
    stats.outcomes = getattr(stats, "outcomes", {})
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        flags = randdiff._c_flags(tmp)
        for lo in range(start, start + count, randdiff.BATCH):
            items = []
            for i in range(lo, min(lo + randdiff.BATCH, start + count)):
                origin = f"{seed}:rec-c:{i}"
                rng = random.Random(origin)
                gp = rec_program(rng, "c")
                prog = _front(gp, stats, origin)
                if prog is not None:
                    items.append((len(items), gp, prog, origin, _inputs(rng, len(prog.params), "c")))
            if not items:
                continue
            batch = randdiff.CBatch(tmp, flags)
            batch.start([(k, gp, prog) for k, gp, prog, _, _ in items])
            answers = {k: [interpret(prog, a) for a in inputs] for k, _, prog, _, inputs in items}
            binary = batch.finish()
            try:
                for k, gp, prog, origin, inputs in items:
                    if k in batch.failed:
                        stats.disagreements.append(randdiff.Disagreement("c", "gcc-rejects", gp.source, (), "accepted",
                                                                         batch.failed[k][:300], origin, gp))
                        continue
                    for args, q in zip(inputs, answers[k]):
                        real = binary.run(str(k), args, (), timeout=2.0 if q[0] == "ok" else 0.5)
                        _note(stats, judge(q, real, "c"), gp, args, q, randdiff._gcc_text(real), origin)
            finally:
                batch.close()


def report(language: str, stats: randdiff.Stats) -> str:
    accepted = stats.programs - sum(stats.rejected.values())
    out = [f"== recursive {language}: {stats.programs} programs, refused {sum(stats.rejected.values())}, "
           f"accepted {accepted}"]
    out += [f"     {n:6d}  {why}" for why, n in stats.rejected.most_common()]
    o = getattr(stats, "outcomes", {})
    out.append(f"   inputs: both return the same value {o.get('value', 0)}, both fail {o.get('failure', 0)}, "
               f"Quod runs out of steps and the real run does not end {o.get('runs-on', 0)}, "
               f"not comparable {o.get('skipped', 0)}")
    out.append(f"   disagreements: {len(stats.disagreements)}")
    out += [d.text() for d in stats.disagreements[:10]]
    return "\n".join(out)


__all__ = ["rec_program", "run_c", "run_python", "judge", "interpret", "report", "progen"]
