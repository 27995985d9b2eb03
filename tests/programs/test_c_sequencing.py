"""C's sequencing rules in the C front end: stores inside expressions (``x++``, ``++x``, ``x = e``,
``x += e``) where no other part of the full expression reads or writes the variable, and the
refusal of what C leaves unsequenced. tests/programs/straight/incdec_expr.c compares the accepted
forms against gcc."""

from __future__ import annotations

import textwrap

import pytest

from kernel import Environment

from programs.analysis import decide_termination
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
