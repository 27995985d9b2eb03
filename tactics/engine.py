"""The tactic engine: runs tactic blocks on proof states.

Each tactic works on the first goal and returns new goals plus a piece of
proof term with holes for them (see ``state.py``); combinators and bullets
arrange which goals a tactic sees. Nothing here is trusted: at ``qed`` the
assembled proof goes to the kernel.
"""

from __future__ import annotations

from kernel import FORMULA, TERM, Expr, Forall, Int, KernelError, P, Proof, Var, free_vars, instantiate, mk, show
from kernel import subst as ksubst
from kernel.expr import fresh_name

from .elab import Elaborator
from .state import Goal, ProofState, hole, show_goal, with_hyps
from .syntax import Block, QuodError, SExpr, Tactic

MAX_REPEAT = 10_000      # applications of one `repeat`


class TacticError(QuodError):
    """A tactic failed: where, why, and the goal it was given."""


class DontKnow(TacticError):
    """Automation could neither prove nor refute the goal (and says why)."""


class Engine:
    def __init__(self, env, file: str = "<input>", simp_lemmas=(), options=None):
        self.env = env
        self.file = file
        self.simp_lemmas = list(simp_lemmas)
        self.options = options or {}
        self.used: list[str] = []   # names of the tactics that ran, for reports
        self.messages: list = []    # (Pos, text) suggestions for the user, e.g. hammer's "try this"
        self.programs: dict = {}    # program name -> programs.lang.Program, for program judgments

    # -- running --------------------------------------------------------------------

    def run_block(self, state: ProofState, block: Block) -> ProofState:
        for step in block.steps:
            state = self.run(state, step)
        return state

    def run(self, state: ProofState, tac: Tactic) -> ProofState:
        name = tac.name
        if name == "bullet" or name == "focus":
            inner = tac.args[0]
            if not state.goals:
                raise TacticError(tac.pos, "no goals left to focus on")
            first, rest = state.goals[0], state.goals[1:]
            sub = ProofState((first,), state.assign, state.root)
            sub = self.run_block(sub, inner) if isinstance(inner, Block) else self.run_seq(sub, inner)
            if sub.goals:
                raise TacticError(tac.pos, "this block leaves goals unsolved (the first is shown below)",
                                  show_goal(sub.goals[0]))
            return ProofState(rest, sub.assign, state.root)
        if name == "group":
            return self.run_seq(state, tac.args[0])
        if name == "then_all":
            first_tac, then = tac.args
            before = {g.id for g in state.goals[1:]}
            state = self.run(state, first_tac)
            new = [g for g in state.goals if g.id not in before]
            for g in new:
                state = self._on_goal(state, g, then)
            return state
        if name == "try":
            try:
                return self.run(state, tac.args[0])
            except QuodError:
                return state
        if name == "repeat":
            # apply to the main goal, then again to every goal that step created, depth first (Lean 4's
            # repeat); a work list, not recursion, so a long chain of subgoals cannot exhaust the stack
            todo = [state.goals[0]] if state.goals else []
            live = {g.id for g in state.goals}
            steps = 0
            while todo:
                goal = todo.pop()
                if goal.id not in live:
                    continue
                if steps >= MAX_REPEAT:
                    raise TacticError(tac.pos, f"repeat: the tactic still applies after {MAX_REPEAT:,} steps; "
                                               "stopped (does it ever fail?)", self._goal_text(state))
                steps += 1
                try:
                    state, made = self._on_goal_new(state, goal, tac.args[0])
                except QuodError:
                    continue
                live.discard(goal.id)
                live.update(g.id for g in made)
                todo.extend(reversed(made))
            return state
        if name == "first":
            errors = []
            for alt in tac.args:
                try:
                    return self.run(state, alt)
                except QuodError as exc:
                    errors.append(exc.message)
            raise TacticError(tac.pos, "no alternative of 'first' worked: " + "; ".join(errors[:3]),
                              self._goal_text(state))
        if name == "all_goals":
            # each goal in turn; what each leaves goes in front of the goals left before it (so the
            # last goal's come first), as running them one by one with _on_goal always did
            out: list = []
            assign = state.assign
            for g in state.goals:
                sub = self.run(ProofState((g,), assign, state.root), tac.args[0])
                assign = sub.assign
                out.append(sub.goals)
            return ProofState(tuple(g for gs in reversed(out) for g in gs), assign, state.root)
        if name in ("skip",):
            return state
        if name == "done":
            if state.goals:
                raise TacticError(tac.pos, "goals remain", self._goal_text(state))
            return state
        if not state.goals:
            raise TacticError(tac.pos, f"no goals left for '{name}'")
        goal = state.goals[0]
        fn = TACTICS.get(name)
        if fn is None:
            raise TacticError(tac.pos, f"unknown tactic '{name}'")
        try:
            new_goals, proof = fn(self, goal, tac)
        except TacticError:
            raise
        except QuodError as exc:
            raise TacticError(exc.pos or tac.pos, exc.message, show_goal(goal)) from None
        except KernelError as exc:
            raise TacticError(tac.pos, f"{name} failed: {exc}", show_goal(goal)) from None
        self.used.append(name)
        return state.solve(goal, proof, new_goals)

    def run_seq(self, state: ProofState, seq) -> ProofState:
        for t in seq:
            state = self.run(state, t)
        return state

    def _on_goal(self, state: ProofState, goal: Goal, tac: Tactic) -> ProofState:
        """Run ``tac`` with ``goal`` moved to the front."""
        return self._on_goal_new(state, goal, tac)[0]

    def _on_goal_new(self, state: ProofState, goal: Goal, tac: Tactic) -> tuple[ProofState, tuple]:
        """``_on_goal``, and the goals ``tac`` made (or left: ``goal`` itself if it did nothing)."""
        goals = state.goals
        if goals and goals[0].id == goal.id:          # the usual case: no scan of the other goals
            others = goals[1:]
        else:
            i = next((i for i, g in enumerate(goals) if g.id == goal.id), None)
            if i is None:
                return state, ()
            others = goals[:i] + goals[i + 1:]
        sub = self.run(ProofState((goal,), state.assign, state.root), tac)
        made = tuple(g for g in sub.goals if g.id != goal.id)
        return ProofState(sub.goals + others, sub.assign, state.root), made

    def _goal_text(self, state: ProofState) -> str | None:
        return show_goal(state.goals[0]) if state.goals else None

    def fail(self, tac: Tactic, goal: Goal, msg: str):
        raise TacticError(tac.pos, msg, show_goal(goal))

    # -- elaboration in a goal -------------------------------------------------------

    def elab(self, goal: Goal, se: SExpr, sort=FORMULA, hole_term=None) -> Expr:
        e = Elaborator(self.env, goal.vars, hole_term=hole_term, programs=self.programs)
        return e.formula(se) if sort == FORMULA else e.term(se) if sort == TERM else e.any(se)

    def proof_expr(self, goal: Goal, se: SExpr) -> tuple[Proof, Expr]:
        """A hypothesis or theorem, possibly applied: ``h``, ``lemma(t1, t2, h)``."""
        if se.kind == "name":
            return self._ref(goal, se.data, se)
        if se.kind == "call":
            p, f = self._ref(goal, se.data, se)
            for arg in se.args:
                if f.op == "forall":
                    t = self.elab(goal, arg, TERM)
                    p, f = P("forall_elim", p, t), instantiate(f.args[0], t)
                elif f.op in ("imp", "not"):
                    q, g = self.proof_expr(goal, arg)
                    if g != f.args[0]:
                        raise QuodError(arg.pos, f"this proves {show(g)}, but {show(f.args[0])} is needed")
                    if f.op == "imp":
                        p, f = P("imp_elim", p, q), f.args[1]
                    else:
                        p, f = P("not_elim", p, q), Expr("false")
                else:
                    raise QuodError(arg.pos, f"too many arguments: {show(f)} is not a forall or implication")
            return p, f
        raise QuodError(se.pos, "expected the name of a hypothesis or theorem, possibly applied to arguments")

    def _ref(self, goal: Goal, name: str, se: SExpr) -> tuple[Proof, Expr]:
        f = goal.hyp(name)
        if f is not None:
            return P("hyp", name), f
        try:
            t = self.env.theorem(name)
        except KernelError:
            from .syntax import did_you_mean
            near = did_you_mean(name, [h for h, _ in goal.hyps] + list(self.env.theorems()))
            raise QuodError(se.pos, f"no hypothesis or theorem named '{name}'{near}") from None
        return P("thm", name), t.statement


# ---- matching -------------------------------------------------------------------------

def match(pat: Expr, t: Expr, mvars: set, sigma: dict) -> bool:
    """One-sided matching: extend ``sigma`` so that pat[sigma] == t."""
    stack = [(pat, t)]
    while stack:
        p, x = stack.pop()
        if p.op == "var" and p.data in mvars:
            if x.lbr or x.sort != TERM:
                return False
            old = sigma.get(p.data)
            if old is None:
                sigma[p.data] = x
            elif old != x:
                return False
            continue
        if p.lbr == 0 and not (free_vars(p) & mvars):
            if p != x:
                return False
            continue
        if p.op != x.op or len(p.args) != len(x.args) or (p.op not in ("forall", "exists") and p.data != x.data):
            return False
        stack.extend(zip(p.args, x.args))
    return True


def open_binders(f: Expr, goal: Goal):
    """Peel ``forall``s and ``->``s: [(kind, name or formula)], conclusion, with fresh metavariables."""
    steps = []
    mvars = []
    used = goal.used_vars()
    yield [], f, []
    while True:
        if f.op == "not":
            steps.append(("not", f.args[0]))
            f = Expr("false")
        elif f.op == "forall":
            v = f"?{f.data}{len(mvars)}"
            while v in used:
                v += "'"
            mvars.append(v)
            steps.append(("forall", v))
            f = instantiate(f.args[0], Var(v))
        elif f.op == "imp":
            steps.append(("imp", f.args[0]))
            f = f.args[1]
        else:
            return steps, f, mvars
        yield list(steps), f, list(mvars)


def subterms(e: Expr):
    """Closed subterms and subformulas of e, outermost first (pre-order)."""
    stack = [e]
    seen = set()
    while stack:
        n = stack.pop()
        if n.lbr == 0:
            if id(n) in seen:
                continue
            seen.add(id(n))
            yield n
        stack.extend(reversed(n.args))


# ---- small proof builders -----------------------------------------------------------------

def eq_symm(p: Proof, a: Expr, b: Expr) -> Proof:
    """From p : a = b, a proof of b = a."""
    z = "_z"
    return P("subst", p, z, mk("eq", Var(z), a), P("refl", a))


def iff_symm(p: Proof) -> Proof:
    return P("iff_intro", P("iff_right", p), P("iff_left", p))


def flip(p: Proof, f: Expr) -> tuple[Proof, Expr]:
    """From p : a = b (or A <-> B) a proof of b = a (or B <-> A)."""
    a, b = f.args
    if f.op == "eq":
        return eq_symm(p, a, b), mk("eq", b, a)
    return iff_symm(p), mk("iff", b, a)


def replace_all(e: Expr, a: Expr, b: Expr) -> Expr:
    from kernel.expr import rebuild
    return rebuild(e, lambda n, d: b if n == a else None)


# ---- the tactics ------------------------------------------------------------------------------

def _names(tac: Tactic) -> list[str]:
    return [str(x) for x in tac.args if not isinstance(x, (SExpr, Block, tuple))]


def t_intro(eng: Engine, goal: Goal, tac: Tactic, all_: bool = False):
    names = _names(tac)
    count = len(names) if names else (None if all_ else 1)
    proofs = []
    g = goal
    i = 0
    while count is None or i < count:
        t = g.target
        want = names[i] if i < len(names) else None
        if t.op == "forall":
            x = want or g.fresh_var(t.data)
            if g.uses(x) or g.has_name(x):
                eng.fail(tac, goal, f"the name {x} is already in use; choose another")
            body = instantiate(t.args[0], Var(x))
            proofs.append(("forall", x, None))
            g = g.introduced(body, var=x)
        elif t.op in ("imp", "not"):
            h = want or g.fresh_hyp("h")
            a = t.args[0]
            b = t.args[1] if t.op == "imp" else Expr("false")
            if g.has_name(h):
                eng.fail(tac, goal, f"the hypothesis name {h} is already in use; choose another")
            proofs.append((t.op, h, a))
            g = g.introduced(b, hyp=(h, a))
        else:
            if count is None and i > 0:
                break
            eng.fail(tac, goal, f"nothing to introduce: the goal is {show(t)}")
        i += 1
    p = hole(g.id)
    for kind, n, a in reversed(proofs):
        if kind == "forall":
            p = P("forall_intro", n, p)
        elif kind == "imp":
            p = P("imp_intro", n, a, p)
        else:
            p = P("not_intro", n, a, p)
    return [g], p


def t_intros(eng, goal, tac):
    return t_intro(eng, goal, tac, all_=True)


def _close_with(eng: Engine, goal: Goal, tac: Tactic, p: Proof, f: Expr, allow_goals: bool):
    """apply/exact: use p : f to prove the goal, peeling foralls and implications as needed."""
    if f == goal.target:
        return [], p
    for steps, concl, mvars in open_binders(f, goal):
        sigma: dict = {}
        if not match(concl, goal.target, set(mvars), sigma):
            continue
        missing = [v for v in mvars if v not in sigma]
        if missing:
            eng.fail(tac, goal, f"cannot infer the instance of {missing[0].lstrip('?').rstrip('0123456789')};"
                     " give it explicitly, as in name(t1, t2)")
        new_goals = []
        proof = p
        for kind, x in steps:
            if kind == "forall":
                proof = P("forall_elim", proof, sigma[x])
            else:
                sub = Goal(goal.hyps, ksubst(x, sigma), goal.vars)
                new_goals.append(sub)
                proof = P("imp_elim" if kind == "imp" else "not_elim", proof, hole(sub.id))
        if new_goals and not allow_goals:
            eng.fail(tac, goal, "exact leaves premises unproved: " + ", ".join(show(g.target) for g in new_goals))
        return new_goals, proof
    eng.fail(tac, goal, f"{show(f)} does not match the goal {show(goal.target)}")


def t_exact(eng, goal, tac):
    p, f = eng.proof_expr(goal, tac.args[0])
    return _close_with(eng, goal, tac, p, f, allow_goals=False)


def t_apply(eng, goal, tac):
    p, f = eng.proof_expr(goal, tac.args[0])
    return _close_with(eng, goal, tac, p, f, allow_goals=True)


def t_assumption(eng, goal, tac):
    for h, f in reversed(goal.hyps):
        if f == goal.target:
            return [], P("hyp", h)
        if f.op == "false":
            return [], P("false_elim", P("hyp", h), goal.target)
    eng.fail(tac, goal, "no hypothesis matches the goal")


def t_split(eng, goal, tac):
    t = goal.target
    if t.op == "and":
        a, b = goal.with_target(t.args[0]), goal.with_target(t.args[1])
        return [a, b], P("and_intro", hole(a.id), hole(b.id))
    if t.op == "iff":
        a = goal.with_target(mk("imp", t.args[0], t.args[1]))
        b = goal.with_target(mk("imp", t.args[1], t.args[0]))
        return [a, b], P("iff_intro", hole(a.id), hole(b.id))
    if t.op == "true":
        return [], P("true_intro")
    eng.fail(tac, goal, "split needs a conjunction or an equivalence")


def t_left(eng, goal, tac):
    t = goal.target
    if t.op != "or":
        eng.fail(tac, goal, "left needs a disjunction")
    g = goal.with_target(t.args[0])
    return [g], P("or_left", hole(g.id), t.args[1])


def t_right(eng, goal, tac):
    t = goal.target
    if t.op != "or":
        eng.fail(tac, goal, "right needs a disjunction")
    g = goal.with_target(t.args[1])
    return [g], P("or_right", t.args[0], hole(g.id))


def t_exists(eng, goal, tac):
    witnesses = [a for a in tac.args if isinstance(a, SExpr)]
    layers = []
    t = goal.target
    for w in witnesses:
        if t.op != "exists":
            eng.fail(tac, goal, f"too many witnesses: {show(t)} is not an exists")
        term = eng.elab(goal, w, TERM)
        layers.append((t, term))
        t = instantiate(t.args[0], term)
    g = goal.with_target(t)
    p = hole(g.id)
    for e, term in reversed(layers):
        p = P("exists_intro", e, term, p)
    return [g], p


def t_cases(eng, goal, tac):
    names = _names(tac)
    h, given = names[0], names[1:]
    f = goal.hyp(h)
    if f is None:
        eng.fail(tac, goal, f"no hypothesis named {h}")
    if f.op in ("and", "iff"):
        a = given[0] if given else goal.fresh_hyp(h + "_1" if f.op == "and" else h + "_mp")
        b = given[1] if len(given) > 1 else goal.fresh_hyp(h + "_2" if f.op == "and" else h + "_mpr")
        if f.op == "and":
            new = [(a, f.args[0], P("and_left", P("hyp", h))), (b, f.args[1], P("and_right", P("hyp", h)))]
        else:
            new = [(a, mk("imp", f.args[0], f.args[1]), P("iff_left", P("hyp", h))),
                   (b, mk("imp", f.args[1], f.args[0]), P("iff_right", P("hyp", h)))]
        g, wrap = with_hyps(goal, new, remove=[h])
        return [g], wrap(hole(g.id))
    if f.op == "or":
        tmp = goal.fresh_hyp("_case")
        outs, proofs = [], []
        for i in range(2):
            n = given[i] if i < len(given) else (given[0] if given else h)
            sub = Goal(goal.hyps + ((tmp, f.args[i]),), goal.target, goal.vars)
            g, wrap = with_hyps(sub, [(n, f.args[i], P("hyp", tmp))], remove=[tmp, h])
            outs.append(g)
            proofs.append(wrap(hole(g.id)))
        return outs, P("or_elim", P("hyp", h), tmp, proofs[0], tmp, proofs[1])
    if f.op == "exists":
        x = given[0] if given else goal.fresh_var(f.data)
        if x in goal.used_vars():
            eng.fail(tac, goal, f"the name {x} is already in use; choose another")
        n = given[1] if len(given) > 1 else h
        body = instantiate(f.args[0], Var(x))
        tmp = goal.fresh_hyp("_witness")
        sub = Goal(goal.hyps + ((tmp, body),), goal.target, goal.vars + (x,))
        g, wrap = with_hyps(sub, [(n, body, P("hyp", tmp))], remove=[tmp, h])
        return [g], P("exists_elim", P("hyp", h), x, tmp, wrap(hole(g.id)))
    eng.fail(tac, goal, f"cases needs a conjunction, disjunction, equivalence or exists; {h} is {show(f)}")


def _bound_hyp(goal: Goal, x: str, b: Expr | None):
    """A hypothesis b <= x (with b given, or any b)."""
    for h, f in goal.hyps:
        if f.op == "le" and f.args[1] == Var(x) and (b is None or f.args[0] == b) and x not in free_vars(f.args[0]):
            return h, f.args[0]
    return None, b


def _induction(eng: Engine, goal: Goal, tac: Tactic, strong: bool):
    x = str(tac.args[0])
    if x not in goal.vars:
        eng.fail(tac, goal, f"{x} is not a variable in scope")
    b = eng.elab(goal, tac.args[1], TERM) if len(tac.args) > 1 else None
    hb, b = _bound_hyp(goal, x, b)
    if b is None:
        b = Int(0)
    if x in free_vars(b):
        eng.fail(tac, goal, f"the base {show(b)} mentions {x}")
    reverted = [(h, f) for h, f in goal.hyps if x in free_vars(f) and h != hb]
    motive = goal.target
    for _, f in reversed(reverted):
        motive = mk("imp", f, motive)
    clear_names = tuple(h for h, f in goal.hyps if x in free_vars(f))
    keep = tuple((h, f) for h, f in goal.hyps if h not in clear_names)
    vars_ = tuple(v for v in goal.vars if v != x)
    at = lambda t: ksubst(motive, {x: t})  # noqa: E731
    outer = set(goal.used_vars()) - {x}
    nn = fresh_name(x, outer | free_vars(b))
    if strong:
        k = fresh_name("k", outer | {nn})
        below = Forall(k, mk("imp", mk("le", b, Var(k)), mk("imp", mk("lt", Var(k), Var(nn)), at(Var(k)))))
        step_t = Forall(nn, mk("imp", mk("le", b, Var(nn)), mk("imp", below, at(Var(nn)))))
        step = Goal(keep, step_t, vars_)
        new = [step]
        ind = P("strong_induction", x, motive, b, _cleared(clear_names, step))
    else:
        base = Goal(keep, at(b), vars_)
        step_t = Forall(nn, mk("imp", mk("le", b, Var(nn)), mk("imp", at(Var(nn)), at(mk("add", Var(nn), Int(1))))))
        step = Goal(keep, step_t, vars_)
        new = [base, step]
        ind = P("induction", x, motive, b, _cleared(clear_names, base), _cleared(clear_names, step))
    proof = P("forall_elim", ind, Var(x))
    if hb is not None:
        proof = P("imp_elim", proof, P("hyp", hb))
    else:
        bound = goal.with_target(mk("le", b, Var(x)))
        new.append(bound)
        proof = P("imp_elim", proof, hole(bound.id))
    for h, _ in reverted:
        proof = P("imp_elim", proof, P("hyp", h))
    return new, proof


def _cleared(names, g: Goal) -> Proof:
    return P("clear", names, hole(g.id)) if names else hole(g.id)


def t_induction(eng, goal, tac):
    return _induction(eng, goal, tac, strong=False)


def t_strong_induction(eng, goal, tac):
    return _induction(eng, goal, tac, strong=True)


def _rewrite_target(goal: Goal, eqp: Proof, eqf: Expr):
    """Goal T becomes T' = T[a := b]; T follows from T' by replace with b = a."""
    a, b = eqf.args
    new_t = replace_all(goal.target, a, b)
    g = goal.with_target(new_t)
    back, _ = flip(eqp, eqf)
    return g, P("replace", back, hole(g.id), goal.target)


def _instantiate_eq(eng, goal, tac, p, f, target, reverse: bool = False):
    """An instance of a (possibly universally quantified) equation or iff whose left side (right
    side, with ``reverse``) occurs in target; with ``reverse`` the instance comes flipped."""
    if f.op in ("eq", "iff") and not f.lbr:
        return flip(p, f) if reverse else (p, f)
    for steps, concl, mvars in open_binders(f, goal):
        if concl.op not in ("eq", "iff") or any(k != "forall" for k, _ in steps):
            continue
        side = concl.args[1 if reverse else 0]
        for sub in subterms(target):
            sigma: dict = {}
            if match(side, sub, set(mvars), sigma) and all(v in sigma for v in mvars):
                proof = p
                for _, v in steps:
                    proof = P("forall_elim", proof, sigma[v])
                inst = ksubst(concl, sigma)
                return flip(proof, inst) if reverse else (proof, inst)
    way = "right-to-left " if reverse else ""
    eng.fail(tac, goal, f"cannot rewrite {way}with {show(f)}: no instance found")


def t_rewrite(eng, goal, tac):
    rules = [a for a in tac.args if isinstance(a, tuple)]
    at = [str(a) for a in tac.args if not isinstance(a, tuple)]
    g = goal
    wraps = []
    for _, rev, se in rules:
        p, f = eng.proof_expr(g, se)
        target = g.hyp(at[0]) if at else g.target
        if rev and target is not None:
            p, f = _instantiate_eq(eng, g, tac, p, f, target, reverse=True)
        if target is None:
            eng.fail(tac, goal, f"no hypothesis named {at[0]}")
        p, f = _instantiate_eq(eng, g, tac, p, f, target)
        a, b = f.args
        if not any(s == a for s in subterms(target)):
            eng.fail(tac, goal, f"rewrite: {show(a)} does not occur in {show(target)}")
        if at:
            h = at[0]
            new_f = replace_all(target, a, b)
            g2, wrap = with_hyps(g, [(h, new_f, P("replace", p, P("hyp", h), new_f))])
            wraps.append(wrap)
            g = g2
        else:
            g2, proof = _rewrite_target(g, p, f)
            wraps.append(lambda q, proof=proof, gid=g2.id: fill_hole(proof, gid, q))
            g = g2
    # close t = t like Lean's rw does
    final = []
    last_proof = hole(g.id)
    if not at and g.target.op == "eq" and g.target.args[0] == g.target.args[1]:
        last_proof = P("refl", g.target.args[0])
    elif not at and g.target.op == "iff" and g.target.args[0] == g.target.args[1]:
        last_proof = P("iff_intro", P("imp_intro", "_h", g.target.args[0], P("hyp", "_h")),
                       P("imp_intro", "_h", g.target.args[0], P("hyp", "_h")))
    elif not at and g.target.op == "true":
        last_proof = P("true_intro")
    else:
        final = [g]
    p = last_proof
    for w in reversed(wraps):
        p = w(p)
    return final, p


def fill_hole(proof: Proof, gid: int, q: Proof) -> Proof:
    """Replace the hole for goal gid in a (shallow) proof by q."""
    def go(x):
        if isinstance(x, Proof):
            if x.rule == "?goal" and x.args[0] == gid:
                return q
            return Proof(x.rule, tuple(go(a) for a in x.args))
        if isinstance(x, tuple):
            return tuple(go(a) for a in x)
        return x
    return go(proof)


def unfold_occurrences(eng: Engine, e: Expr, names: list[str]):
    """Equations/iffs unfolding each closed occurrence of the named definitions in e."""
    out = []
    seen = set()
    for sub in subterms(e):
        if sub.op in ("app", "pred") and sub.data in names and sub not in seen:
            seen.add(sub)
            d = eng.env.definition(sub.data)
            body = ksubst(d.body, dict(zip(d.params, sub.args)))
            f = mk("eq", sub, body) if sub.op == "app" else mk("iff", sub, body)
            out.append((P("unfold", sub.data, sub.args), f))
    return out


def t_unfold(eng, goal, tac):
    names = [str(a) for a in tac.args]
    at = None
    if len(names) > 1 and goal.hyp(names[-1]) is not None and names[-1] not in _defined(eng, names[-1]):
        at = names.pop()
    for n in names:
        try:
            eng.env.definition(n)
        except KernelError:
            eng.fail(tac, goal, f"{n} is not a definition")
    target = goal.hyp(at) if at else goal.target
    eqs = unfold_occurrences(eng, target, names)
    if not eqs:
        eng.fail(tac, goal, f"nothing to unfold: {', '.join(names)} does not occur")
    return rewrite_many(eng, goal, eqs, at)


def _defined(eng, name):
    try:
        eng.env.definition(name)
        return {name}
    except KernelError:
        return set()


def rewrite_many(eng, goal, eqs, at=None):
    """Rewrite with a list of closed (proof, a = b / A <-> B) left to right, all at once."""
    if at:
        f = goal.hyp(at)
        new_f = f
        proof = P("hyp", at)
        for p, e in eqs:
            nxt = replace_all(new_f, e.args[0], e.args[1])
            proof = P("replace", p, proof, nxt)
            new_f = nxt
        g, wrap = with_hyps(goal, [(at, new_f, proof)])
        return [g], wrap(hole(g.id))
    targets = [goal.target]
    for _, e in eqs:
        targets.append(replace_all(targets[-1], e.args[0], e.args[1]))
    g = goal.with_target(targets[-1])
    proof = hole(g.id)
    for (p, e), before in zip(reversed(eqs), reversed(targets[:-1])):
        back, _ = flip(p, e)
        proof = P("replace", back, proof, before)
    return [g], proof


def t_have(eng, goal, tac):
    name, stmt_se, block = tac.args
    stmt = eng.elab(goal, stmt_se)
    sub = goal.with_target(stmt)
    if block is None:
        g, wrap = with_hyps(goal, [(name, stmt, hole(sub.id))])
        return [sub, g], wrap(hole(g.id))
    inner = eng.run_block(ProofState((sub,), {}, sub.id), block)
    if inner.goals:
        raise TacticError(block.pos, "the proof of this 'have' leaves goals unsolved (the first is shown below)",
                          show_goal(inner.goals[0]))
    from .state import assemble
    pf = assemble(inner)
    g, wrap = with_hyps(goal, [(name, stmt, pf)])
    return [g], wrap(hole(g.id))


def t_show(eng, goal, tac):
    f = eng.elab(goal, tac.args[0])
    if f != goal.target:
        eng.fail(tac, goal, f"{show(f)} is not the goal {show(goal.target)}")
    g = goal.with_target(f)
    return [g], hole(g.id)


def t_by_contra(eng, goal, tac):
    names = _names(tac)
    h = names[0] if names else goal.fresh_hyp("h")
    neg = mk("not", goal.target)
    tmp = goal.fresh_hyp("_contra")
    sub = Goal(goal.hyps + ((tmp, neg),), Expr("false"), goal.vars)
    g, wrap = with_hyps(sub, [(h, neg, P("hyp", tmp))], remove=[tmp])
    return [g], P("by_contra", tmp, goal.target, wrap(hole(g.id)))


def t_contradiction(eng, goal, tac):
    hyps = dict(goal.hyps)
    for h, f in goal.hyps:
        if f.op == "false":
            return [], P("false_elim", P("hyp", h), goal.target)
        if f.op == "not" and f.args[0].op == "eq" and f.args[0].args[0] == f.args[0].args[1]:
            return [], P("false_elim", P("not_elim", P("hyp", h), P("refl", f.args[0].args[0])), goal.target)
        if f.op == "not":
            for h2, f2 in hyps.items():
                if f2 == f.args[0]:
                    return [], P("false_elim", P("not_elim", P("hyp", h), P("hyp", h2)), goal.target)
        if not free_vars(f) and _closed(f):
            from kernel.arith import evaluate
            try:
                if evaluate(f) is False:
                    return [], P("false_elim", P("not_elim", P("eval", mk("not", f)), P("hyp", h)), goal.target)
            except KernelError:
                pass
    eng.fail(tac, goal, "no contradiction among the hypotheses")


def _closed(f: Expr) -> bool:
    from kernel.expr import postorder
    return all(n.op not in ("app", "pred", "forall", "exists", "var") for n in postorder(f))


def t_exfalso(eng, goal, tac):
    g = goal.with_target(Expr("false"))
    return [g], P("false_elim", hole(g.id), goal.target)


def t_ring(eng, goal, tac):
    t = goal.target
    if t.op != "eq":
        eng.fail(tac, goal, "ring proves equations; the goal is not one")
    from kernel.arith import normalize
    atoms: dict = {}
    if normalize(t.args[0], atoms) != normalize(t.args[1], atoms):
        # closed `if`s and arithmetic inside applications first (as after `unfold` of a recursive def)
        from .simp import simp
        try:
            new_goals, proof = simp(eng, goal, Tactic("simp", (), tac.pos), arith_only=True)
        except TacticError:
            new_goals = None
        if new_goals == []:
            return [], proof
        if new_goals and new_goals[0].target.op == "eq":
            g = new_goals[0]
            a2: dict = {}
            if normalize(g.target.args[0], a2) == normalize(g.target.args[1], a2):
                return [], fill_hole(proof, g.id, P("ring", g.target.args[0], g.target.args[1]))
        eng.fail(tac, goal, "ring: the two sides are different polynomials")
    return [], P("ring", t.args[0], t.args[1])


def t_linarith(eng, goal, tac):
    extra = []
    for se in tac.args:
        if isinstance(se, SExpr):
            extra.append(eng.proof_expr(goal, se))
    from .arith_tactics import linarith_goal
    return [], linarith_goal(eng, goal, tac, extra)


def t_nlinarith(eng, goal, tac):
    extra = [eng.proof_expr(goal, se) for se in tac.args if isinstance(se, SExpr)]
    from .nlinarith import nlinarith_goal
    return [], nlinarith_goal(eng, goal, tac, extra)


def t_norm_num(eng, goal, tac):
    from .arith_tactics import norm_num
    return norm_num(eng, goal, tac)


def t_simp(eng, goal, tac):
    from .simp import simp
    return simp(eng, goal, tac)


def t_sorry(eng, goal, tac):
    return [], P("oracle", "sorry", goal.target)


def t_trivial(eng, goal, tac):
    t = goal.target
    if t.op == "true":
        return [], P("true_intro")
    if t.op == "eq" and t.args[0] == t.args[1]:
        return [], P("refl", t.args[0])
    return t_assumption(eng, goal, tac)


def t_reflexivity(eng, goal, tac):
    t = goal.target
    if t.op == "eq" and t.args[0] == t.args[1]:
        return [], P("refl", t.args[0])
    if t.op == "le" and t.args[0] == t.args[1]:
        return t_linarith(eng, goal, Tactic("linarith", (), tac.pos))
    if t.op == "iff" and t.args[0] == t.args[1]:
        a = t.args[0]
        return [], P("iff_intro", P("imp_intro", "_h", a, P("hyp", "_h")), P("imp_intro", "_h", a, P("hyp", "_h")))
    eng.fail(tac, goal, "reflexivity needs t = t")


def t_specialize(eng, goal, tac):
    h = str(tac.args[0])
    se = SExpr("call", tuple(tac.args[1:]), h, tac.pos)
    p, f = eng.proof_expr(goal, se)
    g, wrap = with_hyps(goal, [(h, f, p)])
    return [g], wrap(hole(g.id))


def t_calc(eng, goal, tac):
    from .arith_tactics import calc
    return calc(eng, goal, tac)


def _smt_options(eng, goal, tac) -> tuple[int, int]:
    rlimit = eng.options.get("rlimit", 5_000_000)
    timeout = eng.options.get("timeout_ms", 10_000)
    for a in tac.args:
        if isinstance(a, tuple) and a and a[0] == "option":
            if a[1] == "timeout":
                timeout = a[2]
            elif a[1] == "rlimit":
                rlimit = a[2]
            else:
                eng.fail(tac, goal, f"unknown smt option {a[1]} (known: timeout in ms, rlimit)")
    return rlimit, timeout


def t_smt(eng, goal, tac, lemmas=None):
    from .smt import SmtCounterexample, SmtDontKnow, smt_prove
    if lemmas is None:
        lemmas = [eng.proof_expr(goal, se) for se in tac.args if isinstance(se, SExpr)]
    t = goal.target
    if t.op == "and":
        # one conjunct at a time, so that a counterexample names the part that is false
        a, b = goal.with_target(t.args[0]), goal.with_target(t.args[1])
        _, pa = t_smt(eng, a, tac, lemmas)
        _, pb = t_smt(eng, b, tac, lemmas)
        return [], P("and_intro", pa, pb)
    if t.op in ("forall", "imp"):
        try:
            (g,), p = t_intro(eng, goal, Tactic("intro", (), tac.pos))
        except TacticError:
            g = None
        if g is not None:
            _, q = t_smt(eng, g, tac, lemmas)
            return [], fill_hole(p, g.id, q)
    rlimit, timeout = _smt_options(eng, goal, tac)
    try:
        out = smt_prove(eng.env, goal, [(p, f) for p, f in lemmas], rlimit, timeout)
    except SmtCounterexample as cex:
        err = TacticError(tac.pos, f"smt: the goal is false: counterexample {cex.text}", show_goal(goal))
        err.assignment = cex.assignment
        raise err from None
    except SmtDontKnow as exc:
        raise DontKnow(tac.pos, f"smt: don't know: {exc}", show_goal(goal)) from None
    if not out.reconstructed:
        eng.used.append("smt_oracle")
    return [], out.proof


def t_hammer(eng, goal, tac):
    """smt with lemmas chosen from everything imported: a relevance filter, then z3's unsat core."""
    from .smt import SmtDontKnow, relevant_lemmas, unsat_core
    rlimit, timeout = _smt_options(eng, goal, tac)
    candidates = relevant_lemmas(eng.env, goal)
    try:
        used = unsat_core(eng.env, goal, candidates, rlimit, timeout)
    except SmtDontKnow as exc:      # the goal itself is beyond z3 (a judgment about a program)
        raise DontKnow(tac.pos, f"hammer: don't know: {exc}", show_goal(goal)) from None
    if used is None:
        return t_smt(eng, goal, tac, lemmas=[])
    lemmas = [(P("thm", n), eng.env.theorem(n).statement) for n in used]
    call = "smt [" + ", ".join(used) + "]" if used else "smt"
    eng.messages.append((tac.pos, f"try this: {call}"))
    return t_smt(eng, goal, tac, lemmas=lemmas)


TACTICS = {
    "intro": t_intro, "intros": t_intros, "exact": t_exact, "apply": t_apply, "assumption": t_assumption,
    "split": t_split, "left": t_left, "right": t_right, "exists": t_exists, "cases": t_cases,
    "induction": t_induction, "strong_induction": t_strong_induction, "rewrite": t_rewrite,
    "unfold": t_unfold, "have": t_have, "show": t_show, "by_contra": t_by_contra,
    "contradiction": t_contradiction, "exfalso": t_exfalso, "ring": t_ring, "linarith": t_linarith,
    "nlinarith": t_nlinarith,
    "norm_num": t_norm_num, "simp": t_simp, "sorry": t_sorry, "trivial": t_trivial,
    "reflexivity": t_reflexivity, "specialize": t_specialize, "calc": t_calc, "smt": t_smt, "hammer": t_hammer,
}


def register(name: str, tactic) -> None:
    """Add a tactic defined above the engine (the program analysis registers vcgen, termination,
    recurrent and invariant): the engine does not import the automation built on it."""
    TACTICS[name] = tactic
