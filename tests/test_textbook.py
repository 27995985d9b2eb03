"""`quod terminates` on the textbook recursive functions of proofs/examples/, from C and from Python
source, as a user runs it: each answer is the right one and kernel-checked (no oracle)."""

from __future__ import annotations

from pathlib import Path

import pytest

from quodcli import quod

EXAMPLES = Path(__file__).resolve().parents[1] / "proofs" / "examples"

CASES = [       # (file, extra arguments, the first line starts with, and contains)
    ("fact.py", (), "yes", "decrease n"),
    ("fact.c", ("--int", "math"), "yes", "decrease n"),
    ("fact.c", (), "don't know", "overflow"),           # fact(13) overflows int: undefined behaviour
    ("gcd.c", (), "yes", "decrease"),
    ("gcd.py", (), "yes", "decrease abs(b)"),
    ("ack.py", (), "yes", "decrease m, n"),
    ("ack.c", ("--int", "math"), "yes", "decrease m, n"),
    ("ack.c", (), "don't know", "overflow"),            # ack(0, INT_MAX) overflows
    ("mc91.c", ("--int", "math"), "yes", "decrease 100 - n"),  # the measure needs the found postcondition
    ("mc91.py", (), "yes", "decrease 100 - n"),
    ("bsearch.c", (), "no", "runs forever"),             # C's (-3) / 2 = -1: bsearch(-2, -1) calls itself
    ("bsearch.py", (), "yes", "decrease"),               # Python's (-3) // 2 = -2: the interval shrinks
    ("bsearch_choose.c", (), "no", "runs forever"),      # the same, a nondeterministic half: some run repeats
]


def _run(name, extra):
    p = quod("terminates", str(EXAMPLES / name), "--strict", *extra, cwd=EXAMPLES, timeout=300)
    return p, (p.stdout.splitlines() or [""])[0]


@pytest.mark.parametrize("name, extra, answer, says", CASES, ids=[f"{c[0]}{' '.join(c[1])}" for c in CASES])
def test_terminates_answers_each_textbook_example(name, extra, answer, says):
    p, first = _run(name, extra)
    assert first.startswith(answer + ":") and says in first, p.stdout + p.stderr
    assert "smt_oracle" not in p.stdout
    if answer in ("yes", "no"):
        assert "kernel-checked" in p.stdout, p.stdout
        assert p.returncode == (0 if answer == "yes" else 1)
