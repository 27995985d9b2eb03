"""The ``quod`` command: check, prove, terminates, repl, search, doc, verify, lsp, and the version.

Imports are lazy: ``quod --version`` and ``quod verify`` load neither Lark
nor z3 nor the tactics, and ``verify`` runs on the kernel alone.
"""

from __future__ import annotations

import argparse
import sys

VERSION = "0.1.0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="quod", description="Quod: yes, no or don't know, with proofs.")
    parser.add_argument("--version", action="version", version=f"quod {VERSION}")
    sub = parser.add_subparsers(dest="command")

    chk = sub.add_parser("check", help="check .proof files (default: the bundled theories/ and proofs/)")
    chk.add_argument("paths", nargs="*", help=".proof files or directories")
    chk.add_argument("--json", action="store_true", help="print the results as one JSON document")
    chk.add_argument("--strict", action="store_true", help="also fail theorems that rest on an oracle or axiom")
    chk.add_argument("-j", "--jobs", type=int, default=1, help="check independent files in N processes")
    chk.add_argument("--no-cache", action="store_true", help="neither read nor write the proof cache")
    chk.add_argument("--cache-dir", metavar="DIR",
                     help="keep the proof cache in DIR (default: $QUOD_CACHE_DIR, else the user cache directory)")
    chk.add_argument("--emit-proofs", metavar="DIR", help="write each proved theorem's proof term as JSON")
    chk.add_argument("--show-statement", action="store_true",
                     help="print each theorem's kernel statement in full (programs included); --json always has it")
    chk.add_argument("--allow-path", action="append", metavar="DIR",
                     help="also read program sources (and C #includes) under DIR; by default only the "
                          ".proof file's directory and below (names are relative to it, never to the current "
                          "directory)")

    prv = sub.add_parser("prove", help="answer yes / no / don't know for one formula")
    prv.add_argument("formula", help='for example "forall x y : int, x + y = y + x"')
    prv.add_argument("--import", dest="imports", action="append", metavar="MOD", help="import a module first")
    prv.add_argument("--strict", action="store_true", help="a yes that needs an oracle is reported as don't know")
    prv.add_argument("--timeout", type=int, default=10_000, metavar="MS", help="wall-clock cap for z3 (ms)")
    prv.add_argument("--rlimit", type=int, default=5_000_000, help="z3's deterministic resource budget")
    prv.add_argument("--show-statement", action="store_true", help="print the kernel statement the answer is about")

    rpl = sub.add_parser("repl", help="an interactive session (reads commands line by line when not a terminal)")
    rpl.add_argument("file", nargs="?", help="a .proof file to load and walk")
    rpl.add_argument("--ascii", action="store_true", help="print |- and ASCII connectives")
    rpl.add_argument("--allow-path", action="append", metavar="DIR",
                     help="also read program sources (and C #includes) under DIR; by default only the "
                          ".proof file's directory and below (names are relative to it, never to the current "
                          "directory)")

    trm = sub.add_parser("terminates",
                         help="does a C, Python or .proof program always terminate? yes / no / don't know")
    trm.add_argument("file", help="a .c, .py or .proof file")
    trm.add_argument("--function", help="the function to analyse (default: the only one, or main)")
    trm.add_argument("--int", choices=["c", "math"], default="c",
                     help="C int as 32-bit with overflow ruled out (c, default) or as mathematical integers")
    trm.add_argument("--strict", action="store_true", help="an answer that needs an oracle is don't know")
    trm.add_argument("--show-statement", action="store_true",
                     help="print the kernel statement the answer is about (the program as the kernel reads it)")
    trm.add_argument("--allow-path", action="append", metavar="DIR",
                     help="also read program sources (and C #includes) under DIR; by default only the "
                          ".proof file's directory and below (names are relative to it, never to the current "
                          "directory)")

    lsp = sub.add_parser("lsp", help="a language server for editors (LSP on standard input and output)")
    lsp.add_argument("--stdio", action="store_true", help="talk on standard input and output (the default)")

    sea = sub.add_parser("search", help="find library lemmas by pattern, name fragment or the constants they use")
    sea.add_argument("queries", nargs="+", metavar="QUERY",
                     help='a pattern such as "_ * (_ + _)", or a word such as gcd or mod; several must all match')
    sea.add_argument("--import", dest="imports", action="append", metavar="MOD",
                     help="search only these modules (default: all of theories/)")
    sea.add_argument("--limit", type=int, default=40, help="show at most this many hits (default 40)")

    doc = sub.add_parser("doc", help="write browsable HTML pages for .proof modules (default: the library)")
    doc.add_argument("paths", nargs="*", help="directories or .proof files (default: the bundled theories/)")
    doc.add_argument("-o", "--output", required=True, metavar="DIR", help="where to write the pages")
    doc.add_argument("--no-cache", action="store_true", help="neither read nor write the proof cache")

    ver = sub.add_parser("verify", help="re-check exported proof files with the kernel alone")
    ver.add_argument("dir", help="a directory of .json files written by --emit-proofs (or one file)")
    ver.add_argument("--strict", action="store_true",
                     help="also fail when anything rests on an oracle or an axiom (sorry always fails)")
    ver.add_argument("--show-statement", action="store_true",
                     help="print what each verified declaration states, in full (a theorem's statement as the "
                          "kernel checked it, a definition's equation): what was proved is what is printed")

    args = parser.parse_args(argv)
    if getattr(args, "allow_path", None):     # programs/sources.py reads it (and -j workers inherit it)
        import os
        from pathlib import Path
        old = [p for p in os.environ.get("QUOD_ALLOW_PATH", "").split(os.pathsep) if p]
        os.environ["QUOD_ALLOW_PATH"] = os.pathsep.join([str(Path(d).resolve()) for d in args.allow_path] + old)
    for stream in (sys.stdout, sys.stderr):     # a source line that cannot be shown must not crash us
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass
    try:
        if args.command == "check":
            from .check import run_check
            return run_check(args)
        if args.command == "prove":
            from .prove import run_prove
            return run_prove(args)
        if args.command == "repl":
            from .repl import run_repl
            return run_repl(args)
        if args.command == "terminates":
            from .terminates import run_terminates
            return run_terminates(args)
        if args.command == "search":
            from .search import run_search
            return run_search(args)
        if args.command == "doc":
            from .doc import run_doc
            return run_doc(args)
        if args.command == "verify":
            return run_verify(args.dir, args.strict, args.show_statement)
        if args.command == "lsp":
            try:
                from .lsp import run_lsp
            except ImportError as exc:
                print(f"quod lsp: error: {exc}; install it with: pip install pygls", file=sys.stderr)
                return 2
            return run_lsp(args)
        parser.print_help()
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:        # `quod check | head`: stop quietly
        try:
            import os
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 1


def run_verify(target: str, strict: bool = False, show_statement: bool = False) -> int:
    """Re-check exported files with the kernel alone (nothing else of Quod is imported), report every
    declaration and, at the end, every axiom, oracle and sorry that anything here rests on.

    Exit 0 when every file is accepted and nothing rests on ``sorry``; 1 otherwise, and with
    ``--strict`` also when anything rests on an oracle or an axiom (as ``quod check``); 2 for bad input.
    """
    from pathlib import Path

    from kernel import KernelError
    from kernel.check import ORACLES
    from kernel.env import AxiomDecl, Def
    from kernel.export import verify_file
    p = Path(target)
    if p.is_dir():
        files = sorted(p.rglob("*.json"))
    elif p.is_file():
        files = [p]
    else:
        print(f"quod verify: error: {target}: no such file or directory", file=sys.stderr)
        return 2
    if not files:
        print(f"quod verify: error: no .json proof files in {target}", file=sys.stderr)
        return 2
    bad = 0
    n_decls = 0
    resting: dict[str, set] = {}     # axiom, oracle or sorry -> the declarations that rest on it
    for f in files:
        try:
            env, names = verify_file(f)
        except KernelError as exc:
            bad += 1
            print(f"{f}: rejected: {_printable(str(exc))}")
            continue
        except (RecursionError, MemoryError) as exc:
            bad += 1
            print(f"{f}: rejected: too large or too deep to check ({type(exc).__name__})")
            continue
        except Exception as exc:    # a malformed file must be rejected, never crash the checker
            bad += 1
            print(f"{f}: rejected: malformed proof file ({type(exc).__name__}: {_printable(str(exc)[:200])})")
            continue
        decls = env.declarations()
        print(f"{f}: ok ({len(names)} declaration{'s' if len(names) != 1 else ''} re-checked)")
        width = max((len(n) for n in names), default=0)
        for name in names:
            d = decls[name]
            if isinstance(d, Def):
                kind, axioms = "def", env.definition(name).axioms
            else:
                kind, axioms = ("axiom" if isinstance(d, AxiomDecl) else "theorem"), env.theorem(name).axioms
            for a in axioms:
                resting.setdefault(a, set()).add(name)
            if kind == "axiom":
                note = "declared, not proved"
            elif axioms:
                note = "rests on " + ", ".join(sorted(axioms))
            else:
                note = "kernel rules only"
            print(f"  {kind:<7} {_printable(name):<{width}}  {note}")
            if show_statement:
                from .statement import indented, render      # the kernel's Expr as text: no parser involved
                if isinstance(d, Def):
                    shown = f"{name}({', '.join(d.params)}) := {render(d.body)}"
                else:
                    shown = render(d.statement)
                print(indented(_printable(shown), "    statement: ", " " * len("    statement: ")))
            n_decls += 1
    what = {a: "sorry" if a == "sorry" else "oracle" if a in ORACLES else "axiom" for a in resting}
    for a in sorted(resting, key=lambda a: (what[a] != "sorry", what[a] != "oracle", a)):
        users = sorted(resting[a])
        shown = ", ".join(_printable(u) for u in users[:10])
        if len(users) > 10:
            shown += f" and {len(users) - 10} more"
        print(f"rests on {_printable(a)} ({what[a]}): {shown}")
    if resting:
        tail = "rests on " + ", ".join(f"{_printable(a)} ({what[a]})" for a in sorted(resting))
    else:
        tail = "kernel rules only (no axiom, oracle or sorry)"
    print(f"{len(files)} file{'s' if len(files) != 1 else ''}: {len(files) - bad} verified, {bad} rejected; "
          f"{n_decls} declaration{'s' if n_decls != 1 else ''} re-checked; "
          f"{tail}")
    if bad or "sorry" in resting:
        return 1
    if strict and resting:
        print("quod verify: --strict: something here rests on an axiom or an oracle", file=sys.stderr)
        return 1
    return 0


def _printable(text: str) -> str:
    """No terminal control characters from a proof file reach the screen."""
    return "".join(c if c.isprintable() or c == "\n" else "?" for c in text)


if __name__ == "__main__":
    sys.exit(main())
