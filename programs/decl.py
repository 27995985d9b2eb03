"""``program`` declarations in .proof files.

    program f(x : u32, y : u32) -> bool { return x + y == y + x; }
    program g from c \"\"\" void g(int x, int y) { ... } \"\"\"
    program g from c "examples/g.c" function g
    program g_py from python "examples/g.py" function g

The native form is C syntax with Quod's types (``int`` is the mathematical
integers, with the logic's floor ``/`` and ``%``; ``u32``/``i32``/``i64``/``bool``
are C's); loops may carry
``invariant(P);`` and ``decreasing(e);`` as their first statements.

A source file is read only if it is a regular file of the project (``programs/sources.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

from .lang import Program, ProgramError
from .sources import project, read_source

_HEADER = re.compile(r"program\s+([A-Za-z_][\w']*)\s*", re.S)
_FROM = re.compile(r'from\s+(c|python)\s+(?:"""(.*?)"""|"([^"\n]*)")(?:\s+function\s+([A-Za-z_]\w*))?'
                   r'(\s+(?:requires|ensures|decreases)\b.*?)?\s*$', re.S)
_NATIVE = re.compile(r"\(([^)]*)\)\s*(?:->\s*([A-Za-z_]\w*)\s*)?((?:requires|ensures|decreases)\b[^{]*)?(\{.*\})\s*$",
                     re.S)
_CLAUSE = re.compile(r"\b(requires|ensures|decreases)\b")


def clauses(text: str, offset: int) -> list:
    """The contract clauses ``requires P ensures Q decreases e1, e2`` of a program item: (keyword, text,
    offset of the text in the item)."""
    out = []
    marks = list(_CLAUSE.finditer(text))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out.append((m.group(1), text[m.end():end], offset + m.end()))
    return out
_QUOD_TYPES = {"int": "__math_int", "u32": "unsigned", "i32": "int", "i64": "long", "bool": "_Bool"}


_NATIVE_REWRITE = re.compile(r"(?<!unsigned )(?<!signed )(?<!long )\bint\b|\bhavoc\s+([A-Za-z_]\w*)\s*;")


def native_column(line: str, col: int) -> int:
    """The column in a native program's line of a column of the C text it becomes (``int`` is
    rewritten to a longer name, ``havoc x;`` to a call): errors point where the user wrote."""
    shift = 0
    for m in _NATIVE_REWRITE.finditer(line):
        new = len("__math_int") if m.group(1) is None else len(f"__quod_havoc({m.group(1)});")
        start = m.start() + shift
        if col - 1 < start:
            break
        if col - 1 < start + new:
            return m.start() + 1
        shift += new - len(m.group())
    return col - shift


def parse_program_item(text: str, base_dir: Path, known: dict | None = None) -> Program:
    """The program of one ``program`` item; it may call the programs declared before it (``known``)."""
    m = _HEADER.match(text)
    if not m:
        raise ProgramError("expected `program NAME ...`")
    name = m.group(1)
    rest = text[m.end():]
    fm = _FROM.match(rest)
    if fm:
        lang, inline, path, function, contract = fm.groups()
        spec = clauses(contract, m.end() + fm.start(5)) if contract else []
        src_dir = base_dir          # where a C source's #include "..." looks: next to the file
        found = None
        with project(base_dir):
            if inline is not None:
                source = inline
            else:       # only a regular file of the project (programs/sources.py)
                source, found = read_source(path, base_dir)
                src_dir = found.parent
            try:
                if lang == "c":
                    from .c_frontend import parse_c
                    prog = parse_c(source, function, "c", name, known=known, base_dir=src_dir)
                else:
                    from .py_frontend import parse_python
                    prog = parse_python(source, function, name, known)
            except ProgramError as exc:
                if found is not None:          # the error is in that file: say where
                    exc.file, exc.source = str(found), source
                raise
        prog.contract_text = spec
        return prog
    nm = _NATIVE.match(rest)
    if not nm:
        raise ProgramError("expected `program NAME(x : int, ...) -> TYPE { ... }` or "
                           "`program NAME from c|python \"\"\"...\"\"\"` or `... \"FILE\" function F`")
    params_text, result, contract, body = nm.groups()
    spec = clauses(contract, m.end() + nm.start(3)) if contract else []
    params = []
    for part in [p.strip() for p in params_text.split(",") if p.strip()]:
        pm = re.fullmatch(r"([A-Za-z_]\w*)\s*:\s*([A-Za-z_]\w*)", part)
        if not pm or pm.group(2) not in _QUOD_TYPES:
            raise ProgramError(f"expected `name : int|u32|i32|i64|bool`, got `{part}`")
        params.append(f"{_QUOD_TYPES[pm.group(2)]} {pm.group(1)}")
    ret = "void" if result is None else _QUOD_TYPES.get(result)
    if ret is None:
        raise ProgramError(f"unknown result type {result}")
    # Native programs: `int` is mathematical; C's own types keep their meaning; `havoc x;` gives x any
    # value of its type.
    body = re.sub(r"(?<!unsigned )(?<!signed )(?<!long )\bint\b", "__math_int", body)
    body = re.sub(r"\bhavoc\s+([A-Za-z_]\w*)\s*;", r"__quod_havoc(\1);", body)
    # line 1 brings Quod's types (programs/include/quod/native.h); the item starts on line 2
    gap = "\n" * (contract or "").count("\n")      # the body keeps its lines
    source = f"#include <quod/native.h>\n{ret} {name}({', '.join(params) or 'void'}) {gap}{body}"
    from .c_frontend import parse_c
    with project(base_dir):
        prog = parse_c(source, name, "c", name, native=True, known=known, base_dir=base_dir)
    prog.language = "quod"
    prog.contract_text = spec
    return prog
