"""Event objects, as components record them (client-go's EventRecorder).

A repeat of the same reason and message for the same object bumps ``count`` and
``lastTimestamp`` instead of adding a new event, like the event correlator.
"""

from __future__ import annotations

from typing import Any

from virtdocs.kubernetes.apiserver.resources import by_kind
from virtdocs.kubernetes.apiserver.store import Store
from virtdocs.kubernetes.clock import EPOCH, rfc3339

Object = dict[str, Any]


class EventRecorder:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._index: dict[tuple[str, str, str, str, str], str] = {}
        self._sequence = 0

    def record(
        self, obj: Object, event_type: str, reason: str, message: str, component: str
    ) -> None:
        meta = obj["metadata"]
        namespace = meta.get("namespace", "default")
        kind = str(obj.get("kind"))
        key = (kind, namespace, meta["name"], reason, message)
        now = rfc3339(self.store.clock.now)
        existing = self._index.get(key)
        if existing is not None and self.store.exists("events", namespace, existing):
            event = self.store.get("events", namespace, existing)
            event["count"] += 1
            event["lastTimestamp"] = now
            self.store.update(event)
            return
        self._sequence += 1
        resource = by_kind(kind)
        # Real names are "<object>.<hex UnixNano>"; the sequence keeps same-instant events apart.
        nanos = int((EPOCH.timestamp() + self.store.clock.now) * 1e9) + self._sequence
        name = f"{meta['name']}.{nanos:x}"
        self._index[key] = name
        self.store.create(
            {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": name, "namespace": namespace},
                "involvedObject": {
                    "apiVersion": resource.api_version if resource else "v1",
                    "kind": kind,
                    "name": meta["name"],
                    "namespace": namespace,
                    "uid": meta.get("uid", ""),
                },
                "reason": reason,
                "message": message,
                "type": event_type,
                "source": {"component": component},
                "count": 1,
                "firstTimestamp": now,
                "lastTimestamp": now,
            }
        )
