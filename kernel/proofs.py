"""Proof terms: plain, immutable, hashable data naming one inference rule each.

A proof is ``Proof(rule, args)``: ``rule`` is the name of a kernel rule (the
same name its errors carry), ``args`` a tuple of formulas/terms (``Expr``),
sub-proofs (``Proof``), names (``str``), integers and tuples of these. The
checker in ``check.py`` gives each rule's arguments their meaning; nothing here
is trusted. Hashing is cached and equality iterative, so proofs of any depth
are fine.
"""

from __future__ import annotations

from .errors import KernelError
from .expr import Expr


class Proof:
    __slots__ = ("rule", "args", "_hash")

    def __init__(self, rule: str, args: tuple = ()):
        if not isinstance(rule, str):
            raise KernelError("proof", "a rule name must be a string")
        if not isinstance(args, tuple):
            raise KernelError("proof", "proof arguments must be a tuple")
        _set_rule(self, rule)
        _set_args(self, tuple(args))
        _set_hash(self, hash((rule, _items_hash(args))))

    def __setattr__(self, name, value):
        raise AttributeError("Proof is immutable")

    def __delattr__(self, name):
        raise AttributeError("Proof is immutable")

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other) -> bool:
        if not isinstance(other, Proof):
            return NotImplemented
        stack = [(self, other)]
        while stack:
            a, b = stack.pop()
            if a is b:
                continue
            if isinstance(a, Proof) and isinstance(b, Proof):
                if a._hash != b._hash or a.rule != b.rule or len(a.args) != len(b.args):
                    return False
                stack.extend(zip(a.args, b.args))
            elif isinstance(a, tuple) and isinstance(b, tuple):
                if len(a) != len(b):
                    return False
                stack.extend(zip(a, b))
            elif type(a) is not type(b) or a != b:
                return False
        return True

    def __reduce__(self):
        return (Proof, (self.rule, self.args))

    def __repr__(self) -> str:
        return f"Proof({self.rule!r}, ...)"


_set_rule, _set_args, _set_hash = (getattr(Proof, name).__set__ for name in Proof.__slots__)


def _items_hash(args: tuple) -> int:
    """Check that every argument is supported, and hash them (sub-proofs and terms by their cached hash)."""
    hs = []
    for x in args:
        if isinstance(x, (Proof, Expr)):
            hs.append(x._hash)
        elif isinstance(x, tuple):
            hs.append(_items_hash(x))
        elif isinstance(x, (str, int)) and not isinstance(x, bool):
            hs.append(hash(x))
        else:
            raise KernelError("proof", f"unsupported proof argument {type(x).__name__}")
    return hash(tuple(hs))


def P(rule: str, *args) -> Proof:
    """Shorthand used by tactics and tests: ``P("and_intro", p, q)``."""
    return Proof(rule, args)
