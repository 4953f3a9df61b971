"""Every page carries a description (search results, link previews) and a single H1 title."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

DOCS = Path(__file__).parents[1] / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "assets" not in p.parts)


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}
    block = text[4 : text.index("\n---\n", 4)]
    loaded = yaml.safe_load(block)
    return loaded if isinstance(loaded, dict) else {}


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_page_has_description_and_one_title(path: Path) -> None:
    description = front_matter(path).get("description")
    assert isinstance(description, str) and 40 <= len(description) <= 300, (
        f"{path.relative_to(DOCS)}: front matter needs a description of 40-300 characters"
    )
    in_fence = False
    titles = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not in_fence and line.startswith("# "):
            titles += 1
    assert titles == 1, f"{path.relative_to(DOCS)}: {titles} top-level '# ' titles, expected 1"
