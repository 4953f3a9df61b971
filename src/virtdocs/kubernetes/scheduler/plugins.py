"""The default Filter and Score plugins, each a small class with a name.

Messages are kube-scheduler's own (pkg/scheduler/framework/plugins/*), so a
FailedScheduling event reads as on a real cluster.
"""

from __future__ import annotations

import numpy as np

from virtdocs.kubernetes.scheduler.framework import (
    MAX_NODE_SCORE,
    Indices,
    IntArray,
    NodeTable,
    PodInfo,
    Rejections,
    Taint,
    Toleration,
    as_indices,
    size,
)

UNSCHEDULABLE_TAINT = Taint("node.kubernetes.io/unschedulable", "", "NoSchedule")


class NodeUnschedulable:
    """Rejects cordoned nodes unless the pod tolerates the unschedulable taint."""

    name = "NodeUnschedulable"

    def filter(self, pod: PodInfo, nodes: NodeTable, candidates: Indices) -> Rejections:
        blocked = nodes.unschedulable[candidates]
        if not blocked.any() or any(t.tolerates(UNSCHEDULABLE_TAINT) for t in pod.tolerations):
            return {}
        return {"node(s) were unschedulable": blocked}


class NodeName:
    name = "NodeName"

    def filter(self, pod: PodInfo, nodes: NodeTable, candidates: Indices) -> Rejections:
        if not pod.node_name:
            return {}
        names = nodes.names
        indices = as_indices(candidates, len(nodes))
        wrong = np.fromiter((names[i] != pod.node_name for i in indices), np.bool_, len(indices))
        return {"node(s) didn't match the requested node name": wrong}


def untolerated(
    taints: tuple[Taint, ...], tolerations: tuple[Toleration, ...], effects: tuple[str, ...]
) -> Taint | None:
    """The first taint with one of ``effects`` that no toleration tolerates."""
    for taint in taints:
        if taint.effect in effects and not any(t.tolerates(taint) for t in tolerations):
            return taint
    return None


class TaintToleration:
    """Filter: NoSchedule/NoExecute taints must be tolerated. Score: fewer untolerated
    PreferNoSchedule taints is better (normalised in reverse)."""

    name = "TaintToleration"

    def filter(self, pod: PodInfo, nodes: NodeTable, candidates: Indices) -> Rejections:
        if not nodes.any_tainted:
            return {}
        found: Rejections = {}
        indices = as_indices(candidates, len(nodes))
        for position, node in enumerate(indices):
            taint = untolerated(nodes.taints[node], pod.tolerations, ("NoSchedule", "NoExecute"))
            if taint is not None:
                reason = f"node(s) had untolerated taint {{{taint.key}: {taint.value}}}"
                found.setdefault(reason, np.zeros(len(indices), np.bool_))[position] = True
        return found

    def score(self, pod: PodInfo, nodes: NodeTable, feasible: Indices) -> IntArray:
        count = size(feasible, len(nodes))
        if not nodes.any_tainted:
            return np.full(count, MAX_NODE_SCORE, np.int64)  # normalised: all equal
        counts = np.zeros(count, np.int64)
        if nodes.any_tainted:
            for position, node in enumerate(as_indices(feasible, len(nodes))):
                counts[position] = sum(
                    1
                    for taint in nodes.taints[node]
                    if taint.effect == "PreferNoSchedule"
                    and not any(t.tolerates(taint) for t in pod.tolerations)
                )
        return normalize(counts, reverse=True)


class NodeAffinity:
    """Filter: ``nodeSelector`` and required node affinity. Score: preferred terms' weights."""

    name = "NodeAffinity"

    def filter(self, pod: PodInfo, nodes: NodeTable, candidates: Indices) -> Rejections:
        if not pod.node_selector and not pod.required_terms:
            return {}
        indices = as_indices(candidates, len(nodes))
        wrong = np.zeros(len(indices), np.bool_)
        for position, node in enumerate(indices):
            labels = nodes.labels[node]
            ok = all(labels.get(k) == v for k, v in pod.node_selector)
            if ok and pod.required_terms:  # terms are ORed
                ok = any(term.matches(labels) for term in pod.required_terms)
            wrong[position] = not ok
        return {"node(s) didn't match Pod's node affinity/selector": wrong}

    def score(self, pod: PodInfo, nodes: NodeTable, feasible: Indices) -> IntArray:
        sums = np.zeros(size(feasible, len(nodes)), np.int64)
        if not pod.preferred_terms:
            return sums
        indices = as_indices(feasible, len(nodes))
        for weight, term in pod.preferred_terms:
            sums += np.fromiter(
                (weight * term.matches(nodes.labels[n]) for n in indices), np.int64, len(indices)
            )
        return normalize(sums, reverse=False)


def fits(pod: PodInfo, nodes: NodeTable, candidates: Indices) -> Rejections:
    """The pure check behind NodeResourcesFit (``fitsRequest``): pod count, then each
    resource the pod asks for must fit in allocatable minus requested."""
    found: Rejections = {}
    too_many = nodes.pods[candidates] >= nodes.max_pods[candidates]
    if too_many.any():
        found["Too many pods"] = too_many
    if pod.milli_cpu or pod.memory:
        short = nodes.requested[:, candidates] + pod.requests > nodes.allocatable[:, candidates]
        if pod.milli_cpu and short[0].any():
            found["Insufficient cpu"] = short[0]
        if pod.memory and short[1].any():
            found["Insufficient memory"] = short[1]
    return found


def _after_placement(
    pod: PodInfo, nodes: NodeTable, feasible: Indices, *, non_zero: bool = True
) -> tuple[IntArray, IntArray]:
    """(allocatable, requested including this pod), rows CPU and memory. ``non_zero``
    counts a pod without requests at 100m / 200 MiB, as LeastAllocated does; the
    resourceAllocationScorer's ``useRequested`` (BalancedAllocation) counts what is asked."""
    if non_zero:
        return nodes.allocatable[:, feasible], nodes.non_zero_requested[
            :, feasible
        ] + pod.non_zero_requests
    return nodes.allocatable[:, feasible], nodes.requested[:, feasible] + pod.requests


class NodeResourcesFit:
    """Filter: resources fit. Score: the default ``LeastAllocated`` strategy, CPU and
    memory weighted 1 each (pkg/scheduler/apis/config/v1/defaults.go):
    ``(allocatable − requested) × 100 / allocatable`` per resource, 0 when over-committed;
    4000m allocatable with 1000m requested scores 75."""

    name = "NodeResourcesFit"

    def filter(self, pod: PodInfo, nodes: NodeTable, candidates: Indices) -> Rejections:
        return fits(pod, nodes, candidates)

    def score(self, pod: PodInfo, nodes: NodeTable, feasible: Indices) -> IntArray:
        allocatable, requested = _after_placement(pod, nodes, feasible)
        per_resource = (allocatable - requested) * MAX_NODE_SCORE // np.maximum(allocatable, 1)
        per_resource[requested > allocatable] = 0
        combined: IntArray = per_resource.sum(axis=0) // 2  # both resources weigh 1
        return combined


class NodeResourcesBalancedAllocation:
    """Prefers nodes whose CPU and memory fractions stay close: (1 − std) × 100, where
    for two resources std = |f_cpu − f_mem| / 2. 50 % CPU and 30 % memory score 90.
    Fractions are of what pods actually request (``useRequested: true`` in
    balanced_allocation.go), so pods without requests leave every node at 100."""

    name = "NodeResourcesBalancedAllocation"

    def score(self, pod: PodInfo, nodes: NodeTable, feasible: Indices) -> IntArray:
        allocatable, requested = _after_placement(pod, nodes, feasible, non_zero=False)
        fraction = np.minimum(requested / np.maximum(allocatable, 1), 1.0)
        std = np.abs(fraction[0] - fraction[1]) / 2
        score: IntArray = ((1 - std) * MAX_NODE_SCORE).astype(np.int64)
        return score


def normalize(scores: IntArray, *, reverse: bool) -> IntArray:
    """DefaultNormalizeScore: scale to 0–100 by the maximum; ``reverse`` flips it."""
    highest = int(np.max(scores)) if len(scores) else 0
    if highest == 0:
        return np.full(len(scores), MAX_NODE_SCORE if reverse else 0, np.int64)
    scaled = scores * MAX_NODE_SCORE // highest
    return MAX_NODE_SCORE - scaled if reverse else scaled
