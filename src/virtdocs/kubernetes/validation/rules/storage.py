"""PersistentVolumeClaim: access modes and a storage request that parses.

After ``ValidatePersistentVolumeClaimSpec`` in ``pkg/apis/core/validation/validation.go``
(kubernetes/kubernetes).
"""

from __future__ import annotations

from typing import Any

from virtdocs.kubernetes.validation import field
from virtdocs.kubernetes.validation.fieldpath import Key, Path
from virtdocs.kubernetes.validation.rules import access
from virtdocs.kubernetes.validation.rules.quantity import (
    QuantityError,
    parse_quantity,
    quantity_text,
)

ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")  # sorted


def claim_spec_issues(spec: dict[str, Any], path: Path) -> list[field.Issue]:
    """A PersistentVolumeClaimSpec at ``path``."""
    found: list[field.Issue] = []
    modes = access.items(spec, "accessModes")
    if not modes:
        found.append(field.required((*path, "accessModes"), "at least 1 access mode is required"))
    for mode in modes:
        if isinstance(mode, str) and mode not in ACCESS_MODES:
            found.append(field.not_supported((*path, "accessModes"), mode, ACCESS_MODES))
    if "ReadWriteOncePod" in modes and len(modes) > 1:
        found.append(
            field.forbidden(
                (*path, "accessModes"), "may not use ReadWriteOncePod with other access modes"
            )
        )
    requests = access.mapping(spec, "resources", "requests") or {}
    if "storage" not in requests:
        found.append(field.required((*path, "resources", Key("storage"))))
        return found
    written = quantity_text(requests["storage"])
    if written is not None:
        at = (*path, "resources", "requests", Key("storage"))
        try:
            value = parse_quantity(written)
        except QuantityError as error:
            return [*found, field.invalid(at, written, str(error))]
        if value <= 0:
            found.append(field.invalid(at, written, "must be greater than zero"))
    return found


class ClaimRule:
    """A PersistentVolumeClaim's spec; StatefulSet claim templates use the same check."""

    name = "persistent-volume-claim"

    def check(self, document: dict[str, Any]) -> list[field.Issue]:
        if document.get("kind") == "StatefulSet":
            found: list[field.Issue] = []
            templates = access.items(document, "spec", "volumeClaimTemplates")
            for index, template in enumerate(templates):
                spec = access.mapping(template, "spec") or {}
                found.extend(
                    claim_spec_issues(spec, ("spec", "volumeClaimTemplates", index, "spec"))
                )
            return found
        return claim_spec_issues(access.mapping(document, "spec") or {}, ("spec",))
