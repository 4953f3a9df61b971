"""kube-scheduler as a cluster component: watch for unbound pods, decide, bind.

Pods wait in a queue ordered as PrioritySort orders them (priority, then arrival).
A pod that fits nowhere gets a FailedScheduling event and waits until the cluster
changes (a node is added or freed) or five minutes pass
(podMaxInUnschedulablePodsDuration), then is tried again.
"""

from __future__ import annotations

from virtdocs.kubernetes import defaults
from virtdocs.kubernetes.clock import parse_rfc3339, rfc3339
from virtdocs.kubernetes.controllers.base import Context, Object
from virtdocs.kubernetes.quantity import memory_bytes, milli_cpu
from virtdocs.kubernetes.scheduler.framework import NodeTable, PodInfo, Taint
from virtdocs.kubernetes.scheduler.scheduler import Scheduler

UNSCHEDULABLE_RETRY_SECONDS = 300.0


def node_table(nodes: list[Object], pods: list[Object]) -> NodeTable:
    """The scheduler's cache: nodes and what the pods bound to them request."""
    table = NodeTable.build(
        [n["metadata"]["name"] for n in nodes],
        [milli_cpu(n["status"]["allocatable"]["cpu"]) for n in nodes],
        [memory_bytes(n["status"]["allocatable"]["memory"]) for n in nodes],
        [int(n["status"]["allocatable"]["pods"]) for n in nodes],
        labels=[dict(n["metadata"].get("labels") or {}) for n in nodes],
        taints=[
            tuple(
                Taint(t["key"], t.get("value", ""), t["effect"])
                for t in n["spec"].get("taints") or []
            )
            for n in nodes
        ],
        unschedulable=[bool(n["spec"].get("unschedulable")) for n in nodes],
    )
    index = {name: i for i, name in enumerate(table.names)}
    for pod in pods:
        node = pod["spec"].get("nodeName")
        if node in index and pod.get("status", {}).get("phase") not in ("Succeeded", "Failed"):
            table.assume(PodInfo.from_pod(pod), index[node])
    return table


class SchedulerComponent:
    name = defaults.SCHEDULER_NAME

    def __init__(self, context: Context, scheduler: Scheduler) -> None:
        self.context = context
        self.scheduler = scheduler
        self._unschedulable: dict[str, tuple[int, float]] = {}  # uid -> (cluster state, since)

    def _cluster_state(self, nodes: list[Object], pods: list[Object]) -> int:
        """Changes when a node changes or a bound pod goes away (a retry may succeed)."""
        return hash(
            (
                tuple(n["metadata"]["resourceVersion"] for n in nodes),
                sum(1 for p in pods if p["spec"].get("nodeName")),
            )
        )

    def sync(self) -> None:
        store = self.context.store
        now = self.context.clock.now
        pods = store.list("pods")
        pending = [
            p
            for p in pods
            if not p["spec"].get("nodeName")
            and p["spec"].get("schedulerName", defaults.SCHEDULER_NAME) == defaults.SCHEDULER_NAME
            and "deletionTimestamp" not in p["metadata"]
        ]
        if not pending:
            return
        nodes = store.list("nodes")
        state = self._cluster_state(nodes, pods)
        pending.sort(
            key=lambda p: (
                -int(p["spec"].get("priority", 0)),
                parse_rfc3339(p["metadata"]["creationTimestamp"]),
                p["metadata"]["name"],
            )
        )
        self.scheduler.nodes = node_table(nodes, pods)
        for pod in pending:
            uid = pod["metadata"]["uid"]
            seen = self._unschedulable.get(uid)
            if (
                seen is not None
                and seen[0] == state
                and now < seen[1] + UNSCHEDULABLE_RETRY_SECONDS
            ):
                continue
            decision = self.scheduler.schedule(PodInfo.from_pod(pod))
            if decision.node is None:
                self._unschedulable[uid] = (state, now)
                self.context.wake_at(now + UNSCHEDULABLE_RETRY_SECONDS)
                self._set_scheduled(pod, "False", "Unschedulable", decision.message)
                self.context.recorder.record(
                    pod, "Warning", "FailedScheduling", decision.message, self.name
                )
                continue
            self._unschedulable.pop(uid, None)
            self._bind(pod, decision.node)

    def _set_scheduled(self, pod: Object, status: str, reason: str, message: str) -> None:
        current = self.context.store.get(
            "pods", pod["metadata"]["namespace"], pod["metadata"]["name"]
        )
        conditions = current.setdefault("status", {}).setdefault("conditions", [])
        condition: Object = {
            "type": "PodScheduled",
            "status": status,
            "lastProbeTime": None,
            "lastTransitionTime": rfc3339(self.context.clock.now),
        }
        if reason:
            condition.update(reason=reason, message=message)
        others = [c for c in conditions if c["type"] != "PodScheduled"]
        old = next((c for c in conditions if c["type"] == "PodScheduled"), None)
        if (
            old is not None
            and old.get("status") == status
            and old.get("message") == condition.get("message")
        ):
            return
        current["status"]["conditions"] = [*others, condition]
        self.context.store.update(current)

    def _bind(self, pod: Object, node: str) -> None:
        """The Binding subresource: set ``spec.nodeName`` (DefaultBinder)."""
        current = self.context.store.get(
            "pods", pod["metadata"]["namespace"], pod["metadata"]["name"]
        )
        current["spec"]["nodeName"] = node
        conditions = [
            c
            for c in current.get("status", {}).get("conditions") or []
            if c["type"] != "PodScheduled"
        ]
        conditions.append(
            {
                "type": "PodScheduled",
                "status": "True",
                "lastProbeTime": None,
                "lastTransitionTime": rfc3339(self.context.clock.now),
            }
        )
        current.setdefault("status", {})["conditions"] = conditions
        self.context.store.update(current)
        self.context.recorder.record(
            current,
            "Normal",
            "Scheduled",
            "Successfully assigned "
            f"{current['metadata']['namespace']}/{current['metadata']['name']} to {node}",
            self.name,
        )
