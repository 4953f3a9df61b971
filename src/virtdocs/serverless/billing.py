"""What running the same work costs: a function, a serverless container, an always-on VM.

Prices (US dollars, US East (N. Virginia), x86), each with its source:

* AWS Lambda, as of the December 2020 change to 1 ms billing granularity
  (https://aws.amazon.com/blogs/aws/new-for-aws-lambda-1ms-billing-granularity-adds-cost-savings/):
  $0.20 per million requests and $0.0000166667 per GB-second, duration rounded
  up to the next millisecond, no minimum; free tier of 1 million requests and
  400,000 GB-seconds a month (https://aws.amazon.com/lambda/pricing/).
* AWS Fargate (https://aws.amazon.com/fargate/pricing/): $0.04048 per vCPU-hour
  and $0.004445 per GB-hour, billed per second with a one-minute minimum.
* An always-on EC2 t3.small (2 vCPU, 2 GiB), on demand: $0.0208 per hour
  (https://aws.amazon.com/ec2/pricing/on-demand/).

Months are 730 hours, as AWS prices them. Everything here is arithmetic on its
arguments; nothing reads a clock or a price list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from virtdocs.errors import UserError
from virtdocs.serverless.config import non_negative, positive
from virtdocs.serverless.functions import MAX_MEMORY_MB, MIN_MEMORY_MB

HOURS_PER_MONTH = 730.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600


@dataclass(frozen=True, slots=True)
class LambdaPrices:
    per_million_requests: float = 0.20
    per_gb_second: float = 0.0000166667
    granularity: float = 0.001  # seconds: 1 ms since December 2020 (100 ms before)
    free_requests: int = 1_000_000
    free_gb_seconds: float = 400_000.0


@dataclass(frozen=True, slots=True)
class FargatePrices:
    per_vcpu_hour: float = 0.04048
    per_gb_hour: float = 0.004445
    minimum_seconds: float = 60.0


@dataclass(frozen=True, slots=True)
class VmPrices:
    name: str = "t3.small"
    per_hour: float = 0.0208
    vcpus: float = 2.0
    memory_gb: float = 2.0


#: Fargate task sizes: vCPU -> allowed memory in GB (inclusive range, step)
#: (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html).
FARGATE_SIZES: dict[float, tuple[float, float, float]] = {
    0.25: (0.5, 2.0, 0.5),  # only 0.5, 1 or 2 GB (checked in _fargate_memory_ok)
    0.5: (1.0, 4.0, 1.0),
    1.0: (2.0, 8.0, 1.0),
    2.0: (4.0, 16.0, 1.0),
    4.0: (8.0, 30.0, 1.0),
    8.0: (16.0, 60.0, 4.0),  # Linux platform 1.4.0 or later
    16.0: (32.0, 120.0, 8.0),  # Linux platform 1.4.0 or later
}


@dataclass(frozen=True, slots=True)
class Cost:
    """A bill split into what it is for."""

    requests: float = 0.0
    compute: float = 0.0
    free_tier: float = 0.0  # a credit, <= 0

    @property
    def total(self) -> float:
        return self.requests + self.compute + self.free_tier


def billed_duration(seconds: float, granularity: float = 0.001) -> float:
    """A Lambda duration rounded up to the billing granularity.

    >>> billed_duration(0.02755)   # the announcement's example: 27.55 ms -> 28 ms
    0.028
    >>> billed_duration(0.02755, granularity=0.1)   # before December 2020
    0.1
    """
    non_negative("billed duration", seconds, "seconds")
    # Round first so that 0.028 s is not billed as 29 ms because of binary floats.
    units = math.ceil(round(seconds / granularity, 9))
    return round(units * granularity, 9)


def lambda_cost(
    requests: int,
    duration: float,
    memory_mb: int,
    prices: LambdaPrices | None = None,
    *,
    free_tier: bool = False,
) -> Cost:
    """A month of ``requests`` invocations, each running ``duration`` seconds.

    The announcement's worked example: 60 million invocations of 28 ms at 1 GB.

    >>> cost = lambda_cost(60_000_000, 0.028, 1024)
    >>> round(cost.requests, 2), round(cost.compute, 2), round(cost.total, 2)
    (12.0, 28.0, 40.0)
    """
    prices = prices or LambdaPrices()
    if isinstance(requests, bool) or not isinstance(requests, int) or requests < 0:
        raise UserError(f"requests must be a whole number >= 0, got {requests!r}")
    _memory(memory_mb)
    gb_seconds = requests * billed_duration(duration, prices.granularity) * memory_mb / 1024
    request_cost = requests * prices.per_million_requests / 1e6
    compute = gb_seconds * prices.per_gb_second
    credit = 0.0
    if free_tier:
        credit = -(
            min(requests, prices.free_requests) * prices.per_million_requests / 1e6
            + min(gb_seconds, prices.free_gb_seconds) * prices.per_gb_second
        )
    return Cost(requests=request_cost, compute=compute, free_tier=credit)


def _memory(memory_mb: int) -> None:
    if (
        isinstance(memory_mb, bool)
        or not isinstance(memory_mb, int)
        or not (MIN_MEMORY_MB <= memory_mb <= MAX_MEMORY_MB)
    ):
        raise UserError(
            f"memory_mb must be an integer {MIN_MEMORY_MB}-{MAX_MEMORY_MB} MB, got {memory_mb!r}"
        )


def _fargate_memory_ok(vcpu: float, memory_gb: float) -> bool:
    if vcpu not in FARGATE_SIZES:
        return False
    low, high, step = FARGATE_SIZES[vcpu]
    if vcpu == 0.25:
        return memory_gb in (0.5, 1.0, 2.0)
    return low <= memory_gb <= high and float(memory_gb / step).is_integer()


def fargate_task_cost(
    seconds: float, vcpu: float, memory_gb: float, prices: FargatePrices | None = None
) -> float:
    """One task running ``seconds``: per second, rounded up, at least one minute.

    >>> round(fargate_task_cost(10, 0.25, 0.5), 6)    # a 10 s job pays for 60 s
    0.000206
    >>> round(fargate_task_cost(3600, 1, 2), 5)      # an hour of 1 vCPU + 2 GB
    0.04937
    """
    prices = prices or FargatePrices()
    positive("seconds", seconds, "seconds")
    if not _fargate_memory_ok(float(vcpu), float(memory_gb)):
        sizes = ", ".join(f"{v:g}" for v in FARGATE_SIZES)
        raise UserError(
            f"Fargate has no task size {vcpu:g} vCPU / {memory_gb:g} GB "
            f"(vCPU is one of {sizes}, with memory in the range the docs list for it)"
        )
    billed = max(math.ceil(seconds), prices.minimum_seconds)
    hourly = vcpu * prices.per_vcpu_hour + memory_gb * prices.per_gb_hour
    return hourly * billed / 3600


def vm_cost(hours: float, prices: VmPrices | None = None) -> float:
    """An always-on VM: every hour costs the same, busy or idle."""
    prices = prices or VmPrices()
    non_negative("hours", hours, "hours")
    return hours * prices.per_hour


@dataclass(frozen=True, slots=True)
class Workload:
    """Steady traffic for a month: ``rate`` requests/s, each busy ``duration`` s.

    ``per_replica`` is how many requests per second one container task or VM
    serves (a modelling assumption, stated on the billing page); replicas are
    always on and never fewer than one, because neither a Fargate service nor a
    VM scales to zero by itself.
    """

    rate: float
    duration: float = 0.1
    memory_mb: int = 512
    per_replica: float = 50.0

    def __post_init__(self) -> None:
        non_negative("Workload.rate", self.rate, "requests per second")
        positive("Workload.duration", self.duration, "seconds")
        positive("Workload.per_replica", self.per_replica, "requests per second")
        _memory(self.memory_mb)

    @property
    def requests_per_month(self) -> int:
        return round(self.rate * SECONDS_PER_MONTH)

    @property
    def replicas(self) -> int:
        return max(1, math.ceil(self.rate / self.per_replica))


def monthly_costs(
    workload: Workload,
    *,
    task_vcpu: float = 0.25,
    task_memory_gb: float = 0.5,
    lambda_prices: LambdaPrices | None = None,
    fargate: FargatePrices | None = None,
    vm: VmPrices | None = None,
) -> dict[str, float]:
    """One month of the workload on each platform, in dollars (no free tier).

    >>> costs = monthly_costs(Workload(rate=1.0))
    >>> {name: round(value, 2) for name, value in costs.items()}
    {'function': 2.72, 'container': 9.01, 'vm': 15.18}
    """
    function = lambda_cost(
        workload.requests_per_month, workload.duration, workload.memory_mb, lambda_prices
    )
    task_month = fargate_task_cost(SECONDS_PER_MONTH, task_vcpu, task_memory_gb, fargate)
    return {
        "function": function.total,
        "container": workload.replicas * task_month,
        "vm": workload.replicas * vm_cost(HOURS_PER_MONTH, vm),
    }


def break_even_rate(
    workload: Workload, other: str = "vm", *, lambda_prices: LambdaPrices | None = None
) -> float:
    """The request rate (per second) at which the function costs as much as one
    always-on ``other`` replica (``"vm"`` or ``"container"``).

    The function's cost is linear in the rate, so the answer is a division.

    >>> round(break_even_rate(Workload(rate=1.0)), 2)
    5.59
    """
    if other not in ("vm", "container"):
        raise UserError(f"break-even against {other!r}: expected 'vm' or 'container'")
    one = Workload(
        rate=1.0,
        duration=workload.duration,
        memory_mb=workload.memory_mb,
        per_replica=workload.per_replica,
    )
    at_one_per_second = monthly_costs(one, lambda_prices=lambda_prices)
    return at_one_per_second[other] / at_one_per_second["function"]
