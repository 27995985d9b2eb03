"""Reconstruction: the kernel, not the tactic, is what makes an smt proof count.

Proofs built by ``tactics.smt.reconstruct`` are checked by the kernel; then each is tampered
with in every place one kind of tampering applies (a linarith coefficient, an inequality in a
premise, a witness term, a hypothesis name), and every tampered proof must be rejected with a
KernelError. Oracle steps are visible in the theorem's axioms, and ``smt`` never reports a false
statement as proved.
"""

from __future__ import annotations

import pytest
from kernel import Expr, Int, KernelError, P, Proof, TheoremDecl, Var, mk
from smtcorpus import goal_of, prelude_env
from tactics.smt import SmtCounterexample, SmtDontKnow, decide, reconstruct, smt_prove
from tactics.state import assemble

# Statements whose proofs reconstruct fully today, across the tableau's features: plain Farkas
# certificates, disequality splits, integer rounding (lin_round), div/mod by literals, abs/min/max/if
# splits, existential witnesses and quantifier instances.
RECONSTRUCTED = [
    "forall x y : int, x < y -> x + 1 <= y",
    "forall x y z : int, x < y and y < z -> x + 2 <= z",
    "forall x : int, 2 * x != 1",
    "forall x y : int, 6 * x + 9 * y != 1",
    "forall x : int, 0 < x and x < 2 -> x = 1",
    "forall x y : int, x != y -> x < y or y < x",
    "forall x : int, x % 2 = 0 or x % 2 = 1",
    "forall x : int, (2 * x + 1) / 2 = x",
    "forall x : int, -5 < x % -5 and x % -5 <= 0",
    "forall x y : int, abs(x + y) <= abs(x) + abs(y)",
    "forall x y : int, max(x, y) - min(x, y) = abs(x - y)",
    "forall x : int, (if x > 0 then x else -x) = abs(x)",
    "forall x : int, exists y : int, y > x",
    "forall x : int, x > 0 -> exists y : int, y >= 0 and x = y + 1",
    "forall x : int, (forall y : int, y <= x) -> false",
    "forall x : int, (exists y : int, x = 2 * y) -> x % 2 = 0",
]


def build(formula: str):
    """(environment, statement, kernel-checkable proof of it) from reconstruct."""
    env = prelude_env()
    stmt, state, goal = goal_of(formula, env)
    pf = reconstruct(env, goal)
    assert pf is not None, f"reconstruct found no proof of {formula}"
    return env, stmt, assemble(state.solve(goal, pf, []))


def check(env, stmt, proof):
    return env.copy().add(TheoremDecl("_tampered", stmt, proof))


# ---- generic tampering ---------------------------------------------------------------------------

def _nodes(proof):
    """Every Proof node, each with the path of argument indices leading to it."""
    stack = [(proof, ())]
    while stack:
        p, path = stack.pop()
        yield p, path
        for i, a in enumerate(p.args):
            if isinstance(a, Proof):
                stack.append((a, path + (i,)))
            elif isinstance(a, tuple):          # a linarith certificate: ((k, proof), ...)
                for j, item in enumerate(a):
                    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Proof):
                        stack.append((item[1], path + ((i, j),)))


def _replace(proof, path, new):
    if not path:
        return new
    step, rest = path[0], path[1:]
    args = list(proof.args)
    if isinstance(step, tuple):
        i, j = step
        cert = list(args[i])
        cert[j] = (cert[j][0], _replace(cert[j][1], rest, new))
        args[i] = tuple(cert)
    else:
        args[step] = _replace(args[step], rest, new)
    return Proof(proof.rule, tuple(args))


def variants(proof, mutate):
    """Proofs differing from ``proof`` in exactly one place, where ``mutate(node)`` proposes a change."""
    for node, path in list(_nodes(proof)):
        for new in (mutate(node, path) if getattr(mutate, "wants_path", False) else mutate(node)):
            yield _replace(proof, path, new)


def bump_coefficient(node):
    """k -> k + 1 for one premise of a certificate with at least two premises (scaling the only
    premise of a one-premise certificate keeps it a contradiction, so that is no tampering)."""
    if node.rule == "linarith" and len(node.args[0]) >= 2:
        cert = node.args[0]
        for j, (k, p) in enumerate(cert):
            yield P("linarith", cert[:j] + ((k + 1, p),) + cert[j + 1:])


def flip_inequality(node):
    """Swap the sides of a comparison that a rule takes as its premise or hypothesis formula."""
    if node.rule in ("by_contra", "not_intro", "imp_intro"):
        h, a, p = node.args
        flipped = _flip(a)
        if flipped is not None and flipped != a:
            yield P(node.rule, h, flipped, p)


def _flip(f: Expr):
    if f.op in ("lt", "le"):
        return mk(f.op, f.args[1], f.args[0])
    if f.op == "not" and f.args[0].op in ("lt", "le"):
        return mk("not", mk(f.args[0].op, f.args[0].args[1], f.args[0].args[0]))
    return None


def change_witness(node):
    """Replace an instance or witness term by a fresh variable (an arbitrary value: the proof
    relied on the particular term, so it must no longer check)."""
    w = Var("_arbitrary")
    if node.rule == "forall_elim":
        p, t = node.args
        yield P("forall_elim", p, w)
    if node.rule == "exists_intro":
        e, t, p = node.args
        yield P("exists_intro", e, w, p)


def swap_hypothesis(formulas: dict):
    """Use another hypothesis, with a different formula, or one that does not exist.

    A name may be bound in several scopes; a name that ever stands for the same formula as the
    original is not swapped in (that may be no change at all). Premises of a linarith certificate
    only get the nonexistent name: a different but still sufficient inequality (``0 <= x`` for
    ``0 < x``) can keep a certificate valid, which is no defect."""
    def mutate(node, path):
        if node.rule == "hyp":
            h = node.args[0]
            in_certificate = bool(path) and isinstance(path[-1], tuple)
            for other in sorted(formulas) if h in formulas and not in_certificate else ():
                if other != h and not formulas[other] & formulas[h]:
                    yield P("hyp", other)
            yield P("hyp", "_no_such_hypothesis")
    mutate.wants_path = True
    return mutate


def hyp_formulas(proof) -> dict:
    """name -> the set of formulas the binders of that name give it in the proof (a name may be
    bound in several scopes). Only binders that carry their formula are read (imp_intro,
    not_intro, by_contra); names bound by or_elim / exists_elim are left out, so they are only
    ever swapped for a name that does not exist."""
    seen: dict = {}
    for node, _ in _nodes(proof):
        if node.rule in ("imp_intro", "not_intro", "by_contra"):
            h, a, _p = node.args
            seen.setdefault(h, set()).add(mk("not", a) if node.rule == "by_contra" else a)
    return {h: frozenset(fs) for h, fs in seen.items()}


def _all_rejected(env, stmt, tampered) -> int:
    n = 0
    for q in tampered:
        n += 1
        with pytest.raises(KernelError):
            check(env, stmt, q)
    return n


# ---- the tests ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("formula", RECONSTRUCTED)
def test_reconstructed_proof_is_kernel_checked(formula):
    env, stmt, proof = build(formula)
    thm = check(env, stmt, proof)
    assert thm.statement == stmt
    assert not thm.axioms, f"{formula} rests on {set(thm.axioms)}"


@pytest.mark.parametrize("formula", RECONSTRUCTED)
def test_tampered_coefficients_rejected(formula):
    env, stmt, proof = build(formula)
    _all_rejected(env, stmt, variants(proof, bump_coefficient))


@pytest.mark.parametrize("formula", RECONSTRUCTED)
def test_flipped_inequalities_rejected(formula):
    env, stmt, proof = build(formula)
    _all_rejected(env, stmt, variants(proof, flip_inequality))


@pytest.mark.parametrize("formula", RECONSTRUCTED)
def test_swapped_hypotheses_rejected(formula):
    env, stmt, proof = build(formula)
    n = _all_rejected(env, stmt, variants(proof, swap_hypothesis(hyp_formulas(proof))))
    assert n > 0


@pytest.mark.parametrize("formula", [f for f in RECONSTRUCTED if "exists" in f or "(forall" in f])
def test_changed_witnesses_rejected(formula):
    env, stmt, proof = build(formula)
    _all_rejected(env, stmt, variants(proof, change_witness))


def test_tampering_covers_every_kind():
    """Across the set, each kind of tampering applies somewhere (the tests above are not vacuous)."""
    kinds = {"coefficient": 0, "inequality": 0, "witness": 0, "hypothesis": 0}
    for f in RECONSTRUCTED:
        env, _, proof = build(f)
        kinds["coefficient"] += sum(1 for _ in variants(proof, bump_coefficient))
        kinds["inequality"] += sum(1 for _ in variants(proof, flip_inequality))
        kinds["witness"] += sum(1 for _ in variants(proof, change_witness))
        kinds["hypothesis"] += sum(1 for _ in variants(proof, swap_hypothesis(hyp_formulas(proof))))
    assert kinds["witness"] >= 3 and all(n >= 5 for k, n in kinds.items() if k != "witness"), kinds


def test_hand_made_certificates():
    """The linarith rule itself: the right certificate passes, small changes to it do not."""
    env = prelude_env()
    x, y = Var("x"), Var("y")
    h1, h2 = mk("lt", x, y), mk("lt", y, x)          # x < y, y < x: 1*(x-y+1<=0) + 1*(y-x+1<=0) gives 2 <= 0
    stmt = mk("imp", h1, mk("not", h2))
    good = P("imp_intro", "a", h1, P("not_intro", "b", h2, P("linarith", ((1, P("hyp", "a")), (1, P("hyp", "b"))))))
    for v in ("x", "y"):
        stmt, good = _close(stmt, good, v)
    assert not check(env, stmt, good).axioms
    for bad_cert in (((2, P("hyp", "a")), (1, P("hyp", "b"))),      # does not cancel
                     ((1, P("hyp", "a")),),                          # a premise missing
                     ((-1, P("hyp", "a")), (-1, P("hyp", "b"))),    # negative coefficients
                     ((0, P("hyp", "a")), (1, P("hyp", "b"))),      # zero coefficient
                     ((1, P("hyp", "a")), (1, P("hyp", "a")))):     # the same premise twice
        bad = P("imp_intro", "a", h1, P("not_intro", "b", h2, P("linarith", bad_cert)))
        for v in ("x", "y"):
            _, bad = _close(mk("true"), bad, v)
        with pytest.raises(KernelError):
            check(env, stmt, bad)


def _close(stmt, proof, v):
    from kernel import Forall
    return Forall(v, stmt), P("forall_intro", v, proof)


def test_lin_round_cannot_round_the_wrong_way():
    """Integer rounding (the step rationals lack): 2x <= 1 gives x <= 0, never x <= -1."""
    env = prelude_env()
    x = Var("x")
    prem = mk("le", mk("mul", Int(2), x), Int(1))
    for concl, ok in ((mk("le", x, Int(0)), True), (mk("le", x, Int(-1)), False)):
        stmt = mk("imp", prem, concl)
        pf = P("forall_intro", "x", P("imp_intro", "h", prem, P("lin_round", P("hyp", "h"), 2, concl)))
        from kernel import Forall
        if ok:
            assert not check(env, Forall("x", stmt), pf).axioms
        else:
            with pytest.raises(KernelError):
                check(env, Forall("x", stmt), pf)


# ---- the oracle is visible, and false statements are never proved --------------------------------

def test_oracle_step_is_recorded():
    env = prelude_env()
    stmt, state, goal = goal_of("forall x : int, x * x >= 0", env)
    out = smt_prove(env, goal)
    thm = check(env, stmt, assemble(state.solve(goal, out.proof, [])))
    if out.reconstructed:
        assert not thm.axioms
    else:
        assert thm.axioms == frozenset({"smt_oracle"})
    with pytest.raises(KernelError):
        check(env, stmt, assemble(state.solve(goal, P("oracle", "z3_said_so", goal.target), [])))


FALSE_STATEMENTS = [
    "forall x : int, x < 2 -> x <= 0",
    "forall x y : int, x < y -> x + 2 <= y",
    "forall x : int, (-x) / 2 = -(x / 2)",
    "forall x y : int, x % y >= 0",
    "forall x : int, x / 2 <= x",
    "forall x y : int, abs(x + y) = abs(x) + abs(y)",
    "forall x : int, x * x > x",
    "forall x y : int, x * y = 0 -> x = 0",
    "forall x : int, exists y : int, 2 * y = x",
    "forall x y : int, x < y -> exists z : int, x < z and z < y",
    "forall x : int, even(x)",
    "forall a b : int, a | b -> a <= b",
]


@pytest.mark.parametrize("formula", FALSE_STATEMENTS)
def test_false_statement_never_proved_by_smt_functions(formula):
    env = prelude_env()
    stmt, state, goal = goal_of(formula, env)
    assert reconstruct(env, goal) is None
    with pytest.raises((SmtCounterexample, SmtDontKnow)):
        decide(env, goal, 2_000_000, 4_000)
    with pytest.raises((SmtCounterexample, SmtDontKnow)):
        smt_prove(env, goal, (), 2_000_000, 4_000)


def test_false_statements_in_a_file_are_not_proved(tmp_path):
    """``smt`` as a tactic in a .proof file: a false theorem is never 'proved' (nor oracle-admitted),
    whether its variables are binders (the goal is then open) or quantified in the statement."""
    import re

    from quod.loader import Loader
    lines = []
    for i, f in enumerate(FALSE_STATEMENTS):
        lines.append(f"theorem bad{i} : {f} := by\n  smt\n")
        m = re.fullmatch(r"forall ([a-z ]+) : int, (.*)", f)
        lines.append(f"theorem open{i} ({m.group(1)} : int) : {m.group(2)} := by\n  smt\n")
    lines.append("theorem good : forall x y : int, x < y -> x + 1 <= y := by\n  smt\n")
    path = tmp_path / "false_smt.proof"
    path.write_text("\n".join(lines), encoding="utf-8")
    mod = Loader().load(path)
    status = {r.name: r.status for r in mod.results}
    assert status["good"] == "proved", status
    for i, f in enumerate(FALSE_STATEMENTS):
        for name in (f"bad{i}", f"open{i}"):
            assert status[name] not in ("proved", "oracle"), (name, f, status[name])
            assert name not in mod.env.theorems()
    # with the variables as binders, the quantifier-free ones are refuted outright
    assert [status[f"open{i}"] for i in range(8)] == ["failed"] * 8, status


def test_universal_fact_instantiated_at_the_term_a_negated_atom_needs():
    """forall n, (n < 3 or q(n)) and not (k < 3) and not q(k): the instance at k closes the branch,
    however many other variables offer ground terms."""
    from kernel import Forall, Int, P, Var, mk
    from tactics.tableau import Tableau
    k = Var("k")
    vs = [Var(f"v{i}") for i in range(12)]
    n = Var("n")
    total = vs[0]
    for v in vs[1:]:
        total = mk("add", total, v)
    body = mk("or", mk("lt", n, Int(3)), mk("lt", mk("add", n, total), mk("mul", Int(2), vs[1])))
    fa = Forall("n", body)
    facts = [(fa, P("hyp", "h0")), (mk("not", mk("lt", k, Int(3))), P("hyp", "h1")),
             (mk("not", mk("lt", mk("add", k, total), mk("mul", Int(2), vs[1]))), P("hyp", "h2"))]
    facts += [(mk("le", v, Int(100)), P("hyp", f"g{i}")) for i, v in enumerate(vs)]
    tab = Tableau({"h0", "h1", "h2"} | {f"g{i}" for i in range(12)}, {"k", "n"} | {v.data for v in vs})
    assert tab.prove_false(facts) is not None
