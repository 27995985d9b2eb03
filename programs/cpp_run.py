"""Choosing and running the C preprocessor: GNU cpp when there is one (gcc's own), else pcpp (pure
Python) with gcc's behaviour where pcpp's differs; both with Quod's headers and gcc's predefined
macros. A failure is a located ``PreprocessorFailed``."""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

from .c_text import SourceTokens, presplice
from .cpp_if import evaluate_if
from .lang import ProgramError

INCLUDE_DIR = Path(__file__).resolve().parent / "include"
PREDEF = INCLUDE_DIR / "quod" / "predef.h"
# the headers a program may include with <...> (Quod's own, under quod/, too)
HEADERS = ("assert.h", "iso646.h", "limits.h", "stdbool.h", "stddef.h", "stdint.h", "stdio.h", "stdlib.h")
# what every C preprocessor defines itself (cpp keeps them under -undef; pcpp is given them)
STANDARD_MACROS = ("__STDC__ 1", "__STDC_VERSION__ 201710L", "__STDC_HOSTED__ 1", "__STDC_UTF_16__ 1",
                   "__STDC_UTF_32__ 1")
CPP_FLAGS = ["-undef", "-nostdinc", "-std=gnu17", "-x", "c", "-fdiagnostics-color=never",
              "-include", str(PREDEF), "-I", str(INCLUDE_DIR)]
TIMEOUT = 60


@functools.lru_cache(maxsize=None)
def gnu_cpp(path: str) -> tuple | None:
    """The command line for GNU cpp at ``path``, or None if it is not GNU cpp or does not run."""
    try:
        r = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=TIMEOUT, env=cpp_env())
    except (OSError, subprocess.SubprocessError):
        return None
    if r.returncode != 0 or "Free Software Foundation" not in r.stdout and "GCC" not in r.stdout:
        return None
    for extra in (["-fdiagnostics-column-unit=byte"], []):
        cmd = (path, *CPP_FLAGS, *extra, "-")
        try:
            p = subprocess.run(cmd, input=b"int x;\n", capture_output=True, timeout=TIMEOUT, env=cpp_env())
        except (OSError, subprocess.SubprocessError):
            return None
        if p.returncode == 0:
            return cmd
    return None


def cpp_env() -> dict:
    """A clean environment: no CPATH, C_INCLUDE_PATH, SOURCE_DATE_EPOCH or locale changing what cpp
    does or says."""
    return {"PATH": os.environ.get("PATH", os.defpath), "LC_ALL": "C"}


def backend() -> tuple[str, tuple | None]:
    """("cpp", command) or ("pcpp", None): GNU cpp when there is one, else pcpp; ``QUOD_CPP`` chooses."""
    choice = os.environ.get("QUOD_CPP", "").strip()
    if choice == "pcpp":
        return "pcpp", None
    path = choice or shutil.which("cpp")
    cmd = gnu_cpp(path) if path else None
    if cmd is not None:
        return "cpp", cmd
    if choice:
        raise ProgramError(f"QUOD_CPP={choice}: not a GNU cpp that runs (set QUOD_CPP=pcpp for the Python one)")
    return "pcpp", None


class PreprocessorFailed(Exception):
    """The preprocessor refused the source: a message and where in the user's file."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


MAIN_CPP = "<stdin>"
_DIAG = re.compile(r"^(.*?):(\d+):(?:(\d+):)? (?:fatal )?error: (.*)$")
_FROM = re.compile(r"^(?:In file included from|\s+from) (.*?):(\d+)[:,]")


def run_cpp(cmd: tuple, source: str, cwd: Path) -> tuple[str, str, None, None]:
    try:
        r = subprocess.run(cmd, input=source.encode("utf-8"), capture_output=True, cwd=cwd, env=cpp_env(),
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise PreprocessorFailed(f"the C preprocessor did not finish in {TIMEOUT} s") from None
    except OSError as exc:
        raise PreprocessorFailed(f"cannot run the C preprocessor: {exc}") from None
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode != 0:
        site = None
        for ln in err.splitlines():
            f = _FROM.match(ln)
            if f and f.group(1) == MAIN_CPP:
                site = int(f.group(2))
            m = _DIAG.match(ln)
            if m:
                file, line, col, msg = m.group(1), int(m.group(2)), m.group(3), m.group(4)
                if file == MAIN_CPP:
                    raise PreprocessorFailed(msg, line, int(col) if col else None)
                raise PreprocessorFailed(f"{msg} (in {file}:{line}, included here)", site)
        raise PreprocessorFailed("the C preprocessor failed: " + (err.strip().splitlines() or ["no message"])[0])
    return r.stdout.decode("utf-8", "replace"), MAIN_CPP, None, None


def inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory)
        return True
    except (ValueError, OSError):
        return False


_PCPP_LOCK = threading.Lock()       # pcpp's trigraph function is switched off for the duration of a run


@functools.lru_cache(maxsize=1)
def _pcpp_predefined() -> dict:
    """pcpp's macro objects for the standard macros and quod/predef.h, made once (a program's
    #define or #undef replaces an entry of its own table, never changes one of these)."""
    import pcpp
    p = pcpp.Preprocessor()
    for m in STANDARD_MACROS:
        p.define(m)
    for ln in PREDEF.read_text(encoding="utf-8").splitlines():
        if ln.startswith("#define "):
            p.define(ln[len("#define "):])
    return {k: v for k, v in p.macros.items() if k not in ("__DATE__", "__TIME__", "__PCPP__", "__FILE__")}


def run_pcpp(source: str, base: Path) -> tuple[str, str, list, dict]:
    """(output, the main file's name in it, the user's files read, {macro: function-like} at the end)"""
    import pcpp
    import pcpp.preprocessor as pre

    main = os.path.abspath(str(base / "<quod-input>"))
    files: list[Path] = []

    class P(pcpp.Preprocessor):
        site = None           # the line of the user's #include being read

        def fail(self, msg, file, line):
            if file == main:
                raise PreprocessorFailed(msg, line)
            raise PreprocessorFailed(f"{msg} (in {file}:{line}, included here)" if file else msg, self.site)

        def on_error(self, file, line, msg):
            m = re.match(r"Could not evaluate expression due to _IfError\(([\'\"])(.*)\1\)", msg)
            self.fail(m.group(2) if m else msg, file, line)

        def on_directive_handle(self, directive, toks, ifpassthru, precedingtoks):
            if directive.value == "include" and directive.source == main:
                self.site = directive.lineno
            return super().on_directive_handle(directive, toks, ifpassthru, precedingtoks)

        def on_include_not_found(self, is_malformed, is_system_include, curdir, includepath):
            d = self.lastdirective
            self.fail("malformed #include" if is_malformed else f"{includepath}: No such file or directory",
                      getattr(d, "source", None), getattr(d, "lineno", None))

        def on_file_open(self, is_system_include, includepath):
            path = Path(includepath)
            ours = inside(path, INCLUDE_DIR)
            if is_system_include and not ours:
                raise OSError(includepath)
            with open(includepath, encoding="utf-8") as f:
                text = f.read()
            if not ours:             # a file of the user's: checked as the source is
                if path.resolve() not in files:
                    files.append(path.resolve())
                src = SourceTokens(text)
                bad = src.pcpp_refuses()
                if bad is not None:
                    raise PreprocessorFailed(f"unsupported with pcpp, the Python preprocessor Quod uses when GNU cpp "
                                             f"is missing: {bad[0]} (in {includepath}:{bad[1]})", self.site)
                try:
                    src.check(path.parent)
                except ProgramError as exc:
                    raise PreprocessorFailed(f"{exc.message} (in {includepath}:{exc.line})", self.site) from None
            return io.StringIO(presplice(text))

        def on_directive_unknown(self, directive, toks, ifpassthru, precedingtoks):
            if directive.value == "error":
                self.fail("#error " + "".join(t.value for t in toks).strip(), directive.source, directive.lineno)
            if directive.value == "warning":
                return True
            if directive.value == "pragma":
                return None           # kept in the output: decided below, as for cpp
            self.fail(f"unsupported directive #{directive.value}", directive.source, directive.lineno)

        def collect_args(self, tokenlist, ignore_errors=False):
            found = super().collect_args(tokenlist, ignore_errors)
            if ignore_errors and found[0] == 0:      # pcpp leaves the call unexpanded; gcc does not
                t = tokenlist[0]
                self.fail("unsupported with pcpp, the Python preprocessor Quod uses when GNU cpp is missing: a "
                          "macro call whose arguments do not end before a directive or the end of the file",
                          getattr(t, "source", None), getattr(t, "lineno", None))
            return found

        def on_unknown_macro_function_in_expr(self, ident):
            # gcc knows __has_attribute, __has_builtin, ...: pcpp would take them as 0
            d = self.lastdirective
            self.fail(f"unsupported: {ident}(...) in #if (only GNU cpp evaluates it as gcc does)",
                      getattr(d, "source", None), getattr(d, "lineno", None))

    p = P()
    p.evaluator = evaluate_if
    p.line_directive = "#"
    p.add_path(str(INCLUDE_DIR))
    p.rewrite_paths = []                    # file names as they are (add_path adds a rule)
    p.auto_pragma_once_enabled = False      # gcc reads a guarded file again when its guard was #undef'd
    p.macros.update(_pcpp_predefined())
    p.undef("__PCPP__")
    out = io.StringIO()
    with _PCPP_LOCK:
        saved = pre.trigraph
        pre.trigraph = lambda text: text          # gcc -std=gnu17 does not replace trigraphs
        try:
            p.parse(presplice(source), main)
            p.write(out)
        except PreprocessorFailed:
            raise
        except RecursionError:
            raise PreprocessorFailed("the C preprocessor gave up (nesting too deep)") from None
        except Exception as exc:            # pcpp's own errors
            raise PreprocessorFailed(f"the C preprocessor failed: {type(exc).__name__}: {exc}") from None
        finally:
            pre.trigraph = saved
    return out.getvalue(), main, files, {k: m.arglist is not None for k, m in p.macros.items()}
