"""Label and field selectors, in both their API form and kubectl's string form.

>>> selector = parse_label_selector("app=web,tier!=db,env in (prod,staging)")
>>> selector.matches({"app": "web", "env": "prod"})
True
>>> selector.matches({"app": "web", "env": "dev"})
False
>>> str(LabelSelector.from_api({"matchLabels": {"run": "my-nginx"}}))
'run=my-nginx'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from virtdocs.errors import UserError


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # "=", "!=", "in", "notin", "exists", "!"
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.operator == "=":
            return present and value == self.values[0]
        if self.operator == "!=":
            return not present or value != self.values[0]
        if self.operator == "in":
            return present and value in self.values
        if self.operator == "notin":
            return not present or value not in self.values
        if self.operator == "exists":
            return present
        return not present

    def __str__(self) -> str:
        if self.operator in ("=", "!="):
            return f"{self.key}{self.operator}{self.values[0]}"
        if self.operator in ("in", "notin"):
            return f"{self.key} {self.operator} ({','.join(self.values)})"
        return self.key if self.operator == "exists" else f"!{self.key}"


@dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        return all(requirement.matches(labels or {}) for requirement in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements

    def __str__(self) -> str:
        return ",".join(str(requirement) for requirement in self.requirements)

    @classmethod
    def from_api(cls, selector: Mapping[str, Any] | None) -> LabelSelector:
        """From ``{"matchLabels": ..., "matchExpressions": [...]}``."""
        if not selector:
            return cls()
        requirements = [
            Requirement(key, "=", (str(value),))
            for key, value in sorted((selector.get("matchLabels") or {}).items())
        ]
        operators = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}
        for expression in selector.get("matchExpressions") or []:
            operator = operators[expression["operator"]]
            values = tuple(str(v) for v in expression.get("values") or ())
            requirements.append(Requirement(expression["key"], operator, values))
        return cls(tuple(requirements))

    @classmethod
    def from_labels(cls, labels: Mapping[str, str] | None) -> LabelSelector:
        """A Service's ``spec.selector``: every pair must match."""
        return cls(tuple(Requirement(k, "=", (v,)) for k, v in sorted((labels or {}).items())))


_SET = re.compile(r"^\s*(!?)([A-Za-z0-9_./-]+)\s*(?:(notin|in)\s*\(([^)]*)\))?\s*$")
_EQUALITY = re.compile(r"^\s*([A-Za-z0-9_./-]+)\s*(==|!=|=)\s*([A-Za-z0-9_.-]*)\s*$")


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside ``( )``."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part for part in parts if part.strip()]


def parse_label_selector(text: str) -> LabelSelector:
    """Parse kubectl's ``-l`` syntax: ``a=b``, ``a!=b``, ``a in (x,y)``, ``a``, ``!a``."""
    requirements = []
    for part in _split_top_level(text):
        equality = _EQUALITY.match(part)
        if equality:
            key, operator, value = equality.groups()
            requirements.append(Requirement(key, "!=" if operator == "!=" else "=", (value,)))
            continue
        set_based = _SET.match(part)
        if set_based is None:
            raise UserError(f"unable to parse requirement: {part.strip()!r}")
        negated, key, operator, values = set_based.groups()
        if operator:
            items = tuple(v.strip() for v in values.split(",") if v.strip())
            requirements.append(Requirement(key, operator, items))
        else:
            requirements.append(Requirement(key, "!" if negated else "exists"))
    return LabelSelector(tuple(requirements))


#: Field selectors the simulated server supports, like a real server's per-kind lists.
FIELDS: dict[str, tuple[str, ...]] = {
    "metadata.name": ("metadata", "name"),
    "metadata.namespace": ("metadata", "namespace"),
    "spec.nodeName": ("spec", "nodeName"),
    "status.phase": ("status", "phase"),
    "spec.unschedulable": ("spec", "unschedulable"),
    "involvedObject.kind": ("involvedObject", "kind"),
    "involvedObject.name": ("involvedObject", "name"),
    "reason": ("reason",),
    "type": ("type",),
}


@dataclass(frozen=True)
class FieldSelector:
    terms: tuple[tuple[str, bool, str], ...] = ()  # (field, equal?, value)

    def matches(self, obj: Mapping[str, Any]) -> bool:
        for field, equal, value in self.terms:
            actual: Any = obj
            for key in FIELDS[field]:
                actual = actual.get(key) if isinstance(actual, dict) else None
            actual_text = (
                ""
                if actual is None
                else str(actual).lower()
                if isinstance(actual, bool)
                else str(actual)
            )
            if (actual_text == value) != equal:
                return False
        return True


def parse_field_selector(text: str) -> FieldSelector:
    """``spec.nodeName=node-1,status.phase!=Running``."""
    terms = []
    for part in _split_top_level(text):
        match = re.match(r"^\s*([A-Za-z.]+)\s*(==|!=|=)\s*(.*?)\s*$", part)
        if match is None:
            raise UserError(f"invalid selector: {part.strip()!r}")
        field, operator, value = match.groups()
        if field not in FIELDS:
            raise UserError(f'field label not supported: "{field}"')
        terms.append((field, operator != "!=", value))
    return FieldSelector(tuple(terms))
