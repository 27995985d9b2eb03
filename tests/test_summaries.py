"""Procedure summaries (issue 12): a program with the user's contract, recursive or not, is a kernel
procedure; its contract is proved once, for its body, and the programs declared after it call it
through the contract instead of inlining the body. So a caller's claim is proved from what the
contract says, and never from more; a contract the body does not meet is refused at the program."""

from __future__ import annotations

import pytest

from quod.loader import Loader

PROGRAMS = """\
program inc(x : int) -> int ensures result > x {
  return x + 1;
}
program twice(x : int) -> int {
  int a = inc(x);
  return inc(a);
}
program down(n : int) -> int requires n >= 0 ensures result = 0 {
  while (n > 0) { n = n - 1; }
  return n;
}
program use_down(n : int) -> int {
  int a = down(n);
  return a + 1;
}
program inc1(x : int) -> int ensures result = x + 1 {
  return x + 1;
}
program from_c from c \"\"\"
int from_c(int n) { if (n < 0 || n > 100) return 1; return inc1(n); }
\"\"\"
program from_c_weak from c \"\"\"
int from_c_weak(int n) { if (n < 0 || n > 100) return 1; return inc(n); }
\"\"\"
program from_py from python \"\"\"
def from_py(n):
    return inc(n) - n
\"\"\"
"""

CLAIMS = {          # name -> (claim, proved)
    "t_twice": ("forall x : int, twice(x) > x + 1", True),
    "t_twice_exact": ("forall x : int, twice(x) = x + 2", False),   # true, but more than inc's contract says
    "t_down": ("forall n : int, n >= 0 -> use_down(n) = 1", True),
    "t_down_pre": ("forall n : int, use_down(n) = 1", False),        # the call's precondition fails at n < 0
    "c": ("forall n : i32, from_c(n) >= 1", True),
    # true, but that inc's result fits C's int (no overflow when it is returned) is not in its contract
    "c_weak": ("forall n : i32, from_c_weak(n) >= 1", False),
    "py": ("forall n : int, from_py(n) >= 1", True),
    "py_exact": ("forall n : int, from_py(n) = 1", False),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    d = tmp_path_factory.mktemp("summaries")
    src = PROGRAMS + "".join(f"theorem {k} : {c} := by vcgen; all_goals smt\n" for k, (c, _) in CLAIMS.items())
    (d / "s.proof").write_text(src, encoding="utf-8")
    mod = Loader().load(d / "s.proof")
    return mod, {r.name: r for r in mod.results}


def test_a_contracted_program_is_called_not_inlined(results):
    mod, _ = results
    assert not mod.errors, mod.errors
    for name in ("twice", "use_down", "from_c", "from_c_weak", "from_py"):
        body = mod.programs[name].body
        calls = [n.data[1] for n in _nodes(body) if n.op == "call"]
        assert calls and set(calls) <= {"inc", "inc1", "down"}, (name, calls)


@pytest.mark.parametrize("name", [k for k, (_, ok) in CLAIMS.items() if ok])
def test_what_the_contract_gives_is_proved_by_the_kernel_alone(results, name):
    _, out = results
    assert out[name].status == "proved", (name, out[name].status, out[name].error)


@pytest.mark.parametrize("name", [k for k, (_, ok) in CLAIMS.items() if not ok])
def test_what_the_contract_does_not_say_is_not_proved(results, name):
    _, out = results
    assert out[name].status in ("failed", "don't know"), (name, out[name].status)


@pytest.mark.parametrize("text,message", [
    # an ensures the body does not meet: refused at the program, with its place
    ("program f(x : int) -> int ensures result > x + 1 {\n  return x + 1;\n}\n",
     "s.proof:1:1: error: the contract of f is not proved"),
    # a precondition too weak for the body: the loop need not end
    ("program f(n : int) -> int ensures result = 0 decreases n {\n  while (n != 0) { n = n - 1; }\n  return n;\n}\n",
     "the contract of f is not proved"),
    # an assume in the body: a procedure never blocks
    ("program f(x : int) -> int ensures result >= 0 {\n  __VERIFIER_assume(x >= 0);\n  return x;\n}\n",
     "unsupported: an assume in the function f"),
])
def test_a_contract_the_body_does_not_meet_is_refused(tmp_path, text, message):
    (tmp_path / "s.proof").write_text(text, encoding="utf-8")
    mod = Loader().load(tmp_path / "s.proof")
    assert mod.errors and message in mod.errors[0], mod.errors


def _nodes(e):
    from kernel.expr import postorder
    return postorder(e)
