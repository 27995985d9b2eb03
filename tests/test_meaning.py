"""What a statement means is what the kernel proves (issue 10).

Each test states something about a program that is false when read as a user reads it, and checks
that Quod does not prove it (and that the true neighbour is proved), so a wrong reading in the layers
before the kernel (the elaborator, the front ends) shows up as a failure here.
"""

from __future__ import annotations

import textwrap

import pytest

from quod.loader import Loader


def statuses(tmp_path, src: str) -> dict:
    path = tmp_path / "case.proof"
    path.write_text(src, encoding="utf-8")
    mod = Loader().load(path)
    return {r.name: r for r in mod.results}


# ---- class 1: a program call in a formula ------------------------------------------------------

CALLS = """\
program zero(x : int) -> int { x = 0; return 0; }
program sub(x : int, y : int) -> int { return x - y; }
program keep(x : int) -> int { int y = x; x = x + 1; return y; }
"""


@pytest.mark.parametrize("claim, true", [
    ("forall x : int, zero(x) = x", False),          # x is the argument, not the final x (0)
    ("forall x : int, zero(x) = 0", True),
    ("forall y x : int, sub(y, x) = x - y", False),  # arguments bind by position, not by name
    ("forall y x : int, sub(y, x) = y - x", True),
    ("forall x y : int, sub(y, x) = y - x", True),
    ("forall x y : int, sub(x, y) = x - y", True),
    ("forall x : int, sub(x, x) = 0", True),
    ("forall x : int, sub(x, 3) = x - 3", True),
    ("forall x : int, sub(3, x) = x - 3", False),
    ("forall x : int, keep(x) = x", True),
    ("forall x : int, keep(x) = x + 1", False),       # the final x is x + 1, but keep returns the argument
])
def test_a_call_binds_its_arguments_by_position_and_means_its_returned_value(tmp_path, claim, true):
    src = CALLS + f"theorem t : {claim} := by vcgen; all_goals smt\n"
    r = statuses(tmp_path, src)["t"]
    if true:
        assert r.status == "proved", r.error
    else:
        assert r.status == "failed" and "counterexample" in r.error, r.error


def test_the_value_cannot_read_the_final_state(tmp_path):
    """Only the quantified variables (the arguments as passed) are in scope of the value: a local of the
    program, or ``ret``, is an unknown name there."""
    r = statuses(tmp_path, CALLS + textwrap.dedent("""
        theorem t : forall x : int, keep(x) = y := by vcgen; all_goals smt
        theorem u : forall x : int, keep(x) = ret := by vcgen; all_goals smt
        """))
    assert r["t"].status == "failed" and "unknown name 'y'" in r["t"].error
    assert r["u"].status == "failed" and "unknown name 'ret'" in r["u"].error


def test_arguments_that_are_not_variables_or_literals_are_refused(tmp_path):
    r = statuses(tmp_path, CALLS + textwrap.dedent("""
        theorem t : forall x : int, sub(x + 1, x) = 1 := by vcgen; all_goals smt
        theorem u : forall x : int, sub(x, -2) = x + 2 := by vcgen; all_goals smt
        program small(x : u32) -> int { return x; }
        theorem v : forall x : u32, small(-1) = 0 := by vcgen; all_goals smt
        """))
    assert r["t"].status == "failed" and "unsupported: an argument of a program call" in r["t"].error
    assert r["u"].status == "proved", r["u"].error
    assert r["v"].status == "failed" and "-1 is not a value of x : u32" in r["v"].error


def test_the_counterexample_names_the_quantified_variables(tmp_path):
    r = statuses(tmp_path, CALLS + "theorem t : forall y x : int, sub(y, x) = x - y := by vcgen; all_goals smt\n")
    err = r["t"].error
    assert "counterexample y = " in err and "sub(" in err, err
    import re
    m = re.search(r"counterexample y = (-?\d+), x = (-?\d+); sub\((-?\d+), (-?\d+)\) returns (-?\d+)", err)
    assert m, err
    y, x, a, b, v = map(int, m.groups())
    assert (a, b) == (y, x) and v == y - x and v != x - y


def test_a_program_variable_named_like_a_quantified_variable_is_not_confused_with_it(tmp_path):
    """The quantified x and the program's parameter x are different things: the program's x is the
    argument passed in position 1, whatever the quantified variable in that position is called."""
    r = statuses(tmp_path, textwrap.dedent("""\
        program two(a : int, x : int) -> int { x = x * 2; return a + x; }
        theorem t : forall x a : int, two(x, a) = x + 2 * a := by vcgen; all_goals smt
        theorem f : forall x a : int, two(x, a) = a + 2 * x := by vcgen; all_goals smt
        """))
    assert r["t"].status == "proved", r["t"].error
    assert r["f"].status == "failed"
