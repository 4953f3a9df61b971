"""Views: tables and SVG charts built from results (the edge of the package)."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET

import pytest

from virtdocs.errors import UserError
from virtdocs.serverless import PlatformConfig, simulate, simulate_poisson
from virtdocs.serverless.billing import Workload
from virtdocs.serverless.kpa_sim import simulate_kpa
from virtdocs.serverless.views import (
    cost_chart,
    echo_config,
    instances_chart,
    kpa_chart,
    result_table,
)


def _svg(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag.endswith("svg")
    return root


def test_echo_and_table() -> None:
    assert echo_config({"seed": 3, "routing": "newest"}) == "ARG seed 3\nARG routing newest"
    table = result_table(simulate_poisson(PlatformConfig(1.0, 2.0), 1.0, 100, seed=1))
    names = [line[:26].strip() for line in table.splitlines()]
    assert names[0] == "requests" and names[-1] == "latency p99 (s)"


def test_charts_are_svg_with_every_series() -> None:
    run = simulate(
        PlatformConfig(1.0, 2.0, 60), [1.0, 2.0, 50.0], 200, random.Random(0), sample_every=10
    )
    chart = instances_chart(run, "instances")
    _svg(chart)
    assert "instances" in chart and "running" in chart
    kpa = kpa_chart(simulate_kpa([0.0, 70.0, 70.0, 0.0], 1.0), "kpa")
    _svg(kpa)
    assert "ready pods" in kpa and "load (concurrency / 70)" in kpa
    costs = cost_chart([0.1, 1, 10], Workload(rate=1), "costs")
    _svg(costs)
    assert all(name in costs for name in ("function", "container", "vm"))


def test_instances_chart_needs_samples() -> None:
    run = simulate_poisson(PlatformConfig(1.0, 2.0), 1.0, 100, seed=1)
    with pytest.raises(UserError, match="sample_every"):
        instances_chart(run, "no samples")
