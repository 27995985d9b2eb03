"""Recursive functions: C and Python recursion becomes calls of kernel procedures; `quod terminates`
proves termination with a measure over the arguments and non-termination by an infinite call chain;
contracts in .proof files (requires/ensures/decreases) are proved when the program is declared and
used by vcgen at calls. Every answer is checked by the kernel."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kernel import Environment, TheoremDecl
from kernel.expr import postorder

from analysis.termination import decide_termination
from programs.c_frontend import parse_c
from programs.interp import OutOfSteps, run
from programs.lang import ProgramError
from programs.py_frontend import parse_python

ROOT = Path(__file__).resolve().parents[2]

C = textwrap.dedent("""\
    int gcd(int a, int b) {
      if (a <= 0) return b;
      if (b <= 0) return a;
      if (a > b) return gcd(a - b, b);
      return gcd(a, b - a);
    }

    int bsearch(int lo, int hi) {
      if (lo >= hi) return lo;
      int mid = (lo + hi) / 2;
      return bsearch(lo, mid);
    }

    int fact(int n) {
      if (n <= 0) return 1;
      return n * fact(n - 1);
    }

    int noret(int n) {
      if (n > 0) return noret(n - 1);
      if (n <= 0) return 0;
    }

    int blocked(int n) {
      __VERIFIER_assume(n > 0);
      return n > 5 ? blocked(n - 1) : n;
    }
    """)

PY = textwrap.dedent("""\
    def gcd(a, b):
        if b == 0:
            return a
        return gcd(b, a % b)

    def bsearch(lo, hi):
        if lo >= hi:
            return lo
        mid = (lo + hi) // 2
        return bsearch(lo, mid)

    def ack(m, n):
        if m == 0:
            return n + 1
        if n == 0:
            return ack(m - 1, 1)
        return ack(m - 1, ack(m, n - 1))

    def even(n):
        if n == 0:
            return 1
        return odd(n - 1)

    def odd(n):
        if n == 0:
            return 0
        return even(n - 1)
    """)


def _checked(prog, v):
    """The verdict's proof is admitted by a fresh kernel environment holding the program's procedures."""
    from analysis.recursion import declare
    env = Environment()
    declare(env, prog)
    env.add(TheoremDecl("t", v.statement, v.proof))
    assert v.statement.args[1] == prog.body if v.answer == "no" else True


def test_c_recursion_is_a_call_of_a_procedure_run_in_frames():
    prog = parse_c(C, "gcd")
    assert list(prog.procedures) == ["gcd"]
    calls = [n for n in postorder(prog.body) if n.op == "call"]
    assert len(calls) == 2 and all(n.data[1] == "gcd" for n in calls)
    from analysis.recursion import declare
    env = Environment()
    declare(env, prog)
    assert run(env, prog.body, {"a": 12, "b": 18})["ret"] == 6
    assert run(env, prog.body, {"a": 7, "b": 0})["ret"] == 7


def test_c_gcd_terminates_and_binary_search_runs_forever_from_a_truncated_midpoint():
    v = decide_termination(Environment(), parse_c(C, "gcd"))
    assert v.answer == "yes" and "recursive calls decrease" in v.text, v.text
    _checked(parse_c(C, "gcd"), v)
    prog = parse_c(C, "bsearch")
    v = decide_termination(Environment(), prog)
    assert v.answer == "no" and v.text.startswith("no: runs forever from"), v.text
    _checked(prog, v)
    # the witness really recurses forever: C's (lo + hi) / 2 truncates towards 0
    from analysis.recursion import declare
    env = Environment()
    declare(env, prog)
    start = {k: int(x) for k, x in (p.split(" = ") for p in v.text.split("from ")[1].split(", "))}
    with pytest.raises(OutOfSteps):
        run(env, prog.body, start, 5000)


def test_python_floors_so_its_binary_search_terminates():
    v = decide_termination(Environment(), parse_python(PY, "bsearch"))
    assert v.answer == "yes", v.text


def test_python_gcd_and_ackermann():
    v = decide_termination(Environment(), parse_python(PY, "gcd"))
    assert v.answer == "yes" and "abs(b)" in v.text, v.text
    prog = parse_python(PY, "ack")
    v = decide_termination(Environment(), prog)         # ack(m, n) with m or n negative recurses forever
    assert v.answer == "no", v.text
    _checked(prog, v)


def test_a_function_that_may_end_without_a_value_fails_there_as_a_procedure():
    prog = parse_c(C, "noret")
    body = prog.procedures["noret"].body
    assert body.op == "seq" and body.args[1].op == "assert"
    v = decide_termination(Environment(), prog)
    assert v.answer == "yes", v.text


def test_an_assume_in_a_recursive_function_is_refused_with_its_line():
    with pytest.raises(ProgramError, match="unsupported: an assume in the recursive function blocked"):
        parse_c(C, "blocked")


def test_mutual_recursion_is_inlined_into_one_procedure():
    prog = parse_python(PY, "even")
    assert list(prog.procedures) == ["even"]
    v = decide_termination(Environment(), prog)
    assert v.answer == "no", v.text             # even(-1) recurses forever


def _quod(tmp_path, *args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "quod.cli", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)


CONTRACTS = textwrap.dedent("""\
    program fact(n : int) -> int requires n >= 0 ensures result >= 1 decreases n {
      if (n <= 0) return 1;
      return n * fact(n - 1);
    }

    theorem fact_pos : [n >= 0] fact [ret >= 1] := by vcgen; smt
    theorem fact_terminates : terminates fact when (n >= 0) := by termination

    program ack(m : int, n : int) -> int requires m >= 0 and n >= 0 ensures result >= 0 decreases m, n {
      if (m == 0) return n + 1;
      if (n == 0) return ack(m - 1, 1);
      return ack(m - 1, ack(m, n - 1));
    }

    theorem ack_terminates : terminates ack when (m >= 0 and n >= 0) := by termination
    """)


def test_contracts_in_a_proof_file(tmp_path):
    (tmp_path / "r.proof").write_text(CONTRACTS)
    r = _quod(tmp_path, "check", "--strict", "r.proof")
    assert r.returncode == 0 and "3 proved" in r.stdout, r.stdout + r.stderr


@pytest.mark.parametrize("text,message", [
    # a decreases that does not decrease: the contract is not proved, at the program
    ("program f(n : int) -> int requires n >= 0 ensures result >= 0 decreases n {\n"
     "  if (n <= 0) return 0;\n  return f(n);\n}\n", "r.proof:1:1: error: the contract of f is not proved"),
    # an ensures that does not hold
    ("program f(n : int) -> int requires n >= 0 ensures result >= 1 {\n"
     "  if (n <= 0) return 0;\n  return f(n - 1);\n}\n", "the contract of f is not proved"),
    # a clause over a name that is not a parameter, with its place
    ("program f(n : int) -> int requires k >= 0 {\n  if (n <= 0) return 0;\n  return f(n - 1);\n}\n",
     "r.proof:1:36: error: unknown name 'k'"),
    # not recursive: a procedure all the same, its contract proved for the body (tests/test_summaries.py)
    ("program f(n : int) -> int requires n >= 0 ensures result > n { return n; }\n",
     "r.proof:1:1: error: the contract of f is not proved"),
])
def test_contract_errors(tmp_path, text, message):
    (tmp_path / "r.proof").write_text(text)
    r = _quod(tmp_path, "check", "r.proof")
    assert r.returncode != 0 and message in r.stdout + r.stderr, r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr
