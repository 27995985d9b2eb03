"""Reading C text with pycparser: syntax errors with their line and column, the preprocessed text,
and questions about the syntax tree that the translation asks (labels, calls, the names a function
writes)."""

from __future__ import annotations

import re

from .c_text import blank_comments
from .lang import ProgramError


def strip_comments(source: str) -> str:
    """The source with its comments blanked out (newlines kept, so lines and columns stay the same);
    string and character literals are left alone. A ``//`` comment ending in a backslash goes on
    on the next line, as in C."""
    return blank_comments(source)


def syntax_error(exc, parser) -> ProgramError:
    """pycparser's ParseError as a ProgramError with the source line (and column). Some of its messages
    ('<c>: Invalid expression') carry no position: then the token the parser stopped at gives it."""
    msg = str(exc)
    m = re.match(r"[^:]*:(\d+)(?::(\d+))?: (.*)", msg, re.S)
    if m:
        line, col, text = int(m.group(1)), int(m.group(2)) if m.group(2) else None, m.group(3)
    else:
        text = re.sub(r"^[^:]*:\s*", "", msg)
        line = col = None
        try:             # pycparser 3's token stream: the next token is where it stopped
            tokens = parser._tokens
            tok = tokens.peek()
            if tok is not None:
                text += f" before: {tok.value}"
            else:
                tok = next((t for t in reversed(tokens._buffer) if t is not None), None)
                text += " at the end of the input"
            if tok is not None:
                line, col = tok.lineno, getattr(tok, "column", None)
        except Exception:      # another pycparser: no position then
            pass
    return ProgramError(f"C syntax: {text}", line, col if line else None)


def error_offset(text: str, exc) -> int | None:
    m = re.match(r"[^:]*:(\d+):(\d+):", str(exc))
    if not m:
        return None
    return text_offset(text, int(m.group(1)), int(m.group(2)))


def text_offset(text: str, line: int, col: int) -> int | None:
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    return sum(len(x) + 1 for x in lines[:line - 1]) + col - 1


def missing_semicolon(text: str, line: int | None, col: int | None):
    """(line, column, the token) just after the token before the error, when a ';' there lets the
    parser get past the error: the statement before lacks its ';' (the error is at the next token)."""
    from pycparser import c_parser
    if not line or not col:
        return None
    at = text_offset(text, line, col)
    if at is None or at > len(text):
        return None
    prev = at - 1
    while prev >= 0 and text[prev].isspace():
        prev -= 1
    if prev < 0 or text[prev] in ";{}":
        return None
    fixed = text[:prev + 1] + ";" + text[prev + 1:]
    try:
        c_parser.CParser().parse(fixed, filename="<c>")
    except Exception as exc:
        later = error_offset(fixed, exc)
        if later is None or later <= at + 1:
            return None
    m = re.match(r"[A-Za-z_]\w*|\S", text[at:])
    before = f"'{m.group()}'" if m else "the end of the input"
    ln = text.count("\n", 0, prev + 1) + 1
    cl = prev + 1 - (text.rfind("\n", 0, prev + 1) + 1) + 1
    return ln, cl, before


def prepare(source: str, base_dir=None):
    """(the preprocessed source, the text pycparser parses): ``programs.preprocess`` runs a C
    preprocessor; its output's first line is left for ``typedef _Bool bool;`` (``bool`` without
    <stdbool.h>) unless the program defines ``bool`` itself."""
    from .preprocess import preprocess
    pp = preprocess(source, base_dir)
    text = pp.text
    if not re.search(r"\btypedef\b[^;]*\bbool\s*;", text):
        text = "typedef _Bool bool;" + text
    return pp, text


def walk(node):
    yield node
    for _, child in node.children():
        yield from walk(child)


def line_of(node) -> int | None:
    c = getattr(node, "coord", None)
    return c.line if c is not None and c.line else None


def written_names(funcs) -> set:
    """Every name assigned, incremented, decremented or whose address is taken in the functions' bodies
    (a local of the same name counts too: the check that uses it only refuses more)."""
    from pycparser import c_ast
    out: set = set()
    for f in funcs:
        for n in walk(f):
            target = n.lvalue if isinstance(n, c_ast.Assignment) else\
                n.expr if isinstance(n, c_ast.UnaryOp) and n.op in ("++", "--", "p++", "p--", "&") else None
            while isinstance(target, c_ast.Cast):
                target = target.expr
            if isinstance(target, c_ast.ID):
                out.add(target.name)
    return out


def global_writes(fd) -> set:
    """The names a function definition assigns, increments or decrements that it does not declare
    itself (parameters and locals): the file-scope variables it may change."""
    from pycparser import c_ast
    own = {n.name for n in walk(fd.decl.type.args) if isinstance(n, c_ast.Decl)} if fd.decl.type.args else set()
    own |= {n.name for n in walk(fd.body) if isinstance(n, c_ast.Decl)}
    return written_names([fd.body]) - own


def label_chain(s) -> list:
    """The labels of a statement itself (``a: b: stmt`` has a and b)."""
    from pycparser import c_ast
    out = []
    while isinstance(s, c_ast.Label):
        out.append(s.name)
        s = s.stmt
    return out


def labels_in(node) -> list:
    """Every label in a statement, nested ones too, in order."""
    from pycparser import c_ast
    return [n.name for n in walk(node) if isinstance(n, c_ast.Label)]


def path_to_label(node, label: str) -> list:
    """The statements from node down to the statement labelled ``label`` (both included)."""
    from pycparser import c_ast
    if isinstance(node, c_ast.Label) and node.name == label:
        return [node]
    for _, ch in node.children():
        p = path_to_label(ch, label)
        if p:
            return [node] + p
    return []


class BackwardRegion:
    """Statements of one block that a backward goto to ``label`` repeats (no scope of their own); walked
    like a pycparser node."""

    def __init__(self, label: str, items: list, coord):
        self.label, self.block_items, self.coord = label, items, coord

    def children(self):
        return tuple((f"block_items[{i}]", x) for i, x in enumerate(self.block_items))


def exit_site(s):
    """The call a statement is, if it is one of the forms where a call may end the program:
    ``f(...);``, ``x = f(...);``, ``T x = f(...);``, ``return f(...);`` (None otherwise)."""
    from pycparser import c_ast
    e = s.rvalue if isinstance(s, c_ast.Assignment) and s.op == "=" else\
        s.init if isinstance(s, c_ast.Decl) else s.expr if isinstance(s, c_ast.Return) else s
    return e if isinstance(e, c_ast.FuncCall) else None


def called_names(e) -> list:
    """The names of the functions called in e (as written: an ``ID`` that is a call's function)."""
    from pycparser import c_ast
    return [n.name.name for n in walk(e) if isinstance(n, c_ast.FuncCall) and isinstance(n.name, c_ast.ID)]
