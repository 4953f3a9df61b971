"""The scheduler framework: filters, scores, rotation, FailedScheduling messages."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from virtdocs.kubernetes.scheduler.framework import NodeTable, PodInfo, Taint, Toleration
from virtdocs.kubernetes.scheduler.plugins import (
    NodeResourcesBalancedAllocation,
    NodeResourcesFit,
    normalize,
)
from virtdocs.kubernetes.scheduler.scheduler import Scheduler, fit_error
from virtdocs.kubernetes.simulate import SimulationConfig, simulate

GI = 2**30


def table(count: int, cpu: int = 2000, memory: int = 4 * GI, **extra: object) -> NodeTable:
    names = [f"node-{i}" for i in range(1, count + 1)]
    return NodeTable.build(names, [cpu] * count, [memory] * count, [110] * count, **extra)  # type: ignore[arg-type]


def test_a_pod_too_big_everywhere_gets_kube_schedulers_message() -> None:
    decision = Scheduler(table(3), random.Random(0)).schedule(PodInfo("default", "big", 3000))
    assert decision.node is None
    # The filters' reasons, then what the DefaultPreemption PostFilter found (FitError.Error).
    assert decision.message == (
        "0/3 nodes are available: 3 Insufficient cpu. "
        "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
    )


def test_reasons_are_counted_per_node_and_sorted() -> None:
    nodes = table(
        4,
        taints=[(Taint("dedicated", "gpu", "NoSchedule"),), (), (), ()],
        unschedulable=[False, True, False, False],
    )
    pod = PodInfo("default", "p", 3000, 8 * GI)
    assert Scheduler(nodes, random.Random(0)).schedule(pod).message == (
        "0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, "
        "1 node(s) were unschedulable, 2 Insufficient cpu, 2 Insufficient memory. "
        # Taints and cordons are UnschedulableAndUnresolvable: preemption skips those nodes.
        "preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, "
        "2 Preemption is not helpful for scheduling."
    )


def test_node_selector_and_tolerations() -> None:
    nodes = table(
        3,
        labels=[{"disk": "ssd"}, {"disk": "hdd"}, {"disk": "ssd"}],
        taints=[(Taint("dedicated", "db", "NoSchedule"),), (), ()],
    )
    scheduler = Scheduler(nodes, random.Random(0))
    wants_ssd = PodInfo("default", "a", node_selector=(("disk", "ssd"),))
    assert scheduler.schedule(wants_ssd).node == "node-3"  # node-1 is tainted
    tolerant = PodInfo(
        "default",
        "b",
        node_selector=(("disk", "ssd"),),
        tolerations=(Toleration("dedicated", "Equal", "db", "NoSchedule"),),
    )
    assert scheduler.schedule(tolerant).node in ("node-1", "node-3")
    assert fit_error(3, {"x": 3}) == "0/3 nodes are available: 3 x."  # type: ignore[arg-type]


def test_least_allocated_and_balanced_allocation_arithmetic() -> None:
    nodes = NodeTable.build(["n"], [4000], [4 * GI], [110])
    nodes.assume(PodInfo("default", "running", 1000, GI), 0)
    pod = PodInfo("default", "new", 1000, GI)
    feasible = np.array([0])
    # LeastAllocated: cpu (4000-2000)*100/4000 = 50, memory 50 -> 50
    assert NodeResourcesFit().score(pod, nodes, feasible).tolist() == [50]
    # Balanced: both at 50 % -> std 0 -> 100
    assert NodeResourcesBalancedAllocation().score(pod, nodes, feasible).tolist() == [100]
    skewed = PodInfo("default", "cpu-heavy", 2000, 0)
    # Balanced counts requests as asked (useRequested), no 200 MiB stand-in for memory:
    # cpu 3000/4000 = .75, memory 1 GiB/4 GiB = .25; std = .25 -> 75
    assert NodeResourcesBalancedAllocation().score(skewed, nodes, feasible).tolist() == [75]
    # LeastAllocated does count the stand-in: cpu 25, memory (3 GiB - 200 MiB)*100/4 GiB = 70
    assert NodeResourcesFit().score(skewed, nodes, feasible).tolist() == [(25 + 70) // 2]


def test_normalize_scales_by_the_maximum() -> None:
    assert normalize(np.array([0, 2, 4]), reverse=False).tolist() == [0, 50, 100]
    assert normalize(np.array([0, 2, 4]), reverse=True).tolist() == [100, 50, 0]
    assert normalize(np.array([0, 0]), reverse=True).tolist() == [100, 100]


def test_filtering_resumes_where_the_last_cycle_stopped() -> None:
    scheduler = Scheduler(table(1000), random.Random(0))
    decision = scheduler.schedule(PodInfo("default", "a"))
    assert (decision.feasible, decision.evaluated) == (420, 420)
    assert scheduler.next_start_node_index == 420
    scheduler.schedule(PodInfo("default", "b"))
    scheduler.schedule(PodInfo("default", "c"))
    assert scheduler.next_start_node_index == (3 * 420) % 1000


def test_simulation_is_deterministic_for_a_seed() -> None:
    first = simulate(SimulationConfig(nodes=120, pods=500, seed=7))
    second = simulate(SimulationConfig(nodes=120, pods=500, seed=7))
    assert first == second
    assert (first.scheduled, first.pending) == (500, 0)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=4000), min_size=1, max_size=8),
    st.lists(st.integers(min_value=0, max_value=1500), min_size=1, max_size=40),
    st.integers(min_value=0, max_value=10),
)
def test_the_scheduler_never_overcommits(
    node_cpu: list[int], pod_cpu: list[int], seed: int
) -> None:
    nodes = NodeTable.build(
        [f"n{i}" for i in range(len(node_cpu))], node_cpu, [GI] * len(node_cpu), [5] * len(node_cpu)
    )
    scheduler = Scheduler(nodes, random.Random(seed))
    for index, cpu in enumerate(pod_cpu):
        fits_somewhere = any(
            nodes.requested[0, i] + cpu <= node_cpu[i] and nodes.pods[i] < 5
            for i in range(len(node_cpu))
        )
        decision = scheduler.schedule(PodInfo("default", f"p{index}", cpu))
        assert (decision.node is not None) == fits_somewhere
    assert (nodes.requested[0] <= np.array(node_cpu)).all()
    assert (nodes.pods <= 5).all()
