"""Program calls in formulas: what ``forall xs : T, H -> C`` means when C calls a program.

A call of program f in a formula is read as total correctness, the meaning Dafny gives a method's
contract: ``forall xs : T, H -> C[f(args)]`` is the kernel judgment
``[xs in T and H and p1 = a1 and ...] f [C with ret for the call]``: every run of f from those
arguments ends, without failure, and its result satisfies C. The xs become ghost variables (names
the program never mentions, so no run changes them), so C speaks of the arguments as passed and of
nothing of the final state but the result. ``H1 -> forall ys : U, H2 -> C`` gathers every binder and
hypothesis into one judgment.

That reading is only the reader's where a call stands positively: a call under ``not``, ``<->``,
``exists``, on the left of ``->``, in a hypothesis, inside another program call's argument, inside
``if .. then .. else`` (read lazily by a programmer) or mentioning a variable bound inside C, and two
different calls in one formula, are refused with their place.
"""

from __future__ import annotations

from kernel import FORMULA, TERM, Expr, Int, Var, mk, subst
from kernel.expr import rebuild

from .syntax import QuodError, SExpr

RESULT = "@call"          # stands for the call's result while C is elaborated (no source name has '@')
_NEGATIVE = {"not": "under `not`", "iff": "on a side of `<->`", "exists": "under `exists`",
             "exists_typed": "under `exists`", "ite": "inside `if .. then .. else` (read lazily, a call there "
             "may not be made)"}
_JUDGMENTS = ("terminates", "diverges", "hoare", "total")
_STRUCTURE = ("and", "or", "imp", "forall", "forall_typed")


def is_program_call(el, n) -> bool:
    from .elab import BUILTINS
    return n.kind == "call" and n.data in el.programs and n.data not in BUILTINS and n.data not in el.extra


def has_program_call(el, se) -> bool:
    if not el.programs:
        return False
    stack = [se]
    while stack:
        n = stack.pop()
        if not hasattr(n, "kind"):
            continue
        if is_program_call(el, n):
            return True
        stack.extend(n.args)
    return False


def _refuse(call, where: str, hint: str = ""):
    raise QuodError(call.pos, f"unsupported: a program call {where}: a call of a program in a formula states "
                    f"that its run ends, without failure, with a result satisfying the formula, which "
                    f"reads so only where the call stands positively{hint}")


def check_positions(el, se) -> None:
    """Refuse program calls in ``se`` (a whole formula) where the total-correctness reading is not the
    reader's: see the module docstring. Quantifiers count only between connectives: one inside a term
    (an ``if`` condition) above a call is refused too."""
    if not has_program_call(el, se):
        return
    stack = [(se, None, False)]          # node, why its calls would be refused, inside an atomic formula
    while stack:
        n, bad, in_atom = stack.pop()
        if not hasattr(n, "kind"):
            continue
        if is_program_call(el, n):
            if bad is not None:
                _refuse(n, bad)
            bad = "inside another program call's argument"
        k = n.kind
        if k in _NEGATIVE:
            bad = bad or _NEGATIVE[k]
        elif k in _JUDGMENTS:
            bad = bad or "inside a judgment about a program"
        elif in_atom and k in ("forall", "forall_typed"):
            bad = bad or "under a quantifier inside a term"
        atom = in_atom or k not in _STRUCTURE
        if k == "imp":
            stack.append((n.args[0], bad or "on the left of `->`", atom))
            stack.append((n.args[1], bad, atom))
        else:
            stack.extend((a, bad, atom) for a in n.args)


def refuse_in_hypothesis(el, se) -> None:
    """A hypothesis binder ``(h : ...)`` is the left of ``->``: a call there is refused."""
    for n in _nodes(se):
        if is_program_call(el, n):
            _refuse(n, "in a hypothesis", "; state the claim about the program as a theorem of its own")


def _nodes(se):
    stack = [se]
    while stack:
        n = stack.pop()
        if hasattr(n, "kind"):
            yield n
            stack.extend(n.args)


def _binders(se) -> list:
    """[(name, type)] of a ``forall`` node (an untyped one ranges over int)."""
    if se.kind == "forall_typed":
        names, ty = se.data
        return [(x, ty) for x in names]
    return [(x, "int") for x in se.data]


def _calls_in(el, c, names: list):
    """The program calls of C, each checked to mention no variable bound inside C."""
    stack = [(c, frozenset())]
    out = []
    while stack:
        n, inner = stack.pop()
        if not hasattr(n, "kind"):
            continue
        if is_program_call(el, n):
            for a in n.args:
                for m in _nodes(a):
                    if m.kind == "name" and m.data in inner:
                        raise QuodError(m.pos, f"unsupported: the program call mentions {m.data}, bound inside "
                                        "the formula; quantify it with the call's other variables at the front "
                                        f"(`forall {' '.join([x for x, _ in names] + [m.data])} : ..., ...`)")
            out.append(n)
            continue
        if n.kind in ("forall", "exists"):
            inner = inner | set(n.data)
        elif n.kind in ("forall_typed", "exists_typed"):
            inner = inner | set(n.data[0])
        stack.extend((a, inner) for a in n.args)
    return out


def program_fact(el, quant: SExpr | None, body: SExpr, bound: list) -> Expr:
    """The judgment a formula with a program call states (``quant`` is its leading ``forall``, or None for
    a formula with no quantifier around its call)."""
    from programs.lang import RET, conj, range_fact

    from .elab import free_names
    binders = _binders(quant) if quant is not None else []
    hyps: list[tuple[SExpr, int]] = []           # each hypothesis with the number of binders in its scope
    node = body
    while True:
        if node.kind == "imp" and has_program_call(el, node.args[1]):
            hyps.append((node.args[0], len(binders)))
            node = node.args[1]
        elif node.kind in ("forall", "forall_typed") and has_program_call(el, node.args[0]):
            binders += _binders(node)
            node = node.args[0]
        else:
            break
    names = [x for x, _ in binders]
    for i, x in enumerate(names):
        if x in names[:i]:
            raise QuodError((quant or body).pos, f"unsupported: {x} is quantified twice around a program call; "
                            "rename one")
    outer = set(bound) | el.variables
    for x, n in free_names(quant if quant is not None else body):
        if x in outer and x not in names:
            raise QuodError(n.pos, f"unsupported: {x} is bound outside the formula around the program call, which "
                            f"speaks only of its own quantified variables: quantify {x} there "
                            f"(`forall {' '.join(names + [x])} : ..., ...`)")
    calls = sorted(_calls_in(el, node, binders), key=lambda n: (n.pos.line, n.pos.col) if n.pos else (0, 0))
    call = calls[0]
    for other in calls[1:]:
        if other != call:
            raise QuodError(other.pos, f"unsupported: two different program calls in one formula ({_show(call)} "
                            f"and {_show(other)}); state one fact per call")
    prog = el.programs[call.data]
    if prog.result is None:
        raise QuodError(call.pos, f"{prog.name} returns no value (it is void): state what it does with "
                        f"[P] {prog.name} [Q] or terminates {prog.name}")
    if len(call.args) != len(prog.params):
        raise QuodError(call.pos, f"{prog.name} takes {len(prog.params)} arguments, got {len(call.args)}")
    ghost = ghost_names(prog, names)
    types = dict(binders)

    def elab(se: SExpr, scope: int, sort: str) -> Expr:
        """se over the first ``scope`` binders (and RESULT), with the binders made their ghosts."""
        from .elab import Elaborator
        inner = Elaborator(el.env, {RESULT}, programs=el.programs)
        inner.machine_typed.update({i: ty for i, (_, ty) in enumerate(binders[:scope]) if ty != "int"})
        e = inner.elab(se, sort, names[:scope])
        ghosts = [Var(ghost[x]) for x in reversed(names[:scope])]

        def visit(n: Expr, depth: int):
            if n.lbr <= depth:
                return n
            if n.op == "bvar" and n.data >= depth:
                return ghosts[n.data - depth]
            return None
        return rebuild(e, visit)

    pre = [range_fact(ghost[x], ty) for x, ty in binders]
    pre += [elab(h, scope, FORMULA) for h, scope in hyps]
    for a, (p, t) in zip(call.args, prog.params):
        if a.kind == "name" and a.data in ghost:
            if not _within(types[a.data], t):
                raise QuodError(a.pos, f"{a.data} ranges over {types[a.data]} here, but {prog.name} takes {p} : "
                                f"{t}, and {types[a.data]} values outside {t} are not arguments of {prog.name}: "
                                f"state the fact with `forall ... : {t}`")
            arg = Var(ghost[a.data])
        elif a.kind == "lit" or (a.kind == "neg" and a.args[0].kind == "lit"):
            arg = Int(a.data if a.kind == "lit" else -a.args[0].data)
            lo_hi = _bounds(t)
            if lo_hi is not None and not lo_hi[0] <= arg.data <= lo_hi[1]:
                raise QuodError(a.pos, f"{arg.data} is not a value of {p} : {t}")
        elif t == "int":             # any value is an argument: the call's parameter is that value
            arg = elab(a, len(binders), TERM)
        else:
            raise QuodError(a.pos, f"unsupported: an argument of a program call in a formula must be a variable "
                            f"of this `forall` or a literal where the parameter is of type {t} (an expression "
                            f"may leave its range); state the fact as `forall "
                            f"{' '.join(x for x, _ in prog.params)} : {t}, {prog.name}"
                            f"({', '.join(x for x, _ in prog.params)}) ...`")
        pre.append(mk("eq", Var(p), arg))
        pre.append(range_fact(p, t))
    post = elab(_replace(node, call, prog), len(binders), FORMULA)
    return Expr("total", (conj(pre), prog.body, subst(post, {RESULT: Var(RET)})))


def _bounds(ty: str):
    from programs.lang import BOUNDS
    return BOUNDS.get(ty)


def _within(ty: str, param: str) -> bool:
    """Every value of type ty is a value of type param (so a fact over ty speaks of every call)."""
    from programs.lang import BOUNDS
    if param == ty or param == "int":
        return True
    return ty in BOUNDS and param in BOUNDS and BOUNDS[param][0] <= BOUNDS[ty][0] and \
        BOUNDS[ty][1] <= BOUNDS[param][1]


def ghost_names(prog, names: list) -> dict:
    """The kernel variable of each quantified variable: its own name unless the program (or ret) has it."""
    from programs.lang import RET, program_vars
    taken = program_vars(prog.body) | set(prog.types()) | {RET} | set(names)
    ghost: dict[str, str] = {}
    for x in names:
        g, k = x, 0
        while g in taken:
            k += 1
            g = f"{x}_{k}"
        taken.add(g)
        ghost[x] = g
    return ghost


def fact_binders(se) -> list:
    """The names a fact's leading quantifiers bind (through ``->``), in order, as program_fact gathers them."""
    out: list = []
    while se is not None and hasattr(se, "kind"):
        if se.kind in ("forall", "forall_typed"):
            out += [x for x, _ in _binders(se)]
            se = se.args[0]
        elif se.kind == "imp":
            se = se.args[1]
        else:
            break
    return out


def _replace(se: SExpr, call: SExpr, prog) -> SExpr:
    """C with RESULT for the call (``true``/``false`` compared with a bool program's call are 1/0)."""
    if se == call:
        return SExpr("name", (), RESULT, se.pos)
    if not hasattr(se, "kind"):
        return se
    if se.kind in ("eq", "ne") and call in se.args:
        other = se.args[1] if se.args[0] == call else se.args[0]
        if other.kind in ("true", "false"):
            if prog.result not in ("bool", "_Bool"):
                raise QuodError(other.pos, f"{prog.name} returns {prog.result}, not bool: compare its result "
                                "with a number")
            lit = SExpr("lit", (), 1 if other.kind == "true" else 0, other.pos)
            return SExpr(se.kind, (SExpr("name", (), RESULT, call.pos), lit), se.data, se.pos)
    return SExpr(se.kind, tuple(_replace(a, call, prog) for a in se.args), se.data, se.pos)


def _show(call: SExpr) -> str:
    return f"{call.data}(...) at line {call.pos.line}, column {call.pos.col}" if call.pos else f"{call.data}(...)"
