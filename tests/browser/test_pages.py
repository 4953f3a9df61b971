"""Every page of the built site, as a reader's browser meets it.

Each check names the page it fails on: a console error, a request to another
host, a diagram that did not render, an image that did not load, a page wider
than a phone, an accessibility violation that axe-core rates serious or critical.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

DOCS = Path(__file__).parents[2] / "docs"
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def page_paths() -> list[str]:
    """The URL path of every page the site builds from docs/, plus the 404 page."""
    paths = []
    for source in sorted(DOCS.rglob("*")):
        if source.suffix not in {".md", ".ipynb"} or "assets" in source.parts:
            continue
        relative = source.relative_to(DOCS).with_suffix("")
        if relative.name in {"index", "README"}:
            relative = relative.parent
        paths.append(f"{relative.as_posix()}/" if str(relative) != "." else "")
    return [*paths, "404.html"]


PAGES = page_paths()


class PageVisit:
    """Loads one page with every outside request blocked and every console error kept."""

    def __init__(self, browser: Any, base_url: str, path: str) -> None:
        self.context = browser.new_context(viewport=DESKTOP)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.page.route("**/*", self._route)
        self.response = self.page.goto(base_url + path, wait_until="load")

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _route(self, route: Any) -> None:
        host = urlparse(route.request.url).hostname
        if host in {"127.0.0.1", None}:
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any, base_url: str, request: pytest.FixtureRequest) -> Any:
    visits: list[PageVisit] = []

    def open_page(path: str) -> PageVisit:
        visits.append(PageVisit(browser, base_url, path))
        return visits[-1]

    yield open_page
    for page_visit in visits:
        page_visit.close()


AXE_SERIOUS = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. `
              + v.nodes[0].target.join(' '))"""


def diagram_problems(page: Any) -> list[str]:
    """Diagrams are drawn at build time (.vd-diagram, inline SVG) where Chromium was available,
    otherwise in the browser: Material replaces each <pre class="mermaid"> by a
    <div class="mermaid">; a diagram that fails to parse stays a <pre>."""
    diagrams = page.locator("pre.mermaid, .vd-diagram").count()
    if not diagrams:
        return []
    try:
        page.wait_for_function(
            "() => document.querySelectorAll('pre.mermaid').length === 0", timeout=15_000
        )
    except Exception:
        left = page.locator("pre.mermaid").count()
        return [f"{left} of {diagrams} mermaid diagram(s) did not render"]
    heights = page.evaluate(
        """() => [...document.querySelectorAll('.vd-diagram > svg, div.mermaid')]
               .map(e => e.getBoundingClientRect().height)"""
    )
    if len(heights) != diagrams or not all(h > 0 for h in heights):
        return [f"a rendered diagram is empty: heights {heights}"]
    return []


@pytest.mark.parametrize("path", PAGES, ids=lambda path: path or "home")
def test_page(visit: Any, axe_source: str, path: str) -> None:
    """One visit per page; every problem found is reported together, naming the page."""
    seen = visit(path)
    page = seen.page
    problems: list[str] = []
    if seen.response is None or seen.response.status != 200:
        status = seen.response.status if seen.response else "no response"
        pytest.fail(f"{path or 'home page'}: HTTP {status}")
    problems += diagram_problems(page)
    missing = page.evaluate(
        """() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0)
                                      .map(i => i.getAttribute('src'))"""
    )
    if missing:
        problems.append(f"images that did not load: {missing}")
    if page.locator("pre > code").count() and not page.locator("button[data-md-type=copy]").count():
        problems.append("code blocks without a copy button")
    page.add_script_tag(content=axe_source)
    problems += [f"light scheme: {v}" for v in page.evaluate(AXE_SERIOUS)]
    page.emulate_media(color_scheme="dark")  # the palette follows the system by default
    page.wait_for_function("() => document.body.dataset.mdColorScheme === 'slate'")
    problems += [f"dark scheme: {v}" for v in page.evaluate(AXE_SERIOUS)]
    page.set_viewport_size(PHONE)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        problems.append(f"{overflow}px of horizontal scrolling on a phone")
    if seen.outside:
        problems.append(f"requests to other hosts: {seen.outside}")
    if seen.errors:
        problems.append(f"console errors: {seen.errors}")
    assert not problems, f"{path or 'home page'}:\n  " + "\n  ".join(problems)


def test_search_finds_a_term(visit: Any) -> None:
    page = visit("").page
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("hypervisor")  # Material searches on key events, not on fill()
    first = page.locator(".md-search-result__item").first
    first.wait_for(timeout=10_000)
    assert "hypervisor" in first.inner_text().lower()


def test_colour_scheme_toggle_works_and_persists(visit: Any) -> None:
    page = visit("").page

    def scheme() -> str:
        return str(page.evaluate("() => document.body.getAttribute('data-md-color-scheme')"))

    before = scheme()
    # The palette cycles auto -> light -> dark; click until the scheme changes.
    for _ in range(3):
        page.locator("form[data-md-component='palette'] label:visible").first.click()
        if scheme() != before:
            break
    after = scheme()
    assert after != before, "the toggle did not change the colour scheme"
    page.reload(wait_until="load")
    assert scheme() == after, "the chosen colour scheme was lost on reload"


def test_lab_pages_show_their_outputs(visit: Any) -> None:
    labs = [path for path in PAGES if path.startswith("labs/") and path != "labs/"]
    assert labs, "no lab page was built"
    for path in labs:
        page = visit(path).page
        outputs = page.locator(".jp-OutputArea-output")
        assert outputs.count() > 0, f"{path}: no cell output shown"
        assert outputs.first.inner_text().strip(), f"{path}: the first output is empty"
