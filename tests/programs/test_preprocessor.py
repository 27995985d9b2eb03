"""The C preprocessor step (programs/preprocess.py) against gcc.

Every test runs with both preprocessors: GNU cpp (the primary one; skipped when there is none) and
pcpp (the fallback, forced with QUOD_CPP=pcpp). Compared with gcc (-std=gnu17, the real system
headers; skipped without gcc):

- ``gcc -E``: the tokens Quod's preprocessing gives pycparser are the tokens of gcc's own
  preprocessing, for snippets using the preprocessor's features and the predefined macros, and
  for every macro of Quod's headers (expanded with Quod's headers vs. with the system's);
- running: programs using #if, macros, #undef, line splices, <limits.h>, <stdint.h>, assert with
  and without NDEBUG, ... are run by Quod's interpreter (``parse_c`` + ``interp.run``) and compiled
  by gcc, on the same inputs: the same value, a failed assertion where gcc's program aborts, a run
  that does not finish where gcc's does not;
- the issue's examples: each was "yes: terminates" for a program that runs forever under gcc.

And what cannot be preprocessed is refused with the user's line and column.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from programs.c_frontend import parse_c
from programs.lang import ProgramError
from programs.preprocess import HEADERS, INCLUDE_DIR, backend, expand, preprocess

GCC = shutil.which("gcc")
# Quod reads C as gcc does on x86-64 Linux: compared with the gcc at hand only there
X86_64_LINUX = platform.machine() in ("x86_64", "AMD64") and sys.platform.startswith("linux")
needs_gcc = pytest.mark.skipif(GCC is None or not X86_64_LINUX, reason="no gcc for x86-64 Linux here")


@pytest.fixture(params=["cpp", "pcpp"])
def pre(request, monkeypatch):
    """The preprocessor under test: "cpp" (GNU cpp found on the PATH) or "pcpp" (forced)."""
    if request.param == "pcpp":
        monkeypatch.setenv("QUOD_CPP", "pcpp")
    else:
        monkeypatch.delenv("QUOD_CPP", raising=False)
        if backend()[0] != "cpp":
            pytest.skip("no GNU cpp")
    assert backend()[0] == request.param
    return request.param


# ---- gcc -E ---------------------------------------------------------------------------------------

_TOK = re.compile(r'[A-Za-z_]\w*|\.?\d(?:[eEpP][+-]|[\w.])*|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|'
                  r"\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||##|[-+*/%&^|]=|\S")


_DIGRAPHS = {"<%": "{", "%>": "}", "<:": "[", ":>": "]"}


def tokens(text: str) -> list[str]:
    """The C tokens of preprocessed text (digraphs spelled as the tokens they are)."""
    toks = _TOK.findall("\n".join(ln for ln in text.split("\n") if not ln.lstrip().startswith("#")))
    out = []
    for t in toks:
        if out and out[-1] + t in _DIGRAPHS:
            out[-1] = _DIGRAPHS[out[-1] + t]
        else:
            out.append(t)
    return out


def gcc_e(source: str, cwd: Path | None = None) -> str:
    r = subprocess.run([GCC, "-std=gnu17", "-E", "-P", "-x", "c", "-"], input=source, capture_output=True, text=True,
                       cwd=cwd)
    assert r.returncode == 0, r.stderr
    return r.stdout


def quod_e(source: str, base_dir=None) -> str:
    return preprocess(source, base_dir).text


SNIPPETS = {
    "if0": "a\n#if 0\nb\n#endif\nc\n",
    "ifdef": "#define A\n#ifdef A\nx\n#else\ny\n#endif\n#ifndef A\nz\n#elif 1\nw\n#endif\n#ifdef B\nq\n#endif\n",
    "elif": "#define V 3\n#if V == 1\none\n#elif V == 2\ntwo\n#elif V == 3\nthree\n#else\nother\n#endif\n",
    "defined": "#define A 0\n#if defined(A) && !defined B\nyes\n#endif\n#if A\nno\n#endif\n",
    "object": "#define N 10+1\nN*2 N\n",
    "function": "#define SQ(a) a*a\n#define SQP(a) ((a)*(a))\nSQ(x+1) SQP(x+1) SQ (y) SQ\n",
    "nested": "#define DBL(x) (2*(x))\n#define APPLY(f, x) f(x)\n#define D DBL\nAPPLY(DBL, 3) D(4) APPLY(D, 5)\n",
    "paste": "#define CAT(a, b) a ## b\n#define X(n) var ## n\nCAT(1, 0) CAT(0x, 1F) X(3) CAT(x, y) CAT(,z)\n",
    "stringize": '#define S(a) #a\n#define XS(a) S(a)\n#define N 42\nS(a + b) XS(N) S( "q" )\n',
    "undef": "#define K 1\nK\n#undef K\nK\n#define K 2\nK\n",
    "splice_comment": "a // comment \\\nb\nc\n",
    "splice_space": "a // comment \\   \nb\nc\n",
    "splice_macro": "#define INC(v) \\\n  ((v) + 1)\nINC(x)\n",
    "splice_token": "int fo\\\no = 1; x = 1\\\n2;\n",
    "block_comment": "a /* b\n c */ d\n/* #define Z 1 */\nZ\n",
    "trigraph": "a // ??/\nb\n",
    "self": "#define x (x + 1)\n#define f(y) f(y + 1)\nx f(2) f\n",
    "variadic": "#define V(...) g(__VA_ARGS__)\n#define W(a, ...) h(a, __VA_ARGS__)\nV(1, 2) V() W(1, 2, 3)\n",
    "gnu_variadic": "#define G(fmt, args...) p(fmt, ## args)\n#define H(fmt, ...) p(fmt, ## __VA_ARGS__)\n"
                    "G(1) G(1, 2) H(3) H(3, 4)\n",
    "va_opt": "#define F(a, ...) f(a __VA_OPT__(,) __VA_ARGS__)\nF(1) F(1, 2)\n",
    "multiline_call": "#define F(a, b) (a - b)\nF(1,\n  2) F\n(3, 4)\n",
    "empty_args": "#define E(a, b) [a|b]\nE(,) E(x,) E(,y)\n",
    "rescan": "#define AA BB\n#define BB AA\nAA BB\n#define LP (\n#define F(x) <x>\nF LP 1 )\n",
    "if_arith": "#if -1 > 0u\nunsigned_compare\n#endif\n#if 0xffffffffffffffff == -1\nwrap\n#endif\n"
                "#if (2 || 1/0)\nshort\n#endif\n#if 'a' == 97 && '\\377' < 0\nchars\n#endif\n"
                "#if ~0 == -1 && (1 << 62) > 0\nbits\n#endif\n#if -9223372036854775807 - 1 < 0\nmin\n#endif\n"
                "#if 10 / 3 == 3 && -7 / 2 == -3 && -7 % 2 == -1\ndiv\n#endif\n#if (1 ? 2 : 3) == 2, 1\ncomma\n"
                "#endif\n",
    "predefined": "#ifdef __x86_64__\nx86\n#endif\n#ifdef linux\nlinux\n#endif\n#ifdef __CHAR_UNSIGNED__\n"
                  "uchar\n#endif\n"
                  "#ifdef __OPTIMIZE__\nopt\n#endif\n"
                  "#if __STDC_VERSION__ >= 201710L && __STDC__ && __STDC_HOSTED__\nc17\n#endif\n"
                  "__INT_MAX__ __LONG_MAX__ __SCHAR_MAX__ __SHRT_MAX__ __SIZEOF_INT__ __SIZEOF_LONG__ __CHAR_BIT__ "
                  "__INT64_C(5) __UINT32_C(7) __SIZE_TYPE__ __INT32_TYPE__ __LP64__ unix __unix__ __STDC_ISO_10646__\n",
    "counter": "__COUNTER__ __COUNTER__ __COUNTER__\n",
    "digraphs": "%:define D 4\n<% D %> <: :>\n",
    "include_twice": "#include <limits.h>\n#include <limits.h>\nINT_MAX\n",
    "null_directive": "#\na\n# /* c */\nb\n",
    "warning": "#warning careful\na\n",
    "line_macro": "__LINE__\nx __LINE__\n",
    "redefine": "#define R 1\n#define R 1\nR\n#undef R\n#define R(x) x\nR(2)\n",
    "defined_expansion": "#define EMPTY\n#if defined EMPTY && !defined(NOPE)\nok\n#endif\n",
}
# refused by the fallback: __LINE__ (its value may differ from gcc's), the digraph %: and __VA_OPT__ (pcpp
# does not know them), GNU's , ## __VA_ARGS__ (pcpp drops the comma also before empty arguments)
PCPP_REFUSES = {"line_macro", "digraphs", "va_opt", "gnu_variadic"}


@needs_gcc
@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_tokens_match_gcc_e(pre, name):
    source = SNIPPETS[name]
    if pre == "pcpp" and name in PCPP_REFUSES:
        with pytest.raises(ProgramError):
            quod_e(source)
        return
    assert tokens(quod_e(source)) == tokens(gcc_e(source))


def _host_matches() -> bool:
    """Whether this machine's gcc and glibc are the ones Quod's headers were generated from."""
    if GCC is None:
        return False
    r = subprocess.run([GCC, "-std=gnu17", "-dM", "-E", "-x", "c", "-"], input="#include <limits.h>\n",
                       capture_output=True, text=True)
    ours = (INCLUDE_DIR / "limits.h").read_text() + (INCLUDE_DIR / "quod" / "predef.h").read_text()
    return r.returncode == 0 and all(
        ln in ours for ln in r.stdout.splitlines() if re.match(r"#define (__GNUC__|__GLIBC__|__GLIBC_MINOR__) ", ln))


same_host = pytest.mark.skipif(not _host_matches(), reason="gcc or glibc differ from those Quod's headers come from")


def _our_macros(header: str) -> list[tuple[str, int | None]]:
    """(name, number of parameters or None for an object-like macro) of the macros of Quod's header."""
    out = []
    for ln in (INCLUDE_DIR / header).read_text().splitlines():
        m = re.match(r"\s*#\s*define ([A-Za-z_]\w*)(\(([^)]*)\))?", ln)
        if m and not m.group(1).startswith("__QUOD_"):
            params = None if m.group(2) is None else len([p for p in m.group(3).split(",") if p.strip()])
            out.append((m.group(1), params))
    return out


@needs_gcc
@same_host
@pytest.mark.parametrize("header", HEADERS)
def test_header_macros_are_the_systems(pre, header):
    """Every macro of Quod's <header> is defined by the system's <header> too (the same set of
    names), and expands to the same tokens."""
    real = subprocess.run([GCC, "-std=gnu17", "-dM", "-E", "-x", "c", "-"], input=f"#include <{header}>\n",
                          capture_output=True, text=True, check=True).stdout
    predef = subprocess.run([GCC, "-std=gnu17", "-dM", "-E", "-x", "c", "/dev/null"], capture_output=True,
                            text=True, check=True).stdout.splitlines()
    real_names = {re.match(r"#define (\w+)", ln).group(1) for ln in real.splitlines() if ln not in predef}
    ours = [(n, k) for n, k in _our_macros(header) if n != "assert_perror"]     # only with _GNU_SOURCE
    assert {n for n, _ in ours} == real_names
    # glibc's wrappers of gcc's __has_attribute (...) and _Pragma: gcc expands them, pcpp is refused when it
    # meets one in its output
    gcc_only = {"__glibc_has_attribute", "__glibc_has_builtin", "__glibc_has_extension", "__glibc_macro_warning",
                "__glibc_macro_warning1"}
    skip = {"assert", "static_assert"} | (gcc_only if pre == "pcpp" else set())
    probes = [n if k is None else f"{n}({', '.join(f'p{i}' for i in range(k))})" for n, k in ours if n not in skip]
    head = f"#include <{header}>\n__QUOD_PROBE__\n"
    r = subprocess.run([GCC, "-std=gnu17", "-E", "-P", "-x", "c", "-"], capture_output=True, text=True,
                       input=head + "\n".join(f"<{p}>" for p in probes) + "\n")
    bad = {int(n) - 3 for n in re.findall(r"^<stdin>:(\d+):\d+: error", r.stderr, re.M)}
    probes = [p for i, p in enumerate(probes) if i not in bad]      # those whose expansion gcc refuses
    text = head + "\n".join(f"<{p}>" for p in probes) + "\n"
    want = tokens(gcc_e(text))
    got = tokens(expand(text))
    assert got[got.index("__QUOD_PROBE__"):] == want[want.index("__QUOD_PROBE__"):]


@needs_gcc
@same_host
@pytest.mark.parametrize("header", HEADERS)
def test_header_typedefs_are_the_systems(header, tmp_path):
    """Every typedef of Quod's <header> names the type the system's <header> gives it."""
    typedefs = re.findall(r"^typedef ([^;()*]+?) (\w+);$", (INCLUDE_DIR / header).read_text(), re.M)
    checks = [f"_Static_assert(__builtin_types_compatible_p({name}, {ty}), \"{name}\");"
              for ty, name in typedefs if not ty.startswith("struct")]
    f = tmp_path / "t.c"
    f.write_text(f"#include <{header}>\n" + "\n".join(checks) + "\n")
    r = subprocess.run([GCC, "-std=gnu17", "-fsyntax-only", str(f)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


# ---- running programs ------------------------------------------------------------------------------

_ENV = None


def env():
    global _ENV
    if _ENV is None:
        from progcorpus import prelude_env
        _ENV = prelude_env()
    return _ENV


def quod_run(prog, args) -> tuple[str, int | None]:
    from programs.interp import AssertionFailed, OutOfSteps, run
    state = {x: v for (x, _), v in zip(prog.params, args)}
    try:
        final = run(env(), prog.body, state, 20_000)
    except AssertionFailed:
        return "fails", None
    except OutOfSteps:
        return "runs on", None
    return "ok", final.get("ret")


def gcc_build(source: str, nparams: int, tmp: Path) -> Path:
    args = ", ".join(f"atoll(argv[{i + 1}])" for i in range(nparams))
    harness = ("\nint printf(const char *, ...);\nlong long atoll(const char *);\n"
               f"int main(int argc, char **argv) {{ printf(\"%lld\\n\", (long long) f({args})); return 0; }}\n")
    src = tmp / "prog.c"
    src.write_text(source + harness)
    exe = tmp / "prog"
    r = subprocess.run([GCC, "-std=gnu17", "-O0", "-w", "-o", str(exe), str(src)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return exe


def gcc_run(exe: Path, args) -> tuple[str, int | None]:
    try:
        r = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=1)
    except subprocess.TimeoutExpired:
        return "runs on", None
    if r.returncode != 0:
        return "fails", None
    return "ok", int(r.stdout)


PROGRAMS = {
    "if0": ("int f(int x) {\n  int r = x;\n#if 0\n  r = 0;\n#endif\n  return r;\n}\n", [(5,), (-3,)]),
    "ifdef_else": ("#define A\nint f(int x) {\n  int r = x;\n#ifdef A\n  r += 1;\n#else\n  r += 2;\n#endif\n"
                   "#ifndef B\n  r += 10;\n#endif\n#if defined(A) && !defined(B)\n  r += 100;\n#elif 1\n  r += 1000;\n"
                   "#endif\n  return r;\n}\n", [(0,), (7,)]),
    "macros_need_parentheses": ("#define SQ(a) a*a\n#define SQP(a) ((a)*(a))\n#define N 10+1\n"
                                "int f(int x) { return SQ(x+1) * 1000 + SQP(x+1) + N*2; }\n", [(2,), (-4,), (0,)]),
    "paste": ("#define CAT(a, b) a ## b\n"
              "int f(int x) { int xy = 3; return CAT(x, y) + CAT(1, 0) + CAT(0x, 1F) + x; }\n",
              [(1,)]),
    "undef": ("#define K 1\nint f(int x) {\n  int a = x + K;\n#undef K\n#define K 100\n  return a + K;\n}\n", [(5,)]),
    "splice_in_comment": ("int f(int x) {\n  // add one \\\n  x = x + 1;\n  return x;\n}\n", [(5,)]),
    "splice_space_in_comment": ("int f(int x) {\n  // add one \\  \n  x = x + 1;\n  return x;\n}\n", [(5,)]),
    "splice_in_macro": ("#define STEP(v) \\\n  ((v) - \\\n   2)\nint f(int x) { return STEP(x) * 3; }\n", [(5,)]),
    "trigraph_not_replaced": ("int f(int x) {\n  // what??/\n  x = x + 1;\n  return x;\n}\n", [(5,)]),
    "shadowing_macro": ("int dec(int v) { return v - 1; }\n#define dec(v) (v)\n"
                        "int f(int x) { return dec(x); }\n", [(5,)]),
    "self_reference": ("int f(int x) {\n#define x (x + 1)\n  return x * 2;\n#undef x\n}\n", [(5,)]),
    "limits": ("#include <limits.h>\nint f(int x) {\n  long r = 0;\n  if (x < INT_MAX) r += 1;\n"
               "  if (INT_MIN < 0 && INT_MAX == 2147483647 && INT_MIN == -INT_MAX - 1) r += 2;\n"
               "  if (-1 < UINT_MAX) r += 4;\n  if (UINT_MAX + 1 == 0) r += 8;\n"
               "  if (SHRT_MAX == 32767 && USHRT_MAX == 65535 && SCHAR_MIN == -128 && UCHAR_MAX == 255) r += 16;\n"
               "  if (CHAR_MIN == SCHAR_MIN && CHAR_BIT == 8) r += 32;\n"
               "  if (LONG_MAX > INT_MAX && LLONG_MAX == LONG_MAX && ULONG_MAX > LONG_MAX) r += 64;\n"
               "  if (LONG_MIN < INT_MIN) r += 128;\n  return r + (x == INT_MAX ? 1000 : 0);\n}\n",
               [(0,), (2147483647,), (-5,)]),
    "stdint": ("#include <stdint.h>\nint f(int x) {\n  signed char a = x;\n  unsigned short b = x;\n"
               "  return a + b + (x > INT8_MAX) + UINT8_MAX + (INT64_MAX > INT32_MAX) + INT8_MIN + (SIZE_MAX > 0)\n"
               "         + (UINT64_C(1) * 4294967296 > UINT32_MAX) + INT16_MIN / 2;\n}\n",
               [(300,), (-1,), (70000,)]),
    "stdbool": ("#include <stdbool.h>\n"
                "int f(int x) { bool b = x > 3; bool c = x; return b * 10 + c + true + false; }\n",
                [(5,), (0,), (2,)]),
    "stdlib_stdio": ("#include <stdio.h>\n#include <stdlib.h>\n#include <stddef.h>\nint f(int x) {\n"
                     "  if (x == 7) abort();\n  return x + EXIT_FAILURE + EOF + (RAND_MAX == 2147483647);\n}\n",
                     [(1,), (7,)]),
    "assert": ("#include <assert.h>\nint f(int x) { assert(x > 0); return x; }\n", [(3,), (-1,)]),
    "assert_ndebug": ("#define NDEBUG\n#include <assert.h>\nint f(int x) { assert(x > 0); return x; }\n"
                      "", [(3,), (-1,)]),
    "assert_ndebug_reinclude": ("#define NDEBUG\n#include <assert.h>\nint g(int x) { assert(x > 0); return x; }\n"
                                "#undef NDEBUG\n#include <assert.h>\nint f(int x) { assert(x > -5); return g(x); }\n",
                                [(-1,), (-9,)]),
    "predefined": ("int f(int x) {\n#if defined(__x86_64__) && defined(__linux__) && __INT_MAX__ == 2147483647 && "
                   "__SIZEOF_LONG__ == 8\n  x += 1;\n#endif\n#ifdef __CHAR_UNSIGNED__\n  x += 100;\n#endif\n"
                   "#ifdef __OPTIMIZE__\n  x += 1000;\n#endif\n  return x;\n}\n", [(0,)]),
    "variadic": ("#define SUM2(a, ...) ((a) + g(__VA_ARGS__))\nint g(int a, int b) { return a * b; }\n"
                 "int f(int x) { return SUM2(x, x, 3); }\n", [(4,)]),
    "multiline_invocation": ("#define SUB(a, b) ((a) - (b))\nint f(int x) {\n  return SUB(x,\n             7);\n}\n",
                             [(10,)]),
    "counter_and_line": ("int f(int x) {\n  int a = __COUNTER__;\n  int b = __COUNTER__;\n"
                         "  return x + b - a + __LINE__;\n}\n",
                         [(1,)]),
    "digraphs": ("%:define ADD(a) a + 1\nint f(int x) <% return ADD(x); %>\n", [(1,)]),
    "iso646": ("#include <iso646.h>\nint f(int x) { return (x > 1 and x < 5) or not x; }\n", [(0,), (3,), (9,)]),
    "loops_forever_if0": ("int f(int x) {\n  int y = 1;\n#if 0\n  y = 0;\n#endif\n  while (x > 0) { x = x - y + 1; }\n"
                          "  return x;\n}\n", [(1,), (0,)]),
}
# what the fallback refuses (never a different answer): __LINE__, the digraph %:
PCPP_REFUSED = {"counter_and_line", "digraphs"}


@needs_gcc
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_runs_as_gcc_compiles_it(pre, name, tmp_path):
    source, inputs = PROGRAMS[name]
    if pre == "pcpp" and name in PCPP_REFUSED:
        with pytest.raises(ProgramError):
            parse_c(source, "f", "c")
        return
    prog = parse_c(source, "f", "c")
    exe = gcc_build(source, len(prog.params), tmp_path)
    for args in inputs:
        assert quod_run(prog, args) == gcc_run(exe, args), (name, args)


# ---- the issue's examples ---------------------------------------------------------------------------

ISSUE = {
    # `#if 0` bodies were kept: y = 0 made the loop stop at once
    "if0": "int main(void) {\n  int x = 1;\n#if 0\n  x = 0;\n#endif\n  while (x > 0) {\n  }\n  return 0;\n}\n",
    # function-like macros were not expanded: dec was the function, not the macro
    "function_macro": "int dec(int v) { return v - 1; }\n#define dec(v) (v)\nint main(void) {\n"
                      "  int x = __VERIFIER_nondet_int();\n  while (x > 0) {\n    x = dec(x);\n  }\n  return 0;\n}\n",
    # a // comment ending in \ did not swallow the next line
    "comment_splice": "int main(void) {\n  int x = __VERIFIER_nondet_int();\n  while (x > 0) {\n"
                      "    // decrement x \\\n    x = x - 1;\n  }\n  return 0;\n}\n",
}


@pytest.mark.parametrize("name", sorted(ISSUE))
def test_issue_examples_do_not_terminate(pre, name, tmp_path):
    from analysis.termination import decide_termination
    prog = parse_c(ISSUE[name], None, "math")
    v = decide_termination(env().copy(), prog)
    assert v.answer == "no", v.text
    if GCC is not None:         # and gcc's program does run forever (with the nondeterministic value 1)
        src = tmp_path / "p.c"
        src.write_text("int __VERIFIER_nondet_int(void) { return 1; }\n" + ISSUE[name])
        exe = tmp_path / "p"
        subprocess.run([GCC, "-std=gnu17", "-O0", "-w", "-o", str(exe), str(src)], check=True)
        with pytest.raises(subprocess.TimeoutExpired):
            subprocess.run([str(exe)], timeout=0.5)


# ---- refusals, with the user's position --------------------------------------------------------------

REFUSED = [
    ("int f(int x) {\n  return x;\n#error stop here\n}\n", 3, "#error"),
    ("int f(int x) {\n#if 1\n  return x;\n}\n", 2, "nterminated #if"),
    ("int f(int x) {\n  return x;\n}\n#endif\n", 4, "#endif"),
    ("int f(int x) {\n#if 1 +\n  return x;\n#endif\n}\n", 2, ""),
    ("\n#include <string.h>\nint f(int x) { return x; }\n", 2, "string.h"),
    ("\n#include \"no_such_file.h\"\nint f(int x) { return x; }\n", 2, "no_such_file.h"),
    ("#define H <stdio.h>\n#include H\nint f(int x) { return x; }\n", 2, "macro"),
    ("#include <../decl.py>\nint f(int x) { return x; }\n", 1, ".."),
    ("\n#line 100\nint f(int x) { return x; }\n", 2, "#line"),
    ("#if __has_include(<string.h>)\n#endif\nint f(int x) { return x; }\n", 1, "__has_include"),
    ("#pragma GCC optimize(\"O3\")\nint f(int x) { return x; }\n", 1, "#pragma"),
    ("#define _GNU_SOURCE\n#include <stdlib.h>\nint f(int x) { return x; }\n", 2, "feature test macro"),
    ("int f(int x) {\n  int y __attribute__((cleanup(g))) = x;\n  return y;\n}\n", 2, "cleanup"),
    ("int g(void) __attribute__((const));\nint f(int x) { return x; }\n", 1, "const"),
    ("void g(void) __attribute__((noreturn));\nvoid g(void) { }\nint f(int x) { g(); return x; }\n", 1, "noreturn"),
    ("int f(int x) {\n  void g(void) __attribute__((noreturn));\n  return x;\n}\n", 2, "noreturn"),
    ("_Noreturn void g(void) { }\nint f(int x) { g(); return x; }\n", 1, "_Noreturn"),
    ("int f(int x) {\n#if #cpu(x86_64)\n  x = 1;\n#endif\n  return x;\n}\n", 2, "assertion"),
    ("#pragma redefine_extname g h\nint f(int x) { return x; }\n", 1, "#pragma"),
    ("int f(int x) {\n  return x +\n#if 0\n  1\n#endif\n  ;\n}\n", 6, "C syntax"),
]


@pytest.mark.parametrize("source,line,words", REFUSED)
def test_refused_with_the_users_line(pre, source, line, words):
    with pytest.raises(ProgramError) as info:
        parse_c(source, "f", "c")
    assert info.value.line == line, info.value.message
    assert words in info.value.message


MALFORMED = {       # gcc rejects these, or pcpp would read them otherwise than gcc: refused
    "else_after_else": "#if 1\nint a;\n#else\nint b;\n#else\nint c;\n#endif\n",
    "elif_after_else": "#if 0\nint a;\n#else\nint b;\n#elif 1\nint c;\n#endif\n",
    "ifdef_number": "#ifdef 3\nint a;\n#endif\n",
    "define_defined": "#define defined 1\nint a;\n",
    "paste_at_start": "#define P(a) ## a\nint b = P(1);\n",
    "unterminated_call": "#define F(a) a\nint b = F(1\n;\n",
    "directive_in_arguments": "#define F(a) a\nint b = F(\n#undef F\n1);\n",
    "deferred_call": "#define EMPTY()\n#define DEFER(m) m EMPTY()\n#define A() 1\nint b = DEFER(A)();\n",
    "stray_hash": "int x /* c\n */ #define Z 3\n;\n",
}


PCPP_ONLY = {"directive_in_arguments", "deferred_call"}     # gcc reads these, as GNU cpp does


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_directives_are_refused(pre, name):
    source = MALFORMED[name] + "int f(int x) { return x; }\n"
    if pre == "cpp" and name in PCPP_ONLY:
        parse_c(source, "f", "c")
        return
    with pytest.raises(ProgramError) as info:
        parse_c(source, "f", "c")
    assert info.value.line is not None, info.value.message


def test_harmless_attributes_and_gnu_keywords_are_accepted(pre):
    src = ("extern void __VERIFIER_error() __attribute__ ((__noreturn__));\n"
           "static __inline__ int g(int v) __attribute__((unused));\n"
           "static __inline__ int g(int v) { __extension__ int w = v; return w; }\n"
           "int f(int x) { __const int k = 2; return g(x) * k; }\n")
    prog = parse_c(src, "f", "c")
    assert quod_run(prog, (4,)) == ("ok", 8)


def test_positions_are_the_sources(pre):
    """Columns survive whitespace the preprocessor collapses, comments, splices, macros and #if 0."""
    src = ("#define ADD(a, b) ((a) + (b))\n"
           "/* a comment\n   over lines */ int f(int x) {\n"
           "#if 0\n  garbage here (\n#endif\n"
           "  int   y  =  ADD(x,\n          1);   // note \\\n  still the comment\n"
           "\tint   *p;\n}\n")
    with pytest.raises(ProgramError) as info:
        parse_c(src, "f", "c")
    assert "pointers" in info.value.message and info.value.line == 10, info.value.message
    with pytest.raises(ProgramError) as info:          # the columns of a syntax error
        parse_c("#define ADD(a, b) ((a) + (b))\nint f(int x) {\n  int y   =   ADD(x, 1)  +   ;\n}\n", "f", "c")
    assert (info.value.line, info.value.col) == (3, 30), info.value.message
    with pytest.raises(ProgramError) as info:          # in an expansion: at the macro's name
        parse_c("#define BAD(a) (a +)\nint f(int x) {\n  int y   =   BAD(x);\n}\n", "f", "c")
    assert info.value.line == 3 and 15 <= info.value.col <= 20, info.value.message
    with pytest.raises(ProgramError) as info:
        parse_c("int f(int x) {\n  /* long\n  comment */    x = ;\n}\n", "f", "c")
    assert (info.value.line, info.value.col) == (3, 21), info.value.message


def test_loop_lines_are_the_sources(pre):
    src = ("#include <limits.h>\n#define LOOP while\nint f(int x) {\n  // \\\n  x\n  LOOP (x > 0)\n    x--;\n"
           "  return x;\n}\n")
    prog = parse_c(src, "f", "c")
    assert [lp.line for lp in prog.loops] == [6]


# ---- #include "..." next to the file ------------------------------------------------------------------

def test_local_include_is_next_to_the_file(pre, tmp_path, monkeypatch):
    d = tmp_path / "src"
    (d / "sub").mkdir(parents=True)
    (d / "step.h").write_text("#define STEP 1\n#include \"sub/inner.h\"\n")
    (d / "sub" / "inner.h").write_text("static int half(int v) { return v / 2; }\n")
    (tmp_path / "step.h").write_text("#define STEP 0\n")          # not this one
    src = "#include \"step.h\"\nint f(int x) { while (x > 0) x = half(x) - STEP; return x * 10 + STEP; }\n"
    monkeypatch.chdir(tmp_path)
    pp = preprocess(src, d)
    assert sorted(pp.files) == [(d / "step.h").resolve(), (d / "sub" / "inner.h").resolve()]
    prog = parse_c(src, "f", "c", base_dir=d)
    assert quod_run(prog, (9,)) == ("ok", 1)
    with pytest.raises(ProgramError) as info:          # without a directory: only Quod's headers
        parse_c(src, "f", "c")
    assert info.value.line == 1 and "step.h" in info.value.message


def test_error_in_an_included_file_is_at_the_include(pre, tmp_path):
    (tmp_path / "bad.h").write_text("int ok;\n#error broken header\n")
    with pytest.raises(ProgramError) as info:
        parse_c("int a;\n#include \"bad.h\"\nint f(int x) { return x; }\n", "f", "c", base_dir=tmp_path)
    assert info.value.line == 2 and "broken header" in info.value.message and "bad.h" in info.value.message
    (tmp_path / "ptr.h").write_text("int g(int v) { int *p; return v; }\n")
    with pytest.raises(ProgramError) as info:
        parse_c("\n\n#include \"ptr.h\"\nint f(int x) { return g(x); }\n", "f", "c", base_dir=tmp_path)
    assert info.value.line == 3


def test_quod_terminates_reads_includes_next_to_the_file(pre, tmp_path):
    d = tmp_path / "dir"
    d.mkdir()
    (d / "loop.h").write_text("#define DEC(v) ((v) + 0)\n")
    f = d / "p.c"
    f.write_text("#include \"loop.h\"\nint main(void) {\n  int x = __VERIFIER_nondet_int();\n"
                 "  while (x > 0) x = DEC(x);\n  return 0;\n}\n")
    r = subprocess.run([sys.executable, "-m", "quod.cli", "terminates", str(f), "--int", "math"],
                       capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2],
                       env={**os.environ, "QUOD_CPP": "pcpp" if pre == "pcpp" else ""})
    assert r.stdout.startswith("no:"), r.stdout + r.stderr


def test_proof_program_from_c_file_reads_includes_next_to_it(pre, tmp_path):
    from quod.loader import Loader
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "k.h").write_text("#define K 3\n")
    (tmp_path / "c" / "g.c").write_text("#include \"k.h\"\nint g(int x) { return x + K; }\n")
    (tmp_path / "a.proof").write_text('program g from c "c/g.c" function g\neval g(4)\n')
    mod = Loader().load(tmp_path / "a.proof")
    assert [m for _, m in mod.messages] == ["7"]


# ---- Quod's own program syntax ------------------------------------------------------------------------

def test_native_programs_are_preprocessed_too(pre):
    from programs.decl import parse_program_item
    prog = parse_program_item("program p(linux : int) -> int {\n#define TWICE(v) (2 * (v))\n"
                              "  int unix = TWICE(linux); // a comment \\\n  unix = 0;\n  return unix;\n}",
                              INCLUDE_DIR)
    assert quod_run(prog, (21,)) == ("ok", 42)
    with pytest.raises(ProgramError) as info:
        parse_program_item("program q(x : int) {\n  x = 1;\n#error no\n}", INCLUDE_DIR)
    assert info.value.line == 4          # line 1 of the C text is Quod's #include, the item starts on line 2


# ---- #if arithmetic, generated --------------------------------------------------------------------------

def _if_expression(rnd, depth: int = 0) -> str:
    """A random #if expression without errors (divisors and shift counts are literals in range)."""
    leaves = ["0", "1", "-1", "7", "2147483647", "4294967295", "9223372036854775807", "0x7fffffffffffffff",
              "0xffffffffffffffff", "0x8000000000000000", "18446744073709551615u", "3u", "5ul", "12ll", "017",
              "0b101", "'a'", "'\\377'", "'\\x80'", "'\\n'", "L'z'", "U'b'", "N", "UNDEFINED", "defined(N)",
              "defined NOPE", "__INT_MAX__", "__LONG_MAX__", "__SCHAR_MAX__"]
    if depth > 3 or rnd.random() < 0.3:
        return rnd.choice(leaves)
    a, b = _if_expression(rnd, depth + 1), _if_expression(rnd, depth + 1)
    kind = rnd.random()
    if kind < 0.15:
        return f"{rnd.choice(['-', '~', '!', '+'])}({a})"
    if kind < 0.25:
        return f"(({a}) {rnd.choice(['/', '%'])} {rnd.choice(['3', '-3', '2u', '7ll', '-1'])})"
    if kind < 0.32:
        return f"(({a}) {rnd.choice(['<<', '>>'])} {rnd.randrange(64)})"
    if kind < 0.4:
        return f"(({a}) ? ({b}) : ({_if_expression(rnd, depth + 1)}))"
    op = rnd.choice(["+", "-", "*", "&", "|", "^", "&&", "||", "==", "!=", "<", ">", "<=", ">="])
    return f"(({a}) {op} ({b}))"


@needs_gcc
def test_if_arithmetic_matches_gcc(pre):
    import random
    rnd = random.Random(20240611)
    exprs = [_if_expression(rnd) for _ in range(400)]
    text = "#define N 5\n" + "".join(f"#if {e}\nT{i}\n#else\nF{i}\n#endif\n" for i, e in enumerate(exprs))
    assert tokens(quod_e(text)) == tokens(gcc_e(text))


def test_backend_choice(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))          # no cpp anywhere: pcpp
    monkeypatch.delenv("QUOD_CPP", raising=False)
    assert backend()[0] == "pcpp"
    monkeypatch.setenv("QUOD_CPP", str(tmp_path / "no-such-cpp"))       # asked for, not there: an error
    with pytest.raises(ProgramError):
        backend()


# ---- macros, generated ----------------------------------------------------------------------------------

def _macro_program(rnd) -> str:
    """Random object- and function-like macros (bodies of parameters, other macros, #, ##, parentheses)
    and a line using them."""
    params = {"A": None, "B": None, "C": None, "F": ["x"], "G": ["x", "y"], "H": []}
    lines = []
    for name in rnd.sample(sorted(params), k=rnd.randint(2, 6)):
        ps = params[name]
        pool = ["A", "B", "C", "F", "G", "H", "1", "2", "+", "*", "(", ")", ",", "z"] + (ps or []) * 3
        if ps and rnd.random() < 0.3:
            pool.append("##")
        body = [rnd.choice(pool) for _ in range(rnd.randint(0, 6))]
        if ps and rnd.random() < 0.2:
            body[rnd.randrange(len(body) + 1):0] = ["#", rnd.choice(ps)]
        while body and body[0] == "##":
            body.pop(0)
        while body and body[-1] == "##":
            body.pop()
        head = name if ps is None else f"{name}({', '.join(ps)})"
        lines.append(f"#define {head} {' '.join(body)}")
    uses = ["A", "B", "C", "F", "G", "H", "(", ")", ",", "1", "+", "F(1)", "G(1,2)", "H()", "F(A)", "G(B,C)",
            "F((1,2))"]
    lines.append("<" + " ".join(rnd.choice(uses) for _ in range(rnd.randint(3, 10))) + ">")
    return "\n".join(lines) + "\n"


_GCC_E: dict = {}         # source -> gcc -E's result, for both preprocessors


@needs_gcc
def test_generated_macros_match_gcc(pre):
    """Where gcc accepts the program, Quod gives gcc's tokens (pcpp may refuse); where gcc rejects it,
    so does GNU cpp."""
    import random
    compared = 0
    for seed in range(100):
        src = _macro_program(random.Random(seed))
        if src not in _GCC_E:
            _GCC_E[src] = subprocess.run([GCC, "-std=gnu17", "-E", "-P", "-x", "c", "-"], input=src,
                                         capture_output=True, text=True)
        r = _GCC_E[src]
        try:
            ours = tokens(quod_e(src))
        except ProgramError:
            assert r.returncode != 0 or pre == "pcpp", src
            continue
        assert r.returncode == 0, src
        assert ours == tokens(r.stdout), src
        compared += 1
    assert compared >= 30


def test_strip_comments_reads_comments_as_c_does():
    from programs.c_frontend import strip_comments
    src = 'int a; // c \\\nint b;\nchar *s = "// no /* no */"; /* x\n y */ int c; // z\nint d = \'/\';\n'
    out = strip_comments(src)
    assert [len(x) for x in out.split("\n")] == [len(x) for x in src.split("\n")]
    assert out.split() == ["int", "a;", "char", "*s", "=", '"//', "no", "/*", "no", '*/";', "int", "c;", "int", "d",
                           "=", "'/';"]
