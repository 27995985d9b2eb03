"""docs/reference.md is honest against the grammar: every keyword, tactic and symbol of
``tactics/grammar.lark`` (and the program items, the attributes and the commands) appears in it as
code, so new syntax cannot be added without documenting it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference.md"


def _code() -> str:
    text = REFERENCE.read_text(encoding="utf-8")
    spans = re.findall(r"```.*?```", text, re.S)
    rest = re.sub(r"```.*?```", "", text, flags=re.S)
    spans += re.findall(r"`([^`\n]+)`", rest)
    return "\n".join(spans).replace("\\|", "|")


def _grammar_literals() -> set[str]:
    g = (ROOT / "tactics" / "grammar.lark").read_text(encoding="utf-8")
    g = "\n".join(line.split("//")[0] for line in g.split("\n"))
    lits = set(re.findall(r'"([^"]+)"', g))
    return {lit.encode().decode("unicode_escape") if "\\\\" in lit else lit for lit in lits}


def test_every_grammar_keyword_and_symbol_is_documented():
    code = _code()
    words = set(re.findall(r"[A-Za-z_][\w']*", code))
    missing = []
    for lit in sorted(_grammar_literals()):
        if re.fullmatch(r"[A-Za-z_][\w]*", lit):
            if lit not in words:
                missing.append(lit)
        elif lit not in code:
            missing.append(lit)
    assert not missing, f"not in docs/reference.md (as code): {missing}"


def test_every_tactic_has_an_entry():
    from tactics.parser import tactic_names
    text = REFERENCE.read_text(encoding="utf-8")
    missing = [t for t in tactic_names() if not re.search(rf"`{re.escape(t)}\b[^`]*`", text)]
    assert not missing, missing
    from quod.help import TACTICS
    assert not [t for t in TACTICS if f"`{t}" not in text]


def test_program_items_attributes_and_commands_are_documented():
    code = _code()
    for frag in ("program", "from c", "from python", "function", "-> bool", "invariant(", "decreasing(",
                 "assume(", "assert(", "havoc", "u32", "i32", "i64", "@[simp]", "expect_dont_know",
                 "print axioms", "import", "QUOD_PATH", "terminates f when P", "diverges f from P", "{P} f {Q}",
                 "[P] f [Q]", "proof", "qed", ":= by", "-- ", "/-", "-/"):
        assert frag in code, frag
    from quod.help import COMMANDS
    decls = ["theorem", "lemma", "def", "axiom", "import", "program", "eval", "check", "search", "print"]
    assert all(d in COMMANDS for d in decls)
    words = set(re.findall(r"[A-Za-z_][\w']*", code))
    assert not [d for d in decls if d not in words]


def test_the_reserved_words_are_those_of_the_grammar():
    g = (ROOT / "tactics" / "grammar.lark").read_text(encoding="utf-8")
    reserved = re.search(r"NAME: /\(\?!\(([^)]*)\)", g).group(1).split("|")
    section = REFERENCE.read_text(encoding="utf-8").split("## 6. Reserved words")[1].split("##")[0]
    listed = re.findall(r"`([^`]+)`", section.split("The other keywords")[0])
    assert sorted(listed) == sorted(reserved)
