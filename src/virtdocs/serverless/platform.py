"""The function platform: a discrete-event simulation of one function's instances.

An instance is created by a request that finds no free instance (a cold start),
serves requests (running), waits (idle) and is removed once it has been idle for
the keep-alive (expired). Requests beyond the concurrency limit are rejected
(throttled). Every event sits on one heap keyed ``(time, priority, sequence)``;
at equal times a departure comes before an expiry, and an expiry before an
arrival, so an instance is free the instant its request ends and gone the instant
its keep-alive ends. The core never prints or reads a clock; it returns a
:class:`~virtdocs.serverless.result.SimulationResult`.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Iterable, Iterator
from enum import Enum

from virtdocs.errors import UserError
from virtdocs.serverless.config import PlatformConfig, positive
from virtdocs.serverless.result import Sample, SimulationResult
from virtdocs.serverless.routing import FreePool, routing_policy
from virtdocs.serverless.stats import LatencyHistogram, RunningMean


class InstanceState(Enum):
    """The life of an instance: COLD -> (WARM <-> IDLE)* -> EXPIRED."""

    COLD = "cold"  # starting up while serving the request that created it
    WARM = "warm"  # serving at least one request
    IDLE = "idle"  # serving nothing, counting down its keep-alive
    EXPIRED = "expired"


COLD, WARM, IDLE, EXPIRED = InstanceState

# Event priorities at equal times (see the module docstring).
_DEPARTURE, _EXPIRY, _ARRIVAL = 0, 1, 2


class Instance:
    """One function instance (an execution environment)."""

    __slots__ = ("active", "created", "expiry_pending", "ident", "idle_since", "state")

    def __init__(self, ident: int, created: float) -> None:
        self.ident = ident
        self.created = created
        self.state = COLD
        self.active = 1
        self.idle_since = created
        # At most one expiry event per instance sits on the heap; when it fires
        # early (the instance was used since), it is pushed again for the new
        # deadline. One push per keep-alive period instead of one per request.
        self.expiry_pending = False

    def move(self, expected: InstanceState, new: InstanceState) -> None:
        """The one way an instance changes state; checks the state it leaves."""
        if self.state is not expected:
            raise RuntimeError(
                f"instance {self.ident}: {expected.value} -> {new.value} "
                f"attempted while {self.state.value}"
            )
        self.state = new


def poisson_arrivals(rate: float, rng: random.Random) -> Iterator[float]:
    """Arrival times of a Poisson process with ``rate`` requests per second."""
    positive("arrival_rate", rate, "requests per second")
    t = 0.0
    uniform, log = rng.random, math.log
    while True:
        t += -log(1.0 - uniform()) / rate  # random.expovariate, inlined: same values
        yield t


def simulate(
    config: PlatformConfig,
    arrivals: Iterable[float],
    duration: float,
    rng: random.Random,
    *,
    sample_every: float | None = None,
) -> SimulationResult:
    """Serve ``arrivals`` (non-decreasing times, seconds) until ``duration``.

    ``rng`` draws service times (and random routing). With ``sample_every``, the
    result also holds the state every that many seconds (for charts); memory
    otherwise stays constant in the number of requests.
    """
    positive("duration", duration, "seconds")
    if sample_every is not None:
        positive("sample_every", sample_every, "seconds")
    route = routing_policy(config.routing).choose
    capacity = config.instance_concurrency
    limit = config.max_concurrency
    keep_alive = config.keep_alive
    warm_rate, cold_rate = 1.0 / config.warm_mean, 1.0 / config.cold_mean
    uniform, log = rng.random, math.log  # random.expovariate, inlined below
    push, pop = heapq.heappush, heapq.heappop
    sequence = itertools.count()
    heap: list[tuple[float, int, int, Instance | None]] = []
    pool: FreePool[Instance] = FreePool()
    latencies = LatencyHistogram()
    record = latencies.add
    lifespans = RunningMean()
    source = iter(arrivals)

    requests = colds = warms = rejections = created = max_instances = 0
    instances = running = in_flight = 0
    area_instances = area_running = area_in_flight = 0.0
    last = 0.0
    samples: list[Sample] = []
    every = sample_every if sample_every is not None else math.inf
    next_sample = 0.0 if sample_every is not None else math.inf

    first = next(source, None)
    if first is not None:
        push(heap, (first, _ARRIVAL, next(sequence), None))
    while heap and heap[0][0] <= duration:
        now, kind, _, instance = pop(heap)
        while next_sample <= now:
            samples.append(Sample(next_sample, instances, running, in_flight))
            next_sample += every
        elapsed = now - last
        area_instances += instances * elapsed
        area_running += running * elapsed
        area_in_flight += in_flight * elapsed
        last = now

        if kind == _ARRIVAL:
            requests += 1
            following = next(source, None)
            if following is not None:
                if following < now:
                    raise UserError(f"arrival times must not decrease: {following} after {now}")
                push(heap, (following, _ARRIVAL, next(sequence), None))
            if in_flight >= limit:
                rejections += 1
                continue
            in_flight += 1
            if pool:
                instance = route(pool, rng)
                if instance.active == 0:
                    instance.move(IDLE, WARM)
                    running += 1
                instance.active += 1
                if instance.active == capacity:
                    pool.remove(instance)
                service = -log(1.0 - uniform()) / warm_rate
                warms += 1
            else:
                created += 1
                instance = Instance(created, now)
                instances += 1
                running += 1
                max_instances = max(max_instances, instances)
                service = -log(1.0 - uniform()) / cold_rate
                colds += 1
            record(service)
            push(heap, (now + service, _DEPARTURE, next(sequence), instance))
        elif kind == _DEPARTURE:
            assert instance is not None
            in_flight -= 1
            instance.active -= 1
            if instance.state is COLD:
                instance.move(COLD, WARM)
                pool.add(instance)
            elif instance.active == capacity - 1:
                pool.add(instance)  # it was full; now it has room again
            if instance.active == 0:
                instance.move(WARM, IDLE)
                running -= 1
                instance.idle_since = now
                if not instance.expiry_pending:
                    instance.expiry_pending = True
                    push(heap, (now + keep_alive, _EXPIRY, next(sequence), instance))
        else:
            assert instance is not None
            if instance.state is not IDLE:
                instance.expiry_pending = False  # busy again; its next idle spell re-arms it
            elif now < instance.idle_since + keep_alive:
                push(heap, (instance.idle_since + keep_alive, _EXPIRY, next(sequence), instance))
            else:
                instance.expiry_pending = False
                instance.move(IDLE, EXPIRED)
                pool.remove(instance)
                instances -= 1
                lifespans.add(now - instance.created)

    while next_sample <= duration:
        samples.append(Sample(next_sample, instances, running, in_flight))
        next_sample += every
    elapsed = duration - last
    area_instances += instances * elapsed
    area_running += running * elapsed
    area_in_flight += in_flight * elapsed
    return SimulationResult(
        duration=duration,
        requests=requests,
        cold_starts=colds,
        warm_starts=warms,
        rejections=rejections,
        average_instances=area_instances / duration,
        average_running=area_running / duration,
        average_idle=(area_instances - area_running) / duration,
        average_in_flight=area_in_flight / duration,
        instances_created=created,
        instances_expired=lifespans.count,
        max_instances=max_instances,
        average_lifespan=lifespans.mean,
        mean_latency=latencies.mean,
        latency_p50=latencies.percentile(50),
        latency_p95=latencies.percentile(95),
        latency_p99=latencies.percentile(99),
        samples=tuple(samples),
    )


def simulate_poisson(
    config: PlatformConfig, arrival_rate: float, duration: float, seed: int = 0
) -> SimulationResult:
    """One seeded run with Poisson arrivals: what ``virtdocs serverless simulate`` does.

    >>> config = PlatformConfig(warm_mean=2.016, cold_mean=2.163, keep_alive=600)
    >>> result = simulate_poisson(config, arrival_rate=0.9, duration=10_000, seed=1)
    >>> result.requests > 8_000, result.cold_start_probability < 0.01
    (True, True)
    """
    rng = random.Random(seed)
    arrivals = poisson_arrivals(arrival_rate, random.Random(rng.getrandbits(64)))
    return simulate(config, arrivals, duration, rng)
