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


def test_binary_search_with_a_truncated_midpoint_can_call_itself_forever():
    # (and with C's int, as `quod terminates` reads proofs/examples/bsearch_choose.c: tests/test_textbook.py)
    prog = parse_c(BSEARCH.replace("MID", "(i + j) / 2"), int_mode="math")
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


ALTERNATE = textwrap.dedent("""\
    int main() {
      int x = __VERIFIER_nondet_int();
      while (GUARD) {
        if (x > 3) x = GROW - x;
        else if (x < -3) x = 1 - x;
        else x = 0;
      }
      return 0;
    }
    """)


@pytest.mark.parametrize("grow", ["-1", "1"])
def test_a_sign_that_flips_has_a_disjunctive_recurrent_set(grow):
    from analysis.divergence import find_divergence
    # -1 - x: the value grows as its sign flips; 1 - x: a cycle (5, -4, 5, ...)
    prog = parse_c(ALTERNATE.replace("GUARD", "x != 0").replace("GROW", grow), int_mode="math")
    v = find_divergence(Environment(), prog)
    assert v is not None and v.answer == "no" and " or " in v.details[0], v
    env = Environment()
    assert not env.add(TheoremDecl("t", v.statement, v.proof)).axioms


@pytest.mark.parametrize("guard, grow", [("x != 0", "2"), ("x != 0 && x < 5000 && x > -5000", "-1")])
def test_no_disjunctive_set_for_a_loop_that_ends(guard, grow):
    from analysis.divergence import find_divergence
    # the value shrinks to 0; or it grows until it leaves the guard (a long run, no recurrent set)
    prog = parse_c(ALTERNATE.replace("GUARD", guard).replace("GROW", grow), int_mode="math")
    assert find_divergence(Environment(), prog) is None


@pytest.mark.parametrize("value, diverges", [(200, True), (300, False)])
def test_a_choice_inside_a_procedure_is_a_value_of_its_type(value, diverges):
    from analysis.divergence import prove_recursion_choosing
    # the procedure's c is any integer (more runs than C's), but a witness fixes it only to an unsigned
    # char: c == 300 never holds in C, so no run of the C function calls f(x) forever
    prog = parse_c(STEP.replace("if (__VERIFIER_nondet_int()) return f(x - 1);\n  return f(x - STEP);",
                                f"unsigned char c = __VERIFIER_nondet_uchar();\n  if (c == {value}) return f(x);\n"
                                "  return f(x - 1);"), int_mode="math")
    v = prove_recursion_choosing(Environment(), prog)
    assert (v is not None) == diverges, v
    if diverges:
        _checked(prog, v)


def test_a_run_that_repeats_its_states_gives_their_pinned_disjunction():
    from analysis.divergence import state_cycle
    from kernel import Int, Var, mk
    # y is written by the pass before it is read: no value at the loop's entry, so not pinned
    states = [{"x": 0}, {"x": 1, "y": 5}, {"x": 2, "y": 6}, {"x": 1, "y": 5}, {"x": 2, "y": 6}]
    assert state_cycle(states) == mk("or", mk("eq", Var("x"), Int(1)), mk("eq", Var("x"), Int(2)))
    assert state_cycle(states[:3]) is None
