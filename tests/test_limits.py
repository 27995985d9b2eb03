"""Issue 17: inputs that would make ``quod`` read where it should not, block, recurse past the
stack or lose a file's other results. Each is refused with a located error (or a don't know for
that theorem or program only), and the rest of the file is still checked.

The ``quod`` command runs as a subprocess on small files in a temporary directory (``tmp_path``
is the current directory of each run).
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from quodcli import quod as _quod
from quodcli import write

ROOT = Path(__file__).resolve().parent.parent
LINUX = sys.platform.startswith("linux")




quod = functools.partial(_quod, unset=("QUOD_ALLOW_PATH",))

def errors(p) -> dict[int, str]:
    """line -> the message of the error at that line."""
    out = {}
    for m in re.finditer(r"^\S+?:(\d+):(\d+): error: (.*)$", p.stdout, re.M):
        out[int(m.group(1))] = m.group(3)
    return out


F_C = "int f(int x) { return x; }\n"
AFTER = "theorem after : 1 + 1 = 2 := by ring\n"


# ---- program sources: only regular files of the project -------------------------------------------

@pytest.mark.skipif(not LINUX, reason="/dev/zero, /etc/passwd and FIFOs")
def test_program_sources_outside_the_project_are_refused_without_saying_what_exists(tmp_path):
    proj, outside = tmp_path / "proj", tmp_path / "outside"
    write(outside, "o.c", F_C)
    write(proj, "in.c", F_C)
    os.mkfifo(proj / "fifo.c")
    os.symlink("/dev/zero", proj / "zero.c")
    os.symlink(outside / "o.c", proj / "link.c")
    items = ['"/etc/passwd"', '"/nonexistent/quod.c"', '"../outside/o.c"', '"../outside/absent.c"', '"/dev/zero"',
             '"zero.c"', '"link.c"', '"fifo.c"', '"in.c"']
    write(proj, "t.proof", "".join(f"program p{i} from c {s} function f\n" for i, s in enumerate(items)) + AFTER)
    p = quod("check", "--no-cache", "t.proof", cwd=proj, timeout=60)     # a FIFO or /dev/zero would hang
    assert p.returncode == 1
    errs = errors(p)
    # outside the project (through a symbolic link too), present or absent: one message
    for line, name in enumerate(items[:7], 1):
        assert errs[line] == errs[1].replace("/etc/passwd", name.strip('"')), (line, errs[line])
    assert "no such file in this project" in errs[1] and "--allow-path" in errs[1]
    assert errs[8] == "cannot read fifo.c: not a regular file"
    assert 9 not in errs
    assert re.search(r"t\.proof:10 +after +proved", p.stdout)
    # allowed explicitly
    p = quod("check", "--no-cache", "--allow-path", str(outside), "t.proof", cwd=proj, timeout=60)
    errs = errors(p)
    assert 3 not in errs and 7 not in errs and 4 in errs and 1 in errs


def test_a_program_source_is_named_relative_to_the_proof_file_never_the_current_directory(tmp_path):
    """Red-team review: with the current directory as a fallback (or a root), the same .proof file
    meant different theorems depending on where quod ran (a decoy f.c in the current directory)."""
    write(tmp_path, "proj/f.c", "int f(int x) { return 4; }\n")
    write(tmp_path, "proj/t.proof", 'program g from c "f.c" function f\neval g(3)\n'
                                    "theorem g4 : forall x : i32, g(x) = 4 := by vcgen; all_goals smt\n")
    write(tmp_path, "f.c", "int f(int x) { return 100; }\n")          # the decoy
    write(tmp_path, "other/f.c", "int f(int x) { return 200; }\n")
    outs = []
    runs = ((tmp_path, "proj/t.proof"), (tmp_path / "proj", "t.proof"), (tmp_path / "other", "../proj/t.proof"))
    for cwd, path in runs:
        p = quod("check", "--no-cache", path, cwd=cwd)
        assert p.returncode == 0 and "info: 4" in p.stdout and "1 proved" in p.stdout, (cwd, p.stdout)
        outs.append(re.sub(r"\S*t\.proof:(\S+)\s+", r"\1 ", re.sub(r"\d+ ms", "", p.stdout)))
    assert outs[0] == outs[1] == outs[2]
    # a name that is only in the current directory is not found, and says where it is looked for
    write(tmp_path, "proj/u.proof", 'program h from c "only_here.c" function f\n' + AFTER)
    write(tmp_path, "only_here.c", F_C)
    p = quod("check", "--no-cache", "proj/u.proof", cwd=tmp_path)
    errs = errors(p)
    assert p.returncode == 1 and "no such file in this project" in errs[1] and "relative to the .proof file" in errs[1]


def test_allow_path_widens_what_is_read_but_never_what_a_name_means(tmp_path):
    write(tmp_path, "src/g.c", F_C)
    write(tmp_path, "proofs/t.proof", 'program g from c "../src/g.c" function f\neval g(3)\n')
    write(tmp_path, "proofs/g.c", "int f(int x) { return 0; }\n")
    for cwd, path in ((tmp_path, "proofs/t.proof"), (tmp_path / "proofs", "t.proof")):
        p = quod("check", "--no-cache", path, cwd=cwd)                    # src/ is not in the project
        assert p.returncode == 1 and "no such file in this project" in p.stdout, p.stdout
        p = quod("check", "--no-cache", "--allow-path", str(tmp_path / "src"), path, cwd=cwd)
        assert p.returncode == 0 and "info: 3" in p.stdout, p.stdout
    # an allowed directory is not searched for a bare name: "g.c" is still proofs/g.c
    write(tmp_path, "proofs/u.proof", 'program g from c "g.c" function f\neval g(3)\n')
    p = quod("check", "--no-cache", "--allow-path", str(tmp_path / "src"), "proofs/u.proof", cwd=tmp_path)
    assert p.returncode == 0 and "info: 0" in p.stdout, p.stdout


@pytest.mark.skipif(not LINUX, reason="/etc/hostname")
def test_c_includes_outside_the_project_are_refused(tmp_path):
    write(tmp_path, "ok.h", "#define ONE 1\n")
    src = ('program a from c """\n#include "/etc/hostname"\nint f(int x) { return x; }\n""" function f\n'
           'program b from c """\n#include "/nonexistent.h"\nint f(int x) { return x; }\n""" function f\n'
           'program c from c """\n#include </etc/hostname>\nint f(int x) { return x; }\n""" function f\n'
           'program d from c """\n#include "ok.h"\nint f(int x) { return x + ONE; }\n""" function f\n'
           "eval d(1)\n")
    write(tmp_path, "t.proof", src)
    p = quod("check", "--no-cache", "t.proof", cwd=tmp_path)
    errs = errors(p)
    assert "not a file of this project" in errs[2]
    assert errs[6] == errs[2].replace("/etc/hostname", "/nonexistent.h")
    assert "absolute path" in errs[10]
    assert "info: 2" in p.stdout


@pytest.mark.skipif(not LINUX, reason="/dev/zero")
def test_terminates_reads_only_a_regular_file(tmp_path):
    os.symlink("/dev/zero", tmp_path / "zero.c")
    p = quod("terminates", "zero.c", cwd=tmp_path, timeout=60)
    assert p.returncode == 2 and "zero.c: error: cannot read zero.c: not a regular file" in p.stderr


# ---- quod check DIR: only regular files ------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_fifo_in_a_checked_directory_is_skipped_with_a_warning(tmp_path):
    write(tmp_path, "d/a.proof", AFTER)
    os.mkfifo(tmp_path / "d" / "pipe.proof")
    p = quod("check", "--no-cache", "d", cwd=tmp_path, timeout=60)
    assert p.returncode == 0 and "1 theorem: 1 proved" in p.stdout
    assert "warning: d/pipe.proof: not a regular file; skipped" in p.stderr
    p = quod("check", "--no-cache", "d/pipe.proof", cwd=tmp_path, timeout=60)     # named: an error
    assert p.returncode == 2 and "d/pipe.proof: not a regular file" in p.stderr


# ---- the front ends: deep sources, many parameters -------------------------------------------------

def test_deep_and_wide_sources_are_refused_for_their_program_only(tmp_path):
    n = 300
    write(tmp_path, "deep.c", "int f(int x) {\n" + "while (x > 0) {\n" * n + "x--;\n" + "}\n" * n + "return x;}\n")
    write(tmp_path, "paren.c", "int f(int x) {\n  return " + "(" * 2000 + "x" + ")" * 2000 + ";\n}\n")
    write(tmp_path, "sum.c", "int f(int x) {\n  return x" + " + x" * 5000 + ";\n}\n")
    write(tmp_path, "sum.py", "def f(x):\n  return x" + " + x" * 100_000 + "\n")       # ast.parse: RecursionError
    write(tmp_path, "neg.py", "def f(x):\n  return " + "-" * 100_000 + "x\n")         # ast.parse: MemoryError
    write(tmp_path, "wide.c", "int f(" + ", ".join(f"int x{i}" for i in range(500)) + ") { return x0; }\n")
    write(tmp_path, "wide.py", "def f(" + ", ".join(f"x{i}" for i in range(500)) + "):\n  return x0\n")
    write(tmp_path, "t.proof", 'program a from c "deep.c" function f\nprogram b from c "paren.c" function f\n'
                               'program c from c "sum.c" function f\nprogram d from python "sum.py" function f\n'
                               'program e from python "neg.py" function f\nprogram g from c "wide.c" function f\n'
                               'program h from python "wide.py" function f\n'
                               "eval h(" + ", ".join(str(i + 7) for i in range(500)) + ")\n" + AFTER)
    p = quod("check", "--no-cache", "t.proof", cwd=tmp_path)
    errs = errors(p)
    assert sorted(errs) == [1, 2, 3, 4, 5], p.stdout
    for line, lang in ((1, "C"), (2, "C"), (3, "C"), (4, "Python"), (5, "Python")):
        assert errs[line].startswith(f"unsupported: the {lang} source is nested too deeply"), errs[line]
    assert "t.proof:8:1: info: 7" in p.stdout
    assert re.search(r"t\.proof:9 +after +proved", p.stdout)
    p = quod("terminates", "sum.py", cwd=tmp_path)
    assert p.returncode == 2 and "sum.py: error: unsupported: the Python source is nested too deeply" in p.stderr


# ---- found by bench/fuzz.py ------------------------------------------------------------------------

def located(p) -> list[str]:
    """Every ``error:`` line of the output is FILE:LINE:COL, then the source line, then a caret."""
    lines = p.stdout.split("\n")
    out = []
    for i, ln in enumerate(lines):
        if " error: " in ln and not ln.startswith(" "):
            assert re.match(r"^\S+:\d+:\d+: error: \S", ln), ln
            assert lines[i + 1].startswith("  ") and lines[i + 2].strip() == "^", lines[i:i + 3]
            out.append(ln)
    return out


def test_hammer_on_a_program_judgment_is_a_dont_know_not_an_internal_error(tmp_path):
    """The smt encoder raised out of hammer's unsat core (the whole file was lost as an internal error)."""
    write(tmp_path, "t.proof", "program p(x : int) -> int { return x; }\n"
                               "theorem j : [x >= 0] p [ret >= 0] := by vcgen; all_goals smt\n"
                               "theorem h : [x >= 0] p [ret >= 0] := by hammer\n"
                               "theorem k (y : int) : y + 0 = y := by hammer\n" + AFTER)
    p = quod("check", "--no-cache", "t.proof", cwd=tmp_path)
    assert "internal error" not in p.stdout + p.stderr
    assert re.search(r"t\.proof:2 +j +proved", p.stdout) and re.search(r"t\.proof:4 +k +proved", p.stdout), p.stdout
    assert re.search(r"t\.proof:5 +after +proved", p.stdout)
    assert "hammer: don't know: cannot encode" in errors(p)[3]
    located(p)


def test_a_message_of_several_lines_keeps_the_location_source_and_caret_together(tmp_path):
    """'this block leaves goals unsolved:' put the goal between the error line and its source line."""
    write(tmp_path, "t.proof", "theorem t (x : int) : x < x + 1 and x = x := by\n  split\n  . skip\n  . reflexivity\n")
    p = quod("check", "--no-cache", "t.proof", cwd=tmp_path)
    assert located(p) == ["t.proof:3:3: error: this block leaves goals unsolved (the first is shown below)"]
    assert "the goal was:\n    x : int\n    |- x < x + 1" in p.stdout


def test_an_error_in_a_file_with_cr_line_endings_shows_its_own_line(tmp_path):
    (tmp_path / "t.proof").write_bytes(b"-- CR only\rtheorem a : 1 = 1 := by reflexivity\r"
                                       b"theorem b : 1 = 2 := by ring\r")
    p = quod("check", "--no-cache", "t.proof", cwd=tmp_path)
    assert located(p)[0].startswith("t.proof:3:")
    assert "\n  theorem b : 1 = 2 := by ring\n" in p.stdout


def test_an_emit_proofs_write_error_is_an_error_at_that_theorem_and_keeps_the_results(tmp_path):
    """A failed write of one proof file turned the whole file into an internal error (no results)."""
    write(tmp_path, "t.proof", "theorem a : 1 = 1 := by reflexivity\ntheorem b : 2 = 2 := by reflexivity\n" + AFTER)
    (tmp_path / "out" / "t.b.json").mkdir(parents=True)          # b's proof cannot be written there
    p = quod("check", "--no-cache", "--emit-proofs", "out", "t.proof", cwd=tmp_path)
    assert p.returncode == 1 and "internal error" not in p.stdout + p.stderr
    assert "3 theorems: 3 proved" in p.stdout
    assert located(p) == [f"t.proof:2:1: error: cannot write the proof of b to {Path('out', 't.b.json')}: "
                          "Is a directory"]
    assert sorted(f.name for f in (tmp_path / "out").iterdir()) == ["t.a.json", "t.after.json", "t.b.json"]


# ---- budgets ---------------------------------------------------------------------------------------

def nested_loops(depth: int) -> str:
    s = "int f(int x) {\n"
    for i in range(depth):
        s += f"  int y{i} = x;\n  while (y{i} > 0) {{\n"
    for i in reversed(range(depth)):
        s += f"  y{i} = y{i} - 1;\n  }}\n"
    return s + "  return x;\n}\n"


def test_the_termination_analysis_stops_at_its_budget_saying_so(tmp_path):
    """8 nested loops took minutes (and 100 loops in sequence as long): one program's analysis has a
    budget (QUOD_ANALYSIS_BUDGET seconds of CPU time, 40 by default); past it the answer is don't know, saying why.
    A budget of 0 stands for a program too large for any budget."""
    write(tmp_path, "deep.c", nested_loops(8))
    p = quod("terminates", "deep.c", cwd=tmp_path, env={"QUOD_ANALYSIS_BUDGET": "0"})
    assert p.returncode == 3
    assert p.stdout.startswith("don't know: the analysis stopped at its budget of 0 s (QUOD_ANALYSIS_BUDGET)")
    # in a .proof file: that theorem only
    write(tmp_path, "t.proof", 'program d from c "deep.c" function f\n'
                               "theorem d_terminates : terminates d := by termination\n"
                               "theorem d_ret : forall a : i32, d(a) = a := by vcgen; all_goals smt\n" + AFTER)
    p = quod("check", "--no-cache", "t.proof", cwd=tmp_path, env={"QUOD_ANALYSIS_BUDGET": "0"})
    assert "termination: don't know: the analysis stopped at its budget of 0 s" in errors(p)[2], p.stdout
    assert "vcgen: don't know: the analysis stopped at its budget" in errors(p)[3], p.stdout
    assert re.search(r"t\.proof:4 +after +proved", p.stdout)
    located(p)
    # with the default budget, a small program is not affected
    write(tmp_path, "small.c", nested_loops(1))
    p = quod("terminates", "small.c", cwd=tmp_path)
    assert p.returncode == 0 and p.stdout.startswith("yes: ranking function")


def _children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                out.append(int(d))
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not LINUX, reason="/proc")
def test_check_j_workers_end_with_a_killed_parent(tmp_path):
    """`quod check -j 2` workers went on (for minutes, on 8 nested loops) after kill -9 of quod."""
    import signal
    import time
    write(tmp_path, "deep.c", nested_loops(8))
    for name in ("a", "b"):
        write(tmp_path, f"{name}.proof", 'program d from c "deep.c" function f\n'
                                         "theorem d_terminates : terminates d := by termination\n")
    e = dict(os.environ, QUOD_ANALYSIS_BUDGET="600")
    e.pop("QUOD_DEBUG", None)
    parent = subprocess.Popen([sys.executable, "-m", "quod.cli", "check", "--no-cache", "-j", "2", "a.proof",
                               "b.proof"], cwd=tmp_path, env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        workers: list[int] = []
        for _ in range(600):                      # until both workers are at work
            workers = _children(parent.pid)
            if len(workers) >= 2:
                break
            time.sleep(0.1)
        assert len(workers) >= 2, "the workers did not start"
        time.sleep(1.0)
        assert all(_alive(w) for w in workers)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    for _ in range(300):                          # they end at once on Linux; up to 30 s is allowed
        if not any(_alive(w) for w in workers):
            break
        time.sleep(0.1)
    left = [w for w in workers if _alive(w)]
    for w in left:                                # do not leave them running if the test fails
        os.kill(w, signal.SIGKILL)
    assert not left


def test_termination_with_a_variant_for_one_loop_of_two_is_an_error_for_that_theorem(tmp_path):
    """Found by bench/fuzz.py: `with decreasing e` gives the first loop's measure; when another loop had
    none (its invariant given, so not searched), MissingAnnotation escaped and the file was lost."""
    write(tmp_path, "t.proof", "program p(x : int, y : int) {\n  while (x > 0) {\n"
                               "    while (y > 0) { invariant(y >= 0); y = y - 1; }\n    x = x - 1;\n  }\n}\n"
                               "theorem t : terminates p := by termination with decreasing x\n" + AFTER)
    p = quod("check", "--no-cache", "t.proof", cwd=tmp_path)
    assert "internal error" not in p.stdout
    assert "needs a decreasing measure" in errors(p)[7], p.stdout
    assert re.search(r"t\.proof:8 +after +proved", p.stdout)
    located(p)


def test_an_import_of_a_name_too_long_for_the_file_system_is_a_located_error(tmp_path):
    """Found by bench/fuzz.py: `import integers999...` (thousands of digits) raised ENAMETOOLONG out of the
    module search and the file was lost as an internal error."""
    write(tmp_path, "t.proof", "import integers" + "9" * 5000 + ".ring\n" + AFTER)
    p = quod("check", "--no-cache", "t.proof", cwd=tmp_path)
    assert "internal error" not in p.stdout + p.stderr
    assert "not found" in errors(p)[1], p.stdout
    located(p)


def test_a_nested_budget_gets_its_share_of_what_is_left(monkeypatch):
    """quod terminates gives the ranking search a share of the budget, so the search for a run that
    goes on forever still has time (an outer budget with share 1 still rules a nested one)."""
    from analysis import budget as t
    monkeypatch.setenv(t.BUDGET_ENV, "100")
    with t.budget():
        outer = t._deadline.get()[0] - t.clock()
        with t.budget(0.4):
            inner = t._deadline.get()[0] - t.clock()
        with t.budget():
            same = t._deadline.get()[0] - t.clock()
        assert t._deadline.get()[0] - t.clock() <= outer
    assert 35 < inner < 41 and 90 < outer <= 100 and 90 < same <= 100
