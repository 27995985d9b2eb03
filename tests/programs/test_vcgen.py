"""vcgen: the proofs it builds for loops, checked by the kernel end to end."""

from __future__ import annotations

from kernel import Environment, Expr, Int, TheoremDecl, Var, mk

from analysis.termination import prove_with_specs
from programs.lang import conj, seq
from programs.vcgen import LoopSpec, Obligations, Prover

i, j, n, m = Var("i"), Var("j"), Var("n"), Var("m")


def assign(x, e):
    return Expr("assign", (e,), x)


def inc(x):
    return assign(x, mk("add", Var(x), Int(1)))


INNER = Expr("while", (mk("lt", j, m), inc("j")))
OUTER = Expr("while", (mk("lt", i, n), seq([assign("j", Int(0)), INNER, inc("i")])))
PROG = seq([assign("i", Int(0)), OUTER])


def _prove(specs):
    env = Environment()
    stmt = Expr("total", (Expr("true"), PROG, Expr("true")))
    v = prove_with_specs(env, stmt, specs, [])
    if v.answer != "yes":
        return v
    env.add(TheoremDecl("nested", stmt, v.proof))       # the kernel checks it
    return v


def test_outer_variant_reaches_past_the_inner_loop():
    """The inner loop's invariant says nothing about i or n; the outer variant n - i (and its snapshot)
    is carried through the inner loop by the frame, so the nested loops are proved to terminate."""
    specs = {OUTER: LoopSpec(Expr("true"), mk("sub", n, i)),
             INNER: LoopSpec(Expr("true"), mk("sub", m, j))}
    assert _prove(specs).answer == "yes"


def test_frame_leaves_out_what_the_loop_changes():
    """The frame holds only facts about variables the loop never assigns: an inner loop that assigns i
    does not carry the outer variant n - i, so there is no proof (not a wrong one)."""
    bad_inner = Expr("while", (mk("lt", j, m), seq([inc("j"), assign("i", Int(0))])))
    bad_outer = Expr("while", (mk("lt", i, n), seq([assign("j", Int(0)), bad_inner, inc("i")])))
    ob = Obligations()
    Prover("total", {bad_outer: LoopSpec(Expr("true"), mk("sub", n, i)),
                     bad_inner: LoopSpec(Expr("true"), mk("sub", m, j))}, ob).triple(
        Expr("true"), seq([assign("i", Int(0)), bad_outer]), Expr("true"))
    # the program runs forever when m > 0, so some condition must stay unproved
    from analysis.termination import discharge
    assert any(discharge(Environment(), g.target)[0] is None for g, _ in ob.goals)


def test_frame_uses_only_conjuncts_free_of_assigned_variables():
    ob = Obligations()
    q = conj([mk("lt", mk("sub", n, mk("add", i, Int(1))), Var("_v9")), mk("le", Int(0), j)])
    pre, _ = Prover("hoare", {INNER: LoopSpec(Expr("true"))}, ob).wp(INNER, q)
    assert pre == mk("and", Expr("true"), mk("lt", mk("sub", n, mk("add", i, Int(1))), Var("_v9")))


def test_lexicographic_variant():
    """while (0 < x) { if (0 < y) y = y - 1 else { x = x - 1; y = 100 } }: 101 * x + y is no variant
    (y may start below 0), but (x, y) decreases lexicographically, each component from a value >= 0
    when it drops."""
    x, y = Var("x"), Var("y")
    body = Expr("if", (mk("lt", Int(0), y), assign("y", mk("sub", y, Int(1))),
                       seq([assign("x", mk("sub", x, Int(1))), assign("y", Int(100))])))
    w = Expr("while", (mk("lt", Int(0), x), body))
    stmt = Expr("total", (Expr("true"), w, Expr("true")))
    env = Environment()
    v = prove_with_specs(env, stmt, {w: LoopSpec(Expr("true"), (x, y))}, [])
    assert v.answer == "yes"
    env.add(TheoremDecl("lex", stmt, v.proof))
    # the wrong order (y, x) is not a ranking: y rises to 100 when x drops
    assert prove_with_specs(Environment(), stmt, {w: LoopSpec(Expr("true"), (y, x))}, []).answer != "yes"
