"""What a platform run measured: counts, probabilities, time averages, latency."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

#: The keys of ``virtdocs serverless simulate --json`` (contract in design.md).
CONTRACT_KEYS = (
    "requests",
    "cold_start_probability",
    "rejection_probability",
    "average_instances",
    "average_running",
    "average_idle",
    "utilization",
)


@dataclass(frozen=True, slots=True)
class Sample:
    """The platform's state at one instant (for charts of instances over time)."""

    time: float
    instances: int
    running: int
    in_flight: int


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """Everything one run measured over ``[0, duration]``.

    Probabilities are per request (a rejected request counts in the denominator,
    as in SimFaaS). Averages are time averages over the whole run. ``utilization``
    is the share of instance-time spent serving (running / instances).
    ``average_lifespan`` is creation to expiry, over the instances that expired.
    Latencies are response times of accepted requests.
    """

    duration: float
    requests: int
    cold_starts: int
    warm_starts: int
    rejections: int
    average_instances: float
    average_running: float
    average_idle: float
    average_in_flight: float
    instances_created: int
    instances_expired: int
    max_instances: int
    average_lifespan: float
    mean_latency: float
    latency_p50: float
    latency_p95: float
    latency_p99: float
    samples: tuple[Sample, ...] = field(default=(), repr=False)

    @property
    def cold_start_probability(self) -> float:
        return self.cold_starts / self.requests if self.requests else 0.0

    @property
    def rejection_probability(self) -> float:
        return self.rejections / self.requests if self.requests else 0.0

    @property
    def utilization(self) -> float:
        if self.average_instances == 0:
            return 0.0
        return self.average_running / self.average_instances

    @property
    def throughput(self) -> float:
        """Accepted requests per second."""
        return (self.cold_starts + self.warm_starts) / self.duration

    def contract(self) -> dict[str, float | int]:
        """The ``--json`` document of ``virtdocs serverless simulate``."""
        return {key: getattr(self, key) for key in CONTRACT_KEYS}

    def summary(self) -> dict[str, float | int]:
        """Every scalar measurement, for tables and comparisons."""
        values = {k: v for k, v in asdict(self).items() if k != "samples"}
        values.update(
            cold_start_probability=self.cold_start_probability,
            rejection_probability=self.rejection_probability,
            utilization=self.utilization,
        )
        return values
