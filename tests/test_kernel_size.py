"""The kernel stays small enough to read in an afternoon: under 2,000 lines of code."""

import ast
import io
import pathlib
import tokenize

KERNEL = pathlib.Path(__file__).resolve().parent.parent / "kernel"


def code_lines(path: pathlib.Path) -> int:
    """Lines holding code: not blank, not comments, not docstrings."""
    src = path.read_text(encoding="utf-8")
    docs = set()
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)):
            b = node.body
            if b and isinstance(b[0], ast.Expr) and isinstance(b[0].value, ast.Constant) \
                    and isinstance(b[0].value.value, str):
                docs.update(range(b[0].lineno, b[0].end_lineno + 1))
    code = set()
    skip = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type not in skip:
            code.update(range(tok.start[0], tok.end[0] + 1))
    return len(code - docs)


def test_kernel_is_under_2000_lines_of_code():
    total = sum(code_lines(p) for p in KERNEL.glob("*.py"))
    assert 500 < total < 2000, total
