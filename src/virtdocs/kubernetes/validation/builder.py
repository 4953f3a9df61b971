"""Build plain values and a position map from a composed YAML node tree.

The loader (:mod:`.loader`) lets PyYAML compose the document; this module walks
the node tree once, building the Python values itself instead of using
PyYAML's constructor, because it needs three things that constructor does not
give: a ``{path: (line, column)}`` map, duplicate keys rejected (PyYAML keeps
the last one silently), and alias expansion that is counted and bounded
(PyYAML shares the aliased object, but everything downstream — validation,
JSON output — walks the expanded tree, so a "billion laughs" document of a few
hundred bytes would still blow up).

Scalars resolve the way Kubernetes' own YAML decoder (go-yaml v2 via
sigs.k8s.io/yaml) resolves them: YAML 1.1 booleans and numbers, but timestamps
stay strings and map keys become strings.
"""

from __future__ import annotations

import json
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from virtdocs.kubernetes.validation.fieldpath import Path, format_path

Position = tuple[int, int]

# Alias limits copied from go-yaml v2 decode.go (used by kubectl and the API server):
# once more than 100 values came from aliases and more than 1,000 were decoded in all,
# the share that came from alias expansion may not exceed the allowed ratio, which is
# 99% up to 400,000 decoded values, falls linearly to 10% at 4,000,000, and stays at
# 10% above that. A billion-laughs bomb (nearly 100% aliases) is therefore rejected
# after about two thousand values, in milliseconds, long before memory matters.
# https://github.com/go-yaml/yaml/blob/v2.4.0/decode.go
ALIAS_MIN_ALIASED = 100
ALIAS_MIN_DECODED = 1_000
ALIAS_RATIO_RANGE_LOW = 400_000
ALIAS_RATIO_RANGE_HIGH = 4_000_000


def allowed_alias_ratio(decoded: int) -> float:
    """The share of decoded values that may come from aliases, after go-yaml v2.

    >>> allowed_alias_ratio(1_000), allowed_alias_ratio(4_000_000)
    (0.99, 0.1)
    >>> round(allowed_alias_ratio(2_200_000), 3)
    0.545
    """
    if decoded <= ALIAS_RATIO_RANGE_LOW:
        return 0.99
    if decoded >= ALIAS_RATIO_RANGE_HIGH:
        return 0.10
    span = ALIAS_RATIO_RANGE_HIGH - ALIAS_RATIO_RANGE_LOW
    return 0.99 - 0.89 * ((decoded - ALIAS_RATIO_RANGE_LOW) / span)


class BuildError(Exception):
    """A node tree that cannot become a manifest: where and why (1-based)."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.message = message


def mark(node: Node) -> Position:
    """The 1-based line and column where a node starts."""
    return (node.start_mark.line + 1, node.start_mark.column + 1)


_SCALARS = SafeConstructor()
_STRING_TAGS = frozenset(
    {
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:timestamp",  # go-yaml keeps timestamps as strings
        "tag:yaml.org,2002:binary",
        "tag:yaml.org,2002:value",  # a plain "=" scalar
    }
)
_MAP_TAGS = frozenset({"tag:yaml.org,2002:map"})
_SEQ_TAGS = frozenset({"tag:yaml.org,2002:seq"})
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _key_text(value: Any) -> str:
    """Map keys become strings, as sigs.k8s.io/yaml turns YAML into JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


class Builder:
    """Turns one composed node tree into plain values and position maps."""

    def __init__(self, *, json_mode: bool) -> None:
        self.json_mode = json_mode
        self.positions: dict[Path, Position] = {}
        self.key_positions: dict[Path, Position] = {}
        self.decoded = 0
        self.aliased = 0
        self.seen: set[int] = set()  # ids of nodes already built once: a revisit is an alias
        self.active: set[int] = set()  # ids of nodes being built: a revisit is a cycle

    def build(self, node: Node, path: Path, alias_depth: int = 0) -> Any:
        node_id = id(node)
        if node_id in self.active:
            line, column = mark(node)
            raise BuildError(line, column, "recursive alias: a node contains itself")
        self.positions[path] = mark(node)
        if node_id in self.seen:
            alias_depth += 1
            # The composer hands back the anchored node; point at the alias's key instead.
            self.positions[path] = self.key_positions.get(path, self.positions[path])
        self.seen.add(node_id)
        self._count(node, alias_depth)
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        self.active.add(node_id)
        try:
            if isinstance(node, SequenceNode):
                self._check_tag(node, _SEQ_TAGS)
                return [
                    self.build(child, (*path, index), alias_depth)
                    for index, child in enumerate(node.value)
                ]
            if isinstance(node, MappingNode):
                self._check_tag(node, _MAP_TAGS)
                return self._mapping(node, path, alias_depth)
        finally:
            self.active.discard(node_id)
        raise AssertionError(f"unexpected YAML node {node!r}")  # pragma: no cover

    def _count(self, node: Node, alias_depth: int) -> None:
        self.decoded += 1
        if alias_depth:
            self.aliased += 1
        if (
            self.aliased > ALIAS_MIN_ALIASED
            and self.decoded > ALIAS_MIN_DECODED
            and self.aliased / self.decoded > allowed_alias_ratio(self.decoded)
        ):
            line, column = mark(node)
            raise BuildError(
                line,
                column,
                f"document contains excessive aliasing ({self.aliased} of "
                f"{self.decoded} values came from aliases)",
            )

    def _check_tag(self, node: Node, allowed: frozenset[str]) -> None:
        if node.tag not in allowed:
            line, column = mark(node)
            raise BuildError(line, column, f"unsupported YAML tag {node.tag!r}")

    def _scalar(self, node: ScalarNode) -> Any:
        tag = node.tag
        if self.json_mode and not node.style:  # plain: None (PyYAML) or "" (libyaml)
            # JSON literals keep JSON's meaning (1e5 is a number; YAML 1.1 says string).
            return json.loads(node.value)
        if tag in _STRING_TAGS:
            return str(node.value)
        constructor = _SCALARS.yaml_constructors.get(tag)
        if constructor is None:
            line, column = mark(node)
            raise BuildError(line, column, f"unsupported YAML tag {tag!r}")
        return constructor(_SCALARS, node)

    def _mapping(self, node: MappingNode, path: Path, alias_depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Position] = {}
        merged: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.append(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                line, column = mark(key_node)
                raise BuildError(line, column, "a mapping key must be a scalar")
            key = _key_text(self._scalar(key_node))
            where = mark(key_node)
            if key in first_seen:
                raise BuildError(
                    *where,
                    f'duplicate key "{key}" in {format_path(path) or "the document"}: '
                    f"already set in map at line {first_seen[key][0]}",
                )
            first_seen[key] = where
            self.key_positions[(*path, key)] = where
            result[key] = self.build(value_node, (*path, key), alias_depth)
        for source in merged:
            self._merge(result, source, path, alias_depth)
        return result

    def _merge(self, result: dict[str, Any], source: Node, path: Path, alias_depth: int) -> None:
        """YAML merge keys (``<<: *defaults``): explicit keys win over merged ones."""
        sources = source.value if isinstance(source, SequenceNode) else [source]
        for item in sources:
            if not isinstance(item, MappingNode):
                line, column = mark(item)
                raise BuildError(line, column, "a merge key (<<) needs a mapping")
            value = self.build(item, path, alias_depth)
            for key, entry in value.items():
                result.setdefault(key, entry)
