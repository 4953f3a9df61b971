"""Every external link in a page's text points to a source the page lists under "Sources".

A reader who follows a link should land on something the page cites and stands behind,
and a reviewer checking a page's facts finds every outside reference in one list.
(Whether the address still answers is not tested: the tests run without a network.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).parents[1] / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "assets" not in p.parts)
_LINK = re.compile(r"\]\((https?://[^)\s]+)\)|<(https?://[^>\s]+)>")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
_SOURCES = re.compile(r"^## Sources\b.*$", re.M)


def external_links(text: str) -> list[str]:
    return [a or b for a, b in _LINK.findall(text)]


def uncited_links(page: str) -> list[str]:
    """External links in the text (code blocks aside) that the Sources section does not list."""
    text = _FENCE.sub("", page)
    heading = _SOURCES.search(text)
    body, sources = (text[: heading.start()], text[heading.start() :]) if heading else (text, "")
    cited = set(external_links(sources))
    return [url for url in external_links(body) if url not in cited]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_external_links_are_cited_sources(path: Path) -> None:
    uncited = uncited_links(path.read_text(encoding="utf-8"))
    where = path.relative_to(DOCS)
    assert not uncited, f"{where}: links not listed under '## Sources': {uncited}"


def test_an_uncited_link_is_found() -> None:
    page = (
        "See [x](https://a.example/) and <https://b.example/>.\n\n"
        "```text\n[in code](https://c.example/)\n```\n\n"
        "## Sources\n\n- [a](https://a.example/)\n"
    )
    assert uncited_links(page) == ["https://b.example/"]
    assert uncited_links("[x](https://a.example/)\n") == ["https://a.example/"]
