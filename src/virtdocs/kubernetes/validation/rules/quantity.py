"""Resource quantities (``500m``, ``128Mi``, ``1e3``), parsed as the API server parses them.

After ``ParseQuantity`` in apimachinery ``pkg/api/resource/quantity.go``: a
signed decimal number, then one suffix — binary (``Ki`` … ``Ei``), decimal
(``n u m k M G T P E`` or none) or an exponent (``e3``, ``E-2``).
https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go

>>> parse_quantity("500m"), parse_quantity("128Mi"), parse_quantity("1e3")
(Decimal('0.500'), Decimal('134217728'), Decimal('1E+3'))
>>> for text in ("1 Gi", "1Ki2"):
...     try:
...         parse_quantity(text)
...     except QuantityError as error:
...         print(str(error)[:45])
quantities must match the regular expression
unable to parse quantity's suffix
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# The error texts are quantity.go's ErrFormatWrong, ErrNumeric and ErrSuffix.
FORMAT_WRONG = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
NUMERIC = "unable to parse quantity's numeric part"
SUFFIX = "unable to parse quantity's suffix"

_SHAPE = re.compile(r"([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)", re.ASCII)
_EXPONENT = re.compile(r"[eE][-+]?[0-9]+", re.ASCII)
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


class QuantityError(ValueError):
    """The text is not a quantity; ``str()`` is the API server's message."""


def parse_quantity(text: str) -> Decimal:
    """The value of a quantity string, exactly (a :class:`~decimal.Decimal`)."""
    shape = _SHAPE.fullmatch(text.strip()) if text.strip() == text else None
    if shape is None:
        raise QuantityError(FORMAT_WRONG)
    number, suffix = shape.groups()
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise QuantityError(NUMERIC) from None
    if suffix in _BINARY:
        return value * (1 << _BINARY[suffix])
    if suffix in _DECIMAL:
        return value.scaleb(_DECIMAL[suffix])
    if _EXPONENT.fullmatch(suffix):
        return value.scaleb(int(suffix[1:]))
    raise QuantityError(SUFFIX)


def quantity_text(value: object) -> str | None:
    """A quantity may be written as a string or a bare number; anything else is not one."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    return None
