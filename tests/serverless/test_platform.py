"""The function platform: conservation, Little's law, limits, routing, determinism."""

from __future__ import annotations

import random
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtdocs.errors import UserError
from virtdocs.serverless import Instance, InstanceState, PlatformConfig, simulate, simulate_poisson
from virtdocs.serverless.analytical import erlang_b

LAMBDA_LIKE = PlatformConfig(warm_mean=2.016, cold_mean=2.163, keep_alive=600)


def test_same_seed_same_result_and_different_seed_differs() -> None:
    first = simulate_poisson(LAMBDA_LIKE, 0.9, 5_000, seed=7)
    assert first == simulate_poisson(LAMBDA_LIKE, 0.9, 5_000, seed=7)
    assert first != simulate_poisson(LAMBDA_LIKE, 0.9, 5_000, seed=8)


@settings(max_examples=25, deadline=None)
@given(
    rate=st.floats(0.05, 5.0),
    warm=st.floats(0.05, 3.0),
    extra_cold=st.floats(0.0, 3.0),
    keep_alive=st.floats(0.0, 900.0),
    limit=st.integers(1, 50),
    capacity=st.integers(1, 4),
    routing=st.sampled_from(["newest", "random"]),
    seed=st.integers(0, 2**32),
)
def test_conservation_and_littles_law(  # noqa: PLR0917 - one argument per strategy
    rate: float,
    warm: float,
    extra_cold: float,
    keep_alive: float,
    limit: int,
    capacity: int,
    routing: str,
    seed: int,
) -> None:
    config = PlatformConfig(warm, warm + extra_cold, keep_alive, limit, capacity, routing)
    duration = 2_000.0
    result = simulate_poisson(config, rate, duration, seed=seed)
    accepted = result.cold_starts + result.warm_starts
    assert result.requests == accepted + result.rejections
    assert result.instances_created == result.cold_starts
    assert 0 <= result.instances_created - result.instances_expired <= result.max_instances
    assert result.average_idle >= -1e-9
    assert result.average_running <= result.average_instances + 1e-9
    assert result.average_in_flight <= limit + 1e-9
    # Little's law, L = lambda * W: requests in flight (time average) equal the
    # accepted arrival rate times the mean response time. The run is cut at
    # `duration`, so requests still in flight then make a small edge effect.
    edge = (limit * 60 * (warm + extra_cold)) / duration
    assert result.average_in_flight == pytest.approx(
        result.throughput * result.mean_latency, rel=0.05, abs=edge
    )
    if capacity == 1:
        assert result.average_running == pytest.approx(result.average_in_flight)


def test_littles_law_is_tight_on_a_long_run() -> None:
    result = simulate_poisson(LAMBDA_LIKE, 0.9, 50_000, seed=3)
    assert result.average_in_flight == pytest.approx(
        result.throughput * result.mean_latency, rel=0.005
    )


def test_zero_keep_alive_makes_every_request_cold() -> None:
    result = simulate_poisson(PlatformConfig(1.0, 1.5, keep_alive=0), 2.0, 1_000, seed=1)
    assert result.rejections == 0
    assert result.cold_start_probability == 1.0
    assert result.average_idle == pytest.approx(0.0, abs=1e-9)


def test_throttling_matches_erlang_b_loss_system() -> None:
    # Equal warm and cold times and a keep-alive longer than the run make the
    # platform an M/M/m/m loss system, whose blocking probability is Erlang B.
    config = PlatformConfig(1.0, 1.0, keep_alive=1e9, max_concurrency=5)
    result = simulate_poisson(config, 4.0, 30_000, seed=11)
    assert result.rejection_probability == pytest.approx(erlang_b(4.0, 5), rel=0.05)


def test_random_routing_keeps_more_instances_alive() -> None:
    # Random routing feeds every instance a little traffic, so few ever sit idle
    # for a whole keep-alive: more instances, fewer expiries and cold starts.
    newest = simulate_poisson(PlatformConfig(2.016, 2.163, 60), 0.9, 20_000, seed=5)
    spread = simulate_poisson(
        PlatformConfig(2.016, 2.163, 60, routing="random"), 0.9, 20_000, seed=5
    )
    assert spread.average_instances > 1.25 * newest.average_instances
    assert spread.instances_expired * 10 < newest.instances_expired
    assert spread.average_running == pytest.approx(newest.average_running, rel=0.05)


def test_instance_concurrency_needs_fewer_instances() -> None:
    one = simulate_poisson(PlatformConfig(1.0, 2.0, 60), 20.0, 2_000, seed=2)
    shared = PlatformConfig(1.0, 2.0, 60, instance_concurrency=10)
    many = simulate_poisson(shared, 20.0, 2_000, seed=2)
    assert many.average_instances < one.average_instances / 5
    assert many.average_in_flight == pytest.approx(one.average_in_flight, rel=0.1)


def test_explicit_arrivals_and_samples() -> None:
    config = PlatformConfig(1.0, 2.0, keep_alive=10)
    result = simulate(config, [1.0, 1.5, 30.0], 60.0, random.Random(0), sample_every=10)
    assert result.requests == 3
    assert [s.time for s in result.samples] == [0, 10, 20, 30, 40, 50, 60]
    assert result.samples[0].instances == 0
    assert result.samples[-1].instances == 0  # every instance expired: scaled to zero
    assert result.instances_expired == result.instances_created


def test_arrivals_must_not_go_back_in_time() -> None:
    with pytest.raises(UserError, match="must not decrease"):
        simulate(LAMBDA_LIKE, [5.0, 4.0], 10.0, random.Random(0))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("warm_mean", -1.0, r"warm_mean \(--warm-mean\) must be a finite number > 0"),
        ("cold_mean", float("nan"), r"cold_mean \(--cold-mean\)"),
        ("keep_alive", -0.5, r"keep_alive \(--keep-alive\) must be a finite number >= 0"),
        ("max_concurrency", 0, r"max_concurrency \(--max-concurrency\) must be an integer >= 1"),
        ("instance_concurrency", 1.5, r"instance_concurrency"),
        ("routing", "round-robin", r"routing \(--routing\) must be one of newest, random"),
    ],
)
def test_bad_settings_are_one_line_errors(field: str, value: object, message: str) -> None:
    settings_ = {"warm_mean": 1.0, "cold_mean": 2.0, field: value}
    with pytest.raises(UserError, match=message):
        PlatformConfig(**settings_)  # type: ignore[arg-type]


def test_bad_rate_and_duration() -> None:
    with pytest.raises(UserError, match="arrival_rate"):
        simulate_poisson(LAMBDA_LIKE, 0.0, 10)
    with pytest.raises(UserError, match="duration"):
        simulate_poisson(LAMBDA_LIKE, 1.0, -10)


def test_state_changes_check_the_state_they_leave() -> None:
    instance = Instance(1, 0.0)
    assert instance.state is InstanceState.COLD
    with pytest.raises(RuntimeError, match="idle -> warm attempted while cold"):
        instance.move(InstanceState.IDLE, InstanceState.WARM)


def test_memory_does_not_grow_with_requests() -> None:
    def peak(duration: float) -> int:
        tracemalloc.start()
        simulate_poisson(LAMBDA_LIKE, 0.9, duration, seed=1)
        _, high = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return high

    small, large = peak(2_000), peak(40_000)  # about 1,800 and 36,000 requests
    assert large < small + 64 * 1024
