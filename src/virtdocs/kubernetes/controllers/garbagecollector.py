"""The garbage collector: an object whose owners are all gone is deleted too.

Deleting a Deployment removes its ReplicaSets, whose removal removes their pods
(background cascading deletion,
https://kubernetes.io/docs/concepts/architecture/garbage-collection/).
"""

from __future__ import annotations

from virtdocs.kubernetes.apiserver.resources import RESOURCES
from virtdocs.kubernetes.controllers.base import Context


class GarbageCollector:
    name = "garbage-collector-controller"

    def __init__(self, context: Context) -> None:
        self.context = context

    def sync(self) -> None:
        store = self.context.store
        uids = {
            obj["metadata"]["uid"]
            for resource in RESOURCES
            if resource.name != "events"
            for obj in store.list(resource)
        }
        for resource in RESOURCES:
            if resource.name == "events":
                continue  # events carry no owner references
            for obj in store.list(resource):
                refs = obj["metadata"].get("ownerReferences") or []
                if not refs or any(ref["uid"] in uids for ref in refs):
                    continue
                meta = obj["metadata"]
                if resource.name == "pods":
                    if "deletionTimestamp" not in meta:
                        store.mark_deleting("pods", meta.get("namespace"), meta["name"])
                else:
                    store.remove(resource, meta.get("namespace"), meta["name"])
