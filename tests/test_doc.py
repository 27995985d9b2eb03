"""quod doc: browsable HTML pages for the library, checked as files and then in a real headless Chromium
(Debian's, driven by Playwright): type in the index's search box, see the lemma, follow it to its module
page and on to its source line. Where Playwright or Chromium is missing the browser test skips, saying
which; the pages are generated once per run of this file."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "theories" / "integers"
_DECL = re.compile(r"^(?:@\[[^\]]*\]\s*)?(theorem|lemma|def|axiom)\s+([A-Za-z_][A-Za-z0-9_']*)", re.M)
BEZOUT = "forall a b : int, exists x y : int, gcd(a, b) = a * x + b * y"
_SECTION = re.compile(r'<section class="decl" id="([^"]+)">\n<h3>.*?<a class="src" href="([^"#]+)#L(\d+)"')


def text(markup: str) -> str:
    """What a reader sees of some HTML: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def quod_doc(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "quod.cli", "doc", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("doc") / "site"
    r = quod_doc("theories", "-o", str(out), "--no-cache")
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    n = len(_DECL.findall("\n".join(p.read_text(encoding="utf-8") for p in LIBRARY.glob("*.proof"))))
    assert re.search(r"^17 modules, \d+ theorems \((\d+) on kernel rules only, 0 resting", r.stdout, re.M), r.stdout
    assert n > 700
    return out


def test_one_page_per_module_and_an_index_of_them(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    for path in LIBRARY.glob("*.proof"):
        name = f"integers.{path.stem}"
        assert (site / f"{name}.html").is_file(), name
        assert (site / "src" / "integers" / f"{path.stem}.proof.html").is_file(), name
        assert f'href="{name}.html"' in index, name
    assert 'id="q"' in index and "search-index.js" in index


def test_every_declaration_links_to_its_own_source_line(site):
    """Every theorem, lemma and definition of the library is on its module's page, and its source link
    points at the line where the source declares it."""
    declared = {}
    for path in LIBRARY.glob("*.proof"):
        for m in _DECL.finditer(path.read_text(encoding="utf-8")):
            declared[m.group(2)] = path
    data = json.loads((site / "index.json").read_text(encoding="utf-8"))["declarations"]
    assert {d["name"] for d in data} == set(declared)
    seen = set()
    for page in site.glob("integers.*.html"):
        for anchor, src, line in _SECTION.findall(page.read_text(encoding="utf-8")):
            name = anchor.replace("%27", "'")
            source_lines = declared[name].read_text(encoding="utf-8").split("\n")
            assert _DECL.match(source_lines[int(line) - 1]).group(2) == name, (page.name, name, line)
            listing = (site / src).read_text(encoding="utf-8")
            row = re.search(rf'<span class="line" id="L{line}">(.*?)\n</span>', listing).group(1)
            assert text(row).split(maxsplit=1)[1].startswith(source_lines[int(line) - 1].strip())
            seen.add(name)
    assert seen == set(declared)


def test_a_lemma_shows_its_statement_comment_tactics_and_what_it_rests_on(site):
    page = (site / "integers.gcd.html").read_text(encoding="utf-8")
    bezout = page[page.index('<section class="decl" id="bezout">'):]
    bezout = bezout[:bezout.index("</section>")]
    assert f'<pre class="statement">{BEZOUT}</pre>' in bezout
    assert "Bezout: the gcd is an integer combination of a and b" in bezout       # the comment above it
    assert '<code class="main" title="the main tactic">linarith</code>' in bezout and "<code>exact</code>" in bezout
    assert "kernel rules only" in bezout
    assert "exact bezout_aux(abs(b), h0, a, b, h1)" in text(bezout)                           # the proof itself
    assert "<h2>coprimality</h2>" in page                                          # a section heading
    sqrt2 = (site / "integers.sqrt2.html").read_text(encoding="utf-8")
    assert "Fermat&#x27;s infinite descent" in sqrt2                              # the module's own comment
    assert "no fraction a / b squares to 2" in sqrt2


def test_pages_load_nothing_from_elsewhere(site):
    for page in list(site.glob("*.html")) + list(site.rglob("src/**/*.html")):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'(src|href)="(https?:)?//', text), page
    assert "fetch(" not in (site / "search.js").read_text(encoding="utf-8")     # file:// pages cannot fetch


def test_what_a_theorem_rests_on_is_what_the_kernel_found(tmp_path):
    src = tmp_path / "demo"
    src.mkdir()
    (src / "demo.proof").write_text("""-- A module for the documentation test.
import integers.order

-- ---- first section ----------

/- A block comment
   over two lines. -/
theorem my_refl (x : int) : x <= x := by
  linarith

axiom big : forall x : int, x < 1000

theorem uses_big : 5 < 1000 := by
  exact big(5)

-- not finished
@[simp] theorem unfinished (a : int) : a * a >= 0 := by
  sorry

theorem wrong (a : int) : a < a := by
  linarith
""", encoding="utf-8")
    r = quod_doc(str(src), "-o", str(tmp_path / "out"), "--no-cache")
    assert r.returncode == 1, r.stdout + r.stderr                    # a theorem failed: the pages say so
    assert "4 theorems (1 on kernel rules only, 2 resting on an axiom, oracle or sorry, 1 not proved)" in r.stdout
    page = (tmp_path / "out" / "demo.html").read_text(encoding="utf-8")

    def section(name):
        s = page[page.index(f'id="{name}"'):]
        return s[:s.index("</section>")]
    assert "A block comment over two lines." in section("my_refl") and "kernel rules only" in section("my_refl")
    assert "<h2>first section</h2>" in page
    assert "an axiom: declared, not proved" in section("big")
    assert "big (an axiom)" in section("uses_big") and "uses an axiom" in section("uses_big")
    assert "sorry (an unfinished proof step)" in section("unfinished") and "@[simp]" in section("unfinished")
    assert "not finished" in section("unfinished")
    assert "failed" in section("wrong") and "linarith failed" in section("wrong")
    assert "nothing: not proved" in section("wrong")


def test_doc_refuses_a_missing_path(tmp_path):
    r = quod_doc(str(tmp_path / "nowhere"), "-o", str(tmp_path / "out"))
    assert r.returncode == 2 and "no such file or directory" in r.stderr


# -- in a real browser ----------------------------------------------------------------------------

def _chromium() -> str | None:
    for c in (os.environ.get("QUOD_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if c and shutil.which(c):
            return shutil.which(c)
    return None


# as the machine notes advise for headless Chromium as root on a closed network
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed (pip install -e '.[test]'): the browser test of quod doc skips")
    exe = _chromium()
    if exe is None:
        pytest.skip("no Chromium on this machine (Debian: apt-get install chromium): the browser test of quod doc "
                    "skips; the pages were checked as files only")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def test_search_then_module_page_then_source_line_in_chromium(site, browser):
    from playwright.sync_api import expect
    shots = Path(os.environ.get("QUOD_DOC_SCREENSHOTS") or site / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    problems, outside = [], []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith("file://") else None)

    page.goto((site / "index.html").as_uri())
    expect(page.locator("table.modules tbody tr")).to_have_count(17)
    page.screenshot(path=str(shots / "index.png"))

    box = page.locator("#q")
    box.press_sequentially("bezout")                     # real key presses
    first = page.locator("#results a.hit").first
    expect(first.locator(".hit-name")).to_have_text("bezout")
    expect(first.locator(".hit-statement")).to_have_text(BEZOUT)
    page.screenshot(path=str(shots / "search.png"))

    box.fill("")
    box.press_sequentially("a * (b + c)")                # a piece of a statement, spaces not counting
    expect(page.locator("#results .hit-name", has_text=re.compile(r"^mul_add$"))).to_have_count(1)
    box.fill("")
    box.press_sequentially("bezout")
    first.click()

    expect(page).to_have_url(re.compile(r"/integers\.gcd\.html#bezout$"))
    decl = page.locator("section#bezout")
    expect(decl).to_be_in_viewport()
    expect(decl.locator("pre.statement")).to_have_text(BEZOUT)
    expect(decl.locator("dl.facts")).to_contain_text("kernel rules only")
    decl.locator("details.code summary").click()          # the proof opens in place
    expect(decl.locator("details.code pre")).to_contain_text("exact bezout_aux")
    page.screenshot(path=str(shots / "module.png"))

    line = int(re.search(r"#L(\d+)$", decl.locator("a.src").get_attribute("href")).group(1))
    decl.locator("a.src").click()
    expect(page).to_have_url(re.compile(rf"/src/integers/gcd\.proof\.html#L{line}$"))
    row = page.locator(f"#L{line}")
    expect(row).to_be_in_viewport()
    expect(row).to_contain_text("theorem bezout (a b : int)")
    assert row.evaluate("e => e.matches(':target') && getComputedStyle(e).backgroundColor") == "rgb(255, 243, 191)"
    page.screenshot(path=str(shots / "source.png"))

    page.go_back()                                        # Enter takes the first hit, from any module page
    page.locator("#q").press_sequentially("sqrt2_irrational")
    page.locator("#q").press("Enter")
    expect(page).to_have_url(re.compile(r"/integers\.sqrt2\.html#sqrt2_irrational$"))
    expect(page.locator("section#sqrt2_irrational")).to_be_in_viewport()

    assert not problems, problems
    assert not outside, outside
    for name in ("index", "search", "module", "source"):
        assert (shots / f"{name}.png").stat().st_size > 10_000, name
    page.close()
