"""Small helpers shared by the kernel tests: term builders and a standard environment."""

from __future__ import annotations

from kernel import (FALSE, TRUE, AxiomDecl, Def, Environment, Exists, Expr, Forall, Int, P, Pred, TheoremDecl,
                    Var, App, check_proof, mk)

__all__ = ["FALSE", "TRUE", "Exists", "Forall", "Int", "P", "Pred", "App", "Var", "mk",
           "x", "y", "z", "n", "add", "sub", "mul", "neg", "div", "mod", "eq", "lt", "le", "imp", "and_", "or_",
           "not_", "iff", "ite", "lit", "check", "base_env", "SUM_TO_BODY", "sum_to_obligation_proof", "hyp"]

x, y, z, n = Var("x"), Var("y"), Var("z"), Var("n")


def lit(v) -> Expr:
    return v if isinstance(v, Expr) else Int(v)


def _bin(op):
    return lambda a, b: mk(op, lit(a), lit(b))


add, sub, mul, div, mod = _bin("add"), _bin("sub"), _bin("mul"), _bin("div"), _bin("mod")
eq, lt, le = _bin("eq"), _bin("lt"), _bin("le")
imp = lambda a, b: mk("imp", a, b)
and_ = lambda a, b: mk("and", a, b)
or_ = lambda a, b: mk("or", a, b)
iff = lambda a, b: mk("iff", a, b)


def neg(a) -> Expr:
    return mk("neg", lit(a))


def not_(a: Expr) -> Expr:
    return mk("not", a)


def ite(c: Expr, a, b) -> Expr:
    return Expr("ite", (c, lit(a), lit(b)))


def hyp(h: str):
    return P("hyp", h)


def check(proof, env: Environment | None = None):
    """The formula ``proof`` proves (axioms dropped)."""
    return check_proof(env if env is not None else Environment(), proof)[0]


# sum_to(n) := if n <= 0 then 0 else n + sum_to(n - 1)   decreasing n
SUM_TO_BODY = ite(le(n, 0), 0, add(n, App("sum_to", sub(n, 1))))


def sum_to_obligation_proof():
    """forall n, not (n <= 0) -> 0 <= n and n - 1 < n"""
    return P("forall_intro", "n", P("imp_intro", "h", not_(le(n, 0)), P(
        "and_intro",
        P("by_contra", "h2", le(0, n), P("linarith", ((1, hyp("h")), (1, hyp("h2"))))),
        P("by_contra", "h3", lt(sub(n, 1), n), P("linarith", ((1, hyp("h3")),))))))


def base_env() -> Environment:
    """double, pos, sum_to (recursive), a theorem lt_succ and a user axiom ax_pos."""
    env = Environment()
    env.add(Def("double", ("n",), "term", add(n, n)))
    env.add(Def("pos", ("n",), "formula", lt(0, n)))
    env.add(Def("sum_to", ("n",), "term", SUM_TO_BODY, n, (sum_to_obligation_proof(),)))
    # lt_succ : forall x, x < x + 1
    env.add(TheoremDecl("lt_succ", Forall("x", lt(x, add(x, 1))),
                        P("forall_intro", "x", P("by_contra", "h", lt(x, add(x, 1)),
                                                 P("linarith", ((1, hyp("h")),))))))
    env.add(AxiomDecl("ax_pos", Forall("x", lt(0, mul(x, x)))))   # false, but an axiom: recorded by name
    return env
