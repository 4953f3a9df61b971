"""The official OpenAPI-derived JSON schemas, compiled once per kind and reused.

``kubernetes-validate`` ships, for each Kubernetes minor version, a folder
``kubernetes-json-schema/v<X.Y>.0-local[-strict]/`` holding one schema per
kind (``deployment-apps-v1.json``) that ``$ref``-erences one shared 1.8 MB
``_definitions.json``. Its ``validate()`` re-reads both files on every call;
here the definitions are parsed once per folder and each kind's validator is
built once, on first use, and cached (see ``benchmarks/validate_throughput.py``
for what that buys).

The ``-strict`` folders set ``additionalProperties: false`` everywhere, which
is how an unknown field (a typo such as ``imagePullPolicyy``) is caught.

Before compiling, each schema is *prepared*: every ``$ref`` is replaced by the
(shared) definition it points to and keywords that validate nothing
(``description``, ``x-kubernetes-*``) are dropped. The validator then never
resolves a reference at run time, which makes it about 30% faster; the
verdicts are unchanged (``tests/kubernetes/test_validation_schema.py``
checks them against ``kubernetes_validate.validate``).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from virtdocs.kubernetes.validation.fastcheck import Check, Compiler

_PACKAGE = "kubernetes_validate"
_FOLDER = "kubernetes-json-schema"
_VERSION_DIR = re.compile(r"v(\d+)\.(\d+)\.\d+-local")

# Integer formats the OpenAPI schemas declare; Go decodes into int32/int64 and rejects overflow.
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
FORMAT_CHECKER = FormatChecker(formats=())
for _name, (_low, _high) in _INT_RANGES.items():
    FORMAT_CHECKER.checks(_name)(
        lambda value, low=_low, high=_high: (
            not isinstance(value, int) or isinstance(value, bool) or low <= value <= high
        )
    )


# The JSON-schema keywords the Kubernetes schemas use to validate; the rest are annotations.
VALIDATING_KEYWORDS = frozenset(
    {"type", "properties", "additionalProperties", "items", "required", "enum", "format", "oneOf"}
)
_DEFINITIONS_PREFIXES = ("/api/_definitions.json#/$defs/", "#/$defs/")


class _Preparer:
    """Inline ``$ref``s and drop annotations; definitions are shared and may be recursive."""

    def __init__(self, definitions: dict[str, Any]) -> None:
        self.definitions = definitions
        self.prepared: dict[str, dict[str, Any]] = {}

    def schema(self, node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        own = {key: value for key, value in node.items() if key in VALIDATING_KEYWORDS}
        prepared: dict[str, Any] = {}
        for key, value in own.items():
            if key == "properties":
                prepared[key] = {name: self.schema(sub) for name, sub in value.items()}
            elif key in ("items", "additionalProperties"):
                prepared[key] = self.schema(value)
            elif key == "oneOf":
                prepared[key] = [self.schema(sub) for sub in value]
            else:
                prepared[key] = value
        reference = node.get("$ref")
        if reference is None:
            return prepared
        target = self.definition(reference)
        return {"allOf": [target, prepared]} if prepared else target

    def definition(self, reference: str) -> dict[str, Any]:
        for prefix in _DEFINITIONS_PREFIXES:
            if reference.startswith(prefix):
                name = reference[len(prefix) :]
                break
        else:  # pragma: no cover - the bundled schemas only use these two forms
            raise ValueError(f"unexpected $ref {reference!r}")
        if name not in self.prepared:
            # Register the (still empty) dict first, so a recursive definition refers to it.
            target: dict[str, Any] = {}
            self.prepared[name] = target
            target.update(self.schema(self.definitions[name]))
        return self.prepared[name]


def _root() -> Traversable:
    return resources.files(_PACKAGE).joinpath(_FOLDER)


@functools.cache
def bundled_versions() -> tuple[str, ...]:
    """The Kubernetes minor versions with bundled schemas, oldest first (``"1.25"``…)."""
    found = set()
    for entry in _root().iterdir():
        match = _VERSION_DIR.fullmatch(entry.name)
        if match:
            found.add((int(match.group(1)), int(match.group(2))))
    return tuple(f"{major}.{minor}" for major, minor in sorted(found))


def schema_file_name(api_version: str, kind: str) -> str:
    """The schema file for a kind: group's first label, version, kind in lower case.

    >>> schema_file_name("apps/v1", "Deployment")
    'deployment-apps-v1.json'
    >>> schema_file_name("v1", "Service")
    'service-v1.json'
    >>> schema_file_name("networking.k8s.io/v1", "Ingress")
    'ingress-networking-v1.json'
    """
    group, _, version = api_version.rpartition("/")
    prefix = f"{group.split('.')[0]}-" if group else ""
    return f"{kind.lower()}-{prefix}{version}.json"


@dataclass(frozen=True)
class KindSchema:
    """One kind's compiled schema: a fast yes/no check, and jsonschema to report errors."""

    accepts: Check
    validator: Draft202012Validator


class SchemaSet:
    """All schemas of one Kubernetes version, strict or not; validators built lazily, once."""

    def __init__(self, version: str, strict: bool) -> None:
        self.version = version
        self.strict = strict
        self._folder = _root().joinpath(f"v{version}.0-local{'-strict' if strict else ''}")
        self._validators: dict[tuple[str, str], KindSchema | None] = {}
        self._preparer: _Preparer | None = None
        self._compiler = Compiler()

    @property
    def preparer(self) -> _Preparer:
        if self._preparer is None:  # read the 1.8 MB definitions once, when first needed
            raw = json.loads(self._folder.joinpath("_definitions.json").read_bytes())
            self._preparer = _Preparer(raw["$defs"])
        return self._preparer

    def validator(self, api_version: str, kind: str) -> KindSchema | None:
        """The compiled schema of a kind, or ``None`` when no such resource kind exists."""
        key = (api_version, kind)
        if key not in self._validators:
            self._validators[key] = self._build(api_version, kind)
        return self._validators[key]

    def _build(self, api_version: str, kind: str) -> KindSchema | None:
        if "/" in kind or "\\" in kind or kind.startswith("."):
            return None
        entry = self._folder.joinpath(schema_file_name(api_version, kind))
        if not entry.is_file():
            return None
        schema = json.loads(entry.read_bytes())
        group, _, version = api_version.rpartition("/")
        # Only top-level resources carry a group-version-kind; "Affinity" has a schema file
        # too but is not something you can apply.
        kinds = schema.get("x-kubernetes-group-version-kind", [])
        if {"group": group, "kind": kind, "version": version} not in kinds:
            return None
        prepared = self.preparer.schema(schema)
        return KindSchema(
            accepts=self._compiler.compile(prepared),
            validator=Draft202012Validator(prepared, format_checker=FORMAT_CHECKER),
        )


@functools.cache
def schema_set(version: str, strict: bool) -> SchemaSet:
    """The shared, cached :class:`SchemaSet` for a version and strictness."""
    return SchemaSet(version, strict)
