"""Non-termination found inside nested loops and after earlier loops, checked by the kernel."""

from __future__ import annotations

import textwrap

from kernel import Environment, TheoremDecl

from programs.analysis import decide_termination, prove_divergence
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
