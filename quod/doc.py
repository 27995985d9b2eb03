"""Documentation users can browse: ``quod doc theories -o DIR`` writes a small static site.

Each ``.proof`` module becomes one HTML page listing its declarations in source order: the
statement as the kernel reads it (printed by ``quod.statement``, as ``--show-statement`` does), the
comment written just above it (``--`` lines or a ``/- ... -/`` block), the tactics its proof uses and
the proof itself, a link to its line in a highlighted copy of the source, and what it rests on (the
axioms, oracles and ``sorry`` the kernel found, or "kernel rules only"). Separator comments
(``-- ---- title ----``) become section headings. The index lists the modules and has a search box:
a few lines of JavaScript over ``search-index.js``, the same data as ``index.json`` (names, modules and
statements), loaded by a ``<script>`` tag because browsers refuse ``fetch`` on ``file://``. Nothing
is fetched from elsewhere, so the pages work opened straight from disk.

The facts come from checking the modules with the ordinary loader (the proof cache helps as in
``quod check``), so a page never claims more than the kernel admitted: a theorem that failed is
shown as failed, with its error. The pages are built with ``html.escape`` and string building;
Pygments (already used by the REPL) highlights the source with Quod's lexer.
"""

from __future__ import annotations

import html
import json
import re
import sys
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from .loader import THEORIES, Loader, Module

_DECL = re.compile(r"^(?:@\[([^\]]*)\]\s*)?(theorem|lemma|def|axiom|program)\s+([A-Za-z_][\w']*)")
_SEPARATOR = re.compile(r"^--\s*-{3,}\s*(.*?)\s*-*\s*$")      # -- ---- a section title -----
_RULE = re.compile(r"^--\s*-*\s*$")                              # -- or -- ------ alone


@dataclass
class Entry:
    """One declaration of a module, as its page shows it."""
    kind: str                 # theorem, lemma, def, axiom, program
    name: str
    line: int                 # first line of the declaration (its attribute, if any)
    end: int                  # last line
    source: str               # the declaration as written, inner comments included
    comment: str = ""         # the comment just above it, markers stripped
    statement: str = ""       # the kernel statement (or a definition's equation), printed in full
    status: str = ""          # proved, sorry, oracle, failed, don't know, axiom, defined, declared
    detail: str = ""          # the main tactic, or the first line of the error
    error: str = ""
    tactics: list = field(default_factory=list)   # tactic names in order of first use
    rests_on: list = field(default_factory=list)  # axioms, oracles, sorry
    attrs: list = field(default_factory=list)


@dataclass
class ModuleDoc:
    name: str
    path: Path
    shown_path: str           # the source path as shown (relative to where the run started)
    about: list               # paragraphs of the file's opening comment
    imports: list
    items: list               # Entry, or str for a section heading, in source order
    source: str
    errors: list


# -- collecting -------------------------------------------------------------------------------

class _RecordingLoader(Loader):
    """The ordinary loader, keeping each module's parsed declarations (for the tactics they use)."""

    def __init__(self):
        super().__init__()
        self.parsed: dict[Path, list] = {}

    def declare(self, mod: Module, item) -> None:
        self.parsed.setdefault(mod.path, []).append(item)
        super().declare(mod, item)


def module_files(paths: list[Path]) -> list[tuple[str, Path, str]]:
    """(module name, file, path shown) for every .proof file under ``paths``: a module of the library
    (or elsewhere on ``QUOD_PATH``) is named as an import names it (``integers.gcd``, shown as
    ``theories/integers/gcd.proof``, however it was reached); others by their dotted path relative to
    the directory given, and a file given by itself by its stem."""
    from .loader import search_path
    roots = [r.resolve() for r in search_path()]

    def named(f: Path, base: Path | None) -> tuple[str, str]:
        f = f.resolve()
        for root in roots + ([base.resolve()] if base is not None else []):   # the name an import uses, if any
            if f.is_relative_to(root):
                rel = f.relative_to(root)
                return ".".join(rel.with_suffix("").parts), "/".join((root.name,) + rel.parts)
        return f.stem, f.name
    out: dict[Path, tuple[str, str]] = {}
    for p in paths:
        for f in sorted(p.rglob("*.proof")) if p.is_dir() else [p]:
            out.setdefault(f.resolve(), named(f, p if p.is_dir() else None))
    return sorted(((n, f, shown) for f, (n, shown) in out.items()),
                  key=lambda x: (not x[0].endswith("prelude"), x[0]))


def collect(paths: list[Path], use_cache: bool = True) -> list[ModuleDoc]:
    """Check every module under ``paths`` and gather what its page shows."""
    from tactics.syntax import QuodError

    from .loader import format_error
    loader = _RecordingLoader()
    loader.show_statements = True
    if use_cache:
        from .cache import Store
        loader.store = Store()
    docs = []
    for name, path, shown in module_files(paths):
        try:
            mod = loader.load(path, name)
        except QuodError as exc:
            source = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
            docs.append(ModuleDoc(name, path, shown, _about(source), [], [], source, [format_error(exc, source)]))
            continue
        docs.append(_module_doc(loader, name, mod, shown))
    return docs


def _module_doc(loader: _RecordingLoader, name: str, mod: Module, shown: str) -> ModuleDoc:
    from tactics.parser import split_items, strip_comments

    from .loader import display_path, merge_programs
    source = mod.source
    lines = source.split("\n")
    spans = []                                    # (first line, last line, cleaned text)
    for start, text in merge_programs(split_items(strip_comments(source, display_path(mod.path)))):
        spans.append((start, start + len(text.rstrip().split("\n")) - 1, text))
    starts = [s for s, _, _ in spans]
    parsed = {}
    for item in loader.parsed.get(mod.path, []):
        i = bisect_right(starts, item.pos.line) - 1
        if i >= 0 and getattr(item, "name", None):
            parsed[spans[i][0]] = item
    results = {r.name: r for r in mod.results}
    items: list = []
    heading_at = {i + 1: m.group(1) for i, ln in enumerate(lines) if (m := _SEPARATOR.match(ln)) and m.group(1)}
    shown_headings = set()
    for start, end, text in spans:
        for ln in sorted(heading_at):             # the section headings before this declaration
            if ln < start and ln not in shown_headings:
                shown_headings.add(ln)
                items.append(heading_at[ln])
        m = _DECL.match(text)
        if not m:
            continue
        attrs, kind, decl_name = m.group(1), m.group(2), m.group(3)
        e = Entry(kind, decl_name, start, end, "\n".join(lines[start - 1:end]).rstrip(),
                  comment=_comment_above(lines, start),
                  attrs=[a.strip() for a in attrs.split(",")] if attrs else [])
        _fill(e, mod, results.get(decl_name), parsed.get(start))
        items.append(e)
    return ModuleDoc(name, mod.path, shown, _about(source), list(mod.imports), items, source, list(mod.errors))


def _fill(e: Entry, mod: Module, res, item) -> None:
    """Statement, status, tactics and what it rests on, from the loader's result and the kernel."""
    from kernel import KernelError

    from .statement import render
    if e.kind in ("theorem", "lemma", "axiom"):
        if res is None:
            e.status, e.detail = "failed", "not checked (an earlier error in the file)"
            return
        e.statement = res.statement or ""
        e.status = "declared" if res.status == "axiom" else res.status
        e.detail = res.detail
        e.error = res.error or ""
        e.rests_on = sorted(res.axioms)
        if item is not None and e.kind != "axiom":
            e.tactics = _tactic_names(item.proof)
    elif e.kind == "def":
        try:
            d = mod.env.definition(e.name)
        except KernelError:
            e.status, e.detail = "failed", "the definition was rejected (see the errors above)"
            return
        head = f"{e.name}({', '.join(d.params)})"
        e.statement = f"{head} := {render(d.body)}" + (f"\n  decreasing {render(d.measure)}" if d.measure else "")
        e.status, e.rests_on = "defined", sorted(d.axioms)
    else:
        e.status = "defined" if e.name in mod.programs else "failed"


_COMBINATORS = {"bullet": None, "focus": None, "group": None, "then_all": "<;>"}    # structure, not steps


def _tactic_names(block) -> list[str]:
    """The tactics a proof uses, in order of first use, nested blocks included."""
    from tactics.syntax import Block, Tactic
    out: list[str] = []
    todo = [block]
    while todo:
        x = todo.pop()
        if isinstance(x, Block):
            todo.extend(reversed(x.steps))
        elif isinstance(x, Tactic):
            shown = _COMBINATORS.get(x.name, x.name)
            if shown and shown not in out:
                out.append(shown)
            todo.extend(reversed([a for a in x.args if isinstance(a, (Block, Tactic, list, tuple))]))
        elif isinstance(x, (list, tuple)):
            todo.extend(reversed([a for a in x if isinstance(a, (Block, Tactic, list, tuple))]))
    return out


def _comment_above(lines: list[str], start: int) -> str:
    """The comment just above line ``start`` (``--`` lines, or one ``/- ... -/`` block), with nothing
    between; not the file's opening comment, and not a section separator."""
    i = start - 2
    if i < 0:
        return ""
    if lines[i].rstrip().endswith("-/"):
        j = i
        while j >= 0 and "/-" not in lines[j]:
            j -= 1
        if j < 0:
            return ""
        block = "\n".join(lines[j:i + 1]).strip()
        block = re.sub(r"^/-+!?", "", block)
        block = re.sub(r"-+/$", "", block)
        return _dedent(block.split("\n"))
    got = []
    while i >= 0 and lines[i].startswith("--") and not _SEPARATOR.match(lines[i]) and not _RULE.match(lines[i]):
        got.append(lines[i][2:])
        i -= 1
    if i < 0:                         # the comment runs up to line 1: it is the file's, not this item's
        return ""
    return _dedent(list(reversed(got)))


def _dedent(lines: list[str]) -> str:
    rest = [ln for ln in lines if ln.strip()]
    cut = min((len(ln) - len(ln.lstrip()) for ln in rest), default=0)
    return "\n".join(ln[cut:] for ln in lines).strip()


def _about(source: str) -> list[str]:
    """The paragraphs of the file's opening comment (less a first line that only names the file)."""
    paras, cur = [], []
    for i, line in enumerate(source.split("\n")):
        if not line.startswith("--"):
            break
        text = line[2:].strip()
        if i == 0 and text.endswith(".proof") and " " not in text:
            continue
        if text:
            cur.append(text)
        elif cur:
            paras.append(" ".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur))
    return paras


# -- what a theorem rests on ------------------------------------------------------------------

def _oracles() -> dict:
    from kernel.check import ORACLES
    return ORACLES


def rests_on_text(e: Entry) -> str:
    ORACLES = _oracles()
    if e.status == "declared":
        return "an axiom: declared, not proved"
    if e.status in ("failed", "don't know"):
        return "nothing: not proved"
    if not e.rests_on:
        return "kernel rules only"
    return "; ".join(f"{a} ({ORACLES[a]})" if a in ORACLES else f"{a} (an axiom)" for a in e.rests_on)


# -- writing ----------------------------------------------------------------------------------

def page_name(module: str) -> str:
    return f"{module}.html"


def source_page(module: str) -> str:
    return "src/" + "/".join(module.split(".")) + ".proof.html"


def _url(path: str) -> str:
    """A relative path as it goes in an href (module names come from file names)."""
    from urllib.parse import quote
    return quote(path, safe="/")


def anchor(name: str) -> str:
    """The fragment of a declaration's place on its module's page (names may contain ')."""
    from urllib.parse import quote
    return quote(name, safe="_")


def write_site(docs: list[ModuleDoc], out: Path, title: str = "Quod library") -> dict:
    """Write the pages; returns counts for the summary line."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "src").mkdir(exist_ok=True)
    (out / "style.css").write_text(CSS + _pygments_css(), encoding="utf-8")
    (out / "search.js").write_text(SEARCH_JS, encoding="utf-8")
    index = []
    modules = {d.name for d in docs}
    for d in docs:
        for e in d.items:
            if isinstance(e, Entry):
                index.append({"name": e.name, "kind": e.kind, "module": d.name, "statement": e.statement,
                              "href": f"{_url(page_name(d.name))}#{anchor(e.name)}", "status": e.status})
    data = {"title": title, "declarations": index}
    (out / "index.json").write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    # a script, not a fetch: browsers refuse fetch() for file:// pages
    (out / "search-index.js").write_text("window.QUOD_INDEX = " + json.dumps(data, ensure_ascii=False)
                                         .replace("</", "<\\/") + ";\n", encoding="utf-8")
    for d in docs:
        (out / page_name(d.name)).write_text(_module_page(d, modules, title), encoding="utf-8")
        src = out / source_page(d.name)
        src.parent.mkdir(parents=True, exist_ok=True)
        src.write_text(_source_page(d, title), encoding="utf-8")
    (out / "index.html").write_text(_index_page(docs, title), encoding="utf-8")
    entries = [e for d in docs for e in d.items if isinstance(e, Entry)]
    thms = [e for e in entries if e.kind in ("theorem", "lemma")]
    return {"modules": len(docs), "theorems": len(thms),
            "kernel_only": sum(1 for e in thms if e.status == "proved" and not e.rests_on),
            "not_proved": sum(1 for e in thms if e.status not in ("proved", "oracle", "sorry")),
            "resting": sum(1 for e in thms if e.rests_on)}


def _esc(s: str) -> str:
    return html.escape(s, quote=True)


def _prose(text: str) -> str:
    """A comment as HTML: paragraphs at blank lines, `code` in backticks, *emphasis*."""
    out = []
    for para in re.split(r"\n\s*\n", text.strip()):
        esc = _esc(" ".join(ln.strip() for ln in para.split("\n")))
        esc = re.sub(r"`([^`]+)`", r"<code>\1</code>", esc)
        esc = re.sub(r"(?<![\w*])\*(\w[^*]*?\w|\w)\*(?![\w*])", r"<em>\1</em>", esc)   # *the* (not 2*n*m)
        out.append("<p>" + esc + "</p>")
    return "\n".join(out)


def _page(title: str, body: str, root: str = "", search: bool = True, nav: str = "", wide: bool = False) -> str:
    box = ('<div class="search"><input id="q" type="search" placeholder="Search lemmas: a name or part of a '
           'statement (gcd, mul_comm, a * (b + c))" autocomplete="off" aria-label="search lemmas">'
           '<ol id="results" hidden></ol></div>') if search else ""
    scripts = (f'<script src="{root}search-index.js"></script>\n<script src="{root}search.js"></script>\n'
               if search else "")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_esc(title)}</title>
<link rel="stylesheet" href="{root}style.css">
</head>
<body>
<header><a class="home" href="{root}index.html">Quod library</a>{nav}{box}</header>
<main{' class="wide"' if wide else ''}>
{body}
</main>
{scripts}</body>
</html>
"""


def _index_page(docs: list[ModuleDoc], title: str) -> str:
    rows = []
    total = kernel_only = 0
    for d in docs:
        entries = [e for e in d.items if isinstance(e, Entry)]
        thms = [e for e in entries if e.kind in ("theorem", "lemma")]
        defs = [e.name for e in entries if e.kind == "def"]
        total += len(thms)
        kernel_only += sum(1 for e in thms if e.status == "proved" and not e.rests_on)
        about = d.about[0] if d.about else ""
        first = re.split(r"(?<=[^.]\.)\s+(?=[A-Z])", about, maxsplit=1)[0]
        flag = ' <span class="badge bad">errors</span>' if d.errors else ""
        rows.append(f'<tr><td><a href="{_url(page_name(d.name))}"><code>{_esc(d.name)}</code></a>{flag}</td>'
                    f'<td class="num">{len(thms)}</td>'
                    f'<td>{", ".join(f"<code>{_esc(n)}</code>" for n in defs) or "&ndash;"}</td>'
                    f'<td>{_prose(first)}</td></tr>')
    body = f"""<h1>{_esc(title)}</h1>
<p class="lead">{len(docs)} modules, {total} theorems; {kernel_only} of them rest on the kernel's rules alone
(no axiom, oracle or <code>sorry</code>). Type in the search box above to find a lemma by name or by a
piece of its statement.</p>
<table class="modules">
<thead><tr><th>module</th><th class="num">theorems</th><th>defines</th><th>what</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>"""
    return _page(title, body)


def _module_page(d: ModuleDoc, modules: set, title: str) -> str:
    entries = [e for e in d.items if isinstance(e, Entry)]
    n_thm = sum(1 for e in entries if e.kind in ("theorem", "lemma"))
    imports = ", ".join(f'<a href="{_url(page_name(m))}"><code>{_esc(m)}</code></a>' if m in modules
                        else f"<code>{_esc(m)}</code>" for m in d.imports)
    meta = [f'<a href="{_url(source_page(d.name))}">{_esc(d.shown_path)}</a>', f"{n_thm} theorems"]
    if imports:
        meta.append("imports " + imports)
    parts = [f"<h1><code>{_esc(d.name)}</code></h1>", f'<p class="meta">{" &middot; ".join(meta)}</p>']
    parts.extend(_prose(p) for p in d.about)
    for err in d.errors:
        parts.append(f'<pre class="error">{_esc(err)}</pre>')
    # contents: the sections, each with its declarations' names
    toc, cur = [], []
    heading = None

    def flush():
        if cur:
            names = " ".join(f'<a href="#{anchor(n)}">{_esc(n)}</a>' for n in cur)
            toc.append(f"<dt>{_esc(heading) if heading else 'declarations'}</dt><dd>{names}</dd>")
    for x in d.items:
        if isinstance(x, str):
            flush()
            heading, cur = x, []
        else:
            cur.append(x.name)
    flush()
    if toc:
        parts.append('<details class="toc"><summary>Contents</summary><dl>' + "".join(toc) + "</dl></details>")
    for x in d.items:
        if isinstance(x, str):
            parts.append(f'<h2>{_esc(x)}</h2>')
        else:
            parts.append(_entry_html(d, x))
    return _page(f"{d.name} - {title}", "\n".join(parts))


_STATUS = {"proved": ("proved", "good"), "sorry": ("sorry", "bad"), "oracle": ("oracle", "warn"),
           "failed": ("failed", "bad"), "don't know": ("don't know", "warn"), "declared": ("axiom", "warn"),
           "defined": ("", "")}


def _entry_html(d: ModuleDoc, e: Entry) -> str:
    label, cls = _STATUS.get(e.status, (e.status, "warn"))
    if e.status == "oracle" and not any(a in _oracles() for a in e.rests_on):
        label = "uses an axiom"           # the loader's "oracle" covers user axioms too
    badge = f' <span class="badge {cls}">{_esc(label)}</span>' if label else ""
    attrs = "".join(f' <span class="attr">@[{_esc(a)}]</span>' for a in e.attrs)
    src = f'{_url(source_page(d.name))}#L{e.line}'
    out = [f'<section class="decl" id="{_esc(anchor(e.name))}">',
           f'<h3><span class="kind">{e.kind}</span> <a class="name" href="#{_esc(anchor(e.name))}">{_esc(e.name)}</a>'
           f'{attrs}{badge}<a class="src" href="{src}" title="the source, at line {e.line}">'
           f'{_esc(Path(d.shown_path).name)}:{e.line}</a></h3>']
    if e.statement:
        out.append(f'<pre class="statement">{_esc(e.statement)}</pre>')
    if e.comment:
        out.append(f'<div class="doc">{_prose(e.comment)}</div>')
    facts = []
    if e.kind in ("theorem", "lemma"):
        if e.status in ("proved", "oracle", "sorry"):
            # the main tactic (the one `quod check` names) first, then the others in order of use
            names = [e.detail] + [t for t in e.tactics if t != e.detail]
            facts.append("<dt>tactics</dt><dd>" + ", ".join(
                f'<code class="main" title="the main tactic">{_esc(t)}</code>' if i == 0 else f"<code>{_esc(t)}</code>"
                for i, t in enumerate(names)) + "</dd>")
        elif not e.error:                 # (the error itself is shown below)
            facts.append(f'<dt>{_esc(e.status)}</dt><dd>{_esc(e.detail)}</dd>')
    if e.kind != "program":
        cls = "good" if e.status in ("proved", "defined") and not e.rests_on else "bad" \
            if "sorry" in e.rests_on or e.status in ("failed",) else "warn"
        text = "kernel rules only" if e.kind == "def" and e.status == "defined" and not e.rests_on \
            else rests_on_text(e)
        facts.append(f'<dt>rests on</dt><dd class="{cls}">{_esc(text)}</dd>')
    if facts:
        out.append('<dl class="facts">' + "".join(facts) + "</dl>")
    if e.error:
        out.append(f'<pre class="error">{_esc(e.error)}</pre>')
    what = "proof" if e.kind in ("theorem", "lemma") else "source"
    out.append(f'<details class="code"><summary>{what}</summary><pre class="src">{_highlight(e.source)}</pre>'
               "</details>")
    out.append("</section>")
    return "\n".join(out)


def _source_page(d: ModuleDoc, title: str) -> str:
    lines = _highlight(d.source).split("\n")
    width = len(str(len(lines)))
    body = "".join(f'<span class="line" id="L{i}"><a class="ln" href="#L{i}">{i:>{width}}</a> {ln}\n</span>'
                   for i, ln in enumerate(lines, 1))
    up = "../" * d.name.count(".") + "../"
    head = (f'<h1><a href="{up}{_url(page_name(d.name))}"><code>{_esc(d.name)}</code></a> '
            f'<span class="path">{_esc(d.shown_path)}</span></h1>')
    nav = f'<a class="up" href="{up}{_url(page_name(d.name))}">&larr; {_esc(d.name)}</a>'
    return _page(f"{d.shown_path} - {title}", f'{head}\n<pre class="src listing">{body}</pre>', root=up,
                 search=False, nav=nav, wide=True)


def _highlight(text: str) -> str:
    """Quod's source as HTML, one output line per source line (each line's markup closed on it)."""
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter

        from .lexer import ProofLexer
    except ImportError:                # Pygments is a dependency; plain text if it is somehow missing
        return _esc(text)
    out = highlight(text, ProofLexer(stripnl=False, ensurenl=False), HtmlFormatter(nowrap=True))
    return out[:-1] if out.endswith("\n") and not text.endswith("\n") else out


def _pygments_css() -> str:
    try:
        from pygments.formatters import HtmlFormatter
        return "\n" + HtmlFormatter(style="friendly").get_style_defs("pre.src") + "\npre.src { background: none; }\n"
    except ImportError:
        return ""


CSS = """\
:root { --fg: #1d2430; --muted: #5b6576; --line: #dde2ea; --bg: #fff; --soft: #f5f7fa;
        --accent: #2456a6; --good: #1d7a3d; --warn: #9a6200; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: var(--bg);
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
code, pre, input { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
code { font-size: 0.92em; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
header { position: sticky; top: 0; z-index: 10; display: flex; gap: 1.5rem; align-items: center;
         padding: 0.6rem 1.5rem; background: #1f2a3c; color: #fff; }
header .home { color: #fff; font-weight: 600; white-space: nowrap; }
.search { position: relative; flex: 1; max-width: 46rem; }
#q { width: 100%; padding: 0.45rem 0.7rem; border: 1px solid #44526a; border-radius: 6px;
     background: #fff; color: var(--fg); font-size: 0.95rem; }
#results { position: absolute; left: 0; right: 0; top: 2.6rem; margin: 0; padding: 0.3rem 0; list-style: none;
           max-height: 70vh; overflow-y: auto; background: #fff; color: var(--fg); border: 1px solid var(--line);
           border-radius: 6px; box-shadow: 0 8px 24px rgba(0, 0, 0, 0.18); }
#results li { padding: 0.35rem 0.8rem; border-bottom: 1px solid var(--soft); }
#results li.active, #results li:hover { background: #eef3fb; }
#results .hit-name { font-weight: 600; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
#results .hit-module { float: right; color: var(--muted); font-size: 0.85em; }
#results .hit-statement { display: block; color: var(--muted); font-size: 0.85em; white-space: pre-wrap;
                          overflow-wrap: anywhere; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
#results .more { color: var(--muted); font-size: 0.85em; }
main { max-width: 62rem; margin: 0 auto; padding: 1rem 1.5rem 4rem; }
main.wide { max-width: 90rem; }
header .up { color: #cfd8e6; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
h1 { font-size: 1.7rem; margin: 0.8rem 0 0.3rem; }
h1 .path { font-size: 0.9rem; font-weight: normal; color: var(--muted); margin-left: 0.6rem; }
h2 { font-size: 1.15rem; margin: 2.2rem 0 0.6rem; padding-bottom: 0.2rem; border-bottom: 2px solid var(--line); }
.lead { color: var(--muted); }
.meta { color: var(--muted); margin-top: 0; }
table.modules { width: 100%; border-collapse: collapse; margin-top: 1rem; }
table.modules th, table.modules td { text-align: left; vertical-align: top; padding: 0.45rem 0.6rem;
                                     border-bottom: 1px solid var(--line); }
table.modules th { font-size: 0.85rem; color: var(--muted); font-weight: 600; }
table.modules td p { margin: 0; }
table.modules td:first-child { white-space: nowrap; }
.num { text-align: right !important; }
details.toc { margin: 1rem 0; padding: 0.5rem 0.9rem; background: var(--soft); border-radius: 6px; }
details.toc summary { cursor: pointer; font-weight: 600; }
details.toc dt { margin-top: 0.5rem; font-weight: 600; font-size: 0.9rem; }
details.toc dd { margin: 0.1rem 0 0; font-size: 0.85rem; line-height: 1.7;
                 font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
details.toc dd a { margin-right: 0.7rem; }
section.decl { margin: 0.9rem 0; padding: 0.6rem 0.9rem; border: 1px solid var(--line); border-radius: 6px;
               scroll-margin-top: 4rem; }
section.decl:target { border-color: var(--accent); box-shadow: 0 0 0 3px #d5e3fa; }
section.decl h3 { margin: 0; font-size: 1rem; font-weight: normal; display: flex; flex-wrap: wrap;
                  align-items: baseline; gap: 0.5rem; }
section.decl .kind { color: var(--muted); font-size: 0.9em; }
section.decl .name { font-weight: 700; font-family: ui-monospace, "DejaVu Sans Mono", monospace; color: var(--fg); }
section.decl .attr { color: var(--muted); font-family: ui-monospace, monospace; font-size: 0.85em; }
section.decl .src { margin-left: auto; font-size: 0.85em; font-family: ui-monospace, monospace; }
.badge { font-size: 0.75em; padding: 0.05rem 0.45rem; border-radius: 999px; border: 1px solid; }
.badge.good { color: var(--good); border-color: #a6d5b5; background: #eef8f1; }
.badge.warn { color: var(--warn); border-color: #e6c98d; background: #fdf6e7; }
.badge.bad { color: var(--bad); border-color: #eab0ab; background: #fcefee; }
pre.statement { margin: 0.5rem 0; padding: 0.45rem 0.7rem; background: var(--soft); border-radius: 4px;
                white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.92rem; }
.doc p { margin: 0.4rem 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 0.8rem; margin: 0.4rem 0;
           font-size: 0.9rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
dl.facts code.main { font-weight: 700; }
dd.good { color: var(--good); } dd.warn { color: var(--warn); } dd.bad { color: var(--bad); }
details.code summary { cursor: pointer; color: var(--muted); font-size: 0.85rem; }
pre.src { margin: 0.4rem 0 0; padding: 0.5rem 0.7rem; background: #fbfcfd; border: 1px solid var(--soft);
          border-radius: 4px; overflow-x: auto; font-size: 0.88rem; line-height: 1.45; }
pre.error { padding: 0.5rem 0.7rem; background: #fcefee; color: var(--bad); border-radius: 4px;
            white-space: pre-wrap; font-size: 0.85rem; }
pre.listing { border: none; padding: 0; font-size: 0.9rem; }
.listing .line { display: block; scroll-margin-top: 40vh; }
.listing .line:target { background: #fff3bf; }
.listing .ln { display: inline-block; color: #9aa3b2; padding-right: 0.8rem; user-select: none; }
"""

SEARCH_JS = r"""// The search box: lemmas by name or by a piece of their statement, over window.QUOD_INDEX
// (search-index.js). Every word typed must occur in the name or the statement; exact names first.
(function () {
  "use strict";
  var box = document.getElementById("q"), list = document.getElementById("results");
  var data = (window.QUOD_INDEX || {}).declarations || [];
  var LIMIT = 50, active = -1;
  var squash = function (s) { return s.toLowerCase().replace(/\s+/g, ""); };
  var rows = data.map(function (d) {
    return { d: d, name: d.name.toLowerCase(), stmt: squash(d.statement || "") };
  });
  function rank(r, words, whole) {
    var best = 0;
    if (r.name === whole) best = 0;
    else if (r.name.indexOf(whole) === 0) best = 1;
    else if (r.name.indexOf(whole) >= 0) best = 2;
    else best = 3;
    for (var i = 0; i < words.length; i++) {
      var w = words[i];
      if (r.name.indexOf(w) < 0 && r.stmt.indexOf(squash(w)) < 0) return -1;
    }
    return best;
  }
  function search(q) {
    q = q.trim().toLowerCase();
    if (!q) return [];
    var words = q.split(/\s+/), hits = [];
    // a query with operators is one piece of a statement, spaces not counting ("a * (b + c)")
    if (/[^\w\s']/.test(q)) words = [q];
    rows.forEach(function (r) {
      var k = rank(r, words, q);
      if (k >= 0) hits.push([k, r.stmt.length, r.d.name, r.d]);
    });
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0); });
    return hits.map(function (h) { return h[3]; });
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function show() {
    var hits = search(box.value);
    list.textContent = "";
    active = -1;
    if (!box.value.trim()) { list.hidden = true; return; }
    if (!hits.length) list.appendChild(el("li", "more", "no lemma matches"));
    hits.slice(0, LIMIT).forEach(function (d) {
      var li = el("li"), a = el("a", "hit");
      a.href = d.href;
      a.appendChild(el("span", "hit-module", d.module));
      a.appendChild(el("span", "hit-name", d.name));
      a.appendChild(el("span", "hit-statement", d.statement));
      li.appendChild(a);
      list.appendChild(li);
    });
    if (hits.length > LIMIT) list.appendChild(el("li", "more", "... and " + (hits.length - LIMIT) + " more"));
    list.hidden = false;
  }
  function move(step) {
    var items = list.querySelectorAll("li a.hit");
    if (!items.length) return;
    if (active >= 0) items[active].parentNode.classList.remove("active");
    active = (active + step + items.length) % items.length;
    items[active].parentNode.classList.add("active");
    items[active].scrollIntoView({ block: "nearest" });
  }
  if (!box || !list) return;
  box.addEventListener("input", show);
  box.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { move(1); ev.preventDefault(); }
    else if (ev.key === "ArrowUp") { move(-1); ev.preventDefault(); }
    else if (ev.key === "Enter") {
      var items = list.querySelectorAll("li a.hit");
      if (items.length) window.location.href = items[Math.max(active, 0)].href;
    } else if (ev.key === "Escape") { list.hidden = true; }
  });
  box.addEventListener("focus", function () { if (box.value.trim()) show(); });
  document.addEventListener("click", function (ev) {
    if (!list.contains(ev.target) && ev.target !== box) list.hidden = true;
  });
  // index.html?q=gcd opens with the search done
  var m = /[?&]q=([^&#]*)/.exec(window.location.search);
  if (m) { box.value = decodeURIComponent(m[1].replace(/\+/g, " ")); show(); }
})();
"""


def run_doc(args) -> int:
    """``quod doc [PATH ...] -o DIR``: HTML pages for the modules under PATH (default: the library)."""
    from tactics.syntax import QuodError
    paths = [Path(p) for p in args.paths] if args.paths else [THEORIES]
    for p in paths:
        if not p.exists():
            print(f"quod doc: error: {p}: no such file or directory", file=sys.stderr)
            return 2
    if not module_files(paths):
        print(f"quod doc: error: no .proof files in {' '.join(map(str, paths))}", file=sys.stderr)
        return 2
    try:
        docs = collect(paths, use_cache=not args.no_cache)
    except QuodError as exc:
        from .loader import format_error
        print(format_error(exc), file=sys.stderr)
        return 2
    out = Path(args.output)
    try:
        counts = write_site(docs, out)
    except OSError as exc:
        print(f"quod doc: error: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    for d in docs:
        for err in d.errors:
            print(err, file=sys.stderr)
    print(f"{counts['modules']} modules, {counts['theorems']} theorems ({counts['kernel_only']} on kernel rules "
          f"only, {counts['resting']} resting on an axiom, oracle or sorry, {counts['not_proved']} not proved): "
          f"{out / 'index.html'}")
    bad = counts["not_proved"] or any(d.errors for d in docs)
    return 1 if bad else 0
