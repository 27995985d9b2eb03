"""Finding lemmas: by pattern, by name fragment, by the constants a statement mentions; ranked.

A query is one expression of the ``.proof`` language:

- a pattern with holes, ``_ * (_ + _)`` or ``gcd(_, _) = gcd(_, _)`` (``_`` and unknown names
  match any term, the same name the same term): theorems with a matching subterm or
  subformula, those whose conclusion matches as a whole first;
- a bare word: theorems whose name contains it (``search mod``), and, when the word is a defined
  symbol or a built-in operation (``gcd``, ``lcm``, ``abs``, ``pow``), theorems that mention it.

Several queries (``quod search gcd lcm``) keep the theorems that answer all of them. Hits are ranked
by how directly they answer (an exact name, a match of the whole conclusion or of its left side),
then by how general the match is (holes filled by distinct quantified variables first), then by the
size of the statement (the simplest lemma first), then by name. The REPL's ``search`` command and
``quod search`` both call ``search``.
"""

from __future__ import annotations

from dataclasses import dataclass

from kernel import Expr, Var, instantiate, show
from kernel.expr import postorder, size

BUILTIN_CONSTANTS = {"abs": "abs", "min": "min", "max": "max", "div": "div", "mod": "mod"}
MAX_SHOWN = 40


@dataclass(frozen=True)
class Hit:
    name: str
    statement: Expr
    score: tuple

    def line(self) -> str:
        return f"{self.name} : {show(self.statement)}"


def _parts(statement: Expr) -> tuple[list[Expr], Expr]:
    """The hypotheses and the conclusion under the leading foralls (bound variables as free ones)."""
    f, i, hyps = statement, 0, []
    while True:
        if f.op == "forall":
            f = instantiate(f.args[0], Var(f"_b{i}"))
            i += 1
        elif f.op == "imp":
            hyps.append(f.args[0])
            f = f.args[1]
        else:
            return hyps, f


def _constants(e: Expr) -> set[str]:
    out = set()
    for n in postorder(e):
        if n.op in ("app", "pred"):
            out.add(n.data)
        elif n.op in BUILTIN_CONSTANTS.values():
            out.add(n.op)
    return out


def _name_rank(word: str, name: str) -> int | None:
    if name == word:
        return 0
    if name.startswith(word + "_") or name.startswith(word):
        return 1
    if word in name.split("_"):
        return 2
    if word in name:
        return 3
    return None


def _word_query(env, word: str):
    """Score function for a bare word: a name fragment, and a constant when it is one."""
    const = word if word in env and _is_symbol(env, word) else BUILTIN_CONSTANTS.get(word)

    def score(name: str, statement: Expr):
        r = _name_rank(word, name)
        if const is None:
            return None if r is None else (r, 0)
        hyps, concl = _parts(statement)
        if const in _constants(concl):
            return (min(r, 1) if r is not None else 2, 0)
        if any(const in _constants(h) for h in hyps):
            return (4, 0)
        return None if r is None else (3 + r, 0)
    return score


def _is_symbol(env, word: str) -> bool:
    try:
        env.definition(word)
        return True
    except Exception:
        return False


def _pattern_query(env, se):
    from tactics.elab import Elaborator
    from tactics.engine import match, subterms
    el = Elaborator(env, holes=True)
    pat = el.any(se)
    mvars = set(el.pattern_vars)

    def specificity(sigma: dict) -> int:
        """How much less general than the pattern the match is: holes filled by something other than
        a quantified variable, and holes filled by the same term."""
        vals = list(sigma.values())
        return sum(1 for v in vals if not (v.op == "var" and v.data.startswith("_b"))) + len(vals) - len(set(vals))

    def first_match(e: Expr):
        for sub in subterms(e):
            sigma: dict = {}
            if match(pat, sub, mvars, sigma):
                return sigma
        return None

    def score(name: str, statement: Expr):
        hyps, concl = _parts(statement)
        sigma: dict = {}
        if match(pat, concl, mvars, sigma):
            return (0, specificity(sigma))
        sides = concl.args if concl.op in ("eq", "iff", "le", "lt") else ()
        for rank, side in ((1, sides[0] if concl.op in ("eq", "iff") else None),) + tuple((2, x) for x in sides):
            sigma = {}
            if side is not None and match(pat, side, mvars, sigma):
                return (rank, specificity(sigma))        # rank 1: a rewrite rule for the pattern
        sigma = first_match(concl)
        if sigma is not None:
            return (3, specificity(sigma))
        for h in hyps:
            sigma = first_match(h)
            if sigma is not None:
                return (4, specificity(sigma))
        return None
    return score


def query_scorer(env, se):
    """The score function of one query (an SExpr): (name, statement) -> a tuple, or None for no hit."""
    if se.kind == "name" and not se.args:
        return _word_query(env, se.data)
    return _pattern_query(env, se)


def search(env, queries: list) -> list[Hit]:
    """The theorems of ``env`` that answer every query, best first."""
    scorers = [query_scorer(env, q) for q in queries]
    hits = []
    for name, thm in env.theorems().items():
        total: tuple = ()
        for sc in scorers:
            s = sc(name, thm.statement)
            if s is None:
                break
            total = tuple(a + b for a, b in zip(total, s)) if total else s
        else:
            hits.append(Hit(name, thm.statement, total + (size(thm.statement), name)))
    hits.sort(key=lambda h: h.score)
    return hits


def search_lines(env, queries: list, limit: int = MAX_SHOWN) -> list[str]:
    hits = search(env, queries)
    lines = [h.line() for h in hits[:limit]]
    if len(hits) > limit:
        lines.append(f"... and {len(hits) - limit} more (refine the query)")
    return lines


def library_environment(loader, modules: list[str] | None = None):
    """The prelude and the library modules (all of theories/, or the ones named), in one environment."""
    from .loader import THEORIES
    env = loader.prelude().env.copy()
    names = modules
    if names is None:
        names = sorted(".".join(p.relative_to(THEORIES).with_suffix("").parts)
                       for p in THEORIES.rglob("*.proof"))
    for m in names:
        env.include(loader.module(m).env)      # shared imports are the same entries
    return env


def run_search(args) -> int:
    """``quod search QUERY ...``: the library's theorems answering every query, best first."""
    import sys

    from kernel import KernelError
    from tactics.parser import parse_expr
    from tactics.syntax import QuodError

    from .loader import Loader, format_error
    loader = Loader()
    try:
        queries = [parse_expr(q, "<query>") for q in args.queries]
        env = library_environment(loader, args.imports)
        lines = search_lines(env, queries, args.limit)
    except QuodError as exc:
        print(format_error(exc, " ".join(args.queries)), file=sys.stderr)
        return 2
    except KernelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not lines:
        print("no matching theorems")
        return 1
    print("\n".join(lines))
    return 0
