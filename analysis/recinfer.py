"""Contracts for recursive procedures found by search: a precondition and a postcondition kept by a
Houdini fixpoint, and a measure synthesised from the procedure's call transitions.

*Conditions.* Candidates are comparisons of one parameter with a constant or another parameter
(precondition) and of the result with a constant or a parameter plus -1, 0 or 1 (postcondition). A
precondition atom stays while it holds at every call of the procedure: those of its callers (from
their entry, the calls' results given by their callees' contracts) and its own recursive ones
(from its entry, assuming every atom still standing); a postcondition atom stays while every normal
end of the body establishes it under the same assumptions. The survivors are the greatest
fixpoint. Contexts are strongest postconditions (``trace``), an over-approximation: the contract is
only a proposal, proved by the kernel's ``hoare_rec``/``total_rec`` like any other.

*Measures.* Each recursive call is a transition from the parameters at the procedure's entry to the
call's arguments, under the path condition that reaches it. The transitions, written as the body of
a loop ``while (true)`` (choose a call; run the body up to it, other calls read through the
postcondition; parameters := arguments), go to ``ranking.synthesize``: a linear, lexicographic or
multiphase ranking function of that loop is a measure of the procedure (the kernel's ``total_rec``
asks exactly that each call decrease it lexicographically from a value bounded below).
"""

from __future__ import annotations

import itertools

from kernel import Exists, Expr, Int, Var, free_vars, mk, subst
from kernel.expr import postorder

from programs.lang import conj

_names = itertools.count()


def _fresh(avoid: set, stem: str = "_rc") -> str:
    while True:
        x = f"{stem}{next(_names)}"
        if x not in avoid:
            return x


def trace(c: Expr, pre: Expr, posts: dict, target: frozenset, out: list, specs: dict | None = None) -> Expr:
    """The strongest postcondition of c from pre; each call of a ``target`` met is recorded in ``out``
    as (the state before it, the call). A call x = q(e) ends where posts[q] (over q's parameters and
    result) holds of e and x; q missing: x is any value. A loop: its invariant (``specs``) and the
    facts it does not touch."""
    from programs.vcgen import assigned

    from .termination import frame_of
    op = c.op
    if op == "skip":
        return pre
    if op in ("assign", "havoc"):
        x = c.data
        old = _fresh(free_vars(pre) | (free_vars(c.args[0]) if op == "assign" else set()))
        body = subst(pre, {x: Var(old)})
        if op == "assign":
            body = mk("and", body, mk("eq", Var(x), subst(c.args[0], {x: Var(old)})))
        return Exists(old, body)
    if op == "call":
        x, q = c.data
        if q in target:
            out.append((pre, c))
        old = _fresh(free_vars(pre) | {v for e in c.args for v in free_vars(e)})
        body = subst(pre, {x: Var(old)})
        spec = posts.get(q)
        if spec is not None:
            params, result, post = spec
            args = {a: subst(e, {x: Var(old)}) for a, e in zip(params, c.args)}
            body = mk("and", body, subst(post, {**args, result: Var(x)}))
        return Exists(old, body)
    if op in ("assume", "assert"):
        return mk("and", pre, c.args[0])
    if op == "seq":
        return trace(c.args[1], trace(c.args[0], pre, posts, target, out, specs), posts, target, out, specs)
    if op == "if":
        b = c.args[0]
        return mk("or", trace(c.args[1], mk("and", pre, b), posts, target, out, specs),
                  trace(c.args[2], mk("and", pre, mk("not", b)), posts, target, out, specs))
    if op == "while":
        spec = (specs or {}).get(c)
        inv = spec.invariant if spec is not None else Expr("true")
        frame = mk("and", frame_of(pre, assigned(c)), inv)
        trace(c.args[1], mk("and", frame, c.args[0]), posts, target, out, specs)
        return mk("and", frame, mk("not", c.args[0]))
    raise ValueError(op)


def _atoms(lhs_terms: list, rhs_terms: list) -> list:
    out = []
    for a in lhs_terms:
        for b in rhs_terms:
            if a != b:
                for f in (mk("le", b, a), mk("le", a, b)):
                    if f not in out:
                        out.append(f)
    return out


def constants(*cs: Expr) -> list:
    """-1, 0, 1 and the small constants of the statements, as terms."""
    ks = [0, 1, -1]
    for c in cs:
        for n in postorder(c):
            if n.op == "int" and abs(n.data) <= 1000 and n.data not in ks:
                ks.append(n.data)
    return [Int(k) for k in ks[:12]]


def pre_candidates(params: tuple, consts: list) -> list:
    vs = [Var(p) for p in params]
    return _atoms(vs, consts + vs)


def post_candidates(params: tuple, result: str, consts: list) -> list:
    """ret compared with a constant, or with a parameter plus an offset: 0, +-1 and the constants'
    (a function that adds or subtracts k somewhere may return its argument moved by k)."""
    vs = [Var(p) for p in params]
    offsets = list(dict.fromkeys([0, 1, -1] + [k for c in consts[3:9] for k in (c.data, -c.data) if k]))
    rel = [_term(v, k) for v in vs for k in offsets]
    if len(vs) <= 4:              # a function that moves one argument into another returns their sum
        rel += [t for i, a in enumerate(vs) for b in vs[i + 1:]
                for t in (mk("add", a, b), mk("sub", a, b), mk("sub", b, a))]
    return _atoms([Var(result)], consts + rel)


def case_candidates(proc, consts: list) -> list:
    """``b -> ret = c``: a condition b of the body over the parameters alone (a base case's test) and a
    constant result, for functions whose result is fixed on one side of a test only."""
    conds = []
    for n in postorder(proc.body):
        if n.sort == "stmt" and n.op == "if":
            b = n.args[0]
            if free_vars(b) and free_vars(b) <= set(proc.params) and b not in conds:
                conds.append(b)
    return [mk("imp", b, mk("eq", Var(proc.result), c)) for b in conds[:4] for c in consts]


def houdini(proc, callers: list, posts: dict, z3v, consts: list, specs: dict | None = None) -> tuple[Expr, Expr]:
    """(precondition, postcondition) of one procedure (``houdini_group``)."""
    return houdini_group([proc], callers, posts, z3v, consts, specs)[proc.name]


def houdini_group(procs: list, callers: list, posts: dict, z3v, consts: list, specs: dict | None = None,
                  rounds: int = 20) -> dict:
    """name -> (precondition, postcondition) for procedures that call each other: the candidate atoms
    that survive (module docstring). ``callers``: (entry formula, statement) for each statement that
    calls them from outside; ``posts``: procedure -> (params, result, postcondition) of the procedures
    already contracted."""
    names = frozenset(p.name for p in procs)
    by = {p.name: p for p in procs}
    pres = {p.name: pre_candidates(p.params, consts) for p in procs}
    postc = {p.name: post_candidates(p.params, p.result, consts) + case_candidates(p, consts) for p in procs}
    snap = {p.name: {a: Var(_fresh(free_vars(p.body) | set(p.params), a + "_0")) for a in p.params} for p in procs}
    for _ in range(rounds):
        here = {**posts, **{p.name: (p.params, p.result, conj(postc[p.name])) for p in procs}}
        sites: list = []
        for entry, body in callers:
            trace(body, entry, here, names, sites, specs)
        ends = {}
        for p in procs:
            entry = conj(pres[p.name] + [mk("eq", Var(a), g) for a, g in snap[p.name].items()])
            ends[p.name] = trace(p.body, entry, here, names, sites, specs)
        keep = {k: list(v) for k, v in pres.items()}
        for ctx, call in sites:
            q = call.data[1]
            if not keep[q]:
                continue
            args = dict(zip(by[q].params, call.args))
            held = set(z3v.valid_each(ctx, [subst(a, args) for a in keep[q]]))
            keep[q] = [a for a in keep[q] if subst(a, args) in held]
        keep_post = {}
        for p in procs:
            goals = [subst(a, snap[p.name]) for a in postc[p.name]]
            held = set(z3v.valid_each(ends[p.name], goals)) if goals else set()
            keep_post[p.name] = [a for a in postc[p.name] if subst(a, snap[p.name]) in held]
        if keep == pres and keep_post == postc:
            break
        pres, postc = keep, keep_post
    else:
        return {p.name: (Expr("true"), Expr("true")) for p in procs}
    out = {}
    for p in procs:
        pre = conj(_tightest(pres[p.name], set(p.params)))
        plain = [a for a in postc[p.name] if a.op != "imp"]
        # a case b -> ret = c that the plain atoms give (or whose b the precondition rules out) says nothing
        base = conj([pre] + plain)
        cases = [a for a in postc[p.name] if a.op == "imp" and not z3v.valid(mk("imp", mk("and", base, a.args[0]),
                                                                                  a.args[1]))]
        out[p.name] = (pre, conj(_independent(_tightest(plain, {p.result}), pre, z3v) + cases))
    return out


def _independent(atoms: list, pre: Expr, z3v) -> list:
    """The atoms without those the others (and ``pre``) imply: ``ret = m + n`` makes ``m <= ret`` and
    ``n + 1 <= ret`` (given ``1 <= m``) say nothing more. Equalities are the last to go."""
    keep = list(atoms)
    for a in sorted(atoms, key=lambda a: a.op == "eq"):
        rest = [b for b in keep if b is not a]
        if rest and z3v.valid(mk("imp", conj([pre] + rest), a)):
            keep = rest
    return keep


def _offset(t: Expr):
    """t as (variable or None, constant) when it is x, x + k, x - k or k."""
    if t.op == "int":
        return None, t.data
    if t.op == "var":
        return t, 0
    if t.op in ("add", "sub") and t.args[0].op == "var" and t.args[1].op == "int":
        return t.args[0], t.args[1].data if t.op == "add" else -t.args[1].data
    return None


def _term(v, k: int) -> Expr:
    if v is None:
        return Int(k)
    return v if k == 0 else mk("add", v, Int(k)) if k > 0 else mk("sub", v, Int(-k))


def _subject(a: Expr, subjects: set):
    """Which side of ``a <= b`` is the variable the atom is about (0 or 1), the other side being a
    variable plus a constant, or a constant; None if neither. A subject variable is preferred, then
    the smaller name."""
    sides = [i for i in (0, 1) if a.args[i].op == "var" and _offset(a.args[1 - i]) is not None]
    if len(sides) == 2:
        names = [a.args[i].data for i in (0, 1)]
        ins = [n in subjects for n in names]
        return 0 if ins[0] and not ins[1] else 1 if ins[1] and not ins[0] else 0 if names[0] < names[1] else 1
    return sides[0] if sides else None


def _tightest(atoms: list, subjects: set) -> list:
    """The same conjunction, shorter: of x <= y + k1 and x <= y + k2 only the stronger, and
    y + k <= x <= y + k as x = y + k."""
    best: dict = {}
    other = []
    for a in atoms:
        side = _subject(a, subjects) if a.op == "le" else None
        if side is None:
            other.append(a)
            continue
        x, (v, k) = a.args[side], _offset(a.args[1 - side])
        key = (x, v, "le" if side == 0 else "ge")
        best[key] = (min if side == 0 else max)(best.get(key, k), k)
    out = []
    for (x, v, kind), k in best.items():
        if best.get((x, v, "ge" if kind == "le" else "le")) == k:
            if kind == "ge":
                out.append(mk("eq", x, _term(v, k)))
        else:
            out.append(mk("le", _term(v, k), x) if kind == "ge" else mk("le", x, _term(v, k)))
    # a <= b and b <= a (sides _subject does not read, such as a sum) as a = b
    both = [a for a in other if a.op == "le" and mk("le", a.args[1], a.args[0]) in other]
    eqs = [mk("eq", *a.args) for a in both if _subject_side(a, subjects) == 0]
    return out + eqs + [a for a in other if a not in both]


def _subject_side(a: Expr, subjects: set) -> int:
    """0 when a's left side mentions a subject variable (or, when neither or both do, is the smaller)."""
    ins = [bool(free_vars(x) & subjects) for x in a.args]
    if ins[0] != ins[1]:
        return 0 if ins[0] else 1
    return 0 if str(a.args[0]) <= str(a.args[1]) else 1


# ---- measures from call transitions --------------------------------------------------------------

def _abstract(c: Expr, posts: dict, avoid: set) -> Expr:
    """c with each call x = q(e) read as ``havoc t; assume posts[q][e, t]; x = t``."""
    new: dict = {}
    for n in postorder(c):
        if n.sort != "stmt":
            continue
        if n.op == "call":
            x, q = n.data
            t = _fresh(avoid)
            avoid.add(t)
            spec = posts.get(q)
            parts = [Expr("havoc", (), t)]
            if spec is not None:
                params, result, post = spec
                parts.append(Expr("assume", (subst(post, {**dict(zip(params, n.args)), result: Var(t)}),)))
            parts.append(Expr("assign", (Var(t),), x))
            new[id(n)] = _seq(parts)
            continue
        args = tuple(new.get(id(a), a) for a in n.args)
        if args != n.args:
            new[id(n)] = Expr(n.op, args, n.data)
    return new.get(id(c), c)


def _seq(parts: list) -> Expr:
    out = parts[-1]
    for p in reversed(parts[:-1]):
        out = Expr("seq", (p, out))
    return out


_STOP = Expr("assume", (Expr("false"),))


def _count(c: Expr, names: frozenset) -> int:
    """How many calls of the procedures ``names`` the statement has, counted in its tree (a shared
    node each time)."""
    if c.op == "call":
        return int(c.data[1] in names)
    return sum(_count(a, names) for a in c.args if a.sort == "stmt")


def _cut(c: Expr, k: int, names: frozenset, land, posts: dict, avoid: set, specs: dict) -> Expr | None:
    """The runs of c up to its k-th call of a procedure of ``names`` (in program order; then
    ``land(call)``), every other run blocked; None where that call is in a loop without an invariant."""
    if c.op == "call" and c.data[1] in names and k == 0:
        return land(c)
    if c.op == "seq":
        a, b = c.args
        n = _count(a, names)
        if k < n:
            return _cut(a, k, names, land, posts, avoid, specs)
        rest = _cut(b, k - n, names, land, posts, avoid, specs)
        return None if rest is None else Expr("seq", (_abstract(a, posts, avoid), rest))
    if c.op == "if":
        b, c1, c2 = c.args
        n = _count(c1, names)
        if k < n:
            inner = _cut(c1, k, names, land, posts, avoid, specs)
            return None if inner is None else Expr("if", (b, inner, _STOP))
        inner = _cut(c2, k - n, names, land, posts, avoid, specs)
        return None if inner is None else Expr("if", (b, _STOP, inner))
    if c.op == "while":
        from programs.vcgen import assigned
        spec = specs.get(c)
        if spec is None:
            return None
        inner = _cut(c.args[1], k, names, land, posts, avoid, specs)
        if inner is None:
            return None
        havocs = [Expr("havoc", (), x) for x in sorted(assigned(c))]
        return _seq(havocs + [Expr("assume", (mk("and", spec.invariant, c.args[0]),)), inner])
    return None


def transition_loop(procs: list, pres: dict, posts: dict, specs: dict | None = None):
    """(body, invariant, the argument positions, the procedure-index variable or None) of a loop
    ``while (true)`` whose iterations are the group's calls of one another: every variable starts
    anew (any value) but the arguments, held in positions shared by the group (with the index of the
    procedure they are for); one call is chosen, its procedure's body runs up to it (other calls read
    through the postconditions ``posts``) and the positions take the call's arguments. None when the
    group's arities differ or a call is in a loop without an invariant."""
    from programs.lang import program_vars
    names = frozenset(p.name for p in procs)
    arity = len(procs[0].params)
    if any(len(p.params) != arity for p in procs):
        return None
    avoid = {p.result for p in procs} | {a for p in procs for a in p.params}
    for p in procs:
        avoid |= program_vars(p.body)
    pos = [_fresh(avoid, "_arg") for _ in range(arity)]
    avoid.update(pos)
    pc = _fresh(avoid, "_proc") if len(procs) > 1 else None
    avoid.add(pc)
    index = {p.name: i for i, p in enumerate(procs)}

    def land(call):
        tmps = [_fresh(avoid) for _ in call.args]
        avoid.update(tmps)
        parts = [Expr("assign", (e,), t) for t, e in zip(tmps, call.args)]
        parts += [Expr("assign", (Var(t),), x) for t, x in zip(tmps, pos)]
        if pc is not None:
            parts.append(Expr("assign", (Int(index[call.data[1]]),), pc))
        return _seq(parts)
    cuts = []
    for i, p in enumerate(procs):
        enter = [Expr("assign", (Var(x),), a) for x, a in zip(pos, p.params)]
        if pc is not None:
            enter.insert(0, Expr("assume", (mk("eq", Var(pc), Int(i)),)))
        for k in range(_count(p.body, names)):
            c = _cut(p.body, k, names, land, posts, avoid, specs or {})
            if c is None:
                return None
            cuts.append(_seq(enter + [c]))
    if not cuts:
        return None
    choice = _fresh(avoid)
    body = cuts[-1]
    for i in range(len(cuts) - 2, -1, -1):
        body = Expr("if", (mk("eq", Var(choice), Int(i)), cuts[i], body))
    fresh = set()
    for p in procs:
        fresh |= program_vars(p.body) | {p.result} | set(p.params)
    body = _seq([Expr("havoc", (), x) for x in sorted(fresh)] + [Expr("havoc", (), choice), body])
    at = []
    for i, p in enumerate(procs):
        f = subst(pres[p.name], {a: Var(x) for a, x in zip(p.params, pos)})
        at.append(f if pc is None else mk("and", mk("eq", Var(pc), Int(i)), f))
    inv = at[0]
    for f in at[1:]:
        inv = mk("or", inv, f)
    return body, inv, pos, pc


def measures(proc, pre: Expr, post: Expr, posts: dict, specs: dict | None = None, timeout_ms: int = 3000) -> list:
    """Measures (tuples of terms over the parameters) proposed for one procedure, best first."""
    here = {**posts, proc.name: (proc.params, proc.result, post)}
    return [m[proc.name] for m in group_measures([proc], {proc.name: pre}, here, specs, timeout_ms)]


def group_measures(procs: list, pres: dict, posts: dict, specs: dict | None = None, timeout_ms: int = 3000) -> list:
    """Measures for a group of procedures that call one another, best first: each a dict name -> tuple
    of terms over that procedure's parameters (one length for the group). ``posts`` holds the group's
    postconditions too."""
    from .ranking import synthesize
    made = transition_loop(procs, pres, posts, specs)
    if made is None:
        return []
    loop, inv, pos, pc = made
    allowed = set(pos) | ({pc} if pc else set())
    out = []
    for cand in synthesize(Expr("true"), loop, inv, specs or {}, timeout_ms):
        if not all(free_vars(t) <= allowed for t in cand):
            continue
        m = {}
        for i, p in enumerate(procs):
            back = {x: Var(a) for x, a in zip(pos, p.params)}
            if pc:
                back[pc] = Int(i)
            m[p.name] = tuple(subst(t, back) for t in cand)
        if m not in out:
            out.append(m)
    return out
