"""Schema validation: strictness, versions, wording, caching, agreement with kubernetes-validate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from virtdocs.errors import UserError
from virtdocs.kubernetes.validation import ValidationOptions, bundled_versions, validate_text
from virtdocs.kubernetes.validation.schema_errors import schema_issues
from virtdocs.kubernetes.validation.schemas import schema_file_name, schema_set

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "manifests"
DEPLOYMENT = (EXAMPLES / "deployment-my-nginx.yaml").read_text()
POLICY = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: replicas-limit
spec:
  validations:
  - expression: "object.spec.replicas <= 5"
"""


def messages(text: str, options: ValidationOptions | None = None) -> list[tuple[str, str]]:
    [result] = validate_text(text, options=options)
    return [(error.path, error.message) for error in result.errors]


def test_unknown_fields_are_rejected_by_default_and_allowed_with_no_strict() -> None:
    typo = DEPLOYMENT.replace("image: nginx", "image: nginx\n        imagePullPolicyy: Always")
    assert messages(typo) == [
        (
            "spec.template.spec.containers[0].imagePullPolicyy",
            'unknown field "spec.template.spec.containers[0].imagePullPolicyy"',
        )
    ]
    assert messages(typo, ValidationOptions(strict=False)) == []


def test_an_unknown_field_points_at_its_key() -> None:
    [result] = validate_text(DEPLOYMENT.replace("  replicas: 2", "  replica: 2"))
    assert [(e.line, e.column) for e in result.errors] == [(10, 3)]


def test_type_errors_use_the_api_servers_openapi_wording() -> None:
    assert messages(DEPLOYMENT.replace("replicas: 2", "replicas: two")) == [
        (
            "spec.replicas",
            'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
        )
    ]


def test_int_or_string_fields_name_both_types() -> None:
    service = (EXAMPLES / "service-my-nginx.yaml").read_text()
    bad = service.replace("protocol: TCP", "protocol: TCP\n    targetPort: [80]")
    assert messages(bad) == [
        (
            "spec.ports[0].targetPort",
            'Invalid value: "array": spec.ports[0].targetPort in body must be of type string or '
            'integer: "array"',
        )
    ]


def test_int32_overflow_is_an_error() -> None:
    found = messages(DEPLOYMENT.replace("replicas: 2", "replicas: 4294967296"))
    assert found == [("spec.replicas", "Invalid value: 4294967296: must fit in a int32 integer")]


def test_every_schema_error_is_reported() -> None:
    text = DEPLOYMENT.replace("replicas: 2", "replicas: two\n  paused: maybe\n  extra: 1")
    assert {path for path, _ in messages(text)} == {"spec.replicas", "spec.paused", "spec.extra"}


def test_the_default_version_is_the_newest_bundled() -> None:
    versions = bundled_versions()
    assert versions == tuple(sorted(versions, key=lambda v: tuple(map(int, v.split(".")))))
    assert ValidationOptions().version == versions[-1]
    assert "1.25" in versions


def test_kinds_follow_the_selected_version() -> None:
    # ValidatingAdmissionPolicy reached admissionregistration.k8s.io/v1 in Kubernetes 1.30.
    assert messages(POLICY) == []
    [result] = validate_text(POLICY, options=ValidationOptions(kubernetes_version="1.29"))
    assert result.status == "error"
    assert "no matches for kind" in result.errors[0].message


@pytest.mark.parametrize("version", ["1.99", "2", "latest", "1.24"])
def test_unknown_versions_are_user_errors(version: str) -> None:
    with pytest.raises(UserError, match="unknown Kubernetes version"):
        ValidationOptions(kubernetes_version=version)


def test_versions_are_normalised() -> None:
    assert ValidationOptions(kubernetes_version="v1.30.4").kubernetes_version == "1.30"


def test_validators_are_built_once_and_cached() -> None:
    first = schema_set("1.37", True).validator("apps/v1", "Deployment")
    assert first is not None
    assert schema_set("1.37", True).validator("apps/v1", "Deployment") is first


def test_only_real_resource_kinds_have_validators() -> None:
    schemas = schema_set("1.37", True)
    assert schemas.validator("v1", "Affinity") is None  # a schema file, but not a resource
    assert schemas.validator("apps/v1", "Pod") is None
    assert schemas.validator("v1", "../pod") is None
    assert schema_file_name("rbac.authorization.k8s.io/v1", "Role") == "role-rbac-v1.json"


def mutations() -> list[dict[str, Any]]:
    """The seed manifests and small breakages of them, for comparing verdicts."""
    seeds = [yaml.safe_load(path.read_text()) for path in sorted(EXAMPLES.glob("*.yaml"))]
    out: list[dict[str, Any]] = list(seeds)
    deployment, pod, service = seeds  # sorted by file name
    edits: list[tuple[dict[str, Any], list[str | int], str, Any]] = [
        (pod, ["spec", "containers", 0], "name", None),
        (pod, ["spec", "containers", 0], "command", "sleep"),
        (pod, ["spec"], "hostNetwork", "yes"),
        (pod, ["spec"], "nodeSelector", {"disk": 1}),
        (pod, ["metadata"], "labels", {"app": 1}),
        (deployment, ["spec"], "replicas", "2"),
        (deployment, ["spec"], "selector", None),
        (deployment, ["spec", "template", "spec", "containers", 0], "ports", [{"port": 80}]),
        (
            deployment,
            ["spec", "template", "spec", "containers", 0],
            "resources",
            {"limits": {"cpu": []}},
        ),
        (service, ["spec", "ports", 0], "targetPort", 8080),
        (service, ["spec", "ports", 0], "targetPort", "http"),
        (service, ["spec", "ports", 0], "targetPort", 1.5),
        (service, ["spec", "ports", 0], "port", None),
        (service, ["spec"], "clusterIPs", "10.0.0.1"),
    ]
    for seed, path, key, value in edits:
        copy: dict[str, Any] = yaml.safe_load(yaml.safe_dump(seed))
        target: Any = copy
        for step in path:
            target = target[step]
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
        out.append(copy)
    return out


@pytest.mark.parametrize("strict", [True, False])
def test_schema_verdicts_agree_with_kubernetes_validate(strict: bool) -> None:
    version = bundled_versions()[-1]
    for document in mutations():
        validator = schema_set(version, strict).validator(document["apiVersion"], document["kind"])
        assert validator is not None
        ours = not schema_issues(validator, document)
        try:
            kubernetes_validate.validate(document, version, strict=strict)
            theirs = True
        except kubernetes_validate.ValidationError:
            theirs = False
        assert ours == theirs, document
