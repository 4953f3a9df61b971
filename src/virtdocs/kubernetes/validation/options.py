"""Validation options: defaults in one place, checked when an options value is made."""

from __future__ import annotations

import re
from dataclasses import dataclass

from virtdocs.errors import UserError
from virtdocs.kubernetes.validation.schemas import bundled_versions

_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?")


def normalize_version(text: str) -> str:
    """``"1.30"``, ``"v1.30"`` or ``"1.30.2"`` → ``"1.30"``; anything else is a UserError.

    >>> normalize_version("v1.30.2")
    '1.30'
    """
    match = _VERSION.fullmatch(text.strip())
    bundled = bundled_versions()
    if match is None or f"{int(match.group(1))}.{int(match.group(2))}" not in bundled:
        raise UserError(
            f"unknown Kubernetes version {text!r}: schemas are bundled for "
            f"{bundled[0]} to {bundled[-1]}"
        )
    return f"{int(match.group(1))}.{int(match.group(2))}"


@dataclass(frozen=True)
class ValidationOptions:
    """How to validate.

    ``kubernetes_version``
        ``"X.Y"``; ``None`` (the default) means the newest version whose schemas
        ``kubernetes-validate`` bundles.
    ``strict``
        reject fields the schema does not know (the API server's
        ``fieldValidation=Strict``, kubectl's default since 1.27). Default ``True``.
    ``ignore_missing_schemas``
        a kind without a bundled schema (a custom resource) passes with only its
        metadata checked, instead of being an ``error``. Default ``False``.
    """

    kubernetes_version: str | None = None
    strict: bool = True
    ignore_missing_schemas: bool = False

    def __post_init__(self) -> None:
        if self.kubernetes_version is not None:
            object.__setattr__(
                self, "kubernetes_version", normalize_version(self.kubernetes_version)
            )

    @property
    def version(self) -> str:
        """The version actually used (the newest bundled one when none was chosen)."""
        return self.kubernetes_version or bundled_versions()[-1]
