"""``--show-statement``: the kernel statement behind every answer of check, prove and terminates.

The printer (``quod/statement.py``) must be exact: a formula it prints reads back as the same
kernel ``Expr``, nothing is abbreviated however deep, and programs print in full.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quod(*args, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    e = dict(os.environ)
    e.pop("QUOD_DEBUG", None)
    e["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [e.get("PYTHONPATH")] if p])
    p = subprocess.run([sys.executable, "-m", "quod.cli", *args], cwd=cwd, env=e, capture_output=True, text=True,
                       encoding="utf-8", errors="replace", timeout=timeout)
    assert "Traceback" not in p.stdout + p.stderr, p.stdout + p.stderr
    return p


PROGRAMS = textwrap.dedent("""\
    program down(x : int) {
      while (x > 0) { x = x - 1; }
    }
    theorem down_terminates : terminates down := by termination
    theorem plain : forall a b : int, a + b = b + a := by
      intro a b
      ring
    axiom big : forall n : int, exists m : int, m > n
    """)


def test_check_shows_each_statement_with_its_program(tmp_path):
    (tmp_path / "p.proof").write_text(PROGRAMS, encoding="utf-8")
    p = quod("check", "--no-cache", "--show-statement", "p.proof", cwd=tmp_path)
    assert p.returncode == 0, p.stdout
    out = p.stdout
    assert re.search(r"^p\.proof:4 +down_terminates +proved .*\n  statement: \[true\]\n +while \(0 < x\) \{\n"
                     r" +x = x - 1;\n +\}\n +\[true\]$", out, re.M), out
    assert re.search(r"^p\.proof:5 +plain +proved .*\n  statement: forall a b : int, a \+ b = b \+ a$", out, re.M), out
    assert re.search(r"^p\.proof:8 +big +axiom .*\n  statement: forall n : int, exists m : int, n < m$", out, re.M), out
    plain = quod("check", "--no-cache", "p.proof", cwd=tmp_path)
    assert "statement:" not in plain.stdout
    doc = json.loads(quod("check", "--no-cache", "--json", "p.proof", cwd=tmp_path).stdout)
    by = {t["name"]: t["statement"] for t in doc["theorems"]}
    assert by["plain"] == "forall a b : int, a + b = b + a"
    assert by["down_terminates"].split("\n") == ["[true]", "  while (0 < x) {", "    x = x - 1;", "  }", "[true]"]
    # a cached result shows the statement elaborated now, the same
    quod("check", "p.proof", cwd=tmp_path)
    warm = json.loads(quod("check", "--json", "p.proof", cwd=tmp_path).stdout)
    assert {t["name"]: t["statement"] for t in warm["theorems"]} == by and warm["counts"]["cached"] == 2


def test_prove_shows_the_statement_after_the_answer(tmp_path):
    for formula, first in (("forall x y : int, x + y = y + x", "yes"),
                           ("forall x y : int, x - y = y - x", "no: counterexample")):
        p = quod("prove", "--show-statement", formula, cwd=tmp_path)
        lines = p.stdout.rstrip("\n").split("\n")
        assert lines[0].startswith(first) and lines[-1] == f"statement: {formula}", p.stdout
    assert "statement" not in quod("prove", "forall x : int, x = x", cwd=tmp_path).stdout


def test_terminates_shows_the_program_the_kernel_reads(tmp_path):
    (tmp_path / "g.c").write_text("void g(int x, int y) {\n  if (y > 0)\n    while (x > y)\n      x = x - y;\n}\n")
    (tmp_path / "h.c").write_text("void h(int x, int y) {\n  while (x > y)\n    x = x - y;\n}\n")
    (tmp_path / "k.c").write_text("void k(int n) {\n  while (n > 1) {\n    if (n % 2 == 0) n = n / 2;\n"
                                  "    else n = 3 * n + 1;\n  }\n}\n")
    yes = quod("terminates", "--show-statement", "g.c", cwd=tmp_path)
    assert yes.returncode == 0 and yes.stdout.startswith("yes:")
    assert "\nstatement: [" in yes.stdout and "      x = x - y;\n" in yes.stdout
    assert yes.stdout.rstrip().endswith("[true]")
    assert "assert((-2147483648) <= x - y and x - y <= 2147483647);" in yes.stdout     # the overflow check
    no = quod("terminates", "--show-statement", "h.c", cwd=tmp_path)
    assert no.returncode == 1 and no.stdout.startswith("no:")
    assert re.search(r"^statement: (diverges|can diverge)$", no.stdout, re.M) and "  from (" in no.stdout, no.stdout
    dk = quod("terminates", "--show-statement", "k.c", cwd=tmp_path)
    assert dk.returncode == 3 and dk.stdout.startswith("don't know")
    assert "\nstatement (not proved): [" in dk.stdout and "n = 3 * n + 1;" in dk.stdout


def test_formulas_read_back_as_the_same_statement():
    """Every formula statement of the bundled library, printed, parses and elaborates to itself."""
    from kernel.expr import JUDGMENTS, postorder
    from quod.loader import Loader
    from quod.statement import render
    from tactics.elab import Elaborator
    from tactics.parser import parse_expr
    loader = Loader()
    n = 0
    for f in sorted((ROOT / "theories").rglob("*.proof")) + [ROOT / "proofs" / "arith.proof",
                                                             ROOT / "proofs" / "logic.proof"]:
        env = loader.load(f).env
        for name, t in env.theorems().items():
            if any(x.op in JUDGMENTS for x in postorder(t.statement)):
                continue
            text = render(t.statement)
            assert Elaborator(env).formula(parse_expr(text)) == t.statement, (name, text)
            n += 1
    assert n > 100


def test_nothing_is_abbreviated():
    from kernel import Int, Var, mk, show
    from quod.statement import render
    f = mk("le", Int(0), Var("x0"))
    for i in range(1, 300):
        f = mk("and", mk("le", Int(i), Var(f"x{i}")), f)
    assert "..." in show(f)                       # the kernel's own printer stops at depth 60
    text = render(f)
    assert "..." not in text and text.count(" and ") == 299 and "x299" in text and "x0" in text
    from kernel import Expr
    stmts = [Expr("assign", (Int(i),), "y") for i in range(400)]
    body = stmts[-1]
    for s in reversed(stmts[:-1]):
        body = Expr("seq", (s, body))
    judgment = Expr("total", (Expr("true"), Expr("while", (mk("lt", Int(0), Var("y")), body)), Expr("true")))
    lines = render(judgment).split("\n")
    assert lines[0] == "[true]" and lines[1] == "  while (0 < y) {" and lines[-1] == "[true]"
    assert [s.strip() for s in lines[2:-2]] == [f"y = {i};" for i in range(400)]
