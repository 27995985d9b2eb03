"""A recursive void C function that changes one file-scope variable: its procedure takes the variable
in and gives it back (``g = p(args, g)``), so the deeper calls' writes are kept. The values are gcc's
(gcc -O0 on the same source with the nondeterministic value fixed)."""

from __future__ import annotations

import pytest

from kernel import Environment

from programs.c_frontend import parse_c
from programs.interp import AssertionFailed, run
from programs.lang import ProgramError
from analysis.recursion import declare

SRC = """\
int g;
void walk(int n) {
  if (n <= 0)
    return;
  g = g * 2 + n;
  walk(n - 1);
  g = g - 3;
  walk(n - 2);
}
int main() {
  int n = __VERIFIER_nondet_int();
  g = 1;
  walk(n);
  return g;
}
"""


def test_the_deeper_calls_writes_are_kept():
    prog = parse_c(SRC, "main")
    env = Environment()
    declare(env, prog)
    for n, gcc in ((0, 1), (3, 30), (6, 171)):      # gcc's exit status: the value modulo 256
        assert run(env, prog.body, {}, 100_000, nondet=lambda _, n=n: n)["ret"] % 256 == gcc
    with pytest.raises(AssertionFailed):            # g * 2 overflows int on the way (undefined in C)
        run(env, prog.body, {}, 100_000, nondet=lambda _: 9)


@pytest.mark.parametrize("src", [
    SRC.replace("void walk", "int walk").replace("    return;", "    return 0;").replace("  walk(n - 2);\n",
                                                                                       "  walk(n - 2);\n  return 1;\n"),
    SRC.replace("int g;", "int g, h;").replace("g = g - 3;", "h = h - 3;"),
])
def test_a_result_or_a_second_global_is_still_refused(src):
    with pytest.raises(ProgramError, match="recursive function walk changes the file-scope variable"):
        parse_c(src, "main")
