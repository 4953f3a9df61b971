"""Knative's KPA: documented defaults, validated overrides, the pure decision, the service."""

from __future__ import annotations

import pytest

from virtdocs.errors import UserError
from virtdocs.serverless.kpa import KpaConfig, PanicState, decide
from virtdocs.serverless.kpa_sim import WindowAverage, simulate_kpa


def test_defaults_are_knatives_documented_values() -> None:
    # knative.dev/docs/serving/autoscaling/kpa-specific/ and config-autoscaler defaults.
    c = KpaConfig()
    assert c.stable_window == 60.0
    assert c.panic_window_percentage == 10.0 and c.panic_window == 6.0
    assert c.panic_threshold_percentage == 200.0
    assert c.container_concurrency_target_default == 100.0
    assert c.container_concurrency_target_percentage == 70.0 and c.target_per_pod == 70.0
    assert c.max_scale_up_rate == 1000.0 and c.max_scale_down_rate == 2.0
    assert c.scale_to_zero_grace_period == 30.0 and c.enable_scale_to_zero
    assert c.tick_interval == 2.0
    assert c.target_burst_capacity == 200.0 and c.activator_capacity == 100.0
    assert (c.initial_scale, c.min_scale, c.max_scale) == (1, 0, 0)


def test_overrides_parse_configmap_values() -> None:
    c = KpaConfig.from_overrides(
        {
            "stable-window": "1m30s",
            "scale-to-zero-grace-period": 10,
            "panic-threshold-percentage": "150",
            "enable-scale-to-zero": "false",
            "max-scale": "5",
        }
    )
    assert c.stable_window == 90.0 and c.panic_window == 9.0
    assert c.scale_to_zero_grace_period == 10.0
    assert c.panic_threshold == 1.5
    assert not c.enable_scale_to_zero
    assert c.max_scale == 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"stable-window": "2h"}, r"stable-window = 7200s, must be in \[6s, 1h\] range"),
        ({"stable-window": "10.5s"}, "stable-window = 10.5s"),
        ({"stable-window": "soon"}, "stable-window = 'soon': not a valid duration"),
        (
            {"panic-window-percentage": "0.5"},
            r"panic-window-percentage = 0.5, must be in \[1, 100\]",
        ),
        ({"panic-threshold-percentage": "100"}, "panic-threshold-percentage = 100"),
        ({"max-scale-up-rate": "1"}, "max-scale-up-rate = 1, must be greater than 1.0"),
        ({"max-scale-down-rate": "0.5"}, "max-scale-down-rate = 0.5"),
        ({"scale-to-zero-grace-period": "0s"}, "scale-to-zero-grace-period = 0s, must be positive"),
        ({"container-concurrency-target-percentage": "120"}, r"must be in \(0, 100\]"),
        ({"target-burst-capacity": "-5"}, "target-burst-capacity = -5"),
        ({"enable-scale-to-zero": "maybe"}, "not a valid boolean"),
        ({"initial-scale": "zero"}, "not a valid whole number"),
        ({"max-scale": "-1"}, "max-scale = -1"),
        ({"panic-mode": "on"}, "unknown KPA setting 'panic-mode'"),
    ],
)
def test_bad_overrides_name_the_key_value_and_range(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(UserError, match=message):
        KpaConfig.from_overrides(overrides)


def test_stable_decision_and_rate_limits() -> None:
    c = KpaConfig()
    calm = decide(0.0, 350.0, 360.0, 5, config=c, state=PanicState())
    assert (calm.desired_pods, calm.panicking) == (5, False)  # ceil(350 / 70)
    # Scale-down is limited to halving: 10 ready pods with no load keep 5.
    assert decide(0.0, 0.0, 0.0, 10, config=c, state=PanicState()).desired_pods == 5
    # Scale-up is limited to max-scale-up-rate x ready pods.
    slow = KpaConfig.from_overrides({"max-scale-up-rate": "1.5"})
    assert decide(0.0, 7000.0, 7000.0, 2, config=slow, state=PanicState()).desired_pods == 3


def test_panic_holds_the_peak_then_ends_after_a_stable_window() -> None:
    c = KpaConfig()
    burst = decide(0.0, 100.0, 700.0, 1, config=c, state=PanicState())
    assert burst.panicking and burst.desired_pods == 10
    # Load falls, but no scale-down while panicking.
    later = decide(30.0, 100.0, 70.0, 10, config=c, state=burst.state)
    assert later.panicking and later.desired_pods == 10
    # A stable window after the last over-threshold tick, panic ends.
    calm = decide(61.0, 100.0, 70.0, 10, config=c, state=later.state)
    assert not calm.panicking and calm.desired_pods == 5  # halving limit from 10


def test_excess_burst_capacity() -> None:
    c = KpaConfig()
    # 3 pods x 100 - 200 - 50 in flight = 50 spare: activator may leave the path.
    assert decide(0.0, 50.0, 50.0, 3, config=c, state=PanicState()).excess_burst_capacity == 50
    assert decide(0.0, 50.0, 50.0, 1, config=c, state=PanicState()).excess_burst_capacity < 0


def test_window_average_forgets_old_seconds() -> None:
    window = WindowAverage(3)
    for value in (9.0, 0.0, 0.0, 0.0):
        window.record(value)
    assert window.average() == 0.0
    assert WindowAverage(5).average() == 0.0


def test_scale_from_zero_goes_through_the_activator() -> None:
    load = [0.0] * 5 + [140.0] * 120
    samples = simulate_kpa(load, 1.0, initial_pods=0, pod_start=3.0)
    first = samples[5]
    assert first.buffered == 140.0 and first.desired >= 1  # poked at once, not at a tick
    assert all(s.buffered == 0 for s in samples[9:])  # a pod is ready 3 s later
    assert samples[-1].ready == 2  # ceil(140 / 70)


def test_idle_to_zero_takes_a_stable_window_plus_the_grace_period() -> None:
    load = [50.0] * 30 + [0.0] * 200
    samples = simulate_kpa(load, 1.0, pod_start=0.0)
    zero_at = next(s.time for s in samples if s.time > 30 and s.ready == 0)
    # The stable average reaches zero 60 s after the last request (second 29);
    # the last pod goes after 30 s more, at the next 2 s tick.
    assert 29 + 60 + 30 <= zero_at <= 29 + 60 + 30 + 2 * 2
    never = simulate_kpa(load, 1.0, KpaConfig(enable_scale_to_zero=False), pod_start=0.0)
    assert never[-1].ready == 1


def test_min_and_max_scale_bound_the_pods() -> None:
    load = [5000.0] * 60 + [0.0] * 200
    capped = simulate_kpa(load, 1.0, KpaConfig(max_scale=4), pod_start=0.0)
    assert max(s.ready for s in capped) == 4
    floor = simulate_kpa(load, 1.0, KpaConfig(min_scale=2), pod_start=0.0)
    assert floor[-1].ready == 2


def test_bad_load() -> None:
    with pytest.raises(UserError, match=r"rates\[1\] = -1.0"):
        simulate_kpa([1.0, -1.0], 1.0)
    with pytest.raises(UserError, match="service_time"):
        simulate_kpa([1.0], 0.0)
