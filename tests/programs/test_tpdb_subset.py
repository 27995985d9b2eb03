"""A fast subset of the public termination corpus (../shared/corpora/termination, TPDB) in the suite.

The whole corpus is a benchmark (``python bench/tpdb.py``, minutes); these 40 programs were chosen to
cover its constructs (nondeterminism, assume, `while (1)`, break and continue, for loops, nested loops,
division, multiplication, calls and recursion, globals, `__VERIFIER_error`, `typedef enum` bool), both
verdicts, and some programs Quod cannot answer yet. The expected verdict of each is read from the
corpus's manifest, never written here; programs are read with their comments removed (some state the
answer), as ``bench/tpdb.py`` does. Each is decided in-process, as ``quod terminates --int math`` would.

- ANSWERED: Quod answers these right today; a change that loses one fails here.
- UNANSWERED: Quod says don't know or refuses them today; whatever it says must not be wrong.
Every yes and no must be a kernel-checked theorem that rests on no oracle.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from programs.c_frontend import parse_c, strip_comments
from programs.lang import ProgramError

# QUOD_TPDB, else shared/ next to the project (the layout of this machine's checkouts), else /work/shared
_PLACES = [Path(os.environ["QUOD_TPDB"])] if os.environ.get("QUOD_TPDB") else []
_PLACES += [Path(__file__).resolve().parents[3] / "shared" / "corpora" / "termination",
            Path("/work/shared/corpora/termination")]
CORPUS = next((p for p in _PLACES if (p / "manifest.tsv").exists()), _PLACES[0])

ANSWERED = """
L004_PastaB17 L008_svcomp_a_06 L010_WhilePart L011_ChenFlurMukhopadhyay_SAS2012_Ex2_10 L015_ConvLower
L016_Bangalore L017_Ex08 L018_WhileIncr L023_NonTermination1 L026_svcomp_b_17
L027_ChenFlurMukhopadhyay_SAS2012_Ex2_08 L030_Madrid L033_2Nested L035_LeeJonesBen_Amram_POPL2001_Ex3
L040_Division L049_WhileIncrPart L050_Choose L051_svcomp_java_Nested L056_NonTermination4
L058_svcomp_easySum L068_svcomp_java_Nested L101_svcomp_java_Break L115_Parallel L120_LeUserDefRec
L156_Rotation180 L157_HarrisLalNoriRajamani_SAS2010_Fig3 L160_Ex05 L203_Et2 L204_svcomp_Addition01_modified
L240_HeizmannHoenickeLeikePodelski_ATVA2013_Fig5 L254_Pure2Phase L257_Nyala_2lex
L318_ChenFlurMukhopadhyay_SAS2012_Ex2_05 L363_svcomp_java_Continue1
""".split()

UNANSWERED = """
L102_Pure3Phase L305_AlternDivWide L375_Binary_Search L400_Ackermann L424_GCD3 L183_Parts
""".split()


def _manifest() -> dict:
    with open(CORPUS / "manifest.tsv", newline="") as f:
        return {r["file"].removesuffix(".c"): r["expected"] for r in csv.DictReader(f, delimiter="\t")}


pytestmark = pytest.mark.skipif(not (CORPUS / "manifest.tsv").exists(),
                                reason=f"the public corpus is not at {CORPUS} (set QUOD_TPDB)")


@pytest.fixture(scope="module")
def env():
    from quod.loader import Loader
    return Loader().prelude().env


def _decide(env, name: str):
    from analysis.termination import decide_termination
    text = strip_comments((CORPUS / f"{name}.c").read_text())
    try:
        prog = parse_c(text, None, "math")
    except ProgramError as exc:
        return "error", str(exc), False
    v = decide_termination(env.copy(), prog)
    return v.answer, v.text, v.oracle


@pytest.mark.parametrize("name", ANSWERED + UNANSWERED)
def test_never_wrong_and_never_an_oracle(env, name):
    want = {"terminating": "yes", "nonterminating": "no"}[_manifest()[name]]
    answer, text, oracle = _decide(env, name)
    if answer in ("yes", "no"):
        assert answer == want, f"WRONG: {name} is {_manifest()[name]}, Quod says: {text}"
        assert not oracle, f"{name}: the answer rests on z3's word: {text}"
    if name in ANSWERED:
        assert answer == want, f"{name}: answered {want} before, now: {text}"


def test_the_subset_is_forty_programs_of_both_verdicts():
    verdicts = _manifest()
    names = ANSWERED + UNANSWERED
    assert len(set(names)) == len(names) == 40
    assert all(n in verdicts for n in names)
    assert {verdicts[n] for n in ANSWERED} == {"terminating", "nonterminating"}
