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

import contextvars
import itertools
import re
from dataclasses import dataclass, field

from kernel import Expr, Int, KernelError, Var, free_vars, mk, show, subst
from kernel.expr import postorder
from kernel.hoare import lex_decrease

from programs.lang import BOUNDS, Program, conj, conjuncts, precondition, program_vars, range_fact, seq
from programs.vcgen import LoopSpec, Obligations, Prover, assigned

from .budget import OverBudget, budget, spend

# the proved contracts of the procedures the program being ranked calls: its candidate checks read a
# call through them (a call of a procedure without one: its target any value)
_known_calls: contextvars.ContextVar = contextvars.ContextVar("quod_known_calls", default=None)


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
        """f holds in every state (its free variables are z3 constants, so this is the validity of
        its closure, without building the quantifiers)."""
        if f in self.cache:
            return self.cache[f]
        spend()
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
        """The goals g with hyp -> g valid, found with few solver calls: ask for a state
        where hyp holds and some remaining goal fails, drop every goal that fails there, repeat.
        A goal the model cannot decide is checked on its own."""
        import z3
        spend()
        remaining = [g for g in goals if g.lbr == 0]
        if len(remaining) <= 1:
            return [g for g in remaining if self.valid(mk("imp", hyp, g))]
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
                remaining = [g for g in remaining if g in keep or g in unsure]     # in the given order
        except z3.Z3Exception:
            pass                              # (interrupted, or out of resources): one by one
        return [g for g in remaining if self.valid(mk("imp", hyp, g))]

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
        # what held before the loop, of the values it does not change (the loop's changes renamed
        # away, as for an assignment: facts inside a disjunction are kept too)
        frame = pre
        for x in sorted(assigned(c) & free_vars(pre)):
            old = f"_o{next(counter)}"
            while old in free_vars(frame):
                old = f"_o{next(counter)}"
            frame = Exists(old, subst(frame, {x: Var(old)}))
        if spec is None:
            return mk("and", frame, mk("not", c.args[0]))
        return mk("and", mk("and", spec.invariant, mk("not", c.args[0])), frame)
    raise ValueError(op)


def _connected(facts: list, names: set) -> list:
    """The facts that mention one of names, or a variable of such a fact, and so on."""
    names = set(names)
    keep: list = []
    rest = list(facts)
    grew = True
    while grew:
        grew = False
        for f in list(rest):
            if free_vars(f) & names:
                keep.append(f)
                rest.remove(f)
                names |= free_vars(f)
                grew = True
    return [f for f in facts if f in keep]


def frame_of(pre: Expr, changed: set) -> Expr:
    """The facts of pre (existential bodies opened, facts about their old values dropped) that mention
    no changed variable (what a recursive procedure's caller keeps across the call)."""
    facts = []
    for f in entry_facts(pre):
        if not (free_vars(f) & changed) and not _mentions_old(f) and f not in facts:
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
    # a loop left by `break` or `return` (guard `__brk = 0 and ...`): what the body's conditions say
    # while the loop goes on (`if (y < 1) break;` leaves 1 <= y whenever __brk = 0)
    for w in loops_of(c):
        for f in _jump_flags(w.args[0]):
            for n in postorder(w.args[1]):
                if n.op == "if":
                    for a in atoms(n.args[0]):
                        for x in (a, negate(a)):
                            imp = mk("imp", mk("eq", f, Int(0)), x)
                            if imp not in cands:
                                cands.append(imp)
    # what a loop with a conjunctive guard leaves behind (x <= 0 or y <= 0 after `while (x > 0 && y > 0)`),
    # for the loops after and around it
    for w in loops_of(c):
        if w.args[0].op == "and" and not _jump_flags(w.args[0]) and mk("not", w.args[0]) not in cands:
            cands.append(mk("not", w.args[0]))
    # the relation an assignment sets up (xtmp = x - 2: xtmp <= x - 2 stays true while xtmp falls)
    for n in postorder(c):
        if n.op == "assign" and n.args[0].op in ("add", "sub") and (free_vars(n.args[0]) - {n.data}) \
                and all(m.op in ("add", "sub", "int", "var", "neg") for m in postorder(n.args[0])):
            for a in (mk("le", Var(n.data), n.args[0]), mk("le", n.args[0], Var(n.data))):
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


def preorder_stmts(c: Expr) -> list:
    """The statements of c, each before the statements inside it, in program order."""
    out, stack = [], [c]
    while stack:
        n = stack.pop()
        out.append(n)
        if n.sort == "stmt":
            stack.extend(reversed([a for a in n.args if a.sort == "stmt"]))
    return out


def _jump_flags(b: Expr) -> list:
    """The flags (``__brk``, ``__ret``) a loop guard tests: the body sets one to leave the loop."""
    return [f.args[0] for f in conjuncts(b) if f.op == "eq" and f.args[1] == Int(0)
            and f.args[0].op == "var" and f.args[0].data.startswith("__")]


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
    flags = _jump_flags(b)
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


def find_specs(env, prog: Program, pre: Expr, total: bool, z3v: Z3, notes: list, banned=()) -> dict | None:
    """Invariants (and, when total, variants) for every loop, or None. ``banned``: (loop, variant) pairs
    not to propose again (a variant whose proof the kernel could not rebuild)."""
    return SpecFinder(env, prog, z3v, notes, banned).find(pre, total)


class SpecFinder:
    """Loop invariants for every loop at once, then ranking functions.

    *Invariants.* Each loop's invariant is what its entry states say about the variables it never
    changes (syntactically, and the candidate atoms over the variables it reads that z3 shows hold on
    entry), and the candidate atoms over the variables it changes that hold on entry and that every
    pass of its body keeps (Houdini). The candidates of all loops are shrunk together, round by round:
    a round walks the program once, checking each loop with the loops inside it summarised by their
    specs of the round before (``summarised``: they may change what they assign, and end in their
    invariant with their guard false; at first every inner loop is taken to end in `false`, the
    greatest start), and ends when no invariant changed. An atom is dropped only when it fails under
    stronger assumptions than the final ones, so the result is the greatest such fixpoint, found in
    about as many rounds as loops are nested (walking the inner loops again for every guess of the
    outer one took time exponential in the depth).

    *Variants.* With the invariants fixed, each loop (inner ones first) gets the first ranking
    candidate z3 shows bounded and decreasing (synthesized by Farkas' lemma, then enumerated)."""

    MAX_ROUNDS = 40
    MAX_SNAPSHOT_TRIES = 12   # enumerated candidates also tried with inner loops keeping snapshot facts

    def __init__(self, env, prog: Program, z3v: Z3, notes: list, banned=()):
        self.env, self.prog, self.z3v, self.notes = env, prog, z3v, notes
        self.banned = set(banned)
        self.cands = candidate_atoms(prog, prog.body)
        self.trial: dict = {}         # loop -> the Houdini atoms still standing
        self.prev: dict = {}          # loop -> LoopSpec of the round before
        self.entry: dict = {}         # loop -> its entry states (of the last round)
        self.changed = False

    def find(self, pre: Expr, total: bool) -> dict | None:
        specs: dict = {}
        for _ in range(self.MAX_ROUNDS):
            self.changed = False
            specs = {}
            self.walk(self.prog.body, pre, specs)
            self.prev = specs
            if not self.changed:
                break
        else:
            self.notes.append("the loop invariants did not settle")
            return None
        if total:
            for w in reversed(loops_of(self.prog.body)):      # inner loops (and later ones) first
                if w in specs and not self.rank(w, specs):
                    return None
        return specs

    def walk(self, c: Expr, pre: Expr, specs: dict) -> None:
        """Give every loop of c its invariant for this round, pre holding before c."""
        stack = [(c, pre)]
        while stack:
            spend()
            c, pre = stack.pop()
            if c.op == "seq":
                parts = []
                while c.op == "seq":
                    parts.append(c.args[0])
                    c = c.args[1]
                parts.append(c)
                for part in parts:
                    if any(n.op == "while" for n in postorder(part)):
                        self.walk(part, pre, specs)
                    pre = sp(part, pre, specs)
            elif c.op == "if":
                b = c.args[0]
                stack.append((c.args[2], mk("and", pre, mk("not", b))))
                stack.append((c.args[1], mk("and", pre, b)))
            elif c.op == "while":
                inv = self.invariant(c, pre)
                self.entry[c] = pre
                specs[c] = LoopSpec(inv)
                old = self.prev.get(c)
                if old is None or set(conjuncts(old.invariant)) != set(conjuncts(inv)):
                    self.changed = True
                stack.append((c.args[1], mk("and", inv, c.args[0])))

    def invariant(self, w: Expr, pre: Expr) -> Expr:
        b, body = w.args
        z3v = self.z3v
        changed = assigned(body)
        # facts about unchanged variables hold throughout the loop: those the entry states say
        # syntactically, and the candidates over variables the loop reads that z3 shows hold on entry
        # (y >= 1 after `if (y < 1) return;` holds on one side of a disjunction)
        inv = [f for f in entry_facts(pre) if not (free_vars(f) & changed) and not _mentions_old(f)]
        inv = _connected(inv, free_vars_stmt(w))     # facts about other variables only make proofs longer
        read = free_vars_stmt(w) - changed
        inv += [a for a in z3v.valid_each(pre, [a for a in self.cands if free_vars(a) and free_vars(a) <= read])
                if a not in inv]
        # Houdini: candidate atoms over changed variables that hold on entry and are preserved, the
        # loops inside by their specs of the round before (false, promising everything, at first)
        start = self.trial.get(w)
        if start is None:
            start = [a for a in self.cands if free_vars(a) & changed]
        trial = z3v.valid_each(pre, start)
        summary = summarised(body, self.prev)
        trial = houdini(trial, lambda kept: mk("and", conj(inv + kept), b),
                        lambda a: wp_partial(summary, a, {})[0], z3v)
        self.trial[w] = trial
        return conj(inv + trial)

    def rank(self, w: Expr, specs: dict) -> bool:
        from .cases import phase_ranking, phased_ranking, piecewise_ranking, split_ranking
        b, body = w.args
        spec = specs[w]
        found = self.ranking(w, spec.invariant, specs)
        if found is None:
            found = split_ranking(self, w, specs)
            if found is not None:
                spec.invariant = found[2]
        if found is None:
            found = phase_ranking(self, w, specs)
        if found is None:
            found = phased_ranking(self, w, specs) or piecewise_ranking(self, w, specs)
        if found is None:
            self.notes.append(f"no ranking function found for `while ({show(b)})`")
            return False
        v, outer = found[:2]
        for wi, f in (outer or {}).items():
            specs[wi].outer[w] = f
        spec.variant = v
        self.notes.append(Ranking(w, v, spec.invariant).note())
        return True

    def ranking(self, w: Expr, invariant: Expr, specs: dict, lex: bool = False, enumerated: bool = True):
        """(the first candidate shown to rank w from invariant, the inner loops' snapshot facts it
        needs), or None. ``lex``: for a component of a tuple (bounded only where it falls);
        ``enumerated``: the enumerated candidates too, after the synthesized ones."""
        b, body = w.args
        guard = mk("and", invariant, b)
        synth = synthesized(b, body, invariant, specs)
        inner = any(n.op == "while" for n in postorder(body))
        for k, v in enumerate(synth + (ranking_candidates(w) if enumerated else [])):
            if (w, v) in self.banned:
                continue
            if is_ranking(v, guard, body, specs, self.z3v, lex=lex):
                return v, None
            if inner and k < len(synth) + self.MAX_SNAPSHOT_TRIES:
                # an inner loop may be where v falls: let it keep facts about v's value at the start
                from .snapshots import snapshot_facts
                outer = snapshot_facts(v, w, specs, self.z3v)
                if outer and is_ranking(v, guard, body, specs, self.z3v, outer):
                    return v, outer
        return None

def summarised(c: Expr, specs: dict) -> Expr:
    """c with each outermost loop replaced by what its spec says it does: ``havoc`` what it assigns,
    then ``assume`` its invariant and its guard false (an invariant not known yet: ``false``, every
    outcome promised; such a loop is checked in its own right)."""
    new: dict[int, Expr] = {}
    for n in postorder(c):
        if n.sort != "stmt":
            continue
        if n.op == "while":
            spec = specs.get(n)
            changed = assigned(n)
            # what the invariant says of variables the loop changes (the rest holds before it anyway)
            inv = conj([f for f in conjuncts(spec.invariant) if free_vars(f) & changed]) if spec is not None \
                else Expr("false")
            new[id(n)] = seq([Expr("havoc", (), x) for x in sorted(changed)] +
                             [Expr("assume", (mk("and", inv, mk("not", n.args[0])),))])
            continue
        args = tuple(new.get(id(a), a) for a in n.args)
        if args != n.args:
            new[id(n)] = Expr(n.op, args, n.data)
    return new.get(id(c), c)


def synthesized(b: Expr, body: Expr, invariant: Expr, specs: dict) -> list:
    """Linear and lexicographic ranking functions by Farkas' lemma (analysis/ranking.py): candidates,
    checked like the enumerated ones."""
    from .ranking import synthesize
    out = []
    for cand in synthesize(b, body, invariant, specs):
        if cand:
            out.append(cand[0] if len(cand) == 1 else tuple(cand))
    return out


def is_ranking(v, guard: Expr, body: Expr, specs: dict, z3v: Z3, outer: dict | None = None,
               lex: bool = False) -> bool:
    """z3: from guard, every pass of body lowers v (a term: from v >= 0; a tuple: lexicographically).
    ``outer``: inner loop -> facts about v's snapshot (``snap_var``) its invariant keeps. ``lex``: a
    term is read as a 1-tuple (bounded below only where it falls, as a component of a tuple)."""
    if lex and not isinstance(v, tuple):
        v = (v,)
    if isinstance(v, tuple) and len(v) == 1 and not lex:
        v = v[0]
    taken = free_vars(guard) | program_vars(body) | {x for t in (v if isinstance(v, tuple) else (v,))
                                                     for x in free_vars(t)}
    from .snapshots import with_outer
    if isinstance(v, tuple):
        zs = [Var(unused_name(f"_rank{i}", taken)) for i in range(len(v))]
        wp_v, _ = wp_partial(body, lex_decrease(list(v), zs), with_outer(specs, outer, zs))
        snap = conj([mk("eq", vi, z) for vi, z in zip(v, zs)])
        return wp_v is not None and z3v.valid(mk("imp", mk("and", guard, snap), wp_v))
    if not z3v.valid(mk("imp", guard, mk("le", Int(0), v))):
        return False
    z = Var(unused_name("_rank", taken))
    wp_v, _ = wp_partial(body, mk("lt", v, z), with_outer(specs, outer, [z]))
    return wp_v is not None and z3v.valid(mk("imp", mk("and", guard, mk("eq", v, z)), wp_v))


def houdini(trial: list, guess, wp, z3v: Z3) -> list:
    """The largest inductive part of the candidate facts ``trial`` (Houdini): drop each fact whose
    precondition through one step, ``wp(a)`` (None: not computable), ``guess(kept)`` does not
    imply, until none is dropped."""
    while True:
        wps: dict = {}
        for a in trial:
            q = wp(a)
            if q is not None:
                wps.setdefault(q, []).append(a)
        ok = set(z3v.valid_each(guess(trial), list(wps)))
        keep = [a for a in trial if any(a in wps[q] for q in ok)]
        if len(keep) == len(trial):
            return trial
        trial = keep


def unused_name(name: str, taken: set) -> str:
    while name in taken:
        name += "_"
    return name


def show_ranking(v, invariant: Expr) -> str:
    """The ranking function in the source's names: hidden variables (``__stop0``) replaced by what the
    invariant says they equal (``__stop0 = n``), when it does; linear parts tidied (x + 1, not x - 0 + 1)."""
    named = {}
    for f in conjuncts(invariant):
        if f.op == "eq":
            for h, t in (f.args, reversed(f.args)):
                if h.op == "var" and h.data.startswith("__") and not any(
                        n.startswith("__") for n in free_vars(t)):
                    named.setdefault(h.data, t)
    from .linear import tidy
    parts = [show(tidy(subst(t, named))) for t in (v if isinstance(v, tuple) else (v,))]
    return parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ") lexicographic"


def _mentions_old(f: Expr) -> bool:
    return any(v.startswith("_o") for v in free_vars(f))


MAX_WP_PATHS = 2048     # more paths through straight-line code than this, and its wp is not built


def wp_paths(c: Expr, most: int = MAX_WP_PATHS) -> int:
    """How many copies of a postcondition the wp of c makes (paths through its ifs, each loop counting
    once: its wp is its invariant), capped at most + 1. The wp of n ifs in a row can be 2^n copies."""
    if c.op == "seq":
        n = 1
        while c.op == "seq":
            n = min(n * wp_paths(c.args[0], most), most + 1)
            c = c.args[1]
        return min(n * wp_paths(c, most), most + 1)
    if c.op == "if":
        return min(wp_paths(c.args[1], most) + wp_paths(c.args[2], most), most + 1)
    return 1


def wp_partial(c: Expr, q: Expr, specs: dict):
    """wp for checking (loops by their spec, frame otherwise); None if a loop has no spec, or if the wp
    would have more than MAX_WP_PATHS copies of q."""
    if wp_paths(c) > MAX_WP_PATHS:
        return None, None
    ob = Obligations()
    try:
        pre, _ = Prover("hoare", with_default(specs, c), ob, _known_calls.get(), guess_calls=True).wp(c, q)
    except Exception:
        return None, None
    # a loop's obligations must hold too: fold them into the precondition as implications
    extra = [g.target for g, _ in ob.goals]
    return conj([pre] + extra), ob


def with_default(specs: dict, c: Expr) -> dict:
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
    rankings: list = field(default_factory=list)     # a yes's loop arguments (Ranking), in program order


@dataclass(frozen=True)
class Ranking:
    """The argument that a loop ends: its ranking function (a term, or a tuple ordered
    lexicographically) under its invariant."""
    loop: Expr
    function: Expr | tuple
    invariant: Expr

    def show(self) -> str:
        return show_ranking(self.function, self.invariant)

    def note(self) -> str:
        """The detail line of ``quod terminates`` for this loop."""
        return (f"{LOOP_NOTE}({show(self.loop.args[0])})`: ranking function {self.show()}, "
                f"invariant {show(self.invariant)}")


LOOP_NOTE = "loop at `while "


def discharge(env, goal_formula: Expr):
    """A kernel proof of a closed verification condition: Quod's procedures, else the z3 oracle."""
    from tactics.engine import Engine
    from tactics.smt import SmtCounterexample, SmtDontKnow, smt_prove
    from tactics.state import ProofState, assemble
    from tactics.syntax import Tactic
    spend()
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
    if out.reconstructed:
        return assemble(state.solve(g, out.proof, [])), False
    # z3 says valid but the tableau could not rebuild the whole: split the target into its parts
    # (conjunctions, implications, universals) and rebuild each part on its own (each is valid, as
    # the whole is); only the parts that still fail rest on the oracle
    leaves = _split_goal(eng, state)
    if leaves is None:
        if g.target.op == "and":
            # a call's `forall y, Q -> R` inside a conjunction: opened by _split_discharge
            split = _split_discharge(env, eng, state)
            if split is not None:
                return split, False
        return assemble(state.solve(g, out.proof, [])), True
    state, oracle = leaves
    return assemble(state), oracle


def _split_goal(eng, state, most: int = 200):
    """(the state with every goal solved, whether some part rests on the oracle), the goals split by
    split and intros and each part proved by the tableau (the oracle where it cannot); None when the
    goal does not split or splits into more than ``most`` parts."""
    from tactics.smt import oracle_proof, reconstruct
    from tactics.syntax import Tactic
    oracle, parts = False, 0
    while state.goals:
        g = state.goals[0]
        t = g.target
        try:
            if t.op in ("and", "true"):
                state = eng.run(state, Tactic("split", (), None))
                continue
            if t.op in ("forall", "imp"):
                state = eng.run(state, Tactic("intros", (), None))
                continue
        except Exception:
            return None
        parts += 1
        if parts > most:
            return None
        pf = reconstruct(eng.env, g)
        if pf is None:
            pf = _without_unrelated(eng.env, g)
        if pf is None:
            oracle = True
            pf = oracle_proof(g)
        state = state.solve(g, pf, [])
    return (state, oracle) if parts > 1 else None


def _without_unrelated(env, g):
    """The tableau once more without the hypotheses that share no variable with the target, even
    through other hypotheses (a branch's `__nd2 != 0` splits every case it meets in two); the proof
    clears them. None if there are none, or it still fails."""
    from kernel import P
    from tactics.smt import reconstruct
    from tactics.state import Goal
    near = set(g.target.fv)
    grew = True
    while grew:
        grew = False
        for _, f in g.hyps:
            if f.fv & near and not f.fv <= near:
                near |= f.fv
                grew = True
    drop = tuple(h for h, f in g.hyps if f.fv and not f.fv & near)
    if not drop:
        return None
    pf = reconstruct(env, Goal(tuple((h, f) for h, f in g.hyps if h not in drop), g.target, g.vars))
    return None if pf is None else P("clear", drop, pf)


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


def prove_termination(env, prog: Program, when: Expr | None = None, share: float = 1.0) -> Verdict:
    try:
        with budget(share):
            return _prove_termination(env, prog, when)
    except OverBudget as exc:
        return Verdict("don't know", f"don't know: {exc}", [])


def _prove_termination(env, prog: Program, when: Expr | None = None) -> Verdict:
    z3v = Z3(env)
    stmt = terminates_statement(prog, when)
    pre = stmt.args[0]
    notes: list = []
    if wp_paths(prog.body) > MAX_WP_PATHS or any(wp_paths(w.args[1]) > MAX_WP_PATHS for w in loops_of(prog.body)):
        return Verdict("don't know", f"don't know: more than {MAX_WP_PATHS} paths through the code between two "
                       "loop tests (the verification conditions would be too large)", notes)
    from .recursion import contracts
    from programs.vcgen import MissingContract
    try:
        # the contracts first (they do not depend on the loops): a loop that calls a procedure is
        # ranked with what the callee's contract says of the call
        found = contracts(env, prog, "total", notes, z3v)
    except MissingContract as exc:
        return Verdict("don't know", f"don't know: {exc}", notes)
    except KernelError as exc:
        return Verdict("don't know", f"don't know: {exc}", notes)
    token = _known_calls.set(found)
    try:
        specs = find_specs(env, prog, pre, True, z3v, notes)
    finally:
        _known_calls.reset(token)
    if specs is None:
        return Verdict("don't know", "don't know: " + (notes[-1] if notes else "no ranking function found"), notes)
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
    from tactics.state import fill_holes
    proof = fill_holes(proof, filled)
    rankings = [Ranking(w, specs[w].variant, specs[w].invariant) for w in loops_of(stmt.args[1])
                if w in specs and specs[w].variant is not None]
    # one line per loop, from the arguments proved (a loop ranked again in a later round has a line
    # from each round in the notes)
    notes = [n for n in notes if not n.startswith(LOOP_NOTE)] + [r.note() for r in rankings]
    return Verdict("yes", "", notes, proof, stmt, oracle, rankings)


def decide_termination(env, prog: Program, divergence: bool = True) -> Verdict:
    """yes (kernel-checked ranking argument), no (kernel-checked recurrent set + replayed witness),
    or don't know. ``divergence=False``: a yes or a don't know, the whole budget for the yes."""
    try:
        with budget():
            return _decide_termination(env, prog, divergence)
    except OverBudget as exc:
        return Verdict("don't know", f"don't know: {exc}", [])


def _decide_termination(env, prog: Program, divergence: bool = True) -> Verdict:
    from kernel import TheoremDecl
    v = prove_termination(env, prog, share=0.4 if divergence else 1.0)    # the rest: a run that goes on forever
    if v.answer != "yes" and not divergence:
        return v
    if v.answer != "yes":
        from .divergence import find_divergence
        failures: list = []
        d = None
        if prog.procedures:
            from .divergence import prove_recursion_choosing
            from .recursion import prove_recursive_divergence
            d = prove_recursive_divergence(env, prog) or prove_recursion_choosing(env, prog)
        d = d or find_divergence(env, prog, failures)
        if d is None and failures and v.answer == "don't know":
            start, choice, cond = failures[0]
            at = ", ".join(f"{x} = {val}" for x, val in start.items()) or "the start"
            if choice:
                at += " when every nondeterministic value is " + ", ".join(f"{x} = {c}" for x, c in choice.items())
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
        ranks = [r.show() for r in v.rankings]
        parts = (["ranking function " + "; ".join(ranks)] if ranks else []) + \
            [n for n in v.details if "recursive calls decrease" in n or n.endswith("; no recursive call")]
        v.text = ("yes: " + "; ".join(parts)) if parts else "yes: the program has no loops"
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", v.text))
    hidden = sorted(h for h in prog.hidden if h in words)
    if hidden:
        v.details.append("where " + "; ".join(f"{h} {prog.hidden[h]}" for h in hidden))
    return v
