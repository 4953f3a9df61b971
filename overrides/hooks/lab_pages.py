"""MkDocs hook: lab pages share one style sheet and load nothing from a CDN.

mkdocs-jupyter inlines about 590 KB of notebook CSS into every lab page and adds
scripts that would fetch MathJax and mermaid from a CDN. After each lab page is
rendered this hook moves the CSS into one file under assets/ (written once,
named by its hash, cached by the browser across labs) and drops those scripts:
our labs use neither TeX nor notebook-side mermaid.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path
from typing import Any

_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
_DROPPED_SCRIPTS = (
    re.compile(r'<script src="">\s*</script>'),
    re.compile(r'<script type="text/x-mathjax-config">.*?</script>', re.S),
    re.compile(
        r'<script type="module">(?:(?!</script>).)*cdnjs\.cloudflare\.com.*?</script>', re.S
    ),
)


def _shared_css(blocks: list[str]) -> str:
    # mkdocs-jupyter also emits the Pygments CSS a second time as a Python list's repr;
    # it is not CSS, and the real copy is among the other blocks.
    return "\n".join(block for block in blocks if not block.lstrip().startswith("['"))


def on_post_page(output: str, page: Any, config: Any) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    head_end = output.index("</head>")
    blocks = _STYLE.findall(output, head_end)
    css = _shared_css(blocks)
    name = f"assets/stylesheets/labs.{hashlib.sha256(css.encode()).hexdigest()[:12]}.css"
    target = Path(config["site_dir"]) / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(css, encoding="utf-8")
    body = _STYLE.sub("", output[head_end:])
    for pattern in _DROPPED_SCRIPTS:
        body = pattern.sub("", body)
    # A code cell wider than the column scrolls; keyboard users must be able to reach it
    # (WCAG 2.1.1; axe: scrollable-region-focusable).
    body = body.replace('<div class="highlight-ipynb', '<div tabindex="0" class="highlight-ipynb')
    href = posixpath.relpath(name, posixpath.dirname(page.url.rstrip("/") + "/x"))
    return output[:head_end] + f'<link rel="stylesheet" href="{href}">\n' + body
