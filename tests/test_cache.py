"""The proof cache (``quod/cache.py``) and ``quod verify``, end to end.

The cache holds proof terms, and a cached theorem counts only once the kernel has
re-checked its proof against the statement as elaborated now: a forged or stale entry
can at worst fail to help. Here: forged entries (a false theorem claimed proved, proofs
swapped, an oracle or ``sorry`` slipped in, an axiom hidden), an edited C or Python
source, a module shadowed on ``QUOD_PATH``, oracles that stay oracles, and ``quod
verify`` reporting every declaration and what it rests on.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from pathlib import Path

import pytest
from quodcli import quod, write

ROOT = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"^(\d+) theorems?: (\d+) proved, (\d+) failed, (\d+) don't know, (\d+) using oracles$")




def summary(p) -> tuple[int, ...]:
    last = p.stdout.rstrip("\n").split("\n")[-1]
    m = SUMMARY.match(last)
    assert m, f"last line is not the summary: {last!r}"
    return tuple(int(x) for x in m.groups())


def line_of(p, name: str) -> str:
    (line,) = [s for s in p.stdout.split("\n") if re.match(rf"^\S+:\d+ +{re.escape(name)} ", s)]
    return line


def entry_path(d: Path, source: str) -> Path:
    want = str((d / source).resolve())
    (f,) = [f for f in (d / ".quod-cache").glob("*.json")
            if json.loads(f.read_text(encoding="utf-8"))["source"] == want]
    return f


def edit_entry(d: Path, source: str, change) -> None:
    """Apply ``change(doc)`` to a module's cache entry, as an attacker (or a faulty disk) would."""
    f = entry_path(d, source)
    doc = json.loads(f.read_text(encoding="utf-8"))
    change(doc)
    f.write_text(json.dumps(doc), encoding="utf-8")


def proofs_of(doc) -> list:
    from kernel import loads
    return loads(doc["proofs"])


def set_proofs(doc, decls) -> None:
    from kernel import dumps
    doc["proofs"] = dumps(decls)


# ---- forged entries -----------------------------------------------------------------------------

FALSE_AND_TRUE = textwrap.dedent("""\
    theorem bad : 1 = 2 := by norm_num
    theorem good : 1 + 1 = 2 := by norm_num
    """)


def _claim_proved(doc):
    doc["theorems"]["bad"] = dict(doc["theorems"]["good"], detail="norm_num")


def _status_only(doc):
    _claim_proved(doc)                       # no proof term at all


def _good_proof_renamed(doc):
    from kernel import TheoremDecl
    _claim_proved(doc)
    (good,) = proofs_of(doc)
    set_proofs(doc, [good, TheoremDecl("bad", good.statement, good.proof)])


def _statement_rewritten_too(doc):
    from kernel import Int, TheoremDecl, mk
    _claim_proved(doc)
    (good,) = proofs_of(doc)                 # the stored statement says 1 = 2: it is not what is checked
    set_proofs(doc, [good, TheoremDecl("bad", mk("eq", Int(1), Int(2)), good.proof)])


def _oracle_slipped_in(doc):
    from kernel import Int, P, TheoremDecl, mk
    _claim_proved(doc)
    (good,) = proofs_of(doc)
    false = mk("eq", Int(1), Int(2))
    set_proofs(doc, [good, TheoremDecl("bad", false, P("oracle", "smt_oracle", false))])


def _garbage_proof(doc):
    _claim_proved(doc)
    doc["proofs"] = doc["proofs"].replace('"good"', '"bad"').replace("norm", "nrom")[:-7]


@pytest.mark.parametrize("forge", [_status_only, _good_proof_renamed, _statement_rewritten_too,
                                   _oracle_slipped_in, _garbage_proof])
def test_a_forged_entry_cannot_make_a_false_theorem_pass(tmp_path, forge):
    write(tmp_path, "a.proof", FALSE_AND_TRUE)
    first = quod("check", "--strict", "a.proof", cwd=tmp_path)
    assert first.returncode == 1 and summary(first) == (2, 1, 1, 0, 0)
    for flags in (["--strict"], []):
        edit_entry(tmp_path, "a.proof", forge)
        p = quod("check", *flags, "a.proof", cwd=tmp_path)
        assert p.returncode == 1, p.stdout
        assert re.search(r" bad +failed ", line_of(p, "bad")), p.stdout
        assert "cached" not in line_of(p, "bad")            # the tactics ran again, and failed again
        assert summary(p) == (2, 1, 1, 0, 0)
        edit_entry(tmp_path, "a.proof", forge)
        doc = json.loads(quod("check", "--json", *flags, "a.proof", cwd=tmp_path).stdout)
        assert doc["ok"] is False and doc["counts"]["failed"] == 1


def test_a_forged_sorry_is_reported_as_sorry(tmp_path):
    """A proof term that is only ``sorry`` is accepted by the kernel, and reported for what it is."""
    write(tmp_path, "a.proof", FALSE_AND_TRUE)
    quod("check", "a.proof", cwd=tmp_path)

    def forge(doc):
        from kernel import Int, P, TheoremDecl, mk
        _claim_proved(doc)
        (good,) = proofs_of(doc)
        false = mk("eq", Int(1), Int(2))
        set_proofs(doc, [good, TheoremDecl("bad", false, P("oracle", "sorry", false))])
    edit_entry(tmp_path, "a.proof", forge)
    p = quod("check", "a.proof", cwd=tmp_path)
    assert p.returncode == 1
    assert re.search(r" bad +sorry +\(norm_num, cached, re-checked, \d+ ms\) \[axioms: sorry\]$", line_of(p, "bad"))
    strict = quod("check", "--strict", "a.proof", cwd=tmp_path)
    assert strict.returncode == 1 and "(--strict: rests on sorry; cached, re-checked)" in line_of(strict, "bad")


def test_a_forged_entry_cannot_hide_an_axiom(tmp_path):
    write(tmp_path, "a.proof", "axiom ax : 1 = 2\n" + FALSE_AND_TRUE)
    assert quod("check", "a.proof", cwd=tmp_path).returncode == 1

    def forge(doc):                          # bad "proved", without axioms; its proof cites ax
        from kernel import P, TheoremDecl
        doc["theorems"]["bad"] = dict(doc["theorems"]["good"], detail="norm_num", axioms=[])
        (good,) = proofs_of(doc)
        set_proofs(doc, [good, TheoremDecl("bad", good.statement, P("thm", "ax"))])
    edit_entry(tmp_path, "a.proof", forge)
    p = quod("check", "a.proof", cwd=tmp_path)
    assert re.search(r" bad +oracle +\(norm_num, cached, re-checked, \d+ ms\) \[axioms: ax\]$", line_of(p, "bad"))
    doc = json.loads(quod("check", "--json", "--strict", "a.proof", cwd=tmp_path).stdout)
    (bad,) = [t for t in doc["theorems"] if t["name"] == "bad"]
    assert bad["axioms"] == ["ax"] and bad["cached"] is True and bad["ok"] is False
    assert doc["ok"] is False


def test_swapped_proofs_are_rejected_and_the_theorems_proved_again(tmp_path):
    write(tmp_path, "a.proof", "theorem one : 1 + 1 = 2 := by norm_num\n"
                               "theorem two (x : int) : x + 0 = x := by ring\n")
    assert quod("check", "a.proof", cwd=tmp_path).returncode == 0

    def swap(doc):
        from kernel import TheoremDecl
        one, two = proofs_of(doc)
        set_proofs(doc, [TheoremDecl("one", one.statement, two.proof),
                         TheoremDecl("two", two.statement, one.proof)])
    edit_entry(tmp_path, "a.proof", swap)
    p = quod("check", "--strict", "a.proof", cwd=tmp_path)
    assert p.returncode == 0 and summary(p) == (2, 2, 0, 0, 0)
    assert "cached" not in p.stdout                           # both proved afresh
    again = quod("check", "--strict", "a.proof", cwd=tmp_path)
    assert again.stdout.count("cached, re-checked") == 2      # and the entry is sound again


def test_a_forged_failure_of_another_statement_is_not_replayed(tmp_path):
    """A "no" is replayed only for the statement it was about."""
    write(tmp_path, "a.proof", FALSE_AND_TRUE)
    quod("check", "a.proof", cwd=tmp_path)

    def forge(doc):
        doc["theorems"]["good"] = dict(doc["theorems"]["bad"])    # bad's "no", with bad's statement hash
    edit_entry(tmp_path, "a.proof", forge)
    p = quod("check", "a.proof", cwd=tmp_path)
    assert re.search(r" good +proved +\(norm_num, \d+ ms\)$", line_of(p, "good")), p.stdout


# ---- stale entries: every file the check read, every import as it resolves now ------------------

G_C = textwrap.dedent("""\
    void g(int x, int y) {
      if (y > 0)
        while (x > y)
          x = x - y;
    }
    """)
G_PY = textwrap.dedent("""\
    def g(x: int, y: int) -> None:
        if y > 0:
            while x > y:
                x = x - y
    """)


@pytest.mark.parametrize("lang,name,source,forever", [
    ("c", "g.c", G_C, ("x = x - y;", "x = x + 0;")),
    ("python", "g.py", G_PY, ("x = x - y", "x = x + 0")),
])
def test_an_edited_program_source_is_not_replayed(tmp_path, lang, name, source, forever):
    write(tmp_path, name, source)
    write(tmp_path, "t.proof", f'program g from {lang} "{name}" function g\n'
                               "theorem g_terminates : terminates g := by termination\n")
    assert quod("check", "--strict", "t.proof", cwd=tmp_path).returncode == 0
    doc = json.loads(entry_path(tmp_path, "t.proof").read_text(encoding="utf-8"))
    assert str((tmp_path / name).resolve()) in doc["files"]          # the source is a dependency
    warm = quod("check", "--strict", "t.proof", cwd=tmp_path)
    assert warm.returncode == 0 and "cached, re-checked" in line_of(warm, "g_terminates")
    # the tactic's message is replayed, marked as coming from the cache
    assert re.search(r"^t\.proof:2:\d+: info: \(cached\) loop at `while", warm.stdout, re.M), warm.stdout
    # now g loops forever when x > y > 0: the cached proof must not be replayed
    write(tmp_path, name, source.replace(*forever))
    for _ in range(2):                       # the fresh "no" is cached in turn, and replayed as such
        p = quod("check", "--strict", "t.proof", cwd=tmp_path)
        assert p.returncode == 1 and summary(p)[1] == 0, p.stdout
        assert "proved" not in line_of(p, "g_terminates")
    # and back: the cached "don't know" must not be replayed either
    write(tmp_path, name, source)
    p = quod("check", "--strict", "t.proof", cwd=tmp_path)
    assert p.returncode == 0 and re.search(r" proved +\(termination, \d+ ms\)$", line_of(p, "g_terminates"))


def test_a_program_source_that_appears_is_noticed(tmp_path):
    """`from c "g.c"` reads g.c next to the .proof file only (never from the current directory, where
    a g.c is a decoy); when it appears there, the next check reads it."""
    write(tmp_path, "g.c", G_C)                                                # the decoy
    write(tmp_path, "sub/t.proof", 'program g from c "g.c" function g\n'
                                   "theorem g_terminates : terminates g := by termination\n")
    for _ in range(2):
        p = quod("check", "sub/t.proof", cwd=tmp_path)
        assert p.returncode == 1 and "no such file in this project" in p.stdout, p.stdout
    write(tmp_path, "sub/g.c", G_C.replace("x = x - y;", "x = x + 0;"))       # loops
    p = quod("check", "sub/t.proof", cwd=tmp_path)
    assert p.returncode == 1 and "proved" not in line_of(p, "g_terminates")
    write(tmp_path, "sub/g.c", G_C)                                            # terminates
    p = quod("check", "sub/t.proof", cwd=tmp_path)
    assert p.returncode == 0 and re.search(r" proved +\(termination, \d+ ms\)$", line_of(p, "g_terminates"))


def test_an_edited_source_under_a_forged_entry_is_still_checked_against_itself(tmp_path):
    """Even with the entry's record of g.c's content forged to match, the statement is the one
    elaborated from g.c as it is now, so the old proof does not fit it."""
    write(tmp_path, "g.c", G_C)
    write(tmp_path, "t.proof", 'program g from c "g.c" function g\n'
                               "theorem g_terminates : terminates g := by termination\n")
    assert quod("check", "t.proof", cwd=tmp_path).returncode == 0
    write(tmp_path, "g.c", G_C.replace("x = x - y;", "x = x + 0;"))
    from quod.cache import file_state
    state = file_state(tmp_path / "g.c")
    edit_entry(tmp_path, "t.proof", lambda doc: doc["files"].__setitem__(str((tmp_path / "g.c").resolve()), state))
    p = quod("check", "--strict", "t.proof", cwd=tmp_path)
    assert p.returncode == 1 and "proved" not in line_of(p, "g_terminates")


def test_a_module_shadowed_on_quod_path_is_noticed(tmp_path):
    lib = {"QUOD_PATH": os.pathsep.join([str(tmp_path / "lib1"), str(tmp_path / "lib2")])}
    write(tmp_path, "lib2/mylib.proof", "theorem helper (x : int) : x + 0 = x := by ring\n"
                                        "theorem weak (x : int) : x <= x := by linarith\n")
    write(tmp_path, "m.proof", textwrap.dedent("""\
        import mylib
        theorem t (y : int) : y + 0 = y := by
          apply helper
        theorem u (y : int) : y * 1 = y := by
          apply weak
        """))
    first = quod("check", "--strict", "m.proof", cwd=tmp_path, env=lib)
    assert first.returncode == 1 and " t " in first.stdout and re.search(r" u +failed ", line_of(first, "u"))
    doc = json.loads(entry_path(tmp_path, "m.proof").read_text(encoding="utf-8"))
    assert doc["imports"]["mylib\t" + str(tmp_path.resolve())] == str((tmp_path / "lib2" / "mylib.proof").resolve())
    assert str((tmp_path / "lib2" / "mylib.proof").resolve()) in doc["files"]
    warm = quod("check", "--strict", "m.proof", cwd=tmp_path, env=lib)
    assert "cached, re-checked" in line_of(warm, "t") and "; cached)" in line_of(warm, "u")
    # a module of the same name appears earlier on QUOD_PATH: helper is now an axiom there, and
    # weak a stronger fact that proves u
    write(tmp_path, "lib1/mylib.proof", "axiom helper : forall x : int, x + 0 = x\n"
                                        "theorem weak (x : int) : x * 1 = x := by ring\n")
    for _ in range(2):
        p = quod("check", "--strict", "m.proof", cwd=tmp_path, env=lib)
        assert p.returncode == 1
        assert "(--strict: rests on helper" in line_of(p, "t")                 # not a replayed "proved"
        assert re.search(r" u +proved ", line_of(p, "u")), p.stdout               # not a replayed "failed"
    loose = quod("check", "m.proof", cwd=tmp_path, env=lib)
    assert re.search(r" t +oracle .*\[axioms: helper\]$", line_of(loose, "t")), loose.stdout


def test_a_module_that_appears_on_quod_path_is_noticed(tmp_path):
    """A failure because an import was not found is not replayed once the module exists."""
    lib = {"QUOD_PATH": str(tmp_path / "lib")}
    write(tmp_path, "m.proof", "import mylib\ntheorem t (y : int) : y + 0 = y := by\n  apply helper\n")
    for _ in range(2):
        p = quod("check", "m.proof", cwd=tmp_path, env=lib)
        assert p.returncode == 1 and "module mylib not found" in p.stdout + p.stderr
    write(tmp_path, "lib/mylib.proof", "theorem helper (x : int) : x + 0 = x := by ring\n")
    p = quod("check", "m.proof", cwd=tmp_path, env=lib)
    assert p.returncode == 0 and re.search(r" t +proved +\(apply, \d+ ms\)$", line_of(p, "t")), p.stdout


def test_an_edited_import_is_noticed(tmp_path):
    write(tmp_path, "lib/mylib.proof", "theorem helper (x : int) : x + 0 = x := by ring\n")
    write(tmp_path, "m.proof", "import mylib\ntheorem t (y : int) : y + 0 = y := by\n  apply helper\n")
    lib = {"QUOD_PATH": str(tmp_path / "lib")}
    assert quod("check", "m.proof", cwd=tmp_path, env=lib).returncode == 0
    write(tmp_path, "lib/mylib.proof", "theorem helper (x : int) : x * 1 = x := by ring\n")
    p = quod("check", "m.proof", cwd=tmp_path, env=lib)
    assert p.returncode == 1 and "cached" not in line_of(p, "t")


# ---- oracles, axioms and sorry are reported as in a fresh run ----------------------------------

ORACLE = "theorem sq (x : int) (h : x * x * x = x) : x <= 1 := by smt\n"   # z3 proves it; degree three: no rebuild


def test_a_cached_oracle_is_still_an_oracle(tmp_path):
    write(tmp_path, "o.proof", ORACLE)
    fresh = quod("check", "o.proof", cwd=tmp_path)
    assert re.search(r" sq +oracle +\(smt_oracle, \d+ ms\) \[axioms: smt_oracle\]$", line_of(fresh, "sq"))

    def launder(doc):                        # the record claims a clean proof
        doc["theorems"]["sq"].update(status="proved", detail="ring", axioms=[])
    edit_entry(tmp_path, "o.proof", launder)
    for flags, code in (([], 0), (["--strict"], 1)):
        p = quod("check", *flags, "o.proof", cwd=tmp_path)
        assert p.returncode == code
        assert summary(p)[4] == 1                           # counted as using an oracle
        doc = json.loads(quod("check", "--json", *flags, "o.proof", cwd=tmp_path).stdout)
        (t,) = doc["theorems"]
        assert t["status"] == "oracle" and t["axioms"] == ["smt_oracle"] and t["cached"] is True
        assert doc["counts"]["using_oracles"] == 1 and doc["exit_code"] == code
    p = quod("check", "o.proof", cwd=tmp_path)
    assert re.search(r" sq +oracle +\(ring, cached, re-checked, \d+ ms\) \[axioms: smt_oracle\]$",
                     line_of(p, "sq")), p.stdout


def test_an_oracle_step_in_a_cached_proof_is_asked_of_z3_again(tmp_path):
    """smt_oracle is z3's word; a cache entry cannot vouch for it, so z3 is asked again."""
    write(tmp_path, "o.proof", ORACLE + "theorem nope (x : int) : x * x > 0 := by smt\n")
    first = quod("check", "o.proof", cwd=tmp_path)
    assert re.search(r" nope +failed ", line_of(first, "nope"))

    from kernel import Environment, Forall, Int, P, TheoremDecl, Var, mk
    x = Var("x")
    claim = mk("lt", Int(0), mk("mul", x, x))          # false at x = 0
    stmt = Forall("x", claim)                          # nope's statement, as elaborated
    pf = P("forall_intro", "x", P("oracle", "smt_oracle", claim))
    assert Environment().add(TheoremDecl("nope", stmt, pf)).axioms == {"smt_oracle"}   # the kernel takes it

    def forge(doc):
        doc["theorems"]["nope"] = dict(doc["theorems"]["sq"])
        set_proofs(doc, proofs_of(doc) + [TheoremDecl("nope", stmt, pf)])
    edit_entry(tmp_path, "o.proof", forge)
    p = quod("check", "o.proof", cwd=tmp_path)
    assert p.returncode == 1 and re.search(r" nope +failed ", line_of(p, "nope")), p.stdout
    assert "cached" not in line_of(p, "nope")


# ---- the cache and the rest of quod check ---------------------------------------------------------

def test_an_entry_that_is_not_a_regular_file_is_not_read(tmp_path):
    write(tmp_path, "a.proof", FALSE_AND_TRUE)
    quod("check", "a.proof", cwd=tmp_path)
    entry = entry_path(tmp_path, "a.proof")
    entry.unlink()
    os.mkfifo(entry)                        # reading it would block for ever
    p = quod("check", "a.proof", cwd=tmp_path, timeout=60)
    assert p.returncode == 1 and summary(p) == (2, 1, 1, 0, 0) and "cached" not in p.stdout


def test_parallel_warm_run_equals_serial(tmp_path):
    write(tmp_path, "a.proof", FALSE_AND_TRUE)
    write(tmp_path, "b.proof", ORACLE + "import integers.order\ntheorem c (x : int) : x <= x + 1 := by linarith\n")
    quod("check", "a.proof", "b.proof", cwd=tmp_path)
    one = quod("check", "--json", "a.proof", "b.proof", cwd=tmp_path)
    two = quod("check", "--json", "-j", "2", "a.proof", "b.proof", cwd=tmp_path)
    j1, j2 = json.loads(one.stdout), json.loads(two.stdout)
    for doc in (j1, j2):
        for t in doc["theorems"]:
            t["ms"] = 0
    assert j1 == j2 and j1["counts"]["cached"] == 4


def test_emit_proofs_from_a_warm_cache_verifies(tmp_path):
    write(tmp_path, "a.proof", "theorem two : 2 * 3 = 6 := by norm_num\n" + ORACLE)
    quod("check", "a.proof", cwd=tmp_path)
    p = quod("check", "--emit-proofs", "out", "a.proof", cwd=tmp_path)
    assert p.stdout.count("cached, re-checked") == 2
    v = quod("verify", "out", cwd=tmp_path)
    assert v.returncode == 0 and v.stdout.rstrip().endswith("rests on smt_oracle (oracle)"), v.stdout


# ---- quod verify: every declaration, and everything it rests on ----------------------------------

ON_FALSE = textwrap.dedent("""\
    axiom ax : false
    theorem bad : 1 = 2 := by
      exfalso
      exact ax
    theorem triv : true := by trivial
    """)


def test_verify_reports_every_declaration_and_the_axioms(tmp_path):
    write(tmp_path, "a.proof", ON_FALSE)
    assert quod("check", "--emit-proofs", "out", "a.proof", cwd=tmp_path).returncode == 0
    # the case: one file whose last declaration is clean, an earlier one resting on ax
    from kernel import dumps, loads
    decls = loads((tmp_path / "out" / "a.bad.json").read_text()) + loads((tmp_path / "out" / "a.triv.json").read_text())
    write(tmp_path, "one/all.json", dumps(decls))
    for target in ("out", "one"):
        v = quod("verify", target, cwd=tmp_path)
        assert v.returncode == 0, v.stdout
        out = v.stdout
        assert re.search(r"^  axiom +ax +declared, not proved$", out, re.M), out
        assert re.search(r"^  theorem +bad +rests on ax$", out, re.M), out
        assert re.search(r"^  theorem +triv +kernel rules only$", out, re.M), out
        assert re.search(r"^rests on ax \(axiom\): ax, bad$", out, re.M), out
        assert out.rstrip().split("\n")[-1].endswith("; rests on ax (axiom)")
        strict = quod("verify", "--strict", target, cwd=tmp_path)
        assert strict.returncode == 1 and "--strict" in strict.stderr


def test_verify_sorry_fails_and_oracles_fail_only_strict(tmp_path):
    write(tmp_path, "a.proof", ORACLE + "theorem later : 1 = 1 := by sorry\n")
    quod("check", "--emit-proofs", "out", "a.proof", cwd=tmp_path)
    (tmp_path / "s").mkdir()
    os.replace(tmp_path / "out" / "a.later.json", tmp_path / "s" / "a.later.json")
    v = quod("verify", "out", cwd=tmp_path)
    assert v.returncode == 0 and "rests on smt_oracle (oracle): sq" in v.stdout
    assert quod("verify", "--strict", "out", cwd=tmp_path).returncode == 1
    s = quod("verify", "s", cwd=tmp_path)
    assert s.returncode == 1 and re.search(r"^  theorem +later +rests on sorry$", s.stdout, re.M)
    assert "rests on sorry (sorry): later" in s.stdout


@pytest.mark.parametrize("cpp", ["cpp", "pcpp"])
def test_a_header_a_c_source_includes_is_a_dependency(tmp_path, cpp):
    """GNU cpp reads `#include "lim.h"` in another process: the file is still recorded, so editing it
    makes the entry stale (with pcpp the read happens in Python and is seen directly)."""
    write(tmp_path, "lim.h", "#define LIMIT 10\n")
    write(tmp_path, "f.c", '#include "lim.h"\nint f(int x) { while (x < LIMIT) x++; return x; }\n')
    write(tmp_path, "t.proof", 'program f from c "f.c" function f\ntheorem t : terminates f := by termination\n')
    env = {"QUOD_CPP": cpp}
    assert summary(quod("check", "t.proof", cwd=tmp_path, env=env))[1] == 1
    doc = json.loads(entry_path(tmp_path, "t.proof").read_text(encoding="utf-8"))
    assert str((tmp_path / "lim.h").resolve()) in doc["files"]
    write(tmp_path, "lim.h", "#define LIMIT 11\n")
    p = quod("check", "t.proof", cwd=tmp_path, env=env)
    assert "cached" not in line_of(p, "t"), p.stdout


def test_the_implementation_stamp_covers_headers_grammars_and_the_preprocessor(tmp_path, monkeypatch):
    """Quod's headers (programs/include/*.h, in a subdirectory) and the grammar decide what a file
    means, as does which C preprocessor runs: changing any of them makes every entry stale."""
    from quod import cache
    for sub in cache.PACKAGES:
        (tmp_path / sub).mkdir()
    (tmp_path / "programs" / "include").mkdir()
    header = tmp_path / "programs" / "include" / "limits.h"
    header.write_text("#define INT_MAX 2147483647\n")
    grammar = tmp_path / "tactics" / "grammar.lark"
    grammar.write_text("start: NAME\n")
    monkeypatch.setattr(cache, "ROOT", tmp_path)

    def stamp():
        monkeypatch.setattr(cache, "_stamp", None)
        return cache.implementation_stamp()

    first = stamp()
    assert stamp() == first
    header.write_text("#define INT_MAX 32767\n")
    second = stamp()
    assert second != first
    grammar.write_text("start: NUMBER\n")
    third = stamp()
    assert third != second
    monkeypatch.setenv("QUOD_CPP", "pcpp")
    assert stamp() != third
