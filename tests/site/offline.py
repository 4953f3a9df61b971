"""Check a built site for assets fetched from another host.

A reader offline (or behind a strict firewall) must get every script, style
sheet, font and image from the site itself. Links a reader clicks are fine;
what the browser loads on its own is not.

Usage: ``python -m tests.site.offline site/`` — prints one line per offending
asset (``page: tag attribute=url``) and exits 1 if there is any.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

#: (tag, attribute) pairs whose URL the browser fetches without a click.
_FETCHED = {
    ("script", "src"),
    ("img", "src"),
    ("img", "srcset"),
    ("iframe", "src"),
    ("source", "src"),
    ("source", "srcset"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("image", "href"),  # SVG <image>
    ("use", "href"),
}
#: <link rel=…> values that make the browser fetch or connect.
_FETCHING_RELS = {
    "stylesheet",
    "preload",
    "preconnect",
    "dns-prefetch",
    "modulepreload",
    "prefetch",
    "icon",
    "manifest",
}
_CSS_URL = re.compile(r"""url\(\s*['"]?((?:https?:)?//[^'")\s]+)""")
_IMPORT = re.compile(r"""@import\s+['"]((?:https?:)?//[^'"]+)""")
_JS_IMPORT = re.compile(r"""\bimport\s*\(?\s*['"]((?:https?:)?//[^'"]+)""")


def _external(url: str) -> bool:
    return url.strip().startswith(("http://", "https://", "//"))


class _AssetFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if (tag, name) in _FETCHED and _external(value):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "link":
            rels = set(values.get("rel", "").lower().split())
            if rels & _FETCHING_RELS and _external(values.get("href", "")):
                self.found.append(f"<link rel={values['rel']} href={values['href']}>")
        style = values.get("style", "")
        self.found.extend(f"<{tag} style=url({url})>" for url in _CSS_URL.findall(style))


def external_assets(site: Path) -> Iterator[str]:
    """Yield ``relative/path: what`` for every asset the built site loads from elsewhere."""
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            finder = _AssetFinder()
            finder.feed(path.read_text(encoding="utf-8"))
            for item in finder.found:
                yield f"{path.relative_to(site)}: {item}"
            text = path.read_text(encoding="utf-8")
            for block in re.findall(r"<style[^>]*>(.*?)</style>", text, flags=re.S):
                for url in _CSS_URL.findall(block) + _IMPORT.findall(block):
                    yield f"{path.relative_to(site)}: <style> url({url})"
            for block in re.findall(r"<script[^>]*>(.*?)</script>", text, flags=re.S):
                for url in _JS_IMPORT.findall(block):
                    yield f"{path.relative_to(site)}: <script> import({url})"
        elif path.suffix == ".css":
            text = path.read_text(encoding="utf-8")
            for url in _CSS_URL.findall(text) + _IMPORT.findall(text):
                yield f"{path.relative_to(site)}: url({url})"


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python -m tests.site.offline SITE_DIR", file=sys.stderr)
        return 2
    problems = list(external_assets(Path(argv[0])))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} asset(s) would be fetched from another host", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
