"""Validate manifest text: load, pick the schema, check it, apply the API server's rules.

The pipeline for each resource, in the order the API server works:

1. load the YAML/JSON document with positions (:mod:`.loader`);
2. expand ``kind: List`` into its items;
3. require ``apiVersion`` and ``kind`` and find the kind's schema (:mod:`.schemas`);
4. check the schema, strict by default (:mod:`.schema_errors`);
5. apply the rules the schema cannot express (:mod:`.rules`);
6. give each error the line and column of its field, sorted by position.

Pure: text in, values out. Reading files and stdin is :mod:`.sources`' job.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from virtdocs.kubernetes.validation import field
from virtdocs.kubernetes.validation.fieldpath import Path, format_path
from virtdocs.kubernetes.validation.loader import LoadedDocument, LoadFailure, load_documents
from virtdocs.kubernetes.validation.options import ValidationOptions
from virtdocs.kubernetes.validation.results import FieldError, ResourceResult, Status
from virtdocs.kubernetes.validation.rules import rule_issues
from virtdocs.kubernetes.validation.schema_errors import json_type, schema_issues
from virtdocs.kubernetes.validation.schemas import schema_set


def validate_text(
    text: str, file: str = "<string>", options: ValidationOptions | None = None
) -> list[ResourceResult]:
    """Validate every resource in ``text``; one :class:`ResourceResult` per resource.

    >>> seed = "apiVersion: v1\\nkind: Pod\\nmetadata:\\n  name: busybox\\nspec:\\n" \\
    ...        "  containers:\\n  - name: busybox\\n    image: busybox\\n"
    >>> [(r.kind, r.name, r.status) for r in validate_text(seed)]
    [('Pod', 'busybox', 'valid')]
    >>> bad = seed.replace("image: busybox", "imagePullPolicy: Sometimes")
    >>> for error in validate_text(bad)[0].errors:
    ...     print(error.line, error.column, error.path)
    ...     print(error.message)
    7 5 spec.containers[0].image
    Required value
    8 22 spec.containers[0].imagePullPolicy
    Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"
    """
    options = options if options is not None else ValidationOptions()
    results: list[ResourceResult] = []
    for loaded in load_documents(text, file):
        if isinstance(loaded, LoadFailure):
            error = FieldError("", loaded.line, loaded.column, loaded.message)
            results.append(
                ResourceResult(file, loaded.line, None, None, None, "error", (error,), None)
            )
            continue
        if loaded.value is None:  # empty or comment-only document: no resource
            continue
        for path, value in _resources(loaded):
            results.append(_validate_resource(loaded, path, value, file, options))
    return results


def _resources(loaded: LoadedDocument) -> Iterator[tuple[Path, Any]]:
    """The resources of a document: itself, or each item of a ``kind: List``."""
    value = loaded.value
    if (
        isinstance(value, dict)
        and value.get("kind") == "List"
        and value.get("apiVersion") == "v1"
        and isinstance(value.get("items"), list)
    ):
        for index, item in enumerate(value["items"]):
            yield ("items", index), item
    else:
        yield (), value


def _text_field(value: dict[str, Any], name: str) -> str | None:
    found = value.get(name)
    return found if isinstance(found, str) and found else None


def _validate_resource(
    loaded: LoadedDocument, base: Path, value: Any, file: str, options: ValidationOptions
) -> ResourceResult:
    line = loaded.position(base)[0]
    if not isinstance(value, dict):
        issue = field.invalid((), value, f"a manifest must be an object, not {json_type(value)}")
        errors = _locate(loaded, base, [issue])
        return ResourceResult(file, line, None, None, None, "error", errors, None)
    api_version = _text_field(value, "apiVersion")
    kind = _text_field(value, "kind")
    metadata = value.get("metadata")
    name = _text_field(metadata, "name") if isinstance(metadata, dict) else None

    def result(status: Status, issues: list[field.Issue]) -> ResourceResult:
        errors = _locate(loaded, base, issues)
        return ResourceResult(file, line, api_version, kind, name, status, errors, value)

    if api_version is None or kind is None:
        missing = [field.required((key,)) for key in ("apiVersion", "kind") if key not in value]
        wrong = [
            field.invalid((key,), value[key], "must be a non-empty string")
            for key in ("apiVersion", "kind")
            if key in value and _text_field(value, key) is None
        ]
        return result("invalid", missing + wrong)
    validator = schema_set(options.version, options.strict).validator(api_version, kind)
    issues: list[field.Issue] = []
    if validator is None:
        if not options.ignore_missing_schemas:
            message = (
                f'no matches for kind "{kind}" in version "{api_version}" '
                f"(no schema in Kubernetes {options.version}; a custom resource needs "
                "--ignore-missing-schemas)"
            )
            return result("error", [field.Issue((), field.ErrorType.NOT_FOUND, text=message)])
    else:
        issues.extend(schema_issues(validator, value))
    issues.extend(rule_issues(api_version, kind, value))
    return result("invalid" if issues else "valid", issues)


def _locate(
    loaded: LoadedDocument, base: Path, issues: list[field.Issue]
) -> tuple[FieldError, ...]:
    """Give each issue its line and column; drop repeats; order by position."""
    located: dict[tuple[str, str], FieldError] = {}
    for issue in issues:
        where = issue.at if issue.at is not None else issue.path
        line, column = loaded.position((*base, *where), key=issue.at_key)
        error = FieldError(format_path(issue.path), line, column, issue.message)
        located.setdefault((error.path, error.message), error)
    return tuple(sorted(located.values(), key=lambda e: (e.line, e.column)))
