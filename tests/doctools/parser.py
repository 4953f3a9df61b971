"""One parser for every fenced block in docs/: it picks the evaluator, or the reason for none.

Rules (CONTRIBUTING.md explains them to authors):

* ``python``/``py`` run in the page's namespace; a block starting with ``>>>``
  and every ``pycon`` block is a doctest;
* ``python exec="on"`` (markdown-exec) runs as the build will and must print
  well-formed markup;
* ``yaml`` is a Kubernetes manifest and must validate, unless its title says
  ``Invalid on purpose: <expected error>`` or ``Not a manifest: <what>``;
* ``console``/``bash``/``sh`` run their ``$ virtdocs …`` commands and compare
  the output;
* any block titled ``Not run: <reason>`` is shown, not run — the reader sees why;
* languages that are only ever shown (text, mermaid, json, …) are not run;
* any other language, or a fence without one, fails: nothing passes silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from sybil import Document, Example, Region
from sybil.evaluators.doctest import DocTestEvaluator
from sybil.parsers.abstract.doctest import DocTestStringParser
from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer

from tests.doctools import evaluators
from tests.doctools.fences import NOT_RUN, FenceInfo, FenceSyntaxError, parse_info

PYTHON = frozenset({"python", "py", "python3"})
DOCTEST = frozenset({"pycon"})
YAML = frozenset({"yaml", "yml"})
CONSOLE = frozenset({"console", "bash", "sh", "shell", "shell-session"})

#: Languages that are shown to the reader and never executed.
SHOWN = frozenset(
    {
        "text",
        "txt",
        "mermaid",
        "json",
        "toml",
        "ini",
        "asm",
        "make",
        "makefile",
        "dockerfile",
        "go",
        "c",
        "diff",
        "csv",
        "html",
        "markdown",
    }
)

Evaluator = Callable[[Example], Any]


class DocsParser:
    """A Sybil parser that claims every fenced code block of a Markdown page."""

    def __init__(self) -> None:
        self._lexer = RawFencedCodeBlockLexer(
            info_pattern=re.compile(r"(?P<info>[^\n]*)$\n", re.MULTILINE)
        )
        self._doctest = DocTestStringParser(DocTestEvaluator())
        self._exec_sessions: dict[str, dict[str, Any]] = {}

    def __call__(self, document: Document) -> Iterable[Region]:
        self._exec_sessions.clear()
        for region in self._lexer(document):
            source = region.lexemes["source"]
            try:
                info = parse_info(region.lexemes["info"])
            except FenceSyntaxError as error:
                yield self._failing(region, source, str(error))
                continue
            region.lexemes["fence"] = info
            yield from self._regions(document, region, source, info)

    def _regions(
        self, document: Document, region: Region, source: Any, info: FenceInfo
    ) -> Iterable[Region]:
        language = info.language
        if info.marked(NOT_RUN) is not None:
            if not info.marked(NOT_RUN):
                yield self._failing(region, source, 'say why after "Not run:"')
            return
        if language in PYTHON and "exec" in info.attributes:
            yield self._with(region, source, evaluators.exec_block(self._exec_sessions))
        elif (language in PYTHON and source.lstrip().startswith(">>>")) or language in DOCTEST:
            yield from self._doctests(document, region, source)
        elif language in PYTHON:
            yield self._with(region, source, evaluators.python_block)
        elif language in YAML:
            yield self._with(region, source, evaluators.yaml_block)
        elif language in CONSOLE:
            yield self._with(region, source, evaluators.console_block)
        elif language in SHOWN:
            return
        elif not language:
            yield self._failing(region, source, "a fence needs a language, e.g. ```text")
        else:
            yield self._failing(
                region,
                source,
                f"unknown fence language {language!r}: use a tested one "
                f"(python, pycon, yaml, console) or a shown one ({', '.join(sorted(SHOWN))})",
            )

    def _doctests(self, document: Document, region: Region, source: Any) -> Iterable[Region]:
        found = False
        for doctest_region in self._doctest(str(source), document.path):
            doctest_region.adjust(region, source)
            found = True
            yield doctest_region
        if not found:
            yield self._failing(region, source, "a pycon block with no >>> example in it")

    @staticmethod
    def _with(region: Region, source: Any, evaluator: Evaluator) -> Region:
        region.parsed = source
        region.evaluator = evaluator
        return region

    def _failing(self, region: Region, source: Any, message: str) -> Region:
        return self._with(region, source, evaluators.failure(message))
