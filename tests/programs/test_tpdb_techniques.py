"""The techniques issue 11 added for programs written outside the project (TPDB style), each with a
program that needs it and a near miss where it must not fire. Every yes and no is a kernel theorem."""

from __future__ import annotations

import textwrap

from kernel import Environment, TheoremDecl
from kernel.expr import postorder

from programs.analysis import decide_termination
from programs.c_frontend import parse_c


def _c(src: str, int_mode: str = "math"):
    return parse_c(textwrap.dedent(src), int_mode=int_mode)


def _havocs(prog) -> list:
    return sorted(n.data for n in postorder(prog.body) if n.op == "havoc")


def _decide(prog):
    v = decide_termination(Environment(), prog)
    if v.answer in ("yes", "no"):
        Environment().add(TheoremDecl("t", v.statement, v.proof))
    return v


# ---- uninitialised locals: nondeterministic only if read before written ----------------------------

def test_declaration_then_nondet_assignment_draws_one_value():
    prog = _c("""\
        int main() {
            int x;
            int y;
            x = __VERIFIER_nondet_int();
            y = __VERIFIER_nondet_int();
            while (x >= 0) { x = x + y; y = y + 1; }
            return 0;
        }""")
    assert len(_havocs(prog)) == 2 and "x" not in _havocs(prog) and "y" not in _havocs(prog)


def test_uninitialised_local_read_on_some_path_stays_nondeterministic():
    prog = _c("""\
        int main() {
            int x; int y; int c = __VERIFIER_nondet_int();
            if (c) { x = 1; }
            y = x;
            while (y > 0) { y = y - 1; int z; if (y > 5) { z = 1; } y = y - z; }
            return 0;
        }""", int_mode="c")
    assert {"x", "z"} <= set(_havocs(prog))
    assert _havocs(prog).count("z") == 1


def test_uninitialised_local_read_in_a_loop_before_its_write_stays_nondeterministic():
    prog = _c("""\
        int main() {
            int x; int i = 0;
            while (i < 10) { if (x > 0) { i = i + 1; } else { x = x - 1; } }
            return 0;
        }""")
    assert "x" in _havocs(prog)
    assert _decide(prog).answer == "no"


# ---- invariants: facts about unchanged variables that hold on entry ----------------------------------

def test_fact_established_by_an_early_return_joins_the_invariant():
    prog = _c("""\
        int main() {
            int x = __VERIFIER_nondet_int();
            int y = __VERIFIER_nondet_int();
            if (y < 1) { return 0; }
            while (x >= 0) { x = x - y; }
            return 0;
        }""")
    v = _decide(prog)
    assert v.answer == "yes", v.text


def test_early_return_on_the_wrong_side_gives_no_fact():
    prog = _c("""\
        int main() {
            int x = __VERIFIER_nondet_int();
            int y = __VERIFIER_nondet_int();
            if (y >= 1) { return 0; }
            while (x >= 0) { x = x - y; }
            return 0;
        }""")
    assert _decide(prog).answer == "no"
