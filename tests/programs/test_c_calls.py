"""Calls between C functions (and to programs declared before in a .proof file): inlined with C's
semantics (arguments converted as by assignment, results as by return), checked end to end.
tests/programs/straight/calls.c compares the same against gcc."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kernel import Environment

from analysis.termination import decide_termination
from programs.c_frontend import parse_c
from programs.interp import AssertionFailed, run
from programs.lang import ProgramError

ROOT = Path(__file__).resolve().parents[2]

G = textwrap.dedent("""\
    int step(int a, int b);

    int g(int x, int y) {
      if (y > 0)
        while (x > y)
          x = step(x, y);
      return x;
    }

    void forever(int x, int y) {
      while (x > y)
        x = step(x, y);
    }

    int step(int a, int b) {
      return a - b;
    }

    int rec(int n) {
      return n > 0 ? rec(n - 1) : 0;
    }

    int ping(int n);
    int pong(int n) {
      return n + 1;
    }
    int ping(int n) {
      return n > 0 ? pong(n) + ping2(n) : 0;
    }
    int ping2(int n) {
      int k = ping(n - 1);
      return k;
    }

    void nothing(int n) {
      n = n + 1;
    }

    int uses_void(int n) {
      return nothing(n) + 1;
    }

    int two(int n) {
      return step(n);
    }

    int down(int n) {
      while (n > 0)
        n--;
      return n;
    }

    int order(int x, int y) {
      return step(down(x), step(y, 1));
    }

    int late(int x) {
      return later(x);
    }

    unsigned later(unsigned u) {
      return u;
    }
    """)


def _run(prog, **args):
    return run(Environment(), prog.body, args, 100_000)


def test_a_call_in_a_loop_body_terminates_and_diverges_like_the_inlined_code():
    v = decide_termination(Environment(), parse_c(G, "g"))
    assert v.answer == "yes" and v.text.startswith("yes: ranking function "), v.text
    v = decide_termination(Environment(), parse_c(G, "forever"))
    assert v.answer == "no" and "y = 0" in v.text, v.text


def test_terminates_on_the_command_line(tmp_path):
    f = tmp_path / "g.c"
    f.write_text(G)
    env = dict(os.environ, PYTHONPATH=str(ROOT))       # this tree's quod, not an installed one
    r = subprocess.run([sys.executable, "-m", "quod.cli", "terminates", str(f), "--function", "g"], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.startswith("yes: ranking function "), r.stdout + r.stderr
    r = subprocess.run([sys.executable, "-m", "quod.cli", "terminates", str(f), "--function", "forever"],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and r.stdout.startswith("no: runs forever from"), r.stdout + r.stderr


@pytest.mark.parametrize("fn,message,line", [
    # ping -> ping2 -> ping: a call of the procedure ping in the inlined ping2 may run forever, pong(n) fail
    ("ping", "the operands of \\+ are evaluated in an unspecified order", 28),
    ("uses_void", "nothing returns no value", 40),
    ("two", "step takes 2 arguments, got 1", 44),
    ("order", "the arguments of step are evaluated in an unspecified order", 54),
    ("late", "later is called before it is declared, so its arguments are not converted", 58),
])
def test_bad_calls_are_errors_with_a_line(fn, message, line):
    with pytest.raises(ProgramError, match=message) as ei:
        parse_c(G, fn)
    assert ei.value.line == line, ei.value.message


def test_a_recursive_function_calls_its_procedure():
    prog = parse_c(G, "rec")
    assert list(prog.procedures) == ["rec"]
    assert any(n.op == "call" for n in __import__("kernel").expr.postorder(prog.body))
    v = decide_termination(Environment(), prog)
    assert v.answer == "yes" and "recursive calls decrease n" in v.text, v.text


def test_conversions_and_the_callee_variables_are_apart():
    src = textwrap.dedent("""\
        unsigned char low(unsigned char c) { return c; }
        short twice(short s) { int x = s; x = x * 2; return x; }
        _Bool truth(_Bool b) { return b; }
        int f(int x) {
          int c = low(x);               /* int -> unsigned char: modulo 256 */
          int s = twice(x);             /* int -> short, and the result int -> short: wrap */
          int t = truth(x);             /* nonzero -> 1 */
          return c * 1000000 + s * 10 + t + x;  /* the caller's x is untouched by twice's x */
        }
        """)
    prog = parse_c(src, "f")
    assert _run(prog, x=300)["ret"] == 44 * 1000000 + 600 * 10 + 1 + 300
    assert _run(prog, x=-1)["ret"] == 255 * 1000000 + (-2) * 10 + 1 - 1
    assert _run(prog, x=20000)["ret"] == 32 * 1000000 + (40000 - 65536) * 10 + 1 + 20000
    assert _run(prog, x=0)["ret"] == 0


def test_a_callee_keeps_its_own_overflow_checks_and_wraps():
    src = textwrap.dedent("""\
        int inc(int x) { return x + 1; }
        unsigned uinc(unsigned x) { return x + 1; }
        long f(int x) { return uinc(x) + (long) inc(x); }
        """)
    prog = parse_c(src, "f")
    assert _run(prog, x=-1)["ret"] == 0 + 0
    assert _run(prog, x=5)["ret"] == 6 + 6
    with pytest.raises(AssertionFailed):
        _run(prog, x=2**31 - 1)             # inc overflows: undefined behaviour in C


def test_calls_run_only_when_c_evaluates_them():
    src = textwrap.dedent("""\
        int tenth(int d) { return 10 / d; }
        int loop_on_zero(int d) { while (d == 0) { } return d; }
        int f(int x) {
          int a = x != 0 && tenth(x) > 1;
          int b = x == 0 || tenth(x) > 1;
          int c = x == 0 ? 5 : tenth(x);
          int d = x != 0 ? loop_on_zero(x) : 7;
          return a + 10 * b + 100 * c + 1000 * d;
        }
        """)
    prog = parse_c(src, "f")
    assert _run(prog, x=0)["ret"] == 0 + 10 + 500 + 7000
    assert _run(prog, x=3)["ret"] == 1 + 10 + 300 + 3000
    v = decide_termination(Environment(), prog)
    assert v.answer != "no", v.text


def test_a_call_in_a_loop_condition_is_evaluated_before_every_test():
    src = textwrap.dedent("""\
        int sq(int k) { return k * k; }
        int f(int n) {
          int i = 0;
          while (sq(i) < n && i < 1000)
            i++;
          return i;
        }
        int g(int n) {
          int i = 0;
          for (; sq(i) <= n; i++) {
            if (i > 1000) break;
          }
          do { i--; } while (sq(i) > n && i > 0);
          return i;
        }
        """)
    f, g = parse_c(src, "f"), parse_c(src, "g")
    assert [_run(f, n=n)["ret"] for n in (0, 1, 2, 10, 16, 17)] == [0, 1, 2, 4, 4, 5]
    assert [_run(g, n=n)["ret"] for n in (0, 1, 2, 10, 16, 17)] == [0, 1, 1, 3, 4, 4]
    v = decide_termination(Environment(), f)
    assert v.answer == "yes", v.text


def test_a_callee_loop_in_a_loop_condition_gets_an_invariant_for_each_test():
    # down(k) runs before the first test and after every iteration: two copies of its loop, each
    # with its own variables (so each gets its own invariant)
    src = textwrap.dedent("""\
        int down(int n) { while (n > 0) n--; return n; }
        int f(int x) {
          int k = 0;
          while (down(k) < x && k < 100)
            x = x - 1;
          return x;
        }
        """)
    prog = parse_c(src, "f")
    assert [_run(prog, x=x)["ret"] for x in (-3, 0, 5)] == [-3, 0, 0]
    v = decide_termination(Environment(), prog)
    assert v.answer == "yes", v.text


def test_the_order_of_operands_matters_only_between_a_loop_and_a_failure():
    src = textwrap.dedent("""\
        int down(int n) { while (n > 0) n--; return n; }
        int id(int n) { return n; }
        int ok(int x, int y) { return down(x) + y * 2 + id(y); }  /* y * 2 is checked first */
        int bad(int x, int y) { return down(x) + down(y) * 2; }
        """)
    prog = parse_c(src, "ok")
    assert _run(prog, x=5, y=3)["ret"] == 9
    with pytest.raises(AssertionFailed):     # before down(x) runs, in the order C may choose
        _run(prog, x=2**31 - 1, y=2**30)
    with pytest.raises(ProgramError, match="unspecified order") as ei:
        parse_c(src, "bad")
    assert ei.value.line == 4


def test_prototypes_and_declarations():
    ok = "int h(unsigned);\nint g(int x) { return h(x); }\nint h(unsigned y) { return y > 5u; }"
    assert _run(parse_c(ok, "g"), x=-1)["ret"] == 1            # converted to unsigned: 2^32 - 1
    local = "int g(int x) { int h(unsigned); return h(x); }\nint h(unsigned y) { return y > 5u; }"
    assert _run(parse_c(local, "g"), x=-1)["ret"] == 1
    promoted = "int g(int x) { short s = x; return h(s); }\nint h(int y) { return y; }"
    assert _run(parse_c(promoted, "g"), x=70000)["ret"] == 70000 - 65536
    with pytest.raises(ProgramError, match="declared without parameter types") as ei:
        parse_c("int h();\nint g(int x) {\n  return h(x);\n}\nint h(unsigned y) { return y; }", "g")
    assert ei.value.line == 3
    with pytest.raises(ProgramError, match="conflicting types for h") as ei:
        parse_c("int h(int);\nint g(int x) { return h(x); }\nint h(unsigned y) { return y; }", "g")
    assert ei.value.line == 1
    with pytest.raises(ProgramError, match="C takes it to return int"):
        parse_c("int g(int x) { return h(x); }\nlong h(int y) { return y; }", "g")
    with pytest.raises(ProgramError, match="calls to h are not supported") as ei:
        parse_c("int h(int);\nint g(int x) {\n  return h(x);\n}", "g")
    assert ei.value.line == 3


def test_builtins_in_a_callee_keep_their_meaning():
    src = textwrap.dedent("""\
        int pos(void) { int v = __VERIFIER_nondet_int(); __VERIFIER_assume(v > 0); return v; }
        int small(void) { int v = pos(); if (v > 1000) __VERIFIER_error(); return v; }
        int f(int x) {
          int k = pos();
          while (x > 0) x = x - k;
          return x;
        }
        int g(int x) {
          int k = small();
          while (x > 0) x = x - k;
          return x;
        }
        """)
    v = decide_termination(Environment(), parse_c(src, "f"))
    assert v.answer == "yes", v.text
    v = decide_termination(Environment(), parse_c(src, "g"))      # small() may reach the error
    assert v.answer != "yes", v.text


def test_programs_in_a_proof_file_call_earlier_programs(tmp_path):
    (tmp_path / "calls.proof").write_text(textwrap.dedent('''\
        program dbl(x : int) -> int {
          return x + x;
        }
        program step(a : i32, b : i32) -> i32 {
          return a - b;
        }
        program quad from c """
        int quad(int x) {
          return dbl(dbl(x));
        }
        """
        program g from c """
        int g(int x, int y) {
          if (y > 0)
            while (x > y)
              x = step(x, y);
          return x;
        }
        """
        program twice(x : int) -> int {
          return dbl(x) + dbl(1);
        }
        program h from c """
        int dec(int n) { return n - 1; }
        int h(int x) { while (x > 0) x = dec(x); return x; }
        """
        theorem quad_spec : {-1000 <= x and x <= 1000} quad {ret = 4 * x} := by vcgen; smt
        theorem g_terminates : terminates g := by termination
        theorem twice_spec : forall x : int, twice(x) = 2 * x + 2 := by vcgen; smt
        theorem h_terminates : terminates h := by termination
        eval quad(5)
        eval quad(1000000000)
        eval h(-5)
        '''))
    env = dict(os.environ, PYTHONPATH=str(ROOT))       # this tree's quod, not an installed one
    r = subprocess.run([sys.executable, "-m", "quod.cli", "check", "--no-cache", "calls.proof"], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    for name in ("quad_spec", "g_terminates", "twice_spec", "h_terminates"):     # h: the function named h
        assert any(name in ln and "proved" in ln for ln in r.stdout.splitlines()), r.stdout
    assert "info: 20" in r.stdout and "info: -5" in r.stdout, r.stdout      # h(-5), not dec(-5)
    # dbl computes with mathematical integers; the C int that receives 4e9 overflows
    assert "quad fails" in r.stdout, r.stdout


def test_a_wrong_claim_through_a_call_is_not_proved(tmp_path):
    (tmp_path / "wrong.proof").write_text(textwrap.dedent('''\
        program step(a : i32, b : i32) -> i32 {
          return a - b;
        }
        program forever from c """
        void forever(int x, int y) {
          while (x > y)
            x = step(x, y);
        }
        """
        theorem wrong : terminates forever := by termination
        theorem wrong2 : diverges forever from (x = 5 and y = 1) := by recurrent
        '''))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-m", "quod.cli", "check", "--no-cache", "wrong.proof"], cwd=tmp_path,
                       env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode != 0, r.stdout + r.stderr
    assert not any(("wrong " in ln or "wrong2" in ln) and "proved" in ln for ln in r.stdout.splitlines()), r.stdout


def test_using_the_value_of_a_function_that_ended_without_return_fails():
    src = textwrap.dedent("""\
        int h(int x) { if (x > 0) return 1; }
        int none(int x) { x = 1; }
        int f(int x) { return h(x); }
        int g(int x) { h(x); none(x); return 0; }       /* the values are not used: fine */
        int k(int x) { return none(x); }
        """)
    assert _run(parse_c(src, "f"), x=1)["ret"] == 1
    with pytest.raises(AssertionFailed):
        _run(parse_c(src, "f"), x=0)
    assert _run(parse_c(src, "g"), x=0)["ret"] == 0
    with pytest.raises(AssertionFailed):
        _run(parse_c(src, "k"), x=0)


def test_a_static_local_of_a_callee_is_refused():
    # it keeps its value from call to call: read as a fresh local, this loop would seem to run forever
    src = "int counter(void) {\n  static int n = 0;\n  n = n + 1;\n  return n;\n}\n" \
          "int f(int x) {\n  while (counter() < 10) { }\n  return x;\n}\n"
    with pytest.raises(ProgramError, match="static variables are not supported") as ei:
        parse_c(src, "f")
    assert ei.value.line == 2
