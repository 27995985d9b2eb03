"""A refutation tableau: first-order propositional structure with linarith at the leaves.

Given facts (formula, proof) that are jointly contradictory, build a kernel
proof of ``false``: conjunctions and negated disjunctions/implications are
decomposed, existentials opened with fresh variables, double negations
removed, and disjunctions, implications and negated conjunctions branched on.
A branch closes on ``false``, on a pair ``A``/``not A``, or when linarith
(with its case splits) refutes its comparisons. This is how ``smt``'s "unsat"
is rebuilt as a proof the kernel checks.
"""

from __future__ import annotations

from kernel import Expr, Int, KernelError, P, Var, free_vars, instantiate, mk
from kernel.expr import postorder

from . import ite_cases
from .arith_tactics import is_comparison, refute
from .linarith import LinarithFailed

MAX_BRANCH_DEPTH = 14
MAX_NODES = 2000
MAX_ITE_NODES = 400         # the first search with if-tests split across all facts (then as before)
MAX_INSTANCES = 40
MAX_WITNESS_ROUNDS = 2      # nested existentials: exists q r, ... takes two


class TableauFailed(Exception):
    pass


class Tableau:
    def __init__(self, used_names: set[str], used_vars: set[str]):
        self.used = set(used_names) | set(used_vars)
        self.counter = 0
        self.nodes = 0
        self.instantiated = False
        self.witness_rounds = 0
        self.ground: list = []          # extra witness candidates (values from z3's model)
        self.qr = False                 # the prelude's quot_rem_unique lemmas are there (quotrem.py)
        self.nl = False                 # nlinarith's lemmas are there
        self.qr_done: set = set()
        self.bb = False                 # branch and bound at the leaves (branch.py)
        self.residue_done = False       # a residue case split is under way (_residue_split)
        self.residue_tries = 0
        self.ite_ok = True              # if-tests split across all facts first (ite_cases.py)
        self.in_ite = False
        self.ite_limit = 0

    def fresh(self, base: str = "_t") -> str:
        while True:
            self.counter += 1
            n = f"{base}{self.counter}"
            if n not in self.used:
                self.used.add(n)
                return n

    def __call__(self) -> str:           # the name supply interface of arith_tactics.refute
        return self.fresh("_la")

    def prove_false(self, facts: list) -> object:
        for f, _ in facts:
            self.used |= free_vars(f)
        flat, stack = [], list(facts)
        while stack:                        # conjunctions first, so that x = 5 inside them is seen
            f, p = stack.pop()
            if f.op == "and":
                stack.append((f.args[0], P("and_left", p)))
                stack.append((f.args[1], P("and_right", p)))
            else:
                flat.append((f, p))
        # no if/max/min/abs anywhere: none appears later (facts only split, instantiate, unfold)
        # so the if-first search is not even looked for (a large propositional goal asks at each node)
        saved = self.ite_ok
        self.ite_ok = any(n.op in ite_cases.CHOICES for f, _ in flat for n in postorder(f))
        try:
            return self._refute(_propagate_constants(flat), 0)
        finally:
            self.ite_ok = saved

    def _refute(self, facts: list, depth: int):
        self.nodes += 1
        if self.nodes > MAX_NODES or (self.in_ite and self.nodes > self.ite_limit):
            raise TableauFailed("the case analysis grew too large")
        facts = self._saturate(facts)
        if isinstance(facts, tuple):          # closed: (proof,)
            return facts[0]
        for i, (f, p) in enumerate(facts):
            if f.op == "exists":
                x = self.fresh(f.data or "x")
                h = self.fresh("_e")
                body = instantiate(f.args[0], Var(x))
                rest = facts[:i] + facts[i + 1:]
                return P("exists_elim", p, x, h, self._refute(rest + [(body, P("hyp", h))], depth))
            if f.op == "not" and f.args[0].op == "forall":
                x = self.fresh(f.args[0].data or "x")
                h = self.fresh("_e")
                body = mk("not", instantiate(f.args[0].args[0], Var(x)))
                ex = Expr("exists", (mk("not", f.args[0].args[0]),), f.args[0].data)
                pex = _not_forall_to_exists(p, f.args[0], ex, self)
                rest = facts[:i] + facts[i + 1:]
                return P("exists_elim", pex, x, h, self._refute(rest + [(body, P("hyp", h))], depth))
        comparisons = [(f, p) for f, p in facts if is_comparison(f)]
        try:
            return refute(comparisons, self)
        except LinarithFailed:
            pass
        if self.ite_ok and ite_cases.has_choice(facts):
            return self._ite_first(facts, depth)
        return self._branch(facts, depth)

    def refute_facts(self, facts: list, depth: int):
        """A proof of false from the facts (the tableau's search from this node on)."""
        return self._refute(facts, depth)

    def _ite_first(self, facts: list, depth: int):
        """The if-tests decided or split once for all facts (``ite_cases``); if that search fails,
        the search as before (linarith splitting if-atoms at the leaves) with the whole node budget:
        a goal proved before stays proved. Splitting every test up front is exponential in the
        tests of independent parts (15 conjuncts each with its own test), so this first search
        has a budget of its own."""
        if self.in_ite:
            return ite_cases.split(self, facts, depth)
        saved = self.nodes
        self.ite_limit = saved + MAX_ITE_NODES
        self.in_ite = True
        try:
            return ite_cases.split(self, facts, depth)
        except (TableauFailed, LinarithFailed, KernelError, RecursionError):
            self.nodes = saved
        finally:
            self.in_ite = False
        self.ite_ok = False
        try:
            return self._branch(facts, depth)
        finally:
            self.ite_ok = True

    def _branch(self, facts: list, depth: int):
        """Branching on the propositional structure, then the arithmetic special cases."""
        units = self._units(facts)
        if units is not None:
            return self._refute(units, depth)
        if depth >= MAX_BRANCH_DEPTH:
            raise TableauFailed("too many case splits")
        for i, (f, p) in enumerate(facts):
            rest = facts[:i] + facts[i + 1:]
            if f.op == "or":
                h1, h2 = self.fresh("_o"), self.fresh("_o")
                a, b = f.args
                return P("or_elim", p, h1, self._refute(rest + [(a, P("hyp", h1))], depth + 1),
                         h2, self._refute(rest + [(b, P("hyp", h2))], depth + 1))
            if f.op == "imp" or (f.op == "not" and f.args[0].op == "and"):
                if f.op == "imp":
                    a, b = f.args
                    yes = lambda ha, p=p: (b, P("imp_elim", p, P("hyp", ha)))  # noqa: E731
                else:
                    a, b0 = f.args[0].args
                    yes = lambda ha, p=p, b0=b0: (mk("not", b0), _not_and_right(p, ha, b0, self))  # noqa: E731
                ha, hn = self.fresh("_i"), self.fresh("_i")
                p_yes = self._refute(rest + [(a, P("hyp", ha)), yes(ha)], depth + 1)
                p_no = self._refute(rest + [(mk("not", a), P("hyp", hn))], depth + 1)
                return P("imp_elim", P("imp_intro", hn, mk("not", a), p_no), P("not_intro", ha, a, p_yes))
            if f.op == "not" and f.args[0].op == "iff":
                # not (A <-> B): either A and not B, or not A and B
                a, b = f.args[0].args
                ha, hn, hb, h1, h2 = (self.fresh("_i") for _ in range(5))
                iff = lambda pa_to_b, pb_to_a: P("not_elim", p, P("iff_intro", pa_to_b, pb_to_a))  # noqa: E731
                nb = P("not_intro", hb, b, iff(P("imp_intro", h1, a, P("hyp", hb)),
                                                P("imp_intro", h2, b, P("hyp", ha))))
                p_yes = self._refute(rest + [(a, P("hyp", ha)), (mk("not", b), nb)], depth + 1)
                hnb = self.fresh("_i")
                pb = P("by_contra", hnb, b, iff(
                    P("imp_intro", h1, a, P("false_elim", P("not_elim", P("hyp", hn), P("hyp", h1)), b)),
                    P("imp_intro", h2, b, P("false_elim", P("not_elim", P("hyp", hnb), P("hyp", h2)), a))))
                p_no = self._refute(rest + [(mk("not", a), P("hyp", hn)), (b, pb)], depth + 1)
                return P("imp_elim", P("imp_intro", hn, mk("not", a), p_no), P("not_intro", ha, a, p_yes))
            if f.op == "iff":
                a, b = f.args
                ha, hn = self.fresh("_i"), self.fresh("_i")
                p_yes = self._refute(rest + [(a, P("hyp", ha)), (b, P("imp_elim", P("iff_left", p), P("hyp", ha)))],
                                     depth + 1)
                hb = self.fresh("_i")
                nb = (mk("not", b), P("not_intro", hb, b, P("not_elim", P("hyp", hn),
                                                             P("imp_elim", P("iff_right", p), P("hyp", hb)))))
                p_no = self._refute(rest + [(mk("not", a), P("hyp", hn)), nb], depth + 1)
                return P("imp_elim", P("imp_intro", hn, mk("not", a), p_no), P("not_intro", ha, a, p_yes))
        if self.qr:
            pf = self._quotrem(facts, depth)
            if pf is not None:
                return pf
        if self.witness_rounds < MAX_WITNESS_ROUNDS and any(f.op == "forall" for f, _ in facts):
            pf = self._witness_round(facts, depth)
            if pf is not None:
                return pf
        if not self.instantiated:
            inst = self._instances(facts)
            if inst:
                self.instantiated = True
                try:
                    return self._refute(facts + inst, depth + 1)
                except (TableauFailed, LinarithFailed):
                    if self.residue_done:
                        raise
                finally:
                    self.instantiated = False
        if not self.residue_done:
            pf = self._residue_split(facts, depth)
            if pf is not None:
                return pf
        raise TableauFailed("no contradiction found")

    def _units(self, facts: list):
        """The facts after the steps that need no case split (unit propagation), or None if there
        is none: ``A -> B``, ``A or B`` and ``not (A and B)`` where a side is decided (a fact, its
        negation a fact, or closed and evaluated) give the other side or are dropped as satisfied.
        A chain of if-else cases is then followed without spending the branching depth on it."""
        known = {f: p for f, p in facts}
        out, changed = [], False
        for f, p in facts:
            g = f.args[0] if f.op == "not" else None
            if f.op == "imp":
                a, b = f.args
                d = _decided(a, known, self)
                if d is not None:
                    changed = True
                    if d[0]:
                        out.append((b, P("imp_elim", p, d[1])))
                    continue
            elif f.op == "or":
                a, b = f.args
                da, db = _decided(a, known, self), _decided(b, known, self)
                if (da is not None and da[0]) or (db is not None and db[0]):
                    changed = True
                    continue
                if da is not None or db is not None:
                    changed = True
                    keep, no = (b, da[1]) if da is not None else (a, db[1])
                    h1, h2 = self.fresh("_u"), self.fresh("_u")
                    if da is not None:
                        pf = P("or_elim", p, h1, P("false_elim", P("not_elim", no, P("hyp", h1)), b), h2, P("hyp", h2))
                    else:
                        pf = P("or_elim", p, h1, P("hyp", h1), h2, P("false_elim", P("not_elim", no, P("hyp", h2)), a))
                    out.append((keep, pf))
                    continue
            elif g is not None and g.op == "and":
                a, b = g.args
                da, db = _decided(a, known, self), _decided(b, known, self)
                if (da is not None and not da[0]) or (db is not None and not db[0]):
                    changed = True
                    continue
                if da is not None or db is not None:
                    changed = True
                    h = self.fresh("_u")
                    if da is not None:      # a holds: not b
                        pf = P("not_intro", h, b, P("not_elim", p, P("and_intro", da[1], P("hyp", h))))
                        out.append((mk("not", b), pf))
                    else:
                        pf = P("not_intro", h, a, P("not_elim", p, P("and_intro", P("hyp", h), db[1])))
                        out.append((mk("not", a), pf))
                    continue
            out.append((f, p))
        return out if changed else None

    def _residue_split(self, facts: list, depth: int):
        """Cases on the residue of a variable: for a universal fact whose equation says ``t = c * k``
        (``even(n * (n + 1))`` negated is ``forall k, n * (n + 1) != 2 * k``) with a product of n in
        t, the cases ``n % c = 0, 1, .., c - 1``; in case v, ``n = c * (n / c) + v`` (the kernel's
        division identity) is put for n everywhere, so that t's polynomial divides by c and the
        witness is solved exactly. The last case is refuted by the remainder's range. None if no
        fact has that shape or the cases do not all close."""
        if self.residue_tries >= MAX_RESIDUE_TRIES:
            return None                 # a failing search would try at each of its leaves
        pick = _residue_target(facts)
        if pick is None:
            return None
        n, c = pick
        self.residue_tries += 1
        self.residue_done = True
        try:
            return self._residue_case(facts, n, c, 0, depth)
        except (TableauFailed, LinarithFailed, KernelError):
            return None
        finally:
            self.residue_done = False

    def _residue_case(self, facts: list, n: Expr, c: int, v: int, depth: int):
        from .arith_tactics import prove_from_facts
        from .engine import replace_all
        zero, cc = Int(0), Int(c)
        r = mk("mod", n, cc)
        if v == c:
            rp = P("imp_elim", P("arith", "mod_pos", (n, cc)), P("eval", mk("lt", zero, cc)))
            rng = [(mk("le", zero, r), P("and_left", rp)), (mk("lt", r, cc), P("and_right", rp))]
            return refute([(f, p) for f, p in facts if is_comparison(f)] + rng, self)
        a = mk("eq", r, Int(v))
        ha, hn = self.fresh("_r"), self.fresh("_r")
        q = mk("div", n, cc)
        rhs = mk("add", mk("mul", cc, q), Int(v))
        dm = (mk("eq", n, mk("add", mk("mul", cc, q), r)), P("arith", "div_mod", (n, cc)))
        pe = prove_from_facts(mk("eq", n, rhs), [dm, (a, P("hyp", ha))], self)
        moved = []
        for f, p in facts:
            if n.data in f.fv:
                g = replace_all(f, n, rhs)
                moved.append((g, P("replace", pe, p, g)))
            else:
                moved.append((f, p))
        p_yes = self._refute(moved + [(a, P("hyp", ha))], depth + 1)
        p_no = self._residue_case(facts + [(mk("not", a), P("hyp", hn))], n, c, v + 1, depth + 1)
        return P("imp_elim", P("imp_intro", hn, mk("not", a), p_no), P("not_intro", ha, a, p_yes))

    def _quotrem(self, facts: list, depth: int):
        """Division by a symbolic divisor d (``quotrem.py``): cases on the sign of d, and in each
        the uniqueness lemma's instances whose premises linear arithmetic proves."""
        from . import quotrem
        for d, dividends in quotrem.divisions(facts).items():
            if d in self.qr_done:
                continue
            cands = quotrem.candidates(facts, d, dividends)
            if not cands:
                continue
            self.qr_done.add(d)
            try:
                zero = Int(0)
                h1, h2, h3, h4 = (self.fresh("_s") for _ in range(4))
                neg = self._qr_case(facts, (mk("lt", d, zero), P("hyp", h1)), d, cands, "quot_rem_unique_neg",
                                    depth)
                zc = self._qr_zero(facts, (mk("eq", d, zero), P("hyp", h3)), d, depth)
                pos = self._qr_case(facts, (mk("lt", zero, d), P("hyp", h4)), d, cands, "quot_rem_unique", depth)
                return P("or_elim", P("trichotomy", d, zero), h1, neg, h2,
                         P("or_elim", P("hyp", h2), h3, zc, h4, pos))
            except (TableauFailed, LinarithFailed):
                continue
            finally:
                self.qr_done.discard(d)
        return None

    def _qr_case(self, facts: list, sign, d: Expr, cands: list, lemma: str, depth: int):
        from . import quotrem
        base = facts + [sign]
        cmp = [(f, p) for f, p in base if is_comparison(f)]
        pf = self._excluded(cmp, d)
        if pf is not None:
            return pf
        zero = Int(0)
        # the division identity and the remainder's range for every dividend of d in sight
        divs: list = []
        for f in [f for f, _ in facts] + [x for c in cands for x in c]:
            for n in postorder(f):
                if n.op in ("div", "mod") and n.lbr == 0 and n.args[1] == d and n.args[0] not in divs:
                    divs.append(n.args[0])
        ax = "mod_neg" if lemma == "quot_rem_unique_neg" else "mod_pos"
        for x in divs:
            m = mk("mod", x, d)
            rp = P("imp_elim", P("arith", ax, (x, d)), sign[1])
            lo, hi = (mk("lt", d, m), mk("le", m, zero)) if ax == "mod_neg" else (mk("le", zero, m), mk("lt", m, d))
            cmp += [(mk("eq", x, mk("add", mk("mul", d, mk("div", x, d)), m)), P("arith", "div_mod", (x, d))),
                    (lo, P("and_left", rp)), (hi, P("and_right", rp))]
        pos = {f.args[1] for f, _ in cmp if f.op == "lt" and f.args[0] == zero}
        for f in [x for c in cands for x in c]:
            for n in postorder(f):
                if n.op == "mod" and n.lbr == 0 and n.args[1] != d and n.args[1] in pos:
                    x, e = n.args
                    rp = P("imp_elim", P("arith", "mod_pos", (x, e)), _find(cmp, mk("lt", zero, e)))
                    cmp += [(mk("le", zero, n), P("and_left", rp)), (mk("lt", n, e), P("and_right", rp))]
        new = []
        for t, q, r in cands:
            prem = [mk("le", zero, r), mk("lt", r, d)] if lemma == "quot_rem_unique" else \
                [mk("lt", d, r), mk("le", r, zero)]
            prem.append(mk("eq", t, mk("add", mk("mul", d, q), r)))
            proofs = []
            for f in prem:
                pf = (f.op == "eq" and quotrem.prove_by_mod_elimination(f, self)) or self._prove_cmp(cmp, f)
                if pf is None:
                    break
                proofs.append(pf)
            else:
                p = P("thm", lemma)
                for x in (t, d, q, r):
                    p = P("forall_elim", p, x)
                for pf in proofs:
                    p = P("imp_elim", p, pf)
                new += [(mk("eq", mk("div", t, d), q), P("and_left", p)),
                        (mk("eq", mk("mod", t, d), r), P("and_right", p))]
        return self._refute(base + new, depth + 1)

    def _excluded(self, cmp: list, d: Expr):
        """A refutation of a sign case the hypotheses exclude (d != 0, 0 < d; 0 < b and 0 < c for
        d = b * c, by nlinarith), or None."""
        from .linarith import prove_false
        try:
            return prove_false(cmp)
        except LinarithFailed:
            pass
        if self.nl and any(n.op == "mul" for n in postorder(d)):
            try:
                return refute(cmp, self._nl_names())
            except LinarithFailed:
                pass
        return None

    def _qr_zero(self, facts: list, zero_fact, d: Expr, depth: int):
        from .engine import replace_all
        eqf, pe = zero_fact
        pf = self._excluded([(f, p) for f, p in facts + [zero_fact] if is_comparison(f)], d)
        if pf is not None:
            return pf
        out = []
        for f, p in facts:
            if any(n == d for n in postorder(f)):
                g = replace_all(f, d, Int(0))
                f, p = g, P("replace", pe, p, g)
            for _ in range(12):             # x / 0 is 0 and x % 0 is x, innermost first
                n = next((n for n in postorder(f) if n.op in ("div", "mod") and n.lbr == 0 and n.args[1] == Int(0)),
                         None)
                if n is None:
                    break
                x = n.args[0]
                e, ax = (Int(0), "div_zero") if n.op == "div" else (x, "mod_zero")
                g = replace_all(f, n, e)
                f, p = g, P("replace", P("arith", ax, (x,)), p, g)
            out.append((f, p))
        return self._refute(out + [zero_fact], depth + 1)

    def _prove_cmp(self, cmp: list, f: Expr):
        """A proof of the comparison f from the comparison facts (linear, then nlinarith), or None."""
        h = self.fresh("_q")
        facts = cmp + [(mk("not", f), P("hyp", h))]
        try:
            return P("by_contra", h, f, refute(facts, self))
        except LinarithFailed:
            pass
        if not self.nl:
            return None
        try:
            return P("by_contra", h, f, refute(facts, self._nl_names()))
        except LinarithFailed:
            return None

    def _nl_names(self):
        """This tableau's name supply with nlinarith at the leaves of ``refute``."""
        from .nlinarith import NlLeaf

        class Names:
            def __init__(self, tab):
                self.tab, self.leaf, self.bb = tab, NlLeaf(tab), tab.bb

            def __call__(self):
                return self.tab()
        return Names(self)

    def _witness_round(self, facts: list, depth: int):
        """Instances of the universal facts at solved witnesses (``witness.py``), after
        eliminating defined variables; None if that does not close the branch."""
        from . import witness
        wf = witness.definitions(facts)
        terms = witness.candidates(wf)
        terms += [t for t in self.ground if t not in terms]
        if not terms:
            return None
        self.witness_rounds += 1
        try:
            return self._refute(wf + witness.instances(wf, terms), depth + 1)
        except (TableauFailed, LinarithFailed):
            return None
        finally:
            self.witness_rounds -= 1

    def _instances(self, facts: list) -> list:
        """One round of instances of the universal facts at nearby ground terms (x, x + 1, x - 1, 0, 1)."""
        from kernel import Int
        foralls = [(f, p) for f, p in facts if f.op == "forall"]
        if not foralls:
            return []
        ground: list = [Int(0), Int(1)]
        from kernel.expr import postorder
        for f, _ in facts:
            for v in sorted(free_vars(f)):
                x = Var(v)
                for t in (x, mk("add", x, Int(1)), mk("sub", x, Int(1)), mk("add", x, Int(2)), mk("sub", x, Int(2))):
                    if t not in ground:
                        ground.append(t)
            for n in postorder(f):
                if n.op == "app" and n.lbr == 0 and n not in ground:
                    ground.append(n)
        out = []
        for f, p in foralls:
            # the terms that make an atom of the body one of the facts' atoms first (triggers), then
            # the nearby ground terms
            matched = _trigger_terms(f.args[0], facts)
            terms = matched + [t for t in ground if t not in matched]
            for t in terms[:MAX_INSTANCES]:
                out.append((instantiate(f.args[0], t), P("forall_elim", p, t)))
        return out

    def _saturate(self, facts: list):
        """Decompose facts that need no branching; return (proof,) if a branch closes."""
        out: list = []
        seen: dict = {}
        todo = list(facts)
        while todo:
            f, p = todo.pop(0)
            if f in seen:
                continue
            if f.op == "false":
                return (p,)
            if f.op == "not" and f.args[0] in seen:
                return (P("not_elim", p, seen[f.args[0]]),)
            if mk("not", f) in seen:
                return (P("not_elim", seen[mk("not", f)], p),)
            if f.op == "not" and f.args[0].op == "eq" and f.args[0].args[0] == f.args[0].args[1]:
                return (P("not_elim", p, P("refl", f.args[0].args[0])),)
            if not f.fv and _evaluates_false(f):
                return (P("not_elim", P("eval", mk("not", f)), p),)
            seen[f] = p
            if f.op == "and":
                todo.append((f.args[0], P("and_left", p)))
                todo.append((f.args[1], P("and_right", p)))
                continue
            if f.op == "not":
                g = f.args[0]
                if g.op == "not":
                    h = self.fresh("_n")
                    todo.append((g.args[0], P("by_contra", h, g.args[0], P("not_elim", p, P("hyp", h)))))
                    continue
                if g.op == "or":
                    a, b = g.args
                    h = self.fresh("_n")
                    todo.append((mk("not", a), P("not_intro", h, a, P("not_elim", p, P("or_left", P("hyp", h), b)))))
                    todo.append((mk("not", b), P("not_intro", h, b, P("not_elim", p, P("or_right", a, P("hyp", h))))))
                    continue
                if g.op == "imp":
                    a, b = g.args
                    h, h2 = self.fresh("_n"), self.fresh("_n")
                    pa = P("by_contra", h, a, P("not_elim", p, P("imp_intro", h2, a,
                                                                 P("false_elim", P("not_elim", P("hyp", h),
                                                                                   P("hyp", h2)), b))))
                    pnb = P("not_intro", h, b, P("not_elim", p, P("imp_intro", h2, a, P("hyp", h))))
                    todo.append((a, pa))
                    todo.append((mk("not", b), pnb))
                    continue
                if g.op == "true":
                    return (P("not_elim", p, P("true_intro")),)
                if g.op == "iff":
                    out.append((f, p))          # branched on below
                    continue
                if g.op == "exists":
                    # not exists x, A  gives  forall x, not A
                    x = self.fresh(g.data or "x")
                    h = self.fresh("_n")
                    body = instantiate(g.args[0], Var(x))
                    pf = P("forall_intro", x, P("not_intro", h, body, P("not_elim", p, P("exists_intro", g, Var(x),
                                                                                         P("hyp", h)))))
                    from kernel import Forall
                    todo.append((Forall(x, mk("not", body)), pf))
                    continue
            out.append((f, p))
        return out


def _binder_free_atoms(f: Expr) -> list:
    """The comparison atoms of f reached through connectives only (not under a binder)."""
    out, stack = [], [f]
    while stack:
        g = stack.pop()
        if g.op in ("and", "or", "imp", "iff", "not"):
            stack.extend(g.args)
        elif g.op in ("eq", "lt", "le", "pred"):
            out.append(g)
    return out


def _match(pat: Expr, t: Expr, hole: list) -> bool:
    """Whether t is pat with bvar 0 replaced by one closed term (recorded in hole[0])."""
    stack = [(pat, t)]
    while stack:
        a, b = stack.pop()
        if a.op == "bvar":
            if a.data != 0 or b.lbr:
                return False
            if hole[0] is None:
                hole[0] = b
            elif hole[0] != b:
                return False
            continue
        if a.lbr == 0:
            if a != b:
                return False
            continue
        if a.op != b.op or a.data != b.data or len(a.args) != len(b.args):
            return False
        stack.extend(zip(a.args, b.args))
    return True


def _trigger_terms(body: Expr, facts: list) -> list:
    """Closed terms t such that some atom of body (with the bound variable) becomes, at t, an atom of
    the facts: the instances most likely to close a branch."""
    pats = [a for a in _binder_free_atoms(body) if a.lbr == 1]
    if not pats:
        return []
    out: list = []
    for f, _ in facts:
        for atom in _binder_free_atoms(f):
            if atom.lbr:
                continue
            for pat in pats:
                if pat.op != atom.op:
                    continue
                hole = [None]
                if _match(pat, atom, hole) and hole[0] is not None and hole[0] not in out:
                    out.append(hole[0])
    return out


MAX_DECIDE_DEPTH = 12   # how deep _decided looks into connectives
MAX_RESIDUE = 3         # residue splits for divisors up to this
MAX_RESIDUE_TRIES = 2   # residue splits per tableau


def _residue_target(facts: list):
    """(n, c) for a universal fact with an equation ``t = c * k`` in its bound variable k (c a
    literal, 2 <= |c| <= MAX_RESIDUE) where t multiplies the free variable n; else None."""
    from .witness import linear_in
    for f, _ in facts:
        if f.op != "forall":
            continue
        k = "_rk"
        while k in f.fv:
            k += "'"
        body = instantiate(f.args[0], Var(k))
        for e in postorder(body):
            if e.op != "eq" or e.lbr or k not in e.fv:
                continue
            got = linear_in(mk("sub", e.args[0], e.args[1]), k)
            if got is None:
                continue
            c1, c0, rev = got
            if len(c1) != 1 or () not in c1 or not 2 <= abs(c1[()]) <= MAX_RESIDUE:
                continue
            for mono in c0:
                if len(mono) >= 2:
                    for i in mono:
                        x = rev.get(i)
                        if x is not None and x.op == "var":
                            return x, abs(c1[()])
    return None


def _find(facts: list, f: Expr):
    return next(p for g, p in facts if g == f)


def _not_and_right(p, ha: str, b, tab: Tableau):
    """From p : not (A and B) and ha : A, a proof of not B."""
    hb = tab.fresh("_n")
    return P("not_intro", hb, b, P("not_elim", p, P("and_intro", P("hyp", ha), P("hyp", hb))))


def _not_forall_to_exists(p, fa: Expr, ex: Expr, tab: Tableau):
    """From p : not (forall x, A), a proof of exists x, not A."""
    h, h2 = tab.fresh("_n"), tab.fresh("_n")
    x = tab.fresh(fa.data or "x")
    body = instantiate(fa.args[0], Var(x))
    inner = P("by_contra", h2, body, P("not_elim", P("hyp", h), P("exists_intro", ex, Var(x), P("hyp", h2))))
    return P("by_contra", h, ex, P("not_elim", p, P("forall_intro", x, inner)))


def _decided(a: Expr, known: dict, tab: Tableau, pins: dict | None = None, depth: int = 0):
    """(True, a proof of a) or (False, a proof of not a) when a is a fact, its negation is one, a
    is closed and evaluates, a comparison whose variables the facts ``x = k`` fix (linarith), or
    a conjunction or disjunction of such; else None."""
    if a in known:
        return True, known[a]
    na = mk("not", a)
    if na in known:
        return False, known[na]
    if a.op == "true":
        return True, P("true_intro")
    if not a.fv:
        v = _closed_value(a) if a.sort == "formula" and not a.lbr else None
        if v is False:
            return False, P("eval", na)
        if v is True:
            return True, P("eval", a)
        return None
    if pins is None:
        pins = {f.args[0].data: (f, p) for f, p in known.items()
                if f.op == "eq" and f.args[0].op == "var" and f.args[1].op == "int"}
    if depth > MAX_DECIDE_DEPTH:
        return None
    # a name bound inside the proof built here only: no free hypothesis has this shape (fresh()
    # names have no second '_'), and the nested calls use other depths
    h = f"_u{id(a)}_{depth}"
    if a.op == "not":
        d = _decided(a.args[0], known, tab, pins, depth + 1)
        if d is None:
            return None
        if d[0]:
            return False, P("not_intro", h, a, P("not_elim", P("hyp", h), d[1]))
        return True, d[1]
    if a.op in ("and", "or"):
        lhs, r = a.args
        dl = _decided(lhs, known, tab, pins, depth + 1)
        if a.op == "and" and dl is not None and not dl[0]:
            return False, P("not_intro", h, a, P("not_elim", dl[1], P("and_left", P("hyp", h))))
        if a.op == "or" and dl is not None and dl[0]:
            return True, P("or_left", dl[1], r)
        dr = _decided(r, known, tab, pins, depth + 1)
        if dr is None:
            return None
        if a.op == "and" and not dr[0]:
            return False, P("not_intro", h, a, P("not_elim", dr[1], P("and_right", P("hyp", h))))
        if a.op == "or" and dr[0]:
            return True, P("or_right", lhs, dr[1])
        if dl is None:
            return None
        if a.op == "and":
            return True, P("and_intro", dl[1], dr[1])
        h1, h2 = h + "a", h + "b"
        return False, P("not_intro", h, a, P("or_elim", P("hyp", h), h1, P("not_elim", dl[1], P("hyp", h1)),
                                             h2, P("not_elim", dr[1], P("hyp", h2))))
    if a.op == "imp":
        lhs, r = a.args
        dl = _decided(lhs, known, tab, pins, depth + 1)
        if dl is not None and not dl[0]:
            return True, P("imp_intro", h, lhs, P("false_elim", P("not_elim", dl[1], P("hyp", h)), r))
        if dl is None:      # (r alone deciding it true: not looked for, r is often the big part)
            return None
        dr = _decided(r, known, tab, pins, depth + 1)
        if dr is not None and dr[0]:
            return True, P("imp_intro", h, lhs, dr[1])
        if dr is not None:
            h2 = h + "b"
            return False, P("not_intro", h2, a, P("not_elim", dr[1], P("imp_elim", P("hyp", h2), dl[1])))
        return None
    if a.op in ("eq", "le", "lt") and pins and all(v in pins for v in a.fv):
        from .linarith import prove_false
        fixed = [pins[v] for v in sorted(a.fv)]
        try:
            return False, P("not_intro", h, a, prove_false(fixed + [(a, P("hyp", h))]))
        except LinarithFailed:
            pass
        if a.op != "eq":
            try:
                return True, P("by_contra", h, a, prove_false(fixed + [(na, P("hyp", h))]))
            except LinarithFailed:
                pass
        else:
            try:
                return True, _prove_eq_by_linarith(a, fixed, tab)
            except (LinarithFailed, KernelError):
                pass
    return None


def _prove_eq_by_linarith(a: Expr, facts: list, tab: Tableau):
    """a = b from facts that fix both sides (two strict cases refuted by linarith)."""
    from .arith_tactics import prove_from_facts
    return prove_from_facts(a, facts, tab)


def _evaluates_false(f: Expr) -> bool:
    return _closed_value(f) is False


_VALUES: dict = {}


def _closed_value(f: Expr):
    """True or False for a closed formula the kernel's ``eval`` decides, else None (remembered:
    the tableau asks about the same closed atoms at every node)."""
    if f in _VALUES:
        return _VALUES[f]
    from kernel import KernelError
    from kernel.arith import evaluate
    from kernel.expr import postorder
    v = None
    if not any(n.op in ("app", "pred", "forall", "exists", "var", "bvar") or n.sort == "stmt"
               or n.op in ("hoare", "total", "diverges", "can_diverge") for n in postorder(f)):
        try:
            v = evaluate(f, "eval")
        except KernelError:
            v = None
    if len(_VALUES) > 50000:
        _VALUES.clear()
    _VALUES[f] = v if isinstance(v, bool) else None
    return _VALUES[f]


def _propagate_constants(facts: list) -> list:
    """Facts x = 5 (a variable equal to a literal) rewrite x to 5 in the other facts (kernel `replace`)."""
    from .engine import replace_all
    pins = [(f, p) for f, p in facts if f.op == "eq" and f.args[0].op == "var" and f.args[1].op == "int"]
    pins += [(mk("eq", f.args[1], f.args[0]), P("subst", p, "_z", mk("eq", Var("_z"), f.args[0]),
                                                P("refl", f.args[0])))
             for f, p in facts if f.op == "eq" and f.args[1].op == "var" and f.args[0].op == "int"]
    if not pins:
        return facts
    out = []
    for f, p in facts:
        for eq, pe in pins:
            if f is eq or f == eq or eq.args[0].data not in f.fv:
                continue
            g = replace_all(f, eq.args[0], eq.args[1])
            f, p = g, P("replace", pe, p, g)
        out.append((f, p))
    return out + pins
