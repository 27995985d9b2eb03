"""Recursion whose own nondeterministic choices decide whether it goes on forever (the kernel's
can_diverge_rec): found from C source with either integer reading, and never claimed for a
terminating near miss."""

from __future__ import annotations

import textwrap

import pytest

from kernel import Environment, TheoremDecl

from analysis.termination import decide_termination
from programs.c_frontend import parse_c

BSEARCH = textwrap.dedent("""\
    int bsearch(int i, int j) {
      if (i >= j) return i;
      int mid = MID;
      if (__VERIFIER_nondet_int()) return bsearch(i, mid);
      return bsearch(mid + 1, j);
    }
    int main() { int x = __VERIFIER_nondet_int(); int y = __VERIFIER_nondet_int(); return bsearch(x, y); }
    """)
STEP = textwrap.dedent("""\
    int f(int x) {
      if (x <= 0) return 0;
      if (__VERIFIER_nondet_int()) return f(x - 1);
      return f(x - STEP);
    }
    int main() { return f(__VERIFIER_nondet_int()); }
    """)


def _checked(prog, v):
    from analysis.recursion import declare
    env = Environment()
    declare(env, prog)
    thm = env.add(TheoremDecl("t", v.statement, v.proof))
    assert v.statement.op == "can_diverge" and v.statement.args[1] == prog.body and not thm.axioms


@pytest.mark.parametrize("mode", ["math", "c"])
def test_binary_search_with_a_truncated_midpoint_can_call_itself_forever(mode):
    prog = parse_c(BSEARCH.replace("MID", "(i + j) / 2"), int_mode=mode)
    v = decide_termination(Environment(), prog)
    assert v.answer == "no" and "recurrent set of main.bsearch" in v.details[0], v.text
    _checked(prog, v)


def test_a_midpoint_that_always_shrinks_the_interval_is_not_a_no():
    v = decide_termination(Environment(), parse_c(BSEARCH.replace("MID", "i + (j - i) / 2"), int_mode="math"))
    assert v.answer == "yes", v.text


def test_a_choice_of_the_call_that_does_not_move():
    prog = parse_c(STEP.replace("STEP", "0"), int_mode="math")
    v = decide_termination(Environment(), prog)
    assert v.answer == "no", v.text
    _checked(prog, v)
    v = decide_termination(Environment(), parse_c(STEP.replace("STEP", "2"), int_mode="math"))
    assert v.answer == "yes", v.text
