"""The proof checker: one small function per inference rule.

``check_proof(env, proof)`` re-derives the formula a proof term proves, or
raises ``KernelError`` naming the rule and the failed side condition. Rules
with premises are generators: they ``yield`` a premise (with the hypotheses it
may use) and receive the formula it proves. The driver keeps an explicit stack
of them, so a proof nested 100,000 deep needs no Python recursion.

Natural deduction in sequent form: ``G |- A`` where ``G`` names hypotheses.
Every formula or term that a proof carries as data is checked to be
well-formed (closed under binders, only admitted symbols) before use.
"""

from __future__ import annotations

import gc
from types import GeneratorType

from . import arith
from .errors import KernelError, ResourceError
from .expr import (BINDERS, FALSE, FORMULA, JUDGMENTS, TERM, TRUE, Expr, Forall, Int, Var, free_vars,
                   fresh_name, instantiate, mk, postorder, subst)
from .proofs import Proof

# Named oracles: steps admitted without a kernel proof. Each is listed in TRUST.md
# and recorded in the axioms of every theorem that uses it.
ORACLES = {"sorry": "an unfinished proof step",
           "smt_oracle": "z3 said unsat and Quod could not rebuild a kernel proof"}

DEFAULT_FUEL = 50_000_000


class Checker:
    def __init__(self, env, fuel: int = DEFAULT_FUEL):
        self.env = env
        self.fuel = fuel
        self.axioms: set[str] = set()
        self.ctx: dict[str, list[Expr]] = {}
        self.ctx_fv: dict[str, int] = {}    # how many visible hypotheses mention each variable
        self._wf: set[Expr] = set()

    # -- well-formedness of data carried by proofs --------------------------------

    def wf(self, e, sort: str, rule: str) -> Expr:
        if not isinstance(e, Expr):
            raise KernelError(rule, f"expected a {sort}, got {type(e).__name__}")
        if e.sort != sort:
            raise KernelError(rule, f"expected a {sort}, got a {e.sort}: {e}")
        if e.lbr:
            raise KernelError(rule, f"{sort} has loose bound variables")
        if e.has_symbols and e not in self._wf:
            for n in postorder(e):
                if n.op in ("app", "pred"):
                    self.env.check_symbol(n.op, n.data, len(n.args), rule)
            self._wf.add(e)
        return e

    def term(self, e, rule: str) -> Expr:
        return self.wf(e, TERM, rule)

    def formula(self, e, rule: str) -> Expr:
        return self.wf(e, FORMULA, rule)

    def name(self, x, rule: str) -> str:
        if not isinstance(x, str) or not x:
            raise KernelError(rule, f"expected a name, got {x!r}")
        return x

    def not_free_in_context(self, x: str, rule: str) -> None:
        if self.ctx_fv.get(x):
            bad = next(h for h, fs in self.ctx.items() if any(f is not None and x in f.fv for f in fs))
            raise KernelError(rule, f"eigenvariable {x} is free in hypothesis {bad}")

    # -- the driver ---------------------------------------------------------------

    def run(self, proof: Proof) -> Expr:
        """Check ``proof`` in the current context; return the formula it proves."""
        enabled = gc.isenabled()
        gc.disable()        # checking makes no reference cycles: collecting would only cost time
        try:
            return self._run(proof)
        finally:
            if enabled:
                gc.enable()

    def _run(self, proof: Proof) -> Expr:
        """The loop of ``run``.

        ``stack`` holds the rules waiting for a premise, each with the hypotheses
        (``binds``) that its own premise added to the context. A rule without
        premises returns its formula at once; one with premises is a generator that
        yields ``(premise, binds)`` and is sent back the premise's formula.
        """
        stack: list = []
        todo, binds = proof, ()
        while True:
            if binds:
                self._push(binds)
            # start the rule of ``todo``
            if not isinstance(todo, Proof):
                raise KernelError("check", f"expected a proof, got {type(todo).__name__}")
            self.fuel -= 1
            if self.fuel < 0:
                raise ResourceError("check", "proof exceeds the checking budget")
            fn = RULES.get(todo.rule)
            if fn is None:
                raise KernelError("check", f"unknown rule {todo.rule!r}")
            try:
                r = fn(self, *todo.args)
            except TypeError as exc:
                if "positional argument" in str(exc):
                    raise KernelError(todo.rule, f"wrong number of arguments ({len(todo.args)})") from None
                raise
            if type(r) is GeneratorType:
                stack.append((r, binds))
                r = None
            else:
                if binds:
                    self._pop(binds)
                if not stack:
                    return r
            # resume waiting rules until one asks for its next premise
            while True:
                gen, gbinds = stack[-1]
                try:
                    todo, binds = gen.send(r)
                    break
                except StopIteration as stop:
                    stack.pop()
                    if gbinds:
                        self._pop(gbinds)
                    r = stop.value
                    if not isinstance(r, Expr):
                        raise KernelError("check", "a rule returned no formula") from None
                    if not stack:
                        return r
            for h, _ in binds:
                self.name(h, "check")

    def _push(self, binds) -> None:
        ctx, count = self.ctx, self.ctx_fv
        for h, f in binds:
            if f is None:                       # clear: hide the innermost h
                for v in ctx[h][-1].fv:
                    count[v] -= 1
            else:
                for v in f.fv:
                    count[v] = count.get(v, 0) + 1
            ctx.setdefault(h, []).append(f)

    def _pop(self, binds) -> None:
        ctx, count = self.ctx, self.ctx_fv
        for h, f in reversed(binds):
            fs = ctx[h]
            fs.pop()
            if f is None:
                for v in fs[-1].fv:
                    count[v] += 1
            else:
                for v in f.fv:
                    count[v] -= 1
            if not fs:
                del ctx[h]


def check_proof(env, proof: Proof, fuel: int = DEFAULT_FUEL) -> tuple[Expr, frozenset]:
    """The formula ``proof`` proves from no hypotheses, and the axioms it rests on."""
    c = Checker(env, fuel)
    f = c.run(proof)
    return f, frozenset(c.axioms)


def expect_shape(rule: str, got: Expr, op: str, what: str) -> Expr:
    if got.op != op:
        raise KernelError(rule, f"{what} must be {op_name(op)}, got {got}")
    return got


def op_name(op: str) -> str:
    return {"and": "a conjunction", "or": "a disjunction", "imp": "an implication",
            "not": "a negation", "iff": "an equivalence", "forall": "a forall",
            "exists": "an exists", "eq": "an equation", "false": "false"}.get(op, op)


def same_expr(rule: str, got: Expr, want: Expr, what: str) -> None:
    if got != want:
        raise KernelError(rule, f"{what}: expected {want}, got {got}")


# ---- structural rules -------------------------------------------------------------

def hyp(c: Checker, h):
    """   ----------- hyp      (h : A in the context)
           G, h:A |- A                                   """
    fs = c.ctx.get(c.name(h, "hyp"))
    if not fs or fs[-1] is None:
        raise KernelError("hyp", f"no hypothesis named {h}")
    return fs[-1]


def clear(c: Checker, names, p):
    """ G |- A
        -------------- clear   (weakening, read upwards: p may not use the hypotheses named)
        G, h:B |- A                                                                          """
    if not isinstance(names, tuple) or len(set(names)) != len(names):
        raise KernelError("clear", "expected distinct hypothesis names")
    for h in names:
        fs = c.ctx.get(c.name(h, "clear"))
        if not fs or fs[-1] is None:
            raise KernelError("clear", f"no hypothesis named {h}")
    return (yield p, tuple((h, None) for h in names))


def thm(c: Checker, name):
    """A theorem or axiom already in the environment (closed, so usable anywhere)."""
    t = c.env.theorem(c.name(name, "thm"), "thm")
    c.axioms |= t.axioms
    return t.statement


def oracle(c: Checker, name, a):
    """A named oracle admits A; the name is recorded in the theorem's axioms."""
    if name not in ORACLES:
        raise KernelError("oracle", f"unknown oracle {name!r}")
    c.axioms.add(name)
    return c.formula(a, "oracle")


# ---- propositional rules ------------------------------------------------------------

def true_intro(c: Checker):
    """ ---- true_intro
        true             """
    return TRUE


def false_elim(c: Checker, p, a):
    """ false
        ----- false_elim
          A              """
    a = c.formula(a, "false_elim")
    expect_shape("false_elim", (yield p, ()), "false", "the premise")
    return a


def and_intro(c: Checker, p, q):
    """ A   B
        ----- and_intro
        A and B          """
    a = yield p, ()
    b = yield q, ()
    return mk("and", a, b)


def and_left(c: Checker, p):
    """ A and B
        ------- and_left
           A              """
    return expect_shape("and_left", (yield p, ()), "and", "the premise").args[0]


def and_right(c: Checker, p):
    return expect_shape("and_right", (yield p, ()), "and", "the premise").args[1]


def or_left(c: Checker, p, b):
    """   A
        ------ or_left
        A or B         """
    b = c.formula(b, "or_left")
    return mk("or", (yield p, ()), b)


def or_right(c: Checker, a, p):
    a = c.formula(a, "or_right")
    return mk("or", a, (yield p, ()))


def or_elim(c: Checker, p, h1, q1, h2, q2):
    """ A or B   [h1:A] C   [h2:B] C
        ---------------------------- or_elim
                     C                        """
    d = expect_shape("or_elim", (yield p, ()), "or", "the first premise")
    c1 = yield q1, ((h1, d.args[0]),)
    c2 = yield q2, ((h2, d.args[1]),)
    same_expr("or_elim", c2, c1, "the two cases prove different formulas")
    return c1


def imp_intro(c: Checker, h, a, p):
    """ [h:A] B
        ------- imp_intro
        A -> B            """
    a = c.formula(a, "imp_intro")
    return mk("imp", a, (yield p, ((h, a),)))


def imp_elim(c: Checker, p, q):
    """ A -> B   A
        ---------- imp_elim
            B                """
    i = expect_shape("imp_elim", (yield p, ()), "imp", "the first premise")
    same_expr("imp_elim", (yield q, ()), i.args[0], "the argument does not match the antecedent")
    return i.args[1]


def not_intro(c: Checker, h, a, p):
    """ [h:A] false
        ----------- not_intro
           not A               """
    a = c.formula(a, "not_intro")
    expect_shape("not_intro", (yield p, ((h, a),)), "false", "the premise")
    return mk("not", a)


def not_elim(c: Checker, p, q):
    """ not A   A
        --------- not_elim
          false             """
    n = expect_shape("not_elim", (yield p, ()), "not", "the first premise")
    same_expr("not_elim", (yield q, ()), n.args[0], "the second premise does not match")
    return FALSE


def iff_intro(c: Checker, p, q):
    """ A -> B   B -> A
        --------------- iff_intro
           A <-> B                 """
    f = expect_shape("iff_intro", (yield p, ()), "imp", "the first premise")
    g = expect_shape("iff_intro", (yield q, ()), "imp", "the second premise")
    same_expr("iff_intro", g, mk("imp", f.args[1], f.args[0]), "the second premise is not the converse")
    return mk("iff", f.args[0], f.args[1])


def iff_left(c: Checker, p):
    """ A <-> B
        ------- iff_left   (iff_right gives B -> A)
        A -> B                                       """
    e = expect_shape("iff_left", (yield p, ()), "iff", "the premise")
    return mk("imp", e.args[0], e.args[1])


def iff_right(c: Checker, p):
    e = expect_shape("iff_right", (yield p, ()), "iff", "the premise")
    return mk("imp", e.args[1], e.args[0])


def by_contra(c: Checker, h, a, p):
    """ [h: not A] false
        ---------------- by_contra   (classical)
               A                                  """
    a = c.formula(a, "by_contra")
    expect_shape("by_contra", (yield p, ((h, mk("not", a)),)), "false", "the premise")
    return a


# ---- quantifier rules ----------------------------------------------------------------

def forall_intro(c: Checker, x, p):
    """    G |- A          (x not free in G)
        ----------------- forall_intro
        G |- forall x, A                      """
    c.not_free_in_context(c.name(x, "forall_intro"), "forall_intro")
    a = yield p, ()
    return Forall(x, a)


def forall_elim(c: Checker, p, t):
    """ forall x, A
        ----------- forall_elim
          A[t/x]                 """
    t = c.term(t, "forall_elim")
    f = expect_shape("forall_elim", (yield p, ()), "forall", "the premise")
    return instantiate(f.args[0], t)


def exists_intro(c: Checker, e, t, p):
    """   A[t/x]
        ------------ exists_intro
        exists x, A               """
    e = expect_shape("exists_intro", c.formula(e, "exists_intro"), "exists", "the stated conclusion")
    t = c.term(t, "exists_intro")
    same_expr("exists_intro", (yield p, ()), instantiate(e.args[0], t), "the witness does not fit")
    return e


def exists_elim(c: Checker, p, x, h, q):
    """ exists y, A   [h: A[x/y]] C      (x not free in G, exists y A, or C)
        --------------------------- exists_elim
                    C                                                      """
    x = c.name(x, "exists_elim")
    c.not_free_in_context(x, "exists_elim")
    e = expect_shape("exists_elim", (yield p, ()), "exists", "the first premise")
    if x in free_vars(e):
        raise KernelError("exists_elim", f"eigenvariable {x} is free in {e}")
    concl = yield q, ((h, instantiate(e.args[0], Var(x))),)
    if x in free_vars(concl):
        raise KernelError("exists_elim", f"eigenvariable {x} escapes into the conclusion {concl}")
    return concl


# ---- equality -----------------------------------------------------------------------

def refl(c: Checker, t):
    """ ----- refl
        t = t        """
    t = c.term(t, "refl")
    return mk("eq", t, t)


def subst_rule(c: Checker, pe, x, m, p):
    """ a = b   M[a/x]
        -------------- subst
            M[b/x]         """
    x = c.name(x, "subst")
    m = c.formula(m, "subst")
    eq = expect_shape("subst", (yield pe, ()), "eq", "the first premise")
    a, b = eq.args
    same_expr("subst", (yield p, ()), subst(m, {x: a}), "the second premise is not the motive at the left side")
    return subst(m, {x: b})


def replace(c: Checker, pe, q, g):
    """ a = b (or A <-> B)   F
        ---------------------- replace   (G is F with some occurrences of a replaced by b)
                  G                                                                      """
    g = c.formula(g, "replace")
    eq = yield pe, ()
    if eq.op not in ("eq", "iff"):
        raise KernelError("replace", f"the first premise must be an equation or equivalence, got {eq}")
    a, b = eq.args
    f = yield q, ()
    stack = [(f, g)]
    while stack:
        x, y = stack.pop()
        if x == y or (x == a and y == b):
            continue
        if x.op != y.op or len(x.args) != len(y.args) or (x.op not in BINDERS and x.data != y.data):
            raise KernelError("replace", f"{g} is not {f} with {a} replaced by {b}")
        if x.op in JUDGMENTS:       # its variables are program variables, bound by it: not those of a = b
            raise KernelError("replace", f"cannot replace inside the program judgment {x}")
        stack.extend(zip(x.args, y.args))
    return g


# ---- arithmetic -----------------------------------------------------------------------

def ring(c: Checker, a, b):
    """ ----- ring     (a, b equal as polynomials over their atoms)
        a = b                                                        """
    a, b = c.term(a, "ring"), c.term(b, "ring")
    atoms: dict = {}
    if arith.normalize(a, atoms, "ring") != arith.normalize(b, atoms, "ring"):
        raise KernelError("ring", f"{a} and {b} have different normal forms")
    return mk("eq", a, b)


def linarith(c: Checker, cert):
    """ k1 * (a1 R1 b1)  ...  kn * (an Rn bn)
        ------------------------------------- linarith   (sum cancels to 0 < c <= 0)
                        false                                                         """
    if not isinstance(cert, tuple) or not all(isinstance(x, tuple) and len(x) == 2 for x in cert):
        raise KernelError("linarith", "the certificate must be a tuple of (coefficient, proof)")
    facts = []
    for k, p in cert:
        facts.append((k, (yield p, ())))
    arith.farkas_contradiction(facts, "linarith")
    return FALSE


def lin_round(c: Checker, p, g, concl):
    """ g*L + k <= 0
        ------------------ lin_round   (L with integer coefficients)
        L + ceil(k/g) <= 0                                             """
    concl = c.formula(concl, "lin_round")
    arith.divide_inequality((yield p, ()), g, concl, "lin_round")
    return concl


def eval_rule(c: Checker, a):
    """ ---- eval   (A closed, quantifier-free, evaluates to true)
         A                                                        """
    a = c.formula(a, "eval")
    if arith.evaluate(a, "eval") is not True:
        raise KernelError("eval", f"{a} evaluates to false")
    return a


def trichotomy(c: Checker, a, b):
    """ --------------------------- trichotomy
        a < b or (a = b or b < a)                """
    a, b = c.term(a, "trichotomy"), c.term(b, "trichotomy")
    return mk("or", mk("lt", a, b), mk("or", mk("eq", a, b), mk("lt", b, a)))


def _arith_axioms():
    a, b = Var("a"), Var("b")
    zero = Int(0)
    ite = lambda cond, x, y: Expr("ite", (cond, x, y))  # noqa: E731
    return {
        "div_zero": (("a",), mk("eq", mk("div", a, zero), zero)),
        "mod_zero": (("a",), mk("eq", mk("mod", a, zero), a)),
        "div_mod": (("a", "b"), mk("eq", a, mk("add", mk("mul", b, mk("div", a, b)), mk("mod", a, b)))),
        "mod_pos": (("a", "b"), mk("imp", mk("lt", zero, b),
                                   mk("and", mk("le", zero, mk("mod", a, b)), mk("lt", mk("mod", a, b), b)))),
        "mod_neg": (("a", "b"), mk("imp", mk("lt", b, zero),
                                   mk("and", mk("lt", b, mk("mod", a, b)), mk("le", mk("mod", a, b), zero)))),
        "abs_def": (("a",), mk("eq", mk("abs", a), ite(mk("le", zero, a), a, mk("neg", a)))),
        "min_def": (("a", "b"), mk("eq", mk("min", a, b), ite(mk("le", a, b), a, b))),
        "max_def": (("a", "b"), mk("eq", mk("max", a, b), ite(mk("le", a, b), b, a))),
    }


ARITH_AXIOMS = _arith_axioms()


def arith_axiom(c: Checker, name, terms):
    """The defining axioms of / % abs min max, instantiated (table ARITH_AXIOMS)."""
    if name not in ARITH_AXIOMS:
        raise KernelError("arith", f"unknown arithmetic axiom {name!r}")
    params, body = ARITH_AXIOMS[name]
    if not isinstance(terms, tuple) or len(terms) != len(params):
        raise KernelError("arith", f"{name} takes {len(params)} terms")
    return subst(body, {x: c.term(t, "arith") for x, t in zip(params, terms)})


def ite_true(c: Checker, cond, a, b):
    """ --------------------------------- ite_true   (ite_false: not C -> ite = b)
        C -> (if C then a else b) = a                                              """
    cond, a, b = c.formula(cond, "ite_true"), c.term(a, "ite_true"), c.term(b, "ite_true")
    return mk("imp", cond, mk("eq", Expr("ite", (cond, a, b)), a))


def ite_false(c: Checker, cond, a, b):
    cond, a, b = c.formula(cond, "ite_false"), c.term(a, "ite_false"), c.term(b, "ite_false")
    return mk("imp", mk("not", cond), mk("eq", Expr("ite", (cond, a, b)), b))


# ---- definitions and induction ----------------------------------------------------------

def unfold(c: Checker, name, terms):
    """ ------------------------ unfold    (f defined by f(xs) := body)
        f(ts) = body[ts/xs]      (for a predicate: p(ts) <-> body[ts/xs])   """
    d = c.env.definition(c.name(name, "unfold"), "unfold")
    if not isinstance(terms, tuple) or len(terms) != len(d.params):
        raise KernelError("unfold", f"{name} takes {len(d.params)} arguments")
    ts = tuple(c.term(t, "unfold") for t in terms)
    c.axioms |= d.axioms
    body = subst(d.body, dict(zip(d.params, ts)))
    if d.sort == TERM:
        return mk("eq", Expr("app", ts, d.name), body)
    return mk("iff", Expr("pred", ts, d.name), body)


def _motive(c: Checker, x, m, b, rule):
    return c.name(x, rule), c.formula(m, rule), c.term(b, rule)


def induction(c: Checker, x, m, b, base, step):
    """ M[b]   forall n, b <= n -> M[n] -> M[n+1]
        ---------------------------------------- induction
              forall n, b <= n -> M[n]                      """
    x, m, b = _motive(c, x, m, b, "induction")
    n = fresh_name("n", free_vars(m) | free_vars(b) | {x})
    at = lambda t: subst(m, {x: t})  # noqa: E731
    vn = Var(n)
    same_expr("induction", (yield base, ()), at(b), "the base case")
    want = Forall(n, mk("imp", mk("le", b, vn), mk("imp", at(vn), at(mk("add", vn, Int(1))))))
    same_expr("induction", (yield step, ()), want, "the step case")
    return Forall(n, mk("imp", mk("le", b, vn), at(vn)))


def strong_induction(c: Checker, x, m, b, step):
    """ forall n, b <= n -> (forall k, b <= k -> k < n -> M[k]) -> M[n]
        -------------------------------------------------------------- strong_induction
                         forall n, b <= n -> M[n]                                       """
    x, m, b = _motive(c, x, m, b, "strong_induction")
    avoid = free_vars(m) | free_vars(b) | {x}
    n = fresh_name("n", avoid)
    k = fresh_name("k", avoid | {n})
    at = lambda t: subst(m, {x: t})  # noqa: E731
    vn, vk = Var(n), Var(k)
    below = Forall(k, mk("imp", mk("le", b, vk), mk("imp", mk("lt", vk, vn), at(vk))))
    want = Forall(n, mk("imp", mk("le", b, vn), mk("imp", below, at(vn))))
    same_expr("strong_induction", (yield step, ()), want, "the step case")
    return Forall(n, mk("imp", mk("le", b, vn), at(vn)))


RULES = {
    "hyp": hyp, "thm": thm, "oracle": oracle,
    "true_intro": true_intro, "false_elim": false_elim,
    "and_intro": and_intro, "and_left": and_left, "and_right": and_right,
    "or_left": or_left, "or_right": or_right, "or_elim": or_elim,
    "imp_intro": imp_intro, "imp_elim": imp_elim, "not_intro": not_intro, "not_elim": not_elim,
    "iff_intro": iff_intro, "iff_left": iff_left, "iff_right": iff_right, "by_contra": by_contra,
    "forall_intro": forall_intro, "forall_elim": forall_elim,
    "exists_intro": exists_intro, "exists_elim": exists_elim,
    "refl": refl, "subst": subst_rule, "replace": replace, "clear": clear, "trichotomy": trichotomy,
    "ring": ring, "linarith": linarith, "lin_round": lin_round, "eval": eval_rule,
    "arith": arith_axiom, "ite_true": ite_true, "ite_false": ite_false,
    "unfold": unfold, "induction": induction, "strong_induction": strong_induction,
}

__all__ = ["check_proof", "Checker", "RULES", "ORACLES", "ARITH_AXIOMS", "BINDERS"]


from .hoare import HOARE_RULES  # noqa: E402  (the program logic's rules, in their own module)

RULES.update(HOARE_RULES)
