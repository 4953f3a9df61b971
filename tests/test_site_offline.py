"""The offline check finds every way a page can pull an asset from another host."""

from __future__ import annotations

from pathlib import Path

from tests.site.offline import external_assets


def test_finds_external_scripts_styles_fonts_and_images(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<html><head><link rel="stylesheet" href="https://fonts.googleapis.com/css">'
        '<link rel="preconnect" href="https://fonts.gstatic.com">'
        '<script src="//unpkg.com/mermaid.js"></script>'
        "<style>@font-face { src: url('https://x.test/f.woff2') }</style></head>"
        '<body><img src="https://x.test/i.png"><a href="https://example.org">a link</a>'
        '<script src="../assets/local.js"></script>'
        '<script type="module">await import("https://cdn.test/m.mjs")</script></body></html>',
        encoding="utf-8",
    )
    (tmp_path / "s.css").write_text("@import 'https://x.test/a.css';", encoding="utf-8")
    found = list(external_assets(tmp_path))
    assert found == [
        "a/index.html: <link rel=stylesheet href=https://fonts.googleapis.com/css>",
        "a/index.html: <link rel=preconnect href=https://fonts.gstatic.com>",
        "a/index.html: <script src=//unpkg.com/mermaid.js>",
        "a/index.html: <img src=https://x.test/i.png>",
        "a/index.html: <style> url(https://x.test/f.woff2)",
        "a/index.html: <script> import(https://cdn.test/m.mjs)",
        "s.css: url(https://x.test/a.css)",
    ]


def test_links_and_local_assets_are_fine(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(
        '<a href="https://doi.org/10.1145/361011.361073">paper</a>'
        '<link rel="canonical" href="https://virtdocs.example/">'
        '<img src="assets/x.svg">',
        encoding="utf-8",
    )
    assert list(external_assets(tmp_path)) == []
