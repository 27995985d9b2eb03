"""can_diverge_rec (kernel/hoare.py): a recursive program whose nondeterministic choices, fixed, make it
call itself forever *can* run forever. Accepted on C's binary search that may call itself on the same
interval; rejected on near misses: a choice that is not a havoc of the body, a fixed body that does not
diverge, a claim of ``diverges`` instead of ``can_diverge``, mutual recursion through a second
procedure left out of the group."""

from __future__ import annotations

import pytest
from kutil import TRUE, Int, P, Var, add, and_, div, eq, ite, le, neg, not_

from kernel import Environment, Expr, KernelError, TheoremDecl, check_proof
from kernel.check import Checker
from kernel.env import Procedure, ProcGroup
from kernel.hoare import can_diverge_rec_obligations

from analysis.divergence import chosen_recursion_proof

lo, hi, mid, c, n = (Var(v) for v in ("lo", "hi", "mid", "c", "n"))


def call(x, p, *es):
    return Expr("call", tuple(Int(e) if isinstance(e, int) else e for e in es), (x, p))


def seq(*ss):
    out = ss[-1]
    for s in reversed(ss[:-1]):
        out = Expr("seq", (s, out))
    return out


def if_(b, c1, c2):
    return Expr("if", (b, c1, c2))


def havoc(x):
    return Expr("havoc", (), x)


def assign(x, e):
    return Expr("assign", (e,), x)


# bs(lo, hi): if (lo >= hi) return lo; mid = (lo + hi) / 2 (C truncates); if (nondet) bs(lo, mid) else
# bs(mid + 1, hi). bs(-2, -1) calls bs(-2, -1) when the choice is c = 1, and returns when it is c = 0.
TRUNC = ite(le(0, add(lo, hi)), div(add(lo, hi), 2), neg(div(neg(add(lo, hi)), 2)))
BS = Procedure("bs", ("lo", "hi"), "r", if_(le(hi, lo), assign("r", lo), seq(
    assign("mid", TRUNC), havoc("c"),
    if_(not_(eq(c, 0)), call("r", "bs", lo, mid), call("r", "bs", add(mid, 1), hi)))))
MAIN = seq(havoc("x"), havoc("y"), call("z", "bs", Var("x"), Var("y")))
R = and_(eq(hi, add(lo, 1)), le(hi, -1))
# p(n) calls q(n); q(n) chooses: call p(n) again, or return
PM = Procedure("p", ("n",), "r", call("r", "q", n))
QM = Procedure("q", ("n",), "r", seq(havoc("c"), if_(eq(c, 0), assign("r", n), call("r", "p", n))))


def env_with(*groups):
    env = Environment()
    for g in groups:
        env.add(ProcGroup(tuple(g)))
    return env


def test_binary_search_can_run_forever_from_a_chosen_call():
    env = env_with([BS])
    specs = (("bs", R, (("c", 1),)),)
    proof = chosen_recursion_proof(env, specs, MAIN, {"x": -2, "y": -1}, TRUE)
    assert proof is not None
    got = check_proof(env, proof)[0]
    assert got == Expr("can_diverge", (TRUE, MAIN))
    env.add(TheoremDecl("bs_can_diverge", got, proof))
    # the obligation is about the body with c = 1 and the call from R made a loop
    top, (ob,) = can_diverge_rec_obligations(Checker(env), tuple((p, r, tuple((x, Int(v)) for x, v in ch))
                                                                 for p, r, ch in specs), MAIN,
                                             (("x", Int(-2)), ("y", Int(-1))))
    assert ob.args[0] == R and "c = 1" in str(ob.args[1]) and "havoc" not in str(ob.args[1])
    # the exported proof is re-checked by a fresh kernel
    from kernel import export_theorem, loads
    fresh = Environment()
    for d in loads(export_theorem(env, "bs_can_diverge")):
        fresh.add(d)
    assert fresh.theorem("bs_can_diverge").statement == got


def test_a_choice_must_be_a_havoc_of_its_body():
    env = env_with([BS])
    good = chosen_recursion_proof(env, (("bs", R, (("c", 1),)),), MAIN, {"x": -2, "y": -1}, TRUE)
    # mid is assigned, not drawn: choosing it is refused (it would pretend mid = -1 is a way bs runs)
    bad_specs = (("bs", R, (("c", Int(1)), ("mid", Int(-1)))),)
    with pytest.raises(KernelError, match="not a havoc"):
        check_proof(env, P("can_diverge_rec", bad_specs, MAIN, (("x", Int(-2)), ("y", Int(-1))), good.args[3]))
    with pytest.raises(KernelError, match="not a havoc"):
        check_proof(env, P("can_diverge_rec", good.args[0], MAIN, (("w", Int(0)),), good.args[3]))
    with pytest.raises(KernelError, match="chosen once"):
        check_proof(env, P("can_diverge_rec", (("bs", R, (("c", Int(1)), ("c", Int(2)))),), MAIN,
                           good.args[2], good.args[3]))


def test_a_fixed_body_that_does_not_diverge():
    env = env_with([BS])
    # c = 0 takes bs(mid + 1, hi) = bs(-1, -1), which returns: no proof is found, and the c = 1
    # proof does not fit the c = 0 obligation
    assert chosen_recursion_proof(env, (("bs", R, (("c", 0),)),), MAIN, {"x": -2, "y": -1}, TRUE) is None
    good = chosen_recursion_proof(env, (("bs", R, (("c", 1),)),), MAIN, {"x": -2, "y": -1}, TRUE)
    with pytest.raises(KernelError, match="obligation"):
        check_proof(env, P("can_diverge_rec", (("bs", R, (("c", Int(0)),)),), MAIN, good.args[2], good.args[3]))
    # a first call outside the recurrent set: bs(-3, -1) is the original bs, which may return
    assert chosen_recursion_proof(env, (("bs", R, (("c", 1),)),), MAIN, {"x": -3, "y": -1}, TRUE) is None
    with pytest.raises(KernelError, match="premise"):
        check_proof(env, P("can_diverge_rec", good.args[0], MAIN, (("x", Int(-3)), ("y", Int(-1))), good.args[3]))


def test_the_conclusion_is_can_diverge_not_diverges():
    env = env_with([BS])
    good = chosen_recursion_proof(env, (("bs", R, (("c", 1),)),), MAIN, {"x": -2, "y": -1}, TRUE)
    assert check_proof(env, good)[0].op == "can_diverge"
    # some run goes on forever, not every run: no rule that wants `diverges` takes it
    with pytest.raises(KernelError):
        check_proof(env, P("diverges_conseq", P("true_intro"), good, TRUE))
    with pytest.raises(KernelError):
        check_proof(env, P("diverges_prefix", good, Expr("skip")))
    with pytest.raises(KernelError):
        check_proof(env, P("diverges_choose", MAIN, (("x", -2),), good))
    with pytest.raises(KernelError):
        env.add(TheoremDecl("wrong", Expr("diverges", (TRUE, MAIN)), good))


def test_mutual_recursion_through_a_second_procedure():
    env = env_with([PM, QM])
    top = call("z", "p", Int(5))
    both = (("p", TRUE, ()), ("q", TRUE, (("c", 1),)))
    proof = chosen_recursion_proof(env, both, top, {}, TRUE)
    assert proof is not None and check_proof(env, proof)[0] == Expr("can_diverge", (TRUE, top))
    # q left out of the group: p's call of q is q itself, which may return, so p's body does not diverge
    assert chosen_recursion_proof(env, (("p", TRUE, ()),), top, {}, TRUE) is None
    with pytest.raises(KernelError, match="one proof"):
        check_proof(env, P("can_diverge_rec", (("p", TRUE, ()),), top, (), proof.args[3]))
    with pytest.raises(KernelError, match="obligation"):
        check_proof(env, P("can_diverge_rec", (("p", TRUE, ()),), top, (), proof.args[3][:2]))
    # the choice c = 0 in q returns
    assert chosen_recursion_proof(env, (("p", TRUE, ()), ("q", TRUE, (("c", 0),))), top, {}, TRUE) is None
