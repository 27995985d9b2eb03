"""Case analysis on ``if``-conditions shared across all facts (as omega and lia lift ``if`` and
``max`` out of arithmetic before the linear search).

linarith splits an ``if`` atom where it meets one, one atom at a time and only inside
comparisons: a verification condition with a dozen ``if``s over the same few tests (a ranking
tuple ``if 0 < q then max(t, 0) else 0``, if-converted assignments) runs out of splits. Here
``max min abs`` become ``if``s (the kernel's defining axioms), and each innermost test ``c`` is
handled once for every ``if`` that carries it: decided when the facts decide it (a closed test by
``eval``, a known fact, or linarith from the comparisons), else split into the cases ``c`` and
``not c``; either way every ``if c then a else b`` is rewritten to its branch with the kernel's
``ite_true``/``ite_false`` and ``replace``. The tableau then continues on facts without ``if``.
"""

from __future__ import annotations

from kernel import Expr, KernelError, P, mk
from kernel.expr import postorder

from .linarith import LinarithFailed, prove_false

CHOICES = ("ite", "max", "min", "abs")


def has_choice(facts) -> bool:
    """Whether ``split`` has a test to work on: an innermost ``if`` outside binders, or a ``max``
    ``min`` ``abs`` of arguments without those."""
    return any(_summary(f)[0] or _summary(f)[1] for f, _ in facts)


_SUMMARIES: dict = {}


def _summary(f: Expr) -> tuple:
    """(the tests of f's innermost ifs with their counts, whether f has an expandable max/min/abs),
    remembered per formula: the tableau asks about the same large facts at every node."""
    got = _SUMMARIES.get(f)
    if got is not None:
        return got
    count: dict = {}
    mma = False
    has: dict = {}          # id(node): whether it has an if/max/min/abs (children come first)
    for n in postorder(f):
        has[id(n)] = n.op in CHOICES or any(has[id(a)] for a in n.args)
        if n.op in CHOICES and n.lbr == 0:
            inner = n.args[:1] if n.op == "ite" else n.args
            if any(has[id(a)] for a in inner):
                continue
            if n.op == "ite":
                count[n.args[0]] = count.get(n.args[0], 0) + 1
            else:
                mma = True
    got = (tuple(count.items()), mma)
    if len(_SUMMARIES) > 20000:
        _SUMMARIES.clear()
    _SUMMARIES[f] = got
    return got


def expand(facts) -> list:
    """``max min abs`` rewritten to their defining ``if`` (kernel ``max_def`` etc. and ``replace``)."""
    from .arith_tactics import def_rhs
    out = []
    for f, p in facts:
        for _ in range(200):
            n = next((n for n in postorder(f) if n.op in ("max", "min", "abs") and n.lbr == 0), None)
            if n is None:
                break
            g = _replace(f, n, def_rhs(n))
            f, p = g, P("replace", P("arith", n.op + "_def", n.args), p, g)
        out.append((f, p))
    return out


def _replace(e: Expr, a: Expr, b: Expr) -> Expr:
    from .engine import replace_all
    return replace_all(e, a, b)


def conditions(facts) -> list:
    """The tests of the innermost ``if``s (tests without an ``if`` of their own), most frequent first."""
    count: dict = {}
    for f, _ in facts:
        for c, k in _summary(f)[0]:
            count[c] = count.get(c, 0) + k
    return sorted(count, key=lambda c: -count[c])


def rewrite(facts, c: Expr, pc, yes: bool) -> list:
    """Every ``if c then a else b`` in the facts replaced by a (yes, pc proves c) or b (pc proves
    not c)."""
    out = []
    for f, p in facts:
        for _ in range(500):
            n = next((n for n in postorder(f) if n.op == "ite" and n.lbr == 0 and n.args[0] == c), None)
            if n is None:
                break
            _, a, b = n.args
            eq = P("imp_elim", P("ite_true" if yes else "ite_false", c, a, b), pc)
            g = _replace(f, n, a if yes else b)
            f, p = g, P("replace", eq, p, g)
        out.append((f, p))
    return out


def decide(facts, c: Expr, fresh):
    """(True, proof of c) or (False, proof of not c) when the facts decide c, else None."""
    from kernel.arith import evaluate

    from .arith_tactics import is_comparison
    known = {f: p for f, p in facts}
    if c in known:
        return True, known[c]
    if mk("not", c) in known:
        return False, known[mk("not", c)]
    if c.op == "not" and c.args[0] in known:
        h = fresh()
        return False, P("not_intro", h, c, P("not_elim", P("hyp", h), known[c.args[0]]))
    if not c.fv and not any(n.op in ("app", "pred", "forall", "exists") for n in postorder(c)):
        try:
            v = evaluate(c, "eval")
        except KernelError:
            v = None
        if v is True:
            return True, P("eval", c)
        if v is False:
            return False, P("eval", mk("not", c))
    cmp = [(f, p) for f, p in facts if is_comparison(f)]
    if c.op in ("le", "lt", "eq"):
        h = fresh()
        try:
            return False, P("not_intro", h, c, prove_false(cmp + [(c, P("hyp", h))]))
        except (LinarithFailed, KernelError):
            pass
    if c.op in ("le", "lt"):
        h = fresh()
        try:
            return True, P("by_contra", h, c, prove_false(cmp + [(mk("not", c), P("hyp", h))]))
        except (LinarithFailed, KernelError):
            pass
    if c.op == "not" and c.args[0].op in ("le", "lt", "eq"):
        h = fresh()
        try:
            return True, P("not_intro", h, c.args[0], prove_false(cmp + [(c.args[0], P("hyp", h))]))
        except (LinarithFailed, KernelError):
            pass
    return None


def simplify(facts, fresh) -> tuple[list, Expr | None]:
    """The facts with ``max min abs`` expanded and every test they decide rewritten away, and the
    test to split on next (None when no ``if`` is left)."""
    facts = expand(facts)
    for _ in range(200):
        conds = conditions(facts)
        if not conds:
            return facts, None
        for c in conds:
            d = decide(facts, c, fresh)
            if d is not None:
                facts = rewrite(facts, c, d[1], d[0])
                break
        else:
            return facts, conds[0]
    return facts, None


def split(tab, facts, depth: int):
    """A refutation of the facts by deciding or splitting their ``if`` tests; the tableau refutes
    the facts of each case (``tab._refute``)."""
    facts, c = simplify(facts, tab)
    if c is None:
        return tab.refute_facts(facts, depth)
    hc, hn = tab.fresh("_c"), tab.fresh("_c")
    yes = rewrite(facts, c, P("hyp", hc), True) + [(c, P("hyp", hc))]
    no = rewrite(facts, c, P("hyp", hn), False) + [(mk("not", c), P("hyp", hn))]
    # not counted in the branching depth: the tests are finitely many and each is split once
    p_yes = tab.refute_facts(yes, depth)
    p_no = tab.refute_facts(no, depth)
    return P("imp_elim", P("imp_intro", hn, mk("not", c), p_no), P("not_intro", hc, c, p_yes))
