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

import hashlib
import os
import re
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from .syntax import (AxiomDecl, Binder, Block, Command, DefDecl, Import, Pos, QuodError, SExpr, Tactic,
                     TheoremDecl, normalize_newlines)

GRAMMAR = Path(__file__).with_name("grammar.lark")
_OPTIONS = dict(start=["item", "tactic_seq", "expr"], parser="lalr", maybe_placeholders=False,
                propagate_positions=True)


def _cache_dirs() -> list[Path]:
    """Only next to Quod's own code: loading the tables unpickles them, which can run code, so they
    are never read from a place less trusted than the code itself (such as the user cache directory)."""
    return [Path(__file__).with_name("__pycache__")]


def _trusted(path: Path) -> bool:
    """A file (and its directory) owned by this user or root, and writable by nobody else."""
    try:
        for st in (os.stat(path), os.stat(path.parent)):
            if st.st_uid not in (os.getuid(), 0) or st.st_mode & 0o022:
                return False
    except (OSError, AttributeError):
        return False
    return True


@lru_cache(maxsize=1)
def _lark():
    return load_parser(_cache_dirs())


def _import_lark():
    """``import lark`` without the third-party ``regex`` module, which lark only probes for (it is
    used with ``Lark(regex=True)`` and for ``\\p{..}`` classes, neither of which Quod's grammar has):
    importing it costs more than the rest of lark's start-up."""
    if "lark" in sys.modules:
        return sys.modules["lark"]
    had = "regex" in sys.modules
    if not had:
        sys.modules["regex"] = None         # import regex raises ImportError while lark loads
    try:
        import lark
    finally:
        if not had:
            del sys.modules["regex"]
    return lark


def load_parser(dirs: list[Path]):
    """The LALR parser; its tables are cached on disk (building them takes a few hundred ms).

    A cache file that cannot be read back, for whatever reason, is ignored and rewritten.
    """
    lark = _import_lark()
    text = GRAMMAR.read_text(encoding="utf-8")
    key = hashlib.sha256(f"{text}\0{lark.__version__}\0{sorted(_OPTIONS.items())}\0{sys.version}".encode())
    name = f"quod-grammar-{key.hexdigest()[:24]}.pickle"
    for d in dirs:
        if not _trusted(d / name):
            continue
        try:
            with open(d / name, "rb") as f:
                return lark.Lark.load(f)
        except Exception:
            continue
    parser = lark.Lark(text, **_OPTIONS)
    for d in dirs:
        try:
            d.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-grammar-")
            try:
                with os.fdopen(fd, "wb") as f:
                    parser.save(f)
                os.replace(tmp, d / name)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            break
        except Exception:
            continue
    return parser


# ---- comments and items ------------------------------------------------------------

_OPENERS = re.compile(r'"""|/-|--')
_NESTING = re.compile(r"/-|-/")


def _blank(s: str) -> str:
    return "\n".join(" " * len(part) for part in s.split("\n"))


def strip_comments(text: str, file: str) -> str:
    """Blank out ``-- ...`` and nested ``/- ... -/`` comments, keeping line structure.

    Triple-quoted strings (program sources) are left alone. Linear time, so a
    10 MB file is fine.
    """
    if text.startswith("\ufeff"):          # a byte-order mark is not part of the text (nor a column)
        text = text[1:]
    text = normalize_newlines(text, file)
    parts, i, n = [], 0, len(text)
    while i < n:
        m = _OPENERS.search(text, i)
        if m is None:
            parts.append(text[i:])
            break
        s, tok = m.start(), m.group()
        if tok == '"""':
            j = text.find('"""', s + 3)
            j = n if j < 0 else j + 3
            parts.append(text[i:j])
            i = j
            continue
        parts.append(text[i:s])
        if tok == "--":
            j = text.find("\n", s)
            j = n if j < 0 else j
            parts.append(" " * (j - s))
            i = j
            continue
        depth, k = 1, s + 2
        while depth:
            b = _NESTING.search(text, k)
            if b is None:
                raise QuodError(_pos_of(text, s, file), "unterminated comment: '/-' has no matching '-/'")
            depth += 1 if b.group() == "/-" else -1
            k = b.end()
        parts.append(_blank(text[s:k]))
        i = k
    return "".join(parts)


def _pos_of(text: str, offset: int, file: str) -> Pos:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Pos(file, line, col)


_CONTINUES = re.compile(r"(proof|qed|decreasing|:=)\b|:=")
_PROOF_OPENS = re.compile(r"(?:^|\s)proof\s*$")
_PROOF_FIRST = re.compile(r"\s*proof\b")
_QED_LAST = re.compile(r"\bqed\s*$")
_DECL_WORD = re.compile(r"@\[|(theorem|lemma|def|axiom|import|check|eval|search|print|program)\b")


_ATTRS_ONLY = re.compile(r"@\[[^\]\n]*\]")


def split_items(text: str) -> list[tuple[int, str]]:
    """Top-level items as (first line number, text); the text starts in column 1."""
    return list(iter_items(text))


def iter_items(text: str):
    """Like ``split_items``, one item at a time (so an error in the first item of a huge file is quick)."""
    cur_no, cur, in_proof, junk = 0, None, False, False
    for no, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if in_proof and not (line[:1].strip() and _DECL_WORD.match(line)):
            cur.append(line)
            if stripped == "qed" or stripped.endswith(" qed"):
                in_proof = False
            continue
        if in_proof:
            # a declaration in column 1 inside a proof: the proof's `qed` is missing. The proof ends
            # here (its theorem reports the missing qed) and the declaration is read as one.
            in_proof = False
            yield cur_no, "\n".join(cur).rstrip()
            cur = None
        if not stripped:
            if cur is not None:
                cur.append(line)
            continue
        if cur is not None and len(cur) == 1 and not line[0].isspace() and _ATTRS_ONLY.fullmatch(cur[0].strip()) \
                and re.match(r"(theorem|lemma|def)\b", line):
            cur.append(line)        # `@[simp]` on a line of its own belongs to the declaration below it
        elif cur is None or (not line[0].isspace() and not _CONTINUES.match(line)):
            starts_decl = _DECL_WORD.match(line) is not None
            if junk and not starts_decl:
                # Column-1 lines that start no declaration stay with the one before them, so a
                # file of junk is one bad item (one error), not a million.
                cur.append(line)
                continue
            if cur is not None:
                yield cur_no, "\n".join(cur).rstrip()
            cur_no, cur, junk = no, [line], not starts_decl
        else:
            cur.append(line)
        if "proof" in line and (_PROOF_OPENS.search(line) or _PROOF_FIRST.match(line)):
            in_proof = not _QED_LAST.search(line)
    if cur is not None:
        yield cur_no, "\n".join(cur).rstrip()


# ---- parse errors in words ---------------------------------------------------------------

_EXPR_START = {"INT", "NAME", "LPAR", "MINUS", "NOT", "FORALL", "EXISTS", "IF", "TRUE", "FALSE", "UNDERSCORE"}
_OPERATORS = {"PLUS", "MINUS", "MUL", "CMP", "AND", "OR", "IMP", "IFF", "DVD"}
_DECL_START = {"IMPORT", "DEF", "THM_KW", "AXIOM", "PRINT", "CHECK", "EVAL", "SEARCH", "__ANON_1"}
_NAMED = {"NAME": "a name", "INT": "a number", "DOTTED": "a module name such as integers.order",
          "THM_KW": "'theorem'", "BY_BLOCK": "':= by'", "PROOF_BLOCK": "'proof'", "CALC_TAIL": "calc steps",
          "FORALL": "'forall'", "EXISTS": "'exists'", "IFF": "'<->'", "IMP": "'->'", "OR": "'or'",
          "AND": "'and'", "NOT": "'not'", "CMP": "a comparison such as '=' or '<='", "DVD": "'|'",
          "MUL": "'*'", "REV": "'<-'", "PLUS": "'+'", "MINUS": "'-'"}
# After these tokens an expression must follow; what kind, in words.
_FORMULA_AFTER = {":", "->", "→", "<->", "↔", "and", "or", "not", "/\\", "\\/", "∧", "∨", "~", "¬", "show",
                  "if", "have"}
_TERM_AFTER = {"+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">=", "≠", "≤", "≥", "|", ":=",
               "from", "decreasing", "exact", "apply"}
_LAST_WORD = re.compile(r"([A-Za-z_][A-Za-z0-9_'.]*|\d+|:=|<->|->|<=|>=|!=|/\\|\\/|<;>|<-|\S)\s*$")
_FIRST_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_']*|\d+|:=|<->|->|<=|>=|!=|/\\|\\/|<;>|<-|\S")


@lru_cache(maxsize=1)
def _grammar_info():
    """Read off the grammar: each terminal's literal text, the tactic keywords, and which
    terminals can start a formula, a tactic and a declaration (so new syntax needs no edits here)."""
    lk = _lark()
    literal = {}
    for t in lk.terminals:
        if type(t.pattern).__name__ == "PatternStr":
            literal[t.name] = t.pattern.value
    tactics = {}
    for r in lk.rules:
        if r.origin.name in ("atomic", "tactic_prim") and r.expansion:
            first = r.expansion[0].name
            word = literal.get(first, "exists" if first == "EXISTS" else None)
            if word and word[0].isalpha():
                tactics[first] = word
    try:
        table = lk.parser.parser.parser.parse_table

        def first(start):
            return {k for k in table.states[table.start_states[start]] if k.isupper()}
        expr_first, tactic_first, item_first = first("expr"), first("tactic_seq"), first("item")
    except Exception:
        expr_first, tactic_first, item_first = _EXPR_START, set(tactics) | {"LBRACE", "LPAR"}, _DECL_START
    return literal, tactics, expr_first, tactic_first, item_first


def tactic_names() -> list[str]:
    return sorted(set(_grammar_info()[1].values()))


def _expected_words(expected, prev: str | None = None, what: str = "") -> str:
    literal, tactics, expr_first, tactic_first, item_first = _grammar_info()
    exp = set(expected)
    words = []
    if len(exp & set(tactics)) >= 5:
        words.append("a tactic")
        exp -= tactic_first
    if len(exp & item_first) >= 4:
        words.append("a declaration (theorem, lemma, def, axiom, import) or a command (check, eval, search, "
                     "print axioms)")
        exp -= item_first
    if len(exp & expr_first) >= 3:
        if prev in _FORMULA_AFTER:
            words.append("a formula")
        elif prev in _TERM_AFTER:
            words.append("a term")
        else:
            words.append("a formula or term")
        exp -= expr_first
    if words and words[-1].startswith("a formula") or "a term" in words:
        exp.discard("REV")
    ops = exp & _OPERATORS
    exp -= _OPERATORS
    for e in sorted(exp, key=lambda e: (e == "$END", e)):
        if e == "$END":
            words.append(f"the end of {what or 'the input'}")
        elif e in _NAMED:
            words.append(_NAMED[e])
        elif e in literal:
            words.append(f"'{literal[e]}'")
        # other anonymous terminals are never the only thing expected; leave them out
    if not words and ops:
        words.append("an operator")
    words = list(dict.fromkeys(words))
    if not words:
        return "something else"
    return ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1]


def _shorten(s: str, n: int = 30) -> str:
    return s if len(s) <= n else s[:n] + "..."


def _describe(tok) -> str:
    """The token found, in words: the keyword or symbol itself, never a whole block."""
    if tok is None or tok.type == "$END":
        return "the end of the input"
    v = str(tok)
    if tok.type in ("BY_BLOCK", "PROOF_BLOCK", "CALC_TAIL"):
        m = _FIRST_WORD.match(v.lstrip())
        v = m.group() if m else v[:1]
    if tok.type != "NAME" and re.fullmatch(r"[A-Za-z_]+", v) and tok.type not in ("DOTTED",):
        return f"the keyword '{v}'"
    return repr(v) if not v.isprintable() else f"'{_shorten(v)}'"


def _unexpected_char(ch: str, what: str) -> str:
    shown = repr(ch) if not ch.isprintable() or ch.isspace() else f"'{ch}'"
    return f"unexpected character {shown} in {what}"


def _lark_error(exc, file: str, base_line: int, base_col: int, what: str, text: str = "") -> QuodError:
    lark = _import_lark()

    def at(line, col):
        if not isinstance(line, int) or line < 1 or not isinstance(col, int) or col < 1:
            line, col = 1, 1
        return Pos(file, base_line + line - 1, col + (base_col - 1 if line == 1 else 0))

    if isinstance(exc, lark.UnexpectedCharacters):
        return QuodError(at(exc.line, exc.column), _unexpected_char(exc.char, what))
    if not isinstance(exc, lark.UnexpectedToken):
        return QuodError(at(getattr(exc, "line", 1), getattr(exc, "column", 1)), f"cannot read {what}")
    tok = exc.token
    literal, tactics, _, _, item_first = _grammar_info()
    expected = _acceptable(exc)
    offset = getattr(tok, "start_pos", None)
    if tok.type == "$END":
        offset = len(text.rstrip())
        pos = _pos_of(text, offset, "") if text else None
        pos = at(pos.line, pos.col) if pos else at(tok.end_line, tok.end_column)
    else:
        pos = at(tok.line, tok.column)
    prev = None
    if isinstance(offset, int) and text:
        m = _LAST_WORD.search(text[max(0, offset - 200):offset])
        prev = m.group(1) if m else None
    after = f" after '{_shorten(prev, 20)}'" if prev else ""
    found = str(tok)
    # The catch-all calc terminal swallows whatever the other terminals could not read.
    if tok.type == "CALC_TAIL" and "CALC_TAIL" not in expected:
        ch = found.lstrip()[:1]
        if ch and not (ch.isalnum() or ch in "_()[]{},;:=<>!+-*/%|.~\\@'" or ch in "∀∃¬∧∨→↔≠≤≥←·"):
            return QuodError(pos, _unexpected_char(ch, what))
    if tok.type == "$END":
        if expected & {"BY_BLOCK", "PROOF_BLOCK"} and what == "this declaration":
            return QuodError(pos, "this theorem has no proof: expected ':= by' and tactics, or 'proof' ... 'qed'")
        return QuodError(pos, f"{what} ends too early: expected {_expected_words(expected, prev, what)}{after}")
    first = _FIRST_WORD.match(found.lstrip())
    if first is not None and first.group() == ":=" and "BY_BLOCK" in expected:
        return QuodError(pos, "expected 'by' after ':=' (a proof is ':= by' and tactics, or 'proof' ... 'qed')")
    if len(expected & set(tactics)) >= 5 and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_']*", found) \
            and tok.type not in tactics:
        import difflib
        close = difflib.get_close_matches(found, tactic_names(), n=3, cutoff=0.7)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        return QuodError(pos, f"unknown tactic '{_shorten(found)}'{hint}")
    if len(expected & item_first) >= 4 and base_col == 1 and tok.line == 1 and tok.column == 1:
        word = _FIRST_WORD.match(found)
        w = word.group() if word else found[:1]
        if w in tactics.values() or w in ("qed", "proof", "by"):
            return QuodError(pos, f"'{w}' in column 1 starts a new declaration; indent the lines of a proof")
        return QuodError(pos, f"expected {_expected_words(expected, None, what)}, found {_describe(tok)}")
    msg = f"expected {_expected_words(expected, prev, what)}{after}, found {_describe(tok)}"
    if isinstance(offset, int) and text:
        opened = _unclosed_paren(text, offset)
        if "RPAR" in expected and opened is not None:
            p = _pos_of(text, opened, "")
            p = at(p.line, p.col)
            msg += f"; the '(' at line {p.line}, column {p.col} is not closed"
        elif tok.type == "RPAR" and opened is None:
            msg += " (this ')' has no matching '(')"
    return QuodError(pos, msg)


def _acceptable(exc) -> set:
    """The terminals the parser would really accept here: Lark's ``expected`` is a superset (the
    contextual lexer reports the union over merged LALR states), so try each on a copy of the parser."""
    expected = set(exc.expected)
    ip = getattr(exc, "interactive_parser", None)
    if ip is None:
        return expected
    try:
        from copy import copy

        from lark import Token
        from lark.exceptions import UnexpectedToken
        state = ip.parser_state
        conf = copy(state.parse_conf)
        conf.callbacks = {}          # no tree building: only whether the token is accepted
        out = set()
        for t in expected:
            cur = type(state)(conf, state.lexer, list(state.state_stack), [])
            try:
                cur.feed_token(Token(t, ""), t == "$END")
            except (UnexpectedToken, IndexError, KeyError, AssertionError):
                continue
            out.add(t)
        return out or expected
    except Exception:
        return expected


def _unclosed_paren(text: str, offset: int) -> int | None:
    """Offset of the innermost '(' still open at ``offset``, if any."""
    stack: list[int] = []
    for m in re.finditer(r"[()]", text[:offset]):
        if m.group() == "(":
            stack.append(m.start())
        elif stack:
            stack.pop()
    return stack[-1] if stack else None


MAX_ITEM = 1_000_000


def _parse(text: str, start: str, file: str, line: int, col: int, what: str, lazy: bool = False):
    lark = _import_lark()
    if len(text) > MAX_ITEM:
        # Junk fails within its first characters: report that. Otherwise it is too long to parse quickly.
        try:
            _lark().parse(text[:MAX_ITEM // 10], start=start)
        except lark.exceptions.UnexpectedInput as exc:
            if not (isinstance(exc, lark.UnexpectedToken) and exc.token.type == "$END"):
                raise _lark_error(exc, file, line, col, what, text) from None
        raise QuodError(Pos(file, line, col), f"{what} is too long ({len(text):,} characters; "
                                              f"the limit is {MAX_ITEM:,}): split it up")
    try:
        tree = _lark().parse(text, start=start)
    except lark.exceptions.UnexpectedInput as exc:
        raise _lark_error(exc, file, line, col, what, text) from None
    from .build import Build
    try:
        b = Build(file, line, col, text)
        b.lazy_blocks = lazy
        return b.transform(tree)
    except lark.exceptions.VisitError as exc:
        if isinstance(exc.orig_exc, QuodError):
            raise exc.orig_exc from None
        if isinstance(exc.orig_exc, RecursionError):
            raise QuodError(Pos(file, line, col), f"{what} is nested too deeply") from None
        raise QuodError(Pos(file, line, col), f"internal error while reading {what} "
                                              f"({type(exc.orig_exc).__name__}: {exc.orig_exc}); please report it") \
            from None


# ---- public entry points ---------------------------------------------------------------

def parse_file(text: str, file: str) -> list:
    """All declarations and commands of a .proof file, in order."""
    clean = strip_comments(text, file)
    out = []
    for line, item in iter_items(clean):
        try:
            out.append(_parse(item, "item", file, line, 1, "this declaration"))
        except RecursionError:
            raise QuodError(Pos(file, line, 1), "this declaration is nested too deeply") from None
    return out


def parse_item(text: str, file: str, line: int, lazy: bool = False):
    """One top-level item (from ``split_items``) starting at ``line``, column 1. ``lazy``: a
    theorem's tactic block is a ``LazyBlock``, read when its tactics are to run."""
    try:
        return _parse(text, "item", file, line, 1, "this declaration", lazy)
    except RecursionError:
        raise QuodError(Pos(file, line, 1), "this declaration is nested too deeply") from None


def parse_expr(text: str, file: str = "<input>", line: int = 1, col: int = 1) -> SExpr:
    return _parse(text, "expr", file, line, col, "the formula")


def parse_block(text: str, file: str, line: int, col: int, bullet: bool = False) -> Block:
    """A tactic block laid out by indentation; ``text`` starts at (line, col).

    After ``:= by`` a first tactic on the same line does not set the indentation (the next
    line does); after a bullet ``.`` it does, as in Lean: ``. have h : P := by`` may continue
    with the have's own block, indented more, and then the bullet's next tactic below ``have``.
    """
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
    first_inline = not bullet and phys[0][0] == line and col > 1 and len(phys) > 1
    indent = phys[1][1] if first_inline else phys[0][1]
    groups: list[list] = []
    for k, p in enumerate(phys):
        if k == 0 or (first_inline and k == 1) or p[1] <= indent:
            if k > 0 and p[1] < indent:
                raise QuodError(Pos(file, p[0], p[1]), "this line is indented less than the tactics above it")
            groups.append([p])
        else:
            groups[-1].append(p)
    for gi, g in enumerate(groups):
        start = g[0][2]
        end = groups[gi + 1][0][2] if gi + 1 < len(groups) else len(text)     # the next group's first line
        chunk = text[start:end].rstrip()
        sline, scol = g[0][0], g[0][1]
        if chunk[:1] in (".", "·") and (len(chunk) == 1 or chunk[1] in " \t\n"):
            inner = parse_block(chunk[1:], file, sline, scol + 1, bullet=True)
            steps.append(Tactic("bullet", (inner,), Pos(file, sline, scol), text=chunk))
            continue
        seq = _parse(chunk, "tactic_seq", file, sline, scol, "this tactic")
        steps.extend(seq)
    return Block(steps, Pos(file, line, col))


__all__ = ["parse_file", "parse_expr", "parse_block", "strip_comments", "split_items",
           "AxiomDecl", "Binder", "Block", "Command", "DefDecl", "Import", "Pos", "QuodError",
           "SExpr", "Tactic", "TheoremDecl"]
