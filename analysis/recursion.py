"""Recursive functions: their contracts, proved by the kernel's recursive-procedure rule, and their
divergence by an infinite call chain.

A program whose source function is recursive calls kernel procedures (``Program.procedures``). To
reason about such a program, each procedure needs a contract (``vcgen.Contract``): the user's
(``requires``/``ensures``/``decreases``), else one found here: the parameters' types as precondition,
the result's type (or nothing, or ``result >= 0``) as postcondition, and for total correctness a measure
over the arguments (a parameter, a sum or difference of two, or a pair of them ordered
lexicographically). A contract is a kernel proof of ``hoare_rec``/``total_rec``: its body obligations
are proved by vcgen and the usual discharge, so every answer is kernel-checked.
"""

from __future__ import annotations

from dataclasses import dataclass

from kernel import Expr, Int, P, Var, mk, show, subst
from kernel.check import Checker
from kernel.errors import KernelError
from kernel.expr import postorder
from kernel.hoare import closure, diverges_rec_obligations, never_blocks, rec_obligations

from programs.lang import RET, Program, conj, range_fact
from programs.vcgen import Contract, LoopSpec, MissingAnnotation, MissingContract, Obligations, Prover


@dataclass
class ContractSpec:
    """What the user wrote on a program: formulas over the parameters (and ``result``, as RET)."""
    requires: Expr | None = None
    ensures: Expr | None = None
    decreases: tuple = ()


def declare(env, prog: Program) -> None:
    """Admit the program's procedures into ``env`` (each once): one by one where each calls only itself
    and procedures admitted before, the rest (mutually recursive) as one group."""
    from kernel.env import ProcGroup
    have = env.procedures()
    pending = []
    for name, proc in prog.procedures.items():
        if name in have:
            if have[name] is not proc:
                raise KernelError("procedure", f"{name} is already declared")
            continue
        pending.append(proc)
    while pending:
        known = set(env.procedures())
        ready = [p for p in pending if _calls(p.body) <= known | {p.name}]
        group = ready[:1] if ready else pending
        env.add(ProcGroup(tuple(group)))
        pending = [p for p in pending if p not in group]


def _groups(env, prog: Program) -> list:
    """The program's procedures in the groups ``declare`` admits them in: alone where each calls only
    itself and earlier procedures, the rest together."""
    pending = list(prog.procedures.values())
    known = {q for p in pending for q in _calls(p.body)} - set(prog.procedures)
    out = []
    while pending:
        ready = [p for p in pending if _calls(p.body) <= known | {p.name}]
        group = ready[:1] if ready else pending
        out.append(group)
        known |= {p.name for p in group}
        pending = [p for p in pending if p not in group]
    return out


def _calls(c: Expr) -> set:
    return {n.data[1] for n in postorder(c) if n.op == "call"}


def _discharge_all(env, ob: Obligations, z3v=None, oracle_ok: bool = True):
    """Proofs of every goal (z3 first checks them all, cheaply), and whether one rests on the oracle;
    (None, _) when one is not proved, or rests on the oracle and that is not ok."""
    from .termination import discharge
    if z3v is not None and not all(z3v.valid(g.target) for g, _ in ob.goals):
        return None, False
    filled, oracle = {}, False
    for g, _ in ob.goals:
        p, used = discharge(env, g.target)
        if p is None or (used and not oracle_ok):
            return None, used
        oracle |= used
        filled[g.id] = p
    return filled, oracle


def prove_contract(env, kind: str, proc, pre: Expr, post: Expr, measure: tuple, known: dict, z3v=None,
                   loop_specs=None, oracle_ok: bool = True):
    """A Contract for one (self-)recursive procedure, or None when its obligation is not proved (or,
    unless ``oracle_ok``, proved only with z3's word: a contract found by search must be checked)."""
    from tactics.state import fill_holes
    specs = ((proc.name, pre, post, tuple(measure) if kind == "total" else ()),)
    try:
        (ob_f,), _ = rec_obligations(Checker(env), kind, specs)
    except KernelError:
        return None
    ob = Obligations()
    try:
        proof = Prover(kind, loop_specs or {}, ob, known).triple(*ob_f.args)
    except (MissingAnnotation, MissingContract):
        return None
    filled, oracle = _discharge_all(env, ob, z3v, oracle_ok)
    if filled is None:
        if oracle and not oracle_ok:
            raise OracleOnly(proc.name)
        return None
    full = P(kind + "_rec", specs, (fill_holes(proof, filled),))
    return Contract(proc.name, proc.params, proc.result, pre, post, kind, full)


class OracleOnly(Exception):
    """The contract's obligations hold (z3) but Quod cannot prove one of them itself: other measures of
    the same procedure would meet the same obligation, so the search stops there."""


def measure_candidates(params: list) -> list:
    """Measures over the arguments: each parameter and its negation, sums and differences of two,
    pairs ordered lexicographically."""
    vs = [Var(x) for x in params]
    out = [(v,) for v in vs]
    for i, a in enumerate(vs):
        for b in vs[i + 1:]:
            out += [(mk("add", a, b),), (mk("sub", a, b),), (mk("sub", b, a),)]
    out += [(mk("neg", v),) for v in vs] + [(mk("abs", v),) for v in vs]
    for a in vs:
        for b in vs:
            if a != b:
                out.append((a, b))
    return out


def contracts(env, prog: Program, kind: str, notes: list | None = None, z3v=None) -> dict:
    """A proved contract for each procedure the program calls (its own if it is recursive): the
    user's, else one found. Raises MissingContract for a procedure with none."""
    if not prog.procedures:
        return {}
    if kind in prog.proved:
        return prog.proved[kind]
    if z3v is None:
        from .termination import Z3
        z3v = Z3(env)
    declare(env, prog)
    sigs = getattr(prog, "proc_sigs", {})
    given = getattr(prog, "contracts", {})
    out: dict = {}
    for group in _groups(env, prog):
        if len(group) > 1:
            if any(p.name in given for p in group):
                raise MissingContract(group[0].name, kind, "contracts of procedures that call one another are "
                                      "not supported")
            found = infer_group(env, prog, group, kind, out, z3v, notes)
            if found is None:
                raise MissingContract(group[0].name, kind, "no measure over the arguments of "
                                      + ", ".join(p.name for p in group) + " (which call one another) was found")
            out.update(found)
            continue
        proc = group[0]
        name = proc.name
        params, result = sigs.get(name, ([(x, "int") for x in proc.params], "int"))
        ranges = conj([range_fact(x, t) for x, t in params])
        spec = given.get(name)
        if spec is not None:
            pre = ranges if spec.requires is None else \
                spec.requires if ranges == Expr("true") else mk("and", ranges, spec.requires)
            post = spec.ensures if spec.ensures is not None else Expr("true")
            if kind == "total" and not spec.decreases:
                # a procedure that does not call itself needs no measure: any term will do
                cands = measure_candidates(list(proc.params)) if name in _calls(proc.body) else [(Int(0),)]
            else:
                cands = [spec.decreases]
            loops = None
            if any(n.op == "while" for n in postorder(proc.body)):
                import dataclasses

                from .termination import find_specs
                loops = find_specs(env, dataclasses.replace(prog, body=proc.body), pre, kind == "total", z3v, [])
            found = None
            for m in cands:
                found = prove_contract(env, kind, proc, pre, post, m, out, z3v, loops)
                if found is not None or kind == "hoare":
                    break
            if found is None:
                raise MissingContract(name, kind, f"its contract (requires {pre}, ensures {post}"
                                      + (f", decreases {', '.join(map(str, spec.decreases))}" if spec.decreases
                                         else "") + ") is not proved")
            out[name] = found
            continue
        try:
            found = infer_contract(env, prog, proc, kind, ranges, out, z3v, notes) or \
                _listed_contract(env, proc, kind, ranges, result, out, z3v, notes)
        except OracleOnly:
            raise MissingContract(name, kind, "its contract's obligations hold by z3's word only, which "
                                  "Quod cannot check") from None
        if found is None:
            raise MissingContract(name, kind, "no measure over its arguments was found")
        out[name] = found
    prog.proved[kind] = out
    return out


def _listed_contract(env, proc, kind: str, ranges: Expr, result, known: dict, z3v, notes: list | None):
    """A contract from the fixed lists: the parameters' types as precondition, the result's type (or
    nothing, or ``result >= 0``) as postcondition, a measure of ``measure_candidates``."""
    posts = [range_fact(RET, result) if result else None, Expr("true"), mk("le", Int(0), Var(RET))]
    for post in [p for p in posts if p is not None]:
        for m in (measure_candidates(list(proc.params)) if kind == "total" else [()]):
            found = prove_contract(env, kind, proc, ranges, post, m, known, z3v, oracle_ok=False)
            if found is not None:
                if notes is not None and kind == "total":
                    notes.append(f"{proc.name}: recursive calls decrease {', '.join(str(x) for x in m)}")
                return found
    return None


def infer_group(env, prog: Program, procs: list, kind: str, known: dict, z3v, notes: list | None = None):
    """Contracts for procedures that call one another, found together (``infer_contract`` for a
    group) and proved by one ``hoare_rec``/``total_rec``: name -> Contract, or None."""
    from programs.lang import precondition
    from tactics.state import fill_holes

    from .recinfer import constants, group_measures, houdini_group
    if any(n.op == "while" for p in procs for n in postorder(p.body)):
        return None
    names = {p.name for p in procs}
    sigs = getattr(prog, "proc_sigs", {})

    def ranges(p):
        ps, _ = sigs.get(p.name, ([(x, "int") for x in p.params], "int"))
        return conj([range_fact(x, t) for x, t in ps])
    callers = [(precondition(prog), prog.body)] + [(ranges(o), o.body) for o in prog.procedures.values()
                                                   if o not in procs and _calls(o.body) & names]
    posts = {k.name: (k.params, k.result, k.post) for k in known.values()}
    try:
        found = houdini_group(procs, callers, posts, z3v, constants(prog.body, *(p.body for p in procs)))
    except ValueError:
        return None
    pres = {p.name: conj([f for f in (ranges(p), found[p.name][0]) if f != Expr("true")]) for p in procs}
    here = {**posts, **{p.name: (p.params, p.result, found[p.name][1]) for p in procs}}
    cands = [{p.name: () for p in procs}] if kind == "hoare" else group_measures(procs, pres, here)
    for m in cands:
        specs = tuple((p.name, pres[p.name], found[p.name][1], m[p.name]) for p in procs)
        try:
            obs, _ = rec_obligations(Checker(env), kind, specs)
            ob = Obligations()
            proofs = [Prover(kind, {}, ob, known).triple(*o.args) for o in obs]
        except (KernelError, MissingAnnotation, MissingContract):
            continue
        filled, oracle = _discharge_all(env, ob, z3v, False)
        if filled is None:
            if oracle:
                raise OracleOnly(procs[0].name)
            continue
        full = P(kind + "_rec", specs, tuple(fill_holes(pr, filled) for pr in proofs))
        out = {}
        for i, p in enumerate(procs):
            proof = full
            for _ in range(i):
                proof = P("and_right", proof)
            if i < len(procs) - 1:
                proof = P("and_left", proof)
            out[p.name] = Contract(p.name, p.params, p.result, pres[p.name], found[p.name][1], kind, proof)
            if notes is not None and kind == "total":
                notes.append(f"{p.name}: requires {show(pres[p.name])}, ensures {show(found[p.name][1])}; "
                             f"recursive calls decrease {', '.join(show(x) for x in m[p.name])}")
        return out
    return None


def infer_contract(env, prog: Program, proc, kind: str, ranges: Expr, known: dict, z3v, notes: list | None = None):
    """A contract found by search (recinfer): the pre- and postcondition atoms that survive Houdini
    over the procedure's calls, and, for total correctness, a measure synthesised from its call
    transitions; proved like any other. None when nothing is proved."""
    from programs.lang import precondition

    from .recinfer import constants, houdini, measures
    posts = {k.name: (k.params, k.result, k.post) for k in known.values()}
    sigs = getattr(prog, "proc_sigs", {})
    callers = [(precondition(prog), prog.body)]
    for other in prog.procedures.values():
        if other is not proc and proc.name in _calls(other.body):
            ps, _ = sigs.get(other.name, ([(x, "int") for x in other.params], "int"))
            callers.append((conj([range_fact(x, t) for x, t in ps]), other.body))
    try:
        pre, post = houdini(proc, callers, posts, z3v, constants(proc.body, prog.body))
    except ValueError:
        return None
    pre = pre if ranges == Expr("true") else conj([ranges, pre])
    specs: dict = {}
    if any(n.op == "while" for n in postorder(proc.body)):
        import dataclasses

        from .termination import find_specs
        specs = find_specs(env, dataclasses.replace(prog, body=proc.body), pre, kind == "total", z3v, [])
        if specs is None:
            return None
    cands = [()] if kind == "hoare" else measures(proc, pre, post, posts, specs) if proc.name in _calls(proc.body) \
        else [(Int(0),)]          # a procedure that does not call itself needs no measure
    for m in cands:
        found = prove_contract(env, kind, proc, pre, post, m, known, z3v, specs, oracle_ok=False)
        if found is not None:
            if notes is not None and kind == "total":
                notes.append(f"{proc.name}: requires {show(pre)}, ensures {show(post)}; " +
                             (f"recursive calls decrease {', '.join(show(x) for x in m)}"
                              if proc.name in _calls(proc.body) else "no recursive call"))
            return found
    return None


# ---- divergence by an infinite call chain ---------------------------------------------------------

_LOOP = Expr("while", (Expr("true"), Expr("skip")))


def _loop_proof(s: Expr):
    """diverges while (true) skip from s."""
    return P("diverges_while", Expr("true"), Expr("skip"), _identity_true(s), P("hoare_skip", s))


def _identity_true(s: Expr):
    return _closed(s, Expr("true"), P("true_intro"))


def _has_marker(c: Expr, group: dict) -> bool:
    return any(n.op == "if" and n.args[1] == _LOOP or n.op == "call" and n.data[1] in group for n in postorder(c))


def div_proof(c: Expr, group: dict, ob: Obligations, partial: dict | None = None):
    """(need, proof of ``diverges c from need``): c runs forever from need because every path reaches a
    loop ``while (true) skip`` (a call of a recurrent set, in a body obligation) or a call that diverges
    (``group``: procedure -> (R, proof of diverges r = p(a) from R)). None where c has no such path."""
    if not _has_marker(c, group):
        return None
    op = c.op
    if op == "if" and c.args[1] == _LOOP:
        b = c.args[0]
        from programs.vcgen import identity
        return b, P("diverges_if_then", b, c.args[2], identity(b), _loop_proof(b))
    if op == "call":
        r, proof, params = group[c.data[1]]
        return subst(r, dict(zip(params, c.args))), P("diverges_call", c.data[0], c.args, proof)
    if op == "seq":
        a, b = c.args
        first = div_proof(a, group, ob, partial) if _has_marker(a, group) else None
        d = div_proof(b, group, ob, partial)
        then = None
        if d is not None:
            try:
                pre, proof_a = Prover("hoare", {_LOOP: LoopSpec(Expr("true"))}, ob, partial).wp(never_blocks(a), d[0])
                then = pre, P("diverges_seq", a, proof_a, d[1])
            except (MissingAnnotation, MissingContract):
                then = None
        if first is not None:
            first = first[0], P("diverges_prefix", first[1], b)
            if then is not None:        # a diverges, or ends where b diverges
                return mk("or", first[0], then[0]), P("diverges_or", first[1], then[1])
            return first
        return then
    if op == "if":
        b, c1, c2 = c.args
        d1, d2 = div_proof(c1, group, ob, partial), div_proof(c2, group, ob, partial)
        if d1 is not None and d2 is not None:
            return (mk("or", mk("and", b, d1[0]), mk("and", mk("not", b), d2[0])),
                    P("diverges_if_both", b, d1[1], d2[1]))
        if d1 is not None:
            return mk("and", b, d1[0]), _if_one(b, c2, d1, True)
        if d2 is not None:
            return mk("and", mk("not", b), d2[0]), _if_one(b, c1, d2, False)
    return None


def _if_one(b, other, d, then: bool):
    """diverges if (b) c1 else c2 from (b and need) (or not b): the branch's proof, reached by conseq."""
    cond = b if then else mk("not", b)
    pre = mk("and", cond, d[0])
    # pre -> cond, and diverges branch from need weakened to pre
    left = P("and_left", P("hyp", "_h"))
    right = P("and_right", P("hyp", "_h"))
    inner = P("diverges_conseq", _closed(pre, d[0], right), d[1], pre)
    rule = "diverges_if_then" if then else "diverges_if_else"
    return P(rule, b, other, _closed(pre, cond, left), inner)


def _closed(p: Expr, q: Expr, body):
    """A proof of closure(p -> q) from ``body`` proving q under hypothesis _h : p."""
    f = closure(mk("imp", p, q))
    proof = P("imp_intro", "_h", p, body)
    xs = []
    while f.op == "forall":
        xs.append(f.data)
        f = f.args[0]
    for x in reversed(xs):
        proof = P("forall_intro", x, proof)
    return proof


def prove_recurrent(env, proc, r: Expr, z3v=None, partial: dict | None = None):
    """A proof of diverges r = p(a) from R by diverges_rec, or None."""
    from tactics.state import fill_holes
    specs = ((proc.name, r),)
    try:
        (ob_f,), _ = diverges_rec_obligations(Checker(env), specs)
    except KernelError:
        return None
    ob = Obligations()
    try:
        d = div_proof(ob_f.args[1], {}, ob, partial)
    except (MissingAnnotation, MissingContract, ValueError):
        return None
    if d is None:
        return None
    need, proof = d
    if z3v is not None and not z3v.valid(closure(mk("imp", r, need))):
        return None
    side = ob.need(closure(mk("imp", r, need)), "the recurrent set reaches a call from it")
    proof = P("diverges_conseq", side, proof, r)
    filled, _ = _discharge_all(env, ob, z3v)
    if filled is None:
        return None
    return P("diverges_rec", specs, (fill_holes(proof, filled),))


def observed_calls(env, proc, start: dict, steps: int = 3000) -> tuple[bool, list]:
    """Run p from ``start``: (still running after ``steps``, the arguments of its calls of p, in order)."""
    from tactics.evaluate import EvalError

    from programs.interp import AssertionFailed, Blocked, OutOfSteps, run
    seen: list = []
    body = Expr("call", tuple(Int(start[x]) for x in proc.params), ("__quod_r", proc.name))

    def watch(name, vals):
        if name == proc.name and len(seen) < 200:
            seen.append(tuple(vals))
    try:
        run(env, body, {}, max_steps=steps, on_call=watch)
        return False, seen
    except OutOfSteps:
        return True, seen[1:]
    except (AssertionFailed, Blocked, EvalError, KernelError):
        return False, seen


def recurrent_candidates(params: tuple, calls: list) -> list:
    """Recurrent sets over the arguments from the calls a long run made: the first call's arguments
    exactly, then the atoms (x <= c, x >= c, x - y = c) true at every call, with some left out."""
    if not calls:
        return []
    vs = [Var(x) for x in params]
    first = calls[0]
    out = [conj([mk("eq", v, Int(c)) for v, c in zip(vs, first)])]
    atoms = []
    for i, v in enumerate(vs):
        vals = [c[i] for c in calls]
        atoms.append(mk("le", v, Int(max(vals))))
        atoms.append(mk("le", Int(min(vals)), v))
        for j in range(i + 1, len(vs)):
            diffs = {c[i] - c[j] for c in calls}
            if len(diffs) == 1:
                atoms.append(mk("eq", mk("sub", v, vs[j]), Int(diffs.pop())))
    out.append(conj(atoms))
    for k in range(len(atoms)):
        out.append(conj(atoms[:k] + atoms[k + 1:]))
    for k in range(len(atoms)):
        for m in range(k + 1, len(atoms)):
            out.append(conj([a for i, a in enumerate(atoms) if i not in (k, m)]))
    return out


def prove_recursive_divergence(env, prog: Program, max_inputs: int = 200):
    """no (a Verdict) when some small input makes the program's recursive function call itself forever:
    a long run's calls give recurrent sets over the arguments (``diverges_rec``), and the program's body
    reaches a call from the set (``diverges_call``). A program that is not itself recursive but calls
    a recursive procedure: ``prove_call_divergence``. None when nothing is found."""
    import itertools

    from kernel import show

    from .termination import Verdict
    from programs.lang import precondition
    proc = prog.procedures.get(prog.name)
    if proc is None:
        return prove_call_divergence(env, prog)
    if [x for x, _ in prog.params] != list(proc.params):
        return None
    pre = precondition(prog)
    for combo in itertools.islice(itertools.product([0, 1, -1, 2, -2, 3, -3, 5, -5, 10],
                                                    repeat=len(proc.params)), max_inputs):
        start = dict(zip(proc.params, combo))
        if not all(_in_type(start[x], t) for x, t in prog.params):
            continue
        w = conj([pre] + [mk("eq", Var(x), Int(v)) for x, v in start.items()])
        found = recursive_divergence_proof(env, prog, w, start=start)
        if found is None:
            continue
        proof, r, oracle = found
        witness = ", ".join(f"{x} = {v}" for x, v in start.items())
        return Verdict("no", f"no: runs forever from {witness}",
                       [f"recurrent set: {show(r)} (every call from it calls {proc.name} from it again)"],
                       proof, Expr("diverges", (w, prog.body)), oracle)
    return None


def prove_call_divergence(env, prog: Program, max_inputs: int = 200):
    """no (a Verdict) when, for some small input and some fixed values of the program's own
    nondeterministic choices, the program calls a recursive procedure that then calls itself forever:
    the long run's calls give recurrent sets over that procedure's arguments (``diverges_rec``), the
    program with its choices fixed reaches a call from the set (``diverges_call``), and
    ``diverges_choose`` gives the program's ``can_diverge``. None when nothing is found."""
    import itertools

    from kernel.hoare import fix_havocs
    from tactics.evaluate import EvalError

    from programs.interp import AssertionFailed, Blocked, OutOfSteps, run
    from programs.lang import precondition
    from tactics.state import fill_holes

    from .divergence import program_constants
    from .termination import Z3, Verdict
    if not prog.procedures or prog.name in prog.procedures:
        return None
    try:
        declare(env, prog)
    except KernelError:
        return None
    z3v = Z3(env)
    try:
        partial = contracts(env, prog, "hoare", None, z3v)
    except (MissingContract, KernelError):
        partial = {}
    havocs = list(dict.fromkeys(n.data for n in postorder(prog.body) if n.op == "havoc"))
    names = [x for x, _ in prog.params] + havocs
    values = list(dict.fromkeys([0, 1, -1, 2, -2] + program_constants(prog.body, 4) + [5, -5, 10]))
    pre = precondition(prog)
    tried: set = set()
    for combo in itertools.islice(itertools.product(values, repeat=len(names)), max_inputs):
        val = dict(zip(names, combo))
        start = {x: val[x] for x, _ in prog.params}
        if not all(_in_type(start[x], t) for x, t in prog.params):
            continue
        choice = {x: val[x] for x in havocs}
        body = fix_havocs(prog.body, choice) if choice else prog.body
        seen: dict = {}

        def watch(name, vals):
            if len(seen.setdefault(name, [])) < 200:
                seen[name].append(tuple(vals))
        try:
            run(env, body, start, max_steps=3000, on_call=watch)
            continue
        except OutOfSteps:
            pass
        except (AssertionFailed, Blocked, EvalError, KernelError):
            continue
        w = conj([pre] + [mk("eq", Var(x), Int(v)) for x, v in start.items()])
        for name, calls in seen.items():
            proc = prog.procedures.get(name)
            if proc is None or not calls:
                continue
            for r in recurrent_candidates(proc.params, calls):
                if (name, r) in tried:
                    continue
                tried.add((name, r))
                dp = prove_recurrent(env, proc, r, z3v, partial)
                if dp is None:
                    continue
                ob = Obligations()
                try:
                    d = div_proof(body, {name: (r, dp, proc.params)}, ob, partial)
                except (MissingAnnotation, MissingContract, ValueError):
                    d = None
                if d is None or not z3v.valid(closure(mk("imp", w, d[0]))):
                    continue
                side = ob.need(closure(mk("imp", w, d[0])), "the start reaches a call from the recurrent set")
                filled, oracle = _discharge_all(env, ob, z3v)
                if filled is None:
                    continue
                proof = fill_holes(P("diverges_conseq", side, d[1], w), filled)
                at = ", ".join(f"{x} = {v}" for x, v in start.items()) or "the start"
                details = [f"recurrent set of {name}: {show(r)} (every call from it calls {name} from it again)"]
                if not choice:
                    return Verdict("no", f"no: runs forever from {at}", details, proof,
                                   Expr("diverges", (w, prog.body)), oracle)
                proof = P("diverges_choose", prog.body, tuple(sorted(choice.items())), proof)
                details.append("the theorem: some run of the program from there goes on forever (the one where "
                               "those values are drawn every time)")
                return Verdict("no", f"no: runs forever from {at} when every nondeterministic value is "
                               + ", ".join(f"{x} = {c}" for x, c in choice.items()), details, proof,
                               Expr("can_diverge", (w, prog.body)), oracle)
    return None


def recursive_divergence_proof(env, prog: Program, pre: Expr, r: Expr | None = None, start: dict | None = None):
    """(proof of ``diverges body from pre``, the recurrent set, whether an oracle was used) for a program
    whose body is its recursive function's: with the recurrent set ``r`` given, or found from a run
    from ``start``; None when this fails."""
    from tactics.state import fill_holes
    from .termination import Z3
    proc = prog.procedures.get(prog.name)
    if proc is None:
        return None
    z3v = Z3(env)
    try:
        declare(env, prog)
    except KernelError:
        return None
    if r is not None:
        cands = [r]
    else:
        if start is None:
            return None
        long, calls = observed_calls(env, proc, start)
        if not long:
            return None
        cands = recurrent_candidates(proc.params, calls)
    if not cands:
        return None
    try:        # after the run: most inputs' runs end, and the contracts are the costly part
        partial = contracts(env, prog, "hoare", None, z3v)
    except (MissingContract, KernelError):
        partial = {}
    for r in cands:
        dp = prove_recurrent(env, proc, r, z3v, partial)
        if dp is None:
            continue
        ob = Obligations()
        try:
            d = div_proof(prog.body, {proc.name: (r, dp, proc.params)}, ob, partial)
        except (MissingAnnotation, MissingContract, ValueError):
            d = None
        if d is None:
            continue
        if not z3v.valid(closure(mk("imp", pre, d[0]))):
            continue
        side = ob.need(closure(mk("imp", pre, d[0])), "the start reaches a call from the recurrent set")
        proof = P("diverges_conseq", side, d[1], pre)
        filled, oracle = _discharge_all(env, ob, z3v)
        if filled is None:
            continue
        return fill_holes(proof, filled), r, oracle
    return None


def _in_type(v: int, ty: str) -> bool:
    from programs.lang import BOUNDS
    lo, hi = BOUNDS.get(ty, (None, None))
    return lo is None or lo <= v <= hi
