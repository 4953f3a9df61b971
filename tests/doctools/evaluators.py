"""Evaluators: each runs one kind of fenced block and says what went wrong.

An evaluator takes a :class:`sybil.Example` and returns ``None`` when the block
does what the page claims, or a message (Sybil reports it against the page and
line). Exceptions raised by the code under test propagate as failures too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import shlex
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

import yaml
from sybil import Example
from sybil.evaluators.python import PythonEvaluator

from tests.doctools.fences import INVALID_ON_PURPOSE, NOT_A_MANIFEST, FenceInfo

_python = PythonEvaluator()


def _line(example: Example, offset: int = 0) -> str:
    return f"{example.path}:{example.line + offset}"


def python_block(example: Example) -> str | None:
    """Run a plain Python block in the page's namespace; it must not print unchecked output."""
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured):
        _python(example)
    if captured.getvalue():
        first = captured.getvalue().splitlines()[0]
        return (
            f"{_line(example)}: this block printed output that nothing checks "
            f"({first!r}...); write it as a >>> example or assert on the value"
        )
    return None


class _HTMLChecker(HTMLParser):
    """Collects unbalanced tags in an HTML fragment."""

    VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()


def _check_markup(output: str) -> str | None:
    text = output.strip()
    if not text:
        return "printed nothing, so the page would show nothing"
    if text.startswith("<svg"):
        try:
            ET.fromstring(text)
        except ET.ParseError as error:
            return f"printed SVG that is not well-formed XML: {error}"
        return None
    checker = _HTMLChecker()
    checker.feed(text)
    checker.close()
    if checker.problems or checker.stack:
        return f"printed unbalanced HTML: {(checker.problems or checker.stack)[0]}"
    return None


def exec_block(sessions: dict[str, dict[str, Any]]) -> Callable[[Example], str | None]:
    """Run a markdown-exec block (``exec="on"``) as the site build will.

    markdown-exec runs each block in a fresh namespace (or a named ``session``),
    not in the page's, so this does the same: a block that only works after an
    earlier plain block would break the build and must fail here too.
    """

    def evaluate(example: Example) -> str | None:
        info: FenceInfo = example.region.lexemes["fence"]
        session = info.attributes.get("session")
        namespace = sessions.setdefault(session, {}) if session else {}
        source = "\n" * (example.line + example.parsed.line_offset) + example.parsed
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured):
            exec(compile(source, example.path, "exec"), namespace)
        if info.attributes.get("html", "").lower() in {"1", "true", "on", "yes"}:
            problem = _check_markup(captured.getvalue())
        else:
            problem = None if captured.getvalue().strip() else "printed nothing"
        return f"{_line(example)}: this exec block {problem}" if problem else None

    return evaluate


def yaml_block(example: Example) -> str | None:
    """Validate a YAML block as Kubernetes manifests, or as plain YAML when marked so."""
    info: FenceInfo = example.region.lexemes["fence"]
    text = str(example.parsed)
    first_line = example.line + 1  # the fence line itself comes first
    if info.marked(NOT_A_MANIFEST) is not None:
        try:
            list(yaml.safe_load_all(text))
        except yaml.YAMLError as error:
            return f"{_line(example)}: YAML that does not parse: {error}"
        return None

    from virtdocs.kubernetes.validation import format_error, validate_text

    results = validate_text(text, file=example.path)
    if not results:
        return f"{_line(example)}: a yaml block with no Kubernetes resource in it"
    # The validator counts lines from the block's first line; the page counts from its own.
    problems = [
        format_error(result, dataclasses.replace(error, line=first_line + error.line - 1))
        for result in results
        for error in result.errors
    ]
    expected = info.marked(INVALID_ON_PURPOSE)
    if expected is None:
        return "\n".join(problems) if problems else None
    if not expected:
        return f"{_line(example)}: say which error the invalid sample expects after the colon"
    if not any(expected in problem for problem in problems):
        found = "\n  ".join(problems) or "no error at all"
        return (
            f"{_line(example)}: expected an error containing {expected!r}, "
            f"the validator reported:\n  {found}"
        )
    return None


def _commands(source: str) -> list[tuple[int, str, list[str]]]:
    """Split a console transcript into (line offset, command, expected output lines)."""
    transcript: list[tuple[int, str, list[str]]] = []
    lines = source.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("$ "):
            start = index
            command = line[2:]
            while command.endswith("\\") and index + 1 < len(lines):
                index += 1
                command = command[:-1] + " " + lines[index].strip()
            transcript.append((start, command.strip(), []))
        elif transcript:
            transcript[-1][2].append(line)
        elif line.strip():
            raise ValueError(
                f"line {index + 1} comes before any '$ ' prompt; write commands as "
                "'$ virtdocs …' followed by their output"
            )
        index += 1
    return transcript


def _normalise(lines: list[str]) -> list[str]:
    stripped = [line.rstrip() for line in lines]
    while stripped and not stripped[-1]:
        stripped.pop()
    return stripped


@contextlib.contextmanager
def _terminal_width(columns: int) -> Iterator[None]:
    """Pin the width argparse wraps help to, whatever terminal the tests run in."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(columns)
    try:
        yield
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def console_block(example: Example) -> str | None:
    """Run each ``$ virtdocs …`` command in-process and compare its output to the page."""
    from virtdocs.cli import main

    try:
        transcript = _commands(str(example.parsed))
    except ValueError as error:
        return f"{_line(example)}: {error}"
    if not transcript:
        return f"{_line(example)}: a console block with no '$ ' command in it"
    for offset, command, expected in transcript:
        where = _line(example, offset + 1)
        try:
            argv = shlex.split(command)
        except ValueError as error:
            return f"{where}: cannot parse {command!r}: {error}"
        if not argv or argv[0] != "virtdocs" or any(t in {"|", ">", "<", "&&", ";"} for t in argv):
            return (
                f"{where}: only plain 'virtdocs …' commands run here, not {command!r}; "
                'mark the block title="Not run: <reason>" if it must stay'
            )
        output = io.StringIO()
        with (
            contextlib.redirect_stdout(output),
            contextlib.redirect_stderr(output),
            _terminal_width(80),
        ):
            main(argv[1:], out=output)
        actual = _normalise(output.getvalue().splitlines())
        if actual != _normalise(expected):
            return (
                f"{where}: output of {command!r} differs from the page\n"
                f"--- page\n" + "\n".join(_normalise(expected)) + "\n"
                "--- actual\n" + "\n".join(actual)
            )
    return None


def failure(message: str) -> Callable[[Example], str]:
    """An evaluator that always fails with ``message``: for blocks nobody may leave untested."""

    def evaluate(example: Example) -> str:
        return f"{_line(example)}: {message}"

    return evaluate
