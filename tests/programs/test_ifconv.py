"""If-conversion (programs/ifconv.py) keeps every run: the converted statement ends in the same state
and fails in the same places as the original, on every state tried; an if with a loop, a havoc or a
call in a branch is left alone. And a goto to a label whose statement fails is that failure."""

from __future__ import annotations

import itertools

import pytest

from kernel import Environment, Expr, Int, Var, mk
from kernel.expr import postorder

from programs.c_frontend import parse_c
from programs.ifconv import flatten_branches, paths
from programs.interp import AssertionFailed, Blocked, run


def _assign(x, e):
    return Expr("assign", (e,), x)


def _seq(*s):
    out = s[-1]
    for a in reversed(s[:-1]):
        out = Expr("seq", (a, out))
    return out


X, Y, Z = Var("x"), Var("y"), Var("z")
# the test reads x, which the then-branch changes; an assert and an assume in the branches; nested ifs
PROG = _seq(
    Expr("if", (mk("lt", X, Y), _seq(_assign("x", mk("add", X, Int(3))), _assign("z", mk("mul", X, Int(2)))),
                Expr("assert", (mk("not", mk("eq", Y, Int(4))),)))),
    Expr("if", (mk("eq", Z, Int(6)),
                Expr("if", (mk("le", Y, Int(0)), Expr("assume", (mk("lt", X, Int(5)),)), _assign("y", Int(7)))),
                Expr("skip"))),
    _assign("x", mk("add", X, Y)))


def _outcome(c, state):
    try:
        return dict(sorted((k, v) for k, v in run(Environment(), c, state, 1000).items() if not k.startswith("_")))
    except AssertionFailed:
        return "fails"
    except Blocked:
        return "blocked"


def test_converted_code_has_the_same_runs():
    names = iter(f"_b{k}" for k in itertools.count())
    flat, _ = flatten_branches(PROG, lambda meaning: next(names))
    assert not any(n.op == "if" for n in postorder(flat)) and paths(flat) == 1 and paths(PROG) == 6
    for x, y, z in itertools.product(range(-2, 8), range(-2, 6), (0, 6)):
        st = {"x": x, "y": y, "z": z}
        assert _outcome(PROG, st) == _outcome(flat, st), st


def test_branches_with_loops_or_havocs_are_left_alone():
    loop = Expr("while", (mk("lt", X, Int(3)), _assign("x", mk("add", X, Int(1)))))
    for branch in (loop, Expr("havoc", (), "x")):
        c = Expr("if", (mk("lt", X, Y), branch, Expr("skip")))
        assert flatten_branches(c, lambda m: "_b")[0] == c


def test_a_goto_to_a_failing_label_fails_there():
    src = ("void __VERIFIER_error(void);\nint main() {\n  int x = __VERIFIER_nondet_int();\n"
           "  while (x > 0) {\n    if (x == 5) goto ERROR;\n    x--;\n  }\n  return 0;\n"
           "ERROR: __VERIFIER_error();\n  return 1;\n}\n")
    prog = parse_c(src, "main", int_mode="math")
    assert not any(n.op == "assign" and n.data.startswith("__goto") for n in postorder(prog.body))
    assert run(Environment(), prog.body, {}, 1000, nondet=lambda _: 3)["ret"] == 0
    with pytest.raises(AssertionFailed):
        run(Environment(), prog.body, {}, 1000, nondet=lambda _: 9)


def test_a_converted_test_does_not_read_what_has_no_value_where_its_outer_guard_is_false():
    """``if (g) { s = ...; if (s) { s = ... } }``: the inner if's test variable was set outside the outer
    guard, so with g false the converted code read s, which has no value there (a local of a call that
    did not happen: SystemC-style programs of the corpus), and every run of the witness search failed."""
    S, G = Var("s"), Var("g")
    inner = Expr("if", (mk("not", mk("eq", S, Int(0))), _assign("s", mk("sub", S, Int(1))), Expr("skip")))
    body = _seq(_assign("s", Int(2)), inner, _assign("x", S))
    prog = Expr("if", (mk("not", mk("eq", G, Int(0))), body, Expr("skip")))
    names = iter(f"_b{k}" for k in itertools.count())
    flat, _ = flatten_branches(prog, lambda meaning: next(names))
    assert not any(n.op == "if" for n in postorder(flat))
    for g in (0, 1):
        st = {"g": g, "x": 5}              # no s: it has a value only once the outer branch runs
        assert _outcome(prog, st) == _outcome(flat, st), st
