"""A virtual node: Virtual Kubelet in the simulated cluster, with pods billed one by one.

Virtual Kubelet (https://virtual-kubelet.io/) registers a node that is not a machine:
pods the scheduler places on it run on a serverless container service (AWS Fargate,
Azure Container Instances, Tencent EKS). Nobody sizes, patches or scales that node.
As the project does by default, the node carries a ``virtual-kubelet.io/provider``
taint so that only pods which tolerate it land there (``taint=False`` is its
``--disable-taint`` flag: the node then takes any pod that fits).

Each pod is billed like EKS on Fargate
(https://docs.aws.amazon.com/eks/latest/userguide/fargate-pod-configuration.html):
its containers' CPU and memory requests, plus 256 MB for the Kubernetes components,
rounded up to the nearest Fargate task size, per second with a one-minute minimum,
from when it is placed on the node until it is deleted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from virtdocs.errors import UserError
from virtdocs.kubernetes import Cluster, NodeSpec
from virtdocs.kubernetes.quantity import memory_bytes, milli_cpu
from virtdocs.kubernetes.scheduler.framework import Taint
from virtdocs.serverless.billing import FARGATE_SIZES, FargatePrices

#: The taint key Virtual Kubelet puts on its node (its value names the provider).
TAINT_KEY = "virtual-kubelet.io/provider"
#: EKS on Fargate adds this much memory to every pod for kubelet, kube-proxy and containerd.
KUBERNETES_OVERHEAD_GB = 0.25
_GIB = 1024**3


def fargate_size(vcpu: float, memory_gb: float) -> tuple[float, float]:
    """The smallest Fargate task size with at least ``vcpu`` and ``memory_gb``.

    >>> fargate_size(0.1, 0.3), fargate_size(0.5, 2.3), fargate_size(1, 9)
    ((0.25, 0.5), (0.5, 3.0), (2.0, 9.0))
    """
    for size_vcpu, (low, high, step) in FARGATE_SIZES.items():
        if size_vcpu < vcpu:
            continue
        choices = (0.5, 1.0, 2.0) if size_vcpu == 0.25 else _steps(low, high, step)
        for memory in choices:
            if memory >= memory_gb:
                return size_vcpu, memory
    raise UserError(f"no Fargate task size has {vcpu:g} vCPU and {memory_gb:g} GB")


def _steps(low: float, high: float, step: float) -> list[float]:
    return [low + i * step for i in range(int((high - low) / step) + 1)]


@dataclass(frozen=True, slots=True)
class PodBill:
    """What one pod on the virtual node costs."""

    namespace: str
    name: str
    vcpu: float
    memory_gb: float
    seconds: float  # billed: whole seconds, at least the minimum
    cost: float
    running: bool


@dataclass(slots=True)
class _Usage:
    namespace: str
    name: str
    vcpu: float
    memory_gb: float
    start: float
    end: float | None = None


class PodMeter:
    """A control loop that only reads: which pods are on the node, since when."""

    name = "virtual-node-meter"

    def __init__(self, cluster: Cluster, node: str) -> None:
        self._cluster = cluster
        self._node = node
        self._pods: dict[str, _Usage] = {}

    def sync(self) -> None:
        now = self._cluster.now
        seen: set[str] = set()
        for pod in self._cluster.store.list("pods"):
            if pod["spec"].get("nodeName") != self._node:
                continue
            meta = pod["metadata"]
            uid = meta["uid"]
            seen.add(uid)
            usage = self._pods.get(uid)
            if usage is None:
                vcpu, memory = _requests(pod)
                usage = _Usage(meta["namespace"], meta["name"], vcpu, memory, start=now)
                self._pods[uid] = usage
            if "deletionTimestamp" in meta and usage.end is None:
                usage.end = now
        for uid, usage in self._pods.items():
            if uid not in seen and usage.end is None:
                usage.end = now

    def usages(self) -> list[_Usage]:
        return list(self._pods.values())


def _requests(pod: dict[str, Any]) -> tuple[float, float]:
    """Summed CPU (vCPU) and memory (GB) requests of a pod's containers, plus overhead."""
    where = f"pod {pod['metadata']['name']}"
    cpu = memory = 0
    for container in pod["spec"].get("containers") or []:
        requests = (container.get("resources") or {}).get("requests") or {}
        cpu += milli_cpu(requests.get("cpu", 0), where=f"{where} cpu")
        memory += memory_bytes(requests.get("memory", 0), where=f"{where} memory")
    return cpu / 1000, memory / _GIB + KUBERNETES_OVERHEAD_GB


class VirtualNode:
    """Add a Virtual Kubelet node to ``cluster`` and meter the pods it runs.

    >>> cluster = Cluster(nodes=0, seed=1)
    >>> node = VirtualNode(cluster)
    >>> print(cluster.kubectl("get nodes"))
    NAME              STATUS   ROLES   AGE   VERSION
    virtual-kubelet   Ready    agent   0s    v1.31.0
    """

    def __init__(
        self,
        cluster: Cluster,
        name: str = "virtual-kubelet",
        *,
        provider: str = "fargate",
        prices: FargatePrices | None = None,
        cpu: str = "1000",
        memory: str = "4Ti",
        max_pods: int = 1000,
        taint: bool = True,
    ) -> None:
        self.cluster = cluster
        self.name = name
        self.provider = provider
        self.prices = prices or FargatePrices()
        labels = {"type": "virtual-kubelet", "node-role.kubernetes.io/agent": ""}
        # Virtual Kubelet taints its node unless started with --disable-taint.
        taints = (Taint(TAINT_KEY, provider, "NoSchedule"),) if taint else ()
        cluster.add_node(NodeSpec(name, cpu, memory, max_pods, labels, taints))
        self.meter = PodMeter(cluster, name)
        cluster.add_controller(self.meter)  # runs with the cluster's other loops

    def bills(self) -> list[PodBill]:
        """Every pod the node has run, each with what it costs up to now."""
        now = self.cluster.now
        bills = []
        for usage in self.meter.usages():
            vcpu, memory = fargate_size(usage.vcpu, usage.memory_gb)
            end = now if usage.end is None else usage.end
            seconds = float(max(math.ceil(end - usage.start), self.prices.minimum_seconds))
            hourly = vcpu * self.prices.per_vcpu_hour + memory * self.prices.per_gb_hour
            bills.append(
                PodBill(
                    usage.namespace,
                    usage.name,
                    vcpu,
                    memory,
                    seconds,
                    hourly * seconds / 3600,
                    usage.end is None,
                )
            )
        return bills

    def total(self) -> float:
        """The node's bill so far, in dollars: the sum over its pods."""
        return sum(bill.cost for bill in self.bills())
