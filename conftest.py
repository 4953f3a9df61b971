"""Wires Sybil over the site and the package: every page's code blocks and every
docstring example in src/virtdocs (and in the doc-testing tools) run as tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sybil import Sybil
from sybil.parsers.rest import DocTestParser
from sybil.sybil import SybilCollection

from tests.doctools.parser import DocsParser

ROOT = Path(__file__).parent


def _at_root(namespace: dict[str, Any]) -> None:
    # Pages refer to examples/… relative to the repository, as a reader's shell would.
    os.chdir(ROOT)


pages = Sybil(parsers=[DocsParser()], patterns=["*.md"], path="docs", setup=_at_root)
docstrings = Sybil(
    parsers=[DocTestParser()], patterns=["*.py"], path="src", setup=_at_root, name="docstrings"
)
tools = Sybil(parsers=[DocTestParser()], patterns=["*.py"], path="tests/doctools", name="tools")

pytest_collect_file = SybilCollection([pages, docstrings, tools]).pytest()
