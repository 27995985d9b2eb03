"""The loop termination arguments of issue 11 beyond one linear ranking function, each with a program
that needs it and a near miss (a loop that does not terminate) where it must not answer yes. Every
yes is a kernel theorem with no oracle. Only the termination side runs (a near miss's "no" is the
divergence search's business, tested elsewhere), which keeps these fast."""

from __future__ import annotations

import textwrap

from kernel import Environment, TheoremDecl

from analysis.termination import prove_termination
from programs.c_frontend import parse_c


def _decide(src: str):
    prog = parse_c(textwrap.dedent(src), int_mode="math")
    v = prove_termination(Environment(), prog)
    if v.answer == "yes":
        thm = Environment().add(TheoremDecl("t", v.statement, v.proof))
        assert not thm.axioms, "the answer rests on an oracle"
    return v


# ---- an inner loop keeps facts about the enclosing variant's value at the start of the iteration ----

def test_outer_measure_that_falls_only_inside_the_inner_loop():
    v = _decide("""\
        int main() {
            int a = __VERIFIER_nondet_int();
            int b = __VERIFIER_nondet_int();
            while (a == b && a > 3) {
                while (b > 3) { a = a - 2; b = b - 2; }
            }
            return 0;
        }""")
    assert v.answer == "yes", v.text


def test_near_miss_inner_loop_that_never_runs():
    v = _decide("""\
        int main() {
            int a = __VERIFIER_nondet_int();
            int b = __VERIFIER_nondet_int();
            while (a == b && a > 3) {
                while (b > 3 && b < 0) { a = a - 2; b = b - 2; }
            }
            return 0;
        }""")
    assert v.answer != "yes", v.text


def test_three_nested_loops_where_the_innermost_moves_the_outer_counter():
    v = _decide("""\
        int main() {
            int i = __VERIFIER_nondet_int();
            int m = __VERIFIER_nondet_int();
            int j, k;
            while (i > 0) {
                j = 0;
                while (j < m) {
                    k = i;
                    while (k > 0 && __VERIFIER_nondet_int()) { k = k - 1; }
                    i = k;
                    j = j + 1;
                }
                i = i - 1;
            }
            return 0;
        }""")
    assert v.answer == "yes", v.text


def test_near_miss_inner_loop_that_raises_the_outer_counter():
    v = _decide("""\
        int main() {
            int i = __VERIFIER_nondet_int();
            int k;
            while (i > 0) {
                k = i;
                while (k < i + 2) { k = k + 1; }
                i = k - 1;
            }
            return 0;
        }""")
    assert v.answer != "yes", v.text


# ---- cases on a condition the loop never changes -------------------------------------------------

def test_ranking_by_cases_on_the_sign_of_an_unchanged_step():
    v = _decide("""\
        int main() {
            int a = __VERIFIER_nondet_int();
            int s;
            if (__VERIFIER_nondet_int()) { s = 2; } else { s = -3; }
            while (a > -50 && a < 50) { a = a + s; }
            return 0;
        }""")
    assert v.answer == "yes", v.text


def test_near_miss_step_that_may_be_zero():
    v = _decide("""\
        int main() {
            int a = __VERIFIER_nondet_int();
            int s;
            if (__VERIFIER_nondet_int()) { s = 2; } else { s = 0; }
            while (a > -50 && a < 50) { a = a + s; }
            return 0;
        }""")
    assert v.answer != "yes", v.text


# ---- a loop left by break: what its conditions say while it goes on -------------------------------

def test_break_guarded_fact_about_a_fresh_value():
    v = _decide("""\
        int main() {
            int x = __VERIFIER_nondet_int();
            int d = __VERIFIER_nondet_int();
            if (d < 2) { return 0; }
            while (x >= 0) {
                x = x - d;
                d = __VERIFIER_nondet_int();
                if (d < 2) { break; }
            }
            return 0;
        }""")
    assert v.answer == "yes", v.text


def test_near_miss_break_that_lets_a_zero_step_through():
    v = _decide("""\
        int main() {
            int x = __VERIFIER_nondet_int();
            int d = __VERIFIER_nondet_int();
            if (d < 2) { return 0; }
            while (x >= 0) {
                x = x - d;
                d = __VERIFIER_nondet_int();
                if (d < 0) { break; }
            }
            return 0;
        }""")
    assert v.answer != "yes", v.text


# ---- two phases: a condition the loop may leave but never re-enter -------------------------------

def test_counter_that_wraps_around_once():
    v = _decide("""\
        int main() {
            int n = __VERIFIER_nondet_int();
            int i = __VERIFIER_nondet_int();
            if (n < 1 || i < 0 || i > n) { return 0; }
            while (i != 0) {
                if (i < n) { i = i + 1; } else { i = 0 - n; }
            }
            return 0;
        }""")
    assert v.answer == "yes", v.text


def test_near_miss_counter_that_wraps_forever():
    v = _decide("""\
        int main() {
            int n = __VERIFIER_nondet_int();
            int i = __VERIFIER_nondet_int();
            if (n < 1 || i < 0 || i > n) { return 0; }
            while (i != 0) {
                if (i < n) { i = i + 1; } else { i = 1; }
            }
            return 0;
        }""")
    assert v.answer != "yes", v.text


def test_phase_reentered_only_when_an_outer_count_falls():
    v = _decide("""\
        int main() {
            int k = __VERIFIER_nondet_int();
            int m = __VERIFIER_nondet_int();
            int c = __VERIFIER_nondet_int();
            int up = __VERIFIER_nondet_int();
            while (k > 0 && c >= 0 && c <= m) {
                if (up != 0) {
                    c = c + 1;
                    if (__VERIFIER_nondet_int()) { up = 0; }
                } else {
                    c = c - 1;
                    if (__VERIFIER_nondet_int()) { k = k - 1; up = 1; }
                }
            }
            return 0;
        }""")
    assert v.answer == "yes", v.text


def test_near_miss_phase_reentered_for_free():
    v = _decide("""\
        int main() {
            int k = __VERIFIER_nondet_int();
            int m = __VERIFIER_nondet_int();
            int c = __VERIFIER_nondet_int();
            int up = __VERIFIER_nondet_int();
            while (k > 0 && c >= 0 && c <= m) {
                if (up != 0) {
                    c = c + 1;
                    if (__VERIFIER_nondet_int()) { up = 0; }
                } else {
                    c = c - 1;
                    if (__VERIFIER_nondet_int()) { up = 1; }
                }
            }
            return 0;
        }""")
    assert v.answer != "yes", v.text


# ---- a lexicographic level that falls on only part of a path --------------------------------------

def test_path_split_by_where_the_first_level_stays():
    v = _decide("""\
        int main() {
            int x = __VERIFIER_nondet_int();
            int y = __VERIFIER_nondet_int();
            int n = __VERIFIER_nondet_int();
            if (x + y < 0) { return 0; }
            while (x < n) {
                if (__VERIFIER_nondet_int()) { x = 2 * x + y; y = y + 1; } else { x = x + 2; }
            }
            return 0;
        }""")
    assert v.answer == "yes", v.text


def test_near_miss_path_that_may_stay_forever():
    v = _decide("""\
        int main() {
            int x = __VERIFIER_nondet_int();
            int y = __VERIFIER_nondet_int();
            int n = __VERIFIER_nondet_int();
            if (x + y < 0) { return 0; }
            while (x < n) {
                if (__VERIFIER_nondet_int()) { x = 2 * x + y; } else { x = x + 2; }
            }
            return 0;
        }""")
    assert v.answer != "yes", v.text


# ---- phases: a later level falls once every earlier phase is over ----------------------------------

def test_three_phases_where_the_last_needs_both_earlier_ones_over():
    v = _decide("""\
        int main() {
            int a = __VERIFIER_nondet_int();
            int b = __VERIFIER_nondet_int();
            int c = __VERIFIER_nondet_int();
            while (a > 0) {
                if (__VERIFIER_nondet_int()) { a = a + b; } else { a = a + c - 1; }
                b = b + c;
                c = c - 2;
            }
            return 0;
        }""")
    assert v.answer == "yes", v.text
    assert "max(" in " ".join(v.details)


def test_near_miss_phase_whose_branch_never_falls():
    v = _decide("""\
        int main() {
            int a = __VERIFIER_nondet_int();
            int b = __VERIFIER_nondet_int();
            int c = __VERIFIER_nondet_int();
            while (a > 0) {
                if (__VERIFIER_nondet_int()) { a = a + b; } else { a = a + 1; }
                b = b + c;
                c = c - 2;
            }
            return 0;
        }""")
    assert v.answer != "yes", v.text


# ---- pieces: where the loop goes next, for values that flip sign ------------------------------------

def test_value_that_flips_sign_each_step():
    v = _decide("""\
        int main() {
            int n = __VERIFIER_nondet_int();
            while (n > 0) { n = 13 - 3 * n; }
            return 0;
        }""")
    assert v.answer == "yes", v.text
    assert "if " in " ".join(v.details)


def test_near_miss_sign_flip_with_a_fixed_point():
    v = _decide("""\
        int main() {
            int n = __VERIFIER_nondet_int();
            while (n > 0) { n = 12 - 3 * n; }
            return 0;
        }""")
    assert v.answer != "yes", v.text


# ---- what a loop leaves behind: its conjunctive guard false, for the loops after and around it ------

def test_outer_loop_relies_on_the_inner_loops_exit_condition():
    v = _decide("""\
        int main() {
            int a = __VERIFIER_nondet_int();
            int b = __VERIFIER_nondet_int();
            while (a > 0 && b > 0) { a = a - 1; b = b - 1; }
            while (a > 0) {
                b = b + 1;
                while (a > 0 && b > 0) { a = a - 1; b = b - 1; }
            }
            return 0;
        }""")
    assert v.answer == "yes", v.text


def test_near_miss_outer_loop_that_drives_the_inner_guard_away():
    v = _decide("""\
        int main() {
            int a = __VERIFIER_nondet_int();
            int b = __VERIFIER_nondet_int();
            while (a > 0 && b > 0) { a = a - 1; b = b - 1; }
            while (a > 0) {
                b = b - 1;
                while (a > 0 && b > 0) { a = a - 1; b = b - 1; }
            }
            return 0;
        }""")
    assert v.answer != "yes", v.text


def test_phase_chosen_among_several_that_never_rise():
    v = _decide("""\
        int main() {
            int a = __VERIFIER_nondet_int();
            int b = __VERIFIER_nondet_int();
            int c = __VERIFIER_nondet_int();
            int t = __VERIFIER_nondet_int();
            while (a >= b && a <= t + c) {
                if (__VERIFIER_nondet_int()) { c = c - 1; t = a; a = __VERIFIER_nondet_int(); }
                else { b = b + 2; }
            }
            return 0;
        }""")
    assert v.answer == "yes", v.text


def test_near_miss_bound_that_moves_up_with_every_reset():
    v = _decide("""\
        int main() {
            int a = __VERIFIER_nondet_int();
            int b = __VERIFIER_nondet_int();
            int c = __VERIFIER_nondet_int();
            int t = __VERIFIER_nondet_int();
            while (a >= b && a <= t + c) {
                if (__VERIFIER_nondet_int()) { t = a; a = __VERIFIER_nondet_int(); }
                else { b = b + 2; }
            }
            return 0;
        }""")
    assert v.answer != "yes", v.text


def test_pieces_by_the_difference_one_path_leaves():
    v = _decide("""\
        int main() {
            int a = __VERIFIER_nondet_int();
            int b = __VERIFIER_nondet_int();
            while (a > 1 && b > 1) {
                int a0 = a;
                int b0 = b;
                if (__VERIFIER_nondet_int()) { a = a0 - 1; b = a0; }
                else { a = b0 - 2; b = a0 + 1; }
            }
            return 0;
        }""")
    assert v.answer == "yes", v.text


def test_near_miss_swap_that_comes_back():
    v = _decide("""\
        int main() {
            int a = __VERIFIER_nondet_int();
            int b = __VERIFIER_nondet_int();
            while (a > 1 && b > 1) {
                int a0 = a;
                int b0 = b;
                if (__VERIFIER_nondet_int()) { a = a0 - 1; b = a0; }
                else { a = b0 - 1; b = a0 + 1; }
            }
            return 0;
        }""")
    assert v.answer != "yes", v.text


def test_nondeterministic_sign_flips_that_grow():
    # the proof's cases also carry the branch's `__nd != 0`, which has nothing to do with them
    v = _decide("""\
        int main() {
            int n = __VERIFIER_nondet_int();
            while (n <= 50) {
                if (__VERIFIER_nondet_int()) { n = -2 * n + 2; } else { n = -3 * n - 2; }
            }
            return 0;
        }""")
    assert v.answer == "yes", v.text


def test_near_miss_sign_flip_that_may_come_back():
    v = _decide("""\
        int main() {
            int n = __VERIFIER_nondet_int();
            while (n <= 50) {
                if (__VERIFIER_nondet_int()) { n = -2 * n + 2; } else { n = -n; }
            }
            return 0;
        }""")
    assert v.answer != "yes", v.text
