"""User-namespace id maps: ``/proc/PID/uid_map`` and ``gid_map``.

Each line maps a range: ``ID-inside-ns ID-outside-ns length`` (user_namespaces(7)).
A process that is root inside its namespace can be an unprivileged user on the
host: the map ``0 100000 65536`` makes uid 0 inside be uid 100000 outside.
Ids with no mapping appear as the overflow id 65534 (``nobody``), the default
of ``/proc/sys/kernel/overflowuid``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from virtdocs.errors import UserError

#: /proc/sys/kernel/overflowuid and overflowgid default (user_namespaces(7)).
OVERFLOW_ID = 65534
#: Most lines a map may have since Linux 4.15 (it was 5 before).
MAX_EXTENTS = 340
#: Ids are 32-bit; (u32)-1 is never valid.
_ID_LIMIT = 2**32 - 1


@dataclass(frozen=True)
class Extent:
    """One line of a map."""

    inside: int
    outside: int
    count: int

    def render(self) -> str:
        """The kernel prints each field right-aligned in 10 columns."""
        return f"{self.inside:>10} {self.outside:>10} {self.count:>10}"


@dataclass(frozen=True)
class IdMap:
    """An ordered list of extents with no overlap on either side."""

    extents: tuple[Extent, ...] = ()

    @classmethod
    def identity(cls) -> IdMap:
        """The initial user namespace maps every id to itself."""
        return cls((Extent(0, 0, _ID_LIMIT),))

    @classmethod
    def parse(cls, text: str, *, where: str = "uid_map") -> IdMap:
        """Parse what a process writes to ``uid_map``; errors name the line.

        >>> IdMap.parse("0 100000 65536").to_outside(0)
        100000
        """
        extents: list[Extent] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            fields = line.split()
            if len(fields) != 3 or not all(f.isdigit() for f in fields):
                raise UserError(
                    f"{where}:{number}: expected 'inside outside count' as three "
                    f"non-negative integers, got {line.strip()!r}"
                )
            inside, outside, count = (int(f) for f in fields)
            if count == 0 or inside + count > _ID_LIMIT or outside + count > _ID_LIMIT:
                raise UserError(f"{where}:{number}: range {line.strip()!r} is empty or too large")
            extents.append(Extent(inside, outside, count))
        if not extents:
            raise UserError(f"{where}: a map needs at least one line")
        if len(extents) > MAX_EXTENTS:
            raise UserError(f"{where}: {len(extents)} lines, the kernel allows {MAX_EXTENTS}")
        for side in ("inside", "outside"):
            spans = sorted((getattr(e, side), getattr(e, side) + e.count) for e in extents)
            for (_, end), (start, _) in itertools.pairwise(spans):
                if start < end:
                    raise UserError(f"{where}: ranges overlap on the {side} side")
        return cls(tuple(extents))

    def to_outside(self, inside: int) -> int | None:
        """Map an id in the namespace to the parent namespace (None: unmapped)."""
        for e in self.extents:
            if e.inside <= inside < e.inside + e.count:
                return e.outside + (inside - e.inside)
        return None

    def to_inside(self, outside: int) -> int:
        """Map a parent id into the namespace; unmapped ids show as 65534."""
        for e in self.extents:
            if e.outside <= outside < e.outside + e.count:
                return e.inside + (outside - e.outside)
        return OVERFLOW_ID

    def render(self) -> str:
        """The text of ``/proc/PID/uid_map``."""
        return "".join(e.render() + "\n" for e in self.extents)
