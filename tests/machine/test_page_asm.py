"""Assembly shown on this stage's pages is real: an included file (and section) exists and
assembles, and an inline listing assembles."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from virtdocs.machine import assemble, assemble_file

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    *sorted((ROOT / "docs" / "physical").glob("*.md")),
    ROOT / "docs" / "vm" / "virtualization-hole.md",
    ROOT / "docs" / "reference" / "machine.md",
]
FENCE = re.compile(r"^```asm[^\n]*\n(.*?)^```", re.S | re.M)
SNIPPET = re.compile(r'^--8<-- "([^":]+)(?::([\w-]+))?"$')


def _blocks() -> list[tuple[str, str]]:
    return [
        (f"{page.relative_to(ROOT)}#{index}", body)
        for page in PAGES
        for index, body in enumerate(FENCE.findall(page.read_text(encoding="utf-8")))
    ]


@pytest.mark.parametrize(("where", "body"), _blocks(), ids=[where for where, _ in _blocks()])
def test_asm_on_pages_is_real(where: str, body: str) -> None:
    match = SNIPPET.match(body.strip())
    if match is None:
        assemble(body, where)
        return
    path = ROOT / match.group(1)
    text = path.read_text(encoding="utf-8")
    if "main:" in text or "kernel.s" not in path.name:
        assemble_file(path)  # a guest must assemble as it stands
    else:  # the kernel expects the user program that includes it to define main
        assemble(text + "\n.text\nmain: NOP\n", str(path))
    if match.group(2):
        assert f"--8<-- [start:{match.group(2)}]" in text
        assert f"--8<-- [end:{match.group(2)}]" in text
