"""goto in the C front end: backward (a loop on the goto's flag) and forward into statements; the
values are gcc's (tests/programs/straight/goto_jumps.c compares more inputs against gcc)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel import Environment

from analysis.termination import decide_termination
from programs.c_frontend import parse_c
from programs.interp import run
from programs.lang import ProgramError

SRC = (Path(__file__).parent / "straight" / "goto_jumps.c").read_text()


@pytest.mark.parametrize("fn,args,gcc", [
    ("gj_resume", {"pc": 2, "n": 10}, 14),      # into an if inside a for loop's body
    ("gj_resume", {"pc": 1, "n": 10}, 114),     # into a while loop's body
    ("gj_resume", {"pc": 0, "n": 10}, 109),
    ("gj_resume", {"pc": 2, "n": 60}, 75),
    ("gj_twisted", {"k": 7, "l": 5}, 7055),     # two loops jumping to each other
])
def test_goto_values_are_gccs(fn, args, gcc):
    prog = parse_c(SRC, fn)
    assert run(Environment(), prog.body, args, 100_000)["ret"] == gcc


def test_twisted_loops_terminate_or_say_why(monkeypatch):
    # no wrong answer and no traceback; its don't know came after 26 s of search (a smaller budget)
    monkeypatch.setenv("QUOD_ANALYSIS_BUDGET", "8")
    v = decide_termination(Environment(), parse_c(SRC, "gj_twisted", int_mode="math"))
    assert v.answer in ("yes", "don't know"), v.text


def test_a_jump_into_an_earlier_statement_is_refused():
    src = "int f(int x) {\n  while (x > 0) {\n    x--;\n  in: x = x - 2;\n  }\n  goto in;\n}\n"
    with pytest.raises(ProgramError, match="unsupported: goto in") as ei:
        parse_c(src, "f")
    assert ei.value.line == 6


def test_a_resumed_loop_runs_forever_from_the_resume_point():
    src = """\
int f(int pc, int n) {
  if (pc == 1) goto WAIT;
  return 0;
  while (n > 0) {
  WAIT:
    n = n + 1;
  }
  return n;
}
"""
    v = decide_termination(Environment(), parse_c(src, "f", int_mode="math"))
    assert v.answer == "no" and "pc = 1" in v.text, v.text
