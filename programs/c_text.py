"""C source text as the preprocessor step reads it: line splicing, comments, and a file's tokens
with their physical positions (line, column), split into code and directive lines."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from .lang import ProgramError

C_TOKEN = re.compile(r"""
    (?P<nl>\n)
  | (?P<ws>[ \t\f\v\r]+)
  | (?P<lc>//[^\n]*)
  | (?P<bc>/\*.*?(?:\*/|\Z))
  | (?P<tok>
        (?:u8|[uUL])?"(?:[^"\\\n]|\\.)*"?
      | [uUL]?'(?:[^'\\\n]|\\.)*'?
      | \.?[0-9](?:[eEpP][+-]|[.\w$])*
      | [^\W\d][\w$]* | \$[\w$]*
      | %:%: | \.\.\. | <<= | >>= | -> | \+\+ | -- | << | >> | <= | >= | == | != | && | \|\| | \#\#
      | [-+*/%&^|]= | <: | :> | <% | %> | %:
      | .)
""", re.S | re.X)
SPLICE = re.compile(r"\\[ \t\f\v]*\n")       # gcc splices a backslash and spaces before the newline too
SPLICE_END = re.compile(r"\\[ \t\f\v]*$")


def presplice(text: str) -> str:
    """Translation phase 2 done beforehand, keeping the line count: each backslash-newline is removed
    and the newlines it removed follow the logical line. (pcpp does not splice a // comment with its
    next line, as C does; only __LINE__ could tell the difference, and pcpp refuses it.)"""
    out, buf, pending = [], "", 0
    for ln in text.replace("\r\n", "\n").split("\n"):
        m = SPLICE_END.search(ln)
        if m:
            buf += ln[:m.start()]
            pending += 1
            continue
        out.append(buf + ln)
        out.extend([""] * pending)
        buf, pending = "", 0
    if pending:
        out.append(buf)
        out.extend([""] * (pending - 1))
    return "\n".join(out)


@dataclass
class Token:
    text: str
    line: int
    col: int


def c_tokens(text: str):
    """(token, position in text) of C text without splices; comments are left out, a newline is the
    token "\\n"."""
    for m in C_TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "nl":
            yield "\n", m.start()
        elif kind == "tok":
            yield m.group(), m.start()


def unspliced(text: str) -> tuple[str, list[int]]:
    """(text with its line splices removed, for each of its characters the offset in ``text``)."""
    pieces, index, at = [], [], 0
    for m in SPLICE.finditer(text):
        pieces.append(text[at:m.start()])
        index.extend(range(at, m.start()))
        at = m.end()
    pieces.append(text[at:])
    index.extend(range(at, len(text)))
    return "".join(pieces), index


def blank_comments(text: str) -> str:
    """``text`` with its comments blanked out as C reads them (a ``//`` comment goes on after a line
    ending in a backslash), newlines kept, so lines and columns stay the same; string and character
    literals are left alone."""
    joined, index = unspliced(text)
    out = list(text)
    for m in C_TOKEN.finditer(joined):
        if m.lastgroup in ("lc", "bc"):
            for k in range(index[m.start()], index[m.end() - 1] + 1):
                if out[k] != "\n":
                    out[k] = " "
    return "".join(out)


class SourceTokens:
    """A source file's tokens, with physical (line, column) positions (1-based), after line splicing
    and without comments; which of them are on directive lines; where its #include lines are."""

    def __init__(self, text: str):
        text = text.replace("\r\n", "\n")
        spliced, index = unspliced(text)
        index.append(len(text))
        starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

        def pos(k: int) -> tuple[int, int]:
            i = index[k]
            ln = bisect.bisect_right(starts, i)
            return ln, i - starts[ln - 1] + 1

        self.code: list[Token] = []                # tokens outside directive lines
        self.by_line: dict[int, list[Token]] = {}
        self.directives: list[tuple[int, int, list[str]]] = []     # (line, column of #, its tokens)
        self.digraphs: list[Token] = []            # directives introduced by %:
        start, directive = True, None
        for tok, k in c_tokens(spliced):
            if tok == "\n":
                start, directive = True, None
                continue
            ln, col = pos(k)
            if directive is not None:
                directive[2].append(tok)
            elif start and tok in ("#", "%:"):
                directive = (ln, col, [])
                self.directives.append(directive)
                if tok == "%:":
                    self.digraphs.append(Token(tok, ln, col))
            else:
                t = Token(tok, ln, col)
                self.code.append(t)
                self.by_line.setdefault(ln, []).append(t)
            start = False
        self.includes = {ln: col for ln, col, toks in self.directives
                         if toks and toks[0] in ("include", "include_next", "import")}

    def pcpp_refuses(self) -> tuple[str, int, int] | None:
        """(what, line, column) of the first thing pcpp does otherwise than gcc: __LINE__ (pcpp counts
        lines after a splice otherwise), the digraphs %: and %:%: and __VA_OPT__ (pcpp does not know
        them), and directives gcc rejects and pcpp does not (#else after #else, #ifdef 3, #define
        defined, ## at either end of a macro)."""
        toks = self.code + self.directive_tokens() + self.digraphs
        bad = [(t.text, t.line, t.col) for t in toks if t.text in ("__LINE__", "%:", "%:%:", "__VA_OPT__")]
        ident = re.compile(r"[^\W\d][\w$]*|\$[\w$]*")
        elses: list[bool] = []          # per open #if: whether its #else was seen
        for ln, col, d in self.directives:
            name = d[0] if d else ""
            if name in ("if", "ifdef", "ifndef"):
                elses.append(False)
            elif name in ("elif", "else") and elses:
                if elses[-1]:
                    bad.append((f"#{name} after #else", ln, col))
                elses[-1] = elses[-1] or name == "else"
            elif name == "endif" and elses:
                elses.pop()
            if name in ("ifdef", "ifndef", "define", "undef") and (
                    len(d) < 2 or not ident.fullmatch(d[1]) or d[1] == "defined"):
                bad.append((f"#{name} {' '.join(d[1:2])}", ln, col))
            if name == "define" and len(d) > 2:
                body, variadic = d[2:], {"__VA_ARGS__"}
                if d[2] == "(" and ")" in d:           # a function-like macro: after its parameters
                    params = d[3:d.index(")")]
                    body = d[d.index(")") + 1:]
                    variadic |= {a for a, b in zip(params, params[1:]) if b == "..."}
                if body and (body[0] in ("##", "%:%:") or body[-1] in ("##", "%:%:")):
                    bad.append(("## at an end of a macro", ln, col))
                if any(a == "##" and b in variadic for a, b in zip(body, body[1:])):
                    # GNU's comma pasting: pcpp drops the comma also when the arguments are there but empty
                    bad.append(("## before variable arguments", ln, col))
        return min(bad, key=lambda b: (b[1], b[2]), default=None)

    def directive_tokens(self) -> list[Token]:
        return [Token(x, ln, col) for ln, col, toks in self.directives for x in toks]

    def check(self, directory: Path) -> None:
        """Refuse what the preprocessor would accept but Quod cannot honour. ``directory``: where the
        file is (a quoted #include looks there first)."""
        for ln, col, toks in self.directives:
            if toks and (toks[0] == "line" or toks[0][:1].isdigit()):
                raise ProgramError("unsupported: #line directives (positions would no longer be the file's)", ln, col)
            if toks and (toks[0] in ("assert", "unassert") or toks[0] in ("if", "elif") and "#" in toks[1:]):
                # GCC's obsolete assertions: gcc predefines some (#cpu(x86_64)), cpp -undef none
                raise ProgramError("unsupported: #assert and #if #predicate(answer) (obsolete GCC assertions)", ln, col)
            if toks and toks[0] in ("include", "include_next", "import"):
                if toks[1:2] and toks[1].startswith('"') and toks[1].endswith('"') and len(toks[1]) > 1:
                    quoted, name = True, toks[1][1:-1]
                elif toks[1:2] == ["<"] and ">" in toks:
                    quoted, name = False, "".join(toks[2:toks.index(">")])
                else:
                    raise ProgramError("unsupported: #include of a macro (write the file name)", ln, col)
                if ".." in Path(name).parts and not (quoted and (directory / name).is_file()):
                    # gcc would look for it next to the system's headers, not Quod's
                    raise ProgramError(f"unsupported: #include of {name} (a path with .. found elsewhere than "
                                       "next to the including file)", ln, col)
        for t in self.code + self.directive_tokens():
            if t.text in ("__has_include", "__has_include_next"):
                raise ProgramError(f"unsupported: {t.text} (Quod's headers are not all of the system's, so it "
                                   "could answer otherwise than for gcc)", t.line, t.col)
