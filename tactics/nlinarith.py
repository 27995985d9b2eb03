"""Nonlinear arithmetic by products of facts (``nlinarith``): normalise, decide, certify.

Like Lean's ``nlinarith`` and HOL Light's Positivstellensatz-style REAL_ARITH,
this is linear arithmetic over a richer set of facts.

*Normalise*: every comparison among the hypotheses and the negated goal becomes
``a <= b`` (a strict ``a < b`` is ``a + 1 <= b`` over the integers) or ``a = b``.

*Add products*: for each pair of them (a fact with itself included) the fact
``0 <= (b - a) * (d - c)``, or ``(b - a) * t = 0`` with an equation; then, if
that is not enough, the squares ``0 <= t * t`` of the atoms, of their sums and
differences (which gives ``2*a*b <= a*a + b*b``) and of ``2*a*x + b`` where a
fact has ``a*x*x + b*x`` (completing the square), and each equation times each
atom (substituting equals inside products).

*Decide*: an exact simplex (``simplex.py``) looks for a Farkas certificate over
the monomials of the kernel's polynomial normal form; Fourier-Motzkin with
integer rounding (``linarith.py``) is tried on small sets as well. Case splits
(disequalities, ``abs``/``min``/``max``/``if``, remainders; and, through the
refutation tableau, disjunctive hypotheses and goals) are those of linarith,
with this procedure at their leaves.

*Certify*: each product fact is an instance of a prelude lemma
(``mul_sub_nonneg``, ``mul_sub_eq_zero``, ``mul_self_nonneg``, each proved there
by induction) taken with ``forall_elim`` and ``imp_elim``, and the certificate
is the kernel's ordinary ``linarith`` rule. No new kernel rule: a product is
only ever a theorem the kernel checked.

Products are of degree two: a goal that needs three factors at once (``0 <= a
* b * c`` from ``0 <= a, b, c``) needs a hint, a proof of a product passed in
the brackets (``nlinarith [mul_nonneg(a * b, c, hab, hc)]``).
"""

from __future__ import annotations

from kernel import Expr, Forall, Int, KernelError, P, Proof, Var, mk
from kernel.arith import comparison, normalize

from .arith_tactics import is_comparison, AtomNames, prove_from_facts, hyp_facts
from .linarith import LinarithFailed, prove_false
from .simplex import farkas
from .tableau import Tableau

MAX_PRODUCT_FACTS = 10     # facts multiplied pairwise (55 products at most)
MAX_SQUARE_ATOMS = 6       # atoms whose squares, and squares of sums and differences, are added
MAX_FM_FACTS = 30         # facts and products small enough for Fourier-Motzkin with integer rounding
MAX_LP_CALLS = 200         # simplex runs per nlinarith call (case splits multiply them)


def _lemma_statements() -> dict[str, Expr]:
    a, b, c, d, t = (Var(x) for x in "abcdt")
    zero = Int(0)
    le_le = mk("imp", mk("le", a, b), mk("imp", mk("le", c, d),
                                          mk("le", zero, mk("mul", mk("sub", b, a), mk("sub", d, c)))))
    eq_t = mk("imp", mk("eq", a, b), mk("eq", mk("mul", mk("sub", b, a), t), zero))
    sq = mk("le", zero, mk("mul", a, a))
    return {
        "mul_sub_nonneg": Forall("a", Forall("b", Forall("c", Forall("d", le_le)))),
        "mul_sub_eq_zero": Forall("a", Forall("b", Forall("t", eq_t))),
        "mul_self_nonneg": Forall("a", sq),
    }


LEMMAS = _lemma_statements()


def missing_lemmas(env) -> list[str]:
    """The prelude lemmas nlinarith instantiates that ``env`` lacks (or has with another statement)."""
    out = []
    for name, stmt in LEMMAS.items():
        try:
            if env.theorem(name).statement != stmt:
                out.append(name)
        except KernelError:
            out.append(name)
    return out


def _inst(name: str, *terms: Expr) -> Proof:
    p = P("thm", name)
    for t in terms:
        p = P("forall_elim", p, t)
    return p


# ---- normalise: a <= b or a = b ---------------------------------------------------------------

def le_form(f: Expr, p: Proof, fresh) -> tuple[str, Expr, Expr, Proof] | None:
    """``("le", a, b, proof of a <= b)`` or ``("eq", a, b, proof of a = b)`` for a comparison fact.

    ``a < b`` becomes ``a + 1 <= b`` and negations are flipped, each by a one-line
    linear proof (``by_contra`` and the kernel's ``linarith``).
    """
    if f.op == "le":
        return "le", f.args[0], f.args[1], p
    if f.op == "eq":
        return "eq", f.args[0], f.args[1], p
    try:
        rel, lhs, rhs = comparison(f, "nlinarith")
    except KernelError:
        return None                             # a disequality: the case splits handle it
    if rel == "lt":
        lhs = mk("add", lhs, Int(1))
    want = mk("le", lhs, rhs)
    h = fresh()
    return "le", lhs, rhs, P("by_contra", h, want, P("linarith", ((1, p), (1, P("hyp", h)))))


# ---- products and squares -------------------------------------------------------------------------

def products(forms: list) -> list[tuple[Expr, Proof]]:
    """The product of each pair of facts (each with itself included), as (formula, proof)."""
    out = []
    for i, (k1, a1, b1, p1) in enumerate(forms):
        for k2, a2, b2, p2 in forms[i:]:
            if k1 == "eq" or k2 == "eq":
                # the equation's side difference times the other fact's
                a, b, p, t = (a1, b1, p1, mk("sub", b2, a2)) if k1 == "eq" else (a2, b2, p2, mk("sub", b1, a1))
                f = mk("eq", mk("mul", mk("sub", b, a), t), Int(0))
                out.append((f, P("imp_elim", _inst("mul_sub_eq_zero", a, b, t), p)))
            else:
                f = mk("le", Int(0), mk("mul", mk("sub", b1, a1), mk("sub", b2, a2)))
                pf = P("imp_elim", P("imp_elim", _inst("mul_sub_nonneg", a1, b1, a2, b2), p1), p2)
                out.append((f, pf))
    return out


def squares(atoms: list[Expr]) -> list[tuple[Expr, Proof]]:
    """``0 <= t * t`` for each atom, and for the sum and the difference of each pair of atoms."""
    terms = list(atoms)
    for i, x in enumerate(atoms):
        for y in atoms[i + 1:]:
            terms += [mk("sub", x, y), mk("add", x, y)]
    return [(mk("le", Int(0), mk("mul", t, t)), _inst("mul_self_nonneg", t)) for t in terms]


# ---- decide: a Farkas certificate by the simplex method ----------------------------------------------

_POLYS: dict = {}


def poly_of(f: Expr) -> tuple[dict, bool] | None:
    """A comparison as ``(poly, is_eq)`` with ``poly <= 0`` (or ``= 0``), monomials as tuples of
    atoms; memoised, since the same facts come back at every leaf of the case splits."""
    got = _POLYS.get(f)
    if got is None:
        try:
            rel, lhs, rhs = comparison(f, "nlinarith")
        except KernelError:
            return None
        atoms: dict = {}
        poly = dict(normalize(lhs, atoms, "nlinarith"))
        for m, c in normalize(rhs, atoms, "nlinarith").items():
            poly[m] = poly.get(m, 0) - c
        if rel == "lt":
            poly[()] = poly.get((), 0) + 1
        rev = {i: a for a, i in atoms.items()}
        named = {}
        for m, c in poly.items():
            if c:
                key = tuple(sorted((rev[i] for i in m), key=hash))
                named[key] = named.get(key, 0) + c
        if len(_POLYS) > 50_000:
            _POLYS.clear()
        got = _POLYS[f] = (named, rel == "eq")
    return got


def lp_refute(facts: list[tuple[Expr, Proof]]) -> Proof | None:
    """The kernel's ``linarith`` proof of false from the comparison facts, found by the simplex method."""
    rows, used = [], []
    for f, p in facts:
        row = poly_of(f)
        if row is not None:
            rows.append(row)
            used.append(p)
    if not rows:
        return None
    k = farkas(rows)
    if k is None:
        return None
    return P("linarith", tuple((c, p) for c, p in zip(k, used) if c))


def completed_squares(facts) -> list[Expr]:
    """For a fact with ``a*x*x + b*x`` in it (an atom x, b != 0), the term ``2*a*x + b``: its square
    completes the square (``x*x - 2*x + 1 >= 0`` is ``(2*x - 2)^2 >= 0`` divided by 4)."""
    atoms: dict = {}
    polys = []
    for f, _ in facts:
        try:
            _, lhs, rhs = comparison(f, "nlinarith")
        except KernelError:
            continue
        poly = dict(normalize(lhs, atoms, "nlinarith"))
        for m, c in normalize(rhs, atoms, "nlinarith").items():
            poly[m] = poly.get(m, 0) - c
        polys.append(poly)
    rev = {i: a for a, i in atoms.items()}
    out: list[Expr] = []
    for poly in polys:
        for i, x in rev.items():
            a, b = poly.get((i, i), 0), poly.get((i,), 0)
            if a and b:
                t = mk("add", mk("mul", Int(2 * a), x), Int(b))
                if t not in out:
                    out.append(t)
    return out


def _atoms_of(facts) -> list[Expr]:
    """The atoms of the facts' polynomials, those in nonlinear monomials first."""
    atoms: dict = {}
    nonlinear: set = set()
    for f, _ in facts:
        try:
            _, lhs, rhs = comparison(f, "nlinarith")
        except KernelError:
            continue
        for side in (lhs, rhs):
            for m in normalize(side, atoms, "nlinarith"):
                if len(m) > 1:
                    nonlinear |= set(m)
    rev = sorted(atoms.items(), key=lambda kv: (kv[1] not in nonlinear, kv[1]))
    return [a for a, _ in rev if a.sort == "term"]


def has_product(f: Expr) -> bool:
    """Whether f multiplies two terms neither of which is a literal, or divides by a term that is not
    a literal (``a = b * (a / b) + a % b`` is then a product: a candidate for nlinarith)."""
    from kernel.expr import postorder
    return any((n.op == "mul" and n.args[0].op != "int" and n.args[1].op != "int")
               or (n.op in ("div", "mod") and n.args[1].op != "int") for n in postorder(f))


def _degree(f: Expr) -> int:
    try:
        _, lhs, rhs = comparison(f, "nlinarith")
    except KernelError:
        return 0
    atoms: dict = {}
    return max((len(m) for side in (lhs, rhs) for m in normalize(side, atoms, "nlinarith")), default=0)


class NlLeaf:
    """nlinarith's leaf procedure for ``arith_tactics.refute``: ``false`` from the facts by linear
    arithmetic, then with the products of pairs of facts, then with squares of atoms too.

    ``fresh()`` supplies hypothesis names; a name supply with a ``leaf`` attribute set to one of
    these makes ``refute`` (and so the smt tableau) use it at the leaves of its case splits.
    """

    def __init__(self, fresh):
        self.fresh = fresh
        self.lp_calls = 0
        self.active = True          # off: linear arithmetic only (see NlTableau)

    def __call__(self, facts: list, may_split: bool = False) -> Proof:
        try:
            return prove_false(facts)
        except LinarithFailed:
            if not self.active:
                raise
            if may_split and any(f.op == "not" and f.args[0].op == "eq" for f, _ in facts):
                raise           # the split of the disequality comes first: products then see a < b
        if self.lp_calls >= MAX_LP_CALLS:
            raise LinarithFailed("nlinarith gave up: too many case splits")
        cmp_facts = [(f, p) for f, p in facts if is_comparison(f)]
        # the facts to multiply: nonlinear ones and the most recent (the negated goal is last) first
        ranked = sorted(range(len(cmp_facts)), key=lambda i: (-min(_degree(cmp_facts[i][0]), 2), -i))
        forms = []
        for i in ranked:
            form = le_form(*cmp_facts[i], self.fresh)
            if form is not None:
                forms.append(form)
            if len(forms) >= MAX_PRODUCT_FACTS:
                break
        prods = products(forms)
        self.lp_calls += 1
        pf = lp_refute(cmp_facts + prods)
        if pf is None:
            self.lp_calls += 1
            atoms = _atoms_of(cmp_facts)[:MAX_SQUARE_ATOMS]
            sq = squares(atoms)
            # an equation times an atom: the substitution of equals inside products
            sq += [(mk("eq", mk("mul", mk("sub", b, a), x), Int(0)),
                    P("imp_elim", _inst("mul_sub_eq_zero", a, b, x), p))
                   for kind, a, b, p in forms if kind == "eq" for x in atoms]
            sq += [(mk("le", Int(0), mk("mul", t, t)), _inst("mul_self_nonneg", t))
                   for t in completed_squares(cmp_facts)]
            pf = lp_refute(cmp_facts + prods + sq)
        if pf is None and len(cmp_facts) + len(prods) <= MAX_FM_FACTS:
            # the simplex works over the rationals; Fourier-Motzkin also rounds (cutting planes)
            try:
                pf = prove_false(cmp_facts + prods)
            except LinarithFailed:
                pass
        if pf is None:
            raise LinarithFailed("nlinarith failed: no certificate from the hypotheses, the products of pairs "
                                 "of them and the squares of atoms")
        return pf


class NlSearch(AtomNames):
    """The name supply of ``arith_tactics.refute``, carrying nlinarith's leaf procedure."""

    def __init__(self, goal):
        super().__init__(goal)
        self.leaf = NlLeaf(self)


def nlinarith_goal(eng, goal, tac, extra=()) -> Proof:
    missing = missing_lemmas(eng.env)
    if missing:
        eng.fail(tac, goal, "nlinarith needs the prelude's lemmas " + ", ".join(missing) +
                 " (integers.prelude), which this environment lacks")
    facts = hyp_facts(goal) + [(f, p) for p, f in extra if is_comparison(f)]
    search = NlSearch(goal)
    try:
        return prove_from_facts(goal.target, facts, search)
    except LinarithFailed as exc:
        pf = by_cases(goal, extra)
        if pf is not None:
            return pf
        msg = str(exc)
        if not msg.startswith("nlinarith"):
            msg = "nlinarith failed: " + msg
        cex = _counterexample(eng.env, goal)
        if cex:
            msg = f"nlinarith failed: the goal is false: counterexample {cex}"
        else:
            msg += ("; a goal that needs a product of three factors needs a hint, such as "
                    "nlinarith [mul_nonneg(a * b, c, h1, h2)]")
        eng.fail(tac, goal, msg)
    except KernelError as exc:
        eng.fail(tac, goal, f"nlinarith: {exc}")


def _branching(f: Expr) -> bool:
    return f.op in ("or", "imp", "iff", "exists") or (f.op == "and" and any(_branching(g) for g in f.args)) \
        or (f.op == "not" and f.args[0].op in ("and", "or", "imp", "exists", "forall"))


class NlTableau(Tableau):
    """The refutation tableau with nlinarith at its leaves: at a node that still has a disjunction
    (or another fact to branch on) only linear arithmetic is tried, since the branches below it
    carry more facts to multiply."""

    def __init__(self, used_names, used_vars):
        super().__init__(used_names, used_vars)
        self.leaf = NlLeaf(self)

    def _saturate(self, facts):
        out = super()._saturate(facts)
        if not isinstance(out, tuple):          # the node stays open: refute comes next
            self.leaf.active = not any(_branching(f) for f, _ in out)
        return out


def by_cases(goal, extra=()) -> Proof | None:
    """A goal whose hypotheses (or target) are disjunctions, implications, ...: the refutation tableau
    splits them, with nlinarith at its leaves (``have h : a < 0 or a >= 0 := ...`` then ``nlinarith``)."""
    from .tableau import TableauFailed
    if not (any(_branching(f) for _, f in goal.hyps) or any(_branching(f) for _, f in extra)
            or _branching(goal.target) or goal.target.op == "not"):
        return None
    tab = NlTableau(goal.names(), goal.used_vars())
    neg = tab.fresh("_goal")
    facts = [(f, P("hyp", h)) for h, f in goal.hyps] + [(f, p) for p, f in extra]
    facts.append((mk("not", goal.target), P("hyp", neg)))
    try:
        pf = tab.prove_false(facts)
    except (TableauFailed, LinarithFailed, KernelError, RecursionError):
        return None
    return P("by_contra", neg, goal.target, pf)


def _counterexample(env, goal) -> str | None:
    from .smt import quick_counterexample
    try:
        found = quick_counterexample(env, goal)
    except Exception:
        return None
    if not found:
        return None
    return ", ".join(f"{n} = {v}" for n, v in sorted(found.items()))
