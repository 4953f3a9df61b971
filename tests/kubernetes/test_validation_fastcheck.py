"""The compiled yes/no schema check must give jsonschema's verdict on every document."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from virtdocs.kubernetes.validation.fastcheck import Compiler
from virtdocs.kubernetes.validation.schemas import KindSchema, schema_set

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "manifests"
SEEDS = [yaml.safe_load(path.read_text()) for path in sorted(EXAMPLES.glob("*.yaml"))]


def kind_schema(document: dict[str, Any], strict: bool = True) -> KindSchema:
    found = schema_set("1.37", strict).validator(document["apiVersion"], document["kind"])
    assert found is not None
    return found


def agree(document: dict[str, Any], strict: bool = True) -> None:
    schema = kind_schema(document, strict)
    assert schema.accepts(document) == schema.validator.is_valid(document), document


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a document, the root excluded."""
    found: list[tuple[Any, ...]] = []
    children = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else []
    )
    for key, child in children:
        found.append((*prefix, key))
        found.extend(paths(child, (*prefix, key)))
    return found


values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "TCP", "udp", "IfNotPresent", "80", "web", "1Gi"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["name", "port", "image", "extra", "protocol"]), inner, max_size=3
        )
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(seed=st.sampled_from(SEEDS), data=st.data(), strict=st.booleans())
def test_a_changed_value_gets_the_same_verdict(
    seed: dict[str, Any], data: st.DataObject, strict: bool
) -> None:
    document = copy.deepcopy(seed)
    path = data.draw(st.sampled_from(paths(document)))
    parent: Any = document
    for key in path[:-1]:
        parent = parent[key]
    if data.draw(st.booleans()):
        parent[path[-1]] = data.draw(values)
    elif isinstance(parent, dict):
        parent[data.draw(st.sampled_from(["extra", "name", "ports", "protocol"]))] = data.draw(
            values
        )
    else:
        del parent[path[-1]]
    if path[0] in ("apiVersion", "kind"):
        document[path[0]] = seed[path[0]]  # keep the kind, so there is a schema to compare
    agree(document, strict)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda d: str(d["kind"]))
def test_the_seeds_are_accepted(seed: dict[str, Any]) -> None:
    assert kind_schema(seed).accepts(seed)


def test_recursive_schemas_compile_and_check() -> None:
    node: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}
    node["properties"]["child"] = node
    check = Compiler().compile(node)
    assert check({"child": {"child": {}}})
    assert not check({"child": {"other": 1}})


def test_keyword_semantics_follow_jsonschema() -> None:
    compiler = Compiler()
    integer = compiler.compile({"type": "integer", "format": "int32"})
    assert integer(3) and integer(3.0) and not integer(True) and not integer(2**31)
    enum = compiler.compile({"enum": [1, "a"]})
    assert enum(1) and enum("a") and not enum(True)
    one_of = compiler.compile(
        {"oneOf": [{"type": ["string", "null"]}, {"type": ["integer", "null"]}]}
    )
    assert one_of(1) and one_of("x") and not one_of(None) and not one_of([])
    with pytest.raises(ValueError, match="unsupported schema keywords"):
        compiler.compile({"pattern": "^a"})
