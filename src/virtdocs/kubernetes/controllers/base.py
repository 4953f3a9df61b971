"""Helpers controllers share: owner references and the context they run in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from virtdocs.kubernetes.apiserver.store import Store
from virtdocs.kubernetes.clock import Clock
from virtdocs.kubernetes.events import EventRecorder

Object = dict[str, Any]


@dataclass
class Context:
    store: Store
    clock: Clock
    recorder: EventRecorder
    _wakeups: set[float] = field(default_factory=set)

    def wake_at(self, when: float) -> None:
        """Ask for every loop to sync again at ``when`` (one timer per instant)."""
        if when <= self.clock.now or when in self._wakeups:
            return
        self._wakeups.add(when)
        self.clock.call_at(when, lambda: self._wakeups.discard(when))


def owner_reference(owner: Object) -> Object:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def controller_of(obj: Object) -> Object | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return dict(ref)
    return None


def is_owned_by(obj: Object, owner: Object) -> bool:
    ref = controller_of(obj)
    return ref is not None and ref.get("uid") == owner["metadata"]["uid"]


def pod_ready(pod: Object) -> bool:
    for condition in pod.get("status", {}).get("conditions") or []:
        if condition["type"] == "Ready":
            return bool(condition["status"] == "True")
    return False


def is_active(pod: Object) -> bool:
    """Counted by ReplicaSets: not terminating and not finished."""
    return "deletionTimestamp" not in pod["metadata"] and pod.get("status", {}).get(
        "phase"
    ) not in ("Succeeded", "Failed")
