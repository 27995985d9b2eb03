"""The kernel's one root error class and its kinds.

Every rejection names the rule (the same name as the proof-term tag) and the
side condition that failed, so a user or a tactic author can see why.
"""


class KernelError(Exception):
    """A proof, declaration or datum the kernel refuses."""

    def __init__(self, rule: str, message: str):
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message


class ScopeError(KernelError):
    """Unknown, duplicate or not-yet-admitted names."""


class ResourceError(KernelError):
    """A deterministic resource bound was exceeded (numbers too large, polynomials too big)."""


class ExportError(KernelError):
    """An exported proof file that cannot be read back."""
