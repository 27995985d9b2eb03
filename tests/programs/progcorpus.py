"""The termination corpus (tests/programs/corpus/): small C and Python loops with expected verdicts.

Each file starts with a comment block:

    // expect: yes | no | dontknow
    // int: math                      (optional, C only: int as the mathematical integers)

``yes`` means every run from every input (of the parameter types) terminates without undefined
behaviour; ``no`` means some input has a run that goes on forever without undefined behaviour;
``dontknow`` means neither is true (32-bit overflow or another undefined behaviour is reachable
and every infinite run hits it) or nobody knows (Collatz). The category of a program is its file
name up to the first underscore.

Used by test_corpus.py, test_differential.py and bench/terminates.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
EXTRA = HERE / "straight"

VERDICTS = ("yes", "no", "dontknow")

CATEGORIES = {
    "lin": "linear",
    "cond": "conditional",
    "seq": "sequential",
    "nest": "nested / lexicographic",
    "jump": "break / continue / return",
    "for": "for loops",
    "uns": "unsigned wraparound",
    "nt": "non-terminating",
    "ub": "overflow (UB)",
    "hard": "hard",
    "narrow": "short / char",
    "conv": "C conversions & scope",
    "nd": "nondeterministic",
    "uninit": "uninitialised locals",
}

# Corpus programs on which the tool is known to give a WRONG answer (a soundness bug), with
# the reason; the corpus test marks them xfail(strict=True), so a fix shows up as XPASS.
KNOWN_WRONG = {
}


@dataclass
class Entry:
    path: Path
    expect: str          # yes / no / dontknow
    int_mode: str        # c / math (Python programs: math)
    language: str        # c / python

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def category(self) -> str:
        return self.path.name.split("_", 1)[0]

    @property
    def source(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def parse(self, int_mode: str | None = None):
        from programs.c_frontend import parse_c
        from programs.py_frontend import parse_python
        if self.language == "c":
            return parse_c(self.source, None, int_mode or self.int_mode)
        return parse_python(self.source)


def strip_c_comments(text: str) -> str:
    """The C source with its comments blanked out, line numbers kept.

    The front end strips comments itself; this is for text pasted into a .proof file's
    inline `program ... from c` block. No corpus program has a string or character literal
    containing // or /*."""
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    return re.sub(r"//[^\n]*|/\*.*?\*/", blank, text, flags=re.S)


_HEADER = re.compile(r"^\s*(?://|#)\s*(expect|int)\s*:\s*(\S+)")


def read_entry(path: Path) -> Entry:
    expect, mode = None, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip().startswith(("//", "#")):
            break
        m = _HEADER.match(line)
        if m and m.group(1) == "expect":
            expect = m.group(2)
        elif m:
            mode = m.group(2)
    if expect not in VERDICTS:
        raise ValueError(f"{path}: the first line must be `// expect: yes|no|dontknow`, got {expect!r}")
    lang = "c" if path.suffix == ".c" else "python"
    if mode not in (None, "c", "math") or (mode is not None and lang != "c"):
        raise ValueError(f"{path}: bad `int:` line {mode!r}")
    return Entry(path, expect, mode or ("c" if lang == "c" else "math"), lang)


def load(directory: Path = CORPUS) -> list[Entry]:
    return [read_entry(p) for p in sorted(directory.iterdir()) if p.suffix in (".c", ".py")]


def answer_key(answer: str) -> str:
    """The tool's answer ("yes", "no", "don't know") in the corpus's spelling."""
    return {"yes": "yes", "no": "no"}.get(answer, "dontknow")


def prelude_env():
    from quod.loader import Loader
    return Loader().prelude().env


_ENV = None


def decide_file(path: str, strict: bool = False) -> tuple[str, str, float, str]:
    """(file name, answer in the corpus's spelling or "error", seconds, first line of the verdict)
    for one corpus file, as `quod terminates [--strict]` decides it. A file the front end rejects
    is "error" (the command would exit 2); a crash of the analysis is "crash"."""
    import time

    from analysis.termination import decide_termination
    from programs.lang import ProgramError
    global _ENV
    if _ENV is None:
        _ENV = prelude_env()
    e = read_entry(Path(path))
    t0 = time.perf_counter()
    try:
        prog = e.parse()
    except ProgramError as exc:
        return e.name, "error", time.perf_counter() - t0, f"front end: line {exc.line}: {exc.message}"
    try:
        v = decide_termination(_ENV.copy(), prog)
    except Exception as exc:     # a crash is a result to report, not the end of the run
        return e.name, "crash", time.perf_counter() - t0, f"CRASH {type(exc).__name__}: {exc}"
    ans, text = answer_key(v.answer), v.text
    if strict and v.oracle and ans != "dontknow":
        ans, text = "dontknow", "don't know: only the oracle proved it"
    return e.name, ans, time.perf_counter() - t0, text


def decide_all(entries: list, jobs: int = 1, strict: bool = False) -> dict:
    """{file name: (answer, seconds, text)} for the entries, in `jobs` processes."""
    paths = [str(e.path) for e in entries]
    if jobs > 1 and len(paths) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        # fresh worker processes (not forks of a big parent such as pytest)
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as ex:
            results = list(ex.map(decide_file, paths, [strict] * len(paths)))
    else:
        results = [decide_file(p, strict) for p in paths]
    return {name: (ans, secs, text) for name, ans, secs, text in results}
