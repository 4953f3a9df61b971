"""What validation returns: a result per resource, each with its field errors.

These are values. A manifest the API server would reject is an expected
outcome, so it is a :class:`ResourceResult` with status ``"invalid"``, never
an exception.

Status codes (a fixed set):

``valid``
    every check passed;
``invalid``
    the resource was checked and at least one field is wrong;
``error``
    the resource could not be checked at all: the YAML does not parse, the
    document is not an object, or no schema exists for its kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["valid", "invalid", "error"]
STATUSES: tuple[Status, ...] = ("valid", "invalid", "error")


@dataclass(frozen=True)
class FieldError:
    """One problem, at a field path and a 1-based line and column of the input."""

    path: str
    line: int
    column: int
    message: str


@dataclass(frozen=True)
class ResourceResult:
    """The verdict on one resource (one YAML document, or one item of a ``kind: List``)."""

    file: str
    line: int
    api_version: str | None
    kind: str | None
    name: str | None
    status: Status
    errors: tuple[FieldError, ...]
    document: dict[str, Any] | None

    @property
    def ok(self) -> bool:
        return self.status == "valid"


def format_error(result: ResourceResult, error: FieldError) -> str:
    """One error as ``file:line:col: Kind/name: path: message``.

    The ``Kind/name`` part is left out when the resource has neither (a YAML
    syntax error), and the ``path`` part when the error is about no field.

    >>> r = ResourceResult("svc.yaml", 1, "v1", "Service", "web", "invalid", (), None)
    >>> format_error(r, FieldError("spec.ports[0].protocol", 9, 17, 'Unsupported value: "udp"'))
    'svc.yaml:9:17: Service/web: spec.ports[0].protocol: Unsupported value: "udp"'
    >>> broken = ResourceResult("x.yaml", 3, None, None, None, "error", (), None)
    >>> format_error(broken, FieldError("", 3, 1, "invalid YAML: found a tab character"))
    'x.yaml:3:1: invalid YAML: found a tab character'
    """
    parts = [f"{result.file}:{error.line}:{error.column}"]
    if result.kind is not None or result.name is not None:
        parts.append(f"{result.kind or '<no kind>'}/{result.name or '<no name>'}")
    if error.path:
        parts.append(error.path)
    parts.append(error.message)
    return ": ".join(parts)


def format_result(result: ResourceResult) -> list[str]:
    """The text lines for one result: one per error, nothing for a valid resource."""
    return [format_error(result, error) for error in result.errors]


@dataclass(frozen=True)
class Summary:
    """Counts over many results; ``errors`` counts resources with status ``error``."""

    resources: int
    valid: int
    invalid: int
    errors: int

    @classmethod
    def of(cls, results: list[ResourceResult]) -> Summary:
        statuses = [result.status for result in results]
        return cls(
            resources=len(statuses),
            valid=statuses.count("valid"),
            invalid=statuses.count("invalid"),
            errors=statuses.count("error"),
        )

    @property
    def ok(self) -> bool:
        return self.invalid == 0 and self.errors == 0

    def line(self) -> str:
        """``3 resources: 2 valid, 1 invalid, 0 errors``."""
        noun = "resource" if self.resources == 1 else "resources"
        return (
            f"{self.resources} {noun}: {self.valid} valid, {self.invalid} invalid, "
            f"{self.errors} {'error' if self.errors == 1 else 'errors'}"
        )


def result_to_json(result: ResourceResult) -> dict[str, Any]:
    """The JSON shape of one result, as the ``--output json`` contract names its keys."""
    return {
        "file": result.file,
        "line": result.line,
        "apiVersion": result.api_version,
        "kind": result.kind,
        "name": result.name,
        "status": result.status,
        "errors": [
            {"path": e.path, "line": e.line, "column": e.column, "message": e.message}
            for e in result.errors
        ],
    }


def report_to_json(results: list[ResourceResult]) -> dict[str, Any]:
    """``{"summary": {...}, "resources": [...]}`` for ``virtdocs validate --output json``."""
    summary = Summary.of(results)
    return {
        "summary": {
            "resources": summary.resources,
            "valid": summary.valid,
            "invalid": summary.invalid,
            "errors": summary.errors,
        },
        "resources": [result_to_json(result) for result in results],
    }
