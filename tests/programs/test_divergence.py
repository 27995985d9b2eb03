"""Non-termination found inside nested loops and after earlier loops, checked by the kernel."""

from __future__ import annotations

import textwrap

from kernel import Environment, TheoremDecl

from analysis.divergence import prove_divergence
from analysis.termination import decide_termination
from programs.py_frontend import parse_python


def _py(src: str):
    return parse_python(textwrap.dedent(src))


def test_inner_loop_diverges_on_a_later_pass_of_the_outer_loop():
    """Passes i = 0, 1, 2 of the outer loop end (their inner loops run 0..2 times and are proved by the
    states the run went through); on i = 3 the inner loop never ends."""
    prog = _py("""\
        def f(n):
            i = 0
            while i < n:
                j = 0
                while j < i:
                    if i != 3:
                        j = j + 1
                i = i + 1
            return i
        """)
    v = prove_divergence(Environment(), prog)
    assert v is not None and v.answer == "no", v
    assert v.text.startswith("no: runs forever from n = ") and int(v.text.split("= ")[1]) >= 4
    Environment().add(TheoremDecl("nt", v.statement, v.proof))


def test_no_divergence_claimed_when_every_pass_ends():
    prog = _py("""\
        def f(n):
            i = 0
            while i < n:
                j = 0
                while j < i:
                    j = j + 1
                i = i + 1
            return i
        """)
    assert prove_divergence(Environment(), prog) is None
    assert decide_termination(Environment(), prog).answer == "yes"


def test_nondeterminism_inside_a_recursive_function_is_no_crash():
    """A havoc in a procedure's body was missing from the witness search's choices (a KeyError), and
    a call statement in a loop body was unknown to the path enumeration of the ranking search (TPDB's
    Et4 and Binary_Search ended in tracebacks)."""
    from kernel import Environment
    from analysis.termination import decide_termination
    from programs.c_frontend import parse_c
    src = ("int f(int x) { int y = __VERIFIER_nondet_int(); if (y > 0 && x > 0) return f(x - 1); return 0; }\n"
           "int main() { int a = __VERIFIER_nondet_int(); while (f(a) == 0 && a > 5) { a = a - 1; } return 0; }\n")
    v = decide_termination(Environment(), parse_c(src, "main", "math"))
    assert v.answer in ("yes", "don't know"), v.text
    src2 = ("int f(int x) { int y = __VERIFIER_nondet_int(); if (y > 0) return f(x); return 0; }\n"
            "int main() { int a = __VERIFIER_nondet_int(); f(a); return 0; }\n")
    v = decide_termination(Environment(), parse_c(src2, "main", "math"))
    assert v.answer in ("no", "don't know"), v.text


INNER_OFF = """\
extern int __VERIFIER_nondet_int(void);
int main() {
  int x = __VERIFIER_nondet_int();
  int y = __VERIFIER_nondet_int();
  while (x > 0) {
    if (y > 0) {
      while (y < 1000) y = y + 1;
    }
    x = x + 1 - y;
  }
  return 0;
}
"""


def test_an_inner_loop_the_run_no_longer_reaches_is_shown_unreachable():
    """The SystemC-style programs of the corpus (a scheduler whose threads are inner loops) run forever
    in a part of the state space where an inner loop is never reached. Summarised by its frame, that
    inner loop could leave y anything, so no recurrent set of the outer loop was found; its invariant
    from the run (false: not reached once the run is inside the set) lets the kernel check the set."""
    from programs.c_frontend import parse_c
    prog = parse_c(INNER_OFF, int_mode="math")
    v = decide_termination(Environment(), prog)
    assert v.answer == "no" and not v.oracle, v.text
    assert "y <= 0" in v.details[0] or "y = 0" in v.details[0], v.details
    Environment().add(TheoremDecl("nt", v.statement, v.proof))


def test_an_inner_loop_reached_on_every_run_gives_no_divergence():
    """The near miss: the inner loop is reached (x even) and makes x fall, so every run ends."""
    from programs.c_frontend import parse_c
    src = INNER_OFF.replace("int y = __VERIFIER_nondet_int();", "int y = 0;").replace("if (y > 0)", "if (x % 2 == 0)") \
        .replace("y < 1000", "y < 3")
    assert "x % 2 == 0" in src and "y < 3" in src
    prog = parse_c(src, int_mode="math")
    assert prove_divergence(Environment(), prog) is None
    assert decide_termination(Environment(), prog).answer != "no"
