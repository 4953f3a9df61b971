"""The default scheduling profile: plugins in kube-scheduler's order, weights inline.

Source: pkg/scheduler/apis/config/v1/default_plugins.go
(https://kubernetes.io/docs/reference/scheduling/config/#scheduling-plugins).
Plugins for volumes, ports, topology spread, inter-pod affinity and image locality
are part of the real profile but not of this model; they are listed so the page
can show what is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from virtdocs.kubernetes import defaults
from virtdocs.kubernetes.scheduler import plugins
from virtdocs.kubernetes.scheduler.framework import FilterPlugin, ScorePlugin

#: (plugin name, score weight or None) exactly as the default MultiPoint list.
DEFAULT_PLUGINS: tuple[tuple[str, int | None], ...] = (
    ("SchedulingGates", None),
    ("PrioritySort", None),
    ("NodeUnschedulable", None),
    ("NodeName", None),
    ("TaintToleration", 3),
    ("NodeAffinity", 2),
    ("NodePorts", None),
    ("NodeResourcesFit", 1),
    ("VolumeRestrictions", None),
    ("NodeVolumeLimits", None),
    ("VolumeBinding", None),
    ("VolumeZone", None),
    ("PodTopologySpread", 2),
    ("InterPodAffinity", 2),
    ("DefaultPreemption", None),
    ("NodeResourcesBalancedAllocation", 1),
    ("ImageLocality", 1),
    ("DefaultBinder", None),
)

_IMPLEMENTED = {
    "NodeUnschedulable": plugins.NodeUnschedulable(),
    "NodeName": plugins.NodeName(),
    "TaintToleration": plugins.TaintToleration(),
    "NodeAffinity": plugins.NodeAffinity(),
    "NodeResourcesFit": plugins.NodeResourcesFit(),
    "NodeResourcesBalancedAllocation": plugins.NodeResourcesBalancedAllocation(),
}

#: Default plugins this simulator does not model.
NOT_MODELED: tuple[str, ...] = tuple(
    name
    for name, _ in DEFAULT_PLUGINS
    if name not in _IMPLEMENTED
    and name not in ("PrioritySort", "DefaultBinder", "SchedulingGates", "DefaultPreemption")
)


@dataclass(frozen=True)
class Profile:
    filters: tuple[FilterPlugin, ...]
    scores: tuple[tuple[ScorePlugin, int], ...]
    percentage_of_nodes_to_score: int = 0  # 0 = adaptive, as kube-scheduler's default


def default_profile() -> Profile:
    filters: list[FilterPlugin] = []
    scores: list[tuple[ScorePlugin, int]] = []
    for name, weight in DEFAULT_PLUGINS:
        plugin = _IMPLEMENTED.get(name)
        if plugin is None:
            continue
        if hasattr(plugin, "filter"):
            filters.append(plugin)  # type: ignore[arg-type]
        if weight is not None and hasattr(plugin, "score"):
            scores.append((plugin, weight))  # type: ignore[arg-type]
    return Profile(tuple(filters), tuple(scores))


def num_feasible_nodes_to_find(num_nodes: int, percentage: int = 0) -> int:
    """How many feasible nodes kube-scheduler looks for before it stops filtering.

    Below 100 nodes, all of them; otherwise a percentage — adaptive by default,
    ``50 − n/125`` but at least 5 — and never fewer than 100 nodes
    (pkg/scheduler/schedule_one.go, numFeasibleNodesToFind).

    >>> [num_feasible_nodes_to_find(n) for n in (50, 100, 1000, 5000, 100_000)]
    [50, 100, 420, 500, 5000]
    """
    if num_nodes < defaults.MIN_FEASIBLE_NODES_TO_FIND:
        return num_nodes
    if percentage == 0:
        percentage = 50 - num_nodes // 125
        percentage = max(percentage, defaults.MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    found = num_nodes * percentage // 100
    return max(found, defaults.MIN_FEASIBLE_NODES_TO_FIND)
