"""The smt tactic: z3 decides, Quod's own procedures rebuild the proof, the kernel checks it.

*Encode*: a goal (hypotheses and target) becomes a z3 query for a
counterexample, with Quod's floor division made total exactly as the kernel
defines it, ``abs min max if`` as z3 terms, non-recursive definitions unfolded
and recursive ones as uninterpreted functions with their defining equations
as quantified axioms. *Decide*: z3 with a deterministic resource limit
(``rlimit``) and a wall-clock cap. *Certify*: on "unsat" the refutation
tableau (propositional structure with unit propagation, ``if`` tests decided or
split once across all facts (ite_cases.py), linarith with case splits,
definitions unfolded at their ground instances) builds a kernel proof; where it cannot, the
step is the named oracle ``smt_oracle``, visible everywhere. On "sat" the model
is read back in the user's names and checked by evaluating the goal before it
is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from kernel import Expr, KernelError, P, instantiate, mk, show
from kernel import subst as ksubst
from kernel.expr import postorder

DEFAULT_RLIMIT = 5_000_000
DEFAULT_TIMEOUT_MS = 10_000


class SmtDontKnow(Exception):
    """z3 gave up (unknown, resource limit) or its model could not be confirmed."""


class SmtCounterexample(Exception):
    """The goal is false: values for its variables under which it evaluates to false."""

    def __init__(self, assignment: dict, text: str):
        super().__init__(text)
        self.assignment = assignment
        self.text = text


@dataclass
class SmtOutcome:
    proof: object
    reconstructed: bool
    z3_ms: float


class Encoder:
    """Kernel formulas to z3 expressions."""

    def __init__(self, env):
        import z3
        self.z3 = z3
        self.env = env
        self.consts: dict[str, object] = {}
        self.funcs: dict[str, object] = {}
        self.axioms: list = []
        self._defining: set[str] = set()
        self._memo: dict = {}
        self._calls = 0

    def var(self, name: str):
        if name not in self.consts:
            self.consts[name] = self.z3.Int(name)
        return self.consts[name]

    def enc(self, e: Expr, bound: list | None = None):
        """Shared subterms are encoded once (program VCs repeat big `%` trees). Iterative over the
        connectives and operations, so a deep term is no RecursionError (binders and definitions
        recurse, as deep as they nest)."""
        bound = bound or []
        done: dict[int, object] = {}
        stack = [e]
        while stack:
            n = stack[-1]
            if id(n) in done:
                stack.pop()
                continue
            if n.lbr == 0 and n in self._memo:
                done[id(n)] = self._memo[n]
                stack.pop()
                continue
            if n.op not in ("forall", "exists"):
                todo = [a for a in n.args if id(a) not in done]
                if todo:
                    stack.extend(reversed(todo))
                    continue
            v = self._enc(n, bound, [done[id(a)] for a in n.args] if n.op not in ("forall", "exists") else [])
            if n.lbr == 0:
                self._memo[n] = v
            done[id(n)] = v
            stack.pop()
        return done[id(e)]

    def _enc(self, e: Expr, bound: list, v: list):
        """One node, from its arguments' encodings v."""
        z3 = self.z3
        op = e.op
        if op == "int":
            return z3.IntVal(e.data)
        if op == "var":
            return self.var(e.data)
        if op == "bvar":
            return bound[len(bound) - 1 - e.data]
        if op in ("true", "false"):
            return z3.BoolVal(op == "true")
        if op in ("forall", "exists"):      # a run of binders at once (500 parameters: 500 of them)
            chain, n, inner = [], e, list(bound)
            while n.op in ("forall", "exists"):
                x = z3.FreshInt(n.data or "x")
                chain.append((n.op, x))
                inner.append(x)
                n = n.args[0]
            body = self.enc(n, inner)
            for q, x in reversed(chain):
                body = z3.ForAll([x], body) if q == "forall" else z3.Exists([x], body)
            return body
        if op in ("app", "pred"):
            return self.app(e, v)
        if op == "add":
            return v[0] + v[1]
        if op == "sub":
            return v[0] - v[1]
        if op == "mul":
            return v[0] * v[1]
        if op == "neg":
            return -v[0]
        if op == "div":
            return floor_div(z3, v[0], v[1])
        if op == "mod":
            return floor_mod(z3, v[0], v[1])
        if op == "abs":
            return z3.If(v[0] >= 0, v[0], -v[0])
        if op == "min":
            return z3.If(v[0] <= v[1], v[0], v[1])
        if op == "max":
            return z3.If(v[0] <= v[1], v[1], v[0])
        if op == "ite":
            return z3.If(v[0], v[1], v[2])
        if op == "eq":
            return v[0] == v[1]
        if op == "lt":
            return v[0] < v[1]
        if op == "le":
            return v[0] <= v[1]
        if op == "not":
            return z3.Not(v[0])
        if op == "and":
            return z3.And(v[0], v[1])
        if op == "or":
            return z3.Or(v[0], v[1])
        if op == "imp":
            return z3.Implies(v[0], v[1])
        if op == "iff":
            return v[0] == v[1]
        raise SmtDontKnow(f"cannot encode {op}")

    def app(self, e: Expr, args: list):
        z3 = self.z3
        d = self.env.definition(e.data)
        if d.measure is None:
            # fresh names per call: the memo of shared subterms must not mix two calls' arguments; '#' is
            # in no identifier of a formula or a program, so these never meet a variable of the goal
            self._calls += 1
            names = [f"#arg{self._calls}_{i}" for i in range(len(d.params))]
            body = ksubst(d.body, {p: Expr("var", (), n) for p, n in zip(d.params, names)})
            for n, x in zip(names, args):
                self.consts[n] = x
            return self.enc(body)
        f = self.funcs.get(d.name)
        if f is None:
            sort = z3.IntSort() if d.sort == "term" else z3.BoolSort()
            # '#fn_' keeps a 0-ary definition m apart from a variable m of the goal (z3 identifies
            # a constant by its name: Function('m') and Int('m') were the same symbol)
            f = z3.Function(f"#fn_{d.name}", *([z3.IntSort()] * len(d.params)), sort)
            self.funcs[d.name] = f
            xs = [z3.FreshInt(p) for p in d.params]
            body = ksubst(d.body, {p: Expr("var", (), f"#def_{d.name}_{p}") for p in d.params})
            for p, x in zip(d.params, xs):
                self.consts[f"#def_{d.name}_{p}"] = x
            eq = f(*xs) == self.enc(body)
            self.axioms.append(z3.ForAll(xs, eq) if xs else eq)
        return f(*args)


def floor_div(z3, a, b):
    """Quod's a / b (floor, total with a / 0 = 0) from z3's Euclidean div."""
    q = a / b
    return z3.If(b == 0, 0, z3.If(b > 0, q, z3.If(a % b == 0, q, q - 1)))


def floor_mod(z3, a, b):
    """Quod's a % b (sign of b, a % 0 = a) from z3's Euclidean mod."""
    r = a % b
    return z3.If(b == 0, a, z3.If(b > 0, r, z3.If(r == 0, 0, r + b)))


def goal_formula(goal) -> Expr:
    """hyps -> target, as one formula over the goal's free variables."""
    f = goal.target
    for _, h in reversed(goal.hyps):
        f = mk("imp", h, f)
    return f


def quick_counterexample(env, goal, extra=(), budget: int = 400) -> dict | None:
    """Try small values (0, 1, -1, 2, -2, ...) for the goal's variables before asking z3,
    so that a plainly false goal is refuted at once whatever z3's budget is."""
    import itertools

    from .evaluate import EvalError, Evaluator
    f = goal_formula(goal)
    for e in extra:
        f = mk("imp", e, f)
    names = sorted(free_vars_of(f))
    if len(names) > 4:
        return None
    values = [0, 1, -1, 2, -2, 3, -3, 5, -5, 10]
    ev = Evaluator(env)                 # the variables read from ev.values: no substitution
    for i, combo in enumerate(itertools.product(values, repeat=len(names))):
        if i >= budget:
            return None
        ev.values = dict(zip(names, combo))
        try:
            if ev.run(f) is False:
                return dict(zip(names, combo))
        except (EvalError, KernelError):
            return None
    return None


def free_vars_of(e: Expr) -> frozenset:
    from kernel import free_vars
    return free_vars(e)


def decide(env, goal, rlimit: int = DEFAULT_RLIMIT, timeout_ms: int = DEFAULT_TIMEOUT_MS, extra=(),
           quick: bool = True):
    """z3's verdict on the goal: 'unsat' (valid), or raises SmtCounterexample / SmtDontKnow.
    ``quick=False``: the small values were tried already."""
    import time

    quick = quick_counterexample(env, goal, extra) if quick else None
    if quick is not None:
        text = ", ".join(f"{n} = {v}" for n, v in sorted(quick.items())) or "(none needed: the statement is false)"
        raise SmtCounterexample(quick, text)
    import z3
    enc = Encoder(env)
    s = z3.Solver()
    s.set("rlimit", rlimit)
    s.set("timeout", timeout_ms)
    claim = enc.enc(goal_formula(goal))
    for f in extra:
        s.add(enc.enc(f))
    s.add(z3.Not(claim))
    for ax in enc.axioms:
        s.add(ax)
    t0 = time.perf_counter()
    r = s.check()
    ms = (time.perf_counter() - t0) * 1000
    if r == z3.unsat:
        return ms
    if r == z3.sat:
        model = s.model()
        names = sorted(set(goal.vars) | {n for n in enc.consts if not n.startswith(("__", "#"))})
        assignment = {}
        for n in names:
            v = model.eval(enc.var(n), model_completion=True)
            assignment[n] = v.as_long()
        confirm_counterexample(env, goal, assignment)
        text = ", ".join(f"{n} = {assignment[n]}" for n in names if n in goal.used_vars()) or \
            "(none needed: the statement is false)"
        raise SmtCounterexample(assignment, text)
    reason = s.reason_unknown()
    st = s.statistics()
    used = st.get_key_value("rlimit count") if "rlimit count" in st.keys() else 0
    if used >= rlimit:
        reason = f"z3 spent its resource budget (rlimit {rlimit}) without an answer"
    elif "timeout" in reason or "canceled" in reason:
        reason = f"timeout after {timeout_ms / 1000:g} s"
    raise SmtDontKnow(f"z3 says unknown: {reason}")


def confirm_counterexample(env, goal, assignment: dict) -> None:
    """Evaluate hyps -> target under the assignment with Quod's own semantics; it must be false."""
    from .evaluate import EvalError, Evaluator
    f = ksubst(goal_formula(goal), {n: Expr("int", (), v) for n, v in assignment.items()})
    try:
        ok = Evaluator(env).run(f)
    except (EvalError, KernelError) as exc:
        # quantifiers (say, inside even or |) cannot be run: ask z3 about this one ground instance
        if _ground_instance_false(env, f):
            return
        raise SmtDontKnow(f"z3 found a possible counterexample that could not be confirmed ({exc})") from None
    if ok is not False:
        raise SmtDontKnow("z3's model is not a counterexample under Quod's semantics")


def _ground_instance_false(env, f: Expr) -> bool:
    """z3 proves the closed instance false (a second, separate query on a formula with no free variables)."""
    import z3
    from kernel import free_vars
    if free_vars(f):
        return False
    enc = Encoder(env)
    s = z3.Solver()
    s.set("rlimit", 2_000_000)
    s.add(enc.enc(f))
    for ax in enc.axioms:
        s.add(ax)
    return s.check() == z3.unsat


def reconstruct(env, goal, facts_extra=(), use_z3: bool = True):
    """A kernel proof of the goal from the tableau, or None. ``use_z3=False``: without asking z3
    for witnesses (before z3 has been started at all)."""
    from .tableau import Tableau, TableauFailed
    from .linarith import LinarithFailed
    tab = Tableau(goal.names(), goal.used_vars())
    from .lemmas import prove_by_lemma
    pf = prove_by_lemma(env, goal, tab)
    if pf is not None:
        return pf
    tab.ground = model_witnesses(env, goal) if use_z3 else []
    from .nlinarith import missing_lemmas
    from .quotrem import available
    tab.qr, tab.nl = available(env), not missing_lemmas(env)
    neg = tab.fresh("_goal")
    facts = [(f, P("hyp", h)) for h, f in goal.hyps] + list(facts_extra)
    facts.append((mk("not", goal.target), P("hyp", neg)))
    facts = _unfold_facts(env, facts)
    try:
        pf = tab.prove_false(facts)
    except (TableauFailed, LinarithFailed, KernelError, RecursionError):
        pf = _nonlinear(env, goal, facts, neg)
        if pf is None:
            pf = _branch_and_bound(goal, facts, neg, tab)
        if pf is None:
            return None
    return P("by_contra", neg, goal.target, pf)


def _branch_and_bound(goal, facts, neg: str, first):
    """The tableau once more with integer case splits at its leaves (``branch.py``), with
    nlinarith there too when the facts multiply variables."""
    from .linarith import LinarithFailed
    from .nlinarith import NlTableau, has_product
    from .tableau import Tableau, TableauFailed
    cls = NlTableau if first.nl and any(has_product(f) for f, _ in facts) else Tableau
    tab = cls(goal.names() | {neg}, goal.used_vars())
    tab.ground, tab.qr, tab.nl, tab.bb = first.ground, first.qr, first.nl, True
    try:
        return tab.prove_false(facts)
    except (TableauFailed, LinarithFailed, KernelError, RecursionError):
        return None


def model_witnesses(env, goal, timeout_ms: int = 500) -> list:
    """For a goal ``exists x1 .. xn, B`` without free variables: the values of x1 .. xn in a
    z3 model of B (the witnesses are then instances the kernel checks like any other)."""
    from kernel import Int, free_vars
    t = goal.target
    if t.op != "exists" or free_vars(goal_formula(goal)):
        return []
    import z3
    enc = Encoder(env)
    xs = []
    while t.op == "exists":
        name = f"#w{len(xs)}"
        xs.append(name)
        t = instantiate(t.args[0], Expr("var", (), name))
    s = z3.Solver()
    s.set("timeout", timeout_ms)
    try:
        s.add(enc.enc(t))
    except SmtDontKnow:
        return []
    for ax in enc.axioms:
        s.add(ax)
    if s.check() != z3.sat:
        return []
    m = s.model()
    return [Int(m.eval(enc.var(x), model_completion=True).as_long()) for x in xs]


def _nonlinear(env, goal, facts, neg: str):
    """The tableau once more, with nlinarith (products of facts, squares) at its leaves: for
    facts that multiply variables, before the step falls back to the oracle."""
    from .linarith import LinarithFailed
    from .nlinarith import NlTableau, has_product, missing_lemmas
    from .tableau import TableauFailed
    if not any(has_product(f) for f, _ in facts) or missing_lemmas(env):
        return None
    tab = NlTableau(goal.names() | {neg}, goal.used_vars())
    try:
        return tab.prove_false(facts)
    except (TableauFailed, LinarithFailed, KernelError, RecursionError):
        return None


def canonical(t: Expr) -> Expr:
    """A fixed representative of t's polynomial normal form (monomials ordered by their text)."""
    from kernel import Int, show
    from kernel.arith import normalize
    atoms: dict = {}
    poly = normalize(t, atoms)
    rev = {i: a for a, i in atoms.items()}
    terms = []
    for mono, c in poly.items():
        factors = sorted((rev[i] for i in mono), key=show)
        terms.append((tuple(show(a) for a in factors), c, factors))
    terms.sort(key=lambda x: (len(x[0]), x[0]))
    out = None
    for _, c, factors in terms:
        m = None
        for a in factors:
            m = a if m is None else mk("mul", m, a)
        m = Int(c) if m is None else (m if c == 1 else mk("neg", m) if c == -1 else mk("mul", Int(c), m))
        out = m if out is None else mk("add", out, m)
    return Int(0) if out is None else out


def _canonical_arguments(facts):
    """Rewrite the arithmetic arguments of applications, / and % to one normal form (kernel `ring` +
    `replace`), so that f(k + 1 - 1) and f(k) are the same atom for linarith."""
    from .engine import replace_all
    out = []
    for f, p in facts:
        for _ in range(50):
            target = None
            for n in postorder(f):
                if n.op in ("app", "pred", "div", "mod", "abs", "min", "max") and n.lbr == 0:
                    for a in n.args:
                        if a.op in ("add", "sub", "mul", "neg") and a.lbr == 0:
                            c = canonical(a)
                            if c != a:
                                target = (a, c)
                                break
                        if a.op in ("div", "mod", "abs", "min", "max", "ite") and not a.fv and \
                                not any(m.op in ("app", "pred") for m in postorder(a)):
                            target = (a, None)
                            break
                if target:
                    break
            if target is None:
                break
            a, c = target
            if c is None:           # a closed argument (12 % 18): its value, by eval
                from kernel import Int
                from kernel.arith import evaluate
                try:
                    c = Int(evaluate(a))
                except KernelError:
                    break
                g = replace_all(f, a, c)
                f, p = g, P("replace", P("eval", mk("eq", a, c)), p, g)
                continue
            g = replace_all(f, a, c)
            f, p = g, P("replace", P("ring", a, c), p, g)
        out.append((f, p))
    return out


def _unfold_facts(env, facts):
    """Unfold definitions in the facts: non-recursive ones in place (by ``replace``), recursive
    ones by adding the defining equation of each ground application (one round)."""
    from .engine import replace_all
    out = []
    facts = _canonical_arguments(facts)
    for f, p in facts:
        for _ in range(20):
            occ = next((n for n in postorder(f) if n.op in ("app", "pred") and n.lbr == 0
                        and _nonrecursive(env, n.data)), None)
            if occ is None:
                break
            eq = _defining(env, occ)
            g = replace_all(f, occ, eq.args[1])
            f, p = g, P("replace", P("unfold", occ.data, occ.args), p, g)
        out.append((f, p))
    # recursive definitions: the defining equation of each application in the facts, and (for
    # applications to closed arguments, evaluated) of the applications those bring, to a budget:
    # fib(5) unfolds down to its base cases, with the closed if-conditions decided on the way
    seen = set()
    work = [n for f, _ in out for n in postorder(f) if n.op in ("app", "pred") and n.lbr == 0]
    budget = MAX_GROUND_UNFOLDS
    open_budget = MAX_OPEN_UNFOLDS
    first = set(work)
    while work:
        n = work.pop(0)
        if n in seen:
            continue
        seen.add(n)
        (eq, pe), = _canonical_arguments([(_defining(env, n), P("unfold", n.data, n.args))])
        eq2, pe = _decide_closed_ites(eq, pe)
        out.append((eq2, pe))
        if n.fv and n in first and open_budget > 0 and \
                (any(not a.fv for a in n.args) or len(set(n.args)) < len(n.args)):
            # an application of the facts with a closed argument or a repeated one brings
            # applications that a case split decides (gcd(a, 1) is gcd(1, a % 1), gcd(0, a) is
            # gcd(a, 0 % a) when a != 0): those are unfolded once more, to a small budget
            for m in postorder(eq2.args[1]):
                if m.op in ("app", "pred") and m.lbr == 0 and m not in seen and m.fv and open_budget > 0:
                    open_budget -= 1
                    work.append(m)
        if n.fv or budget <= 0:
            continue
        for m in postorder(eq.args[1]):
            if m.op in ("app", "pred") and m.lbr == 0 and not m.fv and m not in seen:
                budget -= 1
                work.append(m)
    return out


MAX_GROUND_UNFOLDS = 60
MAX_OPEN_UNFOLDS = 4


def _decide_closed_ites(f: Expr, p):
    """``if c then a else b`` with a closed, evaluable c replaced by its branch (``ite_true`` or
    ``ite_false`` with an ``eval`` proof of c or of not c)."""
    from kernel.arith import evaluate

    from .engine import replace_all
    for _ in range(20):
        for n in postorder(f):
            if n.op == "ite" and n.lbr == 0 and not n.args[0].fv and \
                    not any(m.op in ("app", "pred") for m in postorder(n.args[0])):
                break
        else:
            return f, p
        c, a, b = n.args
        try:
            v = evaluate(c)
        except KernelError:
            return f, p
        eq = P("imp_elim", P("ite_true" if v else "ite_false", c, a, b), P("eval", c if v else mk("not", c)))
        g = replace_all(f, n, a if v else b)
        f, p = g, P("replace", eq, p, g)
    return f, p


def _nonrecursive(env, name: str) -> bool:
    try:
        return env.definition(name).measure is None
    except KernelError:
        return False


def _defining(env, n: Expr) -> Expr:
    d = env.definition(n.data)
    body = ksubst(d.body, dict(zip(d.params, n.args)))
    return mk("eq", n, body) if n.op == "app" else mk("iff", n, body)


def smt_prove(env, goal, lemmas=(), rlimit: int = DEFAULT_RLIMIT, timeout_ms: int = DEFAULT_TIMEOUT_MS):
    """Decide the goal with z3 (lemmas as extra facts) and return an SmtOutcome with a proof term."""
    extra_formulas = [f for _, f in lemmas]
    facts = [(f, p) for p, f in lemmas]
    # As quod prove: small values first, then Quod's own procedures (most true goals never start
    # z3, nor import it), then z3, whose "unsat" is rebuilt once more with its model's witnesses
    # when those can help (a closed existential), else rests on its word.
    quick = quick_counterexample(env, goal, extra_formulas)
    if quick is not None:
        text = ", ".join(f"{n} = {v}" for n, v in sorted(quick.items())) or "(none needed: the statement is false)"
        raise SmtCounterexample(quick, text)
    pf = reconstruct(env, goal, facts, use_z3=False)
    if pf is not None:
        return SmtOutcome(pf, True, 0.0)
    z3_ms = decide(env, goal, rlimit, timeout_ms, extra_formulas, quick=False)
    pf = reconstruct(env, goal, facts) if wants_model(goal) else None
    if pf is not None:
        return SmtOutcome(pf, True, z3_ms)
    return SmtOutcome(oracle_proof(goal, lemmas), False, z3_ms)


def wants_model(goal) -> bool:
    """Whether ``reconstruct`` with z3 can do more than without it: z3's model gives witnesses
    only to a closed existential goal (``model_witnesses``)."""
    from kernel import free_vars
    return goal.target.op == "exists" and not free_vars(goal_formula(goal))


def oracle_proof(goal, lemmas=()):
    """The named oracle step for what z3 proved: the lemmas and hypotheses imply the target."""
    extra_formulas = [f for _, f in lemmas]
    claim = goal_formula(goal)
    for f in reversed(extra_formulas):
        claim = mk("imp", f, claim)
    proof = P("oracle", "smt_oracle", claim)
    for p, _ in lemmas:
        proof = P("imp_elim", proof, p)
    for h, _ in goal.hyps:
        proof = P("imp_elim", proof, P("hyp", h))
    return proof


def _symbols(f: Expr) -> set:
    return {n.data if n.op in ("app", "pred") else n.op for n in postorder(f)
            if n.op in ("app", "pred", "div", "mod", "abs", "min", "max", "mul")}


def relevant_lemmas(env, goal, limit: int = 24) -> list[str]:
    """Theorems sharing the most symbols with the goal (a MePo-style filter), best first."""
    want = _symbols(goal_formula(goal))
    scored = []
    for name, t in env.theorems().items():
        syms = _symbols(t.statement)
        if not syms:
            continue
        common = len(syms & want)
        if common:      # lemmas resting on sorry or an oracle come last (and say so when used)
            scored.append((bool(t.axioms), -common / len(syms), -common, name))
    scored.sort()
    return [n for *_, n in scored[:limit]]


def unsat_core(env, goal, names: list[str], rlimit: int, timeout_ms: int):
    """The lemmas (among names) z3 needs to prove the goal, or None if z3 cannot with all of them."""
    import z3
    enc = Encoder(env)
    s = z3.Solver()
    s.set("rlimit", rlimit)
    s.set("timeout", timeout_ms)
    s.set("unsat_core", True)
    s.add(z3.Not(enc.enc(goal_formula(goal))))     # SmtDontKnow if the goal cannot be encoded
    tracks = {}
    for n in names:
        try:        # a lemma z3 cannot read (a program judgment, say) is not a candidate
            f = enc.enc(env.theorem(n).statement)
        except (SmtDontKnow, RecursionError):
            continue
        b = z3.Bool(f"__lemma_{n}")
        tracks[str(b)] = n
        s.assert_and_track(f, b)
    for ax in enc.axioms:
        s.add(ax)
    if s.check() != z3.unsat:
        return None
    return sorted(tracks[str(b)] for b in s.unsat_core() if str(b) in tracks)


__all__ = ["relevant_lemmas", "unsat_core", "smt_prove", "decide", "reconstruct", "SmtDontKnow",
           "SmtCounterexample", "Encoder", "floor_div", "floor_mod", "instantiate", "show"]
