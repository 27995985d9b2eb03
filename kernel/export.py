"""Export and re-check: declarations with their proof terms as JSON.

A file holds a theorem together with every declaration it depends on, in an
order the environment can admit them. Terms and proofs are stored as flat
tables (each node refers to earlier rows by index), so sharing is kept and
depth costs nothing: ``json`` never recurses into a deep proof.

Reading a file builds a fresh ``Environment`` and adds every declaration
through the checker, so a tampered file fails exactly where a wrong proof
would.
"""

from __future__ import annotations

import json
from pathlib import Path

from .env import PROC, AxiomDecl, Def, Environment, Procedure, ProcGroup, TheoremDecl
from .errors import ExportError, KernelError
from .expr import Expr, postorder
from .proofs import Proof

FORMAT = "quod-proof/1"


class _Writer:
    def __init__(self):
        self.exprs: list = []
        self.proofs: list = []
        self._e: dict[int, int] = {}
        self._p: dict[int, int] = {}
        self._keep: list = []     # keeps ids stable while writing

    def expr(self, e: Expr) -> int:
        for n in postorder(e):
            if id(n) not in self._e:
                self._keep.append(n)
                self._e[id(n)] = len(self.exprs)
                self.exprs.append([n.op, n.data, [self._e[id(a)] for a in n.args]])
        return self._e[id(e)]

    def proof(self, p: Proof) -> int:
        stack = [(p, False)]
        while stack:
            node, done = stack.pop()
            if id(node) in self._p:
                continue
            if not done:
                stack.append((node, True))
                stack.extend((c, False) for c in _subproofs(node.args))
                continue
            self._keep.append(node)
            self._p[id(node)] = len(self.proofs)
            self.proofs.append([node.rule, [self.item(x) for x in node.args]])
        return self._p[id(p)]

    def item(self, x):
        if isinstance(x, Proof):
            return ["p", self._p[id(x)]]
        if isinstance(x, Expr):
            return ["e", self.expr(x)]
        if isinstance(x, tuple):
            return ["t", [self.item(y) for y in x]]
        return ["s", x] if isinstance(x, str) else ["i", x]


def _subproofs(args):
    for x in args:
        if isinstance(x, Proof):
            yield x
        elif isinstance(x, tuple):
            yield from _subproofs(x)


def dependencies(decls: dict, name: str) -> list[str]:
    """``name`` and every declaration it uses, dependencies first (``decls``: name -> decl)."""
    order: list[str] = []
    state: dict[str, int] = {}
    stack = [(name, False)]
    while stack:
        n, done = stack.pop()
        if done:
            state[n] = 2
            order.append(n)
            continue
        if n in state or n not in decls:
            continue
        state[n] = 1
        stack.append((n, True))
        stack.extend((m, False) for m in sorted(_uses(decls[n])) if m != n)
    return order


def _uses(d) -> set[str]:
    exprs, proofs = [], []
    if isinstance(d, Def):
        exprs = [d.body] + ([d.measure] if d.measure is not None else [])
        proofs = list(d.proofs)
    elif isinstance(d, ProcGroup):
        exprs = [p.body for p in d.procs]
    elif isinstance(d, (TheoremDecl, AxiomDecl)):
        exprs = [d.statement]
        proofs = [d.proof] if isinstance(d, TheoremDecl) else []
    names: set[str] = set()
    seen: set[int] = set()
    while proofs:
        p = proofs.pop()
        if id(p) in seen:
            continue
        seen.add(id(p))
        if p.rule in ("thm", "unfold") and p.args and isinstance(p.args[0], str):
            names.add(p.args[0])
        if p.rule in ("hoare_rec", "total_rec", "diverges_rec", "can_diverge_rec") and p.args \
                and isinstance(p.args[0], tuple):
            names |= {PROC + s[0] for s in p.args[0] if isinstance(s, tuple) and s and isinstance(s[0], str)}
        for x in _flat(p.args):
            if isinstance(x, Proof):
                proofs.append(x)
            elif isinstance(x, Expr):
                exprs.append(x)
    for e in exprs:
        names |= {n.data if n.op != "call" else PROC + n.data[1]
                  for n in postorder(e) if n.op in ("app", "pred", "call")}
    return names


def _flat(args):
    for x in args:
        if isinstance(x, tuple):
            yield from _flat(x)
        else:
            yield x


def dumps(decls: list) -> str:
    """JSON text of a list of declarations (Def, TheoremDecl, AxiomDecl)."""
    w = _Writer()
    out = []
    for d in decls:
        if isinstance(d, TheoremDecl):
            out.append({"kind": "theorem", "name": d.name, "statement": w.expr(d.statement),
                        "proof": w.proof(d.proof)})
        elif isinstance(d, AxiomDecl):
            out.append({"kind": "axiom", "name": d.name, "statement": w.expr(d.statement)})
        elif isinstance(d, Def):
            out.append({"kind": "def", "name": d.name, "params": list(d.params), "sort": d.sort,
                        "body": w.expr(d.body),
                        "measure": None if d.measure is None else w.expr(d.measure),
                        "proofs": [w.proof(p) for p in d.proofs]})
        elif isinstance(d, ProcGroup):
            out.append({"kind": "procedures", "name": d.name, "procs": [
                {"name": p.name, "params": list(p.params), "result": p.result, "body": w.expr(p.body)}
                for p in d.procs]})
        else:
            raise ExportError("export", f"cannot export {type(d).__name__}")
    return json.dumps({"format": FORMAT, "exprs": w.exprs, "proofs": w.proofs, "declarations": out},
                      separators=(",", ":"))


def loads(text: str) -> list:
    """Declarations from JSON text; raises ExportError on anything malformed."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ExportError("import", f"not valid JSON: {exc}") from None
    try:
        return _read(doc)
    except KernelError as exc:
        raise ExportError("import", f"malformed term or proof: {exc}") from None
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise ExportError("import", f"malformed file: {type(exc).__name__}: {exc}") from None
    except RecursionError:
        raise ExportError("import", "malformed file: proof arguments nested too deeply") from None


def _read(doc) -> list:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ExportError("import", f"not a {FORMAT} file")
    exprs: list[Expr] = []
    for op, data, kids in doc["exprs"]:
        if not all(type(k) is int and 0 <= k < len(exprs) for k in kids):
            raise ExportError("import", "a term refers to a later or missing row")
        exprs.append(Expr(op, tuple(exprs[k] for k in kids), data))
    proofs: list[Proof] = []

    def item(x):
        tag, v = x
        if tag == "e":
            return _row(exprs, v)
        if tag == "p":
            return _row(proofs, v)
        if tag == "t":
            return tuple(item(y) for y in v)
        if tag == "s" and isinstance(v, str):
            return v
        if tag == "i" and type(v) is int:
            return v
        raise ExportError("import", f"bad proof argument {x!r}")

    for rule, args in doc["proofs"]:
        proofs.append(Proof(rule, tuple(item(a) for a in args)))
    out = []
    for d in doc["declarations"]:
        k = d["kind"]
        if k == "theorem":
            out.append(TheoremDecl(d["name"], _row(exprs, d["statement"]), _row(proofs, d["proof"])))
        elif k == "axiom":
            out.append(AxiomDecl(d["name"], _row(exprs, d["statement"])))
        elif k == "def":
            m = d["measure"]
            out.append(Def(d["name"], tuple(d["params"]), d["sort"], _row(exprs, d["body"]),
                           None if m is None else _row(exprs, m),
                           tuple(_row(proofs, i) for i in d["proofs"])))
        elif k == "procedures":
            out.append(ProcGroup(tuple(Procedure(p["name"], tuple(p["params"]), p["result"], _row(exprs, p["body"]))
                                       for p in d["procs"])))
        else:
            raise ExportError("import", f"unknown declaration kind {k!r}")
    return out


def _row(table: list, i):
    if type(i) is not int or not 0 <= i < len(table):
        raise ExportError("import", f"reference {i!r} out of range")
    return table[i]


def verify_file(path: Path) -> tuple[Environment, list[str]]:
    """Re-check every declaration in an exported file with a fresh environment."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError("verify", f"cannot read {path}: {exc}") from None
    env = Environment()
    names = []
    for d in loads(text):
        env.add(d)
        names.append(d.name)
    return env, names


def export_theorem(env: Environment, name: str) -> str:
    """JSON for theorem ``name`` and everything it depends on, dependencies first."""
    decls = env.declarations()
    if name not in decls:
        raise ExportError("export", f"no declaration named {name}")
    out: list = []
    for n in dependencies(decls, name):
        if not any(d is decls[n] for d in out):       # a group of procedures is known by each name
            out.append(decls[n])
    return dumps(out)
