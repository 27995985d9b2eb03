"""``exit`` in the C front end: it ends the whole program normally, from main or from a function main
calls (inlined), and main's result is then the status, as C's return from main is exit with the
value. Read only where a call is a statement of its own; refused inside expressions, in a for
loop's header, in a recursive function and in a function taken as the program other than main."""

from __future__ import annotations

import textwrap

import pytest

from kernel import Environment

from analysis.termination import decide_termination
from programs.c_frontend import parse_c
from programs.interp import run
from programs.lang import ProgramError

SRC = """\
    void exit(int);
    int check(int a) {
      if (a == 3) exit(7);
      if (a > 100) { exit(1); }
      return a + 1;
    }
    int main() {
      int x = __VERIFIER_nondet_int();
      int s = 0;
      while (1) {
        s = check(x);
        x = x + 1;
      }
      return s;
    }
    """


def _main(src: str, x: int) -> dict:
    prog = parse_c(textwrap.dedent(src), "main", int_mode="math")
    return run(Environment(), prog.body, {}, 100_000, nondet=lambda _: x)


def test_exit_in_a_callee_ends_main_with_its_status():
    assert _main(SRC, 0)["ret"] == 7           # 0, 1, 2, then check(3) exits
    st = _main(SRC, 4)
    assert st["ret"] == 1 and st["x"] == 101   # check(101) exits before x = x + 1
    v = decide_termination(Environment(), parse_c(textwrap.dedent(SRC), "main", int_mode="math"))
    assert v.answer == "yes", v.text


def test_a_loop_that_never_reaches_exit_runs_forever():
    src = SRC.replace("if (a > 100) { exit(1); }", "").replace("if (a == 3)", "if (a == -3)")
    v = decide_termination(Environment(), parse_c(textwrap.dedent(src), "main", int_mode="math"))
    assert v.answer == "no", v.text


def test_exit_in_main_is_a_return():
    src = "void exit(int);\nint main() { int k = 0; while (k < 10) { k++; if (k == 4) exit(k * 2); } return 99; }\n"
    assert _main(src, 0)["ret"] == 8


@pytest.mark.parametrize("src,line,message", [
    ("void exit(int);\nint f(int a) { if (a) exit(1); return a; }\nint main() { return f(1) + 1; }\n", 3,
     "may end the program"),
    ("void exit(int);\nint f(int a) { exit(a); return a; }\nint main() { int i; for (i = 0; i < 3; f(i)) i++; "
     "return 0; }\n", 3, "for loop's header"),
    ("void exit(int);\nint f(int a) { if (a > 9) exit(1); return f(a + 1); }\nint main() { return f(0); }\n", 3,
     "recursive function f may call exit"),
])
def test_exit_where_its_meaning_is_not_followed_is_refused(src, line, message):
    with pytest.raises(ProgramError, match=message) as ei:
        parse_c(src, "main", int_mode="math")
    assert ei.value.line == line


def test_exit_in_a_function_other_than_main_taken_as_the_program_is_refused():
    with pytest.raises(ProgramError, match="take main as the program"):
        parse_c(textwrap.dedent(SRC), "check", int_mode="math")
