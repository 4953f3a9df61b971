"""The node lifecycle controller and its taint-based eviction.

A node whose kubelet has not renewed its lease for ``NODE_MONITOR_GRACE_SECONDS``
turns ``Ready=Unknown`` and gets the ``node.kubernetes.io/unreachable`` taints. Its
pods are marked not ready (so Services stop sending them traffic) and, once their
toleration of that taint runs out (300 s by default), deleted — and their
ReplicaSets create replacements on healthy nodes.
"""

from __future__ import annotations

from collections.abc import Callable

from virtdocs.kubernetes import defaults
from virtdocs.kubernetes.clock import parse_rfc3339, rfc3339
from virtdocs.kubernetes.controllers.base import Context, Object
from virtdocs.kubernetes.scheduler.framework import Taint, Toleration

UNREACHABLE = "node.kubernetes.io/unreachable"


class NodeLifecycleController:
    name = "node-controller"

    def __init__(self, context: Context, lease: Callable[[str], float]) -> None:
        self.context = context
        self.lease = lease  # node name -> last renewal of its Lease (kube-node-lease)

    def sync(self) -> None:
        now = self.context.clock.now
        for node in self.context.store.list("nodes"):
            name = node["metadata"]["name"]
            renewed = self.lease(name)
            deadline = renewed + defaults.NODE_MONITOR_GRACE_SECONDS
            if now >= deadline:
                self._mark_unreachable(node, renewed)
            elif renewed < now:  # a silent node: look again when its grace period ends
                self.context.wake_at(deadline)
            self._evict(node)

    def _mark_unreachable(self, node: Object, renewed: float) -> None:
        store = self.context.store
        changed = False
        for condition in node["status"]["conditions"]:
            if condition["status"] != "Unknown":
                condition.update(
                    status="Unknown",
                    reason="NodeStatusUnknown",
                    message="Kubelet stopped posting node status.",
                    lastTransitionTime=rfc3339(self.context.clock.now),
                )
                changed = True
        taints = node["spec"].setdefault("taints", [])
        for effect in ("NoSchedule", "NoExecute"):
            if not any(t["key"] == UNREACHABLE and t["effect"] == effect for t in taints):
                taint = {"key": UNREACHABLE, "effect": effect}
                if effect == "NoExecute":
                    taint["timeAdded"] = rfc3339(self.context.clock.now)
                taints.append(taint)
                changed = True
        if not changed:
            return
        store.update(node)
        self.context.recorder.record(
            node,
            "Normal",
            "NodeNotReady",
            f"Node {node['metadata']['name']} status is now: NodeNotReady",
            self.name,
        )
        for pod in store.list("pods"):
            if pod["spec"].get("nodeName") != node["metadata"]["name"]:
                continue
            for condition in pod["status"].get("conditions", []):
                if condition["type"] in ("Ready", "ContainersReady"):
                    condition["status"] = "False"
            store.update(pod)

    def _evict(self, node: Object) -> None:
        """The taint manager: delete pods that do not tolerate a NoExecute taint (in time)."""
        taints = [t for t in node["spec"].get("taints") or [] if t["effect"] == "NoExecute"]
        if not taints:
            return
        store = self.context.store
        now = self.context.clock.now
        for pod in store.list("pods"):
            if (
                pod["spec"].get("nodeName") != node["metadata"]["name"]
                or "deletionTimestamp" in pod["metadata"]
            ):
                continue
            tolerations = [Toleration.from_api(t) for t in pod["spec"].get("tolerations") or []]
            evict_at = now
            for raw in taints:
                taint = Taint(raw["key"], raw.get("value", ""), raw["effect"])
                matching = [t for t in tolerations if t.tolerates(taint)]
                if not matching:
                    break
                added = parse_rfc3339(raw.get("timeAdded", rfc3339(now)))
                seconds = min((t.seconds for t in matching if t.seconds is not None), default=None)
                evict_at = max(evict_at, float("inf") if seconds is None else added + seconds)
            if evict_at <= now:
                store.mark_deleting("pods", pod["metadata"]["namespace"], pod["metadata"]["name"])
                self.context.recorder.record(
                    pod,
                    "Normal",
                    "TaintManagerEviction",
                    "Marking for deletion Pod "
                    f"{pod['metadata']['namespace']}/{pod['metadata']['name']}",
                    "taint-eviction-controller",
                )
            elif evict_at != float("inf"):
                self.context.wake_at(evict_at)
