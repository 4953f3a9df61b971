"""Diagrams drawn at build time: a good one becomes SVG, a broken one stops the build by name."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).parents[1]
HOOK = ROOT / "overrides" / "hooks" / "mermaid_prerender.py"
spec = importlib.util.spec_from_file_location("mermaid_prerender", HOOK)
assert spec is not None and spec.loader is not None
prerender = importlib.util.module_from_spec(spec)
spec.loader.exec_module(prerender)

MERMAID_JS = ROOT / "docs" / prerender.MERMAID

pytestmark = pytest.mark.skipif(
    not prerender.CHROMIUM.exists(), reason=f"NOT RUN: no Chromium at {prerender.CHROMIUM}"
)


def test_a_diagram_becomes_inline_svg() -> None:
    svg = prerender._render_all(
        {"d1": "flowchart LR\n  a --> b"}, {"d1": "x.html: diagram 1"}, MERMAID_JS, ".x{}"
    )["d1"]
    assert svg.startswith("<svg") and 'id="d1"' in svg


def test_a_broken_diagram_fails_the_build_naming_its_page() -> None:
    with pytest.raises(PluginError, match=r"^vm/index.html: mermaid diagram 2: .*Parse error"):
        prerender._render_all(
            {"d2": "flowchart LR\n  a -->"},
            {"d2": "vm/index.html: mermaid diagram 2"},
            MERMAID_JS,
            ".x{}",
        )
