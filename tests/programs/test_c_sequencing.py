"""C's sequencing rules in the C front end: stores inside expressions (``x++``, ``++x``, ``x = e``,
``x += e``) where no other part of the full expression reads or writes the variable, and the
refusal of what C leaves unsequenced. tests/programs/straight/incdec_expr.c compares the accepted
forms against gcc."""

from __future__ import annotations

import textwrap

import pytest

from kernel import Environment

from analysis.termination import decide_termination
from programs.c_frontend import parse_c
from programs.interp import run
from programs.lang import ProgramError


def _ret(src: str, fn: str, **args) -> int:
    prog = parse_c(textwrap.dedent(src), fn, int_mode="math")
    return run(Environment(), prog.body, args, 100_000)["ret"]


def test_a_postfix_increment_in_a_loop_condition_terminates():
    src = """\
        int f(int x, int y) {
          int flag = 1, c = 0;
          while (flag) { flag = (x++ < y); c = c + 1; }
          return c;
        }"""
    assert _ret(src, "f", x=0, y=3) == 4 and _ret(src, "f", x=5, y=3) == 1
    v = decide_termination(Environment(), parse_c(textwrap.dedent(src), "f", int_mode="math"))
    assert v.answer == "yes", v.text


def test_values_of_stores_in_expressions():
    src = """\
        int g(int x) {
          int a = x++ * 10;
          int b = ++x * 100;
          int c;
          int d = (c = x - 2) + 1;
          return a + b + c * 1000 + d * 10000 + x * 100000;
        }"""
    # a = 10x, x+2 after, b = 100(x+2), c = x, d = x + 1
    assert _ret(src, "g", x=3) == 30 + 500 + 3000 + 40000 + 500000


@pytest.mark.parametrize("body", [
    "return x++ + x;",              # read and write unsequenced
    "x = x++; return x;",           # two stores
    "return f(x, x++);",            # two arguments
    "int y = (x = 1) + x; return y;",
    "return x++ && x;",             # sequenced in C, but not an order the front end follows
    "return (x += 1) * (x += 2);",
])
def test_unsequenced_stores_are_refused(body):
    src = "int f(int a, int b) { return a + b; }\nint h(int x) { " + body + " }\n"
    with pytest.raises(ProgramError, match="unsupported: x is changed inside an expression") as ei:
        parse_c(src, "h", int_mode="math")
    assert ei.value.line == 2


def test_a_file_scope_store_next_to_a_call_is_refused():
    src = "int g;\nint f(int a) { return a + g; }\nint main() { int y = f(1) + g++; return y; }\n"
    with pytest.raises(ProgramError, match="file-scope variable g is changed") as ei:
        parse_c(src, "main", int_mode="math")
    assert ei.value.line == 3
    # alone in its expression it is fine
    assert run(Environment(), parse_c("int g;\nint main() { int y = g++ + 1; return y + g; }\n",
                                      "main").body, {}, 1000)["ret"] == 2


ORDER = """\
    void abort(void);
    int spin(int n) { while (n == 0) { } return n; }
    int stop(int n) { if (n == 0) abort(); return n; }
    int f(int x) { return spin(x) + stop(x); }
    int g(int x) { if (x <= 0) return 0; return h(x) + h(x + 1); }
    int h(int x) { if (x <= 0) return 0; return g(x - 2) + g(x - 3); }
    int four(int a, int b, int c, int d) { return a + b + c + d; }
    int k(int x) { return four(spin(x), stop(x), spin(x + 1), stop(x + 1)); }
    int m(int x) { return spin(x) + stop(x) + spin(x + 1); }
    """


def test_calls_of_one_expression_run_in_every_order():
    """spin(0) runs forever and stop(0) fails: which happens is the compiler's choice, so neither
    "no" nor "yes" (a witness that fixed the order would give a wrong "no")."""
    prog = parse_c(textwrap.dedent(ORDER), "f", int_mode="math")
    assert len(prog.demonic) == 1
    rets = {run(Environment(), prog.body, {"x": 3}, 10_000, nondet=lambda _, k=k: k)["ret"] for k in (0, 1)}
    assert rets == {6}
    v = decide_termination(Environment(), prog)
    assert v.answer == "don't know", v.text


def test_recursive_calls_in_one_expression_terminate_in_every_order():
    v = decide_termination(Environment(), parse_c(textwrap.dedent(ORDER), "g", int_mode="math"))
    assert v.answer == "yes", v.text


def test_more_than_three_calls_that_matter_are_refused():
    with pytest.raises(ProgramError, match="too many orders") as ei:
        parse_c(textwrap.dedent(ORDER), "k", int_mode="math")
    assert ei.value.line == 8


def test_nested_operands_can_each_come_first(monkeypatch):
    """(a + b) + c: a choice inside a choice. Only the first operand to fail or run forever decides a
    run's end, and each of a, b, c can come first, as among all six orders."""
    monkeypatch.setenv("QUOD_ANALYSIS_BUDGET", "5")     # the witness search's first runs are the ones that matter
    prog = parse_c(textwrap.dedent(ORDER), "m", int_mode="math")
    assert len(prog.demonic) == 2
    assert decide_termination(Environment(), prog).answer == "don't know"
