"""``quod lsp`` end to end: a pytest-lsp client starts the server over standard input and output
and talks to it as an editor does (open, change, diagnostics, goals, hover, completion, definition,
symbols, semantic tokens, progress, cancellation). One server serves the whole module; each test
opens its own document.
"""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.asyncio(loop_scope="module")

DOC = textwrap.dedent("""\
    theorem add_comm' : forall x y : int, x + y = y + x
    proof
      intro x y
      ring
    qed

    lemma le_trans'' (a b c : int) (h1 : a <= b) (h2 : b <= c) : a <= c := by
      linarith

    def abs_diff (a b : int) : int := if a >= b then a - b else b - a

    theorem bad (x : int) : x + 1 = x := by
      ring

    theorem unfinished (x : int) : x * x >= 0 := by
      sorry

    eval abs_diff(3, 5)
    """)

# z3 cannot settle this (x^3 + y^3 = z^3 has no positive solutions): smt runs until its timeout
SLOW = ("theorem fermat3 (x y z : int) (hx : x > 0) (hy : y > 0) (hz : z > 0) : "
        "x * x * x + y * y * y != z * z * z := by\n  smt (timeout := 30000) (rlimit := 1000000000)\n")


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "quod.cli", "lsp"],
        server_env={**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")},
    ),
)
async def client(lsp_client: LanguageClient):
    lsp_client.checked = []

    @lsp_client.feature("quod/checked")
    def checked(ls, params):
        ls.checked.append(params)

    lsp_client.init_result = await lsp_client.initialize_session(T.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=ROOT.as_uri(),
        initialization_options={"progressDelay": 0, "debounce": 10}))
    yield
    await lsp_client.shutdown_session()


async def wait_checked(client: LanguageClient, uri: str, version: int):
    """The quod/checked notification of the check of this version (a guard against hanging, not a
    time measurement: the server has up to two minutes)."""
    async def poll():
        while True:
            for c in client.checked:
                if c.uri == uri and c.version == version and not c.cancelled:
                    return c
            await asyncio.sleep(0.02)
    return await asyncio.wait_for(poll(), 120)


async def open_doc(client: LanguageClient, tmp_path: Path, text: str, name: str = "doc.proof"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(uri, "quod", 1, text)))
    done = await wait_checked(client, uri, 1)
    return uri, done


def change(client: LanguageClient, uri: str, version: int, line: int, start: int, end: int, new: str):
    rng = T.Range(T.Position(line, start), T.Position(line, end))
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        T.VersionedTextDocumentIdentifier(uri=uri, version=version),
        [T.TextDocumentContentChangePartial(range=rng, text=new)]))


async def goals(client: LanguageClient, uri: str, line: int, character: int):
    return await client.protocol.send_request_async(
        "quod/goals", {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})


def line_of(text: str, needle: str) -> int:
    return next(i for i, x in enumerate(text.split("\n")) if needle in x)


def messages(client: LanguageClient, uri: str) -> list[tuple[int, str, str]]:
    names = {T.DiagnosticSeverity.Error: "error", T.DiagnosticSeverity.Warning: "warning",
             T.DiagnosticSeverity.Information: "information"}
    return sorted((d.range.start.line, names[d.severity], d.message) for d in client.diagnostics.get(uri, []))


# ---- diagnostics -------------------------------------------------------------------------------

async def test_open_publishes_errors_warnings_and_command_output_in_place(client, tmp_path):
    uri, done = await open_doc(client, tmp_path, DOC)
    assert done.checked == done.declarations == 6 and done.reused == 0
    diags = messages(client, uri)
    bad = line_of(DOC, "theorem bad") + 1
    assert (bad, "error") in [(x[0], x[1]) for x in diags]
    err = next(x for x in diags if x[0] == bad)
    assert "ring" in err[2] and "x + 1 = x" in err[2]          # the failure and the goal it failed on
    assert (line_of(DOC, "sorry"), "warning", "declaration uses sorry") in diags
    assert (line_of(DOC, "eval"), "information", "2") in diags
    assert len(diags) == 3
    rng = next(d.range for d in client.diagnostics[uri] if d.severity == T.DiagnosticSeverity.Error)
    assert (rng.start.character, rng.end.character) == (2, 6)   # `ring`


async def test_parse_error_is_reported_and_the_rest_still_checked(client, tmp_path):
    text = "theorem t (x : int) : x = x +\n  := by ring\n\ntheorem u : 1 + 1 = 2 := by\n  norm_nm\n\n" \
           "theorem v : 2 = 2 := by\n  rfl'\n\neval 1 + 2\n"
    uri, _ = await open_doc(client, tmp_path, text, "parse.proof")
    diags = messages(client, uri)
    assert [x[:2] for x in diags] == [(1, "error"), (4, "error"), (7, "error"), (9, "information")]
    assert "unknown tactic 'norm_nm'" in diags[1][2] and "norm_num" in diags[1][2]


async def test_crlf_line_ends_and_an_unclosed_comment(client, tmp_path):
    text = "theorem t (x : int) : x = x := by\r\n  ring\r\n\r\ntheorem u : 1 = 2 := by\r\n  norm_num\r\n" \
           "/- never closed\r\ntheorem v : 1 = 1 := by\r\n  ring\r\n"
    uri, done = await open_doc(client, tmp_path, text, "crlf.proof")
    assert done.declarations == 2                  # v is inside the comment
    diags = messages(client, uri)
    assert [x[:2] for x in diags] == [(4, "error"), (5, "error")]
    assert "unterminated comment" in diags[1][2]


async def test_a_one_line_edit_rechecks_that_declaration_alone(client, tmp_path):
    uri, _ = await open_doc(client, tmp_path, DOC, "edit.proof")
    # the proof of le_trans'' changes but proves the same statement: nothing below is checked again
    n = line_of(DOC, "linarith")
    change(client, uri, 2, n, 2, 10, "smt")
    done = await wait_checked(client, uri, 2)
    assert (done.checked, done.reused) == (1, 5)
    # fix `bad`: its diagnostic goes; declarations below it see a new theorem and are checked again
    n = line_of(DOC, "theorem bad")
    change(client, uri, 3, n, len("theorem bad (x : int) : "), len("theorem bad (x : int) : x + 1 = x"),
           "x + 1 = 1 + x")
    done = await wait_checked(client, uri, 3)
    assert (done.checked, done.reused) == (3, 3)
    assert [x[1] for x in messages(client, uri)] == ["warning", "information"]
    # lines inserted above move the diagnostics and check nothing again
    change(client, uri, 4, 0, 0, 0, "-- a comment\n\n")
    done = await wait_checked(client, uri, 4)
    assert (done.checked, done.reused) == (0, 6)
    assert messages(client, uri)[0][0] == line_of(DOC, "sorry") + 2


# ---- goals at the cursor -------------------------------------------------------------------------

async def test_goals_before_and_after_the_tactic_under_the_cursor(client, tmp_path):
    uri, _ = await open_doc(client, tmp_path, DOC, "goals.proof")
    ring = await goals(client, uri, line_of(DOC, "  ring"), 3)
    assert ring.tactic == "ring"
    assert ring.before == ["x y : int\n⊢ x + y = y + x"] and ring.after == [] and ring.goals == []
    assert "**before** `ring`" in ring.rendered and "no goals" in ring.rendered
    intro = await goals(client, uri, line_of(DOC, "intro x y"), 2)
    assert intro.tactic == "intro" and intro.before == ["⊢ ∀ x y : int, x + y = y + x"]
    assert intro.after == ["x y : int\n⊢ x + y = y + x"]
    start = await goals(client, uri, line_of(DOC, "lemma le_trans''"), 0)
    assert start.tactic is None and start.goals == ["a b c : int\nh1 : a ≤ b\nh2 : b ≤ c\n⊢ a ≤ c"]
    failed = await goals(client, uri, line_of(DOC, "theorem bad") + 1, 4)
    assert failed.tactic == "ring" and failed.after is None and "ring" in failed.error
    assert failed.goals == ["x : int\n⊢ x + 1 = x"]
    assert await goals(client, uri, line_of(DOC, "def abs_diff"), 5) is None


async def test_goals_on_a_tactic_after_the_failing_one(client, tmp_path):
    text = "theorem stuck (x : int) (h : x > 0) : x = x + 1 := by\n  linarith\n  ring\n"
    uri, _ = await open_doc(client, tmp_path, text, "stuck.proof")
    g = await goals(client, uri, 1, 2)
    assert g.tactic == "linarith" and g.after is None and g.goals == ["x : int\nh : 0 < x\n⊢ x = x + 1"]
    g = await goals(client, uri, 2, 2)
    assert g.tactic == "ring" and g.goals == [] and "not run: the proof stopped before it" in g.rendered


async def test_goals_wait_for_the_check_to_reach_the_cursor(client, tmp_path):
    uri, _ = await open_doc(client, tmp_path, DOC, "wait.proof")
    n = line_of(DOC, "  ring")
    change(client, uri, 2, n, 2, 6, "ring\n  skip")     # a request sent right after the change
    g = await goals(client, uri, n + 1, 3)
    assert g.tactic == "skip" and g.before == [] and g.after == []


async def test_hover_over_a_tactic_shows_the_goals_and_over_a_name_its_statement(client, tmp_path):
    uri, _ = await open_doc(client, tmp_path, DOC + "\ntheorem use (p q : int) (h : p <= q) : p <= q + 1 := by\n"
                            "  apply le_trans''\n  linarith\n", "hover.proof")
    text = DOC + "\ntheorem use"
    h = await client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri),
                                                             T.Position(line_of(DOC, "linarith"), 4)))
    assert "**before** `linarith`" in h.contents.value and "h1 : a ≤ b" in h.contents.value
    n = line_of(text, "theorem use") + 1
    h = await client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri), T.Position(n, 10)))
    assert "theorem le_trans'' : ∀ a b c : int, a ≤ b → b ≤ c → a ≤ c" in h.contents.value
    h = await client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri),
                                                             T.Position(line_of(DOC, "eval"), 7)))
    assert "def abs_diff (a b : int) : int := if" in h.contents.value


# ---- completion, definition, symbols, highlighting ------------------------------------------------

async def test_completion_offers_tactics_names_in_scope_and_hypotheses(client, tmp_path):
    text = DOC + "\ntheorem use (p q : int) (hpq : p <= q) : p <= q + 1 := by\n  \n"
    uri, _ = await open_doc(client, tmp_path, text, "complete.proof")
    n = line_of(text, "theorem use") + 1
    res = await client.text_document_completion_async(T.CompletionParams(T.TextDocumentIdentifier(uri),
                                                                          T.Position(n, 2)))
    items = {i.label: i for i in res.items}
    assert {"linarith", "smt", "induction", "intro"} <= set(items)
    assert items["le_trans''"].kind == T.CompletionItemKind.Constant
    assert items["le_trans''"].detail == "∀ a b c : int, a ≤ b → b ≤ c → a ≤ c"
    assert items["abs_diff"].kind == T.CompletionItemKind.Function
    assert "even" in items and "gcd" in items                       # from the prelude
    assert items["hpq"].detail == "p ≤ q"
    # a name declared below the cursor is not in scope
    n = line_of(text, "intro x y")
    res = await client.text_document_completion_async(T.CompletionParams(T.TextDocumentIdentifier(uri),
                                                                          T.Position(n, 2)))
    assert "abs_diff" not in {i.label for i in res.items}
    res = await client.text_document_completion_async(T.CompletionParams(
        T.TextDocumentIdentifier(uri), T.Position(0, 0)))
    assert "theorem" in {i.label for i in res.items}


async def test_definition_of_a_lemma_a_prelude_definition_and_a_c_program(client, tmp_path):
    (tmp_path / "g.c").write_text("int helper(int a) { return a; }\n\nvoid g(int x, int y) {\n"
                                  "   while (x > y) x = x - y;\n}\n")
    text = DOC + '\nprogram g from c "g.c" function g\n\ntheorem g_terminates : terminates g := by termination\n' \
                 "\ntheorem ev : even(4) := by\n  unfold even\n  exists 2\n"
    uri, _ = await open_doc(client, tmp_path, text, "defs.proof")

    async def definition(line, col):
        return await client.text_document_definition_async(T.DefinitionParams(
            T.TextDocumentIdentifier(uri), T.Position(line, col)))
    locs = await definition(line_of(text, "eval abs_diff"), 7)
    assert [(x.uri, x.range.start.line, x.range.start.character) for x in locs] == \
        [(uri, line_of(text, "def abs_diff"), 4)]
    locs = await definition(line_of(text, "theorem g_terminates"), 34)
    assert [(Path(x.uri).name, x.range.start.line) for x in locs] == [("defs.proof", line_of(text, "program g")),
                                                                      ("g.c", 2)]
    locs = await definition(line_of(text, "theorem ev"), 15)
    assert locs[0].uri.endswith("theories/integers/prelude.proof")
    prelude = (ROOT / "theories" / "integers" / "prelude.proof").read_text().split("\n")
    assert prelude[locs[0].range.start.line].startswith("def even")
    h = await client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri),
                                                             T.Position(line_of(text, "program g"), 9)))
    assert "program g(x : i32, y : i32)" in h.contents.value and "g.c, line 3" in h.contents.value
    assert "void g(int x, int y) {" in h.contents.value


async def test_document_symbols_and_semantic_tokens(client, tmp_path):
    uri, _ = await open_doc(client, tmp_path, DOC, "symbols.proof")
    syms = await client.text_document_document_symbol_async(T.DocumentSymbolParams(T.TextDocumentIdentifier(uri)))
    assert [(s.name, s.kind) for s in syms] == [
        ("add_comm'", T.SymbolKind.Method), ("le_trans''", T.SymbolKind.Method), ("abs_diff", T.SymbolKind.Function),
        ("bad", T.SymbolKind.Method), ("unfinished", T.SymbolKind.Method)]
    assert syms[0].range.start.line == 0 and syms[0].range.end.line == 4
    toks = await client.text_document_semantic_tokens_full_async(T.SemanticTokensParams(
        T.TextDocumentIdentifier(uri)))
    legend = client.init_result.capabilities.semantic_tokens_provider.legend.token_types
    data, toks, line, col = list(toks.data), {}, 0, 0
    for i in range(0, len(data), 5):
        dl, dc, n, kind, _ = data[i:i + 5]
        line, col = line + dl, (col + dc if dl == 0 else dc)
        toks[(line, col)] = (n, legend[kind])
    assert toks[(0, 0)] == (7, "keyword")                           # theorem
    assert toks[(0, 8)] == (9, "function")                          # add_comm', a theorem name
    assert toks[(3, 2)] == (4, "macro")                             # ring, a tactic
    n = line_of(DOC, "eval")
    assert toks[(n, 5)] == (8, "function") and toks[(n, 14)] == (1, "number")


# ---- long checks: progress and cancellation -------------------------------------------------------

async def test_typing_cancels_a_stale_check_and_interrupts_z3(client, tmp_path):
    text = SLOW + "\n" + DOC
    path = tmp_path / "slow.proof"
    path.write_text(text)
    uri = path.as_uri()
    client.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(uri, "quod", 1, text)))
    async def begun():                              # the check of version 1 has started
        while not any(getattr(v, "kind", None) == "begin" and v.title == "Checking slow.proof"
                      for reports in client.progress_reports.values() for v in reports):
            await asyncio.sleep(0.02)
    await asyncio.wait_for(begun(), 120)
    await asyncio.sleep(0.3)                        # z3 is busy with fermat3 now (for 30 s if left alone)
    change(client, uri, 2, 1, 2, len(SLOW.split("\n")[1]), "sorry")
    done = await wait_checked(client, uri, 2)
    stale = [c for c in client.checked if c.uri == uri and c.version == 1]
    assert len(stale) == 1 and stale[0].cancelled and stale[0].checked == 0
    assert done.checked == done.declarations == 7
    assert (1, "warning", "declaration uses sorry") in messages(client, uri)
    # the stale check showed progress, and said that it was cancelled
    values = [v for reports in client.progress_reports.values() for v in reports]
    assert any(getattr(v, "kind", None) == "begin" and v.title == "Checking slow.proof" for v in values)
    assert any(getattr(v, "kind", None) == "end" and v.message.startswith("cancelled") for v in values)
