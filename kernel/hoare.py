"""Program logic: partial correctness, total correctness and divergence.

Programs are statements over integer program variables (``expr.py``):
``skip``, ``x = e``, ``havoc x``, ``c1 c2``, ``if``, ``while``, ``assume b``,
``assert b``. Three judgments are formulas with no free variables (they speak
of every state):

- ``{P} c {Q}`` (hoare): from a state satisfying P, c fails no assertion, and
  if it terminates normally the final state satisfies Q;
- ``[P] c [Q]`` (total): the same, and no execution runs forever;
- ``diverges c from P``: from a state satisfying P, every execution of c runs
  forever: none terminates normally, fails an assertion or is blocked.

An execution blocked by a false ``assume`` is discarded, as in the
termination competition's ``__VERIFIER_assume``: it is finite (so it does not
stop ``[P] c [Q]``) but it is not a run forever (so the divergence rules check
the program with every ``assume`` read as an ``assert``: ``never_blocks``).
Side conditions about states are closed formulas: ``closure(A)`` is ``A``
universally quantified over its free variables, in sorted order, and must be
proved as such, so no hypothesis about a logical variable can leak into a
statement about all states.
"""

from __future__ import annotations

from .check import Checker, expect_shape, same_expr
from .errors import KernelError
from .expr import STMT, TRUE, Expr, Forall, Int, Var, free_vars, fresh_name, mk, postorder, subst


def closure(f: Expr) -> Expr:
    """forall over the free variables of f (sorted), the form side conditions are proved in."""
    for x in sorted(free_vars(f), reverse=True):
        f = Forall(x, f)
    return f


def _stmt(c: Checker, s, rule: str) -> Expr:
    return c.wf(s, STMT, rule)


def _triple(kind: str, pre: Expr, prog: Expr, post: Expr) -> Expr:
    return Expr(kind, (pre, prog, post))


def _judgment(rule: str, got: Expr, kind: str) -> Expr:
    if got.op != kind:
        want = {"hoare": "{P} c {Q}", "total": "[P] c [Q]", "diverges": "diverges c from P"}[kind]
        raise KernelError(rule, f"the premise must be a judgment {want}, got {got}")
    return got


# ---- rules shared by partial and total correctness (kind = hoare or total) ----------------

def _skip(kind):
    def rule(c: Checker, p):
        """ ---------------- skip
            {P} skip {P}          """
        p = c.formula(p, kind + "_skip")
        return _triple(kind, p, Expr("skip"), p)
    return rule


def _assign(kind):
    def rule(c: Checker, x, e, q):
        """ ------------------------ assign
            {Q[e/x]} x = e {Q}             """
        name = kind + "_assign"
        x, e, q = c.name(x, name), c.term(e, name), c.formula(q, name)
        return _triple(kind, subst(q, {x: e}), Expr("assign", (e,), x), q)
    return rule


def _havoc(kind):
    def rule(c: Checker, x, q):
        """ ---------------------------- havoc
            {forall x, Q} havoc x {Q}          """
        name = kind + "_havoc"
        x, q = c.name(x, name), c.formula(q, name)
        return _triple(kind, Forall(x, q), Expr("havoc", (), x), q)
    return rule


def _assume(kind):
    def rule(c: Checker, b, q):
        """ ------------------------- assume   (a blocked execution is finite and ends nowhere)
            {b -> Q} assume b {Q}                                                          """
        name = kind + "_assume"
        b, q = c.formula(b, name), c.formula(q, name)
        return _triple(kind, mk("imp", b, q), Expr("assume", (b,)), q)
    return rule


def _assert(kind):
    def rule(c: Checker, b, q):
        """ -------------------------- assert
            {b and Q} assert b {Q}           """
        name = kind + "_assert"
        b, q = c.formula(b, name), c.formula(q, name)
        return _triple(kind, mk("and", b, q), Expr("assert", (b,)), q)
    return rule


def _seq(kind):
    def rule(c: Checker, p1, p2):
        """ {P} c1 {R}   {R} c2 {Q}
            ----------------------- seq
               {P} c1 c2 {Q}             """
        name = kind + "_seq"
        a = _judgment(name, (yield p1, ()), kind)
        b = _judgment(name, (yield p2, ()), kind)
        same_expr(name, b.args[0], a.args[2], "the middle assertions differ")
        return _triple(kind, a.args[0], Expr("seq", (a.args[1], b.args[1])), b.args[2])
    return rule


def _if(kind):
    def rule(c: Checker, b, p1, p2):
        """ {P and b} c1 {Q}   {P and not b} c2 {Q}
            --------------------------------------- if
                  {P} if (b) c1 else c2 {Q}              """
        name = kind + "_if"
        b = c.formula(b, name)
        t = _judgment(name, (yield p1, ()), kind)
        e = _judgment(name, (yield p2, ()), kind)
        pre = expect_shape(name, t.args[0], "and", "the precondition of the then-branch")
        same_expr(name, pre.args[1], b, "the then-branch must assume the condition")
        same_expr(name, e.args[0], mk("and", pre.args[0], mk("not", b)), "the else-branch precondition")
        same_expr(name, e.args[2], t.args[2], "the two branches end in different postconditions")
        return _triple(kind, pre.args[0], Expr("if", (b, t.args[1], e.args[1])), t.args[2])
    return rule


def _conseq(kind):
    def rule(c: Checker, p_pre, p, p_post, pre, post):
        """ closure(P -> P')   {P'} c {Q'}   closure(Q' -> Q)
            ------------------------------------------------- conseq
                              {P} c {Q}                               """
        name = kind + "_conseq"
        pre, post = c.formula(pre, name), c.formula(post, name)
        t = _judgment(name, (yield p, ()), kind)
        same_expr(name, (yield p_pre, ()), closure(mk("imp", pre, t.args[0])), "the precondition side condition")
        same_expr(name, (yield p_post, ()), closure(mk("imp", t.args[2], post)), "the postcondition side condition")
        return _triple(kind, pre, t.args[1], post)
    return rule


# ---- loops -------------------------------------------------------------------------------

def hoare_while(c: Checker, p):
    """ {I and b} c {I}
        ------------------------------- hoare_while
        {I} while (b) c {I and not b}                """
    t = _judgment("hoare_while", (yield p, ()), "hoare")
    pre = expect_shape("hoare_while", t.args[0], "and", "the precondition of the body")
    inv, b = pre.args
    same_expr("hoare_while", t.args[2], inv, "the body must re-establish the invariant")
    return _triple("hoare", inv, Expr("while", (b, t.args[1])), mk("and", inv, mk("not", b)))


def total_while(c: Checker, z, p_bound, p_body):
    """ closure(I and b -> 0 <= v)   [I and b and v = z] c [I and v < z]   (z not in I, b, v, c)
        -------------------------------------------------------------------------------------- total_while
                                [I] while (b) c [I and not b]                                            """
    z = c.name(z, "total_while")
    t = _judgment("total_while", (yield p_body, ()), "total")
    pre = expect_shape("total_while", t.args[0], "and", "the precondition of the body")
    ib = expect_shape("total_while", pre.args[0], "and", "the invariant and guard")
    inv, b = ib.args
    eq = expect_shape("total_while", pre.args[1], "eq", "the variant snapshot")
    v, zz = eq.args
    if zz != Var(z):
        raise KernelError("total_while", f"the snapshot must be {v} = {z}")
    if z in free_vars(inv) | free_vars(b) | free_vars(v) | free_vars(t.args[1]):
        raise KernelError("total_while", f"the snapshot variable {z} must not occur in the loop or its invariant")
    same_expr("total_while", t.args[2], mk("and", inv, mk("lt", v, Var(z))), "the body must decrease the variant")
    same_expr("total_while", (yield p_bound, ()), closure(mk("imp", ib, mk("le", Int(0), v))),
          "the variant must be bounded below")
    return _triple("total", inv, Expr("while", (b, t.args[1])), mk("and", inv, mk("not", b)))


def _all(op: str, fs: list) -> Expr:
    """f1 op (f2 op (... op fn)), right-nested."""
    out = fs[-1]
    for f in reversed(fs[:-1]):
        out = mk(op, f, out)
    return out


def lex_decrease(vs: list, zs: list) -> Expr:
    """(v1..vn) below the snapshot (z1..zn): some vi drops from zi >= 0 while v1..v(i-1) do not rise."""
    return _all("or", [_all("and", [mk("le", vs[j], zs[j]) for j in range(i)] +
                             [mk("le", Int(0), zs[i]), mk("lt", vs[i], zs[i])]) for i in range(len(vs))])


def total_while_lex(c: Checker, zs, p_body):
    """ [I and b and v1 = z1 and ... and vn = zn] c [I and lex_decrease(v, z)]   (zi distinct, not in I, b, v, c)
        ------------------------------------------------------------------------------------- total_while_lex
                                  [I] while (b) c [I and not b]

    Well founded: v1 never rises and drops only from values >= 0, so it drops finitely often;
    after its last drop the same holds for v2 on the remaining steps, and so on."""
    name = "total_while_lex"
    if type(zs) is not tuple or not zs:
        raise KernelError(name, "expected a non-empty tuple of snapshot variables")
    zs = [c.name(z, name) for z in zs]
    if len(set(zs)) != len(zs):
        raise KernelError(name, "the snapshot variables must be distinct")
    t = _judgment(name, (yield p_body, ()), "total")
    pre = expect_shape(name, t.args[0], "and", "the precondition of the body")
    ib = expect_shape(name, pre.args[0], "and", "the invariant and guard")
    inv, b = ib.args
    vs, eqs = [], pre.args[1]
    for k, z in enumerate(zs):
        eq = eqs if k == len(zs) - 1 else expect_shape(name, eqs, "and", "the variant snapshots").args[0]
        eq = expect_shape(name, eq, "eq", "a variant snapshot")
        if eq.args[1] != Var(z):
            raise KernelError(name, f"snapshot {k + 1} must be {eq.args[0]} = {z}")
        vs.append(eq.args[0])
        if k < len(zs) - 1:
            eqs = eqs.args[1]
    used = free_vars(inv) | free_vars(b) | free_vars(t.args[1])
    for v in vs:
        used = used | free_vars(v)
    if used & set(zs):
        raise KernelError(name, "a snapshot variable must not occur in the loop, its invariant or the variant")
    same_expr(name, t.args[2], mk("and", inv, lex_decrease(vs, [Var(z) for z in zs])),
          "the body must decrease the variant lexicographically")
    return _triple("total", inv, Expr("while", (b, t.args[1])), mk("and", inv, mk("not", b)))


def total_to_hoare(c: Checker, p):
    """ [P] c [Q]
        --------- total_to_hoare
        {P} c {Q}                  """
    t = _judgment("total_to_hoare", (yield p, ()), "total")
    return _triple("hoare", *t.args)


# ---- divergence ----------------------------------------------------------------------------

def never_blocks(s: Expr) -> Expr:
    """s with every ``assume b`` read as ``assert b``: {P} never_blocks(s) {Q} also says s is never blocked."""
    new: dict[int, Expr] = {}
    for n in postorder(s):
        if n.sort != STMT:
            continue
        args = tuple(new.get(id(a), a) for a in n.args)
        if n.op == "assume":
            new[id(n)] = Expr("assert", args)
        elif args != n.args:
            new[id(n)] = Expr(n.op, args, n.data)
    return new.get(id(s), s)


def diverges_while(c: Checker, b, body, p_guard, p_body):
    """ closure(R -> b)   {R} never_blocks(c) {R}
        ----------------------------------------- diverges_while   (R is a recurrent set)
               diverges while (b) c from R                                              """
    b, body = c.formula(b, "diverges_while"), _stmt(c, body, "diverges_while")
    t = _judgment("diverges_while", (yield p_body, ()), "hoare")
    same_expr("diverges_while", t.args[1], never_blocks(body), "the body premise must be about the body, never blocked")
    r = t.args[0]
    same_expr("diverges_while", t.args[2], r, "the body must stay in the recurrent set")
    same_expr("diverges_while", (yield p_guard, ()), closure(mk("imp", r, b)), "the recurrent set must imply the guard")
    return Expr("diverges", (r, Expr("while", (b, body))))


def fix_havocs(s: Expr, choice: dict) -> Expr:
    """s with every ``havoc x`` (x in choice) replaced by ``x = choice[x]`` (an integer or a term, which
    always has a value): one of the ways s can run."""
    new: dict[int, Expr] = {}
    for n in postorder(s):
        if n.sort != STMT:
            continue
        if n.op == "havoc" and n.data in choice:
            v = choice[n.data]
            new[id(n)] = Expr("assign", (v if isinstance(v, Expr) else Int(v),), n.data)
            continue
        args = tuple(new.get(id(a), a) for a in n.args)
        if args != n.args:
            new[id(n)] = Expr(n.op, args, n.data)
    return new.get(id(s), s)


def diverges_choose(c: Checker, body, choice, p):
    """ diverges c' from P        (c' is c with each havoc x of the choice made x = v)
        ----------------------------------------------------------------- diverges_choose
        can_diverge c from P      (from every P-state, some run of c goes on forever)

    Every run of c' is a run of c (havoc x may give v), and c' has a run from every state (a havoc
    always has a value, and diverges says none blocks, fails or ends), so that run is infinite."""
    name = "diverges_choose"
    body = _stmt(c, body, name)
    if type(choice) is not tuple or not choice or not all(
            type(kv) is tuple and len(kv) == 2 and isinstance(kv[0], str) and kv[0] and type(kv[1]) is int
            for kv in choice):
        raise KernelError(name, "expected a non-empty tuple of (variable, integer) choices")
    fixed = dict(choice)
    if len(fixed) != len(choice):
        raise KernelError(name, "each variable is chosen once")
    d = _judgment(name, (yield p, ()), "diverges")
    same_expr(name, d.args[1], fix_havocs(body, fixed), "the premise must be about c with the chosen values")
    return Expr("can_diverge", (d.args[0], body))


def diverges_while_body(c: Checker, b, p_guard, p):
    """ closure(P -> b)   diverges c from P
        ----------------------------------- diverges_while_body   (the first pass runs forever)
            diverges while (b) c from P                                                     """
    name = "diverges_while_body"
    b = c.formula(b, name)
    d = _judgment(name, (yield p, ()), "diverges")
    same_expr(name, (yield p_guard, ()), closure(mk("imp", d.args[0], b)), "the guard must hold at the start")
    return Expr("diverges", (d.args[0], Expr("while", (b, d.args[1]))))


def diverges_unroll(c: Checker, p_guard, p_pass, p_rest):
    """ closure(P -> b)   {P} never_blocks(c) {R}   diverges while (b) c from R
        ----------------------------------------------------------------------- diverges_unroll
                          diverges while (b) c from P                                           """
    name = "diverges_unroll"
    d = _judgment(name, (yield p_rest, ()), "diverges")
    loop = expect_shape(name, d.args[1], "while", "the loop")
    b, body = loop.args
    t = _judgment(name, (yield p_pass, ()), "hoare")
    same_expr(name, t.args[1], never_blocks(body), "the first pass must be the loop body, never blocked")
    same_expr(name, t.args[2], d.args[0], "the first pass must end where the loop diverges")
    same_expr(name, (yield p_guard, ()), closure(mk("imp", t.args[0], b)), "the guard must hold at the start")
    return Expr("diverges", (t.args[0], loop))


def diverges_seq(c: Checker, first, p1, p2):
    """ {P} never_blocks(c1) {R}   diverges c2 from R
        --------------------------------------------- diverges_seq
                   diverges c1 c2 from P                             """
    first = _stmt(c, first, "diverges_seq")
    a = _judgment("diverges_seq", (yield p1, ()), "hoare")
    same_expr("diverges_seq", a.args[1], never_blocks(first), "the first premise must be about c1, never blocked")
    d = _judgment("diverges_seq", (yield p2, ()), "diverges")
    same_expr("diverges_seq", d.args[0], a.args[2], "the first part must end where the second diverges")
    return Expr("diverges", (a.args[0], Expr("seq", (first, d.args[1]))))


def diverges_prefix(c: Checker, p, rest):
    """ diverges c1 from P
        ---------------------- diverges_prefix
        diverges c1 c2 from P                   """
    rest = _stmt(c, rest, "diverges_prefix")
    d = _judgment("diverges_prefix", (yield p, ()), "diverges")
    return Expr("diverges", (d.args[0], Expr("seq", (d.args[1], rest))))


def diverges_if(c: Checker, b, other, p_cond, p, then: bool):
    """ closure(P -> b)   diverges c1 from P
        ------------------------------------ diverges_if_then   (and _else with not b, c2)
        diverges if (b) c1 else c2 from P                                                 """
    name = "diverges_if_then" if then else "diverges_if_else"
    b, other = c.formula(b, name), _stmt(c, other, name)
    d = _judgment(name, (yield p, ()), "diverges")
    cond = b if then else mk("not", b)
    same_expr(name, (yield p_cond, ()), closure(mk("imp", d.args[0], cond)), "the branch condition")
    branches = (d.args[1], other) if then else (other, d.args[1])
    return Expr("diverges", (d.args[0], Expr("if", (b, *branches))))


def diverges_if_both(c: Checker, b, p1, p2):
    """ diverges c1 from P1   diverges c2 from P2
        ----------------------------------------------------- diverges_if_both
        diverges if (b) c1 else c2 from (b and P1) or (not b and P2)            """
    b = c.formula(b, "diverges_if_both")
    d1 = _judgment("diverges_if_both", (yield p1, ()), "diverges")
    d2 = _judgment("diverges_if_both", (yield p2, ()), "diverges")
    pre = mk("or", mk("and", b, d1.args[0]), mk("and", mk("not", b), d2.args[0]))
    return Expr("diverges", (pre, Expr("if", (b, d1.args[1], d2.args[1]))))


def diverges_or(c: Checker, p1, p2):
    """ diverges c from P1   diverges c from P2
        --------------------------------------- diverges_or
           diverges c from P1 or P2                          """
    d1 = _judgment("diverges_or", (yield p1, ()), "diverges")
    d2 = _judgment("diverges_or", (yield p2, ()), "diverges")
    same_expr("diverges_or", d2.args[1], d1.args[1], "the two premises are about different programs")
    return Expr("diverges", (mk("or", d1.args[0], d2.args[0]), d1.args[1]))


def diverges_conseq(c: Checker, p_imp, p, pre):
    """ closure(P -> P')   diverges c from P'
        ------------------------------------ diverges_conseq
               diverges c from P                              """
    pre = c.formula(pre, "diverges_conseq")
    d = _judgment("diverges_conseq", (yield p, ()), "diverges")
    same_expr("diverges_conseq", (yield p_imp, ()), closure(mk("imp", pre, d.args[0])), "the precondition")
    return Expr("diverges", (pre, d.args[1]))


# ---- procedures ------------------------------------------------------------------------------
#
# A call ``x = p(e)`` evaluates e, runs p's body in a frame of its own (parameters = the values,
# every other variable any value) and on a normal end sets x to the frame's result; it fails,
# runs forever or ends exactly when that run does. A contract is a judgment about the call of p on
# its own parameters into its result variable: {P} r = p(a) {Q} with P over a, Q over a and r.

def _contract(c: Checker, t: Expr, rule: str):
    """(P, call, Q, params, result) of a contract judgment, checked to have the contract's shape."""
    call = t.args[1]
    if call.op != "call":
        raise KernelError(rule, f"the premise must be about a call, got {call}")
    r, p = call.data
    proc = c.env.procedure(p, rule)
    if call.args != tuple(Var(a) for a in proc.params) or r != proc.result:
        raise KernelError(rule, f"the premise must be about {proc.result} = {p}({', '.join(proc.params)})")
    post = t.args[2] if len(t.args) == 3 else TRUE
    if not free_vars(t.args[0]) <= set(proc.params) or not free_vars(post) <= set(proc.params) | {r}:
        raise KernelError(rule, "a contract speaks only of the parameters (and the result, after)")
    return t.args[0], call, post, proc


def call_wp(params: tuple, result: str, pre: Expr, q: Expr, x: str, es: tuple, post: Expr) -> Expr:
    """P[e/a] and forall y, Q[e/a, y/r] -> R[y/x]   (y fresh): what a call x = f(e) needs for R."""
    args = dict(zip(params, es))
    avoid = set(free_vars(post)) | {x}
    for e in es:
        avoid |= free_vars(e)
    y = fresh_name("y", avoid)
    after = mk("imp", subst(q, {**args, result: Var(y)}), subst(post, {x: Var(y)}))
    return mk("and", subst(pre, args), Forall(y, after))


def _call(kind):
    def rule(c: Checker, x, es, post, p):
        """ {P} r = f(a) {Q}   (a contract: P over a, Q over a and r)
            ------------------------------------------------------ call   (call_wp)
            {P[e/a] and forall y, Q[e/a, y/r] -> R[y/x]} x = f(e) {R}           """
        name = kind + "_call"
        pre, call, q, proc = _contract(c, _judgment(name, (yield p, ()), kind), name)
        x, post = c.name(x, name), c.formula(post, name)
        if type(es) is not tuple or len(es) != len(proc.params):
            raise KernelError(name, f"{proc.name} takes {len(proc.params)} arguments")
        es = tuple(c.term(e, name) for e in es)
        wp = call_wp(proc.params, proc.result, pre, q, x, es, post)
        return _triple(kind, wp, Expr("call", es, (x, proc.name)), post)
    return rule


def diverges_call(c: Checker, x, es, p):
    """ diverges r = f(a) from R   (R over a)
        ------------------------------------ diverges_call
        diverges x = f(e) from R[e/a]                      """
    name = "diverges_call"
    r, call, _, proc = _contract(c, _judgment(name, (yield p, ()), "diverges"), name)
    x = c.name(x, name)
    if type(es) is not tuple or len(es) != len(proc.params):
        raise KernelError(name, f"{proc.name} takes {len(proc.params)} arguments")
    es = tuple(c.term(e, name) for e in es)
    return Expr("diverges", (subst(r, dict(zip(proc.params, es))), Expr("call", es, (x, proc.name))))


def _replace_calls(s: Expr, group: dict) -> Expr:
    """s with every call ``x = q(e)`` of a procedure q in ``group`` replaced by ``group[q](x, e)``."""
    new: dict[int, Expr] = {}
    for n in postorder(s):
        if n.sort != STMT:
            continue
        if n.op == "call" and n.data[1] in group:
            new[id(n)] = group[n.data[1]](n.data[0], n.args)
            continue
        args = tuple(new.get(id(a), a) for a in n.args)
        if args != n.args:
            new[id(n)] = Expr(n.op, args, n.data)
    return new.get(id(s), s)


def _seqs(stmts: list) -> Expr:
    out = stmts[-1]
    for st in reversed(stmts[:-1]):
        out = Expr("seq", (st, out))
    return out


def _group(c: Checker, specs, rule: str, n_parts: int) -> list:
    """The procedures of a group spec ((name, formula, ...), ...), checked: distinct, declared."""
    if type(specs) is not tuple or not specs or not all(type(s) is tuple and len(s) == n_parts for s in specs):
        raise KernelError(rule, "expected a non-empty tuple of procedure specifications")
    procs = [c.env.procedure(s[0], rule) for s in specs]
    if len({p.name for p in procs}) != len(procs):
        raise KernelError(rule, "each procedure is specified once")
    return procs


def rec_obligations(c: Checker, kind: str, specs) -> tuple:
    """The body obligations of ``hoare_rec``/``total_rec`` and the contracts they give.

    specs: ((p, P, Q, (m1, ..., mk)), ...), k = 0 for hoare, k >= 1 (the same k) for total. For
    each p, with g (snapshots of the parameters), z (of the measure) and t fresh:
        {P and a = g} body' {Q[g/a]}    or    [P and a = g and m = z] body' [Q[g/a]]
    where body' is p's body with each call x = q(e) of the group made
        assert P_q[e/a] (and lex_decrease(m_q[e/a], z)); havoc t; assume Q_q[e/a, t/r]; x = t"""
    rule = kind + "_rec"
    procs = _group(c, specs, rule, 4)
    avoid = set()
    for p, (_, pre, post, ms) in zip(procs, specs):
        if type(ms) is not tuple or (kind == "hoare") != (not ms) or len(ms) != len(specs[0][3]):
            raise KernelError(rule, "a total contract has a measure tuple (one length in a group), a partial none")
        pre, post = c.formula(pre, rule), c.formula(post, rule)
        ms = [c.term(m, rule) for m in ms]
        if not free_vars(pre) <= set(p.params) or not free_vars(post) <= set(p.params) | {p.result} \
                or any(not free_vars(m) <= set(p.params) for m in ms):
            raise KernelError(rule, f"{p.name}: the contract speaks only of the parameters (and {p.result}, after)")
        avoid |= free_vars(p.body) | set(p.params) | {p.result}
    zs = []
    for _ in specs[0][3]:
        zs.append(fresh_name("z", avoid))
        avoid.add(zs[-1])
    t = fresh_name("t", avoid)
    avoid.add(t)

    def abstract_call(p, pre, post, ms):
        def rep(x, es):
            args = dict(zip(p.params, es))
            ok = subst(pre, args)
            if ms:
                ok = mk("and", ok, lex_decrease([subst(m, args) for m in ms], [Var(z) for z in zs]))
            return _seqs([Expr("assert", (ok,)), Expr("havoc", (), t),
                          Expr("assume", (subst(post, {**args, p.result: Var(t)}),)), Expr("assign", (Var(t),), x)])
        return rep
    group = {p.name: abstract_call(p, s[1], s[2], s[3]) for p, s in zip(procs, specs)}
    obligations, contracts = [], []
    for p, (_, pre, post, ms) in zip(procs, specs):
        gs = {}
        for a in p.params:
            gs[a] = Var(fresh_name(a + "0", avoid | {v.data for v in gs.values()}))
        avoid |= {v.data for v in gs.values()}
        entry = [pre] + [mk("eq", Var(a), g) for a, g in gs.items()] + [mk("eq", m, Var(z)) for m, z in zip(ms, zs)]
        obligations.append(_triple(kind, _all("and", entry), _replace_calls(p.body, group), subst(post, gs)))
        contracts.append(_triple(kind, pre, Expr("call", tuple(Var(a) for a in p.params), (p.result, p.name)), post))
    return obligations, _all("and", contracts)


def _rec(kind):
    def rule(c: Checker, specs, proofs):
        """ for each p of the group: its body obligation (rec_obligations)
            ---------------------------------------------------------- rec
            the contracts {P} r = p(a) {Q} (or [P] ... [Q]) of the whole group, as a conjunction

        Sound by induction: on the depth of the calls of a run (partial correctness), on the
        measure's value, lexicographically (total correctness, well founded as for total_while_lex)."""
        obligations, contracts = rec_obligations(c, kind, specs)
        if type(proofs) is not tuple or len(proofs) != len(obligations):
            raise KernelError(kind + "_rec", f"one proof per procedure ({len(obligations)})")
        for ob, p in zip(obligations, proofs):
            same_expr(kind + "_rec", (yield p, ()), ob, "a body obligation")
        return contracts
    return rule


def _recurrent_sets(c: Checker, procs: list, rs: list, rule: str) -> dict:
    """The recurrent sets, checked to speak only of the parameters, and the group map that makes each
    call x = q(e) of the group ``if (R_q[e/a]) { while (true) skip; } else { x = q(e); }``."""
    rs = [c.formula(r, rule) for r in rs]
    for p, r in zip(procs, rs):
        if not free_vars(r) <= set(p.params):
            raise KernelError(rule, f"{p.name}: the recurrent set speaks only of the parameters")
    loop = Expr("while", (TRUE, Expr("skip")))

    def stop(p, r):
        return lambda x, es: Expr("if", (subst(r, dict(zip(p.params, es))), loop, Expr("call", es, (x, p.name))))
    return rs, {p.name: stop(p, r) for p, r in zip(procs, rs)}


def diverges_rec_obligations(c: Checker, specs) -> tuple:
    """For ((p, R), ...): diverges body' from R for each p, where body' is p's body with each call
    x = q(e) of the group made ``if (R_q[e/a]) { while (true) skip; } else { x = q(e); }``."""
    procs = _group(c, specs, "diverges_rec", 2)
    rs, group = _recurrent_sets(c, procs, [s[1] for s in specs], "diverges_rec")
    obligations = [Expr("diverges", (r, _replace_calls(p.body, group))) for p, r in zip(procs, rs)]
    calls = [Expr("diverges", (r, Expr("call", tuple(Var(a) for a in p.params), (p.result, p.name))))
             for p, r in zip(procs, rs)]
    return obligations, _all("and", calls)


def diverges_rec(c: Checker, specs, proofs):
    """ for each p of the group: diverges body' from R_p   (diverges_rec_obligations)
        --------------------------------------------------------------------- diverges_rec
        diverges r = p(a) from R_p, for each p, as a conjunction

    Sound: a finite run (ending, failing or blocked) of a call from R, shortest of all, makes no
    call from R_q (that run would be shorter and finite), so it is a finite run of body'."""
    obligations, calls = diverges_rec_obligations(c, specs)
    if type(proofs) is not tuple or len(proofs) != len(obligations):
        raise KernelError("diverges_rec", f"one proof per procedure ({len(obligations)})")
    for ob, p in zip(obligations, proofs):
        same_expr("diverges_rec", (yield p, ()), ob, "a body obligation")
    return calls



def _choice(c: Checker, choice, s: Expr, rule: str) -> dict:
    """A choice ((x, term), ...) for the havocs of s, checked: each x chosen once, each a havoc of s."""
    if type(choice) is not tuple or not all(type(kv) is tuple and len(kv) == 2 and isinstance(kv[0], str)
                                            and kv[0] for kv in choice):
        raise KernelError(rule, "expected a tuple of (variable, term) choices")
    fixed = {x: c.term(t, rule) for x, t in choice}
    if len(fixed) != len(choice):
        raise KernelError(rule, "each variable is chosen once")
    if not set(fixed) <= {n.data for n in postorder(s) if n.op == "havoc"}:
        raise KernelError(rule, "a chosen variable is not a havoc of the statement")
    return fixed


def can_diverge_rec_obligations(c: Checker, specs, body, choice) -> tuple:
    """For specs ((p, R_p, choice_p), ...) and a statement c with its choice: the statement of the
    premise about c (its precondition left open) and the obligations ``diverges body_p* from R_p``,
    where s* is s with its chosen havocs fixed (fix_havocs) and each call x = q(e) of the group made
    ``if (R_q[e/a]) { while (true) skip; } else { x = q(e); }``."""
    rule = "can_diverge_rec"
    body = _stmt(c, body, rule)
    procs = _group(c, specs, rule, 3)
    rs, group = _recurrent_sets(c, procs, [s[1] for s in specs], rule)
    obligations = [Expr("diverges", (r, _replace_calls(fix_havocs(p.body, _choice(c, s[2], p.body, rule)), group)))
                   for p, r, s in zip(procs, rs, specs)]
    return _replace_calls(fix_havocs(body, _choice(c, choice, body, rule)), group), obligations


def can_diverge_rec(c: Checker, specs, body, choice, proofs):
    """ diverges c* from P     diverges body_p* from R_p   (each p of the group; s* as in
        ------------------------------------------------   can_diverge_rec_obligations)
        can_diverge c from P     (from every P-state, some run of c goes on forever)

    Sound: let c' and p' be c and p with their chosen havocs made x = e, calling one another (a
    machine whose steps at those havocs are some of c's): every run of c' is a run of c. A finite
    run (ending, failing or blocked) of c' from P or of some p' from R_p, shortest of all, makes no
    call of a q' from R_q (that sub-run would be shorter and finite), and its calls of q' are runs of
    q, so it is a finite run of c* or of body_p*, which the premises exclude. So every run of c' from
    P is infinite, and c' has one (havoc always has a value and e always has one), a run of c."""
    name = "can_diverge_rec"
    top, obligations = can_diverge_rec_obligations(c, specs, body, choice)
    if type(proofs) is not tuple or len(proofs) != len(obligations) + 1:
        raise KernelError(name, f"one proof for the statement and one per procedure ({len(obligations)})")
    d = _judgment(name, (yield proofs[0], ()), "diverges")
    same_expr(name, d.args[1], top, "the premise must be about c with the chosen values and the recurrent sets")
    for ob, p in zip(obligations, proofs[1:]):
        same_expr(name, (yield p, ()), ob, "a body obligation")
    return Expr("can_diverge", (d.args[0], c.wf(body, STMT, name)))

HOARE_RULES = {"hoare_while": hoare_while, "total_while": total_while, "total_while_lex": total_while_lex,
               "total_to_hoare": total_to_hoare,
               "diverges_while": diverges_while, "diverges_seq": diverges_seq,
               "diverges_prefix": diverges_prefix, "diverges_conseq": diverges_conseq,
               "diverges_while_body": diverges_while_body, "diverges_unroll": diverges_unroll,
               "diverges_choose": diverges_choose, "diverges_call": diverges_call, "diverges_rec": diverges_rec,
               "can_diverge_rec": can_diverge_rec,
               "diverges_if_both": diverges_if_both, "diverges_or": diverges_or,
               "diverges_if_then": lambda c, b, other, pc, p: diverges_if(c, b, other, pc, p, True),
               "diverges_if_else": lambda c, b, other, pc, p: diverges_if(c, b, other, pc, p, False)}
for _kind in ("hoare", "total"):
    for _name, _make in (("skip", _skip), ("assign", _assign), ("havoc", _havoc), ("assume", _assume),
                         ("assert", _assert), ("seq", _seq), ("if", _if), ("conseq", _conseq),
                         ("call", _call), ("rec", _rec)):
        HOARE_RULES[f"{_kind}_{_name}"] = _make(_kind)
