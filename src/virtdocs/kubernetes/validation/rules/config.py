"""ConfigMap and Secret: the keys of ``data`` (and ``binaryData``/``stringData``).

After ``ValidateConfigMap`` and ``ValidateSecret`` in
``pkg/apis/core/validation/validation.go`` and ``IsConfigMapKey`` in apimachinery:
a key becomes a file name when the object is mounted as a volume, so it may
only use ``[-._a-zA-Z0-9]`` and may not be ``.``, ``..`` or start with ``..``.
"""

from __future__ import annotations

import re
from typing import Any

from virtdocs.kubernetes.validation import field
from virtdocs.kubernetes.validation.fieldpath import Key
from virtdocs.kubernetes.validation.rules import access
from virtdocs.kubernetes.validation.rules.names import (
    DNS1123_SUBDOMAIN_MAX_LENGTH,
    max_len_error,
    regex_error,
)

_KEY_FMT = "[-._a-zA-Z0-9]+"
_KEY_MESSAGE = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
_KEY = re.compile(_KEY_FMT, re.ASCII)


def is_config_map_key(key: str) -> list[str]:
    """IsConfigMapKey.

    >>> is_config_map_key("game.properties"), is_config_map_key("..data")
    ([], ["must not start with '..'"])
    """
    errors = []
    if len(key.encode()) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errors.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _KEY.fullmatch(key):
        errors.append(regex_error(_KEY_MESSAGE, _KEY_FMT, "key.name", "KEY_NAME", "key-name"))
    if key == ".":
        errors.append("must not be '.'")
    elif key == "..":
        errors.append("must not be '..'")
    elif key.startswith(".."):
        errors.append("must not start with '..'")
    return errors


class DataKeysRule:
    """Every key of the object's data maps is a valid config key; none appears twice."""

    name = "data-keys"

    def __init__(self, sections: tuple[str, ...]) -> None:
        self.sections = sections

    def check(self, document: dict[str, Any]) -> list[field.Issue]:
        found: list[field.Issue] = []
        seen: dict[str, str] = {}
        for section in self.sections:
            for key in access.mapping(document, section) or {}:
                found.extend(
                    field.invalid((section, Key(key)), key, message, at_key=True)
                    for message in is_config_map_key(key)
                )
                if key in seen and {seen[key], section} != {"data", "stringData"}:
                    found.append(
                        field.invalid(
                            (section, Key(key)), key, f"duplicate of key present in {seen[key]}"
                        )
                    )
                seen.setdefault(key, section)
        return found
