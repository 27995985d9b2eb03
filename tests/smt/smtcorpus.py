"""Shared by tests/smt and bench/smt.py: the corpus, running ``quod prove`` in-process, and an
independent checker for counterexamples.

The checker does not use Quod's evaluator: it computes with Python integers under the semantics
fixed in the design (floor ``/`` and ``%`` made total with ``x / 0 = 0`` and ``x % 0 = x``;
``a | b`` iff ``b = c * a`` for some ``c``; ``gcd`` nonnegative with ``gcd(0, 0) = 0``) and
searches quantifiers over a bounded range, answering True, False or None (undetermined).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import re
import sys
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS = Path(__file__).resolve().parent / "corpus.txt"
CATEGORIES = ("linear", "nonlinear", "divmod", "absminmax", "quantified", "defs")


@dataclass(frozen=True)
class Statement:
    line: int
    expected: str       # "yes" or "no"
    category: str
    formula: str

    @property
    def id(self) -> str:
        return f"{self.line}:{self.category}:{self.expected}"


def load_corpus(path: Path = CORPUS) -> list[Statement]:
    out = []
    for i, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) != 3:
            raise ValueError(f"{path.name}:{i}: expected EXPECTED<TAB>CATEGORY<TAB>FORMULA, got {raw!r}")
        exp, cat, formula = parts
        if exp not in ("yes", "no"):
            raise ValueError(f"{path.name}:{i}: expected answer must be yes or no, got {exp!r}")
        if cat not in CATEGORIES:
            raise ValueError(f"{path.name}:{i}: unknown category {cat!r}")
        out.append(Statement(i, exp, cat, formula.strip()))
    return out


# ---- running quod prove ---------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    answer: str         # "yes", "no", "don't know", or "error"
    rc: int
    lines: tuple        # stdout lines
    stderr: str
    ms: float

    @property
    def oracle(self) -> bool:
        """A yes resting on smt_oracle (or any other axiom) rather than a kernel proof."""
        return self.answer == "yes" and any(line.startswith("note: rests on") for line in self.lines[1:])

    @property
    def first(self) -> str:
        return self.lines[0] if self.lines else ""


def classify(first_line: str) -> str:
    if first_line == "yes":
        return "yes"
    if first_line.startswith("no: counterexample"):
        return "no"
    if first_line.startswith("don't know:"):
        return "don't know"
    return "error"


def run_prove(formula: str, timeout: int = 10_000, rlimit: int = 5_000_000, strict: bool = False,
              imports=None) -> Outcome:
    """``quod prove FORMULA`` in-process: its stdout lines, exit code and wall time."""
    from quod.prove import run_prove as _run
    ns = argparse.Namespace(formula=formula, imports=imports, strict=strict, timeout=timeout, rlimit=rlimit)
    out, err = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = _run(ns)
    ms = (time.perf_counter() - t0) * 1000
    lines = tuple(out.getvalue().splitlines())
    return Outcome(classify(lines[0] if lines else ""), rc, lines, err.getvalue(), ms)


_ASSIGN = re.compile(r"([A-Za-z_][A-Za-z0-9_']*)\s*=\s*(-?\d+)")


def parse_counterexample(first_line: str) -> dict[str, int]:
    """``no: counterexample x = 1, y = -2`` -> {"x": 1, "y": -2} (empty for closed statements)."""
    text = first_line[len("no: counterexample"):]
    return {m.group(1): int(m.group(2)) for m in _ASSIGN.finditer(text)}


# ---- the prelude and elaboration ---------------------------------------------------------------

@lru_cache(maxsize=1)
def prelude_env():
    from quod.loader import Loader
    return Loader().prelude().env


def elaborate(formula: str, env=None):
    from tactics.elab import Elaborator
    from tactics.parser import parse_expr
    return Elaborator(env or prelude_env()).formula(parse_expr(formula, "<formula>"))


def goal_of(formula: str, env=None):
    """The goal ``quod prove`` hands to the smt machinery: the statement after ``intros``.

    Returns (statement, proof state, goal)."""
    from tactics.engine import Engine
    from tactics.state import ProofState
    from tactics.syntax import QuodError, Tactic
    env = env or prelude_env()
    stmt = elaborate(formula, env)
    state = ProofState.start(stmt)
    try:
        state = Engine(env, "<formula>").run(state, Tactic("intros", (), None))
    except QuodError:
        pass
    return stmt, state, state.goals[0]


# ---- an independent three-valued evaluator ----------------------------------------------------

QUANT_BOUND = 60


def fdiv(a: int, b: int) -> int:
    return 0 if b == 0 else a // b


def fmod(a: int, b: int) -> int:
    return a if b == 0 else a % b


def _dvd(a: int, b: int) -> bool:
    return b == 0 if a == 0 else b % a == 0


_DEFS = {"gcd": lambda a, b: math.gcd(a, b), "even": lambda n: n % 2 == 0, "odd": lambda n: n % 2 == 1,
         "dvd": _dvd}


def _and(a, b):
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _or(a, b):
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def _not(a):
    return None if a is None else not a


def evaluate3(e, values: dict | None = None, bound: tuple = (), env=None, qbound: int = QUANT_BOUND):
    """Value of a kernel term (int) or formula (True / False / None when a quantifier over the
    integers cannot be settled by the bounded search)."""
    values = values or {}
    op, a = e.op, e.args
    if op == "int":
        return e.data
    if op == "var":
        if e.data not in values:
            raise KeyError(f"no value for {e.data}")
        return values[e.data]
    if op == "bvar":
        return bound[len(bound) - 1 - e.data]
    if op in ("true", "false"):
        return op == "true"
    if op in ("forall", "exists"):
        seen_none = False
        for v in _range(qbound):
            r = evaluate3(a[0], values, bound + (v,), env, qbound)
            if op == "exists" and r is True:
                return True
            if op == "forall" and r is False:
                return False
            seen_none = seen_none or r is None
        return None       # an unbounded quantifier is never settled by a finite search
    if op == "ite":
        c = evaluate3(a[0], values, bound, env, qbound)
        if c is None:
            raise _Undetermined()
        return evaluate3(a[1] if c else a[2], values, bound, env, qbound)
    if op == "not":
        return _not(evaluate3(a[0], values, bound, env, qbound))
    if op in ("and", "or", "imp", "iff"):
        x = evaluate3(a[0], values, bound, env, qbound)
        y = evaluate3(a[1], values, bound, env, qbound)
        if op == "and":
            return _and(x, y)
        if op == "or":
            return _or(x, y)
        if op == "imp":
            return _or(_not(x), y)
        return None if x is None or y is None else x == y
    v = [evaluate3(x, values, bound, env, qbound) for x in a]
    if op in ("app", "pred"):
        if e.data in _DEFS:
            return _DEFS[e.data](*v)
        from kernel import Int, subst
        d = (env or prelude_env()).definition(e.data)
        return evaluate3(subst(d.body, {p: Int(x) for p, x in zip(d.params, v)}), {}, (), env, qbound)
    ops = {"add": lambda: v[0] + v[1], "sub": lambda: v[0] - v[1], "mul": lambda: v[0] * v[1],
           "neg": lambda: -v[0], "div": lambda: fdiv(v[0], v[1]), "mod": lambda: fmod(v[0], v[1]),
           "abs": lambda: abs(v[0]), "min": lambda: min(v[0], v[1]), "max": lambda: max(v[0], v[1]),
           "eq": lambda: v[0] == v[1], "lt": lambda: v[0] < v[1], "le": lambda: v[0] <= v[1]}
    return ops[op]()


class _Undetermined(Exception):
    pass


def _range(k: int):
    yield 0
    for i in range(1, k + 1):
        yield i
        yield -i


def refuted_by(stmt, assignment: dict, env=None, qbound: int = QUANT_BOUND) -> bool | None:
    """Whether the values make the statement's body false: leading ``forall``s are instantiated by
    the values of their variables (0 for a variable the counterexample leaves out, which then does
    not matter), implications along the way must have true premises, and what remains must be false.
    None if a quantifier inside could not be settled."""
    from kernel import Int, instantiate
    f = stmt
    try:
        while True:
            if f.op == "forall":
                f = instantiate(f.args[0], Int(assignment.get(f.data, 0)))
            elif f.op == "imp":
                premise = evaluate3(f.args[0], {}, (), env, qbound)
                if premise is not True:
                    return None if premise is None else False
                f = f.args[1]
            else:
                r = evaluate3(f, {}, (), env, qbound)
                return None if r is None else r is False
    except _Undetermined:
        return None
