"""The termination corpus: every program gets its expected verdict or an honest don't know.

A yes or no that contradicts the expected verdict is a WRONG answer (a soundness bug); the known
ones are strict xfails (progcorpus.KNOWN_WRONG), so a fix shows up as an XPASS. The number of
don't knows on programs whose expected verdict is yes or no is pinned (`<=`), so a regression
in the analysis shows; lower the pin when the tool improves.

All programs are decided once, in parallel, by a module fixture (about 30 s of CPU).
"""

from __future__ import annotations

import os
from collections import Counter

import pytest

from progcorpus import CATEGORIES, KNOWN_WRONG, decide_all, load

ENTRIES = load()

# Don't knows on programs expected yes or no (front-end errors included), as of this corpus.
MAX_DONT_KNOW = 0

# Corpus programs the front end rejects although they are in the supported subset.
KNOWN_REJECTED: dict = {}

@pytest.fixture(scope="module")
def verdicts():
    return decide_all(ENTRIES, jobs=max(1, min(4, os.cpu_count() or 1)))


def test_corpus_shape():
    assert len(ENTRIES) >= 40
    names = [e.name for e in ENTRIES]
    assert len(set(names)) == len(names)
    for e in ENTRIES:
        assert e.category in CATEGORIES, f"{e.name}: unknown category {e.category}"
    langs = Counter(e.language for e in ENTRIES)
    assert langs["c"] >= 20 and langs["python"] >= 15
    kinds = Counter(e.expect for e in ENTRIES)
    assert kinds["yes"] >= 15 and kinds["no"] >= 10 and kinds["dontknow"] >= 5
    for cat in ("lin", "cond", "seq", "nest", "jump", "for", "uns", "nt", "hard", "ub"):
        assert any(e.category == cat for e in ENTRIES), cat
    assert any(e.int_mode == "math" and e.language == "c" for e in ENTRIES)
    for name in list(KNOWN_WRONG) + list(KNOWN_REJECTED):
        assert name in names, name


def _param(e):
    if e.name in KNOWN_WRONG:
        return pytest.param(e, id=e.name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[e.name]))
    if e.name in KNOWN_REJECTED:
        return pytest.param(e, id=e.name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_REJECTED[e.name]))
    return pytest.param(e, id=e.name)


@pytest.mark.parametrize("entry", [_param(e) for e in ENTRIES])
def test_verdict(verdicts, entry):
    ans, _secs, text = verdicts[entry.name]
    assert ans not in ("error", "crash"), f"{entry.name}: {text}"
    allowed = {entry.expect, "dontknow"}
    assert ans in allowed, f"WRONG ANSWER on {entry.name}: expected {entry.expect}, the tool said: {text}"


def test_dont_know_count(verdicts):
    dk = sorted(e.name for e in ENTRIES
                if e.expect in ("yes", "no") and verdicts[e.name][0] in ("dontknow", "error", "crash"))
    right = sum(verdicts[e.name][0] == e.expect for e in ENTRIES)
    print(f"\ncorpus: {len(ENTRIES)} programs, {right} right, {len(dk)} don't know: {', '.join(dk)}")
    assert len(dk) <= MAX_DONT_KNOW, f"{len(dk)} don't knows (pinned at {MAX_DONT_KNOW}): {dk}"


def test_dont_know_answers_say_why(verdicts):
    for e in ENTRIES:
        ans, _, text = verdicts[e.name]
        if ans == "dontknow":
            assert text.startswith("don't know: ") and len(text) > len("don't know: "), (e.name, text)
        elif ans == "yes":
            assert text.startswith("yes: "), (e.name, text)
        elif ans == "no":
            assert text.startswith("no: runs forever from"), (e.name, text)


def test_no_proof_is_rejected_by_the_kernel(verdicts):
    rejected = sorted(e.name for e in ENTRIES if "the kernel rejected the proof" in verdicts[e.name][2])
    assert rejected == []
