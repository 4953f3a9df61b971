"""Field errors worded exactly as the API server words them.

A port of the message part of ``k8s.io/apimachinery/pkg/util/validation/field``
(errors.go): each error has a type (``Invalid value``, ``Required value``, …),
the bad value and a detail, and prints as ``Type: value: detail``. Rules build
:class:`Issue` values with the constructors below and never format messages
by hand, so every message has the API server's shape.
https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go

>>> invalid(("spec", "replicas"), -1, "must be greater than or equal to 0").message
'Invalid value: -1: must be greater than or equal to 0'
>>> not_supported(("spec", "ports", 0, "protocol"), "udp", ["SCTP", "TCP", "UDP"]).message
'Unsupported value: "udp": supported values: "SCTP", "TCP", "UDP"'
>>> required(("spec", "containers", 0, "image"), "").message
'Required value'
>>> too_long(("metadata", "annotations"), 262144).message
'Too long: must have at most 262144 bytes'
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from virtdocs.kubernetes.validation.fieldpath import Path


class ErrorType(Enum):
    """The canonical error types and the words the API server prints for them."""

    NOT_FOUND = "Not found"
    REQUIRED = "Required value"
    DUPLICATE = "Duplicate value"
    INVALID = "Invalid value"
    NOT_SUPPORTED = "Unsupported value"
    FORBIDDEN = "Forbidden"
    TOO_LONG = "Too long"
    TOO_MANY = "Too many"


# Types whose message never shows the value (ErrorBody in errors.go).
_VALUELESS = frozenset({ErrorType.REQUIRED, ErrorType.FORBIDDEN, ErrorType.TOO_LONG})


def go_value(value: Any) -> str:
    """Print a value as Go's ``%q`` / ``%v`` would in a field error.

    >>> go_value("udp"), go_value(80), go_value(True), go_value(None), go_value(0.5)
    ('"udp"', '80', 'true', 'null', '0.5')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    # Newer API servers print maps and structs as compact JSON ({"app":"web"}).
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class Issue:
    """A field error before it has a line and column: where, what type, which value, why."""

    path: Path
    type: ErrorType
    value: Any = None
    detail: str = ""
    show_value: bool = True
    at_key: bool = False  # point at the key (an unknown field) rather than the value
    at: Path | None = None  # where to point when not at ``path`` (a bad label key)
    text: str | None = None  # a decoding error has its own wording, not ``Type: value``

    @property
    def message(self) -> str:
        if self.text is not None:
            return self.text
        body = self.type.value
        if self.type not in _VALUELESS and self.show_value:
            body += f": {go_value(self.value)}"
        if self.detail:
            body += f": {self.detail}"
        return body


def invalid(
    path: Path, value: Any, detail: str, at: Path | None = None, *, at_key: bool = False
) -> Issue:
    """``at``: where to point if not at ``path``; ``at_key``: at that entry's key."""
    return Issue(path, ErrorType.INVALID, value, detail, at=at, at_key=at_key)


def required(path: Path, detail: str = "") -> Issue:
    return Issue(path, ErrorType.REQUIRED, "", detail)


def duplicate(path: Path, value: Any) -> Issue:
    return Issue(path, ErrorType.DUPLICATE, value)


def not_supported(path: Path, value: Any, supported: Iterable[str]) -> Issue:
    quoted = ", ".join(json.dumps(item) for item in supported)
    return Issue(
        path, ErrorType.NOT_SUPPORTED, value, f"supported values: {quoted}" if quoted else ""
    )


def forbidden(path: Path, detail: str) -> Issue:
    return Issue(path, ErrorType.FORBIDDEN, "", detail)


def too_long(path: Path, max_bytes: int) -> Issue:
    return Issue(path, ErrorType.TOO_LONG, "", f"must have at most {max_bytes} bytes")


def too_many(path: Path, actual: int, maximum: int) -> Issue:
    return Issue(path, ErrorType.TOO_MANY, actual, f"must have at most {maximum} items")


def unknown_field(path: Path, printed: str) -> Issue:
    """Strict decoding's wording (``unknown field "spec.foo"``), pointing at the key."""
    return Issue(path, ErrorType.INVALID, at_key=True, text=f'unknown field "{printed}"')
