"""What an inner loop keeps of the enclosing loop's measure.

An outer loop's ranking function may fall only inside an inner loop (``while (x == y && x > 0) {
while (y > 0) { x--; y--; } }``). Its proof walks the outer body from ``v = z`` (``z``, the snapshot of
v when the iteration began) to ``v < z``; but the inner loop is summarised by its invariant, and a loop
invariant is a closed statement about all states, so without a fact that mentions ``z`` the inner loop's
exit says nothing of where v started. Here such facts are found (Houdini, from a few templates) and
joined to the inner invariant while the outer variant is checked (``LoopSpec.outer``, ``snap_var``;
``programs/vcgen.py`` joins them when it walks the outer body, so the kernel checks them too).
"""

from __future__ import annotations

from kernel import Expr, Int, Var, free_vars, mk, subst
from kernel.expr import postorder

from programs.lang import conj
from programs.vcgen import LoopSpec, assigned, snap_var

from .termination import Z3, houdini, loops_of, sp, wp_partial


def with_outer(specs: dict, outer: dict | None, zs: list) -> dict:
    """specs with each inner loop's invariant joined by its facts about the snapshots zs."""
    if not outer:
        return specs
    out = dict(specs)
    names = {snap_var(i).data: z for i, z in enumerate(zs)}
    for w, f in outer.items():
        out[w] = LoopSpec(mk("and", specs[w].invariant, subst(f, names)), specs[w].variant)
    return out


def loop_entries(c: Expr, pre: Expr, specs: dict, out: dict) -> dict:
    """The outermost loops of c -> a formula their entry states satisfy (pre holding before c)."""
    if c.op == "while":
        out[c] = pre
    elif c.op == "seq":
        while c.op == "seq":
            part, c = c.args
            if any(n.op == "while" for n in postorder(part)):
                loop_entries(part, pre, specs, out)
            pre = sp(part, pre, specs)
        loop_entries(c, pre, specs, out)
    elif c.op == "if":
        loop_entries(c.args[1], mk("and", pre, c.args[0]), specs, out)
        loop_entries(c.args[2], mk("and", pre, mk("not", c.args[0])), specs, out)
    return out


def _summands(t: Expr) -> list:
    """t as a list of (sign, term) summed: a + b - c -> [(1, a), (1, b), (-1, c)]."""
    if t.op in ("add", "sub"):
        right = _summands(t.args[1])
        if t.op == "sub":
            right = [(-s, u) for s, u in right]
        return _summands(t.args[0]) + right
    return [(1, t)]


def _sum(parts: list) -> Expr:
    out = None
    for s, u in parts:
        if out is None:
            out = u if s > 0 else mk("neg", u)
        else:
            out = mk("add" if s > 0 else "sub", out, u)
    return Int(0) if out is None else out


def snapshot_facts(v, w: Expr, specs: dict, z3v: Z3) -> dict:
    """For the loops inside w's body, the facts relating v's snapshot at the start of an iteration
    of w to the current state that hold when the inner loop is entered and that its body keeps
    (Houdini): ``v <= z`` (the inner loop never raises v), ``v - t < z`` (t, one summand of v, is
    what the inner loop drives down), ``v - u < z`` and ``v + u < z`` (u a variable the inner loop
    changes, in step with v), ``0 < z``; a loop nested deeper also tries the facts of the loop around
    it. Without them the inner loop's exit says nothing of where v started, and an outer measure
    that falls only inside it cannot be checked."""
    vs = list(v) if isinstance(v, tuple) else [v]
    b, body = w.args
    zs = [snap_var(i) for i in range(len(vs))]
    pre = mk("and", mk("and", specs[w].invariant, b), conj([mk("eq", vi, z) for vi, z in zip(vs, zs)]))
    out: dict = {}
    _snapshot_facts(vs, zs, body, pre, [], specs, z3v, out)
    return out


def _snapshot_facts(vs: list, zs: list, c: Expr, pre: Expr, inherited: list, specs: dict, z3v: Z3,
                    out: dict) -> None:
    for wi, pre_i in loop_entries(c, pre, specs, {}).items():
        if wi not in specs:
            continue
        bi, body_i = wi.args
        changed = sorted(assigned(wi))
        cands = list(inherited)
        for vi, z in zip(vs, zs):
            parts = _summands(vi)
            es = [vi, Int(0)] + ([_sum(parts[:j] + parts[j + 1:]) for j in range(len(parts))] if len(parts) > 1
                                 else [])
            es += [mk(op, vi, Var(u)) for u in changed for op in ("sub", "add")]
            for e in es:
                for a in (mk("le", e, z), mk("lt", e, z)):
                    if a not in cands:
                        cands.append(a)
        trial = z3v.valid_each(pre_i, cands)
        nested = loops_of(body_i)

        def wp(a: Expr, body_i=body_i, nested=nested):
            # a loop nested in wi keeps the fact if it cannot change it (found for it in the recursion below)
            kept = {n: a for n in nested if n in specs and not (free_vars(a) & assigned(n))}
            return wp_partial(body_i, a, with_outer(specs, kept, zs))[0]
        trial = houdini(trial, lambda kept, wi=wi, bi=bi: mk("and", mk("and", specs[wi].invariant, conj(kept)), bi),
                        wp, z3v)
        if trial:
            out[wi] = conj(trial)
            if any(n.op == "while" for n in postorder(body_i)):
                _snapshot_facts(vs, zs, body_i, mk("and", mk("and", specs[wi].invariant, out[wi]), bi), trial,
                                specs, z3v, out)
