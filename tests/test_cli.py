"""End to end: the ``quod`` command run as a subprocess on small files in a temporary directory.

Output format and summary, exit codes, ``--json``, ``--strict``, ``-j``, the
``.quod-cache`` (hit, invalidation by the file and by its imports, corrupt
entries; forged entries and the other dependencies are in ``test_cache.py``),
``--emit-proofs`` + ``quod verify`` (and a tampered proof file), and what
``verify`` and a warm ``check`` import.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import pytest
from pathlib import Path
from quodcli import quod, write

PROVED = textwrap.dedent("""\
    theorem add_comm : forall x y : int, x + y = y + x := by
      intro x y
      ring

    lemma le_trans' (a b c : int) (h1 : a <= b) (h2 : b <= c) : a <= c := by
      linarith
    """)
FAILING = "theorem bad : forall x : int, x = 1 := by\n  intro x\n  ring\n"
SORRY = "theorem later : forall x : int, x * x >= 0 := by\n  sorry\n"
AXIOM = ("axiom pos : forall x : int, x * x + 1 > 0\n"
         "theorem uses (y : int) : y * y + 1 > 0 := by\n  apply pos\n")
ROOT = Path(__file__).resolve().parent.parent
SUMMARY = re.compile(r"^(\d+) theorems?: (\d+) proved, (\d+) failed, (\d+) don't know, (\d+) using oracles$")




def summary(p) -> tuple[int, ...]:
    last = p.stdout.rstrip("\n").split("\n")[-1]
    m = SUMMARY.match(last)
    assert m, f"last line is not the summary: {last!r}"
    return tuple(int(x) for x in m.groups())


def no_ms(text: str) -> str:
    return re.sub(r"\d+ ms\)", "N ms)", text)


# ---- output and exit codes ---------------------------------------------------------------------

def test_output_lines_and_summary(tmp_path):
    write(tmp_path, "a.proof", PROVED)
    p = quod("check", "--no-cache", "a.proof", cwd=tmp_path)
    assert p.returncode == 0, p.stdout
    lines = p.stdout.rstrip("\n").split("\n")
    assert len(lines) == 3
    row = re.compile(r"^a\.proof:(\d+) +(\S+) +proved +\((\w+), \d+ ms\)$")
    got = [row.match(s).groups() for s in lines[:2]]
    assert got == [("1", "add_comm", "ring"), ("5", "le_trans'", "linarith")]
    assert lines[0].index("add_comm") == lines[1].index("le_trans'")       # columns line up
    assert lines[2] == "2 theorems: 2 proved, 0 failed, 0 don't know, 0 using oracles"
    assert p.stderr == ""


def test_failure_is_exit_1_and_shows_the_goal(tmp_path):
    write(tmp_path, "a.proof", PROVED + "\n" + FAILING)
    p = quod("check", "--no-cache", "a.proof", cwd=tmp_path)
    assert p.returncode == 1
    assert summary(p) == (3, 2, 1, 0, 0)
    assert re.search(r"^a\.proof:8 +bad +failed +\(", p.stdout, re.M)
    assert re.search(r"^a\.proof:10:3: error: ", p.stdout, re.M)
    assert "the goal was:" in p.stdout and "|- x = 1" in p.stdout


def test_sorry_is_exit_1_and_counted_as_oracle(tmp_path):
    write(tmp_path, "a.proof", PROVED + "\n" + SORRY)
    p = quod("check", "--no-cache", "a.proof", cwd=tmp_path)
    assert p.returncode == 1
    assert summary(p) == (3, 2, 0, 0, 1)
    assert re.search(r"^a\.proof:8 +later +sorry +\(sorry, \d+ ms\) \[axioms: sorry\]$", p.stdout, re.M)


def test_missing_path_is_exit_2(tmp_path):
    p = quod("check", "nowhere.proof", cwd=tmp_path)
    assert p.returncode == 2
    assert "quod check: error: nowhere.proof: no such file or directory" in p.stderr
    # an I/O error wins over success: the other files are still checked and reported
    write(tmp_path, "a.proof", PROVED)
    p = quod("check", "--no-cache", "a.proof", "nowhere.proof", cwd=tmp_path)
    assert p.returncode == 2
    assert summary(p) == (2, 2, 0, 0, 0)


def test_usage_errors_are_exit_2(tmp_path):
    write(tmp_path, "a.proof", PROVED)
    assert quod("check", "-j", "0", "a.proof", cwd=tmp_path).returncode == 2
    assert quod("check", "--no-such-option", cwd=tmp_path).returncode == 2
    assert quod(cwd=tmp_path).returncode == 2
    assert quod("verify", "no_such_dir", cwd=tmp_path).returncode == 2


def test_version(tmp_path):
    p = quod("--version", cwd=tmp_path)
    assert p.returncode == 0 and re.fullmatch(r"quod \d+\.\d+\.\d+\n", p.stdout)


def test_directory_and_commands(tmp_path):
    write(tmp_path, "d/one.proof", PROVED)
    write(tmp_path, "d/sub/two.proof", "theorem t : 2 + 2 = 4 := by norm_num\ncheck 1 + 2\neval 6 * 7\n")
    p = quod("check", "--no-cache", "d", cwd=tmp_path)
    assert p.returncode == 0, p.stdout
    assert summary(p) == (3, 3, 0, 0, 0)
    assert re.search(r"^d/sub/two\.proof:2:1: info: 1 \+ 2 : int$", p.stdout, re.M)
    assert re.search(r"^d/sub/two\.proof:3:1: info: 42$", p.stdout, re.M)


def test_parse_error_in_one_item_reports_position(tmp_path):
    write(tmp_path, "a.proof", PROVED + "\ntheorem broken : := by ring\n")
    p = quod("check", "--no-cache", "a.proof", cwd=tmp_path)
    assert p.returncode == 1
    assert re.search(r"^a\.proof:8:18: error: expected a formula after ':'", p.stdout, re.M)


def test_unencodable_output_does_not_crash(tmp_path):
    write(tmp_path, "u.proof", "theorem ∀bad : 1 = 1 := by ring\n")
    p = quod("check", "--no-cache", "u.proof", cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert p.returncode == 1
    assert "u.proof:1:9: error: " in p.stdout


# ---- --json ------------------------------------------------------------------------------------

def test_json_is_one_document(tmp_path):
    write(tmp_path, "a.proof", PROVED + "\n" + SORRY)
    write(tmp_path, "b.proof", "theorem t : := by ring\n")
    p = quod("check", "--no-cache", "--json", "a.proof", "b.proof", cwd=tmp_path)
    assert p.returncode == 1
    doc = json.loads(p.stdout)           # the whole output is one JSON document
    assert doc["files"] == ["a.proof", "b.proof"]
    names = {t["name"]: t for t in doc["theorems"]}
    # a theorem that does not parse still counts, as failed
    assert set(names) == {"add_comm", "le_trans'", "later", "t"}
    assert names["t"]["status"] == "failed"
    assert names["add_comm"]["status"] == "proved" and names["add_comm"]["line"] == 1
    assert names["add_comm"]["file"] == "a.proof" and names["add_comm"]["ok"] is True
    assert names["later"]["status"] == "sorry" and names["later"]["axioms"] == ["sorry"]
    assert names["later"]["ok"] is False
    assert doc["counts"] == {"theorems": 4, "proved": 2, "failed": 1, "dont_know": 0, "using_oracles": 1,
                             "cached": 0}
    assert doc["summary"] == "4 theorems: 2 proved, 1 failed, 0 don't know, 1 using oracles"
    assert len(doc["errors"]) == 1 and doc["errors"][0].startswith("b.proof:1:13: error: expected a formula")
    assert doc["ok"] is False and doc["exit_code"] == 1


def test_json_all_proved(tmp_path):
    write(tmp_path, "a.proof", PROVED)
    p = quod("check", "--no-cache", "--json", "a.proof", cwd=tmp_path)
    doc = json.loads(p.stdout)
    assert p.returncode == 0 and doc["ok"] is True and doc["errors"] == []
    assert all(t["status"] == "proved" for t in doc["theorems"])


# ---- --strict ------------------------------------------------------------------------------------

def test_strict_fails_sorry(tmp_path):
    write(tmp_path, "s.proof", PROVED + "\n" + SORRY)
    p = quod("check", "--no-cache", "--strict", "s.proof", cwd=tmp_path)
    assert p.returncode == 1
    assert re.search(r"^s\.proof:8 +later +failed +\(--strict: rests on sorry\)$", p.stdout, re.M)
    assert summary(p) == (3, 2, 1, 0, 1)


def test_strict_fails_axiom(tmp_path):
    write(tmp_path, "ax.proof", AXIOM)
    loose = quod("check", "--no-cache", "ax.proof", cwd=tmp_path)
    assert loose.returncode == 0, loose.stdout       # an axiom is allowed, and reported
    assert re.search(r"^ax\.proof:2 +uses +oracle +\(.*\) \[axioms: pos\]$", loose.stdout, re.M)
    assert re.search(r"^ax\.proof:1 +pos +axiom ", loose.stdout, re.M)
    strict = quod("check", "--no-cache", "--strict", "ax.proof", cwd=tmp_path)
    assert strict.returncode == 1
    assert re.search(r"^ax\.proof:2 +uses +failed +\(--strict: rests on pos\)$", strict.stdout, re.M)
    doc = json.loads(quod("check", "--no-cache", "--strict", "--json", "ax.proof", cwd=tmp_path).stdout)
    assert doc["strict"] is True and doc["ok"] is False
    assert [t["ok"] for t in doc["theorems"] if t["name"] == "uses"] == [False]


def test_strict_passes_clean_files(tmp_path):
    write(tmp_path, "a.proof", PROVED)
    assert quod("check", "--no-cache", "--strict", "a.proof", cwd=tmp_path).returncode == 0


# ---- -j ----------------------------------------------------------------------------------------

def test_parallel_equals_serial(tmp_path):
    write(tmp_path, "a.proof", PROVED)
    write(tmp_path, "b.proof", FAILING)
    write(tmp_path, "c.proof", SORRY + "\ntheorem x : := by ring\n")
    write(tmp_path, "d.proof", AXIOM)
    files = ["a.proof", "b.proof", "c.proof", "d.proof"]
    one = quod("check", "--no-cache", "-j", "1", *files, cwd=tmp_path)
    two = quod("check", "--no-cache", "-j", "2", *files, cwd=tmp_path)
    assert one.returncode == two.returncode == 1
    assert no_ms(one.stdout) == no_ms(two.stdout)
    j1 = json.loads(quod("check", "--no-cache", "--json", "-j", "1", *files, cwd=tmp_path).stdout)
    j2 = json.loads(quod("check", "--no-cache", "--json", "-j", "2", *files, cwd=tmp_path).stdout)
    for doc in (j1, j2):
        for t in doc["theorems"]:
            t["ms"] = 0
    assert j1 == j2


# ---- the cache -----------------------------------------------------------------------------------

def cache_files(d: Path) -> list[Path]:
    return sorted((d / ".quod-cache").glob("*.json"))


def cache_entry(d: Path, source: str) -> Path:
    """The cache entry of one module (there is one per module: the files checked, their imports, the prelude)."""
    want = str((d / source).resolve())
    (f,) = [f for f in cache_files(d) if json.loads(f.read_text(encoding="utf-8"))["source"] == want]
    return f


def mark_cache(d: Path, marker: str) -> None:
    """Change what the cache says, so that a run served from it is recognisable."""
    for f in cache_files(d):
        entry = json.loads(f.read_text(encoding="utf-8"))
        for r in entry["theorems"].values():
            r["detail"] = marker
        f.write_text(json.dumps(entry), encoding="utf-8")


def test_cache_hit_and_invalidation_by_the_file(tmp_path):
    write(tmp_path, "a.proof", PROVED)
    first = quod("check", "a.proof", cwd=tmp_path)
    assert first.returncode == 0 and "cached" not in first.stdout
    assert len(cache_files(tmp_path)) == 2              # a.proof and the prelude
    doc = json.loads(quod("check", "--json", "a.proof", cwd=tmp_path).stdout)
    assert doc["cached"] == ["a.proof"] and all(t["cached"] for t in doc["theorems"])
    assert doc["counts"]["cached"] == 2
    mark_cache(tmp_path, "FROM-CACHE")
    second = quod("check", "a.proof", cwd=tmp_path)
    # the output says where a result came from, and that the kernel checked it again
    assert second.returncode == 0 and second.stdout.count("(FROM-CACHE, cached, re-checked, ") == 2
    # --no-cache neither reads nor writes it
    assert "FROM-CACHE" not in quod("check", "--no-cache", "a.proof", cwd=tmp_path).stdout
    # a changed file is checked again
    write(tmp_path, "a.proof", PROVED + "\ntheorem extra : 1 + 1 = 2 := by norm_num\n")
    third = quod("check", "a.proof", cwd=tmp_path)
    assert "FROM-CACHE" not in third.stdout and "cached" not in third.stdout and summary(third) == (3, 3, 0, 0, 0)
    assert len(cache_files(tmp_path)) == 2              # one entry per module


def test_cache_invalidated_when_an_import_changes(tmp_path):
    lib = {"QUOD_PATH": str(tmp_path / "lib")}
    write(tmp_path, "lib/mylib.proof", "theorem helper (x : int) : x + 0 = x := by ring\n")
    write(tmp_path, "main.proof", "import mylib\ntheorem t (y : int) : y + 0 = y := by\n  apply helper\n")
    assert quod("check", "main.proof", cwd=tmp_path, env=lib).returncode == 0
    mark_cache(tmp_path, "FROM-CACHE")
    assert "FROM-CACHE" in quod("check", "main.proof", cwd=tmp_path, env=lib).stdout
    # the imported lemma changes: main must be checked again (and now fails)
    write(tmp_path, "lib/mylib.proof", "theorem helper (x : int) : x * 1 = x := by ring\n")
    p = quod("check", "main.proof", cwd=tmp_path, env=lib)
    assert "FROM-CACHE" not in p.stdout
    assert p.returncode == 1 and summary(p)[2] == 1


def test_failures_are_cached_too(tmp_path):
    write(tmp_path, "b.proof", FAILING)
    assert quod("check", "b.proof", cwd=tmp_path).returncode == 1
    p = quod("check", "b.proof", cwd=tmp_path)
    assert p.returncode == 1 and "the goal was:" in p.stdout and "; cached)" in p.stdout
    assert json.loads(quod("check", "--json", "b.proof", cwd=tmp_path).stdout)["cached"] == ["b.proof"]


CACHE_GARBAGE = [b"", b"{not json", b"\x00\xff\xfe", b"[]", b'{"format": 3}', b"null",
                 b'{"format": 3, "stamp": 1, "files": 5, "theorems": []}']


def test_corrupt_cache_is_ignored(tmp_path):
    write(tmp_path, "a.proof", PROVED)
    quod("check", "a.proof", cwd=tmp_path)
    entry = cache_entry(tmp_path, "a.proof")
    for garbage in CACHE_GARBAGE:
        entry.write_bytes(garbage)
        p = quod("check", "a.proof", cwd=tmp_path)
        assert p.returncode == 0 and summary(p) == (2, 2, 0, 0, 0), garbage
        assert "cached" not in p.stdout
        json.loads(entry.read_text(encoding="utf-8"))      # rewritten


def test_corrupt_cache_with_valid_shape_but_wrong_types(tmp_path):
    write(tmp_path, "a.proof", PROVED)
    quod("check", "a.proof", cwd=tmp_path)
    entry = cache_entry(tmp_path, "a.proof")
    doc = json.loads(entry.read_text(encoding="utf-8"))
    doc["theorems"]["add_comm"]["ms"] = "one"
    doc["theorems"]["le_trans'"]["messages"] = [["x", 1, 2]]
    entry.write_text(json.dumps(doc), encoding="utf-8")
    p = quod("check", "a.proof", cwd=tmp_path)
    assert p.returncode == 0 and summary(p) == (2, 2, 0, 0, 0)
    assert re.search(r"^a\.proof:1 +add_comm +proved +\(ring, \d+ ms\)$", p.stdout, re.M), p.stdout
    assert re.search(r"^a\.proof:5 +le_trans' +proved +\(linarith, \d+ ms\)$", p.stdout, re.M), p.stdout


def test_warm_check_runs_no_tactic_and_no_z3(tmp_path):
    """A warm run parses and elaborates, and the kernel re-checks every cached proof; the tactics and z3
    are what the cache saves."""
    write(tmp_path, "a.proof", PROVED + "\ntheorem by_smt (x : int) (h : x > 2) : 2 * x > 4 := by smt\n")
    assert quod("check", "a.proof", cwd=tmp_path).returncode == 0
    code = ("import sys\nimport tactics.engine as E\n"
            "def boom(*a, **k):\n    raise SystemExit('a tactic script ran')\n"
            "E.Engine.run_block = boom\n"
            "from quod.cli import main\nrc = main(['check', 'a.proof'])\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('z3',))\n"
            "print('RC', rc, 'LOADED', bad, 'KERNEL', 'kernel.check' in sys.modules)\n")
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "RC 0 LOADED [] KERNEL True" in p.stdout, p.stdout + p.stderr
    assert p.stdout.count("cached, re-checked") == 3


# ---- --emit-proofs and verify --------------------------------------------------------------------

def test_emit_then_verify(tmp_path):
    write(tmp_path, "a.proof", PROVED + "\ntheorem two : 2 * 3 = 6 := by norm_num\n")
    p = quod("check", "--emit-proofs", "out", "a.proof", cwd=tmp_path)
    assert p.returncode == 0, p.stdout
    emitted = sorted(f.name for f in (tmp_path / "out").glob("*.json"))
    assert emitted == ["a.add_comm.json", "a.le_trans'.json", "a.two.json"]
    v = quod("verify", "out", cwd=tmp_path)
    assert v.returncode == 0, v.stdout
    assert v.stdout.rstrip().endswith("3 files: 3 verified, 0 rejected; 3 declarations re-checked; "
                                      "kernel rules only (no axiom, oracle or sorry)")
    assert re.search(r"^out/a\.two\.json: ok \(1 declaration re-checked\)\n  theorem two +kernel rules only$",
                     v.stdout, re.M), v.stdout


def _tamper_number(path: Path, old: int, new: int) -> None:
    """Change an integer literal of the theorem's statement, so that it becomes false."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    rows = [i for i, (op, data, kids) in enumerate(doc["exprs"]) if op == "int" and data == old]
    assert rows, doc["exprs"]
    for i in rows:
        doc["exprs"][i][1] = new
    path.write_text(json.dumps(doc), encoding="utf-8")


def test_verify_rejects_tampered_statement(tmp_path):
    write(tmp_path, "a.proof", "theorem two : 2 * 3 = 6 := by norm_num\n"
                               "theorem lin (x : int) (h : x > 6) : x >= 7 := by linarith\n")
    assert quod("check", "--emit-proofs", "out", "a.proof", cwd=tmp_path).returncode == 0
    for name, old, new in (("a.two.json", 6, 7), ("a.lin.json", 7, 8)):     # 2 * 3 = 7; x > 6 -> x >= 8
        _tamper_number(tmp_path / "out" / name, old, new)
        v = quod("verify", f"out/{name}", cwd=tmp_path)
        assert v.returncode == 1, v.stdout
        assert re.search(rf"^out/{re.escape(name)}: rejected: \S.*", v.stdout, re.M), v.stdout
        assert "1 file: 0 verified, 1 rejected" in v.stdout
    v = quod("verify", "out", cwd=tmp_path)
    assert v.returncode == 1 and "2 files: 0 verified, 2 rejected" in v.stdout


VERIFY_GARBAGE = [b"", b"not json", b"\xff\xfe\x00", b"[]", b'{"format": "quod-proof/1"}',
                  b'{"format": "quod-proof/1", "exprs": [[1, 2]], "proofs": [], "declarations": []}',
                  b'{"format": "quod-proof/1", "exprs": "x", "proofs": {}, "declarations": 3}',
                  b'{"format": "quod-proof/1", "exprs": [["int", 1, []]], "proofs": [["nope", []]], '
                  b'"declarations": [{"kind": "theorem", "name": "t", "statement": 0, "proof": 0}]}',
                  b"[" * 100_000 + b"]" * 100_000]


def test_verify_rejects_malformed_files(tmp_path):
    d = tmp_path / "bad"
    d.mkdir()
    for i, garbage in enumerate(VERIFY_GARBAGE):
        (d / f"bad{i}.json").write_bytes(garbage)
    v = quod("verify", "bad", cwd=tmp_path)
    assert v.returncode == 1, v.stdout
    for i in range(len(VERIFY_GARBAGE)):
        assert re.search(rf"^bad/bad{i}\.json: rejected: \S", v.stdout, re.M), v.stdout
    assert f"{len(VERIFY_GARBAGE)} files: 0 verified, {len(VERIFY_GARBAGE)} rejected" in v.stdout


def test_verify_loads_only_the_kernel(tmp_path):
    write(tmp_path, "a.proof", PROVED)
    assert quod("check", "--emit-proofs", "out", "a.proof", cwd=tmp_path).returncode == 0
    code = ("import sys\nfrom quod.cli import main\nrc = main(['verify', 'out'])\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('lark', 'z3', 'tactics'))\n"
            "print('RC', rc, 'LOADED', bad)\n")
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "RC 0 LOADED []" in p.stdout, p.stdout + p.stderr


def test_what_is_cached():
    from quod.cache import storable
    from quod.loader import Result
    assert storable(Result("a.proof", 1, "t", "proved", "ring"))
    assert storable(Result("a.proof", 1, "t", "failed", "ring: the goal is false"))
    assert storable(Result("a.proof", 1, "t", "don't know", "no ranking function found"))
    assert not storable(Result("a.proof", 1, "t", "don't know", "smt: don't know: timeout after 10 s"))


def test_counterexample_to_a_program_fact_shows_what_the_program_returns(tmp_path):
    """A functional claim that is false: the counterexample, and the program run on it (bool as false)."""
    (tmp_path / "fb.proof").write_text(textwrap.dedent("""\
        program f_bad(x : u32, y : u32) -> bool {
          return x - y == y - x;
        }
        theorem f_bad_true : forall x y : u32, f_bad(x, y) = true := by vcgen; smt
        """))
    r = quod("check", "fb.proof", cwd=tmp_path)
    assert r.returncode == 1, r
    m = re.search(r"counterexample x = (\d+), y = (\d+); f_bad\((\d+), (\d+)\) returns false", r.stdout)
    assert m, r.stdout
    x, y = int(m.group(1)), int(m.group(2))
    assert (x, y) == (int(m.group(3)), int(m.group(4))) and (x - y) % 2**32 != (y - x) % 2**32


def test_terminates_reads_programs_of_a_proof_file():
    r = quod("terminates", "proofs/loops.proof", "--function", "lex", cwd=ROOT)
    assert r.returncode == 0 and r.stdout.startswith("yes: ranking function (x, y) lexicographic"), r
    r = quod("terminates", "proofs/seed.proof", "--function", "g2", cwd=ROOT)
    assert r.returncode == 1 and r.stdout.startswith("no: runs forever from "), r
    r = quod("terminates", "proofs/loops.proof", cwd=ROOT)
    assert r.returncode == 2 and "choose one with --function" in r.stderr, r


def test_terminates_strict_puts_the_answer_on_the_first_line():
    """With --strict an answer that rests on the oracle is a don't know, and it says so on line one."""
    src = "tests/programs/corpus/jump_continue.c"
    loose = quod("terminates", src, cwd=ROOT)
    strict = quod("terminates", "--strict", src, cwd=ROOT)
    if "smt_oracle" in loose.stdout:
        assert strict.returncode == 3 and strict.stdout.startswith("don't know: "), strict
    else:
        assert strict.stdout.splitlines()[0] == loose.stdout.splitlines()[0]


def test_program_fact_quantifies_over_the_parameter_type_or_a_narrower_one(tmp_path):
    """`forall x : u32, nn(x) = true` for nn(x : i32) is not about every u32 (3000000000 is no i32): refused,
    not proved over the part of u32 that fits; a narrower type (i32 into i64) is fine."""
    (tmp_path / "ty.proof").write_text(textwrap.dedent("""\
        program nn(x : i32) -> bool { return x >= 0; }
        theorem nn_u32 : forall x : u32, nn(x) = true := by vcgen; smt
        program id32(x : u32) -> int { return x; }
        theorem id_int : forall x : int, id32(x) = x := by vcgen; smt
        program w(x : i64) -> int { return x; }
        theorem w_i32 : forall x : i32, w(x) = x := by vcgen; smt
        """))
    r = quod("check", "ty.proof", cwd=tmp_path)
    assert r.returncode == 1
    assert re.search(r"nn_u32 +failed .*nn takes x : i32", r.stdout), r.stdout
    assert re.search(r"id_int +failed .*id32 takes x : u32", r.stdout), r.stdout
    assert re.search(r"w_i32 +proved", r.stdout), r.stdout


def test_a_failed_verification_condition_is_checked_against_a_run(tmp_path):
    """smt finds a state where a verification condition fails; the program is run on its arguments.
    A run that keeps the claim makes it a don't know (the invariant is too weak), not a false claim;
    a run that breaks it is the counterexample, in the program's own arguments and name."""
    (tmp_path / "vc.proof").write_text(textwrap.dedent("""\
        program brk(x : int) -> int {
          int i = 0;
          while (true) { if (i >= 10) { break; } i = i + 1; }
          return i;
        }
        theorem brk_t : forall x : int, brk(x) = 10 := by vcgen; smt
        theorem brk_f : forall x : int, brk(x) = 11 := by vcgen; smt
        program p1(x : int) -> int { if (x > 0) { return 0; } return 5; }
        program p2(x : int) -> int { if (x > 0) { return 0; } return 5; }
        theorem p2_zero : forall x : int, p2(x) = 0 := by vcgen; smt
        """))
    r = quod("check", "vc.proof", cwd=tmp_path)
    assert r.returncode == 1
    assert re.search(r"brk_t +don't know .*brk\(0\) returns 10, as claimed: the loop invariants found are too weak",
                     r.stdout), r.stdout
    assert re.search(r"brk_f +failed .*counterexample x = 0; brk\(0\) returns 10\)", r.stdout), r.stdout
    assert re.search(r"p2_zero +failed .*counterexample x = 0; p2\(0\) returns 5\)", r.stdout), r.stdout


def test_terminates_errors_show_the_line_and_a_caret(tmp_path):
    (tmp_path / "pw.py").write_text("def f(x):\n    y = x ** 2\n    return y\n")
    r = quod("terminates", "pw.py", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    lines = r.stderr.splitlines()
    assert lines[0] == "pw.py:2:9: error: unsupported expression `x ** 2` (the operator Pow is not supported)", lines
    assert lines[1] == "      y = x ** 2" and lines[2] == "          ^", lines
    (tmp_path / "sw.c").write_text("int f(int x) {\n  switch (x) { default: break; }\n  return 0;\n}\n")
    r = quod("terminates", "sw.c", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.splitlines()[0].startswith("sw.c:2:3: error: unsupported statement")
    assert r.stderr.splitlines()[2] == "    ^"


def test_errors_in_a_native_program_point_at_their_line(tmp_path):
    (tmp_path / "ne.proof").write_text(textwrap.dedent("""\
        -- comment
        program g(x : int) {
          int y = 0;
          while (x > 0) {
            x = x - 1
          }
        }
        program k(x : int) {
          int y = 0;
          y = y >> 1;
        }
        """))
    r = quod("check", "ne.proof", cwd=tmp_path)
    assert r.returncode == 1
    # the missing ';' is where it is missing: after `x - 1` on line 5 (as gcc reports it)
    assert "ne.proof:5:14: error: C syntax: expected ';' before '}'" in r.stdout + r.stderr, r.stdout + r.stderr
    assert "ne.proof:10:3: error: unsupported operator >>" in r.stdout + r.stderr, r.stdout + r.stderr


def test_the_cache_lives_in_the_user_cache_directory_or_where_told(tmp_path):
    """Issue 13: `cd / && quod check x.proof` made /.quod-cache. The cache goes to the user cache directory
    (XDG_CACHE_HOME here), to $QUOD_CACHE_DIR, or to --cache-dir, never into the current directory."""
    (tmp_path / "a.proof").write_text(PROVED)
    home = tmp_path / "xdg"
    env = {"QUOD_CACHE_DIR": "", "XDG_CACHE_HOME": str(home)}
    assert quod("check", "a.proof", cwd=tmp_path, env=env).returncode == 0
    assert not (tmp_path / ".quod-cache").exists()
    assert list((home / "quod").rglob("*.json"))
    r = quod("check", "--cache-dir", "elsewhere", "a.proof", cwd=tmp_path, env=env)
    assert r.returncode == 0 and list((tmp_path / "elsewhere").glob("*.json"))
    r = quod("check", "--cache-dir", "elsewhere", "a.proof", cwd=tmp_path, env=env)
    assert "cached, re-checked" in r.stdout, r.stdout


def test_python_dash_m_quod(tmp_path):
    p = subprocess.run([sys.executable, "-m", "quod", "--version"], cwd=tmp_path, capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.startswith("quod ")


def test_a_missing_library_is_an_error_not_an_empty_success(tmp_path, monkeypatch):
    """Issue 13: an install without theories/ said 'unknown function even' and `quod check` passed with
    0 theorems. Without the library every check fails, saying why."""
    import quod.loader as L
    from tactics.syntax import QuodError
    monkeypatch.setattr(L, "THEORIES", tmp_path / "nowhere")
    with pytest.raises(QuodError, match="library is missing"):
        L.Loader().prelude()
