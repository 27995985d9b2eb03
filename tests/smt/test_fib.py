"""smt rebuilds goals about a recursive definition with two base cases (issue 16): the defining
equation of each application, closed arguments evaluated and closed if-conditions decided."""

from __future__ import annotations

from quod.loader import Loader

SOURCE = """
def fib (n : int) : int := if n <= 0 then 0 else if n = 1 then 1 else fib(n - 1) + fib(n - 2)
  decreasing n

theorem fib_5 : fib(5) = 5 := by smt
theorem fib_rec (n : int) (h : n >= 2) : fib(n) = fib(n - 1) + fib(n - 2) := by smt
theorem fib_pos (n : int) (h : n >= 1) (h1 : fib(n) >= 1) (h2 : fib(n - 1) >= 0) : fib(n + 1) >= 1 := by smt
"""


def test_fib_with_two_base_cases_is_kernel_checked(tmp_path):
    p = tmp_path / "fib.proof"
    p.write_text(SOURCE)
    mod = Loader().load(p)
    got = {r.name: (r.status, tuple(getattr(r, "axioms", ()) or ())) for r in mod.results}
    assert got == {n: ("proved", ()) for n in ("fib_5", "fib_rec", "fib_pos")}, got
