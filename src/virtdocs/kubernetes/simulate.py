"""The scalability run: schedule P pods on N identical nodes with the default profile.

Kubernetes' scalability envelope is 5,000 nodes and 150,000 pods
(https://kubernetes.io/docs/setup/best-practices/cluster-large/). This run goes
through the same :class:`~virtdocs.kubernetes.scheduler.scheduler.Scheduler` the
simulated cluster uses — filter in rotating order until enough feasible nodes are
found, score them, pick the best — without the API objects around it.

>>> result = simulate(SimulationConfig(nodes=3, pods=400, seed=0))
>>> result.scheduled, result.pending
(120, 280)
>>> print(result.unschedulable_message.replace(". ", ".\\n"))
0/3 nodes are available: 3 Insufficient cpu.
preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from virtdocs.errors import UserError
from virtdocs.kubernetes import defaults
from virtdocs.kubernetes.quantity import memory_bytes, milli_cpu
from virtdocs.kubernetes.scheduler.framework import NodeTable, PodInfo
from virtdocs.kubernetes.scheduler.scheduler import Scheduler


@dataclass(frozen=True)
class SimulationConfig:
    """Identical nodes and identical pods. The sizes are this model's choice: a 4-CPU,
    32 GiB node with the kubelet's default 110-pod limit, and a small web pod."""

    nodes: int
    pods: int
    seed: int = 0
    node_cpu: str = "4"
    node_memory: str = "32Gi"
    node_max_pods: int = defaults.NODE_MAX_PODS
    pod_cpu: str = "100m"
    pod_memory: str = "500Mi"

    def validate(self) -> SimulationConfig:
        if self.nodes < 0:
            raise UserError(f"--nodes: must be 0 or more, got {self.nodes}")
        if self.pods < 0:
            raise UserError(f"--pods: must be 0 or more, got {self.pods}")
        return self


@dataclass(frozen=True)
class SimulationResult:
    config: SimulationConfig
    scheduled: int
    pending: int
    nodes_evaluated: int  # filter calls summed over all pods
    nodes_scored: int
    busiest_node_pods: int
    quietest_node_pods: int
    unschedulable_message: str  # the last FailedScheduling message, "" if none


def simulate(config: SimulationConfig) -> SimulationResult:
    config.validate()
    table = NodeTable.build(
        [f"node-{i}" for i in range(1, config.nodes + 1)],
        np.full(config.nodes, milli_cpu(config.node_cpu), np.int64),
        np.full(config.nodes, memory_bytes(config.node_memory), np.int64),
        np.full(config.nodes, config.node_max_pods, np.int64),
    )
    scheduler = Scheduler(table, random.Random(config.seed))
    cpu, memory = milli_cpu(config.pod_cpu), memory_bytes(config.pod_memory)
    scheduled = evaluated = scored = 0
    message = ""
    for index in range(config.pods):
        decision = scheduler.schedule(PodInfo("default", f"pod-{index}", cpu, memory))
        evaluated += decision.evaluated
        scored += decision.feasible
        if decision.node is None:
            message = decision.message
        else:
            scheduled += 1
    counts = table.pods if config.nodes else np.zeros(1, np.int64)
    return SimulationResult(
        config=config,
        scheduled=scheduled,
        pending=config.pods - scheduled,
        nodes_evaluated=evaluated,
        nodes_scored=scored,
        busiest_node_pods=int(np.max(counts)),
        quietest_node_pods=int(np.min(counts)),
        unschedulable_message=message,
    )
