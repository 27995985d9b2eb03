"""Procedures in the program logic (kernel/hoare.py): calls, contracts by the recursive-procedure rule
(hoare_rec, total_rec), calls through contracts (hoare_call, total_call), divergence by an infinite
call chain (diverges_rec, diverges_call). Each rule is accepted on real programs and rejected on near
misses: a measure that does not decrease at one call, a contract assumed but not proved, mutual
recursion through a procedure left out of the group."""

from __future__ import annotations

import pytest
from kutil import TRUE, Int, P, Var, add, and_, div, eq, ite, le, lt, mul, neg, not_, sub

from kernel import Environment, Expr, KernelError, ScopeError, TheoremDecl, check_proof
from kernel.env import Procedure, ProcGroup
from kernel.hoare import diverges_rec_obligations, rec_obligations
from kernel.check import Checker

n, r, f, lo, hi, mid = (Var(v) for v in ("n", "r", "f", "lo", "hi", "mid"))


def call(x, p, *es):
    return Expr("call", tuple(Int(e) if isinstance(e, int) else e for e in es), (x, p))


def assign(x, e):
    return Expr("assign", (e,), x)


def seq(*ss):
    out = ss[-1]
    for s in reversed(ss[:-1]):
        out = Expr("seq", (s, out))
    return out


def if_(b, c1, c2):
    return Expr("if", (b, c1, c2))


def ge(a, b):
    return le(b, a)


# fact(n) = if n <= 0 then 1 else n * fact(n - 1); sum(n) likewise with +
FACT = Procedure("fact", ("n",), "r", if_(le(n, 0), assign("r", Int(1)),
                                           seq(call("f", "fact", sub(n, 1)), assign("r", mul(n, f)))))
SUM = Procedure("sum", ("n",), "r", if_(le(n, 0), assign("r", Int(0)),
                                         seq(call("f", "sum", sub(n, 1)), assign("r", add(n, f)))))
# a call that does not lower the measure: bad(n) calls bad(n - 1) and then bad(n)
BAD = Procedure("bad", ("n",), "r", if_(le(n, 0), assign("r", Int(0)),
                                         seq(call("f", "bad", sub(n, 1)), call("r", "bad", n))))
# mutual recursion: ev(n) = 1 iff n is even (n >= 0)
EV = Procedure("ev", ("n",), "r", if_(eq(n, 0), assign("r", Int(1)), call("r", "od", sub(n, 1))))
OD = Procedure("od", ("n",), "r", if_(eq(n, 0), assign("r", Int(0)), call("r", "ev", sub(n, 1))))
# C's binary search step: mid = (lo + hi) / 2 truncating, so bs(-2, -1) calls bs(-2, -1)
TRUNC = ite(ge(add(lo, hi), 0), div(add(lo, hi), 2), neg(div(neg(add(lo, hi)), 2)))
BS = Procedure("bs", ("lo", "hi"), "r", if_(ge(lo, hi), assign("r", lo),
                                             seq(assign("mid", TRUNC), call("r", "bs", lo, mid))))


def env_with(*groups):
    env = Environment()
    for g in groups:
        env.add(ProcGroup(tuple(g)))
    return env


def prove(env, kind, pre, c, post, contracts=()):
    """A kernel proof of {pre} c {post} (or [..]) by vcgen, its conditions proved without oracles."""
    from tactics.state import fill_holes
    from analysis.termination import discharge
    from programs.vcgen import Obligations, Prover
    ob = Obligations()
    proof = Prover(kind, {}, ob, {k.name: k for k in contracts}).triple(pre, c, post)
    filled = {}
    for g, why in ob.goals:
        p, oracle = discharge(env, g.target)
        assert p is not None and not oracle, (why, g.target)
        filled[g.id] = p
    return fill_holes(proof, filled)


def obligations(env, kind, specs):
    return rec_obligations(Checker(env), kind, specs)


def rec_proof(env, kind, specs, contracts=()):
    obs, _ = obligations(env, kind, specs)
    return P(kind + "_rec", specs, tuple(prove(env, kind, *ob.args, contracts) for ob in obs))


def contract(kind, proc, pre, post, proof):
    from programs.vcgen import Contract
    return Contract(proc.name, proc.params, proc.result, pre, post, kind, proof)


def test_a_call_is_a_statement_that_writes_its_target():
    c = call("x", "fact", add(Var("y"), 1))
    assert c.fv == {"x", "y"} and str(c) == "x = fact(y + 1);"
    with pytest.raises(KernelError):
        Expr("call", (), "fact")


def test_procedures_are_admitted_only_well_formed():
    env = env_with([FACT])
    assert env.procedure("fact", "t") is FACT
    with pytest.raises(ScopeError):                        # a name taken
        env.add(ProcGroup((FACT,)))
    with pytest.raises(KernelError, match="not a procedure"):   # a call of an unknown procedure
        Environment().add(ProcGroup((OD,)))
    with pytest.raises(KernelError, match="not a procedure"):   # the wrong number of arguments
        Environment().add(ProcGroup((Procedure("g", ("n",), "r", call("r", "g", n, n)),)))
    with pytest.raises(KernelError, match="assume"):
        Environment().add(ProcGroup((Procedure("g", (), "r", Expr("assume", (TRUE,))),)))
    with pytest.raises(KernelError, match="result"):
        Environment().add(ProcGroup((Procedure("g", ("r",), "r", Expr("skip")),)))
    env_with([EV, OD])                                    # mutual recursion, declared together


def test_total_rec_proves_a_recursive_contract_and_total_call_uses_it():
    env = env_with([SUM])
    pre, post = ge(n, 0), ge(Var("r"), n)
    specs = (("sum", pre, post, (n,)),)
    proof = rec_proof(env, "total", specs)
    got = check_proof(env, proof)[0]
    assert got == Expr("total", (pre, call("r", "sum", n), post))
    # the contract at a call: [true] x = sum(5) [x >= 5]
    k = contract("total", SUM, pre, post, proof)
    main = call("x", "sum", 5)
    t = check_proof(env, prove(env, "total", TRUE, main, ge(Var("x"), 5), [k]))[0]
    assert t == Expr("total", (TRUE, main, ge(Var("x"), 5)))
    env.add(TheoremDecl("sum_ok", t, prove(env, "total", TRUE, main, ge(Var("x"), 5), [k])))


def test_total_rec_obligation_reads_the_call_through_the_contract_and_the_measure():
    env = env_with([FACT])
    (ob,), contracts = obligations(env, "total", (("fact", ge(n, 0), ge(Var("r"), 1), (n,)),))
    text = str(ob)
    assert "n = z" in text and "n - 1 < z" in text and "assume(1 <= t)" in text and "fact(" not in text


def test_a_measure_that_does_not_decrease_at_one_call():
    env = env_with([BAD])
    specs = (("bad", TRUE, TRUE, (n,)),)
    (ob,), _ = obligations(env, "total", specs)
    from analysis.termination import discharge
    from programs.vcgen import Obligations, Prover
    obl = Obligations()
    Prover("total", {}, obl).triple(*ob.args)
    assert any(discharge(env, g.target)[0] is None for g, _ in obl.goals)    # bad(n) from bad(n): no
    # the same body is fine for partial correctness
    proof = rec_proof(env, "hoare", (("bad", TRUE, TRUE, ()),))
    assert check_proof(env, proof)[0].op == "hoare"
    # and a proof of the partial obligation is not one of the total one
    with pytest.raises(KernelError, match="obligation"):
        check_proof(env, P("total_rec", specs, proof.args[1]))


def test_partial_contract_of_a_procedure_that_never_returns():
    # loop(n) calls loop(n): {true} r = loop(n) {false} (it never returns), but no total contract
    env = env_with([Procedure("loop", ("n",), "r", call("r", "loop", n))])
    proof = rec_proof(env, "hoare", (("loop", TRUE, Expr("false"), ()),))
    assert check_proof(env, proof)[0] == Expr("hoare", (TRUE, call("r", "loop", n), Expr("false")))
    (ob,), _ = obligations(env, "total", (("loop", TRUE, Expr("false"), (n,)),))
    assert "n < z" in str(ob)          # the call must lower n below itself: unprovable


def test_mutual_recursion_is_proved_for_the_group_at_once():
    env = env_with([EV, OD])
    post = and_(le(0, Var("r")), le(Var("r"), 1))
    specs = (("ev", ge(n, 0), post, (n,)), ("od", ge(n, 0), post, (n,)))
    got = check_proof(env, rec_proof(env, "total", specs))[0]
    assert got == and_(Expr("total", (ge(n, 0), call("r", "ev", n), post)),
                       Expr("total", (ge(n, 0), call("r", "od", n), post)))


def test_mutual_recursion_through_a_procedure_left_out_of_the_group():
    env = env_with([EV, OD])
    post = and_(le(0, Var("r")), le(Var("r"), 1))
    both = (("ev", ge(n, 0), post, (n,)), ("od", ge(n, 0), post, (n,)))
    full = rec_proof(env, "total", both)
    # ev alone: its call of od is a real call, which needs od's contract; the group's proof is not one
    with pytest.raises(KernelError, match="obligation"):
        check_proof(env, P("total_rec", both[:1], full.args[1][:1]))
    (ob,), _ = obligations(env, "total", both[:1])
    assert "od(" in str(ob)
    from programs.vcgen import MissingContract
    with pytest.raises(MissingContract):
        prove(env, "total", *ob.args)


def test_a_contract_assumed_but_not_proved():
    env = env_with([SUM])
    pre, post = ge(n, 0), ge(Var("r"), n)
    assumed = Expr("total", (pre, call("r", "sum", n), post))
    # a call proved from a hypothesis gives only an implication, never the judgment itself
    p = P("total_call", "x", (Int(3),), ge(Var("x"), 3), P("hyp", "h"))
    got = check_proof(env, P("imp_intro", "h", assumed, p))[0]
    assert got.op == "imp" and got.args[0] == assumed
    with pytest.raises(KernelError, match="no hypothesis"):
        check_proof(env, p)
    # a sorry'd contract is recorded as resting on sorry
    _, axioms = check_proof(env, P("total_call", "x", (Int(3),), ge(Var("x"), 3), P("oracle", "sorry", assumed)))
    assert axioms == {"sorry"}


def test_call_rule_near_misses():
    env = env_with([SUM])
    pre, post = ge(n, 0), ge(Var("r"), n)
    proof = rec_proof(env, "total", (("sum", pre, post, (n,)),))
    ok = P("total_call", "x", (Int(3),), TRUE, proof)
    assert check_proof(env, ok)[0].op == "total"
    with pytest.raises(KernelError, match="arguments"):
        check_proof(env, P("total_call", "x", (Int(3), Int(4)), TRUE, proof))
    with pytest.raises(KernelError, match="judgment"):       # a partial contract is no total one
        check_proof(env, P("total_call", "x", (Int(3),), TRUE, P("total_to_hoare", proof)))
    # a contract must be about r = sum(n) exactly, and speak only of n and r
    other = Expr("total", (TRUE, call("r", "sum", Var("m")), TRUE))
    with pytest.raises(KernelError, match="premise must be about"):
        check_proof(env, P("total_call", "x", (Int(3),), TRUE, P("oracle", "sorry", other)))
    ghost = Expr("total", (eq(Var("g"), 1), call("r", "sum", n), TRUE))
    with pytest.raises(KernelError, match="speaks only"):
        check_proof(env, P("total_call", "x", (Int(3),), TRUE, P("oracle", "sorry", ghost)))
    with pytest.raises(KernelError, match="speaks only"):      # a measure over a non-parameter
        obligations(env, "total", (("sum", pre, post, (Var("k"),)),))
    with pytest.raises(KernelError, match="measure"):          # total needs a measure
        obligations(env, "total", (("sum", pre, post, ()),))
    with pytest.raises(ScopeError):
        obligations(env, "total", (("nosuch", pre, post, (n,)),))


def test_the_target_may_be_an_argument():
    # x = sum(x): the argument is read before the call, the target written after
    env = env_with([SUM])
    pre, post = ge(n, 0), ge(Var("r"), n)
    k = contract("total", SUM, pre, post, rec_proof(env, "total", (("sum", pre, post, (n,)),)))
    x = Var("x")
    c = seq(assign("x", Int(4)), call("x", "sum", x))
    assert check_proof(env, prove(env, "total", TRUE, c, ge(x, 4), [k]))[0].op == "total"
    from analysis.termination import discharge
    from programs.vcgen import Obligations, Prover
    ob = Obligations()
    Prover("total", {}, ob, {"sum": k}).triple(TRUE, c, ge(x, 5))      # false: sum(4) may be 4
    assert any(discharge(env, g.target)[0] is None for g, _ in ob.goals)


def diverges_loop_proof(s):
    """diverges while (true) skip from s."""
    return P("diverges_while", TRUE, Expr("skip"), _closure_true(s), P("hoare_skip", s))


def _closure_true(s):
    from kernel.hoare import closure
    proof = P("imp_intro", "h", s, P("true_intro"))
    f = closure(Expr("imp", (s, TRUE)))
    xs = []
    while f.op == "forall":
        xs.append(f.data)
        f = f.args[0]
    for v in reversed(xs):
        proof = P("forall_intro", v, proof)
    return proof


def test_diverges_rec_binary_search_calls_itself_with_the_same_arguments():
    env = env_with([BS])
    R = and_(eq(hi, add(lo, 1)), le(hi, -1))
    (ob,), calls = diverges_rec_obligations(Checker(env), (("bs", R),))
    assert calls == Expr("diverges", (R, call("r", "bs", lo, hi)))
    # body' = if (lo >= hi) r = lo else { mid = trunc; if (R[lo, mid]) loop else r = bs(lo, mid) }
    body = ob.args[1]
    els = body.args[2]
    set_mid, branch = els.args
    rmid = branch.args[0]
    after = and_(R, rmid)
    from analysis.termination import discharge
    t = prove(env, "hoare", R, set_mid, after)
    inner = P("diverges_if_then", rmid, branch.args[2], _cl(env, after, rmid), diverges_loop_proof(after))
    p_else = P("diverges_seq", set_mid, t, inner)
    proof = P("diverges_if_else", ge(lo, hi), body.args[1], _cl(env, R, not_(ge(lo, hi))), p_else)
    assert check_proof(env, proof)[0] == ob
    got = check_proof(env, P("diverges_rec", (("bs", R),), (proof,)))[0]
    assert got == calls
    # and so a caller: diverges x = bs(-2, -1) from true
    main = check_proof(env, P("diverges_call", "x", (Int(-2), Int(-1)), P("diverges_rec", (("bs", R),), (proof,))))[0]
    assert main.args[1] == call("x", "bs", -2, -1)
    assert discharge(env, Expr("imp", (TRUE, main.args[0])))[0] is not None
    # near miss: a set the call leaves (floor division would give mid = -2, and bs(-2, -2) returns)
    R2 = and_(eq(hi, add(lo, 1)), le(hi, 5))
    (ob2,), _ = diverges_rec_obligations(Checker(env), (("bs", R2),))
    with pytest.raises(KernelError, match="obligation"):
        check_proof(env, P("diverges_rec", (("bs", R2),), (proof,)))
    assert discharge(env, Expr("imp", (R2, Expr("not", (ge(lo, hi),)))))[0] is not None
    assert prove_fails(env, R2, set_mid, and_(R2, ob2.args[1].args[2].args[1].args[0]))


def prove_fails(env, pre, c, post):
    from analysis.termination import discharge
    from programs.vcgen import Obligations, Prover
    ob = Obligations()
    Prover("hoare", {}, ob).triple(pre, c, post)
    return any(discharge(env, g.target)[0] is None for g, _ in ob.goals)


def _cl(env, p, q):
    from analysis.termination import discharge
    from kernel.hoare import closure
    proof, oracle = discharge(env, closure(Expr("imp", (p, q))))
    assert proof is not None and not oracle
    return proof


def test_exported_procedures_are_rechecked():
    from kernel import dumps, export_theorem, loads
    env = env_with([SUM])
    pre, post = ge(n, 0), ge(Var("r"), n)
    proof = rec_proof(env, "total", (("sum", pre, post, (n,)),))
    env.add(TheoremDecl("sum_contract", check_proof(env, proof)[0], proof))
    text = export_theorem(env, "sum_contract")
    fresh = Environment()
    for d in loads(text):
        fresh.add(d)
    assert fresh.theorem("sum_contract").statement.args[1] == call("r", "sum", n)
    assert dumps  # the format is the same one


def test_diverges_if_both_branches():
    s = Var("s")
    loop = Expr("while", (TRUE, Expr("skip")))
    d1 = diverges_loop_proof(eq(s, 1))
    d2 = diverges_loop_proof(eq(s, 2))
    got = check_proof(Environment(), P("diverges_if_both", lt(s, 2), d1, d2))[0]
    want_pre = Expr("or", (and_(lt(s, 2), eq(s, 1)), and_(not_(lt(s, 2)), eq(s, 2))))
    assert got == Expr("diverges", (want_pre, if_(lt(s, 2), loop, loop)))
    with pytest.raises(KernelError, match="judgment"):          # a partial-correctness premise is not one
        check_proof(Environment(), P("diverges_if_both", lt(s, 2), d1, P("hoare_skip", TRUE)))
