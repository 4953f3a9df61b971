"""Load YAML or JSON manifests into plain Python values plus a position for every field.

PyYAML (libyaml when available) composes each document into a node tree whose
nodes carry their line and column; :mod:`.builder` turns the tree into values
and a position map. JSON is read through the same path, after ``json`` itself
has checked the syntax (its error positions are exact) and with JSON's own
meaning for numbers.

A document that cannot be loaded is a value (:class:`LoadFailure`), not an
exception: a broken file is an expected outcome for a validator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
import yaml.reader
from yaml.nodes import Node, ScalarNode

from virtdocs.kubernetes.validation.builder import Builder, BuildError, Position, mark
from virtdocs.kubernetes.validation.fieldpath import Path

try:  # libyaml's composer is several times faster; fall back to pure Python.
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

# Resolving a plain scalar's tag runs regular expressions in Python for every scalar;
# manifests repeat the same few hundred values ("v1", "name", "80"), so remember them.
_RESOLVED: dict[tuple[str, bool, bool], str] = {}
_RESOLVED_LIMIT = 10_000


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader with a memo for implicit scalar tags (same tags, fewer regexes)."""

    def resolve(self, kind: type[Node], value: Any, implicit: Any) -> str:
        if kind is not ScalarNode or not isinstance(value, str):
            return str(super().resolve(kind, value, implicit))
        key = (value, bool(implicit[0]), bool(implicit[1]))
        tag = _RESOLVED.get(key)
        if tag is None:
            tag = str(super().resolve(kind, value, implicit))
            if len(_RESOLVED) >= _RESOLVED_LIMIT:
                _RESOLVED.clear()
            _RESOLVED[key] = tag
        return tag


@dataclass(frozen=True)
class LoadedDocument:
    """One YAML document: its value, where it starts, and where each field is.

    ``positions`` maps a path to the position of its value; ``key_positions``
    maps a mapping entry's path to the position of its key. Both are 1-based.
    """

    value: Any
    line: int
    column: int
    positions: dict[Path, Position] = field(repr=False)
    key_positions: dict[Path, Position] = field(repr=False)

    def position(self, path: Path, *, key: bool = False) -> Position:
        """The position of ``path``, or of its nearest ancestor that exists."""
        probe = path
        while True:
            if key and probe in self.key_positions:
                return self.key_positions[probe]
            if probe in self.positions:
                return self.positions[probe]
            if not probe:
                return (self.line, self.column)
            probe = probe[:-1]


@dataclass(frozen=True)
class LoadFailure:
    """A document that could not be loaded, with the 1-based position of the problem."""

    line: int
    column: int
    message: str


def _failure_from(error: yaml.MarkedYAMLError, text: str) -> LoadFailure:
    mark = error.problem_mark or error.context_mark
    if mark is None:  # pragma: no cover - PyYAML always marks these errors
        return LoadFailure(1, 1, str(error.problem or error))
    line, column = mark.line + 1, mark.column + 1
    problem = error.problem or "invalid YAML"
    if 0 <= mark.index < len(text) and text[mark.index] == "\t":
        problem = "found a tab character; YAML indentation must use spaces"
    elif error.context:
        problem = f"{error.context}: {problem}"
    return LoadFailure(line, column, f"invalid YAML: {problem}")


def _reader_failure(error: yaml.reader.ReaderError, text: str) -> LoadFailure:
    """A character YAML does not allow (a control character): no mark, only an index."""
    line, column = _line_column(text, error.position)
    return LoadFailure(line, column, f"invalid YAML: {error.reason}")


def _line_column(text: str, index: int) -> Position:
    """1-based line and column of a character index."""
    before = text[:index]
    return (before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1)


def looks_like_json(text: str, file: str) -> bool:
    """JSON when the file says so, or when the text starts like JSON and parses as JSON."""
    if file.lower().endswith(".json"):
        return True
    stripped = text.lstrip()
    return stripped[:1] in ("{", "[") and _parses_as_json(stripped)


def _parses_as_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def load_documents(text: str, file: str = "<string>") -> Iterator[LoadedDocument | LoadFailure]:
    """Yield each document of ``text``; a failure ends the stream (the parser cannot resync).

    Empty and comment-only documents are yielded with ``value`` ``None``.

    >>> [d.value for d in load_documents("a: 1\\n---\\n# only a comment\\n")]
    [{'a': 1}, None]
    >>> load_documents("a: 1\\na: 2\\n").__next__().message
    'duplicate key "a" in the document: already set in map at line 1'
    """
    json_mode = looks_like_json(text, file)
    if json_mode:
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            yield LoadFailure(error.lineno, error.colno, f"invalid JSON: {error.msg}")
            return
        except RecursionError:
            yield LoadFailure(1, 1, "invalid JSON: the document nests too deeply")
            return
        # JSON allows tabs between tokens, YAML does not; both are one column wide.
        text = text.replace("\t", " ")
    try:
        loader = _Loader(text)  # the pure-Python reader checks characters here
    except yaml.reader.ReaderError as error:
        yield _reader_failure(error, text)
        return
    try:
        while True:
            try:
                if not loader.check_node():
                    return
                node = loader.get_node()
            except yaml.MarkedYAMLError as error:
                yield _failure_from(error, text)
                return
            except yaml.reader.ReaderError as error:
                yield _reader_failure(error, text)
                return
            except RecursionError:
                yield LoadFailure(1, 1, "invalid YAML: the document nests too deeply")
                return
            yield _document(node, json_mode)
    finally:
        loader.dispose()


def _document(node: Node | None, json_mode: bool) -> LoadedDocument | LoadFailure:
    if node is None:  # an empty or comment-only document
        return LoadedDocument(None, 1, 1, {}, {})
    builder = Builder(json_mode=json_mode)
    line, column = mark(node)
    try:
        value = builder.build(node, ())
    except BuildError as error:
        return LoadFailure(error.line, error.column, error.message)
    except RecursionError:
        return LoadFailure(line, column, "invalid YAML: the document nests too deeply")
    return LoadedDocument(value, line, column, builder.positions, builder.key_positions)
