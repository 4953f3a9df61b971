"""Views of serverless results: tables and SVG charts (cores return values; views format)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from virtdocs.charts import bar_chart, line_chart
from virtdocs.errors import UserError
from virtdocs.serverless.billing import Workload, monthly_costs
from virtdocs.serverless.kpa_sim import KpaSample
from virtdocs.serverless.result import SimulationResult


def echo_config(settings: Mapping[str, object]) -> str:
    """The configuration a run used, one ``ARG name value`` line each (as OSTEP's tools do)."""
    return "\n".join(f"ARG {name} {value}" for name, value in settings.items())


def result_table(result: SimulationResult) -> str:
    """A two-column table of a run's measurements, in reading order.

    >>> from virtdocs.serverless import PlatformConfig, simulate_poisson
    >>> config = PlatformConfig(warm_mean=2.016, cold_mean=2.163)
    >>> print(result_table(simulate_poisson(config, 0.9, 1_000, seed=1)).splitlines()[0])
    requests                  940
    """
    rows = [
        ("requests", f"{result.requests}"),
        ("cold starts", f"{result.cold_starts}"),
        ("rejections", f"{result.rejections}"),
        ("cold-start probability", f"{result.cold_start_probability:.4f}"),
        ("rejection probability", f"{result.rejection_probability:.4f}"),
        ("average instances", f"{result.average_instances:.4f}"),
        ("average running", f"{result.average_running:.4f}"),
        ("average idle", f"{result.average_idle:.4f}"),
        ("utilization", f"{result.utilization:.4f}"),
        ("instances created", f"{result.instances_created}"),
        ("average lifespan (s)", f"{result.average_lifespan:.1f}"),
        ("latency mean (s)", f"{result.mean_latency:.3f}"),
        ("latency p50 (s)", f"{result.latency_p50:.3f}"),
        ("latency p95 (s)", f"{result.latency_p95:.3f}"),
        ("latency p99 (s)", f"{result.latency_p99:.3f}"),
    ]
    width = max(len(name) for name, _ in rows) + 4
    return "\n".join(f"{name:<{width}}{value}" for name, value in rows)


def kpa_chart(samples: Sequence[KpaSample], title: str, target_per_pod: float = 70.0) -> str:
    """Ready pods against the pods the offered load needs, second by second (SVG)."""
    return line_chart(
        title,
        [s.time for s in samples],
        {
            "ready pods": [float(s.ready) for s in samples],
            f"load (concurrency / {target_per_pod:g})": [
                s.concurrency / target_per_pod for s in samples
            ],
        },
        x_label="seconds",
        y_label="pods",
        step=True,
    )


def instances_chart(result: SimulationResult, title: str) -> str:
    """Instances and running instances over a run made with ``sample_every`` (SVG)."""
    if len(result.samples) < 2:
        raise UserError("instances_chart needs a run made with sample_every (two samples or more)")
    return line_chart(
        title,
        [s.time for s in result.samples],
        {
            "instances": [float(s.instances) for s in result.samples],
            "running": [float(s.running) for s in result.samples],
        },
        x_label="seconds",
        y_label="instances",
        step=True,
    )


def cost_chart(rates: Sequence[float], workload: Workload, title: str) -> str:
    """Monthly cost of a function, a container and a VM at each request rate (SVG, log scale)."""
    costs = [monthly_costs(replace(workload, rate=rate)) for rate in rates]
    return bar_chart(
        title,
        [f"{rate:g}/s" for rate in rates],
        {name: [c[name] for c in costs] for name in ("function", "container", "vm")},
        y_label="US$ per month",
        log_scale=True,
    )
