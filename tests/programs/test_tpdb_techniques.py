"""The techniques issue 11 added for programs written outside the project (TPDB style), each with a
program that needs it and a near miss where it must not fire. Every yes and no is a kernel theorem."""

from __future__ import annotations

import textwrap

from kernel import Environment, TheoremDecl
from kernel.expr import postorder

from analysis.termination import decide_termination
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


# ---- verification conditions the kernel rebuilds without z3's word ----------------------------------

def test_the_halves_of_an_if_are_proved_on_the_spot():
    from programs.vcgen import LoopSpec, Obligations, Prover
    from kernel import Expr, Int, Var, mk
    x = Var("x")
    body = Expr("if", (mk("lt", x, Int(5)), Expr("assign", (mk("add", x, Int(1)),), "x"),
                       Expr("assign", (mk("sub", x, Int(1)),), "x")))
    ob = Obligations()
    Prover("hoare", {}, ob).triple(mk("eq", x, Int(0)), body, mk("le", x, Int(1)))
    assert [why for _, why in ob.goals] == ["the precondition"]
    assert isinstance(LoopSpec(Expr("true")), LoopSpec)


def test_lexicographic_argument_over_nondeterministic_branches_is_kernel_checked():
    prog = _c("""\
        int main() {
            int x = __VERIFIER_nondet_int();
            int y = __VERIFIER_nondet_int();
            while (x > 0 && y > 0) {
                if (__VERIFIER_nondet_int()) { x = x - 1; }
                else { x = __VERIFIER_nondet_int(); y = y - 1; }
            }
            return 0;
        }""")
    v = _decide(prog)
    assert v.answer == "yes" and not v.oracle, v.text


def test_c_division_by_a_literal_is_kernel_checked():
    prog = _c("""\
        int main() {
            int x = __VERIFIER_nondet_int();
            int y = __VERIFIER_nondet_int();
            while (x < y) { x = x + y; y = y / 2; }
            return 0;
        }""")
    v = _decide(prog)
    assert v.answer == "no" and not v.oracle, v.text


def test_c_division_by_a_negative_literal_truncates():
    from programs.c_frontend import tdiv
    from kernel import Int
    from kernel.arith import evaluate
    for a in (-7, -6, -1, 0, 1, 6, 7):
        for k in (-3, -2, 2, 3):
            want = abs(a) // abs(k) * (1 if (a >= 0) == (k > 0) else -1)
            assert evaluate(tdiv(Int(a), Int(k)), "eval") == want, (a, k)


# ---- multiphase ranking functions --------------------------------------------------------------------

def test_multiphase_ranking_function_as_a_lexicographic_one():
    prog = _c("""\
        int main() {
            int x = __VERIFIER_nondet_int();
            int y = __VERIFIER_nondet_int();
            while (x > 0) { x = x + y; y = y - 1; }
            return 0;
        }""")
    v = _decide(prog)
    assert v.answer == "yes" and not v.oracle, v.text
    assert "max(" in v.text


def test_three_phases():
    prog = _c("""\
        int main() {
            int x = __VERIFIER_nondet_int();
            int y = __VERIFIER_nondet_int();
            int z = __VERIFIER_nondet_int();
            while (x > 0) { x = x + y; y = y + z; z = z - 1; }
            return 0;
        }""")
    v = _decide(prog)
    assert v.answer == "yes" and not v.oracle, v.text


def test_no_multiphase_argument_when_the_second_phase_never_comes():
    prog = _c("""\
        int main() {
            int x = __VERIFIER_nondet_int();
            int y = __VERIFIER_nondet_int();
            while (x > 0) { x = x + y; y = y + 1; }
            return 0;
        }""")
    assert _decide(prog).answer == "no"


def test_multiphase_search_proposes_nothing_for_a_loop_that_may_run_forever():
    from kernel import Int, Var, mk, Expr
    from analysis.ranking import synthesize_multiphase
    x, y = Var("x"), Var("y")
    body = Expr("seq", (Expr("assign", (mk("add", x, y),), "x"), Expr("assign", (mk("add", y, Int(1)),), "y")))
    assert synthesize_multiphase(mk("lt", Int(0), x), body, None, {}) == []


# ---- bounds: straight-line code whose wp would be exponential --------------------------------------

def test_wp_paths_counts_ifs_in_a_row_and_caps():
    from kernel import Expr, Int, Var, mk
    from analysis.termination import MAX_WP_PATHS, wp_paths
    from programs.lang import seq
    ifs = [Expr("if", (mk("lt", Var(f"p{i}"), Int(1)), Expr("assign", (Int(1),), f"l{i}"), Expr("skip")))
           for i in range(12)]
    assert wp_paths(seq(ifs[:3])) == 8
    assert wp_paths(seq(ifs)) == MAX_WP_PATHS + 1


def test_a_loop_with_too_many_paths_is_a_prompt_dont_know():
    body = "\n".join(f"if (__VERIFIER_nondet_int()) {{ l{i} = 1; }}" for i in range(12))
    decls = " ".join(f"int l{i} = 0;" for i in range(12))
    prog = _c(f"""\
        int main() {{
            int x = __VERIFIER_nondet_int();
            {decls}
            while (x > 0) {{
                {body}
                x = x - 1;
            }}
            return 0;
        }}""")
    from analysis.termination import prove_termination
    v = prove_termination(Environment(), prog)
    assert v.answer == "don't know" and "paths" in v.text
