"""The object store behind the API server — the role etcd plays.

Every write bumps one cluster-wide ``resourceVersion``. An update must carry the
``resourceVersion`` it read: if someone wrote in between, it is refused with a
Conflict (optimistic concurrency, as in
https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions).
Every write is also an ADDED / MODIFIED / DELETED event that watchers receive in order.

>>> from virtdocs.kubernetes.clock import Clock
>>> store = Store(Clock(), seed=1)
>>> pod = store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}})
>>> stale = store.get("pods", "default", "a")
>>> pod["metadata"]["labels"] = {"app": "web"}
>>> store.update(pod)["metadata"]["resourceVersion"]
'2'
>>> store.update(stale)
Traceback (most recent call last):
...
virtdocs.kubernetes.apiserver.errors.ApiError: Operation cannot be fulfilled on pods "a": \
the object has been modified; please apply your changes to the latest version and try again
"""

from __future__ import annotations

import marshal
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from virtdocs.kubernetes.apiserver import errors
from virtdocs.kubernetes.apiserver.resources import Resource, by_kind, lookup
from virtdocs.kubernetes.clock import Clock, rfc3339
from virtdocs.kubernetes.selectors import FieldSelector, LabelSelector

Object = dict[str, Any]
Key = tuple[str, str, str]  # (resource name, namespace or "", object name)


def clone(obj: Object) -> Object:
    """A deep copy of a JSON-like object. ``marshal`` does it in C, several times faster
    than ``copy.deepcopy``; API objects hold only dicts, lists, strings, numbers and None."""
    copied: Object = marshal.loads(marshal.dumps(obj))
    return copied


#: The alphabet of generated name suffixes and pod-template-hashes (apimachinery's
#: util/rand: consonants and digits that cannot spell words).
ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


@dataclass(frozen=True)
class WatchEvent:
    type: str  # ADDED, MODIFIED, DELETED
    object: Object
    resource_version: int


class Watch:
    """A stream of events for one resource, read with :meth:`drain`."""

    def __init__(self, store: Store, resource: Resource, namespace: str | None, start: int):
        self._store = store
        self.resource = resource
        self.namespace = namespace
        self._cursor = start

    def drain(self) -> list[WatchEvent]:
        """Events since the last drain (or since the watch began)."""
        found = []
        for rv, resource, namespace, event in self._store.log_since(self._cursor):
            self._cursor = rv
            if resource == self.resource.name and self.namespace in (None, namespace):
                found.append(event)
        return found


def resource_of(obj: Object) -> Resource:
    resource = by_kind(str(obj.get("kind", "")))
    if resource is None:
        raise errors.ApiError(
            "NotFound",
            404,
            f'the server could not find the requested resource (kind "{obj.get("kind")}")',
        )
    return resource


class Store:
    """Objects keyed by resource, namespace and name; values are plain API dicts."""

    def __init__(self, clock: Clock, *, seed: int = 0) -> None:
        self.clock = clock
        self.rng = random.Random(seed)
        self.revision = 0
        self._objects: dict[Key, Object] = {}
        self._log: list[tuple[int, str, str, WatchEvent]] = []
        self._uid = 0
        #: Hooks run on create before storing, per resource (the registry's strategies).
        self.prepare_create: dict[str, Callable[[Object], None]] = {}
        self.on_delete: dict[str, Callable[[Object], None]] = {}

    # -- keys and copies ---------------------------------------------------------------------
    @staticmethod
    def key(resource: Resource, namespace: str | None, name: str) -> Key:
        return (resource.name, (namespace or "default") if resource.namespaced else "", name)

    def _key_of(self, obj: Object) -> tuple[Resource, Key]:
        resource = resource_of(obj)
        meta = obj.setdefault("metadata", {})
        if resource.namespaced:
            meta.setdefault("namespace", "default")
        return resource, self.key(resource, meta.get("namespace"), meta.get("name", ""))

    def _record(self, kind: str, resource: Resource, namespace: str, obj: Object) -> None:
        self._log.append(
            (
                self.revision,
                resource.name,
                namespace,
                WatchEvent(kind, clone(obj), self.revision),
            )
        )

    def log_since(self, revision: int) -> Iterator[tuple[int, str, str, WatchEvent]]:
        # The log is ordered by revision; scan from the end backwards to the cursor.
        start = len(self._log)
        while start > 0 and self._log[start - 1][0] > revision:
            start -= 1
        yield from self._log[start:]

    def generate_name(self, prefix: str, length: int = 5) -> str:
        return prefix + "".join(self.rng.choice(ALPHANUMS) for _ in range(length))

    # -- verbs -------------------------------------------------------------------------------
    def create(self, obj: Object) -> Object:
        obj = clone(obj)
        meta = obj.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = self.generate_name(meta["generateName"])
        resource, key = self._key_of(obj)
        if not meta.get("name"):
            raise errors.invalid(
                resource, "", "metadata.name: Required value: name or generateName is required"
            )
        if key in self._objects:
            raise errors.already_exists(resource, meta["name"])
        if (
            resource.namespaced
            and meta["namespace"] != "default"
            and (("namespaces", "", meta["namespace"]) not in self._objects)
        ):
            raise errors.ApiError("NotFound", 404, f'namespaces "{meta["namespace"]}" not found')
        hook = self.prepare_create.get(resource.name)
        if hook is not None:
            hook(obj)
        self._uid += 1
        self.revision += 1
        meta["uid"] = f"00000000-0000-4000-8000-{self._uid:012d}"
        meta["resourceVersion"] = str(self.revision)
        meta["creationTimestamp"] = rfc3339(self.clock.now)
        if "spec" in obj and resource.name not in ("pods", "services", "nodes"):
            meta["generation"] = 1
        self._objects[key] = obj
        self._record("ADDED", resource, key[1], obj)
        return clone(obj)

    def get(self, resource: str | Resource, namespace: str | None, name: str) -> Object:
        res = self._resource(resource)
        obj = self._objects.get(self.key(res, namespace, name))
        if obj is None:
            raise errors.not_found(res, name)
        return clone(obj)

    def exists(self, resource: str | Resource, namespace: str | None, name: str) -> bool:
        return self.key(self._resource(resource), namespace, name) in self._objects

    def list(
        self,
        resource: str | Resource,
        namespace: str | None = None,
        *,
        labels: LabelSelector | None = None,
        fields: FieldSelector | None = None,
    ) -> list[Object]:
        """Objects sorted by namespace then name, as the API server returns them."""
        res = self._resource(resource)
        found = []
        for (name, ns, _), obj in sorted(self._objects.items()):
            if name != res.name or (namespace is not None and res.namespaced and ns != namespace):
                continue
            if labels is not None and not labels.matches(obj["metadata"].get("labels")):
                continue
            if fields is not None and not fields.matches(obj):
                continue
            found.append(clone(obj))
        return found

    def update(self, obj: Object) -> Object:
        """Replace an object; refused with Conflict if its resourceVersion is stale."""
        obj = clone(obj)
        resource, key = self._key_of(obj)
        current = self._objects.get(key)
        if current is None:
            raise errors.not_found(resource, key[2])
        sent = obj["metadata"].get("resourceVersion")
        if sent is not None and sent != current["metadata"]["resourceVersion"]:
            raise errors.conflict(resource, key[2])
        for field in ("uid", "creationTimestamp", "deletionTimestamp"):
            if field in current["metadata"]:
                obj["metadata"][field] = current["metadata"][field]
        if obj == current:
            return clone(current)  # a no-op write does not bump the version
        if "generation" in current["metadata"]:
            changed = obj.get("spec") != current.get("spec")
            obj["metadata"]["generation"] = current["metadata"]["generation"] + int(changed)
        self.revision += 1
        obj["metadata"]["resourceVersion"] = str(self.revision)
        self._objects[key] = obj
        self._record("MODIFIED", resource, key[1], obj)
        return clone(obj)

    def mark_deleting(self, resource: str | Resource, namespace: str | None, name: str) -> Object:
        """Graceful deletion: set ``deletionTimestamp``; the kubelet finishes it.

        As the pod registry's ``CheckGracefulDelete`` decides, a pod no kubelet is running
        (not bound to a node, or already Succeeded / Failed) or with a grace period of 0 is
        removed at once instead: nobody would ever finish its deletion.
        """
        res = self._resource(resource)
        key = self.key(res, namespace, name)
        obj = self._objects.get(key)
        if obj is None:
            raise errors.not_found(res, name)
        if "deletionTimestamp" not in obj["metadata"]:
            grace = obj.get("spec", {}).get("terminationGracePeriodSeconds", 30)
            if res.name == "pods" and (
                grace == 0
                or not obj.get("spec", {}).get("nodeName")
                or obj.get("status", {}).get("phase") in ("Succeeded", "Failed")
            ):
                return self.remove(res, namespace, name)
            obj["metadata"]["deletionTimestamp"] = rfc3339(self.clock.now + grace)
            obj["metadata"]["deletionGracePeriodSeconds"] = grace
            self.revision += 1
            obj["metadata"]["resourceVersion"] = str(self.revision)
            self._record("MODIFIED", res, key[1], obj)
        return clone(obj)

    def remove(self, resource: str | Resource, namespace: str | None, name: str) -> Object:
        """Remove an object now; its dependents are left to the garbage collector."""
        res = self._resource(resource)
        key = self.key(res, namespace, name)
        obj = self._objects.pop(key, None)
        if obj is None:
            raise errors.not_found(res, name)
        self.revision += 1
        self._record("DELETED", res, key[1], obj)
        hook = self.on_delete.get(res.name)
        if hook is not None:
            hook(obj)
        return clone(obj)

    def watch(self, resource: str | Resource, namespace: str | None = None) -> Watch:
        """Events from now on, like ``kubectl get -w`` after its initial list."""
        return Watch(self, self._resource(resource), namespace, self.revision)

    @staticmethod
    def _resource(resource: str | Resource) -> Resource:
        if isinstance(resource, Resource):
            return resource
        found = lookup(resource)
        if found is None:
            raise ValueError(f"unknown resource {resource!r}")
        return found
