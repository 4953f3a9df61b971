"""Streaming statistics: memory stays the same however many requests a run has.

A simulation of 10^6 seconds sees about a million requests; keeping each latency
in a list would make memory grow with the run. Instead, latencies go into a
:class:`LatencyHistogram` with a fixed number of logarithmic buckets (every
percentile is exact to within the bucket's relative width, 1 % by default), and
means are running sums.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from virtdocs.errors import UserError

_log = math.log


class LatencyHistogram:
    """Fixed-size log-bucketed histogram of positive durations (seconds).

    Bucket ``i`` holds values in ``[low * g**i, low * g**(i+1))`` with growth
    ``g = 1 + precision``; values below ``low`` land in bucket 0 and values above
    ``high`` in the last one, and the exact minimum and maximum are kept, so a
    percentile is never reported outside the observed range.

    >>> h = LatencyHistogram()
    >>> for value in (0.1, 0.2, 0.3, 0.4, 10.0):
    ...     h.add(value)
    >>> h.count, round(h.mean, 2)
    (5, 2.2)
    >>> abs(h.percentile(50) - 0.3) / 0.3 < 0.01
    True
    >>> h.percentile(100)
    10.0
    """

    __slots__ = (
        "_counts",
        "_inverse_log_growth",
        "_last",
        "_log_growth",
        "_log_low",
        "_low",
        "count",
        "maximum",
        "minimum",
        "total",
    )

    def __init__(self, low: float = 1e-6, high: float = 1e6, precision: float = 0.01) -> None:
        if not 0 < low < high:
            raise UserError(f"histogram range must satisfy 0 < low < high, got {low}..{high}")
        if not 0 < precision < 1:
            raise UserError(f"histogram precision must be in (0, 1), got {precision}")
        self._low = low
        self._log_growth = math.log1p(precision)
        size = math.ceil(math.log(high / low) / self._log_growth) + 1
        self._counts = [0] * size
        self._last = size - 1
        self._log_low = math.log(low)
        self._inverse_log_growth = 1.0 / self._log_growth
        self.count = 0
        self.total = 0.0
        self.minimum = math.inf
        self.maximum = -math.inf

    @property
    def buckets(self) -> int:
        """How many buckets the histogram holds (fixed when it is created)."""
        return len(self._counts)

    def add(self, value: float) -> None:
        """Record one duration (called once per request: kept to plain comparisons)."""
        index = 0
        if value > self._low:
            index = int((_log(value) - self._log_low) * self._inverse_log_growth)
            if index > self._last:  # noqa: PLR1730 - a comparison is cheaper than min()
                index = self._last
        self._counts[index] += 1
        self.count += 1
        self.total += value
        if value < self.minimum:  # noqa: PLR1730 - hot path: no builtin call
            self.minimum = value
        if value > self.maximum:  # noqa: PLR1730 - hot path: no builtin call
            self.maximum = value

    @property
    def mean(self) -> float:
        """The exact mean (a running sum, not bucketed); 0.0 when empty."""
        return self.total / self.count if self.count else 0.0

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile (0 < q <= 100), as the midpoint of its bucket.

        Returns 0.0 for an empty histogram: no requests, no latency.
        """
        if not 0 < q <= 100:
            raise UserError(f"percentile must be in (0, 100], got {q}")
        if self.count == 0:
            return 0.0
        rank = math.ceil(q / 100 * self.count)
        if rank >= self.count:
            return self.maximum  # the largest value is known exactly
        seen = 0
        for index, bucket in enumerate(self._counts):
            seen += bucket
            if seen >= rank:
                # Geometric midpoint of the bucket: error at most half its width.
                middle = self._low * math.exp((index + 0.5) * self._log_growth)
                return min(max(middle, self.minimum), self.maximum)
        return self.maximum  # pragma: no cover - the loop always reaches rank


@dataclass(slots=True)
class RunningMean:
    """Mean of a stream of numbers without keeping them."""

    count: int = 0
    total: float = 0.0

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0
