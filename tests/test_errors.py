"""Malformed input through the installed ``quod check``: good errors, never a traceback.

Every case is a small file (or a few) in a temporary directory, checked by
``python -m quod.cli check --no-cache case.proof`` in a subprocess (all cases
run concurrently, once per session). For each we assert the exit code, that no
``Traceback`` appears, the ``file:line:col: error: message`` line with the right
position, the offending line and a caret under the right column, and a message
in words (no Lark terminal names such as NAME, RPAR, __ANON_0 or $END).

The full output of the parse-error cases (whose wording the parser owns) is
also compared with ``tests/golden/errors/NAME.out``; regenerate with
``QUOD_UPDATE_GOLDEN=1`` after a deliberate change and read the diff.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

GOLDEN = Path(__file__).with_name("golden") / "errors"
UPDATE = bool(os.environ.get("QUOD_UPDATE_GOLDEN"))
RAW_LARK = re.compile(r"\b(NAME|RPAR|LPAR|LSQB|RSQB|LBRACE|RBRACE|COLON|COMMA|SEMICOLON|INT|DOTTED|THM_KW|"
                      r"BY_BLOCK|PROOF_BLOCK|CALC_TAIL|VBAR|UNDERSCORE|MINUS|PLUS|CMP)\b|__ANON|\$END|Token\(|"
                      r"lark\.|Unexpected(Token|Characters|Input)")


@dataclass
class Case:
    src: str | bytes                           # the contents of case.proof
    rc: int = 1
    where: tuple[int, int] | None = None       # (line, col) of the first error
    says: tuple[str, ...] = ()                 # fragments of the error message
    out: tuple[str, ...] = ()                  # fragments of the whole output
    golden: bool = False                       # compare the whole output with tests/golden/errors/
    extra: dict = field(default_factory=dict)  # other files: name -> contents
    env: dict = field(default_factory=dict)
    lossy: bool = False                        # the shown source line is not the file's text (binary input)


def _random_bytes() -> bytes:
    rng = random.Random(20240601)
    return bytes(rng.randrange(256) for _ in range(4000)) + b"\x00\x00"


def _binary_pos(data: bytes) -> tuple[int, int]:
    try:
        data.decode("utf-8")
        off = data.index(b"\x00")
    except UnicodeDecodeError as exc:
        off = exc.start
    line = data.count(b"\n", 0, off) + 1
    return line, off - (data.rfind(b"\n", 0, off) + 1) + 1


BINARY = _random_bytes()
DEEP = 10_000

CASES: dict[str, Case] = {
    # -- what the reader sees is what Quod reads ------------------------------------------------
    "cr_only_line_ends": Case("-- a comment\rtheorem t : 1 = 2 := by smt\r", where=(2, 25), says=("is false",)),
    "crlf_line_ends": Case("-- a comment\r\ntheorem t : 1 = 2 := by smt\r\n", where=(2, 25), says=("is false",)),
    "line_separator": Case("theorem t : 1 = 1 := by ring -- c\u2028theorem u : 1 = 2 := by ring\n", where=(1, 34),
                           says=("U+2028",)),
    "literal_too_long": Case("theorem t : " + "7" * 5000 + " > 0 := by smt\n", where=(1, 13),
                             says=("5,000 digits",)),
    # -- parse errors ----------------------------------------------------------------------------
    "missing_formula": Case("theorem t : := by ring\n", where=(1, 13),
                            says=("expected a formula after ':'", "found ':='"), golden=True),
    "unbalanced_open_paren": Case("theorem t : (1 + 2 = 3 := by ring\n", where=(1, 24),
                                  says=("expected ')'", "the '(' at line 1, column 13 is not closed"), golden=True),
    "unbalanced_close_paren": Case("theorem t : 1 + 2) = 3 := by ring\n", where=(1, 18),
                                   says=("found ')'", "no matching '('"), golden=True),
    "unknown_tactic": Case("theorem t : 1 = 1 := by\n  frobnicate\n", where=(2, 3),
                           says=("unknown tactic 'frobnicate'",), golden=True),
    "misspelled_tactic": Case("theorem t (x : int) : x = x := by\n  intro y\n  rign\n", where=(3, 3),
                              says=("unknown tactic 'rign'", "did you mean 'ring'"), golden=True),
    "unterminated_comment": Case("theorem t : 1 = 1 := by ring\n  /- never\n  closed\n", where=(2, 3),
                                 says=("unterminated comment", "'-/'"), golden=True),
    "unterminated_nested_comment": Case("/- outer /- inner -/\ntheorem t : 1 = 1 := by ring\n", where=(1, 1),
                                        says=("unterminated comment",), golden=True),
    "proof_without_qed": Case("theorem t : 1 = 1\nproof\n  ring\n\ntheorem u : 2 = 2 := by ring\n", where=(3, 7),
                              says=("missing 'qed'",), out=("t          failed", "u          proved"), golden=True),
    "stray_dollar": Case("theorem t : 1 = $ := by ring\n", where=(1, 17),
                         says=("unexpected character '$'",), golden=True),
    "stray_unicode": Case("theorem t (x y : int) : x ∈ y := by ring\n", where=(1, 27),
                          says=("unexpected character '∈'",), golden=True),
    "theorem_without_name": Case("theorem : 1 = 1 := by ring\n", where=(1, 9),
                                 says=("expected a name after 'theorem'", "found ':'"), golden=True),
    "keyword_as_name": Case("theorem if : 1 = 1 := by ring\n", where=(1, 9),
                            says=("expected a name", "the keyword 'if'"), golden=True),
    "def_without_assign": Case("def f (a : int) : int a + 1\n", where=(1, 23),
                               says=("expected ':=' after 'int'", "found 'a'"), golden=True),
    "theorem_without_proof": Case("theorem t : 1 = 1\n", where=(1, 18),
                                  says=("has no proof", "':= by'", "'proof'"), golden=True),
    "assign_without_by": Case("theorem t : 1 = 1 := ring\n", where=(1, 19),
                              says=("expected 'by' after ':='",), golden=True),
    "ends_after_operator": Case("theorem t (x : int) : x +\n", where=(1, 26),
                                says=("ends too early", "expected a term after '+'"), golden=True),
    "tactic_in_column_one": Case("theorem t : 1 = 1 := by\nring\n", where=(2, 1),
                                 says=("'ring' in column 1 starts a new declaration; indent the lines of a proof",)),
    "bad_indentation": Case("theorem t : 1 = 1 := by\n    skip\n  ring\n", where=(3, 3),
                            says=("indented less than the tactics above it",), golden=True),
    "junk_after_tactic": Case("theorem t (x : int) : x = x := by\n  apply foo bar baz\n", where=(2, 13),
                              says=("expected ';', '<;>' or the end of this tactic after 'foo'", "found 'bar'"),
                              golden=True),
    "import_without_module": Case("import\n", where=(1, 7), says=("expected a module name",), golden=True),
    "unclosed_rewrite": Case("theorem t : 1 = 1 := by\n  rw [\n", where=(2, 7),
                             says=("this tactic ends too early", "after '['"), golden=True),
    "deep_unclosed_parens": Case("theorem t : " + "(" * DEEP + "1 = 1 := by ring\n", where=(1, 12 + DEEP + 7),
                                 says=("expected ')'", "is not closed")),
    "crlf_line_endings": Case("theorem t : 1 = 1 := by\r\n  ring\r\n\r\ntheorem u : := by ring\r\n", where=(4, 13),
                              says=("expected a formula after ':'",)),
    "crlf_fine": Case("theorem t : 1 = 1 := by\r\n  ring\r\n\r\ntheorem u : 2 = 2\r\nproof\r\n  ring\r\nqed\r\n", rc=0,
                      out=("2 theorems: 2 proved",)),
    "byte_order_mark": Case("\ufefftheorem t : $ := by ring\n", where=(1, 13), says=("unexpected character '$'",)),
    # -- bytes that are not text -------------------------------------------------------------------
    "binary_data": Case(BINARY, where=_binary_pos(BINARY), lossy=True, says=("UTF-8",)),
    "invalid_utf8": Case(b"theorem t : 1 = 1 := by ring\n-- caf\xe9 au lait\n", where=(2, 7),
                         says=("not UTF-8",), lossy=True),
    "nul_byte": Case("theorem t : 1 = 1 := by ring\n\x00\x01\x02\n", where=(2, 1), says=("NUL",), lossy=True),
    # -- elaboration ---------------------------------------------------------------------------------
    "unknown_identifier": Case("theorem t : x = 1 := by ring\n", where=(1, 13), says=("unknown name 'x'",)),
    "wrong_arity": Case("def f (a b : int) : int := a + b\ntheorem t : f(1) = 1 := by ring\n", where=(2, 13),
                        says=("f takes 2 arguments, got 1",)),
    "term_for_formula": Case("theorem t : 1 + 2 := by ring\n", where=(1, 15), says=("expected a formula",)),
    "formula_for_term": Case("def f (a : int) : int := a = 1\n", where=(1, 28), says=("term",)),
    "deep_not": Case("theorem t : " + "not " * DEEP + "true := by sorry\n"),
    "deep_parens_ok": Case("theorem t : " + "(" * DEEP + "1" + ")" * DEEP + " = 1 := by norm_num\n", rc=0,
                           out=("1 theorem: 1 proved",)),
    # -- modules ---------------------------------------------------------------------------------------
    "missing_module": Case("import no.such.module\ntheorem t : 1 = 1 := by ring\n", where=(1, 8),
                           says=("module no.such.module not found",)),
    "import_cycle": Case("import cyc_a\ntheorem t : 1 = 1 := by ring\n", where=None,
                         out=("import cycle", "cyc_a", "cyc_b"),
                         extra={"lib/cyc_a.proof": "import cyc_b\ntheorem a : 1 = 1 := by ring\n",
                                "lib/cyc_b.proof": "import cyc_a\ntheorem b : 1 = 1 := by ring\n"},
                         env={"QUOD_PATH": "lib"}),
    # -- proofs ----------------------------------------------------------------------------------------
    "tactic_failure_shows_goal": Case("theorem t : forall x : int, x = 1 := by\n  intro x\n  ring\n", where=(3, 3),
                                      out=("the goal was:", "|- x = 1", "1 theorem: 0 proved, 1 failed")),
    "duplicate_theorem": Case("theorem t : 1 = 1 := by ring\ntheorem t : 2 = 2 := by ring\n", where=(2, 9),
                              says=("already declared",)),
    "unsolved_goals": Case("theorem t : 1 = 1 /\\ 2 = 2 := by\n  split\n  ring\n", out=("unsolved goal",)),
    # -- fine inputs -------------------------------------------------------------------------------------
    "empty_file": Case("", rc=0, out=("0 theorems: 0 proved, 0 failed, 0 don't know, 0 using oracles",)),
    # a non-empty file that checks nothing is an error, not a silent pass (issue 17: CR line ends once hid a file)
    "only_comments": Case("-- nothing\n/- at /- all -/ -/\n", where=(1, 1), says=("no declarations",)),
}


def _run(tmp_root: Path, name: str, case: Case):
    d = tmp_root / name
    d.mkdir()
    main = d / "case.proof"
    if isinstance(case.src, bytes):
        main.write_bytes(case.src)
    else:
        main.write_bytes(case.src.encode("utf-8"))
    for rel, text in case.extra.items():
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / rel).write_text(text, encoding="utf-8")
    env = dict(os.environ, **{k: str(d / v) if k == "QUOD_PATH" else v for k, v in case.env.items()})
    env.pop("QUOD_DEBUG", None)
    p = subprocess.run([sys.executable, "-m", "quod.cli", "check", "--no-cache", "case.proof"], cwd=d, env=env,
                       capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=300)
    return p


@pytest.fixture(scope="session")
def outputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("errors")
    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2) + 2)) as pool:
        futs = {name: pool.submit(_run, root, name, case) for name, case in CASES.items()}
        return {name: f.result() for name, f in futs.items()}


def test_at_least_twenty_kinds():
    assert sum(1 for c in CASES.values() if c.rc == 1) >= 20


@pytest.mark.parametrize("name", sorted(CASES))
def test_error_case(outputs, name):
    case = CASES[name]
    p = outputs[name]
    both = p.stdout + p.stderr
    assert "Traceback" not in both, both
    assert p.returncode == case.rc, both
    lines = p.stdout.split("\n")
    if case.where is not None:
        line, col = case.where
        head = re.compile(rf"^case\.proof:{line}:{col}: error: (.+)$")
        hits = [i for i, s in enumerate(lines) if head.match(s)]
        assert hits, f"no 'case.proof:{line}:{col}: error:' line in:\n{p.stdout}"
        i = hits[0]
        message = head.match(lines[i]).group(1)
        assert not RAW_LARK.search(message), message
        src = case.src if isinstance(case.src, str) else case.src.decode("utf-8", errors="replace")
        src_lines = src.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
        shown, caret = lines[i + 1], lines[i + 2]
        if not case.lossy:
            want = src_lines[line - 1].replace("\t", " ")
            assert shown.rstrip() == ("  " + want).rstrip()[:len(shown.rstrip())] or len(want) > 200, (shown, want)
        assert caret.strip() == "^", caret
        if len(src_lines[line - 1]) <= 200:      # longer lines are shown as a window around the column
            assert caret.index("^") == 2 + col - 1, (caret, col)
        for frag in case.says:
            assert frag in message, f"{frag!r} not in {message!r}"
    for frag in case.out:
        assert frag in p.stdout, f"{frag!r} not in:\n{p.stdout}"
    # every error line anywhere has a position and words, not Lark's names
    for s in lines:
        m = re.match(r"^(\S+?):(\d+):(\d+): error: (.*)$", s)
        if m:
            assert int(m.group(2)) >= 1 and int(m.group(3)) >= 1
            assert not RAW_LARK.search(m.group(4)), s
    if case.golden:
        got = re.sub(r"\d+ ms\)", "N ms)", p.stdout)
        want_path = GOLDEN / f"{name}.out"
        if UPDATE or not want_path.exists():
            GOLDEN.mkdir(parents=True, exist_ok=True)
            want_path.write_text(got, encoding="utf-8")
        assert got == want_path.read_text(encoding="utf-8")


def test_missing_file_is_exit_2(tmp_path):
    p = subprocess.run([sys.executable, "-m", "quod.cli", "check", "--no-cache", "nope.proof"], cwd=tmp_path,
                       capture_output=True, text=True)
    assert p.returncode == 2
    assert "nope.proof: no such file or directory" in p.stderr
    assert "Traceback" not in p.stdout + p.stderr


def test_ten_megabytes(tmp_path):
    """A 10 MB file of junk, and one of comments: quick, one error (or none), no traceback."""
    junk = tmp_path / "junk.proof"
    junk.write_text("x y ( ) + := $ z\n" * (10_000_000 // 17), encoding="utf-8")
    comments = tmp_path / "comments.proof"
    comments.write_text("/-\n" + "lorem ipsum -- dolor sit amet\n" * (10_000_000 // 30) + "-/\n"
                        + "-- a line comment\n" * 1000 + "theorem t : 1 = 1 := by ring\n", encoding="utf-8")
    one_line = tmp_path / "oneline.proof"
    one_line.write_text("theorem t : " + "1 + " * 2_500_000 + "1 = 1 := by ring\n", encoding="utf-8")
    for f, rc, frag in ((junk, 1, "junk.proof:1:1: error: "), (comments, 0, "1 theorem: 1 proved"),
                        (one_line, 1, "oneline.proof:1:1: error: this declaration is too long")):
        assert f.stat().st_size >= 9_000_000
        p = subprocess.run([sys.executable, "-m", "quod.cli", "check", "--no-cache", f.name], cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
        assert "Traceback" not in p.stdout + p.stderr
        assert p.returncode == rc, p.stdout[-2000:]
        assert frag in p.stdout
        assert p.stdout.count(": error: ") <= 1
