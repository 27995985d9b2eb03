"""The REPL: ``Session`` driven input by input, the plain line-by-line mode (in-process and as the
installed ``quod repl`` with a pipe for stdin), and the prompt-toolkit front end fed through
prompt-toolkit's pipe input. The pseudo-terminal end-to-end test is in test_repl_pty.py.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from quod.loader import Loader
from quod.repl import interactive, plain, read_block, run_interruptible
from quod.session import INTERRUPTED, Session

ROOT = Path(__file__).resolve().parent.parent

# A goal z3 cannot settle (x^3 + y^3 = z^3 has no positive solutions): smt runs until its timeout.
SLOW_THEOREM = ("theorem fermat3 (x y z : int) (hx : x > 0) (hy : y > 0) (hz : z > 0) : "
                "x * x * x + y * y * y != z * z * z")
SLOW_SMT = "smt (timeout := 20000) (rlimit := 1000000000)"


@pytest.fixture(scope="module")
def loader():
    return Loader()      # shared: the prelude and imported modules are checked once per module


@pytest.fixture
def s(loader):
    return Session(loader=loader)


@pytest.fixture(autouse=True)
def _history(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))   # the front end's history file


def run(session: Session, *inputs: str) -> str:
    """Feed inputs one by one; return the output of the last."""
    out = ""
    for text in inputs:
        out = session.handle(text)
        assert isinstance(out, str)
    return out


def quod_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "quod.cli", "check", "--no-cache", str(path)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


# -- starting a proof, the display of states ---------------------------------------------------

def test_start_shows_numbered_hypotheses_and_turnstile(s):
    out = run(s, "theorem t (x y : int) (h : x < y) (k : y < 10) : x + 1 <= y")
    assert out.splitlines() == [
        "1 goal",
        "   x y : int",
        "  1. h : x < y",
        "  2. k : y < 10",
        "   ⊢ x + 1 ≤ y",
    ]
    assert s.prompt() == "t (1 goal)> "
    assert "proving t" in s.toolbar() and "1 goal " in s.toolbar()


def test_prompt_outside_a_proof(s):
    assert s.prompt() == "quod> "
    assert "no open proof" in s.toolbar()


def test_changed_lines_are_marked(s):
    run(s, "theorem t : forall x y : int, x < y -> x + 1 <= y /\\ x < y")
    out = run(s, "intro x y h")
    assert out.splitlines() == [
        "1 goal",
        "+  x y : int",                            # added
        "+ 1. h : x < y",
        "~  ⊢ x + 1 ≤ y ∧ x < y",                   # changed, and what it was
        "    was: ∀ x y : int, x < y → x + 1 ≤ y ∧ x < y",
    ]
    out = run(s, "split")
    lines = out.splitlines()
    assert lines[0] == "2 goals (was 1)"
    assert "  1. h : x < y" in lines            # unchanged hypothesis: no mark
    assert "~  ⊢ x + 1 ≤ y" in lines
    assert "goal 2: ⊢ x < y" in lines
    assert s.prompt() == "t (2 goals)> "
    assert "2 goals" in s.toolbar()


def test_ascii_output(loader):
    s = Session(ascii=True, loader=loader)
    out = run(s, "theorem t : forall x y : int, x <= y -> x < y + 1")
    assert "|- forall x y : int, x <= y -> x < y + 1" in out
    out = run(s, "intro x y h")
    assert "1. h : x <= y" in out and "|- x < y + 1" in out
    out = run(s, "exact h")                     # fails: the goal is shown in ASCII too
    assert "the goal was:" in out and "|- x < y + 1" in out
    assert not any(ch in out for ch in "⊢∀→≤∧")
    assert "|-" in run(s, "qed")              # refused: goals remain, shown in ASCII


def _statements(loader):
    from kernel import KernelError
    env = loader.module("integers.basics").env
    out = []
    for name in env.order:
        try:
            out.append(env.theorem(name).statement)
        except KernelError:
            pass
    return out


def test_goal_view_prints_what_the_kernel_prints(loader):
    """Laid out flat and without reorienting, the goal view's printer gives exactly the kernel's ``show``
    (the same syntax, parentheses and bound names), for every statement of integers.basics and the prelude."""
    from kernel import show
    from quod.pretty import Orientation, show_formula

    class Never(Orientation):
        def flip(self, *args):
            return False
    stmts = _statements(loader)
    assert len(stmts) > 50
    for e in stmts:
        for ascii in (True, False):
            assert show_formula(e, ascii, width=10**6, orient=Never()) == show(e, ascii)


def test_long_goals_break_after_operators_never_inside_a_word(loader):
    from kernel import show
    from quod.pretty import show_formula
    stmts = sorted(_statements(loader), key=lambda e: -len(show(e)))[:20]
    for e in stmts:
        flat = show_formula(e, False, width=10**6)
        for width in (30, 50, 70):
            text = show_formula(e, False, width=width)
            lines = text.split("\n")
            assert " ".join(x.strip() for x in lines) == flat            # only spaces became line breaks
            for x in lines[:-1]:
                assert x.rstrip()[-1] in "∧∨→↔=<≤>≥+-*/%|,", x          # a break comes after an operator
            if len(flat) > width:
                assert len(lines) > 1


def test_long_goal_in_the_view(loader):
    s = Session(loader=loader, width=60)
    out = run(s, "theorem long (a b c d : int) (h : a + b + c + d > 0) : a * b + b * c + c * d + d * a + a * c + b * d "
                 ">= 0 \\/ a + b + c + d <= 0 \\/ a * a + b * b + c * c + d * d > 1000")
    lines = out.splitlines()
    assert max(len(x) for x in lines) <= 60
    assert lines[-3:] == ["   ⊢ a * b + b * c + c * d + d * a + a * c + b * d ≥ 0 ∨",
                          "     a + b + c + d ≤ 0 ∨",
                          "     a * a + b * b + c * c + d * d > 1000"]


def test_hypotheses_keep_the_orientation_the_user_wrote(s):
    out = run(s, "theorem o (n m : int) (h : n >= 0) (k : m > n) (j : 0 < n) (l : n < m + 1) : m - n > 0 /\\ 5 <= m")
    assert out.splitlines()[2:] == ["  1. h : n ≥ 0", "  2. k : m > n", "  3. j : 0 < n", "  4. l : n < m + 1",
                                    "   ⊢ m - n > 0 ∧ 5 ≤ m"]
    out = run(s, "split")
    assert "~  ⊢ m - n > 0" in out and "goal 2: ⊢ 5 ≤ m" in out


def test_the_view_marks_added_removed_and_changed_hypotheses(s):
    run(s, "theorem d (x : int) (h : x > 0 /\\ x < 10) : x + x > x")
    out = run(s, "cases h with h1 h2")
    assert out.splitlines() == ["1 goal", "   x : int", "+ 1. h1 : x > 0", "+ 2. h2 : x < 10",
                                "-    h : x > 0 ∧ x < 10", "   ⊢ x + x > x"]
    out = run(s, "have h3 : x >= 1 := by linarith")
    assert "+ 3. h3 : x ≥ 1" in out and "  1. h1 : x > 0" in out
    out = run(s, "undo 5")
    assert out.startswith("undid only 2 steps: nothing more to undo\n1 goal")
    assert run(s, "undo") == "nothing to undo: this is the start of the proof of d"
    assert run(s, "redo 9").startswith("redid only 2 steps: nothing more to redo")
    assert run(s, "redo") == "nothing to redo: no step was undone since the last new one"


# -- failing steps, undo and redo ----------------------------------------------------------------

def test_failing_tactic_keeps_the_state_and_shows_the_goal(s):
    run(s, "theorem t (x : int) (h : x > 0) : x * x > 0")
    before = s.proof.current
    out = run(s, "linarith")
    assert "error: linarith failed" in out
    assert "the goal was:" in out
    assert "1. h : x > 0" in out and "⊢ x * x > 0" in out      # as the user wrote them
    assert "(the proof state is unchanged)" in out
    assert s.proof.current is before
    assert s.prompt() == "t (1 goal)> "


def test_unparsable_tactic_also_shows_the_goal(s):
    run(s, "theorem t (x : int) : x = x")
    out = run(s, "frobnicate x")
    assert "error: unknown tactic 'frobnicate'" in out
    assert "⊢ x = x" in out and "(the proof state is unchanged)" in out
    assert s.proof.current is s.proof.root


def test_failure_inside_a_combinator_shows_the_goal_it_failed_on(s):
    run(s, "theorem t (x : int) (h : x > 0) : x >= 0 /\\ x * x > 0", "split")
    out = run(s, "all_goals linarith")
    assert "⊢ x * x > 0" in out              # the second goal, where linarith failed
    assert len(s.proof.current.state.goals) == 2


def test_undo_redo_after_errors(s):
    run(s, "theorem t : forall x y : int, x < y -> x + 1 <= y /\\ x < y")
    run(s, "intro x y h")
    n1 = s.proof.current
    run(s, "split")
    n2 = s.proof.current
    run(s, "nonsense")                        # an error is not a step
    run(s, "exact h h h")
    assert s.proof.current is n2
    out = run(s, "undo")
    assert s.proof.current is n1
    assert out.startswith("1 goal") and "⊢ x + 1 ≤ y ∧ x < y" in out
    run(s, "redo")
    assert s.proof.current is n2
    run(s, "undo 2")
    assert s.proof.current is s.proof.root
    run(s, "undo")                            # nothing further back: stays at the start
    assert s.proof.current is s.proof.root
    run(s, "redo 5")                          # as far as there is
    assert s.proof.current is n2
    run(s, "undo")
    run(s, "exact h")                         # fails; the redo list survives an error
    run(s, "redo")
    assert s.proof.current is n2
    run(s, "undo")
    run(s, "split")                           # a new step (a new node) clears the redo list
    branch = s.proof.current
    assert branch is not n2
    run(s, "redo")
    assert s.proof.current is branch
    assert "error" in run(s, "undo x")
    assert len(n1.children) == 2              # the old branch is still in the tree


def test_restart_and_abort(s):
    run(s, "theorem t (x : int) : x + 0 = x", "ring")
    out = run(s, "restart")
    assert s.proof.current is s.proof.root and "⊢ x + 0 = x" in out
    out = run(s, "abort")
    assert out == "proof of t aborted"
    assert s.proof is None and s.prompt() == "quod> "
    assert "t" not in s.mod.env
    out = run(s, "theorem t (x : int) : x + 0 = x")        # the name is free again
    assert "⊢ x + 0 = x" in out


def test_repl_commands_outside_a_proof(s):
    for cmd in ("undo", "redo", "restart", "goals", "qed", "abort"):
        assert run(s, cmd).startswith(f"error: no open proof ({cmd} ")


def test_no_declarations_inside_a_proof(s):
    run(s, "theorem t (x : int) : x = x")
    assert "finish the open proof first" in run(s, "def f (a : int) : int := a")
    assert "finish the open proof first" in run(s, "theorem u : true")


# -- qed ---------------------------------------------------------------------------------------------

def test_qed_with_goals_left_is_refused(s):
    run(s, "theorem t (x : int) (h : x > 0) : x > 0 /\\ x >= 0", "split")
    out = run(s, "qed")
    assert out.startswith("error: the proof is not finished")
    assert "2 goals" in out and "1. h : x > 0" in out
    assert s.proof is not None and "t" not in s.mod.env


def test_qed_declares_the_theorem(s):
    run(s, "theorem t (x : int) (h : x > 0) : x >= 0", "linarith")
    assert run(s, "goals") == "no goals left; type qed"
    assert run(s, "qed") == "t proved; the kernel checked it"
    assert s.proof is None and "t" in s.mod.env
    assert "no axioms" in run(s, "print axioms t")
    run(s, "theorem u (y : int) (k : y > 0) : y >= 0", "exact t(y, k)")     # used by the next proof
    assert run(s, "qed") == "u proved; the kernel checked it"


def test_qed_reports_oracles_and_sorry(s):
    run(s, "theorem t (x : int) : x = x", "sorry")
    assert "(axioms: sorry)" in run(s, "qed")
    assert "sorry" in run(s, "print axioms t")


def test_qed_is_checked_by_the_kernel(s, monkeypatch):
    """qed hands the assembled proof term to the kernel; a wrong term is rejected, the proof stays open."""
    import tactics.state
    run(s, "theorem t (x : int) (h : x > 0) : x >= 0", "linarith")
    real = tactics.state.assemble

    def wrong(state):
        from kernel import P
        return P("hyp", "no_such_hypothesis")
    monkeypatch.setattr(tactics.state, "assemble", wrong)
    out = run(s, "qed")
    assert out.startswith("error: the kernel rejected the proof")
    assert s.proof is not None and "t" not in s.mod.env
    monkeypatch.setattr(tactics.state, "assemble", real)
    assert run(s, "qed") == "t proved; the kernel checked it"


# -- save ----------------------------------------------------------------------------------------------

def test_save_writes_a_file_quod_check_accepts(s, tmp_path):
    assert not s.dirty
    run(s, "import integers.order")
    assert s.dirty
    run(s, "def dbl (a : int) : int := a + a")
    run(s, "lemma dbl_pos (a : int) (h : a > 0) : dbl(a) > a := by\n  unfold dbl\n  linarith")
    run(s, "theorem two (x y : int) (h : x < y) : x + 1 <= y /\\ x < y -- a comment at the end")
    run(s, "split\n. linarith\n. assumption")
    run(s, "qed")
    run(s, "theorem lt3 : forall a b c : int, a < b -> b < c -> a < c")
    run(s, "intro a b c hab hbc")
    run(s, "exact lt_trans(a, b, c, hab, hbc)")
    assert "proved" in run(s, "qed")
    run(s, "theorem open_one (x : int) : x = x")        # still open: not saved
    path = tmp_path / "session.proof"
    out = run(s, f"save {path}")
    assert out == f"saved 5 declarations to {path} (the open proof of open_one is not included)"
    assert not s.dirty
    text = path.read_text(encoding="utf-8")
    assert "open_one" not in text
    res = quod_check(path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "3 theorems: 3 proved, 0 failed" in res.stdout


def test_save_errors(s, tmp_path):
    run(s, "def f (a : int) : int := a")
    assert run(s, "save") == "error: save needs a file name (save FILE)"
    out = run(s, f"save {tmp_path / 'no' / 'such' / 'dir.proof'}")
    assert out.startswith("error: cannot write")
    assert s.dirty


def test_save_does_not_overwrite_a_file_it_did_not_write(s, tmp_path):
    path = tmp_path / "theirs.proof"
    path.write_text("-- someone else's file\ntheorem keep : true := by trivial\n", encoding="utf-8")
    before = path.read_bytes()
    run(s, "def f (a : int) : int := a")
    out = run(s, f"save {path}")
    assert out == (f"error: {path} exists and this session did not write it: not overwritten "
                   f"(`save! {path}` overwrites it)")
    assert path.read_bytes() == before and s.dirty
    assert s.question == (f"{path} exists and this session did not write it; overwrite it? [y/N] ", f"save! {path}")
    assert run(s, f"save! {path}") == f"saved 1 declaration to {path}"
    assert "def f" in path.read_text() and not s.dirty
    run(s, "def g (a : int) : int := f(a)")
    assert run(s, "save") == f"saved 2 declarations to {path}"       # a bare save: the same file again
    path.write_text("edited elsewhere\n", encoding="utf-8")         # changed on disk since: not overwritten
    out = run(s, f"save {path}")
    assert "changed on disk since this session read or wrote it: not overwritten" in out
    assert path.read_text() == "edited elsewhere\n"


def test_save_writes_atomically_and_a_failed_write_changes_nothing(s, tmp_path, monkeypatch):
    import errno
    path = tmp_path / "mine.proof"
    run(s, "def f (a : int) : int := a")
    assert run(s, f"save {path}") == f"saved 1 declaration to {path}"
    good = path.read_bytes()
    run(s, "def g (a : int) : int := a")

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "fsync", full_disk)
    out = run(s, "save")
    assert out == f"error: cannot write {path}: No space left on device (nothing was changed on disk)"
    assert path.read_bytes() == good                      # the old file, intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.proof"]     # no temporary file left behind
    assert s.dirty
    monkeypatch.undo()
    assert run(s, "save") == f"saved 2 declarations to {path}"
    assert quod_check(path).returncode == 0


def test_save_keeps_the_mode_of_the_file_it_replaces(s, tmp_path):
    path = tmp_path / "m.proof"
    run(s, "def f (a : int) : int := a", f"save {path}")
    path.chmod(0o640)
    run(s, "def g (a : int) : int := a", "save")
    assert path.stat().st_mode & 0o777 == 0o640


def test_save_of_a_walked_file_keeps_the_whole_file(s, tmp_path, monkeypatch):
    """The issue's report: a 57-line file became 3 lines. Saving writes the file back whole, with what
    the session added, and the result checks by itself."""
    path = tmp_path / "seed.proof"
    monkeypatch.chdir(tmp_path)         # shown relative to the working directory
    source = (ROOT / "proofs" / "seed.proof").read_text(encoding="utf-8")
    shutil.copytree(ROOT / "proofs" / "examples", tmp_path / "examples")     # its program sources
    path.write_text(source, encoding="utf-8")
    s.load_file(str(path))
    run(s, "theorem extra (x : int) (h : x > 0) : x >= 1", "linarith", "qed")
    out = run(s, f"save {path}")
    assert out.startswith("saved seed.proof (60 lines)\n10 theorems: 9 proved, 1 don't know")
    text = path.read_text(encoding="utf-8")
    assert text.startswith(source.rstrip("\n")) and text.rstrip().endswith("linarith")
    res = quod_check(path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert " extra " in res.stdout


def test_failed_declarations_are_not_saved(s, tmp_path):
    out = run(s, "lemma bad (a : int) : a < a := by\n  linarith")
    assert "error: linarith failed" in out
    run(s, "lemma good (a : int) : a <= a := by\n  linarith")
    path = tmp_path / "out.proof"
    run(s, f"save {path}")
    assert "bad" not in path.read_text() and "good" in path.read_text()
    assert quod_check(path).returncode == 0


# -- help, commands, definitions ----------------------------------------------------------------------

def test_help_topics(s):
    out = run(s, "help")
    assert "undo [N]" in out and "goto LINE|NAME" in out and "save! FILE" in out
    assert "induction" in run(s, "help tactics")
    assert "qed" in run(s, "help proof")
    assert "goto LINE" in run(s, "help edit") and run(s, "help walk") == run(s, "help edit")
    assert "+ added, - removed" in run(s, "help view")
    assert "atomic" in run(s, "help save") and "save! FILE" in run(s, "help save")
    assert run(s, "help nothing").startswith("no help on 'nothing'")
    assert "did you mean linarith, nlinarith" in run(s, "help linarth") or "did you mean" in run(s, "help lin")
    run(s, "theorem t (x : int) : x = x")
    assert "induction" in run(s, "help tactics")      # inside a proof as well


def test_help_lists_every_tactic_and_command_with_an_example(s):
    """The issue: vcgen, termination, recurrent, invariant, specialize, constructor, trivial, reflexivity were
    missing. Every tactic of the grammar and every REPL command has an entry with an example."""
    from quod.session import REPL_COMMANDS
    from tactics.parser import tactic_names
    overview = run(s, "help tactics")
    for name in tactic_names() + ["try", "repeat", "first", "all_goals"]:
        assert f" {name}" in overview, name
        out = run(s, f"help {name}")
        assert out.startswith(f"{name}: ") and "\n  example:\n    " in out, name
    commands = run(s, "help commands")
    for name in REPL_COMMANDS + ["theorem", "lemma", "def", "axiom", "import", "program", "eval", "check", "search"]:
        assert name in commands, name
        assert "\n  example:\n    " in run(s, f"help {name}"), name
    assert "vcgen; smt" in run(s, "help vcgen")
    assert "termination with decreasing x, y" in run(s, "help termination")
    assert "print axioms add_comm" in run(s, "help print axioms")


@pytest.mark.parametrize("inputs, expected", [
    (["theorem t (a b : int) : max a b >= a"], "hint: functions take their arguments in parentheses, with commas: "
                                                "max(a, b), not `max a b`"),
    (["theorem t (a : int) : a = a", "exact rfl"], "hint: Lean's `rfl` is `reflexivity` here"),
    (["theorem t (a : int) : a = a", "rfl"], "hint: Lean's `rfl` is `reflexivity` here"),
    (["theorem t (a : int) (h : a > 0) : a >= 0", "omega"], "hint: for linear arithmetic use `linarith`"),
    (["theorem t (a : int) (h : a > 0) : a >= 0", "auto"], "hint: automation here is `smt` and `hammer`"),
    (["theorem t (a : int) (h : a > 0 /\\ a < 5) : a >= 0", "destruct h"], "cases h with a b"),
    (["def sum_to (n : int) : int := if n <= 0 then 0 else n + sum_to(n - 1)"],
     "hint: a recursive definition needs `decreasing MEASURE` after its body"),
    (["program f(x : int) -> int { return x + 1; }", "def w (x : int) : int := f(x) - x"],
     "hint: f is a program, not a function of the logic"),
])
def test_hints_for_what_newcomers_type(s, inputs, expected):
    out = run(s, *inputs)
    assert "error" in out and expected in out


def test_no_hint_where_none_is_due(s):
    assert "hint" not in run(s, "def f (n : int) : int := g(n)")       # not recursive: just unknown
    run(s, "theorem t (a : int) : a = a")
    assert "hint" not in run(s, "linarith [nope]")


def test_eval_check_search_print_axioms(s):
    assert run(s, "eval 2 + 3 * 4") == "14"
    assert run(s, "eval -7 / 2") == "-4"                   # floor division
    assert run(s, "eval 7 % 0") == "7"
    assert run(s, "eval gcd(12, 18)") == "6"
    assert run(s, "check 1 + 2") == "1 + 2 : int"
    assert "unknown name 'x'" in run(s, "check x + 1")
    run(s, "import integers.basics")
    out = run(s, "search _ + _ = _ + _")
    assert "add_comm : forall x y : int, x + y = y + x" in out
    assert "no axioms" in run(s, "print axioms add_comm")
    assert "no theorem named nope" in run(s, "print axioms nope")


def test_commands_work_inside_a_proof(s):
    run(s, "import integers.basics")
    run(s, "theorem t (x : int) : x = x")
    state = s.proof.current
    assert run(s, "eval 6 * 7") == "42"
    assert "add_comm" in run(s, "search _ + _ = _ + _")
    assert "no axioms" in run(s, "print axioms add_comm")
    assert run(s, "check 1 + 1") == "1 + 1 : int"
    assert s.proof.current is state


def test_def_then_use(s):
    assert run(s, "def sq (a : int) : int := a * a") == "defined sq"
    assert run(s, "eval sq(7)") == "49"
    run(s, "def down (n : int) : int := if n <= 0 then 0 else down(n - 1)\n  decreasing n")
    assert run(s, "eval down(5)") == "0"
    out = run(s, "theorem sq_nonneg (a : int) : sq(a) >= 0")
    assert "⊢ sq(a) ≥ 0" in out
    out = run(s, "unfold sq")
    assert "~  ⊢ a * a ≥ 0" in out
    run(s, "smt")
    assert run(s, "qed").startswith("sq_nonneg proved; the kernel checked it")
    assert "sq_nonneg" in s.mod.env


def test_several_declarations_in_one_input_are_saved_once(s, tmp_path):
    out = run(s, "def a1 (x : int) : int := x\ndef a2 (x : int) : int := a1(x)\nlemma l1 (x : int) : a2(x) = x := by\n"
                 "  unfold a2\n  unfold a1\n  reflexivity")
    assert out.splitlines() == ["defined a1", "defined a2", "l1: proved"]
    path = tmp_path / "multi.proof"
    assert run(s, f"save {path}") == f"saved 3 declarations to {path}"
    assert path.read_text().count("def a1") == 1
    assert quod_check(path).returncode == 0


def test_an_error_in_one_item_does_not_hide_the_rest(s):
    out = run(s, "def b1 (x : int) : int := nope(x)\ndef b2 (x : int) : int := x")
    assert "unknown function or predicate 'nope'" in out and "defined b2" in out
    assert "b2" in s.mod.env and "b1" not in s.mod.env


PROGRAMS = [
    "program g2(x : int, y : int) {",
    "  while (x > y) { x = x - y; }",
    "}",
    "program g from c \"\"\"",
    "void g(int x, int y) {",
    "",
    "   if (y > 0)",
    "      while (x > y)",
    "         x = x - y;",
    "}",
    "\"\"\"",
    "theorem g_term : terminates g := by termination",
    "",
    "theorem g2_diverges : diverges g2 from (x = 5 and y = 0)",
    "recurrent (x > y and y <= 0)",
    "smt",
    "qed",
]


def test_programs_in_the_repl(s, tmp_path):
    path = tmp_path / "progs.proof"
    out = plain_run(s, "\n".join(PROGRAMS + [f"save {path}", ""]))
    assert "program g2 declared" in out and "program g declared" in out
    assert "g_term: proved" in out
    assert "⊢ diverges while (y < x)" in out
    assert "g2_diverges proved; the kernel checked it" in out
    assert "error" not in out
    res = quod_check(path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "2 theorems: 2 proved" in res.stdout


def test_file_style_theorem_pasted_line_by_line(s):
    for line in ["theorem w (a : int) : a + 0 = a", "proof", "  ring", "qed"]:
        out = run(s, line)
    assert out == "w proved; the kernel checked it"


def test_needs_more(s):
    assert s.needs_more("lemma l (a : int) : a = a := by")
    assert s.needs_more("theorem t : true")  is False
    assert s.needs_more("def f (a : int) : int :=")
    assert s.needs_more("have h : 1 = 1 := by")
    assert not s.needs_more("undo")
    assert not s.needs_more("intro x")
    run(s, "theorem t : true")
    assert not s.needs_more("proof")


def test_quit_raises_eof(s):
    with pytest.raises(EOFError):
        s.handle("quit")


# -- walking a file ----------------------------------------------------------------------------------

WALK = """\
def dbl (a : int) : int := a + a

theorem t1 : forall x : int, x > 0 -> dbl(x) > x
proof
  intro x hx
  unfold dbl
  linarith
qed

lemma t2 (a b : int) : a + b = b + a /\\ a * b = b * a := by
  split
  . ring
  . ring
"""


def open_file(s: Session, tmp_path: Path, text: str, name: str = "walk.proof") -> tuple[Path, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path, s.load_file(str(path))


def test_walking_a_file(s, tmp_path):
    assert run(s, "next").startswith("error: no file open")
    path, out = open_file(s, tmp_path, WALK)
    assert out.splitlines()[:2] == ["t1: proved", "t2: proved"]
    assert "opened" in out and "2 theorems (2 proved)" in out
    assert s.prompt() == "walk.proof> "
    out = run(s, "next")                        # the start of the first proof
    assert out.splitlines() == ["t1 (line 3), start of the proof", "1 goal", "   ⊢ ∀ x : int, x > 0 → dbl(x) > x"]
    assert s.prompt() == "t1:3 (1 goal)> "
    out = run(s, "next")                        # its first step, and what it changed
    assert out.splitlines() == [
        "t1, step 1/3, line 5: intro x hx",
        "1 goal",
        "+  x : int",
        "+ 1. hx : x > 0",
        "~  ⊢ dbl(x) > x",
        "    was: ∀ x : int, x > 0 → dbl(x) > x",
    ]
    out = run(s, "next")
    assert "step 2/3, line 6: unfold dbl" in out and "~  ⊢ x + x > x" in out
    assert "step 1/3" in run(s, "prev")
    assert "start of the proof" in run(s, "prev")
    assert "at the start of the file's proofs" in run(s, "prev")
    out = run(s, "goto 11")
    assert out.startswith("t2, step 1/3, line 11: split\n2 goals (was 1)")
    assert "goal 2: ⊢ a * b = b * a" in out
    out = run(s, "next")                        # inside a bullet: its goal, and the ones after it
    assert out.splitlines() == ["t2, step 2/3, line 12: ring", "no goals (was 1)", "(1 more goal after this bullet)"]
    assert "step 3/3" in run(s, "next")
    assert "at the end of the file's proofs" in run(s, "next")
    assert run(s, "goto 100") == "error: line 100 is not in the file (it has 14 lines)"
    assert run(s, "goto nothing") == "error: no declaration named nothing in walk.proof"
    assert run(s, "goto t1").startswith("t1 (line 3), start of the proof")
    assert run(s, "goto 2") == "after def dbl (line 1)"      # between declarations
    assert s.prompt() == "walk.proof:1> "
    assert "not in a proof" in run(s, "ring")
    # what is above the point is in scope
    assert run(s, "eval dbl(4)") == "8"
    run(s, "goto 12")
    assert "no axioms" in run(s, "print axioms t1")
    assert not s.dirty and path.read_text() == WALK


def test_walking_a_file_with_errors(s, tmp_path):
    path, out = open_file(s, tmp_path, "theorem t (x : int) : x = x + 1 := by\n  ring\n\ntheorem u : true := by\n"
                                       "  trivial\n  skip\n")
    assert "walk.proof:2:3: error: ring: " in out and "t: failed" in out and "u: proved" in out
    out = run(s, "next", "next")
    assert out.startswith("t, step 1/1, line 2: ring\nerror: ring: ")
    assert "the goal was:" in out and "⊢ x = x + 1" in out
    assert "start of the proof" in run(s, "next")
    assert "step 1/2" in run(s, "next")


def test_walking_a_file_with_programs(s, tmp_path):
    path, out = open_file(s, tmp_path, "\n".join(PROGRAMS[:3]) + "\n\ntheorem d : diverges g2 from (x = 5 and y = 0)"
                                       " := by\n  recurrent (x > y and y <= 0)\n  smt\n")
    assert "d: proved" in out
    out = run(s, "goto 6")
    assert "d, step 1/2, line 6" in out and "error" not in out and "⊢ " in out


# -- the proof editor: edit a file at the point, write it back -----------------------------------------

MIDDLE = """\
import integers.order

-- a comment that stays
def dbl (a : int) : int := a + a

theorem first : forall x : int, x > 0 -> dbl(x) > x
proof
  intro x hx
  unfold dbl
  linarith
qed

theorem middle (a b : int) (h : a < b) : a + 1 <= b /\\ dbl(a) < dbl(b) := by
  split
  . linarith
  . unfold dbl
    ring

lemma last (a : int) : a + 0 = a := by
  ring
"""


def test_go_to_a_theorem_in_the_middle_change_a_step_finish_and_write_back(s, tmp_path):
    """The issue's "done when": open a file, go to a theorem in the middle, change a step, finish the proof,
    write the file back; everything else in the file is kept, and it checks."""
    path, out = open_file(s, tmp_path, MIDDLE, "middle.proof")
    assert "middle: failed" in out and "middle.proof:17:5: error: ring" in out
    out = run(s, "goto 17")                     # the failing step
    assert out.startswith("middle, step 4/4, line 17: ring\nerror: ring")
    assert "the goal was:" in out and "⊢ a + a < b + b" in out
    out = run(s, "smt")                         # typed at a failed step: it replaces it
    assert out.splitlines()[0] == "replaced line 17 `ring` with `smt`; it replaces the step that failed there"
    assert "middle, step 4/4, line 17: smt" in out and "no goals (was 1)" in out
    assert out.splitlines()[-1] == "middle: proved"
    assert s.dirty
    out = run(s, "save")
    assert out.startswith("saved ") and "middle.proof (20 lines)\n3 theorems: 3 proved" in out
    assert path.read_text() == MIDDLE.replace("    ring\n\nlemma", "    smt\n\nlemma")
    res = quod_check(path)
    assert res.returncode == 0, res.stdout + res.stderr


def test_a_tactic_typed_at_a_step_continues_the_proof_from_there(s, tmp_path):
    """After goto, a tactic is a step of that proof (not "a new declaration"), inserted after the step at
    the point; what it does to the rest of the proof is said."""
    path, _ = open_file(s, tmp_path, MIDDLE, "middle.proof")
    run(s, "goto 9")                            # first: after `unfold dbl`
    out = run(s, "smt")
    assert out.splitlines()[0] == "inserted `smt` at line 10"
    assert "first, step 3/4, line 10: smt" in out
    assert out.splitlines()[-1] == "first: failed; the proof stops at line 11: no goals left for 'linarith'"
    assert s.editor.lines[7:11] == ["  intro x hx", "  unfold dbl", "  smt", "  linarith"]
    out = run(s, "next")
    assert out.startswith("first, step 4/4, line 11: linarith\nerror: no goals left for 'linarith'")
    out = run(s, "delete")
    assert out.splitlines()[0] == "deleted `linarith` (line 11)"
    assert out.splitlines()[-1] == "first: proved"
    assert s.editor.lines[7:11] == ["  intro x hx", "  unfold dbl", "  smt", "qed"]
    assert s.prompt() == "first:10 (0 goals)> "


def test_a_step_that_fails_is_not_written(s, tmp_path):
    path, _ = open_file(s, tmp_path, MIDDLE, "middle.proof")
    run(s, "goto 8")
    before = list(s.editor.lines)
    out = run(s, "ring")
    assert out.startswith("error: ring proves equations") and out.endswith("(the file is unchanged)")
    assert "⊢ dbl(x) > x" in out
    out = run(s, "frobnicate")
    assert "unknown tactic 'frobnicate'" in out and out.endswith("(the file is unchanged)")
    assert s.editor.lines == before and not s.dirty
    assert "nothing to undo" in run(s, "undo")


def test_steps_in_bullets_and_on_one_line(s, tmp_path):
    text = ("theorem b (a c : int) : a + c = c + a /\\ a * c = c * a := by\n  split\n  . ring\n  . ring\n\n"
            "theorem inl (x : int) (h : x >= 0) : x + 1 > 0 := by skip; linarith\n")
    path, _ = open_file(s, tmp_path, text)
    run(s, "goto 3")                            # in the first bullet, after its ring
    assert "(1 more goal after this bullet)" in run(s, "skip")
    assert s.editor.lines[2:4] == ["  . ring", "    skip"]    # inside the bullet
    run(s, "goto 7")                            # the line `by skip; linarith`: after linarith
    run(s, "skip")
    assert s.editor.lines[6] == "theorem inl (x : int) (h : x >= 0) : x + 1 > 0 := by skip; linarith; skip"
    run(s, "prev", "prev")                      # after the first skip
    assert "step 1/3" in run(s, "goals")
    assert "replaced line 7 `skip` with `try ring`" in run(s, "replace try ring")
    assert s.editor.lines[6] == "theorem inl (x : int) (h : x >= 0) : x + 1 > 0 := by try ring; linarith; skip"
    run(s, "delete")                            # the first of the line: the point goes to the start
    assert s.editor.lines[6] == "theorem inl (x : int) (h : x >= 0) : x + 1 > 0 := by linarith; skip"
    run(s, "goto 7", "delete")
    assert s.editor.lines[6] == "theorem inl (x : int) (h : x >= 0) : x + 1 > 0 := by linarith"
    assert "`replace` it instead" in run(s, "delete")
    run(s, "save")
    res = quod_check(path)
    assert res.returncode == 0, res.stdout + res.stderr


BULLETS = """\
theorem b (a c : int) (h : a > 0) : a + c = c + a /\\ (a * c = c * a /\\ a >= 0) := by
  split
  . ring
  . split
    . ring
    . have h2 : a >= 1 := by
        linarith
      linarith

theorem inl (x : int) (h : x >= 0) : x + 1 > 0 := by skip; linarith

theorem qed_style : forall x : int, x = x
proof
  intro x; reflexivity
qed
"""


@pytest.mark.parametrize("text", [WALK, MIDDLE, BULLETS])
def test_a_step_inserted_anywhere_lands_where_the_point_is(s, tmp_path, text):
    """`skip` after every step of every proof (and at every start): it is written where the point was, the
    point moves onto it, and no theorem's result changes."""
    path, _ = open_file(s, tmp_path, text)
    before = [(o.result.name, o.result.status) for o in s.editor.run().outcomes if o.result]
    positions = s.editor.positions()
    assert positions
    for point in positions:
        s.editor.point = point
        info = s.editor.at(point)
        if info["not_run"] or info["error"]:
            continue
        out = run(s, "skip")
        assert out.startswith("inserted `skip` at line"), (point, out)
        new = s.editor.point
        assert s.editor.step_text(s.editor.decls()[new.decl], s.editor.at(new)["step"]) == "skip"
        assert [(o.result.name, o.result.status) for o in s.editor.run().outcomes if o.result] == before, point
        run(s, "undo")
        assert s.editor.text() == text


def test_a_block_typed_at_the_point_is_indented_under_it(s, tmp_path):
    path, _ = open_file(s, tmp_path, WALK)
    run(s, "goto 5")
    out = plain_run(s, "have h2 : x + x > x := by\n  linarith\n\n")       # a block, as read line by line
    assert out.startswith("inserted `have h2 : x + x > x := by ...` at line 6")
    assert "+ 2. h2 : x + x > x" in out and "t1: proved" in out
    assert s.editor.lines[4:8] == ["  intro x hx", "  have h2 : x + x > x := by", "    linarith", "  unfold dbl"]


def test_edits_are_undone_and_redone(s, tmp_path):
    path, _ = open_file(s, tmp_path, WALK)
    run(s, "goto 6", "skip", "skip")
    assert s.editor.lines[5:8] == ["  unfold dbl", "  skip", "  skip"]
    out = run(s, "undo")
    assert out.startswith("undone: inserted `skip` at line 8")
    out = run(s, "undo 5")
    assert out.startswith("undone: inserted `skip` at line 7 (only 1: nothing more to undo)")
    assert s.editor.lines == WALK.split("\n")
    assert run(s, "undo") == "nothing to undo: no edit of the file in this session"
    assert run(s, "redo 2").startswith("redone: inserted `skip` at line 7; inserted `skip` at line 8")
    assert s.editor.lines[6:8] == ["  skip", "  skip"]
    assert run(s, "redo").startswith("nothing to redo")


def test_declarations_typed_in_a_file_go_after_the_point(s, tmp_path):
    path, _ = open_file(s, tmp_path, WALK)
    run(s, "goto 1")                            # after def dbl
    assert run(s, "def tpl (a : int) : int := a + a + a") == "defined tpl"
    assert s.editor.lines[:4] == ["def dbl (a : int) : int := a + a", "", "def tpl (a : int) : int := a + a + a", ""]
    out = run(s, "lemma nope (a : int) : tpl(a) = dbl(a) := by\n  unfold tpl dbl\n  ring")
    assert "error: ring" in out and "nope" not in s.editor.text()
    run(s, "goto 3")
    out = run(s, "theorem tri (a : int) (h : a > 0) : tpl(a) > dbl(a)")   # a new proof, as without a file
    assert out.splitlines()[-1] == "   ⊢ tpl(a) > dbl(a)"
    run(s, "unfold tpl", "unfold dbl", "linarith")
    assert run(s, "qed") == "tri proved; the kernel checked it"
    text = s.editor.text()
    assert text.index("def tpl") < text.index("theorem tri") < text.index("theorem t1")
    assert s.prompt() == "walk.proof:8> "
    out = run(s, "save")
    assert "3 theorems: 3 proved" in out
    assert quod_check(path).returncode == 0


def test_what_is_below_the_point_is_not_in_scope_and_the_error_says_so(s, tmp_path):
    path, _ = open_file(s, tmp_path, WALK)
    run(s, "goto 1")
    out = run(s, "eval t1")
    assert "hint: t1 is declared below the point (line 3); the point sees only what is above it" in out


def test_editing_a_file_that_changed_on_disk_asks_before_saving(s, tmp_path):
    path, _ = open_file(s, tmp_path, WALK)
    run(s, "goto 6", "skip")
    path.write_text(WALK + "\n-- edited elsewhere\n", encoding="utf-8")
    out = run(s, "save")
    assert "changed on disk since this session read or wrote it: not overwritten" in out
    assert path.read_text().endswith("-- edited elsewhere\n")
    assert run(s, f"save! {path}").startswith("saved")
    assert "  skip" in path.read_text()


def test_a_cancelled_edit_changes_nothing(s, tmp_path):
    path, _ = open_file(s, tmp_path, WALK)
    run(s, "goto 6")
    before = list(s.editor.lines)
    s.cancel.set()                              # as if Ctrl-C came while the edit was checked
    assert s.handle("skip") == INTERRUPTED
    s.cancel.clear()
    assert s.editor.lines == before and not s.dirty
    assert "inserted `skip`" in run(s, "skip")


def test_a_new_file_is_created_by_save(s, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "new.proof"
    assert s.load_file(str(path)) == "new file new.proof: declarations you enter go into it, and save writes it"
    run(s, "import integers.order", "def f (a : int) : int := a")
    run(s, "theorem t (x : int) : f(x) >= x", "unfold f", "linarith", "qed")
    out = run(s, "save")
    assert out == "saved new.proof (7 lines)\n1 theorem: 1 proved"
    assert path.read_text() == ("import integers.order\n\ndef f (a : int) : int := a\n\ntheorem t (x : int) : "
                                "f(x) >= x := by\n  unfold f\n  linarith\n")
    assert quod_check(path).returncode == 0


def test_a_file_with_crlf_line_ends_keeps_them(s, tmp_path):
    path = tmp_path / "crlf.proof"
    path.write_bytes(WALK.replace("\n", "\r\n").encode())
    s.load_file(str(path))
    run(s, "goto 6", "skip", "save")
    data = path.read_bytes()
    assert b"  skip\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


# -- no input raises ------------------------------------------------------------------------------

MALFORMED = [
    "", "   ", "\t", "\x00", "\x1b[A", "∀∀∀", "⊢", ")))", "(((", "theorem", "theorem t", "theorem t :",
    "theorem t : 1 +", "theorem (", "lemma l : true := by", "def", "def f", "def f (", "def f (x : int) : int :=",
    "import", "import .", "import ../../etc/passwd", "import nope.nope", "axiom", "print", "print axioms",
    "check", "eval", "eval 1 / 0", "eval " + "(" * 2000 + "1" + ")" * 2000, "search", "search (",
    "undo", "redo", "undo -1", "redo 99999999999999999999", "goto", "goto -3", "next", "prev", "save",
    "help help help", "qed qed", "abort now", "-- just a comment", "/- unclosed comment", "\"str\"",
    "theorem t : " + "not " * 3000 + "true", "eval " + "1 + " * 3000 + "1",
]
INSIDE = [
    "intro", "intro x x x", "apply", "apply nope", "exact", "exact (", "cases", "cases nope", "induction",
    "induction x from", "rewrite", "rewrite [", "rewrite [h] at", "unfold", "unfold nope", "have", "have h :",
    "have h : 1 = 1 := by", "show", "show 1", "calc", "exists", "exists (", "split; split; split",
    "first |", "repeat", "try", "all_goals", ".", ". ", "{", "}", "{ }", "t <;>", "smt [", "smt [nope]",
    "smt (timeout := 1)", "smt (rlimit := -1)", "smt (nope := 3)", "smt (timeout := abc)", "hammer",
    "simp at", "specialize", "norm_num", "ring", "linarith", "contradiction", "exfalso", "by_contra",
    "intro " * 2000, "(" * 3000 + "skip" + ")" * 3000, "proof", "qed", "goals", "restart",
]


def test_malformed_inputs_never_raise(s):
    for text in MALFORMED:
        assert isinstance(s.handle(text), str), text
    s.handle("abort")
    s.handle("theorem t (x y : int) (h : x < y) : x + 1 <= y /\\ y > x")
    for text in INSIDE:
        assert isinstance(s.handle(text), str), text
        if s.proof is None:
            s.handle("theorem t2 (x y : int) (h : x < y) : x + 1 <= y /\\ y > x")
    for text in MALFORMED:
        assert isinstance(s.handle(text), str), text


def test_a_bug_in_a_tactic_does_not_end_the_session(s, monkeypatch):
    import tactics.engine

    def broken(eng, goal, tac):
        raise ValueError("a bug")
    monkeypatch.setitem(tactics.engine.TACTICS, "ring", broken)
    run(s, "theorem t (x : int) : x + 0 = x")
    out = run(s, "ring")
    assert out.startswith("internal error: ValueError: a bug")
    assert s.proof.current is s.proof.root
    out = plain_run(s, "ring\nsimp\nqed\n")
    assert "internal error" in out and "t proved" in out


def test_random_token_soup_never_raises(s):
    tokens = ["theorem", "lemma", "def", "t", "x", "y", "h", ":", ":=", "by", "int", "(", ")", "[", "]", "forall",
              "exists", ",", "->", "/\\", "\\/", "not", "=", "<", "<=", "+", "*", "-", "/", "%", "|", "0", "1",
              "intro", "split", "cases", "apply", "exact", "rewrite", "smt", "undo", "redo", "qed", ".", ";",
              "<;>", "\n", "\n  ", "if", "then", "else", "calc", "_", "abs", "gcd", "even", "proof", "abort",
              "eval", "check", "search", "print", "axioms", "goals", "restart"]
    rng = random.Random(1234)
    s.handle("theorem t (x y : int) (h : x < y) : x + 1 <= y")
    for _ in range(400):
        text = " ".join(rng.choice(tokens) for _ in range(rng.randint(1, 12)))
        if text.split()[0] in ("quit", "exit", "save"):
            continue
        assert isinstance(s.handle(text), str), text


# -- plain (non-terminal) mode ---------------------------------------------------------------------------

def plain_run(session: Session, script: str) -> str:
    out = io.StringIO()
    assert plain(session, io.StringIO(textwrap.dedent(script)), out) == 0
    return out.getvalue()


def test_plain_mode_in_process(s, tmp_path):
    path = tmp_path / "p.proof"
    out = plain_run(s, f"""\
        theorem t (x y : int) (h : x < y) : x + 1 <= y /\\ x < y
        split
        exact h
        linarith
        undo
        linarith
        assumption
        qed
        lemma l (a : int) : a + 0 = a := by
          ring

        save {path}
        """)
    assert "2 goals" in out and "goal 2: ⊢ x < y" in out
    assert "error: 0 < 1 + y - x does not match" in out or "does not match" in out
    assert "t proved; the kernel checked it" in out
    assert "l: proved" in out
    assert f"saved 2 declarations to {path}" in out
    assert quod_check(path).returncode == 0


def test_plain_mode_reads_blocks(s):
    out = plain_run(s, """\
        lemma l (a : int) : a * 1 = a := by
          ring
        def f (a : int) : int := a
        """)                               # a block runs to a blank line or the end
    assert "l: proved" in out and "defined f" in out


def test_read_block_stops_at_qed():
    lines = iter(["  intro a", "  ring", "qed", "never read"])
    sess = Session.__new__(Session)
    sess.proof = None
    text = read_block("theorem t : forall a : int, a * 1 = a proof", lambda: next(lines), sess)
    assert text.endswith("qed") and next(lines) == "never read"


def quod_repl(stdin: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, XDG_DATA_HOME=os.environ["XDG_DATA_HOME"])
    return subprocess.run([sys.executable, "-m", "quod.cli", "repl", *args], input=stdin, capture_output=True,
                          text=True, timeout=60, cwd=ROOT, env=env)


def test_plain_mode_subprocess(tmp_path):
    path = tmp_path / "piped.proof"
    res = quod_repl(textwrap.dedent(f"""\
        theorem t2 : forall x y : int, x < y -> x + 1 <= y /\\ y > x
        intro x y h
        split
        foo
        linarith
        undo
        qed
        linarith
        linarith
        qed
        save {path}
        """))
    assert res.returncode == 0 and res.stderr == ""
    out = res.stdout
    assert "+ 1. h : x < y" in out
    assert "error: unknown tactic 'foo'" in out and "(the proof state is unchanged)" in out
    assert "error: the proof is not finished" in out
    assert "t2 proved; the kernel checked it" in out
    assert quod_check(path).returncode == 0


def test_plain_mode_ascii_subprocess():
    res = quod_repl("theorem t (a : int) (h : a >= 0) : a + 1 > 0\nlinarith\nqed\n", "--ascii")
    assert res.returncode == 0
    assert "1. h : a >= 0" in res.stdout and "|- a + 1 > 0" in res.stdout
    assert "⊢" not in res.stdout and "≤" not in res.stdout


def test_plain_mode_file_argument(tmp_path):
    path = tmp_path / "walk.proof"
    path.write_text(WALK, encoding="utf-8")
    res = quod_repl("next\nnext\nprev\ngoto 12\nsave\n", str(path))
    assert res.returncode == 0, res.stderr
    assert "opened" in res.stdout and "t2, step 2/3, line 12: ring" in res.stdout
    assert path.read_text() == WALK


def test_plain_mode_garbage_never_tracebacks(tmp_path):
    rng = random.Random(7)
    junk = "".join(rng.choice("()[]{}:=<>-|\\/.;,'\"`~!@#$%^&* abcxyz0123456789\n∀⊢\x00\x1b") for _ in range(4000))
    script = "theorem t (x : int) : x = x\n" + junk + "\n" + "\n".join(MALFORMED[:40]) + "\n"
    res = quod_repl(script)
    assert res.returncode == 0
    assert "Traceback" not in res.stdout + res.stderr
    bad = subprocess.run([sys.executable, "-m", "quod.cli", "repl"], input=b"\xff\xfe\x00theorem\n",
                         capture_output=True, timeout=60, cwd=ROOT)
    assert b"Traceback" not in bad.stdout + bad.stderr


# -- Ctrl-C while a step runs (in-process: SIGINT to ourselves while run_interruptible waits) -----------

def interrupt_after(delay: float, session: Session, text: str) -> tuple[str, float]:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("needs the main thread for SIGINT")
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(delay, os.kill, (os.getpid(), signal.SIGINT))
    t0 = time.perf_counter()
    try:
        timer.start()
        out = run_interruptible(session, text)
        return out, time.perf_counter() - t0
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, old)


def test_ctrl_c_cancels_a_long_smt_step(s):
    run(s, SLOW_THEOREM)
    state = s.proof.current
    out, _ = interrupt_after(0.7, s, SLOW_SMT)
    assert out == INTERRUPTED          # z3 was stopped: its own timeout would have said don't know
    assert s.proof.current is state
    assert "⊢ x * x * x + y * y * y ≠ z * z * z" in run_interruptible(s, "goals")
    # the session works afterwards, and the flag does not leak into the next step
    assert "* 1. hx : 0 < x" not in run_interruptible(s, "intro")
    assert run_interruptible(s, "sorry") == "no goals left; type qed"


def test_ctrl_c_cancels_the_whole_input_not_one_z3_call(s):
    """With z3's own SIGINT handler, Ctrl-C would cancel only the smt call and `first` would go on to sorry."""
    run(s, SLOW_THEOREM)
    state = s.proof.current
    out, _ = interrupt_after(0.7, s, f"first | {SLOW_SMT} | sorry")
    assert out == INTERRUPTED
    assert s.proof.current is state


def test_ctrl_c_stops_a_step_busy_in_python(s, monkeypatch):
    """Not z3: a tactic looping in Python code is stopped by an exception raised in the worker."""
    import tactics.engine

    def slow(eng, goal, tac):
        end = time.monotonic() + 30
        while time.monotonic() < end:
            pass
        return [], None
    monkeypatch.setitem(tactics.engine.TACTICS, "linarith", slow)
    run(s, "theorem t (x : int) : x = x")
    out, _ = interrupt_after(0.3, s, "linarith")
    assert out == INTERRUPTED          # the loop was stopped: it would have returned after 30 s otherwise
    assert s.proof.current is s.proof.root
    assert run_interruptible(s, "reflexivity") == "no goals left; type qed"


def test_cancelled_step_is_not_kept(s):
    run(s, "theorem t (x : int) : x = x")
    s.cancel.set()                         # as if Ctrl-C came while the step ran
    assert s.handle("reflexivity") == INTERRUPTED
    assert s.proof.current is s.proof.root
    out = run_interruptible(s, "reflexivity")      # a new step clears the flag
    assert out == "no goals left; type qed"


def test_run_interruptible_reports_unexpected_exceptions(s, monkeypatch):
    def boom(text):
        raise ValueError("boom")
    monkeypatch.setattr(s, "handle", boom)
    assert run_interruptible(s, "anything") == "error: ValueError: boom"


# -- the prompt-toolkit front end, fed through a pipe --------------------------------------------------

def drive(session: Session, keys: str, capsys) -> tuple[int, str]:
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput
    with create_pipe_input() as inp:
        inp.send_text(keys)
        inp.close()         # then end of input: the front end leaves even if a test's keys fall short
        with create_app_session(input=inp, output=DummyOutput()):
            rc = interactive(session)
    return rc, capsys.readouterr().out


def test_interactive_proof_undo_qed_save(s, tmp_path, capsys):
    path = tmp_path / "pt.proof"
    rc, out = drive(s, "".join(line + "\r" for line in [
        "theorem t (x y : int) (h : x < y) : x + 1 <= y /\\ x < y",
        "split",
        "exact h",
        "linarith",
        "undo",
        "linarith",
        "assumption",
        "qed",
        f"save {path}",
        "quit",
    ]), capsys)
    assert rc == 0
    assert out.startswith("Quod REPL.")
    assert "  1. h : x < y" in out and "   ⊢ x + 1 ≤ y ∧ x < y" in out
    assert "goal 2: ⊢ x < y" in out
    assert "(the proof state is unchanged)" in out
    assert "t proved; the kernel checked it" in out
    assert f"saved 1 declaration to {path}" in out
    assert quod_check(path).returncode == 0


def test_interactive_save_over_a_file_it_did_not_write_asks(s, tmp_path, capsys):
    path = tmp_path / "theirs.proof"
    path.write_text("theorem keep : true := by trivial\n", encoding="utf-8")
    keys = ("def f (a : int) : int := a\r"
            f"save {path}\r"
            "n\r"                # no: the file stays as it was
            f"save {path}\r"
            "y\r"                # yes: overwritten
            "quit\r")
    rc, out = drive(s, keys, capsys)
    assert rc == 0
    assert "not saved" in out and f"saved 1 declaration to {path}" in out
    assert "def f" in path.read_text() and "keep" not in path.read_text()


def test_interactive_ctrl_d_with_unsaved_work_asks(s, capsys):
    keys = ("theorem t (x : int) : x = x\r"
            "\x04"          # Ctrl-D: unsaved work (an open proof)
            "n\r"           # ... stay
            "reflexivity\r"
            "qed\r"
            "\x04"          # Ctrl-D again: the finished theorem is not saved
            "y\r")
    rc, out = drive(s, keys, capsys)
    assert rc == 0
    assert "t proved; the kernel checked it" in out     # the session went on after 'n'
    assert s.proof is None and "t" in s.mod.env


def test_interactive_quit_with_unsaved_work_asks(s, capsys):
    rc, out = drive(s, "def f (a : int) : int := a\rquit\rn\reval f(3)\rquit\ry\r", capsys)
    assert rc == 0 and "defined f" in out and "\n3\n" in out


def test_interactive_ctrl_d_without_work_leaves_at_once(s, capsys):
    rc, out = drive(s, "eval 1 + 1\r\x04", capsys)
    assert rc == 0 and "2" in out


def test_interactive_ctrl_c_at_the_prompt_clears_the_line(s, capsys):
    keys = ("this line is dropped\x03"
            "lemma half (a : int) : a = a := by\r"
            "  reflexivity\r"
            "\x03"          # Ctrl-C in the continuation: the whole block is dropped
            "theorem t (x : int) : x = x\r"
            "so is this one\x03"
            "reflexivity\r"
            "qed\r"
            "\x04y\r")
    rc, out = drive(s, keys, capsys)
    assert rc == 0
    assert "dropped" not in out and "unknown tactic" not in out
    assert "half" not in s.mod.env
    assert "t proved" in out


def test_interactive_multiline_block(s, capsys):
    keys = ("lemma l (a b : int) : a + b = b + a /\\ a * b = b * a := by\r"
            "  split\r"
            "  . ring\r"
            "  . ring\r"
            "\r"            # a blank line ends the block
            "print axioms l\r"
            "\x04y\r")
    rc, out = drive(s, keys, capsys)
    assert rc == 0 and "l: proved" in out and "no axioms" in out


def test_interactive_errors_are_printed_not_raised(s, capsys):
    short = [t for t in MALFORMED if t.isprintable() and len(t) < 100 and not t.startswith("save")]
    keys = "".join(t + "\r" for t in short) + "\r\x04y\r"
    rc, out = drive(s, keys, capsys)
    assert rc == 0 and "Traceback" not in out and "error" in out


# -- the Pygments lexer used for highlighting -------------------------------------------------------

def test_lexer_reads_every_bundled_file_without_error_tokens():
    from pygments.token import Error

    from quod.lexer import ProofLexer
    lexer = ProofLexer()
    files = [p for p in ROOT.rglob("*.proof") if ".git" not in p.parts]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        tokens = list(lexer.get_tokens(text))
        assert [v for t, v in tokens if t is Error] == [], path
        assert "".join(v for _, v in tokens).rstrip("\n") == text.rstrip("\n"), path


def test_lexer_classifies_and_knows_every_tactic():
    from pygments.token import Comment, Keyword, Name, String

    from quod.lexer import TACTICS, ProofLexer
    from tactics.parser import tactic_names
    assert set(tactic_names()) <= set(TACTICS)
    toks = [(t, v) for t, v in ProofLexer().get_tokens(
        'theorem foo (x : int) : x = x := by intro -- note\nprogram g from c """\nint g() { return 0; }\n"""\n')
        if v.strip()]
    assert toks[0] == (Keyword.Declaration, "theorem") and toks[1] == (Name.Function, "foo")
    assert (Keyword, "intro") in toks and (Comment.Single, "-- note") in toks
    assert any(t is String and "return 0" in v for t, v in toks)
