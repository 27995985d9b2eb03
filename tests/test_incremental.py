"""Incremental checking (``quod.incremental``): after any edit, what the cache gives must be what
checking the new text from scratch gives (diagnostics, goals at every tactic, the final
environment), and only what changed is checked again.
"""

from __future__ import annotations

import random
import textwrap
import pytest

from quod.incremental import DocumentChecker, TracingLoader, goals_at, tactics_of

DOC = textwrap.dedent("""\
    import integers.order

    def double (x : int) : int := 2 * x

    theorem double_pos (x : int) (h : x > 0) : double(x) > x := by
      unfold double
      linarith

    lemma add_comm' : forall x y : int, x + y = y + x
    proof
      intro x y
      ring
    qed

    theorem use (a b : int) (h : a < b) : double(a) < double(b) := by
      unfold double
      linarith

    theorem cases_demo (p : int) : p <= 0 or p > 0 := by
      by_contra hn
      linarith

    theorem needs_sorry (x : int) : x * x * x >= x := by
      sorry

    theorem wrong (x : int) : x + 1 = x := by
      ring

    eval double(21)
    print axioms use
    """)


@pytest.fixture(scope="module")
def loader():
    return TracingLoader()


def snapshot(run) -> list:
    """Everything a user sees of a check: per declaration its place, diagnostics and the goals before
    and after each of its tactics; and what the file ends up declaring."""
    from quod.lsp import render_goals
    out = []
    for d, o in zip(run.decls, run.outcomes):
        goals = []
        if o.parsed is not None and type(o.parsed).__name__ == "TheoremDecl":
            for t in tactics_of(o.parsed.proof):
                g = goals_at(run, d.line + t.pos.line - 1, t.pos.col)
                goals.append(render_goals(g)["rendered"] if g is not None else None)
        out.append((d.line, d.text, [(x.line, x.col, x.end_col, x.severity, x.message) for x in o.diags], goals))
    final = run.final.env
    out.append(sorted((n, str(t.statement), sorted(t.axioms)) for n, t in final.theorems().items()))
    return out


def edits(text: str, rng: random.Random):
    """Small edits as a user makes them: a character typed or deleted, a line deleted or duplicated,
    a digit changed, a proof line replaced."""
    lines = text.split("\n")
    k = rng.randrange(len(lines))
    kind = rng.choice(["type", "delete_char", "delete_line", "dup_line", "digit", "sorry"])
    if kind == "type" and lines[k]:
        i = rng.randrange(len(lines[k]) + 1)
        lines[k] = lines[k][:i] + rng.choice("x1 +)(") + lines[k][i:]
    elif kind == "delete_char" and lines[k]:
        i = rng.randrange(len(lines[k]))
        lines[k] = lines[k][:i] + lines[k][i + 1:]
    elif kind == "delete_line":
        del lines[k]
    elif kind == "dup_line":
        lines.insert(k, lines[k])
    elif kind == "digit":
        lines[k] = lines[k].replace("2", "3", 1)
    elif lines[k].startswith("  "):
        lines[k] = "  sorry"
    return "\n".join(lines)


def test_incremental_results_equal_a_check_from_scratch_after_every_edit(loader, tmp_path):
    path = tmp_path / "doc.proof"
    inc = DocumentChecker(path, loader)
    rng = random.Random(15)
    text = DOC
    inc.check(text)
    reused = 0
    for step in range(25):
        text = edits(text, rng) if step % 5 else DOC          # now and then back to the original
        run = inc.check(text)
        fresh = DocumentChecker(path, loader).check(text)
        assert snapshot(run) == snapshot(fresh), f"edit {step}:\n{text}"
        assert run.checked + run.reused == len(run.decls)
        reused += run.reused
    assert reused > 0


def test_editing_a_proof_rechecks_it_alone_and_a_statement_everything_below(loader, tmp_path):
    c = DocumentChecker(tmp_path / "doc.proof", loader)
    first = c.check(DOC)
    assert (first.checked, first.reused) == (len(first.decls), 0)
    proof = DOC.replace("  by_contra hn\n", "  by_contra h0\n")
    run = c.check(proof)
    assert (run.checked, run.reused) == (1, len(run.decls) - 1)
    stmt = DOC.replace("theorem use (a b : int) (h : a < b)", "theorem use (a b : int) (h : a + 1 <= b)")
    run = c.check(stmt)
    below = len(run.decls) - next(i for i, d in enumerate(run.decls) if d.name == "use")
    assert (run.checked, run.reused) == (below, len(run.decls) - below)
    # lines added above move everything and check nothing
    run = c.check("-- a new first line\n\n" + stmt)
    assert (run.checked, run.reused) == (0, len(run.decls))
    assert run.decls[1].line == 5


def test_a_cancelled_check_leaves_nothing_half_done(loader, tmp_path):
    c = DocumentChecker(tmp_path / "doc.proof", loader)
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 6                   # stop somewhere inside the document
    run = c.check(DOC, cancelled)
    assert run.cancelled and not run.done and 0 < len(run.outcomes) < len(run.decls)
    again = c.check(DOC)
    assert again.reused == len(run.outcomes) and again.done
    assert snapshot(again) == snapshot(DocumentChecker(tmp_path / "doc.proof", loader).check(DOC))


def test_a_changed_program_source_file_is_read_again(loader, tmp_path):
    src = tmp_path / "f.py"
    src.write_text("def f(x):\n    while x > 0:\n        x = x - 1\n")
    text = 'program f from python "f.py" function f\n\ntheorem f_terminates : terminates f := by termination\n'
    c = DocumentChecker(tmp_path / "doc.proof", loader)
    assert [o.result.status for o in c.check(text).outcomes if o.result] == ["proved"]
    assert c.check(text).checked == 0
    src.write_text("def f(x):\n    while x > 0:\n        x = x + 1\n")
    run = c.check(text)
    assert run.checked == 2 and run.outcomes[1].result.status != "proved"
