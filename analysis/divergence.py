"""Non-termination: a run that looks endless, a recurrent set around it, and a kernel proof.

*Witness search.* The program's inputs are its parameters and its nondeterministic values (each
``havoc x`` of the translation: a ``__VERIFIER_nondet_int()`` result, an uninitialised local that is
read). Each gets a list of values (small numbers, the program's own constants and their neighbours,
its type's extremes), and assignments are tried in order of increasing total rank, so that six
variables do not thin out the values each one gets. A havoc is fixed to one value every time it is
drawn (the kernel's ``diverges_choose``: that run is one of the program's runs). Each assignment is
run, which is cheap; one still running after ``probe`` steps is a suspect.

*Recurrent set.* For a loop the suspect run keeps testing, the atoms true at every test of it (the
program's conditions, type ranges, each constant variable's value, the bounds and residues the run
shows) are shrunk until z3 shows one pass of the body keeps them (Houdini) and the guard holds in
them: first over every test since the run entered the loop (the entry state is then inside), else
over the second half of the run, with the first passes unrolled until the run is inside. The loops
inside get invariants from the run (what holds at their tests in the second half; false for one the
run no longer reaches there, as in a scheduler whose other threads never run again), else their
frame (what they do not change). When no conjunction is kept by
the body, the states are split by which branches of the body they take (a sign that flips), else by
the pass's position modulo 2 or 3 (a value that cycles), and the set is a disjunction of one
conjunction per part, each part's pass landing in the part that followed it in the run
(``periodic_recurrent_set``).

*Proof.* The kernel checks ``diverges prog from (x = 5 and y = 0)`` (or ``can_diverge`` with the
chosen values): the code before the loop is followed along the run (its loops by the states the run
went through), the loop by ``diverges_while`` on the recurrent set; and the run is replayed from the
witness for many iterations and seen to stay in the set.
"""

from __future__ import annotations

import dataclasses

from kernel import Expr, Int, KernelError, P, Var, free_vars, mk, show, subst
from kernel.expr import postorder
from kernel.hoare import closure, fix_havocs, never_blocks

from .budget import clock
from .termination import (Verdict, Z3, houdini, wp_partial, with_default, candidate_atoms, discharge, find_specs,
                       loops_of, negate)
from programs.lang import BOUNDS, Program, conj, precondition
from programs.vcgen import LoopSpec, Obligations, Prover, assigned
from tactics.state import fill_holes

_SMALL = [0, 1, -1, 2, -2, 3, 5, 10, -3, 4, -5, 7, 100, -10]
MAX_SUSPECTS_PER_LOOP = 8      # a loop whose suspects gave no recurrent set this often is left alone
MAX_UNROLL = 40                # passes of the diverging loop followed before its run is in the set


# ---- the witness search ------------------------------------------------------------------------

def find_divergence(env, prog: Program, failures: list | None = None, max_runs: int = 600, probe: int = 2000,
                    replay: int = 1000, seconds: float = 20.0) -> Verdict | None:
    """A kernel-checked `no` (``diverges`` from pinned inputs, or ``can_diverge`` with chosen
    nondeterministic values), or None. ``failures`` collects (inputs, choice, condition) of a run that
    failed an assert, for the don't know's message."""
    from tactics.evaluate import EvalError

    from programs.interp import AssertionFailed, Blocked, OutOfSteps, run
    deadline = clock() + seconds
    z3v = Z3(env)
    cands = candidate_atoms(prog, prog.body)
    params = [x for x, _ in prog.params]
    havocs = sorted({n.data for n in postorder(prog.body) if n.op == "havoc"} - set(prog.demonic))
    types = prog.types()
    consts = program_constants(prog.body)
    lists = [values_for(types.get(x), consts) for x in params + havocs]
    pre = precondition(prog)
    failed: dict = {}
    for start, choice in trials(env, params, havocs, lists, pre, max_runs, deadline):
        try:
            # a havoc in a procedure's body (a call's own nondeterminism) is not chosen: 0 in this probe
            # run, which only picks suspects (the proof, by the kernel, holds for every value there)
            run(env, prog.body, start, probe, nondet=lambda x: choice.get(x, 0))
            continue                      # it terminated
        except OutOfSteps:
            pass
        except AssertionFailed as exc:
            if failures is not None and not failures:
                failures.append((start, choice, exc.cond))
            continue
        except (Blocked, EvalError, KernelError, RecursionError):
            continue
        _DEADLINE[0] = deadline
        try:
            v = _from_suspect(env, prog, start, choice, cands, z3v, failed, probe, replay, deadline)
        except _OutOfTime:
            return None
        finally:
            _DEADLINE[0] = float("inf")
        if v is not None:
            return v
    return None


_DEADLINE = [float("inf")]     # when the current search gives up (checked between solver calls)


class _OutOfTime(Exception):
    pass


def program_constants(c: Expr, most: int = 10) -> list[int]:
    """The integer constants of a program and their neighbours (k - 1, k, k + 1), those of its
    conditions first: the values where its branches change."""
    conds, others = [], []
    for n in postorder(c):
        if n.sort == "stmt" and n.op in ("if", "while", "assume", "assert"):
            conds.extend(m.data for m in postorder(n.args[0]) if m.op == "int")
        elif n.op == "assign":
            others.extend(m.data for m in postorder(n.args[0]) if m.op == "int")
    ks = list(dict.fromkeys(conds + others))[:most]
    out = []
    for k in ks:
        for v in (k, k + 1, k - 1):
            if v not in out:
                out.append(v)
    return out


def values_for(ty: str | None, consts: list) -> list[int]:
    """The values tried for one variable, most promising first: 0, +-1, +-2, the program's constants and
    their neighbours, more small numbers, the type's extremes; within the type's range."""
    out = []
    for v in _SMALL[:5] + consts + _SMALL[5:] + list(BOUNDS.get(ty, ())):
        if v not in out:
            out.append(v)
    if ty in BOUNDS:
        lo, hi = BOUNDS[ty]
        out = [v for v in out if lo <= v <= hi]
    return out


def by_rank(lists: list):
    """Every tuple of one value from each list, in order of increasing sum of the values' positions (so
    each variable gets its first few values before any gets its tenth)."""
    sizes = [len(x) for x in lists]
    if not lists:
        yield ()
        return
    if not all(sizes):
        return
    for s in range(sum(sizes) - len(sizes) + 1):
        for idx in _compositions(s, sizes, 0):
            yield tuple(x[i] for x, i in zip(lists, idx))


def trials(env, params: list, havocs: list, lists: list, pre: Expr, most: int, deadline: float):
    """(inputs, chosen values) to run, from the value lists of the parameters then the havocs, in
    order of increasing total rank (``by_rank``), inputs outside the precondition skipped; at most
    ``most`` of them, until ``deadline`` (``clock``)."""
    runs = 0
    for combo in by_rank(lists):
        if runs >= most or clock() > deadline:
            return
        start = dict(zip(params, combo[:len(params)]))
        if not _satisfies(env, pre, start):
            continue
        runs += 1
        yield start, dict(zip(havocs, combo[len(params):]))


def _compositions(s: int, sizes: list, k: int):
    """Index tuples for sizes[k:] with sum s (idx[i] < sizes[i])."""
    if k == len(sizes) - 1:
        if s < sizes[k]:
            yield (s,)
        return
    room = sum(sizes[k + 1:]) - len(sizes) + k + 1       # the most the later positions can take
    for i in range(max(0, s - room), min(s, sizes[k] - 1) + 1):
        for rest in _compositions(s - i, sizes, k + 1):
            yield (i,) + rest


def _from_suspect(env, prog: Program, start: dict, choice: dict, cands: list, z3v: Z3, failed: dict,
                  probe: int, replay: int, deadline: float) -> Verdict | None:
    """A proof from one suspect run, or None. With chosen values, the program with its havocs fixed is
    run again (its loops are other nodes) and proved to diverge; ``diverges_choose`` then gives
    ``can_diverge`` for the program itself."""
    from programs.interp import OutOfSteps, run
    body = fix_havocs(prog.body, choice) if choice else prog.body
    fixed = dataclasses.replace(prog, body=body, loops=[]) if choice else prog
    loops = loops_of(body)
    index = {id(w): i for i, w in enumerate(loops)}
    heads: dict = {}             # id of a loop -> (the loop, its states at each test, the run's step then)
    tick = [0]

    def record(node, state):
        tick[0] += 1
        entry = heads.setdefault(id(node), (node, [], []))
        entry[1].append(dict(state))
        entry[2].append(tick[0])
    try:
        run(env, body, start, probe, on_loop=record)
        return None
    except OutOfSteps:
        pass
    except Exception:
        return None
    for key, (node, states, ticks) in heads.items():
        i = index.get(key)
        if i is None or failed.get(i, 0) >= MAX_SUSPECTS_PER_LOOP or clock() > deadline:
            continue
        current = _since_entry(env, node, states)
        if len(current) < 3:
            continue
        v = None
        tries = [(k, {}) for k in (0, len(current) // 2)]
        if loops_of(node.args[1]):
            # inner loops: first by what the second half of the run shows of them, else by their frame
            half = len(current) // 2
            tries.insert(0, (half, inner_invariants(env, node, heads, ticks[len(states) - len(current) + half],
                                                    cands, z3v)))
        for k, inner in tries:
            r = recurrent_set(env, node, current[k:], cands, z3v, inner)
            if r is None:
                continue
            v = _divergence_proof(env, fixed, node, r, start, inner)
            if v is not None and _replays(env, body, node, r, start, replay):
                break
            v = None
        if v is None or v.oracle:       # a disjunctive set, else the run's own cycle of states
            for find in (lambda: periodic_recurrent_set(env, node, current, cands, z3v), lambda: state_cycle(current)):
                r = find()
                alt = _divergence_proof(env, fixed, node, r, start) if r is not None else None
                if alt is not None and (v is None or not alt.oracle) and _replays(env, body, node, r, start, replay):
                    v = alt
                    if not v.oracle:
                        break
        if v is None:
            failed[i] = failed.get(i, 0) + 1
            continue
        if choice:
            # the kernel turns `diverges (fixed) from P` into `can_diverge (the program) from P`
            v.proof = P("diverges_choose", prog.body, tuple(sorted(choice.items())), v.proof)
            v.statement = Expr("can_diverge", (v.statement.args[0], prog.body))
            v.text += " when every nondeterministic value is " + ", ".join(f"{x} = {c}" for x, c in choice.items())
            v.details.append("the theorem: some run of the program from there goes on forever (the one where "
                             "those values are drawn every time)")
        return v
    return None


def inner_invariants(env, w: Expr, heads: dict, since: int, cands: list, z3v: Z3) -> dict:
    """Specs of the loops inside w's body for a recurrent set of w, from the suspect run (``heads`` as
    ``_from_suspect`` records them): the atoms true at every test of the inner loop from step ``since``
    on, shrunk (Houdini) until one pass of its body keeps them; ``false`` for an inner loop the run
    no longer reaches there (the recurrent set must then show it unreachable). Each is only a guess:
    the kernel checks the invariants with the rest of the proof."""
    specs = {}
    for wi in loops_of(w.args[1]):
        changed = assigned(wi)         # facts about the others carry over the loop (its frame)
        _, states, ticks = heads.get(id(wi), (wi, [], []))
        states = [st for st, t in zip(states, ticks) if t >= since]
        if not states:
            specs[wi] = LoopSpec(Expr("false"))
            continue
        bi, nb = wi.args[0], never_blocks(wi.args[1])
        pool = [a for a in _atom_pool(env, states, cands)[0] if free_vars(a) & changed]
        inv = houdini(pool, lambda kept: mk("and", conj(kept), bi),
                      lambda a: wp_partial(nb, a, {})[0], z3v)
        specs[wi] = LoopSpec(conj(inv))
    return specs


def _since_entry(env, w: Expr, states: list) -> list:
    """The tests of loop w since the run last entered it (after its last test with a false guard)."""
    for k in range(len(states) - 1, -1, -1):
        if _satisfies(env, w.args[0], states[k]) is not True:
            return states[k + 1:]
    return states


def _replays(env, body: Expr, w: Expr, r: Expr, start: dict, replay: int) -> bool:
    """Run again, longer: from its first test of w inside r, every test of w stays in r."""
    from tactics.evaluate import EvalError

    from programs.interp import AssertionFailed, Blocked, OutOfSteps, StateEvaluator, run
    seen = [0]

    def watch(n, state):
        if n is w:
            inside = StateEvaluator(env, state).ev(r) is True
            if seen[0] and not inside:
                raise _Left()
            seen[0] += inside
    try:
        run(env, body, start, replay * 50, on_loop=watch)
        return False
    except OutOfSteps:
        pass
    except (_Left, AssertionFailed, Blocked, EvalError, KernelError):
        return False
    return seen[0] >= 2


# kept for callers of the earlier interface: a deterministic program's inputs, and nondeterministic ones
def prove_divergence(env, prog: Program, failures: list | None = None, **kw) -> Verdict | None:
    return find_divergence(env, prog, failures, **kw)


def prove_divergence_choosing(env, prog: Program) -> Verdict | None:
    return find_divergence(env, prog)


# ---- recurrent sets --------------------------------------------------------------------------------

def recurrent_set(env, w: Expr, states: list, cands: list, z3v: Z3, inner: dict | None = None) -> Expr | None:
    """A set of states inside w's guard that every pass of its body keeps, containing the given states
    (as a formula), or None. ``inner``: specs of the loops inside the body (default: their frame)."""
    b, body = w.args
    pool, observed = _atom_pool(env, states, cands)
    trial = [a for a in pool if a != b]
    for _ in range(len(trial) + 1):
        r = conj([b] + trial)
        ok = _preserved(body, r, trial + [b], z3v, inner)
        keep = [a for a in trial if a in ok]
        guard_ok = b in ok
        if len(keep) == len(trial) and guard_ok:
            return _minimise(body, b, trial, z3v, observed, inner)
        if not guard_ok and len(keep) == len(trial):
            return None
        trial = keep
    return None


def _atom_pool(env, states: list, cands: list) -> tuple[list, list]:
    """The atoms true at every given state: the candidates, each constant variable's value, what the
    run shows about the others (sign, a residue that never changes, the range they stayed in); and
    those ranges apart (the atoms most worth dropping)."""
    from tactics.evaluate import EvalError

    from programs.interp import StateEvaluator
    extra, observed = [], []
    for x in sorted(states[0]):
        vals = {st.get(x) for st in states}
        if None in vals or not all(isinstance(v, int) for v in vals):
            continue
        if len(vals) == 1:
            extra.append(mk("eq", Var(x), Int(vals.pop())))
            continue
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
    return pool, observed


def state_cycle(states: list, most: int = 4) -> Expr | None:
    """A periodic orbit: when the run's last state at the loop test was also its state k <= ``most``
    passes before, the disjunction of the k states of the cycle, each pinned where the loop's entry had
    a value (a set that one pass keeps whatever the body: its proof is evaluation, not reasoning about
    a big body)."""
    known = set(states[0])       # what a pass writes before it reads it has no value at the loop's entry
    for k in range(1, most + 1):
        if len(states) > k and states[-1 - k] == states[-1]:
            r = None
            for st in states[-k:]:
                pin = _pin({x: v for x, v in st.items() if x in known})
                r = pin if r is None else mk("or", r, pin)
            return r
    return None


def periodic_recurrent_set(env, w: Expr, states: list, cands: list, z3v: Z3) -> Expr | None:
    """A disjunctive recurrent set for a run that cycles through kinds of states (a sign that flips, a
    branch taken every other pass): the run's tests of w are split into parts, by the truth of the
    body's branch conditions, else by the pass's position modulo 2 or 3; each part gets the atoms
    true at its states, shrunk (Houdini) until one pass from each part lands in the part that followed
    it in the run. The set is the disjunction of the parts, which one pass keeps; None if no split
    has parts that always follow one another in the same order."""
    b, body = w.args
    conds = list(dict.fromkeys(n.args[0] for n in postorder(body) if n.op == "if"))
    keys = [("branches", lambda t, st: tuple(_satisfies(env, c, st) for c in conds))] if conds else []
    keys += [(f"pass mod {m}", lambda t, st, m=m: t % m) for m in (2, 3)]
    for _, key in keys:
        labels = [key(t, st) for t, st in enumerate(states)]
        parts: dict = {}
        for lab, st in zip(labels, states):
            parts.setdefault(lab, []).append(st)
        succ: dict = {}
        for a, c in zip(labels, labels[1:]):
            succ.setdefault(a, set()).add(c)
        if not 2 <= len(parts) <= 4 or any(len(v) != 1 for v in succ.values()) or set(succ) != set(parts):
            continue
        succ = {a: next(iter(v)) for a, v in succ.items()}
        atoms = {lab: [a for a in _atom_pool(env, sts, cands)[0] if a != b] for lab, sts in parts.items()}
        if _periodic_houdini(body, b, atoms, succ, z3v):
            # drop what is not needed, one atom at a time from every part (pins and residues first)
            every = list(dict.fromkeys(a for lab in atoms for a in atoms[lab]))
            for a in sorted(every, key=lambda x: (x.op != "eq", x.args[0].op != "mod")):
                trial = {lab: [x for x in atoms[lab] if x != a] for lab in atoms}
                if _periodic_houdini(body, b, trial, succ, z3v):
                    atoms = trial
            parts_ = list(dict.fromkeys(conj([b] + _tidy(atoms[lab])) for lab in atoms))
            if len(parts_) < 2:
                continue                # one conjunction after all: recurrent_set's case
            r = parts_[0]
            for part in parts_[1:]:
                r = mk("or", r, part)
            return r
    return None


def _periodic_houdini(body: Expr, b: Expr, atoms: dict, succ: dict, z3v: Z3, shrink: bool = True) -> bool:
    """Shrink each part's atoms (in place) until one pass from each part keeps the guard and its
    successor's atoms; False when the guard is lost (or, without ``shrink``, when an atom is)."""
    while True:
        changed = False
        for lab, nxt in succ.items():
            ok = _preserved(body, conj([b] + atoms[lab]), atoms[nxt] + [b], z3v)
            if b not in ok:
                return False
            keep = [a for a in atoms[nxt] if a in ok]
            if len(keep) < len(atoms[nxt]):
                if not shrink:
                    return False
                atoms[nxt], changed = keep, True
        if not changed:
            return True


def _minimise(body: Expr, b: Expr, atoms_: list, z3v: Z3, observed=(), inner: dict | None = None) -> Expr:
    """Drop atoms while the rest is still a recurrent set (a shorter, more general witness)."""
    keep = list(atoms_)
    # try the most specific atoms first: a variable pinned to one value, then the run's own bounds;
    # in halves, then quarters, ... down to one at a time (few solver calls when most atoms go)
    order = sorted(atoms_, key=lambda x: (x.op != "eq" or x.args[0].op == "mod", x not in observed))
    size = max(1, len(order) // 2)
    while True:
        for i in range(0, len(order), size):
            drop = [x for x in order[i:i + size] if any(x is y for y in keep)]
            if not drop:
                continue
            trial = [x for x in keep if not any(x is y for y in drop)]
            r = conj([b] + trial)
            if len(_preserved(body, r, trial + [b], z3v, inner)) == len(trial) + 1:
                keep = trial
        if size == 1:
            break
        size //= 2
    return conj([b] + _tidy(keep))


def _tidy(keep: list) -> list:
    """a <= b and b <= a said as a = b (the same set, easier to read)."""
    for a in list(keep):
        if a.op == "le" and a in keep and mk("le", a.args[1], a.args[0]) in keep:
            i = keep.index(a)
            keep = [x for x in keep if x is not a and x != mk("le", a.args[1], a.args[0])]
            keep.insert(min(i, len(keep)), mk("eq", a.args[1], a.args[0]) if a.args[0].op == "int" else
                        mk("eq", a.args[0], a.args[1]))
    return keep


class _Left(Exception):
    pass


def _preserved(body: Expr, r: Expr, atoms_: list, z3v: Z3, inner: dict | None = None) -> set:
    """The atoms that every pass of body from r keeps true, never blocked (one batch of solver calls);
    inner loops by their specs in ``inner``, else by their frame."""
    if clock() > _DEADLINE[0]:
        raise _OutOfTime()
    ssa = _ssa_cached(body)
    nb = never_blocks(body) if ssa is None else None
    if ssa is not None:
        eqs, ok, final = ssa
        goals: dict = {}
        for a in atoms_:
            goals.setdefault(conj([ok, subst(a, final)]), []).append(a)
        return {a for g in z3v.valid_each(mk("and", r, eqs), list(goals)) for a in goals[g]}
    wps: dict = {}
    for a in atoms_:
        pre_a, _ = wp_partial(nb, a, _never_blocks_specs(inner or {}))
        if pre_a is not None:
            wps.setdefault(pre_a, []).append(a)
    return {a for w in z3v.valid_each(r, list(wps)) for a in wps[w]}


_SSA: dict = {}


def _ssa_cached(c: Expr):
    """``_ssa`` of c with its assumes read as asserts, as (the equations as one formula, no assert
    fails, final values), made once per body: the same formula objects each time, which the solver's
    encoder has seen."""
    if c not in _SSA:
        if len(_SSA) > 64:
            _SSA.clear()
        out = _ssa(never_blocks(c))
        if out is not None:
            eqs, fails, final = out
            out = (conj(eqs), mk("not", fails) if fails is not None else None, final)
        _SSA[c] = out
    return _SSA[c]


def _ssa(c: Expr):
    """A loop-free, call-free statement as formulas (static single assignment): (equations defining
    fresh versions of the variables it writes, the condition under which an assert fails or None, the
    final value of each variable it writes). ``{R} c {A}`` holds iff ``R and eqs -> not fail and
    A[final]`` is valid: one formula the size of c, where the wp copies A along every path (a body
    with hundreds of paths and a hundred candidate atoms made the Houdini step minutes long). Only a
    filter: the recurrent set it keeps is proved by the kernel through the wp. None when c has a loop
    or a call."""
    if any(n.op in ("while", "call") for n in postorder(c)):
        return None
    eqs: list = []
    fails: list = []
    count = [0]

    def fresh(x: str) -> Expr:
        count[0] += 1
        return Var(f"{x}#{count[0]}")

    def go(c: Expr, m: dict, reach: Expr) -> dict:
        op = c.op
        if op == "seq":
            while c.op == "seq":
                m = go(c.args[0], m, reach)
                c = c.args[1]
            return go(c, m, reach)
        if op == "skip":
            return m
        if op == "assign":
            v = fresh(c.data)
            eqs.append(mk("eq", v, subst(c.args[0], m)))
            return {**m, c.data: v}
        if op == "havoc":
            return {**m, c.data: fresh(c.data)}
        if op in ("assert", "assume"):
            cond = subst(c.args[0], m)
            if cond.op != "true":
                fails.append(conj([reach, mk("not", cond)]))
            return m
        if op == "if":
            g = subst(c.args[0], m)
            a = go(c.args[1], m, conj([reach, g]))
            b = go(c.args[2], m, conj([reach, mk("not", g)]))
            out = dict(m)
            for x in set(a) | set(b):
                ta, tb = a.get(x, Var(x)), b.get(x, Var(x))
                if ta == tb:
                    out[x] = ta
                    continue
                v = fresh(x)
                eqs.append(mk("eq", v, Expr("ite", (g, ta, tb))))
                out[x] = v
            return out
        raise ValueError(op)

    try:
        final = go(c, {}, Expr("true"))
    except ValueError:
        return None
    fail = None
    for f in fails:
        fail = f if fail is None else mk("or", fail, f)
    return eqs, fail, final


def _satisfies(env, f: Expr, state: dict) -> bool:
    from tactics.evaluate import EvalError

    from programs.interp import StateEvaluator
    try:
        return StateEvaluator(env, state).ev(f) is True
    except (EvalError, KernelError):
        return False


def _pin(state: dict) -> Expr:
    """The formula of exactly this state."""
    return conj([mk("eq", Var(x), Int(v)) for x, v in sorted(state.items())])


def _traced(env, c: Expr, state: dict, budget: int = 20_000, most: int = 60):
    """Run c from a concrete state; the loop specs that prove it: each loop's invariant is the
    disjunction of the states seen at its test (inductive, as the run is deterministic; false for a
    loop the run does not reach). Raises
    OutOfSteps when c does not finish, ValueError when the run is not suited."""
    from programs.interp import run
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
    for w in loops_of(c):          # a loop the run does not reach: none of its states
        specs.setdefault(w, LoopSpec(Expr("false")))
    return specs, after


# ---- proofs ------------------------------------------------------------------------------------

def _divergence_proof(env, prog: Program, w: Expr, r: Expr, start: dict, inner: dict | None = None) -> Verdict | None:
    """Kernel proof of diverges prog from (x = v and ...), via the path from the start to w (the loops
    inside w by their specs in ``inner``, else by their frame)."""
    from programs.interp import OutOfSteps, StateEvaluator
    pre = _pin(start)
    ob = Obligations()

    def pass_triple(body: Expr, p: Expr, state: dict):
        """One pass of body from the pinned state: (its proof {p} never_blocks(body) {q}, q, state after)."""
        specs, after = _traced(env, body, state)
        q = _pin(after)
        return Prover("hoare", _never_blocks_specs(specs), ob).triple(p, never_blocks(body), q), q, after

    def go(c: Expr, p: Expr, state: dict):
        """proof of diverges c from p, where p pins the concrete state."""
        if c is w or c == w:
            b, body = c.args
            passes = []
            # the first passes, until the run is inside the recurrent set
            while StateEvaluator(env, state).ev(r) is not True:
                if len(passes) >= MAX_UNROLL or StateEvaluator(env, state).ev(b) is not True:
                    raise ValueError("the run does not reach the recurrent set")
                guard = ob.need(closure(mk("imp", p, b)), "the loop guard holds")
                t, p, state = pass_triple(body, p, state)
                passes.append((guard, t))
            pr = Prover("hoare", _never_blocks_specs(with_default(inner or {}, body)), ob)
            body_t = pr.triple(r, never_blocks(body), r)
            guard = ob.need(closure(mk("imp", r, b)), "the recurrent set lies inside the loop guard")
            d = P("diverges_while", b, body, guard, body_t)
            entry = ob.need(closure(mk("imp", p, r)), "the witness state is in the recurrent set")
            d = P("diverges_conseq", entry, d, p)
            for guard_k, t_k in reversed(passes):
                d = P("diverges_unroll", guard_k, t_k, d)
            return d
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
            b, body = c.args
            passes = []
            for _ in range(50):
                if StateEvaluator(env, state).ev(b) is not True:
                    raise ValueError("the loop ends before the diverging pass")
                guard = ob.need(closure(mk("imp", p, b)), "the loop guard holds")
                try:
                    t, q, after = pass_triple(body, p, state)
                except OutOfSteps:
                    d = P("diverges_while_body", b, guard, go(body, p, state))
                    for guard_k, t_k in reversed(passes):
                        d = P("diverges_unroll", guard_k, t_k, d)
                    return d
                passes.append((guard, t))
                p, state = q, after
            raise ValueError("too many passes before the diverging one")
        if c.op == "if":
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
            proof = divergence_proof(prog.body, w, r, pre, ob, with_default(specs or {}, prog.body))
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
                   fill_holes(proof, filled), stmt, oracle)


# ---- divergence from a symbolic precondition (also the `recurrent` tactic) --------------------

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


__all__ = ["find_divergence", "prove_divergence", "prove_divergence_choosing", "divergence_proof", "contains",
           "program_constants", "values_for", "by_rank", "trials", "negate", "periodic_recurrent_set", "state_cycle",
           "prove_recursion_choosing", "chosen_recursion_proof"]


# ---- recursion with nondeterministic choices ------------------------------------------------------

def prove_recursion_choosing(env, prog: Program, max_runs: int = 300, steps: int = 3000,
                             seconds: float = 10.0) -> Verdict | None:
    """A kernel-checked `no` for a program that calls a recursive procedure whose own nondeterministic
    choices decide whether it recurses forever (a binary search that may call itself on the same
    interval): inputs and one value per havoc (the program's and the procedures') are tried; a run
    still going after ``steps`` gives recurrent sets over the arguments of a procedure it keeps
    calling (``recursion.recurrent_candidates``), and ``can_diverge_rec`` proves that the program
    with those values fixed, whose runs are the program's, runs forever."""
    from tactics.evaluate import EvalError

    from programs.interp import AssertionFailed, Blocked, OutOfSteps, run

    from .recursion import declare, recurrent_candidates
    if not prog.procedures:
        return None
    try:
        declare(env, prog)
    except KernelError:
        return None
    deadline = clock() + seconds
    bodies = [prog.body] + [p.body for p in prog.procedures.values()]
    params = [x for x, _ in prog.params]
    # a procedure's body has more runs than its function (an uninitialised local is any integer, every
    # order of a call's operands): only an input's choice is fixed there, to a value of its type
    inside: dict = {}
    for name, havocs_ in getattr(prog, "proc_choices", {}).items():
        for x, ty in havocs_.items():
            inside.setdefault(x, set()).add(ty)
    if not inside:
        return None             # no choice inside a procedure: recursion.prove_call_divergence's case
    types = prog.types()
    mine = {n.data for n in postorder(prog.body) if n.op == "havoc"} - set(prog.demonic)
    havocs = sorted(mine | set(inside))
    consts = list(dict.fromkeys(k for b in bodies for k in program_constants(b)))

    def allowed(x):
        tys = ({types.get(x)} if x in mine else set()) | inside.get(x, set())
        return [v for v in values_for(None, consts)
                if all(BOUNDS.get(t, (v, v))[0] <= v <= BOUNDS.get(t, (v, v))[1] for t in tys)]
    lists = [values_for(types.get(x), consts) for x in params] + [allowed(x)[:8] for x in havocs]
    pre = precondition(prog)
    z3v = Z3(env)
    tried: set = set()
    for start, choice in trials(env, params, havocs, lists, pre, max_runs, deadline):
        seen: dict = {}

        def watch(name, vals):
            if len(seen.setdefault(name, [])) < 200:
                seen[name].append(tuple(vals))
        try:
            run(env, prog.body, start, steps, nondet=lambda x: choice.get(x, 0), on_call=watch)
            continue
        except OutOfSteps:
            pass
        except (AssertionFailed, Blocked, EvalError, KernelError, RecursionError):
            continue
        w = conj([pre] + [mk("eq", Var(x), Int(v)) for x, v in start.items()])
        for name, calls in seen.items():
            proc = prog.procedures.get(name)
            if proc is None:
                continue
            for r in recurrent_candidates(proc.params, calls):
                own = {x: v for x, v in choice.items() if x in prog.proc_choices.get(name, {})}
                if (name, r, tuple(sorted(own.items()))) in tried:
                    continue
                tried.add((name, r, tuple(sorted(own.items()))))
                top = {x: v for x, v in choice.items() if x in mine}
                proof = chosen_recursion_proof(env, ((name, r, tuple(sorted(own.items()))),), prog.body, top, w, z3v)
                if proof is None:
                    continue
                at = ", ".join(f"{x} = {v}" for x, v in start.items()) or "the start"
                fixed = {**top, **own}
                return Verdict("no", f"no: runs forever from {at} when every nondeterministic value is "
                               + ", ".join(f"{x} = {c}" for x, c in fixed.items()),
                               [f"recurrent set of {name}: {show(r)} (every call from it calls {name} from it "
                                "again when those values are drawn)",
                                "the theorem: some run of the program from there goes on forever (the one where "
                                "those values are drawn every time)"],
                               proof, Expr("can_diverge", (w, prog.body)), False)
    return None


def chosen_recursion_proof(env, specs: tuple, body: Expr, choice: dict, pre: Expr, z3v: Z3 | None = None):
    """A proof of ``can_diverge body from pre`` by ``can_diverge_rec`` with the given specs ((p, R_p,
    ((x, v), ...)), ...) and the body's choice, every obligation proved without an oracle; or None."""
    from kernel.check import Checker
    from kernel.hoare import can_diverge_rec_obligations

    from programs.vcgen import MissingAnnotation, MissingContract

    from .recursion import div_proof
    ch = tuple((x, Int(v)) for x, v in sorted(choice.items()))
    specs = tuple((p, r, tuple((x, Int(v)) for x, v in c)) for p, r, c in specs)
    try:
        top, obligations = can_diverge_rec_obligations(Checker(env), specs, body, ch)
    except KernelError:
        return None
    ob = Obligations()
    proofs = []
    for pre_i, c in [(pre, top)] + [(o.args[0], o.args[1]) for o in obligations]:
        try:
            d = div_proof(c, {}, ob, None)
        except (MissingAnnotation, MissingContract, ValueError):
            return None
        if d is None:
            return None
        need = closure(mk("imp", pre_i, d[0]))
        if z3v is not None and not z3v.valid(need):
            return None
        proofs.append(P("diverges_conseq", ob.need(need, "the start reaches a call from the recurrent set"),
                        d[1], pre_i))
    filled = {}
    for g, _ in ob.goals:
        p, used = discharge(env, g.target)
        if p is None or used:
            return None
        filled[g.id] = p
    return P("can_diverge_rec", specs, body, ch, tuple(fill_holes(p, filled) for p in proofs))
