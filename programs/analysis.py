"""Termination and non-termination: find the evidence, then have the kernel check it.

*Termination*: every loop gets an invariant and a ranking function. The
invariant is the facts on entry to the loop about variables the loop never
changes (so "y > 0 holds because the loop never changes y"), plus the
candidate atoms (type ranges, the program's own conditions) that z3 shows are
preserved (Houdini). The ranking function is the first candidate (the guard's
distance, a variable, a difference of two) that z3 shows is bounded below and
decreasing. Loops are handled inside out, so nested loops get a
lexicographic argument. The total-correctness proof is then built by
``vcgen`` and every verification condition is proved by Quod's own procedures
(tableau + linarith); one that only z3 can prove becomes the named oracle.

*Non-termination*: for a loop, a recurrent set ``R`` = the guard plus
candidate atoms that the body preserves (z3); a witness input is searched by
running the program on small inputs until it reaches the loop inside ``R``.
The kernel checks ``diverges prog from (x = 5 and y = 0)``, and the run is
replayed for many iterations and seen to stay in ``R``.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass

from kernel import Expr, Int, KernelError, P, Var, free_vars, mk, show, subst
from kernel.expr import postorder
from kernel.hoare import closure, fix_havocs, lex_decrease, never_blocks

from .lang import BOUNDS, Program, conj, conjuncts, precondition, program_vars, range_fact
from .vcgen import LoopSpec, Obligations, Prover, assigned


# ---- z3 validity -------------------------------------------------------------------------------

class Z3:
    def __init__(self, env, timeout_ms: int = 2000):
        self.env = env
        self.timeout = timeout_ms
        self.cache: dict = {}
        self._encoder = None

    def encoder(self):
        """One encoder for every query: the formulas of one analysis share most of their subterms."""
        if self._encoder is None:
            from tactics.smt import Encoder
            self._encoder = Encoder(self.env)
        return self._encoder

    def valid(self, f: Expr) -> bool:
        if f in self.cache:
            return self.cache[f]
        import z3
        enc = self.encoder()
        s = z3.Solver()
        s.set("timeout", self.timeout)
        s.set("rlimit", 3_000_000)
        try:
            s.add(z3.Not(enc.enc(f)))
            for ax in enc.axioms:
                s.add(ax)
            r = s.check() == z3.unsat
        except z3.Z3Exception:                # interrupted: not shown valid
            r = False
        self.cache[f] = r
        return r

    def valid_each(self, hyp: Expr, goals: list) -> list:
        """The goals g with closure(hyp -> g) valid, found with few solver calls: ask for a state
        where hyp holds and some remaining goal fails, drop every goal that fails there, repeat.
        A goal the model cannot decide is checked on its own."""
        import z3
        remaining = [g for g in goals if g.lbr == 0]
        if len(remaining) <= 1:
            return [g for g in remaining if self.valid(closure(mk("imp", hyp, g)))]
        enc = self.encoder()
        try:
            h = enc.enc(hyp)
            coded = {g: enc.enc(g) for g in remaining}
            for _ in range(len(remaining) + 1):
                s = z3.Solver()               # a fresh solver each round (no push: an interrupted
                s.set("timeout", self.timeout)   # context refuses it)
                s.set("rlimit", 6_000_000)
                s.add(h, *enc.axioms)
                s.add(z3.Not(z3.And([coded[g] for g in remaining])))
                r = s.check()
                if r == z3.unsat:
                    return remaining
                if r != z3.sat:
                    break
                m = s.model()
                keep, unsure = [], []
                for g in remaining:
                    v = m.eval(coded[g], model_completion=True)
                    if z3.is_true(v):
                        keep.append(g)
                    elif not z3.is_false(v):
                        unsure.append(g)
                if len(keep) + len(unsure) == len(remaining):
                    break                     # the model decides nothing: check one by one
                remaining = keep + unsure
        except z3.Z3Exception:
            pass                              # (interrupted, or out of resources): one by one
        return [g for g in remaining if self.valid(closure(mk("imp", hyp, g)))]

    def model(self, f: Expr, names) -> dict | None:
        import z3

        from tactics.smt import Encoder
        enc = Encoder(self.env)
        s = z3.Solver()
        s.set("timeout", self.timeout)
        s.add(enc.enc(f))
        if s.check() != z3.sat:
            return None
        m = s.model()
        return {n: m.eval(enc.var(n), model_completion=True).as_long() for n in names}


# ---- program structure ---------------------------------------------------------------------------

def loops_of(c: Expr) -> list[Expr]:
    """While nodes, outermost first, in program order."""
    out, stack = [], [c]
    while stack:
        n = stack.pop()
        if n.op == "while":
            out.append(n)
        if n.sort == "stmt":
            stack.extend(reversed(n.args))
    return out


def atoms(f: Expr) -> list[Expr]:
    """Comparison atoms of a formula (under and/or/not/imp)."""
    out = []
    for n in postorder(f):
        if n.op in ("lt", "le", "eq") and n.lbr == 0 and n not in out:
            out.append(n)
    return out


def sp(c: Expr, pre: Expr, specs: dict, counter=itertools.count()) -> Expr:
    """Strongest postcondition (loops summarised by their invariant and exit condition)."""
    from kernel import Exists
    op = c.op
    if op == "skip":
        return pre
    if op in ("assign", "havoc", "call"):      # a call: its target may be any value (over-approximated)
        x = c.data[0] if op == "call" else c.data
        old = f"_o{next(counter)}"
        while old in free_vars(pre) or (op == "assign" and old in free_vars(c.args[0])):
            old = f"_o{next(counter)}"
        body = subst(pre, {x: Var(old)})
        if op == "assign":
            body = mk("and", body, mk("eq", Var(x), subst(c.args[0], {x: Var(old)})))
        return Exists(old, body)
    if op == "assume":
        return mk("and", pre, c.args[0])
    if op == "assert":
        return mk("and", pre, c.args[0])
    if op == "seq":
        return sp(c.args[1], sp(c.args[0], pre, specs), specs)
    if op == "if":
        b = c.args[0]
        return mk("or", sp(c.args[1], mk("and", pre, b), specs), sp(c.args[2], mk("and", pre, mk("not", b)), specs))
    if op == "while":
        spec = specs.get(c)
        inv = spec.invariant if spec is not None else frame_of(pre, assigned(c))
        return mk("and", inv, mk("not", c.args[0]))
    raise ValueError(op)


def frame_of(pre: Expr, changed: set) -> Expr:
    """The top-level facts of pre (outside existentials) that mention no changed variable."""
    facts = []
    stack = [pre]
    while stack:
        f = stack.pop()
        if f.op == "and":
            stack.extend(f.args)
        elif f.op == "exists":
            continue
        elif not (free_vars(f) & changed) and f.lbr == 0 and f.op != "true":
            facts.append(f)
    return conj(facts)


def entry_facts(pre: Expr) -> list[Expr]:
    """Quantifier-free facts implied syntactically by pre (existential bodies opened, old values dropped)."""
    out = []
    stack = [pre]
    while stack:
        f = stack.pop()
        if f.op == "and":
            stack.extend(f.args)
        elif f.op == "exists":
            stack.append(f.args[0])
        elif f.lbr == 0 and f.op not in ("or", "true"):
            out.append(f)
    return out


# ---- finding loop specifications ---------------------------------------------------------------

@dataclass
class Found:
    specs: dict          # while node -> LoopSpec
    notes: list          # human-readable lines


def candidate_atoms(prog: Program, c: Expr) -> list[Expr]:
    cands = []
    for n in postorder(c):
        if n.op in ("if", "while", "assume", "assert"):
            for a in atoms(n.args[0]):
                for x in (a, negate(a)):
                    if x not in cands:
                        cands.append(x)
    for x, t in prog.types().items():
        f = range_fact(x, t)
        if f is not None:
            cands.extend(y for y in conjuncts(f) if y not in cands)
    consts = sorted({n.data for n in postorder(c) if n.op == "int" and abs(n.data) <= 1000} | {0})[:8]
    for x in sorted(free_vars_stmt(c)):
        for a in [mk("le", Int(0), Var(x)), mk("lt", Int(0), Var(x))] + \
                [a for k in consts for a in (mk("le", Int(k), Var(x)), mk("le", Var(x), Int(k)))]:
            if a not in cands:
                cands.append(a)
    # relations between two of the program's variables (s <= i: a counter bounded by another), and
    # a sum that stays within the type's upper bound (c + x <= INT_MAX while x halves and c counts)
    types = prog.types()
    user = sorted(x for x in free_vars_stmt(c) if not x.startswith("_"))[:6]
    for x, y in itertools.permutations(user, 2):
        a = mk("le", Var(x), Var(y))
        if a not in cands:
            cands.append(a)
    for x, y in itertools.combinations(user, 2):
        hi = [BOUNDS[t][1] for t in (types.get(x), types.get(y)) if t in BOUNDS]
        if len(hi) == 2:
            cands.append(mk("le", mk("add", Var(x), Var(y)), Int(min(hi))))
    return cands


def free_vars_stmt(c: Expr) -> set:
    return {n.data[0] if n.op == "call" else n.data for n in postorder(c) if n.op in ("var", "assign", "havoc", "call")}


def negate(a: Expr) -> Expr:
    if a.op == "lt":
        return mk("le", a.args[1], a.args[0])
    if a.op == "le":
        return mk("lt", a.args[1], a.args[0])
    return mk("not", a)


def _distances(a: Expr) -> list[Expr]:
    """How far a comparison atom is from flipping: b - a for a < b, b - a + 1 for a <= b, |a - b| for a = b."""
    if a.op == "lt":
        return [a.args[1] if a.args[0] == Int(0) else mk("sub", a.args[1], a.args[0])]
    if a.op == "le":
        return [mk("add", mk("sub", a.args[1], a.args[0]), Int(1))]
    if a.op == "eq":                      # x != y: the distance |x - y|
        d = a.args[0] if a.args[1] == Int(0) else a.args[1] if a.args[0] == Int(0) else \
            mk("sub", a.args[0], a.args[1])
        return [mk("abs", d)]
    return []


def ranking_candidates(w: Expr) -> list[Expr]:
    """Terms to try as the loop's ranking function, most likely first: the guard's distances, the
    variables, their differences and sums, the distances of the body's own conditions (a loop left by
    `break` or `return`), those plus the jump flags still clear, and for a variable that wraps
    modulo M, its distance to M."""
    b, body = w.args
    vs = sorted(v for v in free_vars_stmt(w) if not v.startswith("_"))
    out = [d for a in atoms(b) for d in _distances(a)]
    for v in vs:
        out.append(Var(v))
        out.append(mk("neg", Var(v)))
    for x, y in itertools.permutations(vs, 2):
        out.append(mk("sub", Var(x), Var(y)))
    for x, y in itertools.combinations(vs, 2):
        out.append(mk("add", Var(x), Var(y)))
    inner = [a for n in postorder(body) if n.op == "if" for a in atoms(n.args[0])]
    body_d = [d for a in inner for d in _distances(a) + _distances(negate(a)) if a.op != "eq"]
    out += body_d
    out += [mk("max", d, Int(0)) for d in body_d]       # runs past the bound end blocked or by a jump
    flags = [f.args[0] for f in conjuncts(b) if f.op == "eq" and f.args[1] == Int(0)
             and f.args[0].op == "var" and f.args[0].data.startswith("__")]
    if flags:
        clear = mk("sub", Int(1), flags[0])
        for f in flags[1:]:
            clear = mk("add", clear, mk("sub", Int(1), f))
        for d in [d for a in atoms(b) for d in _distances(a)] + body_d:
            out.append(mk("add", mk("max", d, Int(0)), clear))
    for n in postorder(body):
        if n.op == "assign" and n.args[0].op == "mod" and n.args[0].args[1].op == "int" \
                and n.args[0].args[1].data > 0:
            m = n.args[0].args[1]
            out.append(mk("mod", mk("sub", m, Var(n.data)), m))
    seen, uniq = set(), []
    for t in out:
        if t not in seen:
            seen.add(t)
            uniq.append(t)
    return uniq


def find_specs(env, prog: Program, pre: Expr, total: bool, z3v: Z3, notes: list) -> dict | None:
    """Invariants (and variants) for every loop, or None."""
    specs: dict = {}
    cands = candidate_atoms(prog, prog.body)
    if not _walk(env, prog, prog.body, pre, specs, cands, total, z3v, notes):
        return None
    return specs


def _walk(env, prog, c: Expr, pre: Expr, specs, cands, total, z3v, notes) -> bool:
    """Assign specs to the loops of c, given that pre holds before c."""
    op = c.op
    if op == "seq":
        if not _walk(env, prog, c.args[0], pre, specs, cands, total, z3v, notes):
            return False
        return _walk(env, prog, c.args[1], sp(c.args[0], pre, specs), specs, cands, total, z3v, notes)
    if op == "if":
        b = c.args[0]
        return (_walk(env, prog, c.args[1], mk("and", pre, b), specs, cands, total, z3v, notes) and
                _walk(env, prog, c.args[2], mk("and", pre, mk("not", b)), specs, cands, total, z3v, notes))
    if op != "while":
        return True
    b, body = c.args
    changed = assigned(body)
    # facts about unchanged variables hold throughout the loop
    frame = [f for f in entry_facts(pre) if not (free_vars(f) & changed) and not _mentions_old(f)]
    inv = [f for f in frame]
    # Houdini: candidate atoms over changed variables that hold on entry and are preserved
    trial = z3v.valid_each(pre, [a for a in cands if free_vars(a) & changed])
    while True:
        guess = conj(inv + trial)
        inner_specs = dict(specs)
        _walk(env, prog, body, mk("and", guess, b), inner_specs, cands, False, z3v, [])
        wps = {}
        for a in trial:
            pre_a, _ = _wp_partial(body, a, inner_specs)
            if pre_a is not None:
                wps.setdefault(pre_a, []).append(a)
        ok = set(z3v.valid_each(mk("and", guess, b), list(wps)))
        keep = [a for a in trial if any(a in wps[w] for w in ok)]
        if len(keep) == len(trial):
            break
        trial = keep
    invariant = conj(inv + trial)
    spec = LoopSpec(invariant, None)
    specs[c] = spec
    if not _walk(env, prog, body, mk("and", invariant, b), specs, cands, total, z3v, notes):
        return False
    if total:
        guard = mk("and", invariant, b)
        for v in _synthesized(b, body, invariant, specs) + ranking_candidates(c):
            if is_ranking(v, guard, body, specs, z3v):
                spec.variant = v
                notes.append(f"loop at `while ({show(b)})`: ranking function {show_ranking(v, invariant)}, "
                             f"invariant {show(invariant)}")
                return True
        notes.append(f"no ranking function found for `while ({show(b)})`")
        return False
    return True


def _synthesized(b: Expr, body: Expr, invariant: Expr, specs: dict) -> list:
    """Linear and lexicographic ranking functions by Farkas' lemma (programs/ranking.py): candidates,
    checked like the enumerated ones."""
    from .ranking import synthesize
    out = []
    for cand in synthesize(b, body, invariant, specs):
        if cand:
            out.append(cand[0] if len(cand) == 1 else tuple(cand))
    return out


def is_ranking(v, guard: Expr, body: Expr, specs: dict, z3v: Z3) -> bool:
    """z3: from guard, every pass of body lowers v (a term: from v >= 0; a tuple: lexicographically)."""
    if isinstance(v, tuple) and len(v) == 1:
        v = v[0]
    taken = free_vars(guard) | program_vars(body) | {x for t in (v if isinstance(v, tuple) else (v,))
                                                     for x in free_vars(t)}
    if isinstance(v, tuple):
        zs = [Var(_unused(f"_rank{i}", taken)) for i in range(len(v))]
        wp_v, _ = _wp_partial(body, lex_decrease(list(v), zs), specs)
        snap = conj([mk("eq", vi, z) for vi, z in zip(v, zs)])
        return wp_v is not None and z3v.valid(closure(mk("imp", mk("and", guard, snap), wp_v)))
    if not z3v.valid(closure(mk("imp", guard, mk("le", Int(0), v)))):
        return False
    z = Var(_unused("_rank", taken))
    wp_v, _ = _wp_partial(body, mk("lt", v, z), specs)
    return wp_v is not None and z3v.valid(closure(mk("imp", mk("and", guard, mk("eq", v, z)), wp_v)))


def _unused(name: str, taken: set) -> str:
    while name in taken:
        name += "_"
    return name


def show_ranking(v, invariant: Expr) -> str:
    """The ranking function in the source's names: hidden variables (``__stop0``) replaced by what the
    invariant says they equal (``__stop0 = n``), when it does."""
    named = {}
    for f in conjuncts(invariant):
        if f.op == "eq":
            for h, t in (f.args, reversed(f.args)):
                if h.op == "var" and h.data.startswith("__") and not any(
                        n.startswith("__") for n in free_vars(t)):
                    named.setdefault(h.data, t)
    parts = [show(subst(t, named)) for t in (v if isinstance(v, tuple) else (v,))]
    return parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ") lexicographic"


def _mentions_old(f: Expr) -> bool:
    return any(v.startswith("_o") for v in free_vars(f))


def _wp_partial(c: Expr, q: Expr, specs: dict):
    """wp for checking (loops by their spec, frame otherwise); None if a loop has no spec."""
    ob = Obligations()
    try:
        pre, _ = Prover("hoare", _with_default(specs, c), ob).wp(c, q)
    except Exception:
        return None, None
    # a loop's obligations must hold too: fold them into the precondition as implications
    extra = [g.target for g, _ in ob.goals]
    return conj([pre] + extra), ob


def _with_default(specs: dict, c: Expr) -> dict:
    out = dict(specs)
    for w in loops_of(c):
        if w not in out:
            out[w] = LoopSpec(Expr("true"))
    return out


# ---- proofs ------------------------------------------------------------------------------------

@dataclass
class Verdict:
    answer: str           # "yes", "no", "don't know"
    text: str             # the first line to print
    details: list
    proof: object = None
    statement: Expr | None = None
    oracle: bool = False


def discharge(env, goal_formula: Expr):
    """A kernel proof of a closed verification condition: Quod's procedures, else the z3 oracle."""
    from tactics.engine import Engine
    from tactics.smt import SmtCounterexample, SmtDontKnow, smt_prove
    from tactics.state import ProofState, assemble
    from tactics.syntax import Tactic
    state = ProofState.start(goal_formula)
    eng = Engine(env)
    try:
        state = eng.run(state, Tactic("intros", (), None))
    except Exception:
        pass
    g = state.goals[0]
    try:
        out = smt_prove(env, g, (), 3_000_000, 5000)
    except (SmtDontKnow, SmtCounterexample):
        return None, False
    if not out.reconstructed and g.target.op == "and":
        # split conjunctions and open the binders inside them (a call's `forall y, Q -> R`): the parts
        # may each be rebuilt as kernel proofs where the whole was not
        split = _split_discharge(env, eng, state)
        if split is not None:
            return split, False
    return assemble(state.solve(g, out.proof, [])), not out.reconstructed


def _split_discharge(env, eng, state):
    from tactics.smt import SmtCounterexample, SmtDontKnow, smt_prove
    from tactics.state import assemble
    from tactics.syntax import Tactic
    for _ in range(200):
        if not state.goals:
            return assemble(state)
        g = state.goals[0]
        try:
            if g.target.op == "and":
                state = eng.run(state, Tactic("split", (), None))
                continue
            if g.target.op in ("forall", "imp"):
                state = eng.run(state, Tactic("intros", (), None))
                continue
            out = smt_prove(env, g, (), 3_000_000, 5000)
        except (SmtDontKnow, SmtCounterexample):
            return None
        except Exception:
            return None
        if not out.reconstructed:
            return None
        state = state.solve(g, out.proof, [])
    return None


def terminates_statement(prog: Program, when: Expr | None = None) -> Expr:
    pre = precondition(prog)
    if when is not None:
        pre = mk("and", pre, when)
    return Expr("total", (pre, prog.body, Expr("true")))


def prove_termination(env, prog: Program, when: Expr | None = None) -> Verdict:
    z3v = Z3(env)
    stmt = terminates_statement(prog, when)
    pre = stmt.args[0]
    notes: list = []
    specs = find_specs(env, prog, pre, True, z3v, notes)
    if specs is None:
        return Verdict("don't know", "don't know: " + (notes[-1] if notes else "no ranking function found"), notes)
    from .procs import contracts
    from .vcgen import MissingContract
    try:
        found = contracts(env, prog, "total", notes, z3v)
    except MissingContract as exc:
        return Verdict("don't know", f"don't know: {exc}", notes)
    except KernelError as exc:
        return Verdict("don't know", f"don't know: {exc}", notes)
    return prove_with_specs(env, stmt, specs, notes, found)


def prove_with_specs(env, stmt: Expr, specs: dict, notes: list, contracts: dict | None = None) -> Verdict:
    kind = stmt.op
    ob = Obligations()
    proof = Prover(kind, specs, ob, contracts).triple(*stmt.args)
    filled = {}
    oracle = False
    for g, why in ob.goals:
        p, used_oracle = discharge(env, g.target)
        if p is None:
            return Verdict("don't know", f"don't know: could not prove that {why}: {show(g.target)}", notes)
        oracle |= used_oracle
        filled[g.id] = p
    proof = _fill_holes(proof, filled)
    return Verdict("yes", "", notes, proof, stmt, oracle)


def _fill_holes(p, filled: dict):
    from tactics.state import ProofState, assemble
    root = -1
    assign = dict(filled)
    assign[root] = p
    return assemble(ProofState((), assign, root))


# ---- non-termination ----------------------------------------------------------------------------

def prove_divergence(env, prog: Program, max_inputs: int = 400, probe: int = 2000, replay: int = 1000,
                     failures: list | None = None):
    """Search a witness and a recurrent set; None if none is found.

    Small inputs are run; one still looping after many steps is a suspect. The
    atoms true at every loop test of that run (the program's own conditions, type
    ranges, and each constant variable's value) form a first recurrent set, which
    is shrunk until z3 shows the body preserves it (Houdini). The kernel then checks
    divergence from that input, and the run is replayed inside the set."""
    from tactics.evaluate import EvalError

    from .interp import AssertionFailed, Blocked, OutOfSteps, StateEvaluator, run
    z3v = Z3(env)
    cands = candidate_atoms(prog, prog.body)
    names = [x for x, _ in prog.params]
    values = [0, 1, 2, 5, -1, 3, 10, -5, 4, -2]
    types = dict(prog.params)
    # small values first, then each type's extremes (i <= n never fails for n = UINT_MAX)
    per_name = [values + [v for v in BOUNDS.get(types[x], ()) if v not in values] for x in names]
    tried = 0
    failed: dict = {}
    for combo in itertools.product(*per_name):
        if tried >= max_inputs:
            break
        start = dict(zip(names, combo))
        if not _satisfies(env, precondition(prog), start):
            continue
        tried += 1
        heads: dict = {}

        def record(node, state, heads=heads):
            heads.setdefault(id(node), (node, []))[1].append(dict(state))
        try:
            run(env, prog.body, start, probe, on_loop=record)
            continue                      # it terminated
        except OutOfSteps:
            pass
        except AssertionFailed as exc:
            if failures is not None and not failures:
                failures.append((start, exc.cond))
            continue
        except (Blocked, EvalError, KernelError):
            continue
        for node, states in heads.values():
            if node.op != "while" or loops_of(node.args[1]) or len(states) < 3:
                continue
            if any(n.op == "havoc" for n in postorder(node.args[1])):
                continue
            if failed.get(id(node), 0) >= 6:          # the same loop refused six suspects: move on
                continue
            r = _recurrent_set(env, node, states[len(states) // 2:], cands, z3v)
            if r is None:
                failed[id(node)] = failed.get(id(node), 0) + 1
                continue
            verdict = _divergence_proof(env, prog, node, r, start)
            if verdict is None:
                continue
            seen = [0]

            def watch(n, state, seen=seen, node=node, r=r):
                # from the first test of the loop inside R (earlier passes of an outer loop may
                # test it outside), every test must stay in R
                if n is node:
                    inside = StateEvaluator(env, state).ev(r) is True
                    if seen[0] and not inside:
                        raise _Left()
                    seen[0] += inside
            try:
                run(env, prog.body, start, replay * 50, on_loop=watch)
                continue
            except OutOfSteps:
                pass
            except (_Left, AssertionFailed, Blocked, EvalError, KernelError):
                continue
            if seen[0] < 2:
                continue
            verdict.details.append(f"replayed {seen[0]} loop iterations from the witness; every one stayed in the set")
            return verdict
    return None


def _recurrent_set(env, w: Expr, states: list, cands: list, z3v: Z3) -> Expr | None:
    from tactics.evaluate import EvalError

    from .interp import StateEvaluator
    b, body = w.args
    extra, observed = [], []
    for x in sorted(states[0]):
        vals = {st.get(x) for st in states}
        if None in vals or not all(isinstance(v, int) for v in vals):
            continue
        if len(vals) == 1:
            extra.append(mk("eq", Var(x), Int(vals.pop())))
            continue
        # what the run shows about x: its sign, a residue that never changes, the range it stayed in
        extra += [mk("lt", Var(x), Int(0)), mk("le", Var(x), Int(0))]
        for k in (2, 3, 4):
            if len({v % k for v in vals}) == 1:
                extra.append(mk("eq", mk("mod", Var(x), Int(k)), Int(min(vals) % k)))
        observed += [mk("le", Int(min(vals)), Var(x)), mk("le", Var(x), Int(max(vals)))]
    pool = []
    for a in cands + extra + observed:
        try:
            if all(StateEvaluator(env, st).ev(a) is True for st in states) and a not in pool:
                pool.append(a)
        except (EvalError, KernelError):
            continue
    trial = [a for a in pool if a != b]
    for _ in range(len(trial) + 1):
        r = conj([b] + trial)
        ok = _preserved(body, r, trial + [b], z3v)
        keep = [a for a in trial if a in ok]
        guard_ok = b in ok
        if len(keep) == len(trial) and guard_ok:
            return _minimise(body, b, trial, z3v, observed)
        if not guard_ok and len(keep) == len(trial):
            return None
        trial = keep
    return None


def _minimise(body: Expr, b: Expr, atoms_: list, z3v: Z3, observed=()) -> Expr:
    """Drop atoms while the rest is still a recurrent set (a shorter, more general witness)."""
    keep = list(atoms_)
    # try the most specific atoms first: a variable pinned to one value, then the run's own bounds
    for a in sorted(atoms_, key=lambda x: (x.op != "eq" or x.args[0].op == "mod", x not in observed)):
        trial = [x for x in keep if x is not a]
        r = conj([b] + trial)
        if len(_preserved(body, r, trial + [b], z3v)) == len(trial) + 1:
            keep = trial
    # a <= b and b <= a say a = b (the same set, easier to read)
    for a in list(keep):
        if a.op == "le" and a in keep and mk("le", a.args[1], a.args[0]) in keep:
            i = keep.index(a)
            keep = [x for x in keep if x is not a and x != mk("le", a.args[1], a.args[0])]
            keep.insert(min(i, len(keep)), mk("eq", a.args[1], a.args[0]) if a.args[0].op == "int" else
                        mk("eq", a.args[0], a.args[1]))
    return conj([b] + keep)


class _Left(Exception):
    pass


def _preserved(body: Expr, r: Expr, atoms_: list, z3v: Z3) -> set:
    """The atoms that every pass of body from r keeps true (one batch of solver calls)."""
    wps: dict = {}
    for a in atoms_:
        pre_a, _ = _wp_partial(body, a, {})
        if pre_a is not None:
            wps.setdefault(pre_a, []).append(a)
    return {a for w in z3v.valid_each(r, list(wps)) for a in wps[w]}


def _satisfies(env, f: Expr, state: dict) -> bool:
    from tactics.evaluate import EvalError

    from .interp import StateEvaluator
    try:
        return StateEvaluator(env, state).ev(f) is True
    except (EvalError, KernelError):
        return False


def _pin(state: dict) -> Expr:
    """The formula of exactly this state."""
    return conj([mk("eq", Var(x), Int(v)) for x, v in sorted(state.items())])


def _traced(env, c: Expr, state: dict, budget: int = 20_000, most: int = 60):
    """Run c from a concrete state; the loop specs that prove it: each loop's invariant is the
    disjunction of the states seen at its test (inductive, as the run is deterministic). Raises
    OutOfSteps when c does not finish, ValueError when the run is not suited."""
    from .interp import run
    if any(n.op == "havoc" for n in postorder(c)):
        raise ValueError("a nondeterministic pass")
    heads: dict = {}
    after = run(env, c, state, budget, on_loop=lambda n, st: heads.setdefault(n, []).append(dict(st)))
    specs = {}
    for node, states in heads.items():
        pins = list(dict.fromkeys(_pin(st) for st in states))
        if len(pins) > most:
            raise ValueError("a loop with too many passes to list")
        inv = pins[-1]
        for f in reversed(pins[:-1]):
            inv = mk("or", f, inv)
        specs[node] = LoopSpec(inv)
    return specs, after


def _divergence_proof(env, prog: Program, w: Expr, r: Expr, start: dict) -> Verdict | None:
    """Kernel proof of diverges prog from (x = v and ...), via the path from the start to w."""
    pre = _pin(start)
    ob = Obligations()

    def go(c: Expr, p: Expr, state: dict):
        """proof of diverges c from p, where p pins the concrete state."""
        if c is w or c == w:
            b, body = c.args
            pr = Prover("hoare", {}, ob)
            body_t = pr.triple(r, never_blocks(body), r)
            guard = ob.need(closure(mk("imp", r, b)), "the recurrent set lies inside the loop guard")
            d = P("diverges_while", b, body, guard, body_t)
            entry = ob.need(closure(mk("imp", p, r)), "the witness state is in the recurrent set")
            return P("diverges_conseq", entry, d, p)
        if c.op == "seq":
            first, second = c.args
            if any(n is w for n in postorder(first)):
                return P("diverges_prefix", go(first, p, state), second)
            specs, after = _traced(env, first, state)
            q = _pin(after)
            t = Prover("hoare", _never_blocks_specs(specs), ob).triple(p, never_blocks(first), q)
            return P("diverges_seq", first, t, go(second, q, after))
        if c.op == "while":
            # w is inside this loop: unroll the passes that end, until the one that runs forever
            from .interp import OutOfSteps, StateEvaluator
            b, body = c.args
            passes = []
            for _ in range(50):
                if StateEvaluator(env, state).ev(b) is not True:
                    raise ValueError("the loop ends before the diverging pass")
                guard = ob.need(closure(mk("imp", p, b)), "the loop guard holds")
                try:
                    specs, after = _traced(env, body, state)
                except OutOfSteps:
                    d = P("diverges_while_body", b, guard, go(body, p, state))
                    for guard_k, t_k in reversed(passes):
                        d = P("diverges_unroll", guard_k, t_k, d)
                    return d
                q = _pin(after)
                passes.append((guard, Prover("hoare", _never_blocks_specs(specs), ob).triple(
                    p, never_blocks(body), q)))
                p, state = q, after
            raise ValueError("too many passes before the diverging one")
        if c.op == "if":
            from .interp import StateEvaluator
            b = c.args[0]
            take = StateEvaluator(env, state).ev(b)
            branch, other = (c.args[1], c.args[2]) if take else (c.args[2], c.args[1])
            cond = ob.need(closure(mk("imp", p, b if take else mk("not", b))), "the branch taken")
            return P("diverges_if_then" if take else "diverges_if_else", b, other, cond, go(branch, p, state))
        raise ValueError("the loop is not reachable along a supported path")

    try:
        proof = go(prog.body, pre, dict(start))
    except Exception:
        # a loop before w: summarise the code before w by invariants (partial correctness suffices)
        ob = Obligations()
        try:
            specs = find_specs(env, prog, pre, False, Z3(env), [])
            proof = divergence_proof(prog.body, w, r, pre, ob, specs or {})
        except Exception:
            return None
    filled, oracle = {}, False
    for g, why in ob.goals:
        p, used = discharge(env, g.target)
        if p is None:
            return None
        oracle |= used
        filled[g.id] = p
    stmt = Expr("diverges", (pre, prog.body))
    witness = ", ".join(f"{x} = {v}" for x, v in start.items()) or "the start (it takes no arguments)"
    return Verdict("no", f"no: runs forever from {witness}", [f"recurrent set: {show(r)}"],
                   _fill_holes(proof, filled), stmt, oracle)


def prove_divergence_choosing(env, prog: Program):
    """Divergence of a program with nondeterministic values (``__VERIFIER_nondet_int()``, locals
    never initialised, ``havoc``): each is fixed to one value, every time it is drawn; if the program
    so fixed runs forever (`diverges`, and the run is replayed), the kernel's ``diverges_choose``
    concludes that some run of the original goes on forever (``can_diverge``)."""
    names = sorted({n.data for n in postorder(prog.body) if n.op == "havoc"})
    if not names or len(names) > 3:
        return None
    values = [0, 1, -1, 2, 5, 10][: {1: 6, 2: 4, 3: 3}[len(names)]]
    for combo in itertools.product(values, repeat=len(names)):
        choice = dict(zip(names, combo))
        fixed = fix_havocs(prog.body, choice)
        d = prove_divergence(env, dataclasses.replace(prog, body=fixed, loops=[]), max_inputs=40)
        if d is not None:
            # the kernel turns `diverges (fixed) from P` into `can_diverge (the program) from P`
            d.proof = P("diverges_choose", prog.body, tuple(sorted(choice.items())), d.proof)
            d.statement = Expr("can_diverge", (d.statement.args[0], prog.body))
            d.text += " when every nondeterministic value is " + \
                ", ".join(f"{x} = {v}" for x, v in choice.items())
            d.details.append("the theorem: some run of the program from there goes on forever (the one where "
                             "those values are drawn every time)")
            return d
    return None


def decide_termination(env, prog: Program) -> Verdict:
    """yes (kernel-checked ranking argument), no (kernel-checked recurrent set + replayed witness),
    or don't know."""
    from kernel import TheoremDecl
    v = prove_termination(env, prog)
    if v.answer != "yes":
        failures: list = []
        d = None
        if prog.procedures:
            from .procs import prove_recursive_divergence
            d = prove_recursive_divergence(env, prog)
        d = d or prove_divergence(env, prog, failures=failures) or prove_divergence_choosing(env, prog)
        if d is None and failures and v.answer == "don't know":
            start, cond = failures[0]
            at = ", ".join(f"{x} = {val}" for x, val in start.items()) or "the start"
            what = "undefined behaviour in C, such as an overflow" if prog.language == "c" else "an error"
            v.text += f"; and from {at} a run fails `assert({show(cond)})` ({what})"
        if d is not None:
            v = d
        elif v.answer == "don't know":
            return v
    try:
        thm = env.copy().add(TheoremDecl("_verdict", v.statement, v.proof))
    except KernelError as exc:
        return Verdict("don't know", f"don't know: the kernel rejected the proof ({exc})", v.details)
    v.oracle = bool(thm.axioms)
    if v.answer == "yes":
        ranks = [n.split("ranking function ", 1)[1].split(", invariant")[0] for n in v.details
                 if "ranking function" in n]
        parts = (["ranking function " + "; ".join(ranks)] if ranks else []) + \
            [n for n in v.details if "recursive calls decrease" in n]
        v.text = ("yes: " + "; ".join(parts)) if parts else "yes: the program has no loops"
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", v.text))
    hidden = sorted(h for h in prog.hidden if h in words)
    if hidden:
        v.details.append("where " + "; ".join(f"{h} {prog.hidden[h]}" for h in hidden))
    return v


# ---- divergence from a symbolic precondition (the `recurrent` tactic) --------------------------

def contains(c: Expr, w: Expr) -> bool:
    return any(n is w or (n.op == "while" and n == w) for n in postorder(c))


def divergence_proof(c: Expr, w: Expr, r: Expr, pre: Expr, ob: Obligations, specs: dict):
    """A proof of `diverges c from pre` through loop w with recurrent set r; side conditions in ob."""
    if c is w or c == w:
        b, body = c.args
        body_t = Prover("hoare", _never_blocks_specs(specs), ob).triple(r, never_blocks(body), r)
        guard = ob.need(closure(mk("imp", r, b)), "the recurrent set lies inside the loop guard")
        d = P("diverges_while", b, body, guard, body_t)
        if pre == r:
            return d
        entry = ob.need(closure(mk("imp", pre, r)), "the start states are in the recurrent set")
        return P("diverges_conseq", entry, d, pre)
    if c.op == "seq":
        first, second = c.args
        if contains(first, w):
            return P("diverges_prefix", divergence_proof(first, w, r, pre, ob, specs), second)
        mid = _div_pre(second, w, r, specs)
        t = Prover("hoare", _never_blocks_specs(specs), ob).triple(pre, never_blocks(first), mid)
        return P("diverges_seq", first, t, divergence_proof(second, w, r, mid, ob, specs))
    if c.op == "if":
        b, c1, c2 = c.args
        then = contains(c1, w)
        cond = ob.need(closure(mk("imp", pre, b if then else mk("not", b))), "the branch taken")
        branch, other = (c1, c2) if then else (c2, c1)
        return P("diverges_if_then" if then else "diverges_if_else", b, other, cond,
                 divergence_proof(branch, w, r, pre, ob, specs))
    raise ValueError("the loop is not on a supported path (sequences and ifs)")


def _never_blocks_specs(specs: dict) -> dict:
    """The loop specs, also keyed by each loop read with assumes as asserts (what the divergence rules check)."""
    out = dict(specs)
    for w, spec in specs.items():
        out.setdefault(never_blocks(w), spec)
    return out


def _div_pre(c: Expr, w: Expr, r: Expr, specs: dict) -> Expr:
    """What must hold before c for the divergence argument through w to apply."""
    if c is w or c == w:
        return r
    if c.op == "seq":
        first, second = c.args
        if contains(first, w):
            return _div_pre(first, w, r, specs)
        pre, _ = Prover("hoare", _never_blocks_specs(specs), Obligations()).wp(never_blocks(first),
                                                                              _div_pre(second, w, r, specs))
        return pre
    if c.op == "if":
        b, c1, c2 = c.args
        return mk("and", b, _div_pre(c1, w, r, specs)) if contains(c1, w) else \
            mk("and", mk("not", b), _div_pre(c2, w, r, specs))
    raise ValueError("unsupported path")
