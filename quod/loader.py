"""Loading .proof files: imports, declarations, proofs, and what each theorem came to.

A module is checked once per run. Its environment starts from the prelude
(``integers.prelude``, which every file sees without an import) and the
environments of its imports; each declaration is elaborated, each proof run by
the tactic engine, and only what the kernel accepts is added.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from kernel import (FORMULA, TERM, AxiomDecl, Def, Environment, Expr, Forall, KernelError, TheoremDecl,
                    decreasing_obligations, free_vars, mk, show)
import analysis.tactics  # noqa: F401  (registers the program tactics with the engine)
from tactics import syntax as S
from tactics.syntax import Pos, QuodError, normalize_newlines

ROOT = Path(__file__).resolve().parent.parent
# the library of verified lemmas: package data next to quod/ in an installed Quod, else the source tree's
THEORIES = next((p for p in (Path(__file__).resolve().parent / "theories", ROOT / "theories") if p.is_dir()),
                ROOT / "theories")
PRELUDE = "integers.prelude"
MAX_FILE = 64_000_000   # bytes in a .proof file
_THEOREM_NAME = re.compile(r"(?:@\[[^\]]*\]\s*)?(theorem|lemma)\s+([A-Za-z_][\w']*)")
MAX_ERRORS = 100      # per file: past this, a file is probably not a .proof file at all
MAIN_TACTICS = ["sorry", "smt_oracle", "hammer", "smt", "induction", "strong_induction", "calc", "nlinarith",
                "linarith", "simp", "ring", "norm_num",
                "rewrite", "unfold", "cases", "apply", "exact", "intro"]


@dataclass
class Result:
    """What happened to one theorem (or axiom) of a file."""
    file: str
    line: int
    name: str
    status: str            # proved, failed, sorry, oracle, don't know, axiom
    detail: str = ""
    ms: float = 0.0
    axioms: list = field(default_factory=list)
    error: str | None = None
    expected: str | None = None   # "dont_know" for @[expect_dont_know]: an honest open question
    cached: bool = False          # from .quod-cache: a proof the kernel re-checked now, or a replayed "no"
    statement: str | None = None  # the kernel statement, printed in full (when the loader's show_statements)


@dataclass
class Module:
    name: str
    path: Path
    env: Environment
    results: list
    messages: list          # (Pos, text) from commands
    simp_lemmas: list
    imports: list           # module names
    source: str = ""
    errors: list = field(default_factory=list)   # formatted errors of items that failed outright
    programs: dict = field(default_factory=dict)  # program name -> programs.lang.Program
    # what the cache needs (quod/cache.py): the files this module's meaning rests on, how its
    # imports resolved, its cache entry and the records for the next one
    import_paths: dict = field(default_factory=dict)   # module name (and the prelude) -> resolved Path
    reads: set = field(default_factory=set)            # files the program front ends read (absolute)
    search_path: list = field(default_factory=list)
    deps_files: dict = field(default_factory=dict)     # absolute path -> content hash, with the imports'
    deps_imports: dict = field(default_factory=dict)   # module name -> resolved path, with the imports'
    cache_entry: object = None
    cache_records: dict = field(default_factory=dict)
    recomputed: bool = False                           # some theorem was not served from the cache


def search_path() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("QUOD_PATH", "").split(os.pathsep) if p]
    return [THEORIES] + extra


class Loader:
    def __init__(self, paths: list[Path] | None = None):
        self.paths = paths if paths is not None else search_path()
        self.modules: dict[Path, Module] = {}
        self.loading: list[Path] = []
        self.store = None            # a quod.cache.Store: cached proofs, re-checked by the kernel
        self.show_statements = False  # fill Result.statement (quod check --show-statement, --json)
        self._shas: dict[Path, str] = {}

    # -- modules ------------------------------------------------------------------------

    def resolve(self, name: str, pos: Pos | None, base: Path | None = None) -> Path:
        """Where ``import name`` leads: next to the importing file (``base``, its directory), else the
        first of the search path (Quod's library, then QUOD_PATH). A module both next to the file and
        on the search path (two different files) is refused: the import would be ambiguous."""
        rel = Path(*name.split(".")).with_suffix(".proof")

        def is_file(p) -> bool:
            try:
                return p.is_file()
            except (OSError, ValueError):       # a name too long for the file system, say: not there
                return False
        found = next(((base / rel).resolve() for base in self.paths if is_file(base / rel)), None)
        if base is not None and is_file(base / rel):
            sibling = (base / rel).resolve()
            if found is not None and found != sibling:
                raise QuodError(pos, f"import {name} is ambiguous: there is {_display_dir(sibling)} next to this "
                                     f"file and {_display_dir(found)} on the search path ({self._where(found)}); "
                                     "rename one of them")
            return sibling
        if found is not None:
            return found
        places = ([f"{_display_dir(base)} (next to this file)"] if base is not None else []) + \
            [f"{_display_dir(b)} ({self._where(b / rel)})" for b in self.paths]
        raise QuodError(pos, f"module {name} not found: looked for {rel} in " + ", ".join(places))

    def _where(self, p: Path) -> str:
        try:
            Path(p).resolve().relative_to(THEORIES.resolve())
            return "Quod's library"
        except ValueError:
            return "QUOD_PATH"

    def resolves(self, name: str, base: Path | None = None) -> bool:
        try:
            self.resolve(name, None, base)
            return True
        except QuodError:
            return False

    def module(self, name: str, pos: Pos | None = None, base: Path | None = None) -> Module:
        return self.load(self.resolve(name, pos, base), name, pos)

    def prelude(self) -> Module | None:
        if self.paths and not (THEORIES / "integers" / "prelude.proof").is_file():
            raise QuodError(None, f"Quod's library is missing (no {THEORIES / 'integers' / 'prelude.proof'}): "
                                  "the installation is broken; reinstall Quod")
        try:
            return self.module(PRELUDE)
        except QuodError:
            return None

    def load(self, path: Path, name: str | None = None, pos: Pos | None = None) -> Module:
        path = Path(path).resolve()
        if path in self.modules:
            return self.modules[path]
        if path in self.loading:
            cycle = " -> ".join(p.stem for p in self.loading[self.loading.index(path):] + [path])
            raise QuodError(pos, f"import cycle: {cycle}")
        self.loading.append(path)
        try:
            mod = self._check(path, name or path.stem)
        finally:
            self.loading.pop()
        self.modules[path] = mod
        return mod

    def read(self, path: Path) -> str:
        try:
            data = _read_regular(path)
        except OSError as exc:
            raise QuodError(Pos(display_path(path), 1, 1), f"cannot read file: {exc.strerror or exc}") from None
        import hashlib
        self._shas[Path(path)] = hashlib.sha256(data).hexdigest()     # what was read, for the cache
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise QuodError(_offset_pos(data, exc.start, display_path(path)), "this file is not UTF-8 text") from None
        if "\x00" in text:
            raise QuodError(_offset_pos(data, data.index(b"\x00"), display_path(path)), "this file contains a NUL byte;"
                            " is it a binary file?")
        return normalize_newlines(text, display_path(path))

    def _check(self, path: Path, name: str) -> Module:
        from tactics.parser import parse_item, split_items, strip_comments
        text = self.read(path)
        shown = display_path(path)
        clean = strip_comments(text, shown)
        env = Environment()
        mod = Module(name, path, env, [], [], [], [], text)
        mod.search_path = list(self.paths)
        if self.store is not None:
            mod.cache_entry = self.store.lookup(self, path)
        is_prelude = self.paths and path == (THEORIES / "integers" / "prelude.proof").resolve()
        if not is_prelude:
            pre = self.prelude()
            mod.import_paths[PRELUDE] = pre.path if pre is not None else None
            if pre is not None:
                env.include(pre.env)
                mod.simp_lemmas.extend(pre.simp_lemmas)
        # One bad item (a parse error, a rejected definition, a failing command) is reported
        # and the rest of the file is still checked.
        items = merge_programs(split_items(clean))
        if not items and text.strip():
            mod.errors.append(format_error(QuodError(Pos(shown, 1, 1), "this file has no declarations (all of it is "
                                                     "comment): nothing was checked"), text))
        for line, item_text in items:
            if len(mod.errors) >= MAX_ERRORS:
                mod.errors.append(f"{shown}: error: more than {MAX_ERRORS} errors; the rest of the file is skipped")
                break
            try:
                if item_text.startswith("program"):
                    self.declare_program(mod, text_of(text, line, item_text), Pos(shown, line, 1), path.parent)
                    continue
                self.declare(mod, parse_item(item_text, shown, line, lazy=self._cached_proof(mod, item_text)))
            except QuodError as exc:
                if exc.pos is not None and exc.pos.file != shown:
                    raise            # an error inside an imported module belongs to that module
                mod.errors.append(format_error(exc, text) + self.advice(mod, exc, item_text))
                m = _THEOREM_NAME.match(item_text)
                if m:               # a theorem that did not even parse still counts, as failed
                    mod.results.append(Result(shown, line, m.group(2), "failed", exc.message.splitlines()[0],
                                              error=None))
        if self.store is not None:
            self._save(mod, path)
        return mod

    @staticmethod
    def _cached_proof(mod: Module, item_text: str) -> bool:
        """Whether the module's cache entry has a proof for the theorem this item declares: its
        tactic block is then read only if the kernel refuses that proof (start-up of every
        command that loads the prelude)."""
        entry = mod.cache_entry
        if entry is None:
            return False
        m = _THEOREM_NAME.match(item_text)
        if not m:
            return False
        from .cache import POSITIVE
        try:
            rec = entry.record(m.group(2))
        except Exception:
            return False
        return rec is not None and rec.get("status") in POSITIVE

    def _save(self, mod: Module, path: Path) -> None:
        """The module's dependencies (its own and its imports'), then its cache entry if anything was
        computed afresh."""
        mod.deps_files = {str(path): self._shas.get(path, "unknown")}
        for p in sorted(mod.reads):
            mod.deps_files[p] = self.store.state(p)
        for name, p in mod.import_paths.items():
            mod.deps_imports[name] = None if p is None else str(p)
            dep = self.modules.get(p) if p is not None else None
            if dep is not None:
                mod.deps_files.update(dep.deps_files)
                mod.deps_imports.update(dep.deps_imports)
        if mod.cache_entry is None or mod.recomputed:
            self.store.write(mod)

    # -- declarations --------------------------------------------------------------------

    def declare(self, mod: Module, item) -> None:
        """Process one parsed item into ``mod`` (used by files and the REPL)."""
        if isinstance(item, S.Import):
            base = mod.path.parent if mod.path.is_file() else None      # a sibling of the importing file
            key = import_key(item.module, base)
            try:
                dep = self.module(item.module, item.pos, base)
            except QuodError:
                mod.import_paths.setdefault(key, None)     # a module not found may appear later
                raise
            if dep.errors:
                mod.errors.append(format_error(QuodError(item.pos, f"module {item.module} has errors (first: "
                                                         f"{dep.errors[0].splitlines()[0]})"), mod.source))
            clash = sorted(n for n in dep.env.order if n in mod.programs)
            if clash:
                raise QuodError(item.pos, f"module {item.module} declares {clash[0]}, which is already a program "
                                          "here: give the program another name")
            try:
                mod.env.include(dep.env)
            except KernelError as exc:
                raise QuodError(item.pos, str(exc)) from None
            mod.simp_lemmas.extend(x for x in dep.simp_lemmas if x not in mod.simp_lemmas)
            mod.imports.append(item.module)
            mod.import_paths[key] = dep.path
        elif isinstance(item, S.DefDecl):
            self.define(mod, item)
        elif isinstance(item, S.TheoremDecl):
            mod.results.append(self.theorem(mod, item))
        elif isinstance(item, S.AxiomDecl):
            stmt = self.statement(mod.env, item.binders, item.statement)
            try:
                mod.env.add(AxiomDecl(item.name, stmt))
            except KernelError as exc:
                raise QuodError(item.pos, str(exc)) from None
            res = Result(item.pos.file, item.pos.line, item.name, "axiom", "axiom", 0.0, [item.name])
            if self.show_statements:
                from .statement import render
                res.statement = render(stmt)
            mod.results.append(res)
        elif isinstance(item, S.Command):
            mod.messages.append((item.pos, self.command(mod, item)))

    def declare_program(self, mod: Module, text: str, pos: Pos, base_dir: Path) -> None:
        from programs.decl import parse_program_item
        from programs.lang import ProgramError

        from .cache import record_reads
        try:
            # the C or Python source files it reads are dependencies of the module's cache entry
            with record_reads() if self.store is not None else contextlib.nullcontext(set()) as reads:
                try:
                    prog = parse_program_item(text, base_dir, mod.programs)
                finally:
                    mod.reads |= reads
        except ProgramError as exc:
            at = pos
            if getattr(exc, "file", None) and exc.line:     # in the C or Python file it reads: show it there
                lines = exc.source.split("\n")
                where = f"{display_path(Path(exc.file))}:{exc.line}" + (f":{exc.col}" if exc.col else "")
                exc.message += f"\n  at {where}"
                if 1 <= exc.line <= len(lines):
                    exc.message += f":\n    {lines[exc.line - 1]}\n    {' ' * ((exc.col or 1) - 1)}^"
            elif exc.line and "\"\"\"" in text:           # inline source: its line 1 is the item's first line
                at = Pos(pos.file, pos.line + exc.line - 1, getattr(exc, "col", None) or 1)
            elif exc.line and exc.line >= 2 and not re.match(r"program\s+\S+\s+from\b", text):
                # native syntax: the C text is one typedef line, then the item from its `(`
                line = pos.line + exc.line - 2
                src_line = text.split("\n")[exc.line - 2] if exc.line - 2 < len(text.split("\n")) else ""
                from programs.decl import native_column
                col = native_column(src_line, exc.col) if getattr(exc, "col", None) else \
                    len(src_line) - len(src_line.lstrip()) + 1
                at = Pos(pos.file, line, col if exc.line > 2 else 1)
            raise QuodError(at, exc.message) from None
        from tactics.elab import BUILTINS
        if prog.name in mod.programs or prog.name in mod.env:
            raise QuodError(pos, f"{prog.name} is already declared")
        if prog.name in BUILTINS:
            raise QuodError(pos, f"{prog.name} is a built-in function of formulas, so {prog.name}(...) in a "
                                 "theorem would be ambiguous: give the program another name (program NAME from ...)")
        if prog.contract_text:
            self.read_contract(mod, prog, text, pos)
        from analysis.recursion import declare
        try:
            declare(mod.env, prog)                      # recursive functions: the kernel's procedures
        except KernelError as exc:
            raise QuodError(pos, f"unsupported: {exc}") from None
        self.check_contract(mod, prog, pos)
        mod.programs[prog.name] = prog

    def read_contract(self, mod: Module, prog, text: str, pos: Pos) -> None:
        """``requires P ensures Q decreases e1, e2`` on a program: formulas over its parameters (and
        ``result``), for the procedure of a recursive program; proved when the program is declared."""
        from kernel import Var, subst
        from programs.lang import RET
        from analysis.recursion import ContractSpec
        from tactics.elab import Elaborator
        from tactics.parser import parse_expr

        def at(offset: int) -> Pos:
            line = pos.line + text.count("\n", 0, offset)
            start = text.rfind("\n", 0, offset)
            return Pos(pos.file, line, offset - start if start >= 0 else (pos.col or 1) + offset)
        if prog.name not in prog.procedures:
            # not recursive: a procedure all the same, so that the programs declared after it call it
            # through its contract (proved once, below) instead of inlining its body
            from programs.lang import ProgramError, as_procedure, proc_choices
            try:
                proc, sig = as_procedure(prog.name, prog.name, prog, what="the function")
            except ProgramError as exc:
                raise QuodError(pos, f"{exc.message}: a program with a contract is a procedure") from None
            prog.procedures = {**prog.procedures, prog.name: proc}
            prog.proc_sigs = {**prog.proc_sigs, prog.name: sig}
            prog.proc_choices = {**prog.proc_choices, prog.name: proc_choices(proc.body, prog)}
        params = [x for x, _ in prog.params]
        if "result" in params:
            raise QuodError(pos, "a parameter named `result` hides the result in the contract: rename it")
        spec = ContractSpec()
        seen = set()
        for kw, body, offset in prog.contract_text:
            if kw in seen:
                raise QuodError(at(offset), f"a second `{kw}` clause: join them with `and`")
            seen.add(kw)
            lead = len(body) - len(body.lstrip())
            parts, depth, start = [], 0, 0
            for i, ch in enumerate(body):
                depth += ch in "([" and 1 or ch in ")]" and -1 or 0
                if ch == "," and depth == 0 and kw == "decreases":
                    parts.append((body[start:i], start))
                    start = i + 1
            parts.append((body[start:], start))
            names = params + (["result"] if kw == "ensures" else [])
            out = []
            for part, off in parts:
                if not part.strip():
                    raise QuodError(at(offset + off), f"expected a {'term' if kw == 'decreases' else 'formula'} "
                                                      f"after `{kw}`")
                p = at(offset + max(off, lead))
                se = parse_expr(part.strip(), pos.file, p.line, p.col)
                el = Elaborator(mod.env, names)
                e = el.term(se) if kw == "decreases" else el.formula(se)
                out.append(subst(e, {"result": Var(RET)}))
            if kw == "requires":
                spec.requires = out[0]
            elif kw == "ensures":
                spec.ensures = out[0]
            else:
                spec.decreases = tuple(out)
        prog.contracts[prog.name] = spec

    def check_contract(self, mod: Module, prog, pos: Pos) -> None:
        from analysis.recursion import contracts
        from programs.vcgen import MissingContract
        spec = prog.contracts.get(prog.name)
        if spec is None:
            return
        try:
            contracts(mod.env, prog, "total" if spec.decreases else "hoare")
        except MissingContract as exc:
            raise QuodError(pos, f"the contract of {prog.name} is not proved ({exc})") from None

    def statement(self, env, binders, se, programs=None) -> Expr:
        """The closed statement of a theorem: forall over the variables, -> over the hypotheses."""
        from tactics.calls import refuse_in_hypothesis
        from tactics.elab import Elaborator
        scope: list[str] = []
        parts = []
        for b in binders:
            if b.type == "int":
                for n in b.names:
                    scope.append(n)
                    parts.append(("var", n))
            else:
                if len(b.names) != 1:
                    raise QuodError(b.pos, "a hypothesis binder names one hypothesis: (h : formula)")
                el = Elaborator(env, scope, programs=programs)
                refuse_in_hypothesis(el, b.type)
                parts.append(("hyp", el.formula(b.type)))
        f = Elaborator(env, scope, programs=programs).formula(se)
        for kind, x in reversed(parts):
            f = Forall(x, f) if kind == "var" else mk("imp", x, f)
        return f

    def theorem(self, mod: Module, item: S.TheoremDecl) -> Result:
        t0 = time.perf_counter()
        res = Result(item.pos.file, item.pos.line, item.name, "failed")
        res.expected = "dont_know" if "expect_dont_know" in item.attrs else None
        stmt = None
        n_messages = len(mod.messages)
        try:
            if item.name in mod.env or item.name in mod.programs:
                raise QuodError(item.pos, f"{item.name} is already declared")
            stmt = self.statement(mod.env, item.binders, item.statement, mod.programs)
            if self.show_statements:
                from .statement import render
                res.statement = render(stmt)
            if mod.cache_entry is not None and self._replay(mod, item, stmt, res):
                res.ms = (time.perf_counter() - t0) * 1000
                return res
            mod.recomputed = True
            from tactics.engine import TacticError
            from tactics.state import ProofState, assemble, show_goal
            from tactics.syntax import Tactic
            eng = self.engine(mod, item)
            state = ProofState.start(stmt)
            intro_names = [n for b in item.binders for n in (b.names if b.type == "int" else b.names)]
            if intro_names:
                state = eng.run(state, Tactic("intro", tuple(intro_names), item.pos))
            if isinstance(item.proof, S.LazyBlock):
                item.proof = item.proof.force()
            try:
                state = eng.run_block(state, item.proof)
            finally:
                mod.messages.extend(eng.messages)
            if state.goals:
                raise TacticError(item.proof.pos, f"{len(state.goals)} unsolved goal(s) at the end of the proof",
                                  show_goal(state.goals[0]))
            proof = assemble(state)
            try:
                thm = mod.env.add(TheoremDecl(item.name, stmt, proof))
            except KernelError as exc:
                raise QuodError(item.pos, f"the kernel rejected the proof: {exc}") from None
            res.axioms = sorted(thm.axioms)
            if "sorry" in thm.axioms:
                res.status = "sorry"
            elif thm.axioms:
                res.status = "oracle"
            else:
                res.status = "proved"
            res.detail = _main_tactic(eng.used)
            if "simp" in item.attrs:
                mod.simp_lemmas.append(item.name)
        except RecursionError:          # one theorem too deep for some step: it alone fails
            exc = QuodError(item.pos, "this theorem is nested too deeply for a step of its proof")
            res.error, res.detail = format_error(exc, mod.source), exc.message
        except QuodError as exc:
            from tactics.engine import DontKnow
            unconfirmed = False
            if getattr(exc, "assignment", None) and stmt is not None and stmt.op in ("total", "hoare"):
                text, refuted, args = _program_run(mod, stmt, exc.assignment, item.statement)
                if refuted is False:        # the run keeps the promise: the verification condition is too weak
                    from kernel.expr import postorder
                    weak = ", as claimed: the loop invariants found are too weak; give one with `invariant`"
                    if any(n.op == "call" for n in postorder(stmt.args[1])):     # vcgen reads a call by its contract
                        weak = (", as claimed: the loop invariants found, or the contract a recursive call is read "
                                "through, are too weak; give an `invariant`, or a stronger `ensures`")
                    exc.message = (exc.message.replace("smt: the goal is false: counterexample", "smt: a verification "
                                                       "condition fails at", 1) + text + weak)
                    unconfirmed = True
                elif refuted and exc.message.startswith("smt: the goal is false: counterexample"):
                    # the run refutes the claim itself: show the arguments, not the condition's inner state
                    shown = ", ".join(f"{x} = {v}" for x, v in args.items())
                    exc.message = f"smt: the goal is false: counterexample {shown}{text}" if shown else \
                        f"smt: the goal is false: counterexample{text[1:]}"
                else:
                    exc.message += text
            res.status = "don't know" if isinstance(exc, DontKnow) or unconfirmed else "failed"
            res.error = format_error(exc, mod.source) + self.advice(mod, exc)
            self.stopped(item, exc)
            res.detail = exc.message.splitlines()[0] if exc.message else "error"
        res.ms = (time.perf_counter() - t0) * 1000
        if self.store is not None and stmt is not None:
            self._remember(mod, item, stmt, res, mod.messages[n_messages:])
        return res

    # -- the cache: proofs re-checked by the kernel, "no"s replayed (see quod/cache.py) ---------

    def _replay(self, mod: Module, item: S.TheoremDecl, stmt: Expr, res: Result) -> bool:
        """Fill ``res`` from the module's cache entry, if it helps: a cached proof counts only once the
        kernel has admitted it for ``stmt`` (the statement elaborated now) in the environment as
        loaded now (and z3 has confirmed again each of its ``smt_oracle`` steps), and what it rests on
        is what the kernel says; a cached "no" is replayed only for the same statement with every
        file read so far unchanged."""
        from .cache import NEGATIVE, POSITIVE, oracle_claims, oracle_steps_hold, statement_digest
        entry = mod.cache_entry
        rec = entry.record(item.name)
        if rec is None:
            return False
        if rec["status"] in POSITIVE:
            proof = entry.proof(item.name)
            if proof is None:
                return False
            decl = TheoremDecl(item.name, stmt, proof)
            try:
                if oracle_claims(proof):       # the kernel first (on a copy), then z3 for each oracle step
                    mod.env.copy().add(decl)
                    if not oracle_steps_hold(mod.env, proof):
                        return False
                thm = mod.env.add(decl)
            except Exception:          # rejected (or not even a proof): the tactics will run
                return False
            res.axioms = sorted(thm.axioms)
            res.status = "sorry" if "sorry" in thm.axioms else "oracle" if thm.axioms else "proved"
            if "simp" in item.attrs:
                mod.simp_lemmas.append(item.name)
        elif rec["status"] in NEGATIVE:
            if not entry.unchanged_reads(mod.reads) or rec["statement"] != statement_digest(stmt):
                return False
            res.status, res.error = rec["status"], _clean(rec["error"]) if rec["error"] is not None else None
        else:
            return False
        # what the cache says is text to show, sanitized as fresh text is: the detail one line, no control
        # characters anywhere (a cache entry can be forged)
        res.detail, res.cached = _clean(str(rec["detail"])).split("\n")[0], True
        # the tactics' messages, as they were; marked, since the cache is not to be believed on its word
        # (its lines after the first indented: none can pass for a line of the report)
        mod.messages.extend((Pos(item.pos.file, line, col), "(cached) " + _clean(str(text)).replace("\n", "\n  "))
                            for line, col, text in rec["messages"])
        mod.cache_records[item.name] = dict(rec, status=res.status)
        return True

    def _remember(self, mod: Module, item: S.TheoremDecl, stmt: Expr, res: Result, messages: list) -> None:
        """What the next run may take from the cache: the verdict; the proof itself is taken from the
        environment when the entry is written."""
        from .cache import NEGATIVE, statement_digest, storable
        if not storable(res):
            return
        mod.cache_records[item.name] = {
            "line": item.pos.line, "status": res.status, "detail": res.detail, "ms": res.ms, "error": res.error,
            "statement": statement_digest(stmt) if res.status in NEGATIVE else None,
            "messages": [[p.line, p.col, text] for p, text in messages]}

    def advice(self, mod: Module, exc: QuodError, item_text: str = "") -> str:
        """A hint after an error (``\nhint: ...``), as the REPL gives them (``quod.help.hint``): for what
        newcomers type from Lean or Coq, a program used as a function, and a lemma of the library that
        is not imported."""
        from .help import hint
        line = ""
        if exc.pos is not None and exc.pos.file == display_path(mod.path):
            lines = mod.source.split("\n")
            if 1 <= exc.pos.line <= len(lines):
                line = lines[exc.pos.line - 1]
        functions, programs = set(mod.env.order), set(mod.programs)
        out = hint(line, exc.message, functions, programs)
        if not out and ":= by" in line:        # a proof on the theorem's own line: its tactics
            out = hint(line.split(":= by", 1)[1], exc.message, functions, programs)
        if not out and item_text:
            out = hint(item_text, exc.message, functions, programs)
        m = re.match(r"no hypothesis or theorem named '([A-Za-z_][\w']*)'", exc.message)
        if not out and m:
            for dep in [self.modules.get(p) for p in mod.import_paths.values() if p is not None]:
                bad = [r for r in (dep.results if dep is not None else []) if r.name == m.group(1)]
                if bad and bad[0].status != "axiom":
                    return (f"\nhint: {bad[0].name} is a theorem of the imported module {dep.name} whose proof did "
                            f"not check ({bad[0].file}:{bad[0].line}: {bad[0].status}: {bad[0].detail})")
        if not out and m:
            where = library_index().get(m.group(1))
            if where is None and "did you mean" not in exc.message:
                import difflib
                close = difflib.get_close_matches(m.group(1), list(library_index()), n=1, cutoff=0.8)
                if close:
                    out = (f"\nhint: did you mean '{close[0]}'? It is in the library: "
                           f"import {library_index()[close[0]]}")
            elif where is not None:
                out = f"\nhint: {m.group(1)} is in the library: import {where}"
        return out

    def engine(self, mod: Module, item: S.TheoremDecl):
        """The tactic engine that runs a theorem's proof (the language server records its steps)."""
        from tactics.engine import Engine
        eng = Engine(mod.env, item.pos.file, mod.simp_lemmas)
        eng.programs = mod.programs
        return eng

    def stopped(self, item: S.TheoremDecl, exc: QuodError) -> None:
        """Called with the error that ended a theorem's proof (the language server shows it in place)."""

    def define(self, mod: Module, item: S.DefDecl) -> None:
        from tactics.elab import BUILTINS, Elaborator
        if item.name in mod.programs or item.name in BUILTINS:
            what = "a program" if item.name in mod.programs else "a built-in function"
            raise QuodError(item.pos, f"{item.name} is already {what}: a definition needs a name of its own")
        params = []
        for b in item.binders:
            if b.type != "int":
                raise QuodError(b.pos, "definition parameters are integers: (x y : int)")
            params.extend(b.names)
        sort = TERM if item.sort == "int" else FORMULA
        extra = {item.name: (sort, len(params))} if item.decreasing is not None else {}
        el = Elaborator(mod.env, params, extra=extra)
        body = el.term(item.body) if sort == TERM else el.formula(item.body)
        measure = None
        proofs: tuple = ()
        if item.decreasing is not None:
            measure = Elaborator(mod.env, params).term(item.decreasing)
            try:
                obligations = decreasing_obligations(mod.env, item.name, tuple(params), body, measure)
            except KernelError as exc:
                raise QuodError(item.pos, str(exc)) from None
            proofs = tuple(self._obligation(mod, item, ob) for ob in obligations)
        try:
            mod.env.add(Def(item.name, tuple(params), sort, body, measure, proofs))
        except KernelError as exc:
            raise QuodError(item.pos, f"definition rejected: {exc}") from None

    def _obligation(self, mod: Module, item: S.DefDecl, ob: Expr):
        """Prove a decreasing obligation automatically: intros, split, linarith."""
        from tactics.engine import Engine
        from tactics.state import ProofState, assemble
        from tactics.syntax import Tactic
        eng = Engine(mod.env, item.pos.file)
        state = ProofState.start(ob)
        pos = item.decreasing.pos or item.pos
        try:
            state = eng.run(state, Tactic("intros", (), pos))
            state = eng.run(state, Tactic("try", (Tactic("split", (), pos),), pos))
            state = eng.run(state, Tactic("all_goals", (Tactic("linarith", (), pos),), pos))
        except QuodError as exc:
            raise QuodError(pos, f"cannot prove that {item.name}'s measure decreases: {show(ob)}\n"
                                 f"  ({exc.message.splitlines()[0]})") from None
        return assemble(state)

    # -- commands ------------------------------------------------------------------------

    def run_program(self, mod: Module, cmd) -> str:
        """eval f(3, 4): run the program with its source language's integer semantics."""
        from programs.interp import AssertionFailed, Blocked, OutOfSteps, run
        from tactics.elab import Elaborator
        from tactics.evaluate import EvalError, Evaluator
        prog = mod.programs[cmd.arg.data]
        if len(cmd.arg.args) != len(prog.params):
            raise QuodError(cmd.pos, f"{prog.name} takes {len(prog.params)} arguments")
        el = Elaborator(mod.env)
        args = {}
        for (x, ty), a in zip(prog.params, cmd.arg.args):
            try:
                v = Evaluator(mod.env).run(el.term(a))
            except EvalError as exc:
                raise QuodError(a.pos, f"eval: {exc}") from None
            from programs.lang import range_fact
            from kernel import Int, subst
            fact = range_fact(x, ty)
            if fact is not None and Evaluator(mod.env).run(subst(fact, {x: Int(v)})) is not True:
                raise QuodError(a.pos, f"{v} is not a value of type {ty}")
            args[x] = v
        try:
            final = run(mod.env, prog.body, args, 1_000_000)
        except OutOfSteps:
            return f"{prog.name} is still running after 1,000,000 steps"
        except AssertionFailed as exc:
            what = {"c": "undefined behaviour in C", "python": "an exception in Python"}.get(prog.language,
                                                                                          "an error")
            return f"{prog.name} fails: {exc} ({what})"
        except Blocked:
            return f"{prog.name}: an assume is false on this input"
        except EvalError as exc:
            raise QuodError(cmd.pos, f"eval: {exc}") from None
        if prog.result is None:
            shown = ", ".join(f"{x} = {final[x]}" for x, _ in prog.params)
            return f"{prog.name} returns (final state: {shown})"
        v = final.get("ret")
        return str(bool(v)).lower() if prog.result == "bool" else str(v)

    def command(self, mod: Module, cmd: S.Command) -> str:
        from tactics.elab import Elaborator
        if cmd.name == "print_axioms":
            try:
                t = mod.env.theorem(cmd.arg)
            except KernelError:
                raise QuodError(cmd.pos, f"no theorem named {cmd.arg}") from None
            if not t.axioms:
                return f"{cmd.arg} depends on no axioms (kernel rules only)"
            return f"{cmd.arg} depends on: " + ", ".join(sorted(t.axioms))
        if cmd.name == "check":
            e = Elaborator(mod.env).any(cmd.arg)
            kind = "formula" if e.sort == FORMULA else "int"
            return f"{show(e)} : {kind}"
        if cmd.name == "eval" and cmd.arg.kind == "call" and cmd.arg.data in mod.programs:
            return self.run_program(mod, cmd)
        if cmd.name == "eval":
            from tactics.evaluate import EvalError, Evaluator
            e = Elaborator(mod.env).any(cmd.arg)
            try:
                v = Evaluator(mod.env).run(e)
            except EvalError as exc:
                raise QuodError(cmd.pos, f"eval: {exc}") from None
            return str(v).lower() if isinstance(v, bool) else str(v)
        if cmd.name == "search":
            return "\n".join(search(mod.env, cmd.arg)) or "no matching theorems"
        raise QuodError(cmd.pos, f"unknown command {cmd.name}")


def import_key(name: str, base: Path | None) -> str:
    """How the cache records an import: the module name, and the directory of the importing file
    (siblings are looked for there), separated by a tab."""
    return name if base is None else f"{name}\t{base}"


def split_import_key(key: str) -> tuple[str, Path | None]:
    name, _, base = key.partition("\t")
    return name, Path(base) if base else None


_LIBRARY_INDEX: dict | None = None


def library_index() -> dict[str, str]:
    """Each theorem of the library (theories/) -> its module, read off the text (nothing is checked)."""
    global _LIBRARY_INDEX
    if _LIBRARY_INDEX is None:
        _LIBRARY_INDEX = {}
        decl = re.compile(r"^(?:@\[[^\]]*\]\s*)?(?:theorem|lemma)\s+([A-Za-z_][\w']*)", re.M)
        for f in sorted(THEORIES.rglob("*.proof")):
            name = ".".join(f.relative_to(THEORIES).with_suffix("").parts)
            try:
                text = f.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            for m in decl.finditer(text):
                _LIBRARY_INDEX.setdefault(m.group(1), name)
    return _LIBRARY_INDEX


def search(env: Environment, pattern) -> list[str]:
    """The REPL's ``search``: theorems answering the query, best first (see ``quod.search``)."""
    from .search import search_lines
    return search_lines(env, [pattern])


def _main_tactic(used: list[str]) -> str:
    for t in MAIN_TACTICS:
        if t in used:
            return t
    return used[-1] if used else "-"


def _program_run(mod: Module, stmt, assignment: dict, statement=None) -> tuple[str, bool | None, dict]:
    """What the program does on a counterexample, run with its own semantics: the text to show,
    whether the run refutes the judgment (True), keeps it (False) or cannot tell (None), and the
    arguments it was run on."""
    from programs.interp import AssertionFailed, OutOfSteps, StateEvaluator, run
    same = [p for p in mod.programs.values() if p.body == stmt.args[1]]
    named = {n.data for n in _sexpr_nodes(statement)} if statement is not None else set()
    prog = next((p for p in same if p.name in named), same[0] if same else None)
    if prog is None:
        return "", None, {}
    args = {x: assignment.get(x, 0) for x, _ in prog.params}
    shown = ", ".join(str(v) for v in args.values())
    # variables of the claim that the program never mentions (the ghosts of a fact `f(x) = v`) keep
    # their values through the run
    from programs.lang import RET, program_vars
    ghosts = {x: assignment.get(x, 0) for x in free_vars(stmt.args[0]) | free_vars(stmt.args[2])
              if x not in program_vars(prog.body) and x not in prog.types() and x != RET}
    if ghosts:             # a fact `forall xs : T, f(args) = v`: show the xs, read off the parameters
        args = _binder_values(statement, prog, assignment)
    try:
        start = dict(ghosts, **{x: assignment.get(x, 0) for x, _ in prog.params})
        if StateEvaluator(mod.env, dict(start)).ev(stmt.args[0]) is not True:
            return "", None, args                 # not a state the claim is about
        final = run(mod.env, prog.body, start, 1_000_000)
        holds = StateEvaluator(mod.env, final).ev(stmt.args[2]) is True
    except AssertionFailed as exc:
        return f"; running {prog.name}({shown}): {exc}", True, args
    except OutOfSteps:
        return f"; {prog.name}({shown}) is still running after 1,000,000 steps", None, args
    except Exception as exc:                      # the run itself cannot go on: say how
        return f"; running {prog.name}({shown}): {exc}", None, args
    ret = final.get("ret")
    if prog.result in ("bool", "_Bool") and ret in (0, 1):
        ret = "true" if ret else "false"
    return f"; {prog.name}({shown}) returns {ret}", not holds, args


def _binder_values(statement, prog, assignment: dict) -> dict:
    """The values of the quantified variables of a fact ``forall xs : T, H -> C[f(args)]``: those of
    their ghosts (``calls.ghost_names``)."""
    from tactics.calls import fact_binders, ghost_names
    names = fact_binders(statement)
    return {x: assignment.get(g, 0) for x, g in ghost_names(prog, names).items()}


def _sexpr_nodes(se):
    stack = [se]
    while stack:
        n = stack.pop()
        if hasattr(n, "kind"):
            yield n
            stack.extend(a for a in n.args if hasattr(a, "kind"))


def merge_programs(items: list) -> list:
    """A `program` item runs to its closing brace or closing triple quote, over lines that
    start in column 1 (C code often does)."""
    out: list = []
    i = 0
    while i < len(items):
        line, text = items[i]
        i += 1
        if text.startswith("program"):
            while i < len(items) and not program_complete(text):
                nxt_line, nxt = items[i]
                text = text + "\n" * (nxt_line - line - text.count("\n")) + nxt
                i += 1
        out.append((line, text))
    return out


def program_complete(text: str) -> bool:
    if '"""' in text:
        return text.count('"""') % 2 == 0
    if "{" in text:
        return text.count("{") == text.count("}")
    return True


def text_of(source: str, line: int, cleaned: str) -> str:
    """The original text of an item (comments kept: a program's C source may contain `--`)."""
    lines = source.split("\n")
    n = cleaned.count("\n") + 1
    return "\n".join(lines[line - 1: line - 1 + n])


def _read_regular(path: Path) -> bytes:
    """A regular file's bytes, opened without blocking (a FIFO would wait for a writer for ever) and
    at most ``MAX_FILE`` of them (``/dev/zero`` would fill memory)."""
    import stat
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(0, "not a regular file")
        if st.st_size > MAX_FILE:
            raise OSError(0, f"{st.st_size:,} bytes is more than the limit of {MAX_FILE:,} for a .proof file")
        data = f.read(MAX_FILE + 1)
    if len(data) > MAX_FILE:
        raise OSError(0, f"more than the limit of {MAX_FILE:,} bytes for a .proof file")
    return data


def display_path(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _clean(text: str) -> str:
    """Text read back from the cache, safe to show: line ends as \\n, other control characters as '?'."""
    return _CONTROL.sub("?", str(text).replace("\r\n", "\n").replace("\r", "\n"))


def _display_dir(path: Path) -> str:
    """A directory as the user would name it: relative when under the current one, else absolute."""
    shown = display_path(path)
    return str(Path(path).resolve()) if shown.startswith("..") else shown


def _offset_pos(data: bytes, offset: int, file: str) -> Pos:
    line = data.count(b"\n", 0, offset) + 1
    col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return Pos(file, line, col)


def format_error(exc: QuodError, source: str | None = None) -> str:
    """``file:line:col: error: message``, the offending line and a caret, then the goal if any."""
    pos = exc.pos
    msg, *more = str(exc.message).split("\n")       # a message of several lines: the rest under the caret
    if pos is None:
        return "\n".join([f"error: {msg}", *("    " + m for m in more)])
    out = [f"{pos}: error: {msg}"]
    text = source
    if text is None:
        try:
            text = Path(pos.file).read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = None
    if text is not None:
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")     # as the parser reads it
        if 1 <= pos.line <= len(lines) + 1:
            line = lines[pos.line - 1] if pos.line <= len(lines) else ""
            if len(line) > 200:
                start = max(0, pos.col - 100)
                line, col = line[start:start + 200], pos.col - start
            else:
                col = pos.col
            out.append("  " + line.replace("\t", " "))
            out.append("  " + " " * max(col - 1, 0) + "^")
    out.extend("    " + m for m in more)
    if exc.goal:
        out.append("the goal was:")
        out.extend("    " + g for g in exc.goal.splitlines())
    return "\n".join(out)
