"""Platform settings: defaults in one place, each with where it comes from, validated once.

Loading follows Knative's pattern: defaults, then overrides, then ``validate``;
an error names the setting (and its CLI flag), the bad value and what is allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from virtdocs.errors import UserError
from virtdocs.serverless.routing import ROUTING_POLICIES

#: SimFaaS 0.2.2 ``ServerlessSimulator(expiration_threshold=600)``: an idle instance
#: is kept for 10 minutes after its last request.
DEFAULT_KEEP_ALIVE = 600.0
#: AWS Lambda's default per-Region concurrency quota is 1,000 concurrent executions
#: (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html); SimFaaS 0.2.2
#: uses the same default for ``maximum_concurrency``.
DEFAULT_MAX_CONCURRENCY = 1000
#: AWS Lambda runs one request per execution environment at a time.
DEFAULT_INSTANCE_CONCURRENCY = 1
#: AWS Lambda and SimFaaS route to the most recently created free instance.
DEFAULT_ROUTING = "newest"


@dataclass(frozen=True, slots=True)
class PlatformConfig:
    """How the platform serves one function.

    ``warm_mean`` and ``cold_mean`` are mean response times (seconds, exponential
    as in SimFaaS) of a request served by a warm instance and of one that had to
    start a new instance first. ``max_concurrency`` caps requests in flight for
    the function (the throttling limit); ``instance_concurrency`` is how many
    requests one instance serves at once (1 on Lambda, e.g. 100 on Knative).

    >>> PlatformConfig(warm_mean=2.016, cold_mean=2.163).keep_alive
    600.0
    >>> PlatformConfig(warm_mean=0, cold_mean=2.163)
    Traceback (most recent call last):
    virtdocs.errors.UserError: warm_mean (--warm-mean) must be a finite number > 0 seconds, got 0
    """

    warm_mean: float
    cold_mean: float
    keep_alive: float = DEFAULT_KEEP_ALIVE
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    instance_concurrency: int = DEFAULT_INSTANCE_CONCURRENCY
    routing: str = DEFAULT_ROUTING

    def __post_init__(self) -> None:
        positive("warm_mean", self.warm_mean, "seconds")
        positive("cold_mean", self.cold_mean, "seconds")
        non_negative("keep_alive", self.keep_alive, "seconds")
        at_least_one("max_concurrency", self.max_concurrency)
        at_least_one("instance_concurrency", self.instance_concurrency)
        if self.routing not in ROUTING_POLICIES:
            known = ", ".join(ROUTING_POLICIES)
            raise UserError(f"routing (--routing) must be one of {known}, got {self.routing!r}")


#: Settings that are also ``virtdocs serverless`` options; only these get "(--flag)"
#: in messages, so an error from the Python API never names a flag that does not exist.
CLI_SETTINGS = frozenset(
    {
        "arrival_rate",
        "warm_mean",
        "cold_mean",
        "keep_alive",
        "duration",
        "max_concurrency",
        "instance_concurrency",
        "routing",
        "until",
    }
)


def _flag(name: str) -> str:
    if name not in CLI_SETTINGS:
        return name
    return f"{name} (--{name.replace('_', '-')})"


def positive(name: str, value: float, unit: str) -> None:
    """Raise a one-line error unless ``value`` is finite and > 0."""
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise UserError(f"{_flag(name)} must be a finite number > 0 {unit}, got {value!r}")


def non_negative(name: str, value: float, unit: str) -> None:
    """Raise a one-line error unless ``value`` is finite and >= 0."""
    if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
        raise UserError(f"{_flag(name)} must be a finite number >= 0 {unit}, got {value!r}")


def at_least_one(name: str, value: int) -> None:
    """Raise a one-line error unless ``value`` is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UserError(f"{_flag(name)} must be an integer >= 1, got {value!r}")
