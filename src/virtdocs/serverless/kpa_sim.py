"""A Knative service under load: metrics, the KPA's decisions, pods, and the activator.

Time advances in 1 s steps (Knative's metric bucket size). Each second the
concurrency the service sees is ``rate x service_time`` (Little's law on the
offered load). Those values go into the stable and panic windows; every
``tick_interval`` the pure :func:`~virtdocs.serverless.kpa.decide` picks a pod
count. While no pod is ready, requests wait in the activator, which pokes the
autoscaler at once instead of waiting for the next tick (Knative's scale from
zero). The last pod goes only after ``scale_to_zero_grace_period`` of the
autoscaler asking for zero. New pods become ready after ``pod_start`` seconds,
a property of the image and node, not of Knative (a parameter here).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from virtdocs.errors import UserError
from virtdocs.serverless.config import non_negative, positive
from virtdocs.serverless.kpa import KpaConfig, PanicState, decide


class WindowAverage:
    """Average of per-second values over the last ``window`` seconds (fixed memory)."""

    def __init__(self, window: float) -> None:
        self._size = max(1, round(window))
        self._values: deque[float] = deque(maxlen=self._size)
        self._total = 0.0

    def record(self, value: float) -> None:
        if len(self._values) == self._size:
            self._total -= self._values[0]
        self._values.append(value)
        self._total += value

    def average(self) -> float:
        return self._total / len(self._values) if self._values else 0.0


@dataclass(frozen=True, slots=True)
class KpaSample:
    """One second of the run."""

    time: float
    rate: float  # requests per second offered
    concurrency: float  # requests in flight the service must carry
    desired: int
    ready: int
    panicking: bool
    buffered: float  # requests waiting in the activator (no pod ready)


class Autoscaler:
    """Knative's autoscaler and KPA reconciler around the pure :func:`decide`.

    Each second, ``observe`` records the concurrency the service carries; on
    every tick (and at once when the activator pokes it) it decides, applies
    ``min-scale``/``max-scale``, and keeps the last pod through the
    scale-to-zero grace period. It returns the pod count wanted right now.
    """

    def __init__(self, config: KpaConfig | None = None, *, initial_pods: int = 0) -> None:
        self.config = config or KpaConfig()
        self._stable = WindowAverage(self.config.stable_window)
        self._panic = WindowAverage(self.config.panic_window)
        self.state = PanicState()
        self.desired = initial_pods
        self._zero_since: float | None = None
        self._next_tick = 0.0

    def observe(self, now: float, concurrency: float, ready: int, current: int) -> int:
        """Record a second of load with ``ready`` pods serving and ``current`` pods in all."""
        config = self.config
        self._stable.record(concurrency)
        self._panic.record(concurrency)
        poke = concurrency > 0 and ready == 0 and self.desired == 0  # the activator
        if now < self._next_tick and not poke:
            return self.desired
        decision = decide(
            now,
            self._stable.average(),
            self._panic.average(),
            ready,
            config=config,
            state=self.state,
        )
        self.state = decision.state
        wanted = max(decision.desired_pods, config.min_scale)
        if config.max_scale:
            wanted = min(wanted, config.max_scale)
        if poke:
            wanted = max(wanted, 1)
        if wanted > 0:
            self._zero_since = None
        elif current > 0:
            if not config.enable_scale_to_zero:
                wanted = 1
            else:
                self._zero_since = now if self._zero_since is None else self._zero_since
                if now - self._zero_since < config.scale_to_zero_grace_period:
                    wanted = 1  # keep the last pod through the grace period
        self.desired = wanted
        if now >= self._next_tick:
            self._next_tick = now + config.tick_interval
        return wanted

    @property
    def panicking(self) -> bool:
        return self.state.panic_since is not None


def simulate_kpa(
    rates: Sequence[float],
    service_time: float,
    config: KpaConfig | None = None,
    *,
    pod_start: float = 3.0,
    initial_pods: int | None = None,
) -> list[KpaSample]:
    """Run the service for ``len(rates)`` seconds, ``rates[t]`` requests/s in second t.

    >>> burst = [0.0] * 10 + [200.0] * 60 + [0.0] * 200
    >>> samples = simulate_kpa(burst, service_time=1.0, initial_pods=0)
    >>> max(s.ready for s in samples), samples[-1].ready
    (3, 0)
    """
    config = config or KpaConfig()
    positive("service_time", service_time, "seconds")
    non_negative("pod_start", pod_start, "seconds")
    for second, rate in enumerate(rates):
        if not (math.isfinite(rate) and rate >= 0):
            raise UserError(f"rates[{second}] = {rate!r}: a rate must be a finite number >= 0")
    ready = config.initial_scale if initial_pods is None else initial_pods
    autoscaler = Autoscaler(config, initial_pods=ready)
    starting: list[float] = []  # times at which pods that were started become ready
    samples: list[KpaSample] = []
    for second, rate in enumerate(rates):
        now = float(second)
        ready += sum(1 for t in starting if t <= now)
        starting = [t for t in starting if t > now]
        concurrency = rate * service_time
        buffered = concurrency if ready == 0 else 0.0
        desired = autoscaler.observe(now, concurrency, ready, ready + len(starting))
        current = ready + len(starting)
        if desired > current:
            if pod_start == 0:
                ready += desired - current
            else:
                starting += [now + pod_start] * (desired - current)
        elif desired < current:
            surplus = current - desired
            drop_starting = min(surplus, len(starting))
            starting = starting[: len(starting) - drop_starting]
            ready -= surplus - drop_starting
        samples.append(
            KpaSample(now, rate, concurrency, desired, ready, autoscaler.panicking, buffered)
        )
    return samples
