"""Docker's parsing of resource flags, with Docker's own error wording.

``-m/--memory`` uses go-units ``RAMInBytes`` (binary suffixes b, k, m, g, t, p, with an
optional ``b`` or ``ib``);
``--cpus`` is a decimal or a fraction turned into nano-CPUs; ``--pids-limit``
is a 64-bit integer where 0 or a negative value means unlimited. Client-side
parse errors read ``invalid argument "V" for "FLAG" flag: REASON``; range
errors come from the daemon (``Error response from daemon: ...``).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from virtdocs.errors import UserError

#: docker run's exit status when the daemon or the client refuses the run.
RUN_ERROR_EXIT = 125
#: Minimum memory limit the daemon accepts (daemon/daemon_unix.go, linuxMinMemory).
MIN_MEMORY = 6 * 1024 * 1024
_UNITS = {"k": 10, "m": 20, "g": 30, "t": 40, "p": 50}
_GO_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_GO_HEX = re.compile(r"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+")
_INT64_MAX = 2**63 - 1


class DockerError(UserError):
    """An error as the docker CLI prints it (one line), with its exit status.

    ``preamble`` holds lines docker prints first (``Unable to find image ...``).
    """

    def __init__(self, message: str, *, exit_code: int = 1, preamble: tuple[str, ...] = ()) -> None:
        super().__init__(message, exit_code=exit_code)
        self.preamble = preamble


def daemon_error(message: str, *, run: bool = False, preamble: tuple[str, ...] = ()) -> DockerError:
    """``Error response from daemon: ...``; ``docker run`` prefixes ``docker: ``."""
    prefix = "docker: " if run else ""
    return DockerError(
        f"{prefix}Error response from daemon: {message}",
        exit_code=RUN_ERROR_EXIT if run else 1,
        preamble=preamble,
    )


def flag_error(value: str, flag: str, reason: str) -> DockerError:
    return DockerError(
        f'invalid argument "{value}" for "{flag}" flag: {reason}', exit_code=RUN_ERROR_EXIT
    )


def parse_memory(value: str) -> int:
    """``-m 1.5g`` → bytes, as go-units ``RAMInBytes`` (v0.5.0, docker/cli's) computes it.

    The number is everything up to the last digit, dot or space; what follows is
    a suffix: ``b``, or one of ``k m g t p`` optionally followed by ``b`` or ``ib``,
    in any case.

    >>> parse_memory("1.5g"), parse_memory("64MiB"), parse_memory("512 mb")
    (1610612736, 67108864, 536870912)
    >>> try:
    ...     parse_memory("1.5Gx")
    ... except DockerError as error:
    ...     print(error)
    invalid argument "1.5Gx" for "-m, --memory" flag: invalid suffix: 'gx'
    """
    flag = "-m, --memory"
    sep = max(value.rfind(c) for c in "0123456789. ")
    if sep == -1:  # there must be at least a digit
        raise flag_error(value, flag, f"invalid size: '{value}'")
    number, suffix = (
        (value[:sep], value[sep + 1 :])
        if value[sep] == " "
        else (
            value[: sep + 1],
            value[sep + 1 :],
        )
    )
    size = _go_parse_float(number)
    if size is None:
        reason = f'strconv.ParseFloat: parsing "{number}": invalid syntax'
        raise flag_error(value, flag, reason)
    if math.isinf(size):
        reason = f'strconv.ParseFloat: parsing "{number}": value out of range'
        raise flag_error(value, flag, reason)
    if size < 0:  # go-units keeps rejecting negative sizes
        raise flag_error(value, flag, f"invalid size: '{value}'")
    lower = suffix.lower()
    if lower:
        shift = _UNITS.get(lower[0])
        ok = len(lower) <= 3 and (
            lower == "b" or (shift is not None and lower[1:] in ("", "b", "ib"))
        )
        if not ok:
            raise flag_error(value, flag, f"invalid suffix: '{lower}'")
        size *= 1 << (shift or 0)
    if 0 < size < MIN_MEMORY:
        raise daemon_error("Minimum memory limit allowed is 6MB", run=True)
    return int(size)


def _go_parse_float(text: str) -> float | None:
    """Go's ``strconv.ParseFloat`` for decimal and hexadecimal numbers; ``None``
    where Go reports a syntax error (Python's ``float`` is laxer: spaces, ``_``)."""
    if _GO_DECIMAL.fullmatch(text):
        return float(text)
    if _GO_HEX.fullmatch(text):
        return float.fromhex(text)
    return None


def parse_cpus(value: str, host_cpus: int) -> int:
    """``--cpus 1.5`` → nano-CPUs (1.5e9); 0 means no limit.

    >>> parse_cpus("1.5", 2)
    1500000000
    """
    try:
        cpus = Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise flag_error(value, "--cpus", f"failed to parse {value} as a rational number") from None
    nano = cpus * 1_000_000_000
    if nano.denominator != 1:
        raise flag_error(value, "--cpus", "value is too precise")
    # 0 means "no limit"; anything else must lie in [0.01, host CPUs].
    if nano != 0 and not 10_000_000 <= nano <= host_cpus * 1_000_000_000:
        raise daemon_error(
            f"range of CPUs is from 0.01 to {host_cpus}.00, as there are only "
            f"{host_cpus} CPUs available",
            run=True,
        )
    return int(nano)


def parse_pids_limit(value: str) -> int | None:
    """``--pids-limit N``; 0 or negative means unlimited (``None``)."""
    try:
        limit = int(value, 10)
    except ValueError:
        raise flag_error(
            value, "--pids-limit", f'strconv.ParseInt: parsing "{value}": invalid syntax'
        ) from None
    if abs(limit) > _INT64_MAX:
        raise flag_error(
            value, "--pids-limit", f'strconv.ParseInt: parsing "{value}": value out of range'
        )
    return limit if limit > 0 else None


def parse_env(value: str) -> tuple[str, str] | None:
    """``-e KEY=VALUE``; ``-e KEY`` copies the client's variable, which this
    simulation does not have, so it is dropped (``None``), as Docker does for
    unset variables."""
    key, sep, rest = value.partition("=")
    if not key:
        raise flag_error(value, "-e, --env", f"invalid environment variable: {value}")
    return (key, rest) if sep else None


def cpu_max(nano_cpus: int, period_usec: int = 100_000) -> tuple[int | None, int]:
    """What Docker writes to ``cpu.max`` for ``--cpus`` (quota, period).

    >>> cpu_max(1_500_000_000)
    (150000, 100000)
    """
    if nano_cpus == 0:
        return None, period_usec
    return nano_cpus * period_usec // 1_000_000_000, period_usec
