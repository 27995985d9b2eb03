"""Tactics for program judgments: vcgen, termination, recurrent, invariant.

They build the kernel's program-logic proof terms (``programs/vcgen.py``,
``programs/analysis.py``) and leave the verification conditions as one goal
(their conjunction), or prove them at once where the tactic says it does.
"""

from __future__ import annotations

from kernel import P, mk, show

from .state import Goal, hole
from .syntax import SExpr


def _program_for(eng, body):
    for prog in getattr(eng, "programs", {}).values():
        if prog.body == body:
            return prog
    return None


def _conjunction_goal(goal: Goal, ob, proof):
    """Replace the obligations' holes by projections of one goal: their conjunction."""
    from programs.analysis import _fill_holes
    if not ob.goals:
        return [], proof
    formulas = [g.target for g, _ in ob.goals]
    conj = formulas[-1]
    for f in reversed(formulas[:-1]):
        conj = mk("and", f, conj)
    new = Goal(goal.hyps, conj, goal.vars)
    filled = {}
    p = hole(new.id)
    for i, (g, _) in enumerate(ob.goals):
        filled[g.id] = p if i == len(ob.goals) - 1 else P("and_left", p)
        p = P("and_right", p)
    return [new], _fill_holes(proof, filled)


def _specs(eng, goal, tac, total: bool, variant=None):
    from programs.analysis import Z3, find_specs
    from programs.lang import Program
    from programs.vcgen import LoopSpec
    t = goal.target
    pre, body = t.args[0], t.args[1]
    prog = _program_for(eng, body) or Program("?", [], None, body, "quod")
    given = {lp.node: LoopSpec(lp.invariant, lp.decreasing) for lp in prog.loops
             if lp.invariant is not None and (lp.decreasing is not None or not total)}
    given.update(getattr(eng, "loop_invariants", {}))
    from programs.analysis import loops_of
    if all(w in given for w in loops_of(body)) and variant is None:
        return given, []
    notes: list = []
    # with a given variant, only the invariants are searched
    specs = find_specs(eng.env, prog, pre, total and variant is None, Z3(eng.env), notes)
    if specs is None:
        from .engine import DontKnow
        from .state import show_goal
        raise DontKnow(tac.pos, (notes[-1] if notes else "no invariant found") +
                       "; annotate the loop or use `termination with decreasing e`", show_goal(goal))
    specs.update(given)
    if variant is not None:
        loops = loops_of(body)
        if loops:
            specs[loops[0]].variant = variant
    return specs, notes


def t_vcgen(eng, goal: Goal, tac):
    from programs.vcgen import MissingAnnotation, Obligations, Prover
    t = goal.target
    if t.op not in ("hoare", "total"):
        eng.fail(tac, goal, "vcgen works on {P} prog {Q} and [P] prog [Q] (and facts about program results)")
    specs, _ = _specs(eng, goal, tac, t.op == "total")
    ob = Obligations()
    try:
        proof = Prover(t.op, specs, ob).triple(*t.args)
    except MissingAnnotation as exc:
        eng.fail(tac, goal, str(exc))
    return _conjunction_goal(goal, ob, proof)


def t_termination(eng, goal: Goal, tac):
    from programs.analysis import prove_with_specs
    t = goal.target
    if t.op != "total":
        eng.fail(tac, goal, "termination proves `terminates prog` (a total-correctness judgment)")
    variant = None
    given = [a for a in tac.args if isinstance(a, SExpr)]
    if given:                 # `with decreasing e` or, lexicographically, `with decreasing e1, e2, ...`
        from programs.lang import RET
        from .elab import Elaborator
        prog = _program_for(eng, t.args[1])
        names = set(prog.types()) | {RET} if prog else set()
        terms = tuple(Elaborator(eng.env, names).term(a) for a in given)
        variant = terms[0] if len(terms) == 1 else terms
    from programs.vcgen import MissingAnnotation
    specs, notes = _specs(eng, goal, tac, True, variant)
    try:
        v = prove_with_specs(eng.env, t, specs, notes)
    except MissingAnnotation as exc:    # `with decreasing e` names the first loop's; another has none
        eng.fail(tac, goal, str(exc))
    if v.answer != "yes":
        eng.fail(tac, goal, v.text)
    eng.used.append("termination")
    eng.messages.extend((tac.pos, n) for n in notes)
    return [], v.proof


def t_recurrent(eng, goal: Goal, tac):
    from programs.analysis import Z3, candidate_atoms, divergence_proof, loops_of
    from programs.lang import Program
    from programs.vcgen import Obligations
    t = goal.target
    if t.op != "diverges":
        eng.fail(tac, goal, "recurrent proves `diverges prog from P`")
    pre, body = t.args
    loops = loops_of(body)
    if not loops:
        eng.fail(tac, goal, "the program has no loop")
    w = loops[0]
    prog = _program_for(eng, body) or Program("?", [], None, body, "quod")
    given = [a for a in tac.args if isinstance(a, SExpr)]
    if given:
        from programs.lang import RET
        from .elab import Elaborator
        r = Elaborator(eng.env, set(prog.types()) | {RET}).formula(given[0])
    else:
        r = _search_recurrent(eng, prog, pre, w, candidate_atoms(prog, body), Z3(eng.env))
        if r is None:
            eng.fail(tac, goal, "no recurrent set found; give one: recurrent (FORMULA)")
        eng.messages.append((tac.pos, f"recurrent set: {show(r)}"))
    ob = Obligations()
    try:
        proof = divergence_proof(body, w, r, pre, ob, {})
    except ValueError as exc:
        eng.fail(tac, goal, str(exc))
    if given:
        return _conjunction_goal(goal, ob, proof)
    # found automatically: prove the side conditions too
    from programs.analysis import _fill_holes, discharge
    filled = {}
    for g, why in ob.goals:
        p, used_oracle = discharge(eng.env, g.target)
        if p is None:
            eng.fail(tac, goal, f"could not prove that {why}: {show(g.target)}")
        if used_oracle:
            eng.used.append("smt_oracle")
        filled[g.id] = p
    return [], _fill_holes(proof, filled)


def _search_recurrent(eng, prog, pre, w, cands, z3v):
    from programs.analysis import _recurrent_set
    from programs.interp import OutOfSteps, run
    names = sorted({n for n in prog.types()})
    model = z3v.model(pre, names)
    if model is None:
        return None
    states = []

    def rec(node, state):
        if node is w or node == w:
            states.append(dict(state))
    try:
        run(eng.env, prog.body, model, 3000, on_loop=rec)
        return None
    except OutOfSteps:
        pass
    except Exception:
        return None
    if len(states) < 3:
        return None
    return _recurrent_set(eng.env, w, states[len(states) // 2:], cands, z3v)


def t_invariant(eng, goal: Goal, tac):
    """invariant I: use I for the first loop of the judgment (then vcgen or termination)."""
    from programs.analysis import loops_of
    from programs.lang import RET, Program
    from programs.vcgen import LoopSpec
    from .elab import Elaborator
    t = goal.target
    if t.op not in ("hoare", "total", "diverges"):
        eng.fail(tac, goal, "invariant applies to a program judgment")
    body = t.args[1]
    prog = _program_for(eng, body) or Program("?", [], None, body, "quod")
    inv = Elaborator(eng.env, set(prog.types()) | {RET}).formula(tac.args[0])
    loops = loops_of(body)
    if not loops:
        eng.fail(tac, goal, "the program has no loop")
    if not hasattr(eng, "loop_invariants"):
        eng.loop_invariants = {}
    eng.loop_invariants[loops[0]] = LoopSpec(inv, None)
    g = goal.with_target(goal.target)
    return [g], hole(g.id)
