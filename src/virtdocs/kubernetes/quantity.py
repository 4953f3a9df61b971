"""Kubernetes resource quantities: ``100m`` CPU, ``128Mi`` memory.

Suffixes follow the API's quantity format
(https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/):
binary ``Ki Mi Gi Ti Pi Ei`` and decimal ``n u m k M G T P E``.

>>> milli_cpu("250m"), milli_cpu("1.5"), milli_cpu(2)
(250, 1500, 2000)
>>> memory_bytes("128Mi"), memory_bytes("1G")
(134217728, 1000000000)
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from virtdocs.errors import UserError

_SUFFIX = {
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
    "": Decimal(1),
    "k": Decimal("1e3"),
    "M": Decimal("1e6"),
    "G": Decimal("1e9"),
    "T": Decimal("1e12"),
    "P": Decimal("1e15"),
    "E": Decimal("1e18"),
}
_PATTERN = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")


def parse(value: str | int | float, *, where: str = "quantity") -> Decimal:
    """The quantity as a number of base units (cores, bytes, pods)."""
    text = str(value).strip()
    match = _PATTERN.match(text)
    if match is None:
        raise UserError(f"{where}: {text!r} is not a quantity (e.g. 100m, 0.5, 128Mi)")
    try:
        number = Decimal(match.group(1))
    except InvalidOperation as error:
        raise UserError(f"{where}: {text!r} is not a quantity") from error
    return number * _SUFFIX[match.group(2) or ""]


def milli_cpu(value: str | int | float, *, where: str = "cpu") -> int:
    """CPU in millicores, rounded up as the API server does."""
    return int((parse(value, where=where) * 1000).to_integral_value(ROUND_CEILING))


def memory_bytes(value: str | int | float, *, where: str = "memory") -> int:
    return int(parse(value, where=where).to_integral_value(ROUND_CEILING))


def format_cpu(milli: int) -> str:
    """``1500`` → ``1500m``; whole cores print as ``2``."""
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"


def format_memory(num_bytes: int) -> str:
    """Largest binary suffix that divides evenly: ``134217728`` → ``128Mi``."""
    for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        unit = int(_SUFFIX[suffix])
        if num_bytes and num_bytes % unit == 0:
            return f"{num_bytes // unit}{suffix}"
    return str(num_bytes)
