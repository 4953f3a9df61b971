"""The manifest loader: values, positions, and every way a file can be broken."""

from __future__ import annotations

import time
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from virtdocs.kubernetes.validation.builder import (
    ALIAS_RATIO_RANGE_HIGH,
    ALIAS_RATIO_RANGE_LOW,
    allowed_alias_ratio,
)
from virtdocs.kubernetes.validation.loader import LoadedDocument, LoadFailure, load_documents


def only(text: str, file: str = "<string>") -> LoadedDocument | LoadFailure:
    [document] = list(load_documents(text, file))
    return document


def loaded(text: str, file: str = "<string>") -> LoadedDocument:
    document = only(text, file)
    assert isinstance(document, LoadedDocument), document
    return document


def failure(text: str, file: str = "<string>") -> LoadFailure:
    document = only(text, file)
    assert isinstance(document, LoadFailure), document
    return document


def test_every_field_has_a_1_based_position() -> None:
    doc = loaded("spec:\n  ports:\n  - port: 80\n    protocol: TCP\n")
    assert doc.value == {"spec": {"ports": [{"port": 80, "protocol": "TCP"}]}}
    assert doc.position(("spec", "ports", 0, "protocol")) == (4, 15)
    assert doc.position(("spec", "ports", 0, "protocol"), key=True) == (4, 5)
    assert doc.position(("spec", "ports", 0)) == (3, 5)
    # A missing field points at its nearest ancestor that exists.
    assert doc.position(("spec", "ports", 0, "name")) == (3, 5)


def test_multi_document_files_and_comment_only_documents() -> None:
    text = "# header comment\n---\na: 1\n---\n# only a comment\n---\nb: 2\n...\n"
    values = [d.value for d in load_documents(text) if isinstance(d, LoadedDocument)]
    assert values == [{"a": 1}, None, {"b": 2}]
    assert list(load_documents("# nothing but a comment\n")) == []
    assert list(load_documents("")) == []


def test_duplicate_keys_are_errors_with_both_lines() -> None:
    problem = failure("metadata:\n  name: a\n  labels: {}\n  name: b\n")
    assert (problem.line, problem.column) == (4, 3)
    assert problem.message == 'duplicate key "name" in metadata: already set in map at line 2'


def test_tabs_are_reported_with_their_line() -> None:
    problem = failure("spec:\n\tcontainers: []\n")
    assert (problem.line, problem.column) == (2, 1)
    assert "tab" in problem.message


def test_syntax_errors_are_reported_with_their_line() -> None:
    problem = failure("a: 1\nb: [1, 2\nc: 3\n")
    assert problem.line == 3
    assert problem.message.startswith("invalid YAML: ")


def test_a_broken_document_ends_the_stream_after_the_good_ones() -> None:
    documents = list(load_documents("a: 1\n---\nb: {\n"))
    assert isinstance(documents[0], LoadedDocument)
    assert isinstance(documents[1], LoadFailure)
    assert len(documents) == 2


def test_alias_ratio_matches_go_yaml_v2() -> None:
    # go-yaml v2 decode.go: 99% up to 400,000 decodes, 10% from 4,000,000, linear between.
    assert (ALIAS_RATIO_RANGE_LOW, ALIAS_RATIO_RANGE_HIGH) == (400_000, 4_000_000)
    assert allowed_alias_ratio(1) == 0.99
    assert allowed_alias_ratio(400_000) == 0.99
    assert allowed_alias_ratio(4_000_000) == 0.10
    assert allowed_alias_ratio(10**9) == 0.10
    assert abs(allowed_alias_ratio(2_200_000) - (0.99 - 0.89 * 0.5)) < 1e-12


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnopqrstuvwxyz"
    for level in range(1, levels):
        name, previous = names[level], names[level - 1]
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_rejected_quickly() -> None:
    start = time.perf_counter()
    problem = failure(billion_laughs())  # 9**9 (387 million) strings if expanded
    assert time.perf_counter() - start < 0.5
    assert problem.message.startswith("document contains excessive aliasing")


def test_modest_aliases_and_merge_keys_are_fine() -> None:
    doc = loaded("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\ncopy: *b\n")
    assert doc.value == {
        "base": {"x": 1, "y": 2},
        "use": {"x": 1, "y": 3},
        "copy": {"x": 1, "y": 2},
    }
    assert doc.position(("copy",)) == (5, 1)  # an alias points at where it is used


def test_a_recursive_alias_is_an_error_not_a_hang() -> None:
    assert failure("a: &a [1, *a]\n").message == "recursive alias: a node contains itself"


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    assert failure("[" * 20_000 + "]" * 20_000).message.startswith("invalid YAML")
    assert "nests too deeply" in failure("[" * 20_000 + "]" * 20_000, "x.json").message


def test_scalars_resolve_as_kubernetes_yaml_decoder_does() -> None:
    doc = loaded("on: yes\nwhen: 2024-01-02\nn: 010\nf: 1.5\nnull: ~\nq: '80'\n")
    # YAML 1.1 booleans and octal (go-yaml v2), timestamps kept as strings, keys as strings.
    assert doc.value == {
        "true": True,
        "when": "2024-01-02",
        "n": 8,
        "f": 1.5,
        "null": None,
        "q": "80",
    }


def test_unknown_tags_are_errors() -> None:
    problem = failure("a: !secret value\n")
    assert problem.message == "unsupported YAML tag '!secret'"
    assert (problem.line, problem.column) == (1, 4)


def test_json_keeps_json_meaning_and_allows_tabs() -> None:
    doc = loaded('{\n\t"spec": {"replicas": 1e1, "paused": false}\n}\n', "d.json")
    assert doc.value == {"spec": {"replicas": 10.0, "paused": False}}
    assert doc.position(("spec", "replicas")) == (2, 23)  # the tab is one column


def test_json_syntax_errors_have_line_and_column() -> None:
    # A missing comma: every Python reports it at the same place (3.13 moved some others,
    # such as a trailing comma, to the comma itself).
    problem = failure('{\n  "a": 1\n  "b": 2\n}\n', "d.json")
    assert (problem.line, problem.column) == (3, 3)
    assert problem.message == "invalid JSON: Expecting ',' delimiter"


def test_json_without_the_extension_is_recognised() -> None:
    assert loaded('{"n": 1e2}').value == {"n": 100.0}
    assert loaded("{n: 1e2}").value == {"n": "1e2"}  # flow YAML, not JSON: YAML 1.1 rules


json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(min_size=1, max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(value=json_values, flow=st.booleans())
def test_loading_dumped_yaml_gives_back_the_value(value: Any, flow: bool) -> None:
    text = yaml.safe_dump({"root": value}, default_flow_style=flow, sort_keys=False)
    doc = loaded(text)
    assert doc.value == {"root": value}
    assert all(line >= 1 and column >= 1 for line, column in doc.positions.values())


@settings(max_examples=40, deadline=None)
@given(text=st.text(max_size=60))
def test_arbitrary_text_never_raises(text: str) -> None:
    for document in load_documents(text):
        assert isinstance(document, LoadedDocument | LoadFailure)
