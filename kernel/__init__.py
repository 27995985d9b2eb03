"""Quod's trusted kernel: terms, proof terms, the checker, the environment, export.

Standard library only. Everything outside this package proposes proof terms;
only ``Environment.add`` (through the checker) makes a ``Theorem``.
"""

from .check import ARITH_AXIOMS, ORACLES, RULES, check_proof
from .env import AxiomDecl, Def, Definition, Environment, Theorem, TheoremDecl, decreasing_obligations
from .errors import ExportError, KernelError, ResourceError, ScopeError
from .expr import (FALSE, FORMULA, TERM, TRUE, App, Exists, Expr, Forall, Int, Pred, Var, abstract,
                   free_vars, instantiate, mk, show, subst)
from .export import dumps, export_theorem, loads, verify_file
from .proofs import P, Proof

__all__ = [
    "ARITH_AXIOMS", "ORACLES", "RULES", "check_proof",
    "AxiomDecl", "Def", "Definition", "Environment", "Theorem", "TheoremDecl", "decreasing_obligations",
    "ExportError", "KernelError", "ResourceError", "ScopeError",
    "FALSE", "FORMULA", "TERM", "TRUE", "App", "Exists", "Expr", "Forall", "Int", "Pred", "Var",
    "abstract", "free_vars", "instantiate", "mk", "show", "subst",
    "dumps", "export_theorem", "loads", "verify_file", "P", "Proof",
]
