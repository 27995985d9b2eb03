"""lang.inline: a call as a statement of the caller, the callee's variables renamed apart."""

from __future__ import annotations

from kernel import Environment, Expr, Int, Var, mk

from programs.interp import run
from programs.lang import RET, Loop, Names, Program, inline, program_vars, rename, seq

x, y, r = Var("x"), Var("y"), Var(RET)


def _callee():
    # int sum_to(int x) { int y = 0; while (x > 0) { y = y + x; x = x - 1; } return y; }
    w = Expr("while", (mk("lt", Int(0), x), seq([Expr("assign", (mk("add", y, x),), "y"),
                                                  Expr("assign", (mk("sub", x, Int(1)),), "x")])))
    body = seq([Expr("assign", (Int(0),), "y"), w, Expr("assign", (y,), RET)])
    return Program("sum_to", [("x", "int")], "int", body, "python", {"y": "int"},
                   [Loop(w, mk("le", Int(0), y), x, 3)])


def test_rename_reaches_assignment_targets_and_annotations():
    c = _callee()
    renamed = rename(c.body, {"x": "k_x", "y": "k_y"})
    assert program_vars(renamed) == {"k_x", "k_y", RET}
    assert rename(mk("le", Int(0), y), {"y": "k_y"}) == mk("le", Int(0), Var("k_y"))


def test_inlined_call_computes_the_callee_and_leaves_the_caller_alone():
    c = _callee()
    # caller: y = 7; x = 4; r = sum_to(x + 1) + y   (its x and y must survive the call)
    names = Names("x y ret __sum_to_x")          # the caller's source mentions __sum_to_x itself
    stmt, res, loops, renamed = inline(c, [mk("add", x, Int(1))], names)
    assert renamed["x"] == "__sum_to_x1" and renamed["y"] == "__sum_to_y"
    caller = seq([Expr("assign", (Int(7),), "y"), Expr("assign", (Int(4),), "x"), stmt,
                  Expr("assign", (mk("add", res, y),), RET)])
    out = run(Environment(), caller, {})
    assert (out["x"], out["y"], out[RET]) == (4, 7, 15 + 7)
    assert not (program_vars(stmt) & {"x", "y", RET}) - {"x"}     # only the argument reads the caller's x
    from analysis.termination import loops_of
    assert [lp.node for lp in loops] == loops_of(stmt)
    assert loops[0].invariant == mk("le", Int(0), Var("__sum_to_y")) and loops[0].decreasing == Var("__sum_to_x1")
    # a second call gets other names
    _, _, _, again = inline(c, [x], names)
    assert not set(again.values()) & set(renamed.values())


def test_wrong_argument_count_is_an_error():
    import pytest

    from programs.lang import ProgramError
    with pytest.raises(ProgramError, match="takes 1 arguments, got 2"):
        inline(_callee(), [x, y], Names())
