"""The trust boundary: the kernel is standard-library only and assert-free, nothing outside it makes
theorems, and exported proof files are re-checked from scratch (tampering is caught)."""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from pathlib import Path

import pytest
from kutil import App, Forall, Int, P, add, base_env, eq, hyp, ite, le, lt, mul, n, sub, sum_to_obligation_proof, x

from kernel import (AxiomDecl, Def, Environment, ExportError, KernelError, ScopeError, TheoremDecl, dumps,
                    export_theorem, loads, verify_file)
from kernel.export import dependencies

ROOT = Path(__file__).resolve().parent.parent.parent
KERNEL = ROOT / "kernel"
SKIP_DIRS = {".git", ".ci-venv", ".venv", "venv", "build", "dist", "__pycache__", ".quod-cache", ".hypothesis",
             ".pytest_cache", "node_modules"}


def kernel_files() -> list[Path]:
    files = sorted(KERNEL.glob("*.py"))
    assert files and any(f.name == "check.py" for f in files)
    return files


def repo_python_files() -> list[Path]:
    """Every .py file of the repository outside kernel/ and tests/kernel/ (virtualenvs and caches pruned)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel = Path(dirpath).relative_to(ROOT)
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")
                       and (rel / d).parts not in (("kernel",), ("tests", "kernel"))]
        out.extend(Path(dirpath) / f for f in filenames if f.endswith(".py"))
    return out


@pytest.mark.parametrize("path", kernel_files(), ids=lambda p: p.name)
def test_kernel_imports_only_the_standard_library(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level > 0:          # relative: another kernel module
                continue
            names = [node.module or ""]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in (
                "__import__", "exec", "eval"):
            bad.append(f"{node.func.id}() at line {node.lineno}")
            continue
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top != "__future__" and top not in sys.stdlib_module_names:
                bad.append(f"{name} at line {node.lineno}")
    assert bad == [], f"{path.name} imports outside the standard library: {bad}"


@pytest.mark.parametrize("path", kernel_files(), ids=lambda p: p.name)
def test_kernel_uses_no_assert(path):
    """``python -O`` strips asserts: a check written as one would silently vanish."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    assert lines == [], f"{path.name} uses assert at lines {lines}"


TABLES = {"RULES", "ORACLES", "ARITH_AXIOMS", "SIGNATURE"}
MUTATORS = {"update", "pop", "popitem", "setdefault", "clear", "__setitem__", "__delitem__"}


def _name(node) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def theorem_forgeries(src: str) -> list[str]:
    """Ways around the kernel, found by syntax and by text: calls of Theorem(...), the private token,
    the environment's theorem table, object.__setattr__, and changes to the kernel's rule tables."""
    found = []
    try:
        tree = ast.parse(src)
    except SyntaxError:
        tree = None
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.Call):
            f = node.func
            if _name(f) == "Theorem":
                found.append(f"Theorem(...) at line {node.lineno}")
            if isinstance(f, ast.Attribute) and f.attr == "__setattr__" and _name(f.value) == "object":
                found.append(f"object.__setattr__ at line {node.lineno}")
            if isinstance(f, ast.Attribute) and f.attr in MUTATORS and _name(f.value) in TABLES:
                found.append(f"{_name(f.value)}.{f.attr} at line {node.lineno}")
        if isinstance(node, (ast.Name, ast.Attribute)) and _name(node) in ("_TOKEN", "_thms"):
            found.append(f"{_name(node)} at line {node.lineno}")
        if isinstance(node, ast.alias) and node.name.split(".")[-1] in ("_TOKEN",):
            found.append(f"import of {node.name}")
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else \
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        for t in targets:
            if isinstance(t, ast.Subscript) and _name(t.value) in TABLES:
                found.append(f"{_name(t.value)}[...] changed at line {node.lineno}")
    for i, line in enumerate(src.splitlines(), 1):
        code = line.split("#", 1)[0]
        if re.search(r"(?<![\w.])Theorem\s*\(", code) or re.search(r"\b_TOKEN\b", code):
            found.append(f"text at line {i}: {line.strip()}")
    return found


def test_nothing_outside_the_kernel_makes_theorems():
    """No Theorem(...) anywhere outside kernel/; outside tests/, also no patching of kernel tables or
    theorem objects (tests may spy on a rule and restore it)."""
    files = repo_python_files()
    assert any(p.parts[-2:] == ("bench", "kernel.py") for p in files)
    bad = {}
    for p in files:
        hits = theorem_forgeries(p.read_text(encoding="utf-8"))
        if "tests" in p.relative_to(ROOT).parts:
            hits = [h for h in hits if h.startswith(("Theorem(", "_TOKEN", "import of", "text at"))]
        if hits:
            bad[str(p.relative_to(ROOT))] = hits
    assert bad == {}, f"Theorem constructed outside kernel/: {bad}"


def test_forgery_scanner_sees_forgeries():
    assert theorem_forgeries("from kernel.env import Theorem\nt = Theorem(tok, 'n', f, frozenset())\n")
    assert theorem_forgeries("import kernel\nt = kernel.env.Theorem(kernel.env._TOKEN, 'n', f, a)\n")
    assert theorem_forgeries("from kernel.env import _TOKEN as t\n")
    assert theorem_forgeries("x = (Theorem (a, b))\n")
    assert theorem_forgeries("env._thms['t'] = old\n")
    assert theorem_forgeries("object.__setattr__(t, 'statement', f)\n")
    assert theorem_forgeries("from kernel.check import RULES\nRULES['magic'] = lambda c: f\n")
    assert theorem_forgeries("import kernel\nkernel.check.RULES.update(magic=g)\n")
    assert theorem_forgeries("del kernel.ORACLES['sorry']\n")
    assert not theorem_forgeries("d = TheoremDecl('n', f, p)\nisinstance(t, Theorem)\nrule = RULES['hyp']\n")


def test_kernel_package_exports_no_token():
    import kernel
    import kernel.env
    assert not hasattr(kernel, "_TOKEN")
    assert "_TOKEN" not in kernel.__all__


# ---- export --------------------------------------------------------------------------------------------

@pytest.fixture()
def env():
    e = base_env()
    e.add(TheoremDecl("sum_to_nonneg_at_0", eq(add(0, 0), 0), P("ring", add(0, 0), Int(0))))
    # uses a theorem and a definition: export must bring both
    e.add(TheoremDecl("succ5", lt(5, add(5, 1)), P("forall_elim", P("thm", "lt_succ"), Int(5))))
    e.add(TheoremDecl("unf", eq(App("sum_to", Int(0)), ite(le(0, 0), 0, add(0, App("sum_to", sub(0, 1))))),
                      P("unfold", "sum_to", (Int(0),))))
    e.add(TheoremDecl("uses_axiom", lt(0, mul(3, 3)),
                      P("forall_elim", P("thm", "ax_pos"), Int(3))))
    return e


def roundtrip(env, name, tmp_path):
    text = export_theorem(env, name)
    path = tmp_path / f"{name}.json"
    path.write_text(text, encoding="utf-8")
    return text, path


def test_export_round_trip(env, tmp_path):
    for name in ["succ5", "unf", "uses_axiom", "lt_succ"]:
        text, path = roundtrip(env, name, tmp_path)
        fresh, names = verify_file(path)
        assert names[-1] == name
        assert fresh.theorem(name).statement == env.theorem(name).statement
        assert fresh.theorem(name).axioms == env.theorem(name).axioms
        decls = loads(text)
        assert [d.name for d in decls] == names
        assert dumps(decls) == text           # stable
    fresh, names = verify_file(roundtrip(env, "unf", tmp_path)[1])
    assert names == ["sum_to", "unf"]
    assert verify_file(roundtrip(env, "uses_axiom", tmp_path)[1])[0].theorem("uses_axiom").axioms == {"ax_pos"}
    assert dependencies(env.declarations(), "succ5") == ["lt_succ", "succ5"]


def test_export_keeps_oracles_visible(tmp_path):
    e = Environment()
    e.add(TheoremDecl("s", lt(0, 1), P("oracle", "sorry", lt(0, 1))))
    e.add(TheoremDecl("t", lt(0, 1), P("thm", "s")))
    fresh, _ = verify_file(roundtrip(e, "t", tmp_path)[1])
    assert fresh.theorem("t").axioms == {"sorry"}


def _tamper(env, name, edit):
    doc = json.loads(export_theorem(env, name))
    edit(doc)
    return json.dumps(doc)


def _verify_text(text, tmp_path):
    p = tmp_path / "t.json"
    p.write_text(text, encoding="utf-8")
    return verify_file(p)


def _find_expr(doc, op, data=None):
    return next(i for i, (o, d, _) in enumerate(doc["exprs"]) if o == op and (data is None or d == data))


def _theorem(doc, name):
    return next(d for d in doc["declarations"] if d["name"] == name)


def test_tampered_statement_rejected(env, tmp_path):
    def edit(doc):       # 5 < 5 + 1  becomes  6 < 5 + 1  in the statement only (new row appended)
        st = _theorem(doc, "succ5")["statement"]
        op, data, kids = doc["exprs"][st]
        doc["exprs"].append(["int", 6, []])
        doc["exprs"].append([op, data, [len(doc["exprs"]) - 1, kids[1]]])
        _theorem(doc, "succ5")["statement"] = len(doc["exprs"]) - 1
    with pytest.raises(KernelError, match="succ5: the proof proves"):
        _verify_text(_tamper(env, "succ5", edit), tmp_path)


def test_tampered_shared_constant_rejected(env, tmp_path):
    def edit(doc):       # every literal 1 becomes 0: lt_succ says x < x + 0 and its certificate fails
        for row in doc["exprs"]:
            if row[0] == "int" and row[1] == 1:
                row[1] = 0
    with pytest.raises(KernelError, match="linarith"):
        _verify_text(_tamper(env, "succ5", edit), tmp_path)


def test_tampered_proof_row_rejected(env, tmp_path):
    def rename_rule(doc):
        row = next(r for r in doc["proofs"] if r[0] == "forall_elim")
        row[0] = "and_left"
    with pytest.raises(KernelError, match="wrong number of arguments|and_left"):
        _verify_text(_tamper(env, "succ5", rename_rule), tmp_path)

    def change_witness(doc):
        row = next(r for r in doc["proofs"] if r[0] == "forall_elim")
        doc["exprs"].append(["int", 4, []])
        row[1][1] = ["e", len(doc["exprs"]) - 1]
    with pytest.raises(KernelError, match="the proof proves 4 < 4 \\+ 1"):
        _verify_text(_tamper(env, "succ5", change_witness), tmp_path)

    def change_coefficient(doc):
        row = next(r for r in doc["proofs"] if r[0] == "linarith")
        pair = row[1][0][1][0][1]           # ["t", [["t", [["i", 1], ["p", k]]]]]: the pair (1, p)
        pair[0][1] = -1                     # certificate ((1, p),) -> ((-1, p),)
    with pytest.raises(KernelError, match="linarith: negative coefficient"):
        _verify_text(_tamper(env, "lt_succ", change_coefficient), tmp_path)

    def oracle_swap(doc):                   # replace a proof by an oracle: accepted, but the axiom shows
        row = next(r for r in doc["proofs"] if r[0] == "ring")
        row[0], row[1] = "oracle", [["s", "sorry"], ["e", _theorem(doc, "sum_to_nonneg_at_0")["statement"]]]
    fresh, _ = _verify_text(_tamper(env, "sum_to_nonneg_at_0", oracle_swap), tmp_path)
    assert fresh.theorem("sum_to_nonneg_at_0").axioms == {"sorry"}


def test_tampered_definition_rejected(env, tmp_path):
    def drop_obligation(doc):
        d = next(d for d in doc["declarations"] if d["name"] == "sum_to")
        d["proofs"] = []
    with pytest.raises(KernelError, match="1 obligations but 0 proofs"):
        _verify_text(_tamper(env, "unf", drop_obligation), tmp_path)

    def drop_dependency(doc):
        doc["declarations"] = [d for d in doc["declarations"] if d["name"] != "lt_succ"]
    with pytest.raises(ScopeError, match="no theorem named lt_succ"):
        _verify_text(_tamper(env, "succ5", drop_dependency), tmp_path)

    def reorder(doc):
        doc["declarations"].reverse()
    with pytest.raises(ScopeError):
        _verify_text(_tamper(env, "unf", reorder), tmp_path)

    def duplicate(doc):
        doc["declarations"].append(doc["declarations"][-1])
    with pytest.raises(ScopeError, match="already declared"):
        _verify_text(_tamper(env, "succ5", duplicate), tmp_path)


@pytest.mark.parametrize("case,pattern", [
    ("truncated", "not valid JSON"),
    ("empty", "not valid JSON"),
    ("not-an-object", "not a quod-proof/1 file"),
    ("wrong-format", "not a quod-proof/1 file"),
    ("forward-expr", "refers to a later or missing row"),
    ("self-expr", "refers to a later or missing row"),
    ("forward-proof", "out of range"),
    ("missing-proof", "out of range"),
    ("bad-statement-ref", "out of range"),
    ("bool-int", "bad proof argument"),
    ("bad-tag", "bad proof argument"),
    ("unknown-op", "unknown operator"),
    ("bool-literal", "int literal"),
    ("sort-mismatch", "expects a term argument"),
    ("unknown-kind", "unknown declaration kind"),
    ("missing-key", "malformed file"),
    ("float-literal", "int literal"),
])
def test_malformed_files_rejected(env, case, pattern, tmp_path):
    text = export_theorem(env, "succ5")
    doc = json.loads(text)
    ex, pr = doc["exprs"], doc["proofs"]
    if case == "truncated":
        text = text[: len(text) // 2]
    elif case == "empty":
        text = ""
    else:
        if case == "not-an-object":
            doc = [doc]
        elif case == "wrong-format":
            doc["format"] = "quod-proof/0"
        elif case == "forward-expr":
            ex[len(ex) // 2][2] = [len(ex) - 1]
            ex[len(ex) // 2][0] = "neg"
        elif case == "self-expr":
            i = next(i for i, r in enumerate(ex) if r[2])
            ex[i][2][0] = i
        elif case == "forward-proof":
            i = next(i for i, r in enumerate(pr) if any(a[0] == "p" for a in r[1]))
            j = next(k for k, a in enumerate(pr[i][1]) if a[0] == "p")
            pr[i][1][j][1] = len(pr) - 1
        elif case == "missing-proof":
            _theorem(doc, "succ5")["proof"] = len(pr)
        elif case == "bad-statement-ref":
            _theorem(doc, "succ5")["statement"] = -1
        elif case == "bool-int":
            pr[0][1].append(["i", True])
        elif case == "bad-tag":
            pr[0][1].append(["x", 1])
        elif case == "unknown-op":
            ex[0][0] = "pow"
        elif case == "bool-literal":
            ex[_find_expr(doc, "int")][1] = True
        elif case == "float-literal":
            ex[_find_expr(doc, "int")][1] = 1.0
        elif case == "sort-mismatch":
            i = _find_expr(doc, "add")
            ex.append(["true", None, []])
            ex.append(["lt", None, [len(ex) - 1, ex[i][2][0]]])
            _theorem(doc, "succ5")["statement"] = len(ex) - 1
        elif case == "unknown-kind":
            doc["declarations"][0]["kind"] = "lemma"
        elif case == "missing-key":
            del doc["declarations"][0]["name"]
        text = json.dumps(doc)
    with pytest.raises(ExportError, match=pattern) as ei:
        _verify_text(text, tmp_path)
    assert ei.value.rule in ("import", "verify")


def test_deeply_nested_proof_arguments_are_malformed_not_a_crash(env):
    """Whichever gives up first, the JSON parser or the reader, the answer is an ExportError."""
    from kernel.export import loads
    doc = json.loads(export_theorem(env, "succ5"))
    doc["proofs"][0][1].append("DEEP")
    text = json.dumps(doc)
    for depth in range(300, 1000, 20):
        try:
            loads(text.replace('"DEEP"', '["t",[' * depth + '["i",1]' + ']]' * depth))
        except ExportError:
            pass


def test_forward_reference_in_proof_table_cannot_make_cycles(tmp_path):
    """Rows refer only backwards, so a proof cannot contain itself (no infinite or circular proofs)."""
    e = Environment()
    e.add(TheoremDecl("t", Forall("x", le(x, x)), P("forall_intro", "x", P("by_contra", "h", le(x, x), P(
        "linarith", ((1, hyp("h")),))))))
    doc = json.loads(export_theorem(e, "t"))
    top = _theorem(doc, "t")["proof"]
    row = doc["proofs"][top]
    row[1][1] = ["p", top]          # forall_intro x (itself)
    with pytest.raises(ExportError, match="out of range"):
        loads(json.dumps(doc))


def test_verify_missing_and_binary_files(tmp_path):
    with pytest.raises(ExportError, match="cannot read"):
        verify_file(tmp_path / "nope.json")
    p = tmp_path / "bin.json"
    p.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ExportError):
        verify_file(p)


def test_export_of_definitions_and_axioms(tmp_path):
    e = Environment()
    e.add(AxiomDecl("ax", Forall("x", le(0, x))))
    e.add(Def("f", ("n",), "term", ite(le(n, 0), 0, add(n, App("f", sub(n, 1)))), n, (sum_to_obligation_proof(),)))
    e.add(TheoremDecl("u", le(0, 3), P("forall_elim", P("thm", "ax"), Int(3))))
    e.add(TheoremDecl("w", eq(App("f", Int(0)), App("f", Int(0))), P("refl", App("f", Int(0)))))
    fresh, names = verify_file(roundtrip(e, "u", tmp_path)[1])
    assert names == ["ax", "u"] and fresh.theorem("u").axioms == {"ax"}
    fresh, names = verify_file(roundtrip(e, "w", tmp_path)[1])
    assert names == ["f", "w"]
    with pytest.raises(ExportError, match="no declaration named"):
        export_theorem(e, "nope")

