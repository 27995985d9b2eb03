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

from .lang import conj

_names = itertools.count()


def _fresh(avoid: set, stem: str = "_rc") -> str:
    while True:
        x = f"{stem}{next(_names)}"
        if x not in avoid:
            return x


def calls_of(c: Expr, name: str) -> list:
    return [n for n in postorder(c) if n.sort == "stmt" and n.op == "call" and n.data[1] == name]


def trace(c: Expr, pre: Expr, posts: dict, target: str, out: list, specs: dict | None = None) -> Expr:
    """The strongest postcondition of c from pre; each call of ``target`` met is recorded in ``out``
    as (the state before it, the call). A call x = q(e) ends where posts[q] (over q's parameters and
    result) holds of e and x; q missing: x is any value. A loop: its invariant (``specs``) and the
    facts it does not touch."""
    from .analysis import frame_of
    from .vcgen import assigned
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
        if q == target:
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


def houdini(proc, callers: list, posts: dict, z3v, consts: list, specs: dict | None = None,
            rounds: int = 20) -> tuple[Expr, Expr]:
    """(precondition, postcondition) of ``proc``: the candidate atoms that survive (module docstring).
    ``callers``: (entry formula, statement) for each statement that calls the procedure from outside;
    ``posts``: procedure -> (params, result, postcondition) of the procedures already contracted."""
    pres = pre_candidates(proc.params, consts)
    postc = post_candidates(proc.params, proc.result, consts) + case_candidates(proc, consts)
    snap = {a: Var(_fresh(free_vars(proc.body) | set(proc.params), a + "_0")) for a in proc.params}
    for _ in range(rounds):
        post = conj(postc)
        here = {**posts, proc.name: (proc.params, proc.result, post)}
        sites: list = []
        for entry, body in callers:
            trace(body, entry, here, proc.name, sites, specs)
        entry = conj(pres + [mk("eq", Var(a), g) for a, g in snap.items()])
        end = trace(proc.body, entry, here, proc.name, sites, specs)
        keep = list(pres)
        for ctx, call in sites:
            if not keep:
                break
            args = dict(zip(proc.params, call.args))
            inst = {subst(a, args): a for a in keep}
            held = set(z3v.valid_each(ctx, list(inst)))
            keep = [a for a in keep if subst(a, args) in held]
        goals = {subst(a, snap): a for a in postc}
        held = set(z3v.valid_each(end, list(goals))) if goals else set()
        keep_post = [a for a in postc if subst(a, snap) in held]
        if keep == pres and keep_post == postc:
            break
        pres, postc = keep, keep_post
    else:
        return Expr("true"), Expr("true")
    return conj(_tightest(pres, set(proc.params))), conj(_tightest(postc, {proc.result}))


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
    return out + other


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


def _count(c: Expr, name: str) -> int:
    """How many calls of ``name`` the statement has, counted in its tree (a shared node each time)."""
    if c.op == "call":
        return int(c.data[1] == name)
    return sum(_count(a, name) for a in c.args if a.sort == "stmt")


def _cut(c: Expr, k: int, proc, posts: dict, avoid: set, specs: dict) -> Expr | None:
    """The runs of c up to its k-th call of the procedure (in program order; then: parameters :=
    its arguments), every other run blocked; None where that call is in a loop without an invariant."""
    name = proc.name
    if c.op == "call" and c.data[1] == name and k == 0:
        tmps = [_fresh(avoid) for _ in proc.params]
        avoid.update(tmps)
        return _seq([Expr("assign", (e,), t) for t, e in zip(tmps, c.args)] +
                    [Expr("assign", (Var(t),), p) for t, p in zip(tmps, proc.params)])
    if c.op == "seq":
        a, b = c.args
        n = _count(a, name)
        if k < n:
            return _cut(a, k, proc, posts, avoid, specs)
        rest = _cut(b, k - n, proc, posts, avoid, specs)
        return None if rest is None else Expr("seq", (_abstract(a, posts, avoid), rest))
    if c.op == "if":
        b, c1, c2 = c.args
        n = _count(c1, name)
        if k < n:
            inner = _cut(c1, k, proc, posts, avoid, specs)
            return None if inner is None else Expr("if", (b, inner, _STOP))
        inner = _cut(c2, k - n, proc, posts, avoid, specs)
        return None if inner is None else Expr("if", (b, _STOP, inner))
    if c.op == "while":
        from .vcgen import assigned
        spec = specs.get(c)
        if spec is None:
            return None
        inner = _cut(c.args[1], k, proc, posts, avoid, specs)
        if inner is None:
            return None
        havocs = [Expr("havoc", (), x) for x in sorted(assigned(c))]
        return _seq(havocs + [Expr("assume", (mk("and", spec.invariant, c.args[0]),)), inner])
    return None


def transition_loop(proc, post: Expr, posts: dict, specs: dict | None = None) -> Expr | None:
    """The body of ``while (true)`` whose iterations are the procedure's recursive calls: its locals
    start anew (any value), one call is chosen, the body runs up to it (other calls read through
    the postconditions) and the parameters take the call's arguments."""
    from .lang import program_vars
    n = _count(proc.body, proc.name)
    if not n:
        return None
    here = {**posts, proc.name: (proc.params, proc.result, post)}
    avoid = program_vars(proc.body) | set(proc.params) | {proc.result}
    cuts = []
    for k in range(n):
        c = _cut(proc.body, k, proc, here, avoid, specs or {})
        if c is None:
            return None
        cuts.append(c)
    choice = _fresh(avoid)
    body = cuts[-1]
    for i in range(len(cuts) - 2, -1, -1):
        body = Expr("if", (mk("eq", Var(choice), Int(i)), cuts[i], body))
    fresh_locals = sorted((program_vars(proc.body) | {proc.result}) - set(proc.params))
    return _seq([Expr("havoc", (), x) for x in fresh_locals] + [Expr("havoc", (), choice), body])


def measures(proc, pre: Expr, post: Expr, posts: dict, specs: dict | None = None, timeout_ms: int = 3000) -> list:
    """Measures (tuples of terms over the parameters) proposed for the procedure, best first."""
    from .ranking import synthesize
    loop = transition_loop(proc, post, posts, specs)
    if loop is None:
        return []
    out = []
    for cand in synthesize(Expr("true"), loop, pre, specs or {}, timeout_ms):
        if all(free_vars(t) <= set(proc.params) for t in cand) and tuple(cand) not in out:
            out.append(tuple(cand))
    return out
