"""Translate JSON-schema errors into the API server's field errors.

jsonschema says ``'80' is not of type 'integer'``; the API server (its
OpenAPI validator, kube-openapi) says ``spec.ports[0].port: Invalid value:
"string": spec.ports[0].port in body must be of type integer: "string"``.
Readers will meet the second, so we print that. Every error ``iter_errors``
finds is translated, not just the first.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema import ValidationError

from virtdocs.kubernetes.validation import field
from virtdocs.kubernetes.validation.fieldpath import Path, format_path
from virtdocs.kubernetes.validation.schemas import KindSchema


def json_type(value: Any) -> str:
    """The JSON type name of a decoded value.

    >>> json_type(True), json_type(3), json_type("3"), json_type([])
    ('boolean', 'integer', 'string', 'array')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _types(schema: Any) -> list[str]:
    declared = schema.get("type", []) if isinstance(schema, dict) else []
    names = [declared] if isinstance(declared, str) else list(declared)
    return [name for name in names if name != "null"]


def _type_issue(path: Path, instance: Any, expected: list[str]) -> field.Issue:
    printed = format_path(path) or "body"
    actual = json_type(instance)
    detail = f'{printed} in body must be of type {" or ".join(expected)}: "{actual}"'
    return field.Issue(path, field.ErrorType.INVALID, actual, detail)


def _issues(error: ValidationError) -> Iterator[field.Issue]:
    path: Path = tuple(error.absolute_path)
    instance = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    kind = error.validator
    listed = error.validator_value if isinstance(error.validator_value, list) else []
    if kind == "required":
        for name in listed:
            if (
                isinstance(instance, dict)
                and name not in instance
                and error.message.startswith(repr(name))
            ):
                yield field.required((*path, name))
    elif kind == "additionalProperties" and isinstance(instance, dict):
        known = schema.get("properties", {})
        for name in instance:
            if name not in known:
                yield field.unknown_field((*path, name), format_path((*path, name)))
    elif kind == "type":
        yield _type_issue(path, instance, _types(schema))
    elif kind == "enum":
        yield field.not_supported(path, instance, [str(v) for v in listed])
    elif kind in ("oneOf", "anyOf"):
        expected = [name for option in listed for name in _types(option)]
        yield _type_issue(path, instance, expected)
    elif kind == "format":
        yield field.invalid(path, instance, f"must fit in a {error.validator_value} integer")
    else:  # a keyword the Kubernetes schemas do not use today; keep jsonschema's words
        yield field.invalid(path, instance, error.message)


def schema_issues(schema: KindSchema, document: dict[str, Any]) -> list[field.Issue]:
    """Every schema violation in ``document``, as API-server field errors.

    The compiled check answers first; only a document it rejects goes through
    jsonschema, which finds and describes every error.
    """
    if schema.accepts(document):
        return []
    return [issue for error in schema.validator.iter_errors(document) for issue in _issues(error)]
