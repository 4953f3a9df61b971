"""A compiled yes/no check for the Kubernetes schemas: the fast path for valid manifests.

Most manifests are valid, and for a valid one the only question is "any
error?". jsonschema answers it by walking the schema keyword by keyword
through a generic engine; this module compiles a prepared schema (see
:mod:`.schemas`: ``$ref``-free, annotations dropped) once into nested Python
closures that answer it several times faster. When the answer is "no",
jsonschema itself runs (``iter_errors``) to report every error, so the
wording and completeness of reports never depend on this module; only the
verdict does, and a test checks that verdict against jsonschema's.

Only the keywords the Kubernetes schemas use are supported (``type``,
``enum``, ``format``, ``properties``, ``additionalProperties``, ``required``,
``items``, ``oneOf``, ``allOf``); any other keyword raises at compile time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

SUPPORTED = frozenset(
    {
        "type",
        "enum",
        "format",
        "properties",
        "additionalProperties",
        "required",
        "items",
        "oneOf",
        "allOf",
    }
)
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def _is_type(name: str) -> Check:
    """jsonschema's type checks: bool is not a number, 1.0 is an integer."""
    if name == "object":
        return lambda value: isinstance(value, dict)
    if name == "array":
        return lambda value: isinstance(value, list)
    if name == "string":
        return lambda value: isinstance(value, str)
    if name == "boolean":
        return lambda value: isinstance(value, bool)
    if name == "null":
        return lambda value: value is None
    if name == "integer":
        return lambda value: (
            (isinstance(value, int) and not isinstance(value, bool))
            or (isinstance(value, float) and value.is_integer())
        )
    if name == "number":
        return lambda value: isinstance(value, int | float) and not isinstance(value, bool)
    raise ValueError(f"unknown JSON type {name!r}")


def _type_check(declared: str | list[str]) -> Check:
    names = [declared] if isinstance(declared, str) else list(declared)
    checks = [_is_type(name) for name in names]
    if len(checks) == 1:
        return checks[0]
    return lambda value: any(check(value) for check in checks)


def _same(a: Any, b: Any) -> bool:
    """jsonschema's enum equality: True is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


def _enum_check(values: list[Any]) -> Check:
    if all(isinstance(value, str) for value in values):
        allowed = frozenset(values)
        return lambda value: isinstance(value, str) and value in allowed
    return lambda value: any(_same(value, option) for option in values)


def _format_check(name: str) -> Check | None:
    if name not in _INT_RANGES:
        return None  # an annotation only, as in jsonschema without a checker for it
    low, high = _INT_RANGES[name]
    return lambda value: (
        not isinstance(value, int) or isinstance(value, bool) or low <= value <= high
    )


class Compiler:
    """Compiles prepared schemas; shared (and recursive) sub-schemas compile once."""

    def __init__(self) -> None:
        self._compiled: dict[int, Check] = {}
        self._keep: list[Any] = []  # keep compiled schemas alive so their ids stay unique

    def compile(self, schema: Any) -> Check:
        key = id(schema)
        if key in self._compiled:
            return self._compiled[key]
        cell: list[Check] = []

        def forward(value: Any) -> bool:
            # A recursive schema reaches itself while compiling: call it through the cell.
            return cell[0](value)

        self._compiled[key] = forward
        self._keep.append(schema)
        check = self._build(schema)
        cell.append(check)
        self._compiled[key] = check
        return check

    def _build(self, schema: Any) -> Check:
        if schema is True or schema == {}:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, dict):
            raise ValueError(f"not a schema: {schema!r}")
        unknown = set(schema) - SUPPORTED
        if unknown:
            raise ValueError(f"unsupported schema keywords {sorted(unknown)}")
        checks: list[Check] = []
        if "type" in schema:
            checks.append(_type_check(schema["type"]))
        if "enum" in schema:
            checks.append(_enum_check(schema["enum"]))
        if "format" in schema:
            format_check = _format_check(schema["format"])
            if format_check is not None:
                checks.append(format_check)
        object_check = self._object_check(schema)
        if object_check is not None:
            checks.append(object_check)
        if "items" in schema:
            item = self.compile(schema["items"])
            checks.append(
                lambda value: not isinstance(value, list) or all(item(entry) for entry in value)
            )
        if "oneOf" in schema:
            options = [self.compile(option) for option in schema["oneOf"]]
            checks.append(lambda value: sum(1 for option in options if option(value)) == 1)
        if "allOf" in schema:
            parts = [self.compile(part) for part in schema["allOf"]]
            checks.append(lambda value: all(part(value) for part in parts))
        if len(checks) == 1:
            return checks[0]
        return lambda value: all(check(value) for check in checks)

    def _object_check(self, schema: dict[str, Any]) -> Check | None:
        if not {"properties", "additionalProperties", "required"} & schema.keys():
            return None
        properties = {name: self.compile(sub) for name, sub in schema.get("properties", {}).items()}
        additional = schema.get("additionalProperties", True)
        extra: Check | None = None if additional is True else self.compile(additional)
        required = tuple(schema.get("required", ()))

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for name in required:
                if name not in value:
                    return False
            for name, entry in value.items():
                known = properties.get(name)
                if known is not None:
                    if not known(entry):
                        return False
                elif extra is not None and not extra(entry):
                    return False
            return True

        return check
