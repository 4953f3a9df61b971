"""A cloud function: a handler plus the memory and timeout the platform gives it.

Defaults and limits are AWS Lambda's: 128 MB and 3 s by default, memory from
128 MB to 10,240 MB (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html,
10 GB since December 2020), timeout up to 900 s
(https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from virtdocs.errors import UserError

DEFAULT_MEMORY_MB = 128
MIN_MEMORY_MB, MAX_MEMORY_MB = 128, 10_240
DEFAULT_TIMEOUT = 3.0
MAX_TIMEOUT = 900.0
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True, slots=True)
class Event:
    """What a trigger hands a function: when, from which source, and the details."""

    time: float
    source: str
    payload: Mapping[str, Any] = field(default_factory=dict)


Handler = Callable[[Event], Any]


@dataclass(frozen=True, slots=True)
class Function:
    """A deployable function.

    >>> greet = Function("greet", lambda event: f"hello from {event.source}")
    >>> greet.memory_mb, greet.timeout, greet.memory_gb
    (128, 3.0, 0.125)
    >>> greet.invoke(Event(0.0, "http"))
    'hello from http'
    >>> Function("big", print, memory_mb=64)
    Traceback (most recent call last):
    virtdocs.errors.UserError: function 'big': memory_mb must be an integer 128-10240 MB, got 64
    """

    name: str
    handler: Handler
    memory_mb: int = DEFAULT_MEMORY_MB
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise UserError(f"function name {self.name!r}: use 1-64 letters, digits, '-' or '_'")
        if not callable(self.handler):
            raise UserError(f"function {self.name!r}: handler must be callable")
        memory = self.memory_mb
        if (
            isinstance(memory, bool)
            or not isinstance(memory, int)
            or not (MIN_MEMORY_MB <= memory <= MAX_MEMORY_MB)
        ):
            raise UserError(
                f"function {self.name!r}: memory_mb must be an integer "
                f"{MIN_MEMORY_MB}-{MAX_MEMORY_MB} MB, got {memory!r}"
            )
        timeout = self.timeout
        if not (
            isinstance(timeout, int | float)
            and math.isfinite(timeout)
            and 0 < timeout <= MAX_TIMEOUT
        ):
            raise UserError(
                f"function {self.name!r}: timeout must be > 0 and <= {MAX_TIMEOUT:g} seconds, "
                f"got {timeout!r}"
            )

    @property
    def memory_gb(self) -> float:
        """Memory in GB as billing counts it (1 GB = 1,024 MB)."""
        return self.memory_mb / 1024

    def invoke(self, event: Event) -> Any:
        """Run the handler on one event (the simulated platform decides *when*)."""
        return self.handler(event)
