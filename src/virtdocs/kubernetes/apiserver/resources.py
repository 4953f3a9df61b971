"""The resource types this simulated API server serves, as ``kubectl api-resources`` lists them.

Names, short names, groups and kinds are those of a real cluster
(https://kubernetes.io/docs/reference/kubectl/#resource-types).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    name: str  # plural, as in the URL path
    singular: str
    shortnames: tuple[str, ...]
    api_version: str
    namespaced: bool
    kind: str

    @property
    def group(self) -> str:
        return self.api_version.split("/")[0] if "/" in self.api_version else ""

    @property
    def qualified(self) -> str:
        """``deployments.apps``: how API errors name a resource."""
        return f"{self.name}.{self.group}" if self.group else self.name


#: In ``kubectl api-resources`` order: the core group first, then groups alphabetically.
RESOURCES: tuple[Resource, ...] = (
    Resource("endpoints", "endpoints", ("ep",), "v1", True, "Endpoints"),
    Resource("events", "event", ("ev",), "v1", True, "Event"),
    Resource("namespaces", "namespace", ("ns",), "v1", False, "Namespace"),
    Resource("nodes", "node", ("no",), "v1", False, "Node"),
    Resource("pods", "pod", ("po",), "v1", True, "Pod"),
    Resource("services", "service", ("svc",), "v1", True, "Service"),
    Resource("deployments", "deployment", ("deploy",), "apps/v1", True, "Deployment"),
    Resource("replicasets", "replicaset", ("rs",), "apps/v1", True, "ReplicaSet"),
    Resource("endpointslices", "endpointslice", (), "discovery.k8s.io/v1", True, "EndpointSlice"),
)

_BY_KIND = {resource.kind: resource for resource in RESOURCES}


def lookup(word: str) -> Resource | None:
    """Find a resource by plural, singular, short name, kind or ``name.group``."""
    lowered = word.lower()
    for resource in RESOURCES:
        if lowered in (
            resource.name,
            resource.singular,
            resource.kind.lower(),
            resource.qualified,
            *resource.shortnames,
        ):
            return resource
    return None


def by_kind(kind: str) -> Resource | None:
    return _BY_KIND.get(kind)
