"""Whatever the input, validate_text returns results; it never raises."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from virtdocs.kubernetes.validation import ValidationOptions, validate_text

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "manifests"
SEEDS = [yaml.safe_load(path.read_text()) for path in sorted(EXAMPLES.glob("*.yaml"))]
KINDS = [
    ("v1", "Pod"),
    ("v1", "Service"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "PersistentVolumeClaim"),
    ("v1", "PodTemplate"),
    ("v1", "List"),
]

anything: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=10)
    | st.sampled_from(["spec", "containers", "ports", "80", "TCP", "25%", "1Gi", "template"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "spec",
                    "metadata",
                    "name",
                    "labels",
                    "containers",
                    "ports",
                    "template",
                    "selector",
                    "matchLabels",
                    "strategy",
                    "rollingUpdate",
                    "resources",
                    "limits",
                    "items",
                    "data",
                    "accessModes",
                    "livenessProbe",
                    "httpGet",
                    "port",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=15,
)


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(KINDS), body=st.dictionaries(st.text(max_size=8), anything, max_size=4))
def test_any_object_of_any_kind_gets_a_verdict(kind: tuple[str, str], body: dict[str, Any]) -> None:
    document = {**body, "apiVersion": kind[0], "kind": kind[1]}
    text = yaml.safe_dump(document)
    for result in validate_text(text, options=ValidationOptions(ignore_missing_schemas=True)):
        assert result.status in ("valid", "invalid", "error")
        assert all(error.line >= 1 and error.column >= 1 for error in result.errors)


@settings(max_examples=100, deadline=None)
@given(seed=st.sampled_from(SEEDS), data=st.data())
def test_any_value_anywhere_in_a_seed_gets_a_verdict(
    seed: dict[str, Any], data: st.DataObject
) -> None:
    document = copy.deepcopy(seed)
    target: Any = document
    for _ in range(data.draw(st.integers(min_value=0, max_value=4))):
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        if not isinstance(target[key], dict | list):
            break
        target = target[key]
    if isinstance(target, dict):
        target[data.draw(st.sampled_from([*target, "extra"]))] = data.draw(anything)
    elif target:
        target[0] = data.draw(anything)
    [result] = validate_text(yaml.safe_dump(document))
    same_kind = (document["apiVersion"], document["kind"]) == (seed["apiVersion"], seed["kind"])
    assert result.status in (("valid", "invalid") if same_kind else ("valid", "invalid", "error"))


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#\t\n ,0")), max_size=40))
def test_any_text_gets_a_verdict(text: str) -> None:
    for result in validate_text(text):
        assert result.status in ("valid", "invalid", "error")
