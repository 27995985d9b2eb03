"""Program calls in formulas (issue 12): ``forall xs : T, H -> C[f(args)]`` is the total-correctness
judgment ``[xs in T and H and params = args] f [C with ret for the call]``. True statements about
recursive programs (native, from C, from Python) are proved by the kernel alone; false ones are never
proved; every formula whose reading is not that one is refused at the call, with "unsupported"."""

from __future__ import annotations

import re

import pytest

from quod.loader import Loader

PROGRAMS = """\
program fact(n : int) -> int requires n >= 0 ensures result >= 1 decreases n {
  if (n <= 0) return 1;
  return n * fact(n - 1);
}
program mc91(n : int) -> int
  ensures (n > 100 -> result = n - 10) and (n <= 100 -> result = 91)
  decreases 101 - n {
  if (n > 100) return n - 10;
  return mc91(mc91(n + 11));
}
program down(n : int) -> int {
  while (n != 0) { n = n - 1; }
  return 0;
}
program gcd_c from c "gcd.c" function gcd requires a >= 0 and b >= 0 ensures result >= 0
program gcd_py from python "gcd.py" function gcd requires a >= 0 and b >= 0 ensures result >= 0
"""

GCD_C = """\
int gcd(int a, int b) {
  if (a <= 0) return b;
  if (b <= 0) return a;
  if (a > b) return gcd(a - b, b);
  return gcd(a, b - a);
}
"""

GCD_PY = """\
def gcd(a, b):
    if b == 0:
        return a
    return gcd(b, a % b)
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    d = tmp_path_factory.mktemp("calls")
    (d / "gcd.c").write_text(GCD_C, encoding="utf-8")
    (d / "gcd.py").write_text(GCD_PY, encoding="utf-8")
    claims = TRUE + FALSE + WEAK
    src = PROGRAMS + "".join(f"theorem t{i} : {c} := by vcgen; all_goals smt\n" for i, c in enumerate(claims))
    src += "".join(f"theorem r{i} {c} := by vcgen; all_goals smt\n" for i, (c, _, _) in enumerate(REFUSED))
    (d / "case.proof").write_text(src, encoding="utf-8")
    mod = Loader().load(d / "case.proof")
    out = {r.name: r for r in mod.results}
    return out, claims, src


TRUE = [
    "forall n : int, n >= 0 -> fact(n) >= 1",
    "forall n : int, n >= 0 -> fact(n) >= n",
    "forall n, n >= 1 -> fact(n) >= n and fact(n) >= 1",          # one call, twice
    "forall n : int, n <= 100 -> mc91(n) = 91",
    "forall n : int, n > 100 -> mc91(n) = n - 10",
    "forall k : int, k >= 0 -> forall n : int, n >= k -> fact(n) >= k",   # binders and hypotheses gathered
    "forall n : int, n >= 0 -> fact(n + 1) >= 1",                  # an expression argument of an int parameter
    "forall n : int, n >= 0 -> down(n) = 0",
    "forall a b : i32, a >= 0 and b >= 0 -> gcd_c(a, b) >= 0",
    "forall a b : int, a >= 0 and b >= 0 -> gcd_py(a, b) >= 0",
    "mc91(5) = 91",                                                  # no quantifier
    "forall n : int, (forall m : int, m >= 0 -> fact(m) >= 1)",
]

FALSE = [
    "forall n : int, n >= 0 -> fact(n) >= 2",          # fact(0) = 1
    "forall n : int, mc91(n) = 91",                     # mc91(102) = 92
    "forall n : int, down(n) = 0",                      # runs forever from n < 0: total correctness
    "forall n : int, n >= 0 -> fact(n) <= n",
]


WEAK = ["fact(5) = 120"]      # true, but the contract (result >= 1) is all vcgen knows of the call


def test_a_claim_the_contract_is_too_weak_for_is_a_dont_know_that_says_so(results):
    out, claims, _ = results
    r = out[f"t{len(TRUE) + len(FALSE)}"]
    assert r.status == "don't know" and "fact(5) returns 120, as claimed" in r.error, r.error
    assert "stronger `ensures`" in r.error


@pytest.mark.parametrize("i", range(len(TRUE)))
def test_true_claims_are_proved_by_the_kernel_alone(results, i):
    out, claims, _ = results
    r = out[f"t{i}"]
    assert r.status == "proved", (claims[i], r.status, r.error)       # "proved": no oracle, axiom or sorry


@pytest.mark.parametrize("i", range(len(FALSE)))
def test_false_claims_are_not_proved(results, i):
    out, claims, _ = results
    r = out[f"t{len(TRUE) + i}"]
    assert r.status in ("failed", "don't know"), (claims[len(TRUE) + i], r.status)


def test_a_refuted_claim_names_the_quantified_variables_and_the_run(results):
    out, _, _ = results
    err = out[f"t{len(TRUE)}"].error
    assert "counterexample n = 0; fact(0) returns 1" in err, err
    assert "counterexample n = 102; mc91(102) returns 92" in out[f"t{len(TRUE) + 1}"].error


REFUSED = [          # (the rest of a theorem, what the message says, the text the caret is on)
    (": forall n : int, fact(n) >= 1 and mc91(n) = 91", "two different program calls", "mc91(n) = 91"),
    (": exists n : int, fact(n) = 1", "under `exists`", "fact(n) = 1"),
    (": forall n : int, n >= 0 -> exists m : int, fact(n) = m", "under `exists`", "fact(n) = m"),
    (": forall n : int, not (fact(n) = 0)", "under `not`", "fact(n) = 0)"),
    (": not (forall n : int, fact(n) >= 1)", "under `not`", "fact(n) >= 1)"),
    (": forall n : int, fact(n) = 0 -> false", "on the left of `->`", "fact(n) = 0 ->"),
    (": (fact(3) = 6) <-> true", "on a side of `<->`", "fact(3) = 6)"),
    (": forall n : int, fact(fact(n)) >= 1", "inside another program call's argument", "fact(n)) >= 1"),
    (": forall n : int, (if n > 0 then fact(n) else 1) >= 1", "inside `if .. then .. else`", "fact(n) else"),
    (": forall n : int, fact(n) >= 1 and (forall m : int, fact(m) >= 1)", "mentions m, bound inside",
     "m) >= 1)"),
    ("(h : forall n : int, fact(n) >= 1) : true", "in a hypothesis", "fact(n) >= 1)"),
    ("(n : int) : fact(n) >= 1", "n is bound outside the formula", "n) >= 1"),
    (": forall n : int, forall n : int, fact(n) >= 1", "n is quantified twice", "forall n : int, forall"),
    (": forall x : int, x >= 0 -> gcd_c(x, x) >= 0", "x ranges over int here", "x, x)"),
]


@pytest.mark.parametrize("i", range(len(REFUSED)))
def test_calls_that_do_not_read_as_total_correctness_are_refused_at_their_place(results, i):
    out, _, src = results
    claim, says, at = REFUSED[i]
    r = out[f"r{i}"]
    assert r.status == "failed" and says in r.error, (claim, r.error)
    assert "unsupported" in r.error or "ranges over" in r.error, r.error
    line = src.splitlines()[r.line - 1]
    m = re.match(r".*case\.proof:(\d+):(\d+): error", r.error)
    assert m and int(m.group(1)) == r.line, r.error
    col = int(m.group(2))
    assert line[col - 1:].startswith(at), (line, col, at)


def test_the_statement_shown_is_the_judgment_with_its_recursive_call(tmp_path):
    """--show-statement prints the kernel's judgment: the quantified n a ghost (n_1, since fact has its
    own n), the hypothesis and the argument in the precondition, the call statement as written."""
    (tmp_path / "a.proof").write_text(PROGRAMS.split("program mc91")[0]
                                      + "theorem t : forall n : int, n >= 0 -> fact(n) >= n := by vcgen; smt\n",
                                      encoding="utf-8")
    loader = Loader()
    loader.show_statements = True
    r = {x.name: x for x in loader.load(tmp_path / "a.proof").results}["t"]
    assert r.status == "proved", r.error
    assert r.statement.startswith("[0 <= n_1 and n = n_1]"), r.statement
    assert "__fact_result1 = fact(n - 1);" in r.statement and r.statement.rstrip().endswith("[n_1 <= ret]")
