"""Generate Quod's C headers (programs/include/) from this machine's gcc and glibc.

    python programs/include/generate.py

Run it on x86-64 Linux with gcc and glibc: the C front end gives C the meaning gcc gives it there
(``-std=gnu17``, LP64, signed plain char). Written:

- ``quod/predef.h``: the macros gcc predefines (``gcc -std=gnu17 -dM -E``), except the five that
  every preprocessor defines itself (``__STDC__``, ``__STDC_VERSION__``, ``__STDC_HOSTED__``,
  ``__STDC_UTF_16__``, ``__STDC_UTF_32__``). The front end runs ``cpp -undef`` with this file, so a
  program sees these macros, with these values, whatever machine Quod runs on.
- One header per supported standard header: every macro the real header defines (with its
  definition), every integer typedef it declares (resolved to the built-in type), and a few
  hand-written function declarations (below). A program that uses anything else the real header
  declares (a struct, a pointer type, another function) gets a located error from the parser or
  the translator, never another meaning. ``assert.h`` defines ``assert`` as Quod's own assertion
  (the same check glibc makes: a false argument stops the program), and nothing under NDEBUG.

tests/programs/test_preprocessor.py checks the written headers against the real ones.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
GCC = ["gcc", "-std=gnu17"]
STANDARD = {"__STDC__", "__STDC_VERSION__", "__STDC_HOSTED__", "__STDC_UTF_16__", "__STDC_UTF_32__"}
HEADERS = ["assert.h", "iso646.h", "limits.h", "stdbool.h", "stddef.h", "stdint.h", "stdio.h", "stdlib.h"]

# Declarations of functions, as glibc declares them (attributes left out: none of them is defined
# in a header, so an attribute cannot change what a program means). Calls to them are refused by
# the translator, except abort (Quod's assert(false)).
DECLARATIONS = {
    "stdio.h": """\
typedef struct _IO_FILE FILE;
extern FILE *stdin;
extern FILE *stdout;
extern FILE *stderr;
extern int printf (const char *__restrict __format, ...);
extern int scanf (const char *__restrict __format, ...);
extern int getchar (void);
extern int putchar (int __c);
extern int puts (const char *__s);
""",
    "stdlib.h": """\
extern void abort (void);
extern void exit (int __status);
extern void _Exit (int __status);
extern int abs (int __x);
extern long int labs (long int __x);
extern long long int llabs (long long int __x);
extern int rand (void);
extern void srand (unsigned int __seed);
extern int atoi (const char *__nptr);
extern long int atol (const char *__nptr);
extern void *malloc (size_t __size);
extern void *calloc (size_t __nmemb, size_t __size);
extern void *realloc (void *__ptr, size_t __size);
extern void free (void *__ptr);
""",
}

# assert.h: glibc's logic, with Quod's assertion for glibc's __assert_fail. The macros are
# redefined at every inclusion (assert.h has no include guard: NDEBUG may change in between).
ASSERT = """\
#ifdef _ASSERT_H
# undef _ASSERT_H
# undef assert
# undef __ASSERT_VOID_CAST
# ifdef __USE_GNU
#  undef assert_perror
# endif
#endif
#define _ASSERT_H 1
#define __ASSERT_VOID_CAST (void)
#ifdef NDEBUG
# define assert(expr) (__ASSERT_VOID_CAST (0))
# ifdef __USE_GNU
#  define assert_perror(errnum) (__ASSERT_VOID_CAST (0))
# endif
#else
/* Quod's assertion: the argument is evaluated once and the program fails when it is 0. */
# define assert(expr) assert (expr)
# define __ASSERT_FUNCTION __extension__ __PRETTY_FUNCTION__
#endif
#if defined __USE_ISOC11 && !defined __cplusplus
# undef static_assert
# define static_assert _Static_assert
#endif
"""
ASSERT_OWN = {"_ASSERT_H", "assert", "assert_perror", "__ASSERT_VOID_CAST", "__ASSERT_FUNCTION", "static_assert"}

# The feature test macros: defined before the first C library header, they change what the
# headers define; Quod's headers are those of the default (_DEFAULT_SOURCE), so they are refused.
FEATURES = ["_GNU_SOURCE", "_DEFAULT_SOURCE", "_BSD_SOURCE", "_SVID_SOURCE", "_POSIX_SOURCE", "_POSIX_C_SOURCE",
            "_XOPEN_SOURCE", "_XOPEN_SOURCE_EXTENDED", "_ISOC95_SOURCE", "_ISOC99_SOURCE", "_ISOC11_SOURCE",
            "_ISOC2X_SOURCE", "_LARGEFILE_SOURCE", "_LARGEFILE64_SOURCE", "_FILE_OFFSET_BITS", "_TIME_BITS",
            "_ATFILE_SOURCE", "_REENTRANT", "_THREAD_SAFE", "_FORTIFY_SOURCE", "_DYNAMIC_STACK_SIZE_SOURCE",
            "__STRICT_ANSI__", "__STDC_WANT_LIB_EXT2__", "__STDC_WANT_IEC_60559_BFP_EXT__",
            "__STDC_WANT_IEC_60559_FUNCS_EXT__", "__STDC_WANT_IEC_60559_TYPES_EXT__",
            "__STDC_WANT_IEC_60559_EXT__", "__STDC_WANT_IEC_60559_DFP_EXT__",
            "__STDC_WANT_IEC_60559_ATTRIBS_EXT__"]

_INT_WORDS = {"signed", "unsigned", "char", "short", "int", "long", "_Bool", "const", "volatile"}


def macros(text: str) -> dict[str, str]:
    """{name: the whole #define line} of `gcc -dM` output."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"#define ([A-Za-z_]\w*)", line)
        if m:
            out[m.group(1)] = line.rstrip()
    return out


def dm(source: str) -> dict[str, str]:
    r = subprocess.run(GCC + ["-dM", "-E", "-x", "c", "-"], input=source, capture_output=True, text=True, check=True)
    return macros(r.stdout)


def integer_typedefs(header: str) -> dict[str, str]:
    """{name: built-in integer type} of the typedefs the header declares (in order)."""
    r = subprocess.run(GCC + ["-E", "-P", "-x", "c", "-"], input=f"#include <{header}>\n", capture_output=True,
                       text=True, check=True)
    flat = re.sub(r"\s+", " ", r.stdout)
    known: dict[str, str] = {}
    for m in re.finditer(r"(?:^|(?<=[;{}])) ?(?:__extension__ )?typedef ([^;{}()*\[\]]*?) ?([A-Za-z_]\w*) ?;", flat):
        words, name = m.group(1).split(), m.group(2)
        if len(words) == 1 and words[0] in known:
            known[name] = known[words[0]]
        elif words and set(words) <= _INT_WORDS:
            known[name] = " ".join(words)
    return {k: v for k, v in known.items() if not k.startswith("_")}


def write_predef(predef: dict[str, str]) -> None:
    lines = [v for k, v in sorted(predef.items()) if k not in STANDARD]
    (HERE / "quod" / "predef.h").write_text(
        "/* The macros gcc predefines for C (-std=gnu17) on x86-64 Linux, without the five every C\n"
        "   preprocessor defines itself. Generated by programs/include/generate.py: do not edit. */\n"
        + "\n".join(lines) + "\n")


def write_features() -> None:
    cond = " \\\n    || ".join(f"defined {f}" for f in FEATURES)
    (HERE / "quod" / "features.h").write_text(
        "/* Included by Quod's C library headers. Its headers are glibc's with the default features;\n"
        "   a feature test macro defined before the first of them would change what they define.\n"
        "   Generated by programs/include/generate.py: do not edit. */\n"
        "#ifndef _FEATURES_H\n"
        f"# if {cond}\n"
        '#  error "unsupported: a feature test macro (such as _GNU_SOURCE or _POSIX_C_SOURCE) before the '
        'first C library header: Quod\'s headers are those of the default features"\n'
        "# endif\n#endif\n")


def write_header(name: str, predef: dict[str, str]) -> None:
    own = {k: v for k, v in dm(f"#include <{name}>\n").items() if predef.get(k) != v}
    glibc = "_FEATURES_H" in own
    if name == "assert.h":
        own = {k: v for k, v in own.items() if k not in ASSERT_OWN}
    typedefs = integer_typedefs(name)
    guard = "__QUOD_" + re.sub(r"\W", "_", name.upper())
    parts = [f"/* <{name}> for Quod: the macros and integer typedefs of gcc's and glibc's <{name}> (x86-64\n"
             "   Linux, -std=gnu17). Generated by programs/include/generate.py: do not edit. */"]
    if glibc:
        parts.append("#include <quod/features.h>")
    parts.append(f"#ifndef {guard}\n#define {guard}")
    parts.extend(v for _, v in sorted(own.items()))
    parts.extend(f"typedef {ty} {n};" for n, ty in typedefs.items())
    if name in DECLARATIONS:
        parts.append(DECLARATIONS[name].rstrip("\n"))
    parts.append(f"#endif /* {guard} */")
    if name == "assert.h":
        parts.append(ASSERT.rstrip("\n"))
    (HERE / name).write_text("\n".join(parts) + "\n")


def main() -> None:
    predef = dm("")
    write_predef(predef)
    write_features()
    for h in HEADERS:
        write_header(h, predef)


if __name__ == "__main__":
    main()
