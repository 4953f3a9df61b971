"""Billing against the documented prices and the announcement's worked example."""

from __future__ import annotations

import pytest

from virtdocs.errors import UserError
from virtdocs.serverless.billing import (
    FARGATE_SIZES,
    LambdaPrices,
    Workload,
    billed_duration,
    break_even_rate,
    fargate_task_cost,
    lambda_cost,
    monthly_costs,
    vm_cost,
)


def test_announcement_worked_example() -> None:
    # aws.amazon.com/blogs/aws/new-for-aws-lambda-1ms-billing-granularity-adds-cost-savings/:
    # 60 M invocations, 28 ms, 1 GB: $12 of requests; $100 of compute at 100 ms
    # granularity, $28 at 1 ms.
    new = lambda_cost(60_000_000, 0.02755, 1024)
    old = lambda_cost(60_000_000, 0.02755, 1024, LambdaPrices(granularity=0.1))
    assert new.requests == pytest.approx(12.0)
    assert new.compute == pytest.approx(28.0, rel=1e-5)
    assert old.compute == pytest.approx(100.0, rel=1e-5)


@pytest.mark.parametrize(
    ("seconds", "billed"),
    [(0.0, 0.0), (0.0001, 0.001), (0.001, 0.001), (0.028, 0.028), (0.0281, 0.029), (1.5, 1.5)],
)
def test_one_millisecond_granularity_without_minimum(seconds: float, billed: float) -> None:
    assert billed_duration(seconds) == billed


def test_free_tier_covers_the_first_million_requests_and_400k_gb_seconds() -> None:
    inside = lambda_cost(1_000_000, 0.1, 1024, free_tier=True)
    assert inside.total == pytest.approx(0.0, abs=1e-9)
    beyond = lambda_cost(3_000_000, 0.2, 1024, free_tier=True)  # 600,000 GB-s
    assert beyond.total == pytest.approx(2 * 0.20 + 200_000 * 0.0000166667)


def test_fargate_per_second_with_one_minute_minimum() -> None:
    hourly = 0.25 * 0.04048 + 0.5 * 0.004445
    assert fargate_task_cost(1, 0.25, 0.5) == pytest.approx(hourly * 60 / 3600)
    assert fargate_task_cost(60, 0.25, 0.5) == pytest.approx(hourly * 60 / 3600)
    assert fargate_task_cost(90.2, 0.25, 0.5) == pytest.approx(hourly * 91 / 3600)


def test_fargate_task_sizes_follow_the_documented_table() -> None:
    # docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html
    assert set(FARGATE_SIZES) == {0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0}
    valid = [(0.25, 0.5), (0.25, 2), (0.5, 4), (1, 8), (2, 16), (4, 30), (8, 60), (16, 32)]
    for vcpu, memory in valid:
        assert fargate_task_cost(60, vcpu, memory) > 0
    invalid = [(0.25, 1.5), (0.25, 3), (0.5, 0.5), (1, 9), (4, 31), (3, 8), (8, 18), (16, 124)]
    for vcpu, memory in invalid:
        with pytest.raises(UserError, match="Fargate has no task size"):
            fargate_task_cost(60, vcpu, memory)


def test_vm_costs_the_same_busy_or_idle() -> None:
    assert vm_cost(730) == pytest.approx(730 * 0.0208)
    quiet, busy = monthly_costs(Workload(rate=0.001)), monthly_costs(Workload(rate=40))
    assert quiet["vm"] == busy["vm"]
    assert quiet["function"] < 0.01 < busy["function"]


def test_break_even_is_where_the_costs_meet() -> None:
    workload = Workload(rate=1.0, duration=0.1, memory_mb=512)
    for other in ("vm", "container"):
        rate = break_even_rate(workload, other)
        at = monthly_costs(Workload(rate=rate, duration=0.1, memory_mb=512))
        assert at["function"] == pytest.approx(at[other], rel=1e-3)
    assert break_even_rate(workload, "container") < break_even_rate(workload, "vm")


def test_more_replicas_when_one_is_not_enough() -> None:
    assert Workload(rate=10, per_replica=50).replicas == 1
    assert Workload(rate=120, per_replica=50).replicas == 3
    assert Workload(rate=0).replicas == 1  # neither a service nor a VM scales to zero


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: lambda_cost(-1, 0.1, 128), "requests must be a whole number"),
        (lambda: lambda_cost(1, -0.1, 128), "duration"),
        (lambda: lambda_cost(1, 0.1, 100), "memory_mb must be an integer 128-10240"),
        (lambda: fargate_task_cost(0, 0.25, 0.5), "seconds"),
        (lambda: vm_cost(-1), "hours"),
        (lambda: Workload(rate=-1), "rate"),
        (lambda: break_even_rate(Workload(rate=1), "mainframe"), "expected 'vm' or 'container'"),
    ],
)
def test_bad_input(call: object, message: str) -> None:
    with pytest.raises(UserError, match=message):
        call()  # type: ignore[operator]


def test_api_errors_name_no_cli_flag() -> None:
    # `--duration` is the simulated time of `serverless simulate`, not a request's duration.
    with pytest.raises(UserError) as caught:
        lambda_cost(5, -0.1, 128)
    assert str(caught.value) == "billed duration must be a finite number >= 0 seconds, got -0.1"
