"""End to end: the installed ``quod repl`` in a pseudo-terminal (prompt-toolkit front end), driven
with pexpect like a person at a keyboard: a theorem, tactics, an error, undo, qed, save, Ctrl-C at
the prompt, Ctrl-C during a long ``smt`` call, Ctrl-D with unsaved work.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30


def quod_script() -> str | None:
    """The console script of the Python running the tests (not some other installation's)."""
    for cand in (Path(sys.executable).parent / "quod", shutil.which("quod")):
        if cand and Path(cand).is_file() and os.access(cand, os.X_OK):
            try:
                head = Path(cand).read_text(errors="replace")[:200]
            except OSError:
                continue
            if Path(cand).parent == Path(sys.executable).parent or sys.executable in head:
                return str(cand)
    return None


QUOD = quod_script()
pytestmark = [
    pytest.mark.skipif(QUOD is None, reason="the quod console script is not installed in this environment"),
    pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal"),
]

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|[\r\x08]")


def plain(text: str) -> str:
    return ANSI.sub("", text)


class Repl:
    """A ``quod repl`` in a pty. ``step`` sends one line and returns what was printed before the
    next prompt, with terminal escapes removed."""

    def __init__(self, tmp_path: Path, *args: str):
        env = dict(os.environ, TERM="xterm", HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "xdg"),
                   PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="200", LINES="50")
        self.child = pexpect.spawn(QUOD, ["repl", *args], cwd=str(tmp_path), env=env, encoding="utf-8",
                                   timeout=TIMEOUT, dimensions=(50, 200))
        self.child.delaybeforesend = None       # no 50 ms sleep before each send
        self.log = []
        self.child.logfile_read = self

    # pexpect logfile protocol: keep everything for failure messages
    def write(self, data: str) -> None:
        self.log.append(data)

    def flush(self) -> None:
        pass

    def transcript(self) -> str:
        return plain("".join(self.log))

    # prompt-toolkit turns bracketed paste on when a prompt starts and off when the line is accepted;
    # these mark the output between two prompts better than the prompt text, which is redrawn with
    # the line typed when it is accepted.
    START, ACCEPTED = "\x1b[?2004h", "\x1b[?2004l"

    def next_prompt(self, prompt: str) -> str:
        """Wait for the next prompt, e.g. 'quod>' or 't (2 goals)>'; return the output before it."""
        self.child.expect_exact(self.START)
        out = plain(self.child.before)
        self.child.expect_exact(prompt)
        return out

    def step(self, line: str, prompt: str) -> str:
        """Type a line; return what it printed, once the next prompt (which must be ``prompt``) is up."""
        self.child.sendline(line)
        self.child.expect_exact(self.ACCEPTED)
        return self.next_prompt(prompt)

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)


@pytest.fixture
def repl(tmp_path):
    r = Repl(tmp_path)
    yield r
    r.close()


def test_session_in_a_pseudo_terminal(repl, tmp_path):
    banner = repl.next_prompt("quod>")
    assert "Quod REPL" in banner

    try:
        _session(repl, tmp_path)
    except (pexpect.TIMEOUT, pexpect.EOF, AssertionError) as exc:
        raise AssertionError(f"{type(exc).__name__}: {exc}\n--- transcript ---\n{repl.transcript()[-4000:]}") from None


def _session(repl: Repl, tmp_path: Path) -> None:
    # a theorem, several tactics, an error, undo, qed
    out = repl.step("theorem t (x y : int) (h : x < y) : x + 1 <= y /\\ x < y", "t (1 goal)>")
    assert "  1. h : x < y" in out and "⊢ x + 1 ≤ y ∧ x < y" in out
    out = repl.step("split", "t (2 goals)>")
    assert "~  ⊢ x + 1 ≤ y" in out and "goal 2: ⊢ x < y" in out
    out = repl.step("exact h", "t (2 goals)>")
    assert "error:" in out and "the goal was:" in out and "(the proof state is unchanged)" in out
    out = repl.step("linarith", "t (1 goal)>")
    assert "1 goal (was 2)" in out and "   ⊢ x < y" in out
    out = repl.step("undo", "t (2 goals)>")
    assert "⊢ x + 1 ≤ y" in out
    repl.step("linarith", "t (1 goal)>")
    out = repl.step("assumption", "t (0 goals)>")
    assert "no goals left; type qed" in out
    out = repl.step("qed", "quod>")
    assert "t proved; the kernel checked it" in out

    # save, and the file is accepted by quod check
    path = tmp_path / "saved.proof"
    out = repl.step(f"save {path}", "quod>")
    assert f"saved 1 declaration to {path}" in out
    res = subprocess.run([sys.executable, "-m", "quod.cli", "check", "--no-cache", str(path)],
                         capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert res.returncode == 0, res.stdout + res.stderr

    # Ctrl-C at the prompt clears the line
    repl.child.send("this is never run")
    repl.child.sendintr()
    out = repl.next_prompt("quod>")
    assert "error" not in out
    out = repl.step("eval 6 * 7", "quod>")
    assert out.strip().endswith("42") and "error" not in out

    # a goal z3 cannot settle; Ctrl-C after a second cancels the step and keeps the state
    stmt = ("theorem fermat3 (x y z : int) (hx : x > 0) (hy : y > 0) (hz : z > 0) : "
            "x * x * x + y * y * y != z * z * z")
    out = repl.step(stmt, "fermat3 (1 goal)>")
    assert "3. hz : z > 0" in out
    out = repl.step("intro h", "fermat3 (1 goal)>")     # a step of history, to be kept
    assert "+ 4. h : x * x * x + y * y * y = z * z * z" in out
    repl.child.sendline("smt (timeout := 20000) (rlimit := 1000000000)")
    repl.child.expect_exact(repl.ACCEPTED)
    # the step says that it is working; then Ctrl-C stops it (z3 alone would take 20 s and say don't know)
    repl.child.expect_exact("smt: working")
    repl.child.expect_exact("(Ctrl-C stops it)")
    repl.child.sendintr()
    repl.child.expect_exact(repl.START)
    out = plain(repl.child.before)
    repl.child.expect_exact("fermat3 (1 goal)>")
    assert "interrupted; the proof state is unchanged" in out
    assert "don't know" not in out
    out = repl.step("goals", "fermat3 (1 goal)>")
    assert "  4. h : x * x * x + y * y * y = z * z * z" in out and "⊢ false" in out
    out = repl.step("undo", "fermat3 (1 goal)>")         # the history is intact
    assert "⊢ x * x * x + y * y * y ≠ z * z * z" in out and "4. h" not in out
    out = repl.step("linarith", "fermat3 (1 goal)>")     # and the session still works
    assert "linarith failed" in out

    # Ctrl-D with unsaved work (an open proof) asks; 'n' stays, then Ctrl-D and 'y' leave
    repl.child.sendcontrol("d")
    repl.next_prompt("quit anyway? [y/N]")
    repl.step("n", "fermat3 (1 goal)>")
    repl.child.sendcontrol("d")
    repl.next_prompt("quit anyway? [y/N]")
    repl.child.sendline("y")
    repl.child.expect(pexpect.EOF)
    repl.child.close()
    assert repl.child.exitstatus == 0
    assert "Traceback" not in repl.transcript()


EDIT = """\
def dbl (a : int) : int := a + a

theorem first : forall x : int, x > 0 -> dbl(x) > x := by
  intro x hx
  unfold dbl
  linarith

theorem middle (a b : int) (h : a < b) : dbl(a) < dbl(b) := by
  unfold dbl
  ring

lemma last (a : int) : a + 0 = a := by
  ring
"""


def test_editing_a_file_in_a_pseudo_terminal(tmp_path):
    """As a user types: open a file, go to a theorem in the middle, change a step, finish the proof, save
    the file back (ASCII output)."""
    path = tmp_path / "e.proof"
    path.write_text(EDIT, encoding="utf-8")
    r = Repl(tmp_path, str(path), "--ascii")
    try:
        out = r.next_prompt("e.proof>")
        assert "middle: failed" in out and "e.proof:10:3: error: ring" in out
        out = r.step("goto middle", "middle:8 (1 goal)>")
        assert "middle (line 8), start of the proof" in out and "|- dbl(a) < dbl(b)" in out
        out = r.step("next", "middle:9 (1 goal)>")
        assert "step 1/2, line 9: unfold dbl" in out and "~  |- a + a < b + b" in out
        out = r.step("next", "middle:10>")
        assert "step 2/2, line 10: ring" in out and "error: ring" in out
        out = r.step("linarith", "middle:10 (0 goals)>")     # at the failed step: it replaces it
        assert "replaced line 10 `ring` with `linarith`" in out and "middle: proved" in out
        out = r.step("save", "middle:10 (0 goals)>")
        assert "saved" in out and "3 theorems: 3 proved" in out
        assert path.read_text(encoding="utf-8") == EDIT.replace("  unfold dbl\n  ring", "  unfold dbl\n  linarith")
        r.child.sendcontrol("d")            # nothing unsaved: leaves at once
        r.child.expect(pexpect.EOF)
    except (pexpect.TIMEOUT, pexpect.EOF, AssertionError) as exc:
        raise AssertionError(f"{type(exc).__name__}: {exc}\n--- transcript ---\n{r.transcript()[-4000:]}") from None
    finally:
        r.close()
