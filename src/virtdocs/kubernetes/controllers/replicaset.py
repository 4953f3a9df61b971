"""The ReplicaSet controller: keep ``spec.replicas`` pods matching the selector alive.

Self-healing is this loop: a pod that dies or is deleted is replaced on the next sync.
"""

from __future__ import annotations

import copy

from virtdocs.kubernetes.apiserver.defaulting import default_object
from virtdocs.kubernetes.clock import parse_rfc3339
from virtdocs.kubernetes.controllers.base import (
    Context,
    Object,
    controller_of,
    is_active,
    is_owned_by,
    owner_reference,
    pod_ready,
)
from virtdocs.kubernetes.selectors import LabelSelector


def _deletion_rank(pod: Object) -> tuple[int, int, int, float]:
    """Which pods to delete first when scaling down (controller.ActivePods ordering):
    unscheduled before scheduled, pending before running, not ready before ready, newest first."""
    status = pod.get("status", {})
    return (
        0 if not pod["spec"].get("nodeName") else 1,
        0 if status.get("phase") == "Pending" else 1,
        1 if pod_ready(pod) else 0,
        -parse_rfc3339(pod["metadata"]["creationTimestamp"]),
    )


class ReplicaSetController:
    name = "replicaset-controller"

    def __init__(self, context: Context) -> None:
        self.context = context

    def sync(self) -> None:
        store = self.context.store
        for rs in store.list("replicasets"):
            if "deletionTimestamp" in rs["metadata"]:
                continue
            namespace = rs["metadata"]["namespace"]
            selector = LabelSelector.from_api(rs["spec"].get("selector"))
            pods = [
                p
                for p in store.list("pods", namespace, labels=selector)
                if is_owned_by(p, rs) or controller_of(p) is None
            ]
            for pod in pods:  # adopt orphans that match, as the real controller does
                if controller_of(pod) is None:
                    pod["metadata"].setdefault("ownerReferences", []).append(owner_reference(rs))
                    store.update(pod)
            self._release_strays(rs, selector)
            active = [p for p in pods if is_active(p)]
            diff = len(active) - int(rs["spec"].get("replicas", 1))
            if diff < 0:
                for _ in range(-diff):
                    self._create_pod(rs)
            elif diff > 0:
                for pod in sorted(active, key=_deletion_rank)[:diff]:
                    store.mark_deleting("pods", namespace, pod["metadata"]["name"])
                    self.context.recorder.record(
                        rs,
                        "Normal",
                        "SuccessfulDelete",
                        f"Deleted pod: {pod['metadata']['name']}",
                        self.name,
                    )
            self._update_status(rs)

    def _release_strays(self, rs: Object, selector: LabelSelector) -> None:
        """A pod relabelled out of the selector is released (its owner reference dropped,
        as PodControllerRefManager does): it keeps running, no longer counted or collected,
        and the ReplicaSet makes a replacement. The usual way to quarantine a pod."""
        store = self.context.store
        for pod in store.list("pods", rs["metadata"]["namespace"]):
            if is_owned_by(pod, rs) and not selector.matches(pod["metadata"].get("labels")):
                uid = rs["metadata"]["uid"]
                refs = [r for r in pod["metadata"]["ownerReferences"] if r.get("uid") != uid]
                if refs:
                    pod["metadata"]["ownerReferences"] = refs
                else:
                    del pod["metadata"]["ownerReferences"]
                store.update(pod)

    def _create_pod(self, rs: Object) -> None:
        template = copy.deepcopy(rs["spec"]["template"])
        meta = template.get("metadata") or {}
        pod = default_object(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "generateName": rs["metadata"]["name"] + "-",
                    "namespace": rs["metadata"]["namespace"],
                    "labels": dict(meta.get("labels") or {}),
                    "ownerReferences": [owner_reference(rs)],
                },
                "spec": template["spec"],
            }
        )
        if meta.get("annotations"):
            pod["metadata"]["annotations"] = dict(meta["annotations"])
        created = self.context.store.create(pod)
        self.context.recorder.record(
            rs,
            "Normal",
            "SuccessfulCreate",
            f"Created pod: {created['metadata']['name']}",
            self.name,
        )

    def _update_status(self, rs: Object) -> None:
        store = self.context.store
        current = store.get("replicasets", rs["metadata"]["namespace"], rs["metadata"]["name"])
        pods = [
            p
            for p in store.list("pods", rs["metadata"]["namespace"])
            if is_owned_by(p, current) and is_active(p)
        ]
        ready = sum(pod_ready(p) for p in pods)
        status = {
            "replicas": len(pods),
            "fullyLabeledReplicas": len(pods),
            "readyReplicas": ready,
            "availableReplicas": ready,  # minReadySeconds is 0 by default
            "observedGeneration": current["metadata"].get("generation", 1),
        }
        if current.get("status") != status:
            current["status"] = status
            store.update(current)
