"""A simulated clock and its event heap: the only thing that moves time forward.

Like SimPy's environment, events wait in one heap keyed by
``(time, priority, sequence)``; the sequence keeps equal-time events in the
order they were scheduled, so every run with the same seed is identical.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

#: Simulated time zero. Fixed, so timestamps in pages never change between builds.
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(order=True)
class _Entry:
    time: float
    priority: int
    sequence: int
    action: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Timer:
    """A handle to a scheduled action; ``cancel()`` stops it from running."""

    def __init__(self, entry: _Entry) -> None:
        self._entry = entry

    def cancel(self) -> None:
        self._entry.cancelled = True

    @property
    def when(self) -> float:
        return self._entry.time


class Clock:
    """Seconds since :data:`EPOCH`, advanced only by :meth:`run_until`."""

    def __init__(self) -> None:
        self.now: float = 0.0
        self._heap: list[_Entry] = []
        self._sequence = 0

    def call_at(self, when: float, action: Callable[[], None], *, priority: int = 0) -> Timer:
        if when < self.now:
            raise ValueError(f"cannot schedule in the past: {when} < now {self.now}")
        self._sequence += 1
        entry = _Entry(when, priority, self._sequence, action)
        heapq.heappush(self._heap, entry)
        return Timer(entry)

    def call_later(self, delay: float, action: Callable[[], None], *, priority: int = 0) -> Timer:
        return self.call_at(self.now + max(delay, 0.0), action, priority=priority)

    def next_time(self) -> float | None:
        """When the next live event fires, or ``None`` for an empty schedule."""
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0].time if self._heap else None

    def step(self) -> bool:
        """Run the next event; ``False`` when the schedule is empty."""
        when = self.next_time()
        if when is None:
            return False
        entry = heapq.heappop(self._heap)
        self.now = entry.time
        entry.action()
        return True

    def datetime(self, seconds: float | None = None) -> datetime:
        return EPOCH + timedelta(seconds=self.now if seconds is None else seconds)


def rfc3339(seconds: float) -> str:
    """``2024-01-01T00:00:05Z``: how the API server writes timestamps."""
    return (EPOCH + timedelta(seconds=int(seconds))).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(text: str) -> float:
    """Seconds since :data:`EPOCH` for a timestamp written by :func:`rfc3339`."""
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return (moment - EPOCH).total_seconds()
