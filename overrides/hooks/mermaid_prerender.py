"""MkDocs hook: draw every mermaid diagram at build time, so readers download no mermaid.

Material renders ``<pre class="mermaid">`` in the reader's browser with
mermaid.js — 3.5 MB of script that costs a phone seconds of main-thread time.
After the build, this hook renders each diagram once in Chromium with the
site's own copy of mermaid and Material's own mermaid theme (whose colours are
CSS variables, so an inline diagram still follows the light/dark toggle), puts
the SVG into the page and drops the mermaid script from pages that no longer
need it.

Where Chromium or Playwright is missing (a contributor's machine with only
Python), pages are left as they are and the browser renders the diagrams as
before: slower, never broken. Rendered SVGs are cached under ``.cache/mermaid``
by a key over mermaid, the theme and the source, so a cached file is never stale.
"""

from __future__ import annotations

import hashlib
import html
import importlib.util
import logging
import os
import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.mermaid_prerender")

MERMAID = "assets/javascripts/vendor/mermaid-11.17.2.min.js"
CHROMIUM = Path(os.environ.get("VIRTDOCS_CHROMIUM", "/usr/bin/chromium"))
CACHE = Path(".cache/mermaid")
_BLOCK = re.compile(r'<pre class="mermaid"><code>(.*?)</code></pre>', re.S)
_SCRIPT = re.compile(r'\s*<script src="[^"]*vendor/mermaid-[\d.]+\.min\.js"></script>')
#: Material passes this to mermaid.initialize(); found in its bundle by name.
_THEME_VAR = re.compile(r"themeCSS:([A-Za-z_$][\w$]*)")
_FONTS = "-apple-system, BlinkMacSystemFont, Helvetica, Arial, sans-serif"


def _material_theme_css(site: Path) -> str | None:
    for bundle in (site / "assets" / "javascripts").glob("bundle.*.min.js"):
        text = bundle.read_text(encoding="utf-8")
        name = _THEME_VAR.search(text)
        if name:
            value = re.search(rf'\b{re.escape(name[1])}="((?:[^"\\]|\\.)*)"', text)
            if value:
                return value[1].encode().decode("unicode_escape")
    return None


def _render_all(
    sources: dict[str, str], where: dict[str, str], mermaid_js: Path, theme_css: str
) -> dict[str, str]:
    """Render ``{diagram id: source}`` to ``{diagram id: svg}`` in one headless Chromium.

    A diagram that does not parse stops the build, naming its page (``where[id]``).
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            page.set_content(f"<html><body style='font-family: {_FONTS}'></body></html>")
            page.add_script_tag(path=str(mermaid_js))
            page.evaluate(
                """css => mermaid.initialize({startOnLoad: false, securityLevel: 'strict',
                    themeCSS: css, fontFamily: getComputedStyle(document.body).fontFamily,
                    sequence: {actorFontSize: '16px', messageFontSize: '16px',
                               noteFontSize: '16px'}})""",
                theme_css,
            )
            rendered: dict[str, str] = {}
            for diagram_id, source in sources.items():
                try:
                    rendered[diagram_id] = page.evaluate(
                        "async ([id, src]) => (await mermaid.render(id, src)).svg",
                        [diagram_id, source],
                    )
                except Exception as error:
                    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
                    raise PluginError(f"{where[diagram_id]}: {reason}") from None
            return rendered
        finally:
            browser.close()


def on_post_build(config: Any) -> None:
    if os.environ.get("VIRTDOCS_MERMAID_PRERENDER", "1") == "0":
        return
    site = Path(config["site_dir"])
    pages = {path: path.read_text(encoding="utf-8") for path in site.rglob("*.html")}
    pages = {path: text for path, text in pages.items() if _BLOCK.search(text)}
    if not pages:
        return
    theme_css = _material_theme_css(site)
    has_playwright = importlib.util.find_spec("playwright") is not None
    if theme_css is None or not has_playwright or not CHROMIUM.exists():
        log.info("mermaid diagrams left to the browser: no Chromium, Playwright or Material theme")
        return
    key_base = hashlib.sha256((MERMAID + theme_css).encode()).hexdigest()
    wanted: dict[str, str] = {}
    where: dict[str, str] = {}
    page_ids: dict[Path, list[str]] = {}
    for path, text in pages.items():
        ids = []
        for index, match in enumerate(_BLOCK.finditer(text)):
            source = html.unescape(match[1])
            digest = hashlib.sha256(f"{key_base}:{index}:{source}".encode()).hexdigest()[:16]
            diagram_id = f"vd-diagram-{digest}"
            wanted[diagram_id] = source
            where[diagram_id] = f"{path.relative_to(site)}: mermaid diagram {index + 1}"
            ids.append(diagram_id)
        page_ids[path] = ids
    CACHE.mkdir(parents=True, exist_ok=True)
    svgs = {i: (CACHE / f"{i}.svg").read_text() for i in wanted if (CACHE / f"{i}.svg").exists()}
    missing = {i: s for i, s in wanted.items() if i not in svgs}
    if missing:
        for diagram_id, svg in _render_all(missing, where, site / MERMAID, theme_css).items():
            (CACHE / f"{diagram_id}.svg").write_text(svg, encoding="utf-8")
            svgs[diagram_id] = svg
    for path, text in pages.items():
        pieces = _BLOCK.split(text)  # text, source, text, source, …, text
        for number, diagram_id in enumerate(page_ids[path]):
            svg = svgs[diagram_id]
            pieces[2 * number + 1] = f'<div class="vd-diagram" id="{diagram_id}-figure">{svg}</div>'
        path.write_text(_SCRIPT.sub("", "".join(pieces)), encoding="utf-8")
    log.info("mermaid: %d diagrams drawn at build time (%d new)", len(wanted), len(missing))
