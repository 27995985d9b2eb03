"""The bundled proofs and theories check, and proofs/ is more than a demo of smt."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from quod.loader import Loader
from tactics.parser import split_items, strip_comments

ROOT = Path(__file__).resolve().parent.parent
PROOFS = ROOT / "proofs"
THEORIES = ROOT / "theories"
_THEOREM = re.compile(r"^(?:@\[[^\]]*\]\s*)?(?:theorem|lemma)\s+([A-Za-z_][A-Za-z0-9_']*)")
_SMT = re.compile(r"\bsmt\b")


def theorems_without_smt(path: Path) -> set[str]:
    """Names of the theorems of a file whose proof text does not mention smt."""
    text = strip_comments(path.read_text(encoding="utf-8"), str(path))
    names = set()
    for _, item in split_items(text):
        m = _THEOREM.match(item)
        if m and not _SMT.search(item):
            names.add(m.group(1))
    return names


@pytest.fixture(scope="module")
def check_run():
    return subprocess.run(
        [sys.executable, "-m", "quod.cli", "check", "proofs", "theories", "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )


def test_check_proofs_and_theories_passes(check_run):
    out = check_run.stdout
    assert check_run.returncode == 0, out[-4000:] + check_run.stderr[-2000:]
    summary = [line for line in out.splitlines() if re.match(r"\d+ theorems?: ", line)]
    assert summary, out[-2000:]
    assert "0 failed" in summary[-1], summary[-1]
    assert "Traceback" not in out + check_run.stderr


def test_no_theorem_failed_in_the_report(check_run):
    bad = [line for line in check_run.stdout.splitlines() if re.search(r"\sfailed\s+\(", line)]
    assert not bad, "\n".join(bad)


def test_proofs_have_40_theorems_without_smt():
    loader = Loader()
    count = 0
    files = sorted(PROOFS.rglob("*.proof"))
    assert files
    for f in files:
        plain = theorems_without_smt(f)
        mod = loader.load(f)
        count += sum(1 for r in mod.results if r.name in plain and r.status == "proved")
    assert count >= 40, count


def test_my_files_are_complete():
    """logic, arith and the two theories: every theorem proved, no sorry, no smt, no oracle."""
    loader = Loader()
    want = {PROOFS / "logic.proof": 25, PROOFS / "arith.proof": 25,
            THEORIES / "integers" / "order.proof": 10, THEORIES / "integers" / "basics.proof": 10}
    for path, at_least in want.items():
        text = strip_comments(path.read_text(encoding="utf-8"), str(path))
        assert not _SMT.search(text), path
        assert not re.search(r"\bsorry\b", text), path
        mod = loader.load(path)
        assert len(mod.results) >= at_least, (path, len(mod.results))
        for r in mod.results:
            assert r.status == "proved" and not r.axioms, (path, r.name, r.status, r.error)


def test_theories_are_importable(tmp_path):
    src = tmp_path / "use.proof"
    src.write_text(
        "import integers.basics\n"
        "import integers.order\n"
        "theorem t (a b c : int) (h1 : a <= b) (h2 : b <= c) : a <= c := by\n"
        "  exact le_trans(a, b, c, h1, h2)\n"
        "theorem u (a b : int) : a + b = b + a := by\n"
        "  exact add_comm(a, b)\n"
        "theorem v (a : int) : min(a, a) + 0 = a := by\n"
        "  simp\n",
        encoding="utf-8")
    mod = Loader().load(src)
    assert [r.status for r in mod.results] == ["proved"] * 3, [r.error for r in mod.results]
