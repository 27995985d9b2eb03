"""A newcomer's first hour (issue 13, "Errors and help"): what `quod check` says, run as a user runs it.

A missing qed, imports (siblings, ambiguity, every place searched, failures inside imported
modules), hints for Lean/Coq habits in files, C errors at the right place, the output (plurals,
JSON spellings and severities, expected don't-knows, error counts, did-you-mean, colour, the
progress bar), cached text replayed safely, `quod verify --show-statement`, and an empty directory.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from quodcli import quod as _quod
from quodcli import write as _write

ROOT = Path(__file__).resolve().parent.parent




quod = functools.partial(_quod, timeout=300, unset=("NO_COLOR", "FORCE_COLOR", "QUOD_PATH"))
write = functools.partial(_write, dedent=True)

def rows(p) -> dict[str, str]:
    """theorem name -> its status word, from the result lines."""
    out = {}
    for s in p.stdout.split("\n"):
        m = re.match(r"^\S+:\d+ +(\S+) +(proved|failed|don't know|sorry|oracle|axiom) ", s + " ")
        if m:
            out[m.group(1)] = m.group(2)
    return out


# ---- a missing qed ---------------------------------------------------------------------------------------

def test_a_missing_qed_swallows_nothing(tmp_path):
    write(tmp_path, "q.proof", """\
        theorem one : 1 = 1
        proof
          ring

        theorem two : 2 = 2
        proof
          ring
        qed

        theorem three : 3 = 3 := by
          ring

        theorem four : 4 = 4 := by ring
        """)
    p = quod("check", "--no-cache", "q.proof", cwd=tmp_path)
    assert p.returncode == 1
    assert rows(p) == {"one": "failed", "two": "proved", "three": "proved", "four": "proved"}, p.stdout
    # reported where the qed is missing: after the last step of one's proof (line 3, after `ring`)
    assert "q.proof:3:7: error: missing 'qed'" in p.stdout, p.stdout
    assert p.stdout.rstrip().endswith("4 theorems: 3 proved, 1 failed, 0 don't know, 0 using oracles")


def test_a_missing_qed_at_the_end_of_the_file(tmp_path):
    write(tmp_path, "q.proof", "theorem a : 1 = 1 := by ring\ntheorem b : 2 = 2\nproof\n  ring\n")
    p = quod("check", "--no-cache", "q.proof", cwd=tmp_path)
    assert rows(p) == {"a": "proved", "b": "failed"} and "q.proof:4:7: error: missing 'qed'" in p.stdout


# ---- imports ---------------------------------------------------------------------------------------------

HELPER = """\
    theorem good : forall x : int, x + 0 = x := by
      intro x
      ring

    theorem broken : forall x : int, x * 2 = x := by
      intro x
      ring
    """


def test_a_sibling_is_imported_from_the_importing_files_directory(tmp_path):
    write(tmp_path, "work/helper.proof", HELPER.split("\n\n")[0] + "\n")
    write(tmp_path, "work/main.proof", "import helper\ntheorem uses : forall y : int, y + 0 = y := by\n  exact good\n")
    p = quod("check", "--no-cache", "work/main.proof", cwd=tmp_path)      # run from elsewhere
    assert p.returncode == 0, p.stdout
    assert rows(p) == {"uses": "proved"}


def test_a_module_not_found_names_every_place_searched(tmp_path):
    lib = tmp_path / "mylib"
    lib.mkdir()
    write(tmp_path, "src/m.proof", "import nothere\ntheorem t : 1 = 1 := by ring\n")
    p = quod("check", "--no-cache", "src/m.proof", cwd=tmp_path, env={"QUOD_PATH": str(lib)})
    assert p.returncode == 1
    (line,) = [s for s in p.stdout.split("\n") if ": error: " in s]
    assert line.startswith("src/m.proof:1:8: error: module nothere not found: looked for nothere.proof in ")
    assert "src (next to this file)" in line
    assert str((ROOT / "theories").resolve()) in line and "Quod's library" in line
    assert "mylib (QUOD_PATH)" in line


def test_a_sibling_that_shadows_a_library_module_is_refused(tmp_path):
    write(tmp_path, "integers/ring.proof", "theorem mine : 1 = 1 := by ring\n")
    write(tmp_path, "m.proof", "import integers.ring\ntheorem t : 1 = 1 := by ring\n")
    p = quod("check", "--no-cache", "m.proof", cwd=tmp_path)
    assert p.returncode == 1
    assert "m.proof:1:8: error: import integers.ring is ambiguous: there is integers/ring.proof next to this " \
           "file and" in p.stdout, p.stdout
    assert "rename one of them" in p.stdout


def test_a_failure_inside_an_imported_module_is_shown_at_its_place(tmp_path):
    write(tmp_path, "helper.proof", HELPER)
    write(tmp_path, "main.proof", """\
        import helper

        theorem uses : forall y : int, y + 0 = y := by
          exact good

        theorem uses2 : forall y : int, y * 2 = y := by
          exact broken
        """)
    p = quod("check", "--no-cache", "main.proof", cwd=tmp_path)
    assert p.returncode == 1
    # the imported module's own failure, at its file:line:col, with the line and a caret
    i = p.stdout.index("helper.proof:7:3: error: ring:")
    assert p.stdout[i:].split("\n")[1:3] == ["    ring", "    ^"]
    assert "note: broken (failed) is in module helper, which main.proof imports" in p.stdout
    # and the use of it says why, not only "no theorem named"
    assert "hint: broken is a theorem of the imported module helper whose proof did not check " \
           "(helper.proof:5: failed" in p.stdout
    assert rows(p) == {"uses": "proved", "uses2": "failed"}
    # checked together, the module's failure is reported once, by the module itself
    both = quod("check", "--no-cache", "helper.proof", "main.proof", cwd=tmp_path)
    assert both.stdout.count("helper.proof:7:3: error:") == 1, both.stdout


def test_a_parse_error_inside_an_imported_module_fails_the_importer(tmp_path):
    write(tmp_path, "helper.proof", "theorem h : 1 = := by ring\n")
    write(tmp_path, "main.proof", "import helper\ntheorem t : 1 = 1 := by ring\n")
    p = quod("check", "--no-cache", "main.proof", cwd=tmp_path)
    assert p.returncode == 1
    assert re.search(r"^helper\.proof:1:\d+: error: ", p.stdout, re.M), p.stdout


# ---- hints for Lean and Coq habits -------------------------------------------------------------------

def test_hints_for_what_newcomers_type(tmp_path):
    write(tmp_path, "lean.proof", """\
        theorem a (x y : int) : max x y >= x := by
          smt

        theorem b : 1 = 1 := by
          exact rfl

        def sum_to (n : int) : int := if n <= 0 then 0 else n + sum_to(n - 1)

        program f(x : int) -> int {
          return x + 1;
        }

        def c (x : int) : int := f(x) - x
        """)
    p = quod("check", "--no-cache", "lean.proof", cwd=tmp_path)
    out = p.stdout
    assert p.returncode == 1
    assert "hint: functions take their arguments in parentheses, with commas: max(a, b), not `max a b`" in out
    assert "hint: Lean's `rfl` is `reflexivity` here" in out
    assert "hint: a recursive definition needs `decreasing MEASURE`" in out
    assert "hint: f is a program, not a function of the logic" in out
    write(tmp_path, "inline.proof", "theorem b : 1 = 1 := by exact rfl\n")
    inline = quod("check", "--no-cache", "inline.proof", cwd=tmp_path)
    assert "hint: Lean's `rfl` is `reflexivity` here" in inline.stdout
    # each hint comes after its error's caret, not inside the message
    for err, hint in (("lean.proof:1:29: error:", "hint: functions"), ("lean.proof:5:9: error:", "hint: Lean's"),
                      ("lean.proof:7:57: error:", "hint: a recursive"), ("lean.proof:13:26: error:", "hint: f is")):
        i = out.index(err)
        assert out.index(hint, i) < out.find(": error:", i + len(err)) or out.find(": error:", i + len(err)) < 0


def test_did_you_mean_for_misspelt_tactics_and_lemmas(tmp_path):
    write(tmp_path, "typo.proof", """\
        import integers.basics

        theorem d : forall x : int, x + 0 = x := by
          intro x
          linaritth

        theorem e : forall x y : int, x + y = y + x := by
          intro x y
          exact add_comn(x, y)
        """)
    write(tmp_path, "noimport.proof", "theorem e : forall x y : int, x + y = y + x := by\n  intro x y\n"
                                      "  exact add_comn(x, y)\n")
    p = quod("check", "--no-cache", "typo.proof", "noimport.proof", cwd=tmp_path)
    assert "typo.proof:5:3: error: unknown tactic 'linaritth'; did you mean 'linarith' or 'nlinarith'?" in p.stdout
    assert "typo.proof:9:9: error: no hypothesis or theorem named 'add_comn'; did you mean 'add_comm'?" in p.stdout
    # not imported: the library is searched, and the import to add is named
    assert "hint: did you mean 'add_comm'? It is in the library: import integers.basics" in p.stdout


# ---- C errors ------------------------------------------------------------------------------------------

def test_a_missing_semicolon_in_c_is_reported_where_it_is_missing(tmp_path):
    write(tmp_path, "c.proof", '''\
        program g from c """
        int g(int x) {
          int y = x + 1
          return y;
        }
        """

        program h(x : int) -> int {
          int y = x + 1
          return y;
        }
        ''')
    write(tmp_path, "g.c", "int g(int x) {\n  while (x > 0)\n    x = x - 1\n  return x;\n}\n")
    p = quod("check", "--no-cache", "c.proof", cwd=tmp_path)
    assert "c.proof:3:16: error: C syntax: expected ';' before 'return'\n    int y = x + 1\n" \
           "                 ^" in p.stdout, p.stdout
    assert "c.proof:9:16: error: C syntax: expected ';' before 'return'" in p.stdout, p.stdout
    t = quod("terminates", "g.c", cwd=tmp_path)
    assert t.returncode == 2 and "g.c:3:14: error: C syntax: expected ';' before 'return'" in t.stderr + t.stdout


# ---- quod check output -----------------------------------------------------------------------------------

DONT_KNOW = """\
    @[expect_dont_know]
    theorem hard : forall x y z : int, x * x * x + y * y * y + z * z * z != 42 := by
      smt (rlimit := 1000)

    theorem fine : 1 = 1 := by ring
    """


def test_one_theorem_is_singular(tmp_path):
    write(tmp_path, "one.proof", "theorem t : 1 = 1 := by ring\ntheorem u : 1 = 2 := by norm_num\n")
    write(tmp_path, "single.proof", "theorem t : 1 = 1 := by ring\n")
    p = quod("check", "--no-cache", "single.proof", cwd=tmp_path)
    assert p.stdout.rstrip().split("\n")[-1] == "1 theorem: 1 proved, 0 failed, 0 don't know, 0 using oracles"
    p = quod("check", "--no-cache", "one.proof", cwd=tmp_path)
    assert "\n1 error in 1 file\n2 theorems: " in p.stdout


def test_an_expected_dont_know_is_a_note_in_a_passing_run(tmp_path):
    write(tmp_path, "dk.proof", DONT_KNOW)
    p = quod("check", "--no-cache", "dk.proof", cwd=tmp_path)
    assert p.returncode == 0, p.stdout
    assert ": error:" not in p.stdout and "dk.proof:3:3: note: smt: don't know" in p.stdout
    assert rows(p) == {"hard": "don't know", "fine": "proved"}
    assert "error" not in p.stdout.split("\n")[-2]          # no "N errors" line


def test_json_spells_dont_know_one_way_and_gives_each_message_a_severity(tmp_path):
    write(tmp_path, "dk.proof", DONT_KNOW)
    write(tmp_path, "bad.proof", "theorem bad : forall x : int, x = 1 := by\n  intro x\n  ring\ncheck 1 + 1\n"
                                 "def f (n : int) : int := g(n)\n")
    p = quod("check", "--no-cache", "--json", "dk.proof", "bad.proof", cwd=tmp_path)
    doc = json.loads(p.stdout)
    statuses = {t["name"]: t["status"] for t in doc["theorems"]}
    assert statuses == {"hard": "dont_know", "fine": "proved", "bad": "failed"}
    assert doc["counts"]["dont_know"] == 1 and "don't know" not in json.dumps(doc["counts"])
    sev = sorted((m["file"], m["line"], m["severity"]) for m in doc["messages"])
    assert sev == [("bad.proof", 3, "error"), ("bad.proof", 4, "info"), ("bad.proof", 5, "error"),
                   ("dk.proof", 3, "note")], sev
    assert all(set(m) >= {"file", "line", "col", "severity", "text"} for m in doc["messages"])


def test_error_counts_match_what_is_printed(tmp_path):
    write(tmp_path, "a.proof", """\
        theorem t1 : forall x : int, x = 1 := by
          intro x
          ring

        theorem t2 : 1 = := by ring

        def f (n : int) : int := g(n)

        theorem t3 : 2 = 2 := by ring
        """)
    write(tmp_path, "b.proof", "theorem u : 1 = 2 := by norm_num\n")
    p = quod("check", "--no-cache", "a.proof", "b.proof", cwd=tmp_path)
    printed = len(re.findall(r"^\S+:\d+:\d+: error: ", p.stdout, re.M))
    assert printed == 4
    assert f"\n{printed} errors in 2 files (3 in failed theorems, 1 elsewhere)\n" in p.stdout, p.stdout
    assert p.stdout.rstrip().endswith("4 theorems: 1 proved, 3 failed, 0 don't know, 0 using oracles")


def test_colour_on_request_and_never_with_no_color(tmp_path):
    write(tmp_path, "a.proof", "theorem t : 1 = 1 := by ring\ntheorem u : 1 = 2 := by norm_num\n")
    coloured = quod("check", "--no-cache", "a.proof", cwd=tmp_path, env={"FORCE_COLOR": "1"})
    assert "\x1b[" in coloured.stdout
    def same(text):
        return re.sub(r"\d+ ms\)", "N ms)", re.sub(r"\x1b\[[0-9;]*m", "", text))
    assert same(coloured.stdout) == same(quod("check", "--no-cache", "a.proof", cwd=tmp_path).stdout)
    plain = quod("check", "--no-cache", "a.proof", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b" not in plain.stdout + plain.stderr
    piped = quod("check", "--no-cache", "a.proof", cwd=tmp_path)      # not a terminal: no colour
    assert "\x1b" not in piped.stdout


def test_the_progress_bar_names_the_relative_path(tmp_path):
    pty = pytest.importorskip("pty")
    write(tmp_path, "sub/one.proof", "theorem t : 1 = 1 := by ring\n")
    write(tmp_path, "sub/two.proof", "theorem u : 2 = 2 := by ring\n")
    e = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm", COLUMNS="100")
    e.pop("NO_COLOR", None)
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "quod.cli", "check", "--no-cache", str(tmp_path / "sub")],
                            cwd=tmp_path, env=e, stdin=slave, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    out, _ = proc.communicate(timeout=300)
    os.close(master)
    assert proc.returncode == 0, out
    text = err.decode("utf-8", "replace")
    assert "sub/one.proof" in text and str(tmp_path) not in text, text     # relative, not absolute


# ---- red-team: cached text, verify, an empty directory ---------------------------------------------------

def test_text_replayed_from_the_cache_is_sanitized(tmp_path):
    write(tmp_path, "a.proof", "theorem t : 1 = 1 := by ring\n")
    assert quod("check", "a.proof", cwd=tmp_path).returncode == 0
    want = str((tmp_path / "a.proof").resolve())
    (entry,) = [f for f in (tmp_path / ".quod-cache").glob("*.json")
                if json.loads(f.read_text(encoding="utf-8")).get("source") == want]
    doc = json.loads(entry.read_text(encoding="utf-8"))
    doc["theorems"]["t"]["detail"] = "ring\n\x1b[31mfake.proof:1 evil proved\x07"
    doc["theorems"]["t"]["messages"] = [[1, 1, "hi\x1b]0;title\x07\nfake.proof:9 x proved"]]
    entry.write_text(json.dumps(doc), encoding="utf-8")
    p = quod("check", "a.proof", cwd=tmp_path)
    assert p.returncode == 0, p.stdout
    assert "cached" in p.stdout                      # the entry was used
    assert "\x1b" not in p.stdout and "\x07" not in p.stdout
    assert not re.search(r"^fake\.proof", p.stdout, re.M), p.stdout
    j = json.loads(quod("check", "--json", "a.proof", cwd=tmp_path).stdout)
    (t,) = j["theorems"]
    assert "\n" not in t["detail"] and not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", json.dumps(j["messages"]))


def test_verify_can_print_what_it_verified(tmp_path):
    write(tmp_path, "a.proof", "theorem add_zero' : forall x : int, x + 0 = x := by\n  intro x\n  ring\n")
    assert quod("check", "--no-cache", "--emit-proofs", "out", "a.proof", cwd=tmp_path).returncode == 0
    v = quod("verify", "--show-statement", "out", cwd=tmp_path)
    assert v.returncode == 0
    assert "    statement: forall x : int, x + 0 = x" in v.stdout
    assert "statement:" not in quod("verify", "out", cwd=tmp_path).stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "a tampered file is\n  rejected" not in readme
    assert "What is not checked" in readme and "--show-statement" in readme


def test_an_empty_directory_is_not_a_success(tmp_path):
    (tmp_path / "empty").mkdir()
    p = quod("check", "empty", cwd=tmp_path)
    assert p.returncode == 2
    assert "quod check: error: no .proof files in empty" in p.stderr
