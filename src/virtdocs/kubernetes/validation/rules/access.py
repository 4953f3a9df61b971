"""Typed reads from a decoded manifest that tolerate wrong types.

The schema check reports a wrong type; a rule reading the same field should
then see "absent", not crash. Each helper returns ``None`` (or an empty value)
when the field is missing or has the wrong type.
"""

from __future__ import annotations

from typing import Any


def mapping(value: Any, *keys: str) -> dict[str, Any] | None:
    """The object at ``keys`` under ``value``, or ``None``."""
    found = dig(value, *keys)
    return found if isinstance(found, dict) else None


def items(value: Any, *keys: str) -> list[Any]:
    """The list at ``keys`` under ``value``, or ``[]``."""
    found = dig(value, *keys)
    return found if isinstance(found, list) else []


def text(value: Any, *keys: str) -> str | None:
    found = dig(value, *keys)
    return found if isinstance(found, str) else None


def integer(value: Any, *keys: str) -> int | None:
    found = dig(value, *keys)
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def string_map(value: Any, *keys: str) -> dict[str, str]:
    """A ``map[string]string`` (labels, annotations, matchLabels); other entries are skipped."""
    found = mapping(value, *keys) or {}
    return {key: entry for key, entry in found.items() if isinstance(entry, str)}


def dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
