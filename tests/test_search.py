"""search: by pattern, by name fragment and by the constants a statement mentions, ranked; the REPL's
``search`` command and ``quod search`` give the same answers (one implementation, quod/search.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from quod.loader import Loader
from quod.search import library_environment, search, search_lines
from tactics.parser import parse_expr

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def env():
    return library_environment(Loader(), ["integers.fermat", "integers.abs"])


def names(env, *queries):
    return [h.name for h in search(env, [parse_expr(q) for q in queries])]


def test_pattern_puts_rewrite_rules_for_it_first(env):
    hits = names(env, "_ * (_ + _)")
    assert "mul_add" in hits[:5], hits[:10]
    # a hit whose conclusion's left side is the pattern comes before one where it is deeper inside
    assert hits.index("mul_add") < hits.index("gauss_sum")


def test_pattern_with_a_constant(env):
    hits = search(env, [parse_expr("gcd(_, _) = gcd(_, _)")])
    assert hits and hits[0].name == "gcd_comm", [h.name for h in hits[:5]]
    assert all(h.line().count("gcd(") >= 2 for h in hits)


def test_same_hole_name_is_the_same_term(env):
    hits = names(env, "x % n % n")
    assert "mod_mod" in hits and "mod_mod_of_dvd" not in hits


def test_name_fragment_exact_name_first(env):
    hits = names(env, "mod_mod")
    assert hits[0] == "mod_mod"
    assert set(hits) >= {"mod_mod_of_dvd", "add_mod_mod", "mul_mod_mod"}


def test_constant_finds_statements_whatever_their_names(env):
    hits = names(env, "bsum")
    assert "fermat_middle" in hits and "binomial" in hits


def test_several_queries_must_all_match(env):
    hits = names(env, "gcd", "lcm")
    assert "gcd_mul_lcm" in hits
    assert "gcd_comm" not in hits and "lcm_comm" not in hits


def test_no_hit(env):
    assert search_lines(env, [parse_expr("zzz_no_such_lemma")]) == []


def test_long_answers_are_cut_with_a_count(env):
    lines = search_lines(env, [parse_expr("abs")], limit=5)
    assert len(lines) == 6 and lines[-1].startswith("... and ") and "more" in lines[-1]


def test_repl_and_cli_share_the_code(tmp_path):
    loader = Loader()
    src = tmp_path / "use.proof"
    src.write_text("import integers.ring\nsearch _ * (_ + _)\n", encoding="utf-8")
    mod = loader.load(src)
    shown = mod.messages[-1][1].splitlines()
    assert shown == search_lines(mod.env, [parse_expr("_ * (_ + _)")])
    assert shown[0].startswith("mul_add")
    r = subprocess.run([sys.executable, "-m", "quod.cli", "search", "_ * (_ + _)", "--import", "integers.ring"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == shown


def test_cli_exit_codes():
    none = subprocess.run([sys.executable, "-m", "quod.cli", "search", "zzz_nothing", "--import", "integers.order"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert none.returncode == 1 and none.stdout.strip() == "no matching theorems"
    bad = subprocess.run([sys.executable, "-m", "quod.cli", "search", "(", "--import", "integers.order"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "<query>:1:2: error:" in bad.stderr and "Traceback" not in bad.stderr
