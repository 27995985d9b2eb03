"""Reading .proof text: comments, layout, the Lark grammar, friendly errors.

A file is first cleared of comments (kept as spaces, so positions stay true),
then split into top-level items: an item starts at a line that begins in
column 1, and a ``proof`` block runs to its ``qed``. Each item is parsed with
the LALR grammar in ``grammar.lark``. Tactic blocks are laid out by
indentation, like Lean: lines of one block start in the same column, a more
indented line continues the line above, and a bullet ``.`` owns the lines
indented under it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .syntax import (AxiomDecl, Binder, Block, Command, DefDecl, Import, Pos, QuodError, SExpr, Tactic,
                     TheoremDecl)

GRAMMAR = Path(__file__).with_name("grammar.lark")


@lru_cache(maxsize=1)
def _lark():
    import lark
    return lark.Lark(GRAMMAR.read_text(encoding="utf-8"), start=["item", "tactic_seq", "expr"],
                     parser="lalr", maybe_placeholders=False, propagate_positions=True)


# ---- comments and items ------------------------------------------------------------

def strip_comments(text: str, file: str) -> str:
    """Blank out ``-- ...`` and nested ``/- ... -/`` comments, keeping line structure."""
    out = list(text)
    i, n, depth, start = 0, len(text), 0, None
    while i < n:
        if depth == 0 and text.startswith('"""', i):
            j = text.find('"""', i + 3)
            i = n if j < 0 else j + 3
            continue
        if text.startswith("/-", i):
            if depth == 0:
                start = i
            depth += 1
            out[i] = out[i + 1] = " "
            i += 2
            continue
        if depth and text.startswith("-/", i):
            depth -= 1
            out[i] = out[i + 1] = " "
            i += 2
            continue
        if depth:
            if text[i] != "\n":
                out[i] = " "
            i += 1
            continue
        if text.startswith("--", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
            continue
        i += 1
    if depth:
        raise QuodError(_pos_of(text, start, file), "unterminated comment: '/-' has no matching '-/'")
    return "".join(out)


def _pos_of(text: str, offset: int, file: str) -> Pos:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Pos(file, line, col)


_CONTINUES = re.compile(r"(proof|qed|decreasing|:=)\b|:=")


def split_items(text: str) -> list[tuple[int, str]]:
    """Top-level items as (first line number, text); the text starts in column 1."""
    items: list[tuple[int, list[str]]] = []
    in_proof = False
    for no, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if in_proof:
            items[-1][1].append(line)
            if stripped == "qed" or stripped.endswith(" qed"):
                in_proof = False
            continue
        if not stripped:
            if items:
                items[-1][1].append(line)
            continue
        starts_new = not line[0].isspace() and not _CONTINUES.match(line)
        if starts_new or not items:
            items.append((no, [line]))
        else:
            items[-1][1].append(line)
        if re.search(r"(^|\s)proof\s*$", line) or re.match(r"\s*proof\b", line):
            in_proof = not re.search(r"\bqed\s*$", line)
    return [(no, "\n".join(lines).rstrip()) for no, lines in items]


# ---- parse errors in words ---------------------------------------------------------------

_WORDS = {"NAME": "a name", "INT": "a number", "DOTTED": "a module name", "LPAR": "'('",
          "RPAR": "')'", "COLON": "':'", "COMMA": "','", "THM_KW": "'theorem'",
          "BY_BLOCK": "':= by' and a proof", "PROOF_BLOCK": "'proof'", "SEMICOLON": "';'",
          "$END": "the end of the input", "__ANON": "a keyword"}
_EXPR_START = {"INT", "NAME", "LPAR", "MINUS", "NOT", "FORALL", "EXISTS", "IF", "TRUE", "FALSE"}


def _expected_words(expected: set) -> str:
    exp = set(expected)
    words = []
    if len(exp & _EXPR_START) >= 3:
        words.append("a formula or term")
        exp -= _EXPR_START
    tactic_like = {e for e in exp if e.isupper() and e.lower() in _TACTIC_NAMES}
    if len(tactic_like) >= 5:
        words.append("a tactic")
        exp -= tactic_like
    for e in sorted(exp):
        if e in _WORDS:
            words.append(_WORDS[e])
        elif e.startswith("__") or e in ("PLUS", "MUL", "CMP", "AND", "OR", "IMP", "IFF", "DVD", "STAR",
                                         "SLASH", "PERCENT", "MINUS"):
            continue
        else:
            words.append(f"'{e.lower()}'")
    words = list(dict.fromkeys(words))
    if not words:
        return "something else"
    return ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1]


_TACTIC_NAMES = {"intro", "intros", "apply", "exact", "assumption", "split", "constructor", "left",
                 "right", "cases", "induction", "rewrite", "rw", "unfold", "simp", "have", "show",
                 "by_contra", "contradiction", "exfalso", "ring", "linarith", "norm_num", "sorry", "try",
                 "repeat", "first", "all_goals", "trivial", "calc", "smt", "specialize", "skip", "done",
                 "reflexivity", "strong_induction"}


def _describe(tok) -> str:
    if tok is None or tok.type == "$END":
        return "the end of the input"
    v = str(tok)
    return f"'{v[:30]}'" if len(v) < 30 else f"'{v[:30]}...'"


def _lark_error(exc, file: str, base_line: int, base_col: int, what: str) -> QuodError:
    import lark
    line = getattr(exc, "line", 1)
    col = getattr(exc, "column", 1)
    if not isinstance(line, int) or line < 1:
        line, col = 1, 1
    pos = Pos(file, base_line + line - 1, col + (base_col - 1 if line == 1 else 0))
    if isinstance(exc, lark.UnexpectedCharacters):
        ch = exc.char
        shown = repr(ch) if not ch.isprintable() or ch.isspace() else f"'{ch}'"
        return QuodError(pos, f"unexpected character {shown} in {what}")
    if isinstance(exc, lark.UnexpectedToken):
        tok = exc.token
        prev = None
        try:
            prev = exc.token_history[-1] if exc.token_history else None
        except Exception:
            prev = None
        after = f" after '{prev}'" if prev is not None and len(str(prev)) < 20 else ""
        if tok.type == "$END":
            return QuodError(pos, f"{what} ends too early: expected {_expected_words(exc.expected)}{after}")
        return QuodError(pos, f"expected {_expected_words(exc.expected)}{after}, found {_describe(tok)}")
    return QuodError(pos, f"cannot parse {what}: {exc}")


def _parse(text: str, start: str, file: str, line: int, col: int, what: str):
    import lark
    try:
        tree = _lark().parse(text, start=start)
    except lark.exceptions.UnexpectedInput as exc:
        raise _lark_error(exc, file, line, col, what) from None
    from .build import Build
    try:
        return Build(file, line, col, text).transform(tree)
    except lark.exceptions.VisitError as exc:
        if isinstance(exc.orig_exc, QuodError):
            raise exc.orig_exc from None
        raise


# ---- public entry points ---------------------------------------------------------------

def parse_file(text: str, file: str) -> list:
    """All declarations and commands of a .proof file, in order."""
    clean = strip_comments(text, file)
    out = []
    for line, item in split_items(clean):
        out.append(_parse(item, "item", file, line, 1, "this declaration"))
    return out


def parse_expr(text: str, file: str = "<input>", line: int = 1, col: int = 1) -> SExpr:
    return _parse(text, "expr", file, line, col, "the formula")


def parse_block(text: str, file: str, line: int, col: int) -> Block:
    """A tactic block laid out by indentation; ``text`` starts at (line, col)."""
    phys = []   # (line, col of first char, offset in text)
    off = 0
    for i, seg in enumerate(text.split("\n")):
        base = col if i == 0 else 1
        s = len(seg) - len(seg.lstrip())
        if seg.strip():
            phys.append((line + i, base + s, off + s))
        off += len(seg) + 1
    steps = []
    if not phys:
        return Block([], Pos(file, line, col))
    # Group physical lines into steps: a line indented more than the block continues the step.
    first_inline = phys[0][0] == line and col > 1 and len(phys) > 1
    indent = phys[1][1] if first_inline else phys[0][1]
    groups: list[list] = []
    for k, p in enumerate(phys):
        if k == 0 or (first_inline and k == 1) or p[1] <= indent:
            if k > 0 and p[1] < indent:
                raise QuodError(Pos(file, p[0], p[1]), "this line is indented less than the tactics above it")
            groups.append([p])
        else:
            groups[-1].append(p)
    for g in groups:
        start = g[0][2]
        nxt = [q for q in phys if q[2] > g[-1][2]]
        end = nxt[0][2] if nxt else len(text)
        chunk = text[start:end].rstrip()
        sline, scol = g[0][0], g[0][1]
        if chunk[:1] in (".", "·") and (len(chunk) == 1 or chunk[1] in " \t\n"):
            inner = parse_block(chunk[1:], file, sline, scol + 1)
            steps.append(Tactic("bullet", (inner,), Pos(file, sline, scol), text=chunk))
            continue
        seq = _parse(chunk, "tactic_seq", file, sline, scol, "this tactic")
        steps.extend(seq)
    return Block(steps, Pos(file, line, col))


__all__ = ["parse_file", "parse_expr", "parse_block", "strip_comments", "split_items",
           "AxiomDecl", "Binder", "Block", "Command", "DefDecl", "Import", "Pos", "QuodError",
           "SExpr", "Tactic", "TheoremDecl"]
