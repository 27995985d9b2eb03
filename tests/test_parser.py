"""The .proof parser: golden ASTs with positions, layout, comments, notation, and robustness.

Golden files live in ``tests/golden/parser``: each ``NAME.proof`` is parsed and
rendered (every node with its ``line:col``) and compared with ``NAME.ast``.
After a deliberate change, regenerate them with

    QUOD_UPDATE_GOLDEN=1 python -m pytest tests/test_parser.py

and read the diff. The tests below the golden ones pin the important
positions explicitly, so a blind regeneration cannot hide a wrong column.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tactics.parser import iter_items, parse_block, parse_expr, parse_file, split_items, strip_comments
from tactics.syntax import (AxiomDecl, Block, Command, DefDecl, Import, Pos, QuodError, SExpr, Tactic,
                            TheoremDecl)

GOLDEN = Path(__file__).with_name("golden") / "parser"
UPDATE = bool(os.environ.get("QUOD_UPDATE_GOLDEN"))


# ---- rendering the AST -----------------------------------------------------------------------

def at(p: Pos | None) -> str:
    return "@?" if p is None else f"@{p.line}:{p.col}"


def expr(e) -> str:
    if not isinstance(e, SExpr):
        return repr(e)
    if e.kind == "name":
        return f"{e.data}{at(e.pos)}"
    if e.kind == "lit":
        return f"{e.data}{at(e.pos)}"
    if e.kind in ("true", "false", "hole"):
        return f"{e.kind}{at(e.pos)}"
    head = e.kind + at(e.pos)
    if e.kind in ("forall", "exists"):
        head += " [" + " ".join(e.data) + "]"
    elif e.kind == "call":
        head += f" {e.data}"
    return "(" + " ".join([head] + [expr(a) for a in e.args]) + ")"


def arg(a, indent: str) -> str:
    if isinstance(a, SExpr):
        return expr(a)
    if isinstance(a, Block):
        return "\n" + block(a, indent + "    ")
    if isinstance(a, Tactic):
        return "{" + tactic(a, "").strip() + "}"
    if isinstance(a, list):
        return "[" + "; ".join(tactic(t, "").strip() for t in a) + "]"
    if isinstance(a, tuple):
        return "<" + " ".join(arg(x, indent) for x in a) + ">"
    if a is None:
        return "-"
    return str(a)


def tactic(t: Tactic, indent: str) -> str:
    parts = [arg(a, indent) for a in t.args]
    return f"{indent}{t.name}{at(t.pos)}" + "".join(p if p.startswith("\n") else " " + p for p in parts)


def block(b: Block, indent: str) -> str:
    return "\n".join([f"{indent}block{at(b.pos)}"] + [tactic(t, indent + "  ") for t in b.steps])


def binders(bs) -> str:
    return " ".join(f"({' '.join(b.names)} : {b.type if b.type == 'int' else expr(b.type)}){at(b.pos)}" for b in bs)


def render(items) -> str:
    out = []
    for d in items:
        if isinstance(d, Import):
            out.append(f"import {d.module}{at(d.pos)}")
        elif isinstance(d, TheoremDecl):
            attrs = f" @[{', '.join(d.attrs)}]" if d.attrs else ""
            out.append(f"{d.kind} {d.name}{at(d.pos)}{attrs} {binders(d.binders)}".rstrip())
            out.append(f"  : {expr(d.statement)}")
            out.append(block(d.proof, "  "))
        elif isinstance(d, DefDecl):
            out.append(f"def {d.name}{at(d.pos)} {binders(d.binders)} : {d.sort}")
            out.append(f"  := {expr(d.body)}")
            if d.decreasing is not None:
                out.append(f"  decreasing {expr(d.decreasing)}")
        elif isinstance(d, AxiomDecl):
            out.append(f"axiom {d.name}{at(d.pos)} {binders(d.binders)}".rstrip())
            out.append(f"  : {expr(d.statement)}")
        elif isinstance(d, Command):
            out.append(f"command {d.name}{at(d.pos)} {expr(d.arg) if isinstance(d.arg, SExpr) else d.arg}")
        else:
            out.append(f"?? {d!r}")
    return "\n".join(out) + "\n"


def parse(src: str, file: str = "t.proof"):
    return parse_file(src, file)


# ---- golden files --------------------------------------------------------------------------

GOLDEN_CASES = sorted(p.stem for p in GOLDEN.glob("*.proof"))


def test_golden_files_exist():
    assert len(GOLDEN_CASES) >= 4


@pytest.mark.parametrize("name", GOLDEN_CASES)
def test_golden_ast(name):
    src = (GOLDEN / f"{name}.proof").read_text(encoding="utf-8")
    got = render(parse(src, f"{name}.proof"))
    want_path = GOLDEN / f"{name}.ast"
    if UPDATE or not want_path.exists():
        want_path.write_text(got, encoding="utf-8")
    assert got == want_path.read_text(encoding="utf-8")


# ---- the design sketch, positions pinned ------------------------------------------------------

def test_design_sketch_shape_and_positions():
    items = parse((GOLDEN / "design_sketch.proof").read_text(encoding="utf-8"), "s.proof")
    kinds = [type(d).__name__ for d in items]
    assert kinds == ["Import", "TheoremDecl", "TheoremDecl", "DefDecl", "DefDecl", "TheoremDecl"]
    imp, add_comm, le_trans, abs_diff, sum_to, closed = items
    assert imp.module == "integers.order" and (imp.pos.line, imp.pos.col) == (2, 8)
    # theorem ... proof ... qed
    assert add_comm.name == "add_comm" and add_comm.kind == "theorem"
    assert (add_comm.pos.line, add_comm.pos.col) == (4, 9)
    assert add_comm.statement.kind == "forall" and add_comm.statement.data == ("x", "y")
    assert [(t.name, t.pos.line, t.pos.col) for t in add_comm.proof.steps] == [("intro", 6, 3), ("ring", 7, 3)]
    assert [str(a) for a in add_comm.proof.steps[0].args] == ["x", "y"]
    # lemma with binders and := by
    assert le_trans.kind == "lemma"
    assert [b.names for b in le_trans.binders] == [["a", "b", "c"], ["h1"], ["h2"]]
    assert le_trans.binders[0].type == "int" and le_trans.binders[1].type.kind == "le"
    assert le_trans.statement.kind == "le" and le_trans.statement.args[0].pos == Pos("s.proof", 10, 60)
    assert [(t.name, t.pos.line, t.pos.col) for t in le_trans.proof.steps] == [("linarith", 11, 3)]
    # def with if-then-else, and a recursive def with decreasing on the next line
    assert abs_diff.sort == "int" and abs_diff.body.kind == "ite" and abs_diff.decreasing is None
    assert sum_to.decreasing.kind == "name" and sum_to.decreasing.pos == Pos("s.proof", 16, 14)
    call = sum_to.body.args[2].args[1]
    assert call.kind == "call" and call.data == "sum_to" and call.pos == Pos("s.proof", 15, 57)
    # bullets own the lines indented under them
    steps = closed.proof.steps
    assert [t.name for t in steps] == ["intro", "induction", "bullet", "bullet"]
    assert steps[1].args[1].kind == "lit" and steps[1].args[1].data == 0
    b1, b2 = steps[2].args[0], steps[3].args[0]
    assert [(t.name, t.pos.line, t.pos.col) for t in b1.steps] == [("unfold", 22, 5), ("ring", 22, 20)]
    assert [(t.name, t.pos.line, t.pos.col) for t in b2.steps] == [("intro", 23, 5), ("unfold", 24, 5),
                                                                    ("smt", 25, 5)]
    assert b2.steps[2].args[0].kind == "name" and b2.steps[2].args[0].pos == Pos("s.proof", 25, 10)


def test_have_with_nested_by_block():
    src = ("theorem t (p q : int) : p = p := by\n"
           "  have h : p >= q -> p >= q := by\n"
           "    intro hq\n"
           "    exact hq\n"
           "  have h2 : q = q := by reflexivity\n"
           "  reflexivity\n")
    (thm,) = parse(src)
    have, have2, refl = thm.proof.steps
    assert have.name == "have" and have.pos == Pos("t.proof", 2, 3)
    name, stmt, inner = have.args
    assert name == "h" and stmt.kind == "imp"
    assert [(t.name, t.pos.line, t.pos.col) for t in inner.steps] == [("intro", 3, 5), ("exact", 4, 5)]
    assert [(t.name, t.pos.line, t.pos.col) for t in have2.args[2].steps] == [("reflexivity", 5, 25)]
    assert refl.name == "reflexivity" and refl.pos == Pos("t.proof", 6, 3)


def test_have_without_proof_is_a_goal():
    (thm,) = parse("theorem t : 1 = 1 := by\n  have h : 2 = 2\n  reflexivity\n  ring\n")
    assert thm.proof.steps[0].args[2] is None


def test_calc_steps_positions():
    src = ("theorem t (a b c : int) (h1 : a = b) (h2 : b = c) : a = c := by\n"
           "  calc a = b := by rw [h1]\n"
           "    _ = c := by rw [h2]\n")
    (thm,) = parse(src)
    (calc,) = thm.proof.steps
    assert calc.name == "calc" and calc.pos == Pos("t.proof", 2, 3)
    (r1, p1), (r2, p2) = calc.args
    assert r1.kind == "eq" and r1.args[0].pos == Pos("t.proof", 2, 8)
    assert r2.kind == "eq" and r2.args[0].kind == "hole" and r2.args[0].pos == Pos("t.proof", 3, 5)
    assert p1.steps[0].name == "rewrite" and p1.steps[0].pos == Pos("t.proof", 2, 20)
    assert p2.steps[0].pos == Pos("t.proof", 3, 17)


def test_commands_and_axiom():
    items = parse("axiom ax (n : int) : n * 0 = 0\nprint axioms foo\ncheck 1 + 2\neval 2 * 3\nsearch _ + 0\n")
    ax, pa, ch, ev, se = items
    assert isinstance(ax, AxiomDecl) and ax.name == "ax" and ax.pos == Pos("t.proof", 1, 7)
    assert [(c.name, c.pos.line, c.pos.col) for c in (pa, ch, ev, se)] == [
        ("print_axioms", 2, 1), ("check", 3, 1), ("eval", 4, 1), ("search", 5, 1)]
    assert pa.arg == "foo" and ch.arg.kind == "add" and ev.arg.kind == "mul"
    assert se.arg.args[0].kind == "hole"


def test_import_dotted():
    (imp,) = parse("import integers.order\n")
    assert imp.module == "integers.order" and imp.pos == Pos("t.proof", 1, 8)


# ---- notation --------------------------------------------------------------------------------

ASCII = "forall x : int, exists y : int, not (x != y) and (x <= y or x >= y) -> (x = x <-> true)"
UNICODE = "∀ x : int, ∃ y : int, ¬ (x ≠ y) ∧ (x ≤ y ∨ x ≥ y) → (x = x ↔ true)"
COQ = "forall x : int, exists y : int, ~ (x != y) /\\ (x <= y \\/ x >= y) -> (x = x <-> true)"


def test_unicode_and_coq_connectives_mean_the_same():
    a, u, c = parse_expr(ASCII), parse_expr(UNICODE), parse_expr(COQ)
    assert a == u == c       # positions are not compared
    assert expr(a).startswith("(forall@1:1 [x] (exists@1:17 [y] (imp@")


def test_precedence():
    e = parse_expr("a + b * c = d - e - f and not p or q -> r <-> s")
    assert e.kind == "iff"
    imp = e.args[0]
    assert imp.kind == "imp" and imp.args[0].kind == "or"
    conj = imp.args[0].args[0]
    assert conj.kind == "and" and conj.args[1].kind == "not"       # (... and (not p)) or q
    assert imp.args[0].args[1].kind == "name"
    eq = conj.args[0]
    assert eq.kind == "eq" and eq.args[0].kind == "add" and eq.args[0].args[1].kind == "mul"
    sub = eq.args[1]
    assert sub.kind == "sub" and sub.args[0].kind == "sub"          # left associative
    assert parse_expr("a -> b -> c").args[1].kind == "imp"          # right associative
    assert parse_expr("-x * 2").kind == "mul" and parse_expr("-x * 2").args[0].kind == "neg"
    assert parse_expr("3 | x + 1").kind == "dvd"
    assert parse_expr("x % 2 = 0").args[0].kind == "mod"
    assert parse_expr("p and forall x : int, x = x").args[1].kind == "forall"


def test_multiline_expression_positions():
    e = parse_expr("a +\n  b", "f", 10, 5)
    assert e.pos == Pos("f", 10, 7) and e.args[1].pos == Pos("f", 11, 3)


# ---- comments ----------------------------------------------------------------------------------

def test_comments_keep_positions():
    src = "/- one /- two -/\nstill -/ theorem t : 1 = 1 := by -- note\n  ring -- done\n"
    (thm,) = parse(src)
    assert thm.pos == Pos("t.proof", 2, 18)
    assert thm.proof.steps[0].pos == Pos("t.proof", 3, 3)


def test_strip_comments_nested_and_line():
    src = "a /- b /- c -/ d -/ e -- f\ng"
    out = strip_comments(src, "x")
    assert out == "a                   e     \ng"
    assert len(out) == len(src)
    assert strip_comments("x --/- not a block\ny", "x") == "x " + " " * 16 + "\ny"
    assert strip_comments('p """ -- kept /- kept """ q', "x") == 'p """ -- kept /- kept """ q'


def test_commented_out_declarations_do_not_split_items():
    src = ("theorem t : 1 = 1 := by\n"
           "/-\ntheorem hidden : 2 = 2 := by ring\n-/\n"
           "  ring\n")
    (thm,) = parse(src)
    assert [t.name for t in thm.proof.steps] == ["ring"] and thm.proof.steps[0].pos.line == 5


def test_unterminated_comment_points_at_its_start():
    with pytest.raises(QuodError) as ei:
        strip_comments("x\n  /- a /- b -/ c\n", "f")
    assert ei.value.pos == Pos("f", 2, 3) and "unterminated comment" in ei.value.message


def test_byte_order_mark_is_ignored():
    (thm,) = parse("\ufefftheorem t : 1 = 1 := by ring\n")
    assert thm.pos == Pos("t.proof", 1, 9)


def test_crlf_line_endings():
    (thm,) = parse("theorem t : 1 = 1 := by\r\n  ring\r\n\r\ntheorem u : 2 = 2\r\nproof\r\n  ring\r\nqed\r\n")[:1]
    assert [t.name for t in thm.proof.steps] == ["ring"]
    assert len(parse("theorem t : 1 = 1 := by\r\n  ring\r\n\r\ntheorem u : 2 = 2\r\nproof\r\n  ring\r\nqed\r\n")) == 2


# ---- layout ----------------------------------------------------------------------------------

def test_split_items():
    src = ("import a\n\ntheorem t : 1 = 1\nproof\n  ring\nqed\n"
           "def f (x : int) : int := x\n  decreasing x\n"
           "theorem u : 1 = 1\n  := by ring\n")
    items = split_items(src)
    assert [no for no, _ in items] == [1, 3, 7, 9]
    assert items[1][1] == "theorem t : 1 = 1\nproof\n  ring\nqed"
    assert list(iter_items(src)) == items


def test_proof_block_swallows_column_one_lines_until_qed():
    src = "theorem t : 1 = 1\nproof\nring\nqed\ntheorem u : 2 = 2 := by ring\n"
    t, u = parse(src)
    assert t.proof.steps[0].pos == Pos("t.proof", 3, 1) and u.name == "u"


def test_tactics_on_the_by_line_and_continuation_lines():
    src = ("theorem t (a b : int) (h : a <= b) : a <= b := by intro\n"
           "  linarith [h,\n"
           "     h]\n"
           "  skip\n")
    (thm,) = parse(src)
    assert [(t.name, t.pos.line, t.pos.col) for t in thm.proof.steps] == [
        ("intro", 1, 51), ("linarith", 2, 3), ("skip", 4, 3)]
    assert thm.proof.steps[1].args[1].pos == Pos("t.proof", 3, 6)


def test_bullets_dot_and_middle_dot():
    blk = parse_block("\n  · intro x\n    ring\n  . skip\n", "f", 1, 1)
    assert [t.name for t in blk.steps] == ["bullet", "bullet"]
    assert [(t.name, t.pos.line, t.pos.col) for t in blk.steps[0].args[0].steps] == [("intro", 2, 5),
                                                                                      ("ring", 3, 5)]


def test_less_indented_line_is_an_error():
    with pytest.raises(QuodError) as ei:
        parse("theorem t : 1 = 1 := by\n    ring\n  ring\n")
    assert ei.value.pos == Pos("t.proof", 3, 3)
    assert "indented less" in ei.value.message


# ---- robustness: the parser raises QuodError (never anything else) ------------------------------

NASTY = [
    "", "\n\n\n", "theorem", "theorem t", "theorem t :", "theorem t : 1 = 1", "theorem t : 1 = 1 :=",
    "theorem t : 1 = 1 := by", "theorem t : 1 = 1\nproof", "def", "def f", "def f :", "def f : int :=",
    "import", "import .", "axiom", "check", "print", "print axioms", "(", ")", "((((", "))))", "@[", "@[simp",
    "theorem t : 1 = 1 := by\n  calc", "theorem t : 1 = 1 := by\n  calc 1 = 1", "theorem t : 1 = 1 := by\n  .",
    "theorem t : 1 = 1 := by\n  have", "theorem t : 1 = 1 := by\n  first |", "theorem t : 1 = 1 := by\n  {",
    "theorem t : 1 = 1 := by\n  rw [", "theorem t : 1 = 1 := by ring;", "\x01\x02", "é", "theorem t : x ∈ y",
    "theorem t : \"\"\"", "-/", "/-", "qed", "proof", ":= by ring", "theorem t : 1 = 1 := by\n  smt (timeout :=",
    "theorem t : if", "theorem t : forall", "theorem t : forall x", "theorem t : 1 = 1 := by exists",
    "\t\ttheorem t : 1 = 1 := by ring", "theorem t : 1 = 1 := by\n\tring\n        ring",
]


@pytest.mark.parametrize("src", NASTY)
def test_malformed_input_raises_quod_error_only(src):
    try:
        parse(src)
    except QuodError as exc:
        assert exc.pos is not None and exc.pos.line >= 1 and exc.pos.col >= 1
        assert exc.message
        for raw in ("NAME", "RPAR", "LPAR", "__ANON", "$END", "BY_BLOCK", "CALC_TAIL", "Token("):
            assert raw not in exc.message, exc.message


def test_deep_nesting_parses():
    depth = 10_000
    e = parse_expr("(" * depth + "1" + ")" * depth)
    assert e.kind == "lit"
    e = parse_expr("not " * depth + "true")
    n = 0
    while e.kind == "not":
        e, n = e.args[0], n + 1
    assert n == depth


def test_too_long_declaration_is_refused():
    from tactics import parser as P
    with pytest.raises(QuodError) as ei:
        parse("theorem t : " + "1 + " * (P.MAX_ITEM // 4 + 10) + "1 = 1 := by ring\n")
    assert "too long" in ei.value.message


def test_grammar_cache_written_and_corrupt_cache_ignored(tmp_path):
    from tactics import parser as P
    first = P.load_parser([tmp_path])
    (cached,) = tmp_path.glob("quod-grammar-*.pickle")
    again = P.load_parser([tmp_path])          # from the cache
    src = "theorem t (a : int) : a + 1 > a := by linarith"
    assert again.parse(src, start="item") == first.parse(src, start="item")
    cached.write_bytes(b"\x80\x04 not a pickle at all")
    third = P.load_parser([tmp_path])          # corrupt: rebuilt and rewritten
    assert third.parse(src, start="item") == first.parse(src, start="item")
    assert cached.read_bytes() != b"\x80\x04 not a pickle at all"
    unwritable = tmp_path / "file-not-dir"
    unwritable.write_text("x")
    assert P.load_parser([unwritable]).parse("1", start="expr") is not None


def test_grammar_tables_are_not_unpickled_from_a_place_others_can_write(tmp_path, monkeypatch):
    """Loading the tables unpickles them: a file another user could have planted is never loaded."""
    import os

    import lark
    from tactics import parser as P
    P.load_parser([tmp_path])
    (cached,) = tmp_path.glob("quod-grammar-*.pickle")
    loads = []
    monkeypatch.setattr(lark.Lark, "load", classmethod(lambda cls, f: loads.append(f) or None))
    os.chmod(cached, 0o666)
    P.load_parser([tmp_path])
    assert loads == []                  # world-writable: rebuilt, not loaded
    os.chmod(cached, 0o644)
    os.chmod(tmp_path, 0o777)
    P.load_parser([tmp_path])
    assert loads == []                  # in a world-writable directory: not loaded either
    os.chmod(tmp_path, 0o700)
    assert P._cache_dirs() == [Path(P.__file__).with_name("__pycache__")]


def test_combinators_are_positioned_at_their_keyword():
    (thm,) = parse((GOLDEN / "tactics.proof").read_text(encoding="utf-8"))[:1]
    then_all, b1, b2, all_goals = thm.proof.steps
    assert then_all.name == "then_all" and then_all.args[1].name == "try"
    assert then_all.args[1].pos == Pos("t.proof", 2, 13)
    first = b1.args[0].steps[0]
    assert first.name == "first" and first.pos == Pos("t.proof", 3, 5)
    assert [t.pos.col for t in first.args] == [13, 23]
    repeat = b2.args[0].steps[0]
    assert repeat.name == "repeat" and repeat.pos == Pos("t.proof", 4, 5)
    assert repeat.args[0].name == "group" and repeat.args[0].pos == Pos("t.proof", 4, 12)
    assert all_goals.pos == Pos("t.proof", 5, 3) and all_goals.args[0].pos == Pos("t.proof", 5, 13)
