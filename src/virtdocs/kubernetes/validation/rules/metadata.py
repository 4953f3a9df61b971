"""ObjectMeta: name, namespace, labels and annotations, for every kind.

After ``ValidateObjectMetaAccessor`` in apimachinery's ``api/validation/objectmeta.go``
and ``ValidateLabels`` in ``apis/meta/v1/validation/validation.go``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from virtdocs.kubernetes.validation import field
from virtdocs.kubernetes.validation.fieldpath import Path
from virtdocs.kubernetes.validation.rules import access
from virtdocs.kubernetes.validation.rules.names import (
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_key,
    is_label_value,
)

#: objectmeta.go: TotalAnnotationSizeLimitB = 256 * (1 << 10)
TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024

NameCheck = Callable[[str], list[str]]


def _path_segment_name(name: str) -> list[str]:
    """apimachinery path.IsValidPathSegmentName, used for RBAC object names."""
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in name]


# Which name format each kind's ValidateXName uses; any other kind: DNS-1123 subdomain.
NAME_CHECKS: dict[tuple[str, str], NameCheck] = {
    ("", "Service"): is_dns1035_label,  # ValidateServiceName
    ("", "Namespace"): is_dns1123_label,  # ValidateNamespaceName
    ("rbac.authorization.k8s.io", "Role"): _path_segment_name,
    ("rbac.authorization.k8s.io", "ClusterRole"): _path_segment_name,
    ("rbac.authorization.k8s.io", "RoleBinding"): _path_segment_name,
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): _path_segment_name,
}


def label_issues(labels: dict[str, str], path: Path) -> list[field.Issue]:
    """ValidateLabels: each key a qualified name, each value a label value; errors on ``path``."""
    found: list[field.Issue] = []
    for key, value in labels.items():
        found.extend(
            field.invalid(path, key, m, at=(*path, key), at_key=True) for m in is_label_key(key)
        )
        found.extend(field.invalid(path, value, m, at=(*path, key)) for m in is_label_value(value))
    return found


def annotation_issues(annotations: dict[str, str], path: Path) -> list[field.Issue]:
    """ValidateAnnotations: keys are qualified names (any case); 256 KiB in total."""
    found: list[field.Issue] = []
    for key in annotations:
        found.extend(
            field.invalid(path, key, m, at=(*path, key), at_key=True)
            for m in is_label_key(key.lower())
        )
    size = sum(len(key.encode()) + len(value.encode()) for key, value in annotations.items())
    if size > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES:
        found.append(field.too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES))
    return found


class ObjectMetaRule:
    """``metadata`` of any object: a valid name for its kind, namespace, labels, annotations."""

    name = "object-meta"

    def check(self, document: dict[str, Any]) -> list[field.Issue]:
        meta = access.mapping(document, "metadata") or {}
        group = str(document.get("apiVersion", "")).rpartition("/")[0]
        name_check = NAME_CHECKS.get((group, str(document.get("kind"))), is_dns1123_subdomain)
        found: list[field.Issue] = []
        name = access.text(meta, "name")
        wrong_type = meta.get("name") is not None and name is None  # the schema reports it
        if not name and not wrong_type and not access.text(meta, "generateName"):
            found.append(field.required(("metadata", "name"), "name or generateName is required"))
        elif name:
            found.extend(field.invalid(("metadata", "name"), name, m) for m in name_check(name))
        namespace = access.text(meta, "namespace")
        if namespace:
            found.extend(
                field.invalid(("metadata", "namespace"), namespace, m)
                for m in is_dns1123_label(namespace)
            )
        found.extend(label_issues(access.string_map(meta, "labels"), ("metadata", "labels")))
        found.extend(
            annotation_issues(access.string_map(meta, "annotations"), ("metadata", "annotations"))
        )
        return found
