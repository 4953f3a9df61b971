"""Knative's Pod Autoscaler (KPA): its defaults, and its decision as a pure function.

The decision follows ``pkg/autoscaler/scaling/autoscaler.go`` in knative/serving:
desired pods are the observed concurrency divided by the per-pod target, over a
60 s stable window and a 6 s panic window; panic mode starts when the panic
window wants at least twice the ready pods, never scales down while it lasts,
and ends a stable window after the last over-threshold tick. Every input comes
in as an argument (``now`` included) and the answer is a value; metric
collection and pod bookkeeping live elsewhere (:mod:`virtdocs.serverless.kpa_sim`).

Worked example with the defaults: target 100 concurrent requests per pod at
70 % utilisation is 70 per pod. With 1 ready pod, a stable average of 140 and a
panic average of 420: stable wants ceil(140/70) = 2, panic wants ceil(420/70) =
6; 6/1 >= 200 % so the autoscaler panics and asks for max(2, 6) = 6 pods.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from virtdocs.errors import UserError

#: Where each default comes from.
SOURCES = {
    "config": "https://knative.dev/docs/serving/autoscaling/kpa-specific/",
    "targets": "https://knative.dev/docs/serving/autoscaling/concurrency/",
    "scale-to-zero": "https://knative.dev/docs/serving/autoscaling/scale-to-zero/",
    "burst": "https://knative.dev/docs/serving/load-balancing/target-burst-capacity/",
    "code": "https://github.com/knative/serving/blob/main/pkg/autoscaler/config/config.go",
}


@dataclass(frozen=True, slots=True)
class KpaConfig:
    """The ``config-autoscaler`` settings the KPA uses, with Knative's defaults.

    Field names are the ConfigMap keys with ``-`` as ``_``; durations are seconds.

    >>> config = KpaConfig()
    >>> config.target_per_pod, config.panic_window, config.panic_threshold
    (70.0, 6.0, 2.0)
    >>> KpaConfig.from_overrides({"stable-window": "2m"}).stable_window
    120.0
    >>> KpaConfig.from_overrides({"stable-window": "5s"})
    Traceback (most recent call last):
    virtdocs.errors.UserError: stable-window = 5s, must be in [6s, 1h] range
    """

    container_concurrency_target_default: float = 100.0  # requests in flight per pod
    container_concurrency_target_percentage: float = 70.0  # aim for 70 % of that
    # Code default 200 (config.go defaultConfig, and the docs page); the ConfigMap's
    # _example block shows 211, but that block is illustration, not configuration.
    target_burst_capacity: float = 200.0  # spare requests kept before the activator leaves
    stable_window: float = 60.0
    panic_window_percentage: float = 10.0  # of the stable window: 6 s
    panic_threshold_percentage: float = 200.0  # panic when twice the ready pods are needed
    max_scale_up_rate: float = 1000.0  # at most 1000x the ready pods in one decision
    max_scale_down_rate: float = 2.0  # at least half the ready pods kept in one decision
    enable_scale_to_zero: bool = True
    scale_to_zero_grace_period: float = 30.0
    activator_capacity: float = 100.0
    initial_scale: int = 1
    min_scale: int = 0
    max_scale: int = 0  # 0 means no upper bound
    tick_interval: float = 2.0  # the autoscaler decides every 2 s (multiscaler.go)

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def target_per_pod(self) -> float:
        """Concurrency each pod should carry: default x percentage (100 x 70 % = 70)."""
        return (
            self.container_concurrency_target_default
            * self.container_concurrency_target_percentage
            / 100
        )

    @property
    def panic_window(self) -> float:
        return self.stable_window * self.panic_window_percentage / 100

    @property
    def panic_threshold(self) -> float:
        return self.panic_threshold_percentage / 100

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, object]) -> KpaConfig:
        """Defaults, then ``overrides`` (ConfigMap keys and values), then validation."""
        known = {f.name.replace("_", "-"): f for f in fields(cls)}
        changes: dict[str, Any] = {}
        for key, raw in overrides.items():
            field = known.get(key)
            if field is None:
                raise UserError(f"unknown KPA setting {key!r}; known: {', '.join(known)}")
            changes[field.name] = _convert(key, raw, field.type)
        return replace(cls(), **changes)


_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?")
_SECONDS_FIELDS = {"stable_window", "scale_to_zero_grace_period", "tick_interval"}


def _convert(key: str, raw: object, kind: object) -> object:
    name = key.replace("-", "_")
    text = str(raw).strip()
    try:
        if name in _SECONDS_FIELDS:
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                return float(raw)
            match = _DURATION.fullmatch(text)
            if not text or match is None:
                raise ValueError
            hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
            return hours * 3600 + minutes * 60 + seconds
        if kind in (bool, "bool"):
            if text.lower() not in ("true", "false"):
                raise ValueError
            return text.lower() == "true"
        if kind in (int, "int"):
            return int(text)
        return float(text)
    except ValueError:
        raise UserError(f"{key} = {raw!r}: not a valid {_kind_name(name, kind)}") from None


def _kind_name(name: str, kind: object) -> str:
    if name in _SECONDS_FIELDS:
        return "duration (like 60s, 1m30s)"
    return {"bool": "boolean", "int": "whole number"}.get(str(kind), "number")


def _seconds(value: float) -> str:
    return f"{value:g}s"


def _validate(c: KpaConfig) -> None:
    """Knative's ``validate()`` ranges (config.go); the message names key, value, range."""
    checks: list[tuple[bool, str]] = [
        (
            c.scale_to_zero_grace_period > 0,
            f"scale-to-zero-grace-period = {_seconds(c.scale_to_zero_grace_period)}, "
            "must be positive",
        ),
        (
            c.target_burst_capacity >= 0 or c.target_burst_capacity == -1,
            f"target-burst-capacity = {c.target_burst_capacity:g}, must be >= 0 or -1 (unlimited)",
        ),
        (
            0 < c.container_concurrency_target_percentage <= 100,
            f"container-concurrency-target-percentage = "
            f"{c.container_concurrency_target_percentage:g}, must be in (0, 100]",
        ),
        (
            c.target_per_pod >= 0.01,
            f"container-concurrency-target-default = {c.container_concurrency_target_default:g} "
            f"gives a target below 0.01 per pod",
        ),
        (
            c.activator_capacity >= 1,
            f"activator-capacity = {c.activator_capacity:g}, must be at least 1",
        ),
        (
            c.max_scale_up_rate > 1,
            f"max-scale-up-rate = {c.max_scale_up_rate:g}, must be greater than 1.0",
        ),
        (
            c.max_scale_down_rate > 1,
            f"max-scale-down-rate = {c.max_scale_down_rate:g}, must be greater than 1.0",
        ),
        (
            6 <= c.stable_window <= 3600 and float(c.stable_window).is_integer(),
            f"stable-window = {_seconds(c.stable_window)}, must be in [6s, 1h] range",
        ),
        (
            1 <= c.panic_window_percentage <= 100,
            f"panic-window-percentage = {c.panic_window_percentage:g}, "
            "must be in [1, 100] interval",
        ),
        (
            110 <= c.panic_threshold_percentage <= 1000,
            f"panic-threshold-percentage = {c.panic_threshold_percentage:g}, "
            "must be in [110, 1000] interval",
        ),
        (c.initial_scale >= 1, f"initial-scale = {c.initial_scale}, must be at least 1"),
        (c.min_scale >= 0, f"min-scale = {c.min_scale}, must be at least 0"),
        (
            c.max_scale == 0 or c.max_scale >= max(c.min_scale, 1),
            f"max-scale = {c.max_scale}, must be 0 (no limit) or at least min-scale",
        ),
        (c.tick_interval > 0, f"tick-interval = {_seconds(c.tick_interval)}, must be positive"),
    ]
    for ok, message in checks:
        if not ok:
            raise UserError(message)


@dataclass(frozen=True, slots=True)
class PanicState:
    """What the autoscaler remembers between decisions (all of it)."""

    panic_since: float | None = None  # last time the panic window was over threshold
    max_panic_pods: int = 0


@dataclass(frozen=True, slots=True)
class Decision:
    """One tick's answer, plus the state to pass to the next tick."""

    desired_pods: int
    stable_pods: int
    panic_pods: int
    panicking: bool
    excess_burst_capacity: float  # < 0: keep the activator in the request path
    state: PanicState


def decide(
    now: float,
    stable_concurrency: float,
    panic_concurrency: float,
    ready_pods: int,
    *,
    config: KpaConfig,
    state: PanicState,
) -> Decision:
    """The KPA's scaling decision, a pure function of its inputs.

    >>> d = decide(10.0, 140.0, 420.0, 1, config=KpaConfig(), state=PanicState())
    >>> d.stable_pods, d.panic_pods, d.panicking, d.desired_pods
    (2, 6, True, 6)
    """
    readiness = max(1.0, float(ready_pods))  # scale from zero as if one pod were there
    max_up = math.ceil(config.max_scale_up_rate * readiness)
    max_down = math.floor(readiness / config.max_scale_down_rate)
    wanted_stable = math.ceil(stable_concurrency / config.target_per_pod)
    wanted_panic = math.ceil(panic_concurrency / config.target_per_pod)
    stable = min(max(wanted_stable, max_down), max_up)
    panic = min(max(wanted_panic, max_down), max_up)
    over = wanted_panic / readiness >= config.panic_threshold

    since, max_panic = state.panic_since, state.max_panic_pods
    if over:
        since = now  # start panicking, or extend the panic
    elif since is not None and now > since + config.stable_window:
        since, max_panic = None, 0  # the surge has reached the stable window
    desired = stable
    if since is not None:
        max_panic = max(max_panic, stable, panic)  # never scale down while panicking
        desired = max_panic

    if config.target_burst_capacity == -1:
        burst = -1.0  # unlimited: the activator always stays in the path
    elif config.target_burst_capacity == 0:
        burst = 0.0
    else:
        total = ready_pods * config.container_concurrency_target_default
        burst = math.floor(total - config.target_burst_capacity - panic_concurrency)
    return Decision(desired, stable, panic, since is not None, burst, PanicState(since, max_panic))
