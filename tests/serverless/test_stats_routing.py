"""Streaming statistics and routing pools."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtdocs.errors import UserError
from virtdocs.serverless.routing import FreePool, routing_policy
from virtdocs.serverless.stats import LatencyHistogram, RunningMean


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(1e-4, 1e4), min_size=1, max_size=300),
    q=st.sampled_from([1, 25, 50, 90, 95, 99, 100]),
)
def test_percentiles_are_within_the_bucket_precision(values: list[float], q: int) -> None:
    histogram = LatencyHistogram(precision=0.01)
    for value in values:
        histogram.add(value)
    exact = sorted(values)[math.ceil(q / 100 * len(values)) - 1]
    assert histogram.percentile(q) == pytest.approx(exact, rel=0.011)
    assert histogram.mean == pytest.approx(sum(values) / len(values))


def test_histogram_size_is_fixed() -> None:
    histogram = LatencyHistogram()
    size = histogram.buckets
    for i in range(10_000):
        histogram.add(1e-9 + i)  # below, inside and above the range
    assert histogram.buckets == size
    assert histogram.percentile(100) == histogram.maximum


def test_empty_and_bad_percentiles() -> None:
    assert LatencyHistogram().percentile(50) == 0.0
    with pytest.raises(UserError, match="percentile"):
        LatencyHistogram().percentile(0)
    with pytest.raises(UserError, match="precision"):
        LatencyHistogram(precision=2)


def test_running_mean() -> None:
    mean = RunningMean()
    assert mean.mean == 0.0
    for value in (1.0, 2.0, 6.0):
        mean.add(value)
    assert mean.mean == 3.0


class _Item:
    def __init__(self, ident: int) -> None:
        self.ident = ident


def test_pool_newest_and_random_agree_with_a_plain_set() -> None:
    rng = random.Random(0)
    pool: FreePool[_Item] = FreePool()
    members: dict[int, _Item] = {}
    for step in range(5_000):
        if members and rng.random() < 0.5:
            victim = members.pop(rng.choice(list(members)))
            pool.remove(victim)
        else:
            item = _Item(step)
            members[step] = item
            pool.add(item)
        assert len(pool) == len(members)
        if members:
            assert pool.newest().ident == max(members)
            assert pool.any(rng).ident in members
    assert len(pool._heap) <= 2 * len(pool) + 65


def test_pool_rejects_double_add_and_unknown_policy() -> None:
    pool: FreePool[_Item] = FreePool()
    item = _Item(1)
    pool.add(item)
    assert item in pool
    with pytest.raises(ValueError, match="already free"):
        pool.add(item)
    with pytest.raises(UserError, match="unknown routing policy 'fifo'"):
        routing_policy("fifo")
