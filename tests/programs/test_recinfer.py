"""Contracts of recursive functions found by search (analysis/recinfer.py): preconditions from the
callers, postconditions kept by Houdini, measures synthesised from the call transitions; and a
program that calls a recursive function which recurses forever. Every yes/no is checked again by a
fresh kernel; the near misses (a measure that drops at one call only, a postcondition a nested call
would need but that does not hold, mutual recursion below zero) must not get a yes: each recurses
forever from some input, and gets a checked no."""

from __future__ import annotations

import textwrap

import pytest

from kernel import Environment, TheoremDecl
from kernel.expr import postorder

from analysis.termination import decide_termination
from programs.c_frontend import parse_c
from programs.py_frontend import parse_python


def _answer(source: str, lang: str = "c"):
    src = textwrap.dedent(source)
    prog = parse_c(src, "main", int_mode="math") if lang == "c" else parse_python(src)
    v = decide_termination(Environment(), prog)
    if v.answer in ("yes", "no"):
        from analysis.recursion import declare
        env = Environment()
        declare(env, prog)
        env.add(TheoremDecl("t", v.statement, v.proof))       # a fresh kernel admits the proof
        assert v.statement.args[1] == prog.body
        assert not v.oracle, v.text
    return v


TERMINATING = {
    # hanoi's base case is n == 1: it ends only from n >= 1, which its caller guarantees
    "caller_precondition": ("""\
        int hanoi(int n) { if (n == 1) return 1; return 2 * hanoi(n - 1) + 1; }
        int main() { int n = __VERIFIER_nondet_int(); if (n < 1) return 0; return hanoi(n); }
        """, "requires 1 <= n"),
    # the outer call's argument is the inner call's result: needs ensures ret = 1
    "nested_call": ("""\
        int g(int x) { if (x == 0) return 1; return g(g(x - 1) - 1); }
        int main() { int x = __VERIFIER_nondet_int(); if (x < 0) return 0; return g(x); }
        """, "ret = 1"),
    # Ackermann: a lexicographic pair, and ensures ret >= 0 for the nested call's precondition
    "ackermann": ("""\
        int ack(int m, int n) {
          if (m == 0) return n + 1;
          if (n == 0) return ack(m - 1, 1);
          return ack(m - 1, ack(m, n - 1));
        }
        int main() { int m = __VERIFIER_nondet_int(); int n = __VERIFIER_nondet_int();
                     if (m < 0 || n < 0) return 0; return ack(m, n); }
        """, "decrease m, n"),
    # the arguments are permuted: only their sum drops (no pair of them does)
    "permuted_sum": ("""\
        int p(int m, int n, int r) {
          if (r > 0) return p(m, r - 1, n);
          if (n > 0) return p(r, n - 1, m);
          return m;
        }
        int main() { int m = __VERIFIER_nondet_int(); int n = __VERIFIER_nondet_int();
                     int r = __VERIFIER_nondet_int();
                     if (m >= 0 && n >= 0 && r >= 0) p(m, n, r); return 0; }
        """, "m + n + r"),
    # f and g call each other (and themselves): one total_rec over both, a measure for each
    "mutual_group": ("""\
        int g(int n);
        int f(int n) { if (n <= 0) return 0; int a = g(n - 1); int b = f(n - 2); return a + b; }
        int g(int n) { if (n <= 0) return 1; int a = f(n - 1); int b = g(n - 1); return a + b; }
        int main() { int x = __VERIFIER_nondet_int(); return f(x); }
        """, "main.f: requires (-1) <= n"),
    # a loop of main calls a recursive function: ranked with the call's result any value, before the
    # contracts are found
    "loop_calls_recursion": ("""\
        int sum(int n) { if (n <= 0) return 0; return n + sum(n - 1); }
        int main() { int i = 0; int s = 0; while (i < 10) { s = s + sum(i); i = i + 1; } return s; }
        """, "ranking function 9 - i"),
    # the result is the sum of the arguments (one moved into the other)
    "sum_of_arguments": ("""\
        int add(int m, int n) { if (n == 0) return m; return add(m + 1, n - 1); }
        int main() { int m = __VERIFIER_nondet_int(); int n = __VERIFIER_nondet_int();
                     if (n < 0) return 0; if (add(m, n) != m + n) __VERIFIER_error(); return 0; }
        """, "ret = m + n"),
}


@pytest.mark.parametrize("name", sorted(TERMINATING))
def test_terminating_recursion_gets_a_checked_yes(name):
    src, expect = TERMINATING[name]
    v = _answer(src)
    assert v.answer == "yes" and expect in v.text, v.text


def test_python_mccarthy_91_needs_the_result_moved_by_a_constant():
    v = _answer("""\
        def mc(n):
            if n > 100:
                return n - 10
            return mc(mc(n + 11))
        """, "python")
    assert v.answer == "yes" and "n - 10 <= ret" in v.text, v.text


NOT_TERMINATING = {
    # n - 1 drops at the first call but n + 1 rises at the second: 5, 6, ..., 11, 10, 11, 10, ...
    "drops_at_one_call_only": """\
        int f(int n) { if (n <= 0) return 0; if (n > 10) return f(n - 1); return f(n + 1); }
        int main() { int x = __VERIFIER_nondet_int(); return f(x); }
        """,
    # ret = 1 holds (where g ends), but then g(1) calls g(g(0)) = g(1): no measure of x drops
    "postcondition_not_enough": """\
        int g(int x) { if (x <= 0) return 1; return g(g(x - 1)); }
        int main() { int x = __VERIFIER_nondet_int(); if (x < 0) return 0; return g(x); }
        """,
    # a postcondition the nested call would need (ret <= x - 1) does not hold: h(1) = h(h(0) + 1)
    "postcondition_false": """\
        int h(int x) { if (x <= 0) return 0; return h(h(x - 1) + 1); }
        int main() { int x = __VERIFIER_nondet_int(); if (x < 0) return 0; return h(x); }
        """,
    # mutual recursion without the callers' n >= 0: isOdd(-1) calls isEven(-2) calls isOdd(-3) ...
    "mutual_below_zero": """\
        int isOdd(int n);
        int isEven(int n) { if (n == 0) return 1; return isOdd(n - 1); }
        int isOdd(int n) { if (n == 0) return 0; return isEven(n - 1); }
        int main() { int n = __VERIFIER_nondet_int(); return isOdd(n); }
        """,
    # the same group, but g calls f(n + 1): f(2) calls g(1) calls f(2)
    "mutual_group_rises": """\
        int g(int n);
        int f(int n) { if (n <= 0) return 0; int a = g(n - 1); int b = f(n - 2); return a + b; }
        int g(int n) { if (n <= 0) return 1; int a = f(n + 1); int b = g(n - 1); return a + b; }
        int main() { int x = __VERIFIER_nondet_int(); return f(x); }
        """,
}


@pytest.mark.parametrize("name", sorted(NOT_TERMINATING))
def test_near_misses_get_no_yes_but_a_checked_no(name):
    v = _answer(NOT_TERMINATING[name])
    assert v.answer == "no" and "runs forever" in v.text, v.text


def test_a_caller_of_a_recursive_function_that_recurses_forever_answers_no():
    v = _answer("""\
        int sum(int n, int m) { if (n == 0) return m; return sum(n - 1, m + 1); }
        int main(void) { int a; int b; return sum(a, b); }
        """)
    assert v.answer == "no" and "nondeterministic value is" in v.text and "a = -" in v.text, v.text
    assert v.statement.op == "can_diverge"


def test_houdini_keeps_only_the_conditions_the_body_reestablishes():
    from analysis.termination import Z3
    from programs.lang import precondition
    from analysis.recinfer import constants, houdini
    prog = parse_c(textwrap.dedent("""\
        int twice(int n) { if (n <= 0) return 0; return twice(n - 1) + 2; }
        int main() { int x = __VERIFIER_nondet_int(); if (x < 3) return 0; return twice(x); }
        """), "main", int_mode="math")
    proc = prog.procedures["main.twice"]
    pre, post = houdini(proc, [(precondition(prog), prog.body)], {}, Z3(Environment()),
                        constants(proc.body, prog.body))
    from kernel import show
    # 2 <= n holds at main's call twice(x - 1) (x >= 3) but not at the recursive ones, down to 0
    assert show(pre) == "0 <= n", show(pre)
    assert "n <= ret" in show(post) and "ret <= n" not in show(post), show(post)    # twice(n) = 2n


def test_a_loop_whose_step_is_a_call_result_that_can_be_zero_gets_no_yes():
    # z(n) is 0, so x = x - z(x) never moves: ranked with the call's result any value, no candidate
    # holds, and the contract (ret = 0) cannot make one
    v = _answer("""\
        int z(int n) { if (n <= 0) return 0; return z(n - 1); }
        int main() { int x = __VERIFIER_nondet_int(); while (x > 0) { x = x - z(x); } return 0; }
        """)
    assert v.answer != "yes", v.text


SUMMARISED = """\
    int step(int x) {
      if (x > 10) return x - 1;
      if (x > 5) return x - 2;
      if (x > 2) return x - 3;
      return x - 1;
    }
    int main() {
      int x = __VERIFIER_nondet_int();
      while (x > 0) { if (x > 0) x = step(x); x = step(x); }
      return 0;
    }
    """


def _summarised(src: str):
    from programs.lang import summarising
    with summarising():
        prog = parse_c(textwrap.dedent(src), "main", int_mode="math")
    v = decide_termination(Environment(), prog)
    if v.answer == "yes":
        from analysis.recursion import declare
        env = Environment()
        declare(env, prog)
        env.add(TheoremDecl("t", v.statement, v.proof))
        assert not v.oracle
    return prog, v


def test_a_function_called_twice_is_summarised_once_and_its_contract_ranks_the_loop():
    prog, v = _summarised(SUMMARISED)
    calls = [n.data[1] for n in postorder(prog.body) if n.op == "call"]
    assert calls == ["main.step", "main.step"]
    assert sum(n.op == "if" for n in postorder(prog.body)) == 1         # main's own: step's tests are not inlined
    assert v.answer == "yes" and "main.step: requires true, ensures ret <= x - 1" in v.text, v.text


def test_a_summary_that_allows_no_progress_gives_no_yes():
    # step(x) = x for 1 <= x <= 5: the loop runs forever there, and the contract ret <= x ranks nothing
    _, v = _summarised(SUMMARISED.replace("return x - 1;\n    }", "return x;\n    }"))
    assert v.answer != "yes", v.text
