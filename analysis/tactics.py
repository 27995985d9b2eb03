"""Tactics for program judgments: vcgen, termination, recurrent, invariant.

They build the kernel's program-logic proof terms (``programs/vcgen.py``, and the searches of
this package) and leave the verification conditions as one goal (their conjunction), or prove them
at once where the tactic says it does. Importing this module registers them with the engine.
"""

from __future__ import annotations

from kernel import P, mk, show

from tactics.engine import register
from tactics.state import Goal, hole
from tactics.syntax import SExpr


def _program_for(eng, body):
    for prog in getattr(eng, "programs", {}).values():
        if prog.body == body:
            return prog
    return None


def _conjunction_goal(goal: Goal, ob, proof):
    """Replace the obligations' holes by projections of one goal: their conjunction."""
    from tactics.state import fill_holes
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
    return [new], fill_holes(proof, filled)


def _specs(eng, goal, tac, total: bool, variant=None):
    from .termination import Z3, find_specs
    from programs.lang import Program
    from programs.vcgen import LoopSpec
    t = goal.target
    pre, body = t.args[0], t.args[1]
    prog = _program_for(eng, body) or Program("?", [], None, body, "quod")
    given = {lp.node: LoopSpec(lp.invariant, lp.decreasing) for lp in prog.loops
             if lp.invariant is not None and (lp.decreasing is not None or not total)}
    given.update(getattr(eng, "loop_invariants", {}))
    from .termination import loops_of
    if all(w in given for w in loops_of(body)) and variant is None:
        return given, []
    notes: list = []
    # with a given variant, only the invariants are searched
    specs = find_specs(eng.env, prog, pre, total and variant is None, Z3(eng.env), notes)
    if specs is None:
        from tactics.engine import DontKnow
        from tactics.state import show_goal
        raise DontKnow(tac.pos, (notes[-1] if notes else "no invariant found") +
                       "; annotate the loop or use `termination with decreasing e`", show_goal(goal))
    specs.update(given)
    if variant is not None:
        loops = loops_of(body)
        if loops:
            specs[loops[0]].variant = variant
    return specs, notes


def _contracts(eng, goal, tac, kind: str) -> dict:
    """Proved contracts of the procedures the goal's program calls (procs.contracts)."""
    from kernel.expr import postorder
    from .recursion import contracts
    from programs.vcgen import MissingContract
    calls = {n.data[1] for n in postorder(goal.target.args[1]) if n.op == "call"}
    out: dict = {}
    for prog in getattr(eng, "programs", {}).values():
        if calls & set(prog.procedures) and not calls <= set(out):
            try:
                out.update(contracts(eng.env, prog, kind))
            except MissingContract as exc:
                eng.fail(tac, goal, str(exc))
    return out


def t_vcgen(eng, goal: Goal, tac):
    from programs.vcgen import MissingAnnotation, MissingContract, Obligations, Prover
    t = goal.target
    if t.op not in ("hoare", "total"):
        eng.fail(tac, goal, "vcgen works on {P} prog {Q} and [P] prog [Q] (and facts about program results)")
    specs, _ = _specs(eng, goal, tac, t.op == "total")
    ob = Obligations()
    try:
        proof = Prover(t.op, specs, ob, _contracts(eng, goal, tac, t.op)).triple(*t.args)
    except (MissingAnnotation, MissingContract) as exc:
        eng.fail(tac, goal, str(exc))
    return _conjunction_goal(goal, ob, proof)


def t_termination(eng, goal: Goal, tac):
    from .termination import prove_with_specs
    t = goal.target
    if t.op != "total":
        eng.fail(tac, goal, "termination proves `terminates prog` (a total-correctness judgment)")
    variant = None
    given = [a for a in tac.args if isinstance(a, SExpr)]
    if given:                 # `with decreasing e` or, lexicographically, `with decreasing e1, e2, ...`
        from programs.lang import RET
        from tactics.elab import Elaborator
        prog = _program_for(eng, t.args[1])
        names = set(prog.types()) | {RET} if prog else set()
        terms = tuple(Elaborator(eng.env, names).term(a) for a in given)
        variant = terms[0] if len(terms) == 1 else terms
    from programs.vcgen import MissingAnnotation
    specs, notes = _specs(eng, goal, tac, True, variant)
    try:
        v = prove_with_specs(eng.env, t, specs, notes, _contracts(eng, goal, tac, "total"))
    except MissingAnnotation as exc:    # `with decreasing e` names the first loop's; another has none
        eng.fail(tac, goal, str(exc))
    if v.answer != "yes":
        eng.fail(tac, goal, v.text)
    eng.used.append("termination")
    eng.messages.extend((tac.pos, n) for n in notes)
    return [], v.proof


def _recurrent_calls(eng, goal, tac, prog, pre):
    """diverges f from P for a recursive f: an infinite chain of calls from a recurrent set over the
    arguments (given, or found from a run from a state of P)."""
    from programs.lang import RET
    from .recursion import recursive_divergence_proof
    from tactics.elab import Elaborator
    given = [a for a in tac.args if isinstance(a, SExpr)]
    r, start = None, None
    if given:
        r = Elaborator(eng.env, set(prog.types()) | {RET}).formula(given[0])
    else:
        from kernel.expr import postorder as _po
        eqs = {n.args[0].data: n.args[1].data for n in _po(pre) if n.op == "eq" and n.args[0].op == "var"
               and n.args[1].op == "int"}
        start = {x: eqs[x] for x, _ in prog.params if x in eqs}
        if len(start) != len(prog.params):
            eng.fail(tac, goal, "give the recurrent set: recurrent (FORMULA) (or a start with every argument's value)")
    found = recursive_divergence_proof(eng.env, prog, pre, r, start)
    if found is None:
        eng.fail(tac, goal, "no infinite chain of calls proved" + (" from that recurrent set" if given else ""))
    proof, r, _ = found
    eng.messages.append((tac.pos, f"recurrent set: {show(r)} (an infinite chain of calls of {prog.name})"))
    return [], proof


def t_recurrent(eng, goal: Goal, tac):
    from .divergence import divergence_proof
    from .termination import Z3, candidate_atoms, loops_of
    from programs.lang import Program
    from programs.vcgen import Obligations
    t = goal.target
    if t.op != "diverges":
        eng.fail(tac, goal, "recurrent proves `diverges prog from P`")
    pre, body = t.args
    loops = loops_of(body)
    prog = _program_for(eng, body)
    if not loops and prog is not None and prog.name in prog.procedures:
        return _recurrent_calls(eng, goal, tac, prog, pre)
    if not loops:
        eng.fail(tac, goal, "the program has no loop")
    w = loops[0]
    prog = _program_for(eng, body) or Program("?", [], None, body, "quod")
    given = [a for a in tac.args if isinstance(a, SExpr)]
    if given:
        from programs.lang import RET
        from tactics.elab import Elaborator
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
    from tactics.state import fill_holes
    from .termination import discharge
    filled = {}
    for g, why in ob.goals:
        p, used_oracle = discharge(eng.env, g.target)
        if p is None:
            eng.fail(tac, goal, f"could not prove that {why}: {show(g.target)}")
        if used_oracle:
            eng.used.append("smt_oracle")
        filled[g.id] = p
    return [], fill_holes(proof, filled)


def _search_recurrent(eng, prog, pre, w, cands, z3v):
    from .divergence import recurrent_set
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
    return recurrent_set(eng.env, w, states[len(states) // 2:], cands, z3v)


def t_invariant(eng, goal: Goal, tac):
    """invariant I: use I for the first loop of the judgment (then vcgen or termination)."""
    from .termination import loops_of
    from programs.lang import RET, Program
    from programs.vcgen import LoopSpec
    from tactics.elab import Elaborator
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


def _within_budget(name: str, tactic):
    """The tactic, stopping with a don't know that says so past the analysis's time budget."""
    def run(eng, goal, tac):
        from tactics.engine import DontKnow
        from tactics.state import show_goal

        from .budget import OverBudget, budget
        try:
            with budget():
                return tactic(eng, goal, tac)
        except OverBudget as exc:
            raise DontKnow(tac.pos, f"{name}: don't know: {exc}", show_goal(goal)) from None
    return run


for _name, _tactic in (("vcgen", t_vcgen), ("termination", t_termination), ("recurrent", t_recurrent),
                       ("invariant", t_invariant)):
    register(_name, _within_budget(_name, _tactic))
