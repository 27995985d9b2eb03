"""Calls between programs: inlined (a recursive one calls its procedure), checked end to end."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kernel import Environment

from analysis.termination import decide_termination
from programs.lang import ProgramError
from programs.py_frontend import parse_python

ROOT = Path(__file__).resolve().parents[2]

G = textwrap.dedent("""\
    def g(x, y):
        if y > 0:
            while x > y:
                x = step(x, y)
        return x

    def step(a, b):
        return a - b

    def forever(x, y):
        while x > y:
            x = step(x, y)
        return x

    def rec(n):
        return rec(n - 1) if n > 0 else 0

    def void(n):
        n = n + 1

    def uses_void(n):
        return void(n) + 1

    def two(n):
        return step(n)
    """)


def test_a_call_in_a_loop_body_terminates_and_diverges_like_the_inlined_code():
    v = decide_termination(Environment(), parse_python(G, "g"))
    assert v.answer == "yes" and v.text.startswith("yes: ranking function "), v.text
    v = decide_termination(Environment(), parse_python(G, "forever"))
    assert v.answer == "no" and ("y = 0" in v.text or "y = -" in v.text), v.text


@pytest.mark.parametrize("fn,message,line", [
    ("uses_void", "void returns no value", 22),
    ("two", "step takes 2 arguments, got 1", 25),
])
def test_bad_calls_are_errors_with_a_line(fn, message, line):
    with pytest.raises(ProgramError, match=message) as ei:
        parse_python(G, fn)
    assert ei.value.line == line


def test_programs_in_a_proof_file_call_earlier_programs(tmp_path):
    (tmp_path / "calls.proof").write_text(textwrap.dedent('''\
        program dbl(x : int) -> int {
          return x + x;
        }
        program quad from python """
        def quad(x):
            return dbl(dbl(x))
        """
        theorem quad_spec : forall x : int, quad(x) = 4 * x := by vcgen; smt
        eval quad(5)
        '''))
    env = dict(os.environ, PYTHONPATH=str(ROOT))       # this tree's quod, not an installed one
    r = subprocess.run([sys.executable, "-m", "quod.cli", "check", "--no-cache", "calls.proof"], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "quad_spec" in r.stdout and "proved" in r.stdout and "20" in r.stdout, r.stdout


def test_default_function_is_main_or_the_only_one():
    """A helper is never analysed by accident: several functions and no main is an error."""
    with pytest.raises(ProgramError, match=r"defines 7 functions \(g, step, .*\) and no main: choose one"):
        parse_python(G)
    assert parse_python("def helper(x):\n    return x\n\ndef main():\n    return helper(1)\n").name == "main"
    assert parse_python("def only(x):\n    return x\n").name == "only"


def test_python_calling_a_typed_program_checks_the_argument_types(tmp_path):
    """Python does not convert: inc(-1) for inc(x : u32) is an error, not x = -1 inside inc."""
    (tmp_path / "xl.proof").write_text(textwrap.dedent('''\
        program inc(x : u32) -> int { return x + 1; }
        program caller from python """
        def caller(a):
            return inc(a)
        """
        theorem all_ints : forall a : int, caller(a) = a + 1 := by vcgen; smt
        eval caller(-1)
        eval caller(5)
        '''))
    r = subprocess.run([sys.executable, "-m", "quod.cli", "check", "--no-cache", "xl.proof"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert r.returncode == 1, r.stdout
    assert "all_ints" in r.stdout and "counterexample a = -1" in r.stdout, r.stdout
    assert "caller fails" in r.stdout and "info: 6" in r.stdout, r.stdout
