"""One scheduling cycle: filter in rotating order until enough feasible nodes are
found, score them, pick the best (ties at random), and assume the pod there.

An unschedulable pod is a value (:class:`Decision` with ``node=None`` and
kube-scheduler's message), not an exception.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

import numpy as np

from virtdocs.kubernetes.scheduler.framework import IntArray, NodeTable, PodInfo, as_indices, size
from virtdocs.kubernetes.scheduler.profile import (
    Profile,
    default_profile,
    num_feasible_nodes_to_find,
)


@dataclass(frozen=True)
class Decision:
    pod: PodInfo
    node: str | None
    message: str  # FailedScheduling message when node is None
    feasible: int  # feasible nodes found (and scored)
    evaluated: int  # nodes the filters looked at


def fit_error(total: int, reasons: Counter[str]) -> str:
    """``0/3 nodes are available: 3 Insufficient cpu.`` — reasons sorted as kube-scheduler
    does (``sortReasonsHistogram``: by text of "count reason")."""
    parts = sorted(f"{count} {reason}" for reason, count in reasons.items())
    return f"0/{total} nodes are available: {', '.join(parts)}."


#: The one default filter whose rejection preemption could fix (Unschedulable); the others
#: answer UnschedulableAndUnresolvable, which preemption does not try to fix.
RESOLVABLE_BY_PREEMPTION = frozenset({"NodeResourcesFit"})


def preemption_message(total: int, resolvable: int) -> str:
    """What the DefaultPreemption PostFilter adds to a FailedScheduling message.

    Its dry run looks for lower-priority pods to evict on each node where preemption might
    help. This model has no PriorityClasses, so every pod has priority 0 (as on a cluster
    that defines none) and no node ever has a victim.

    >>> preemption_message(3, 2)
    'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, \
2 No preemption victims found for incoming pod.'
    """
    reasons: Counter[str] = Counter()
    if resolvable:
        reasons["No preemption victims found for incoming pod"] = resolvable
    if total - resolvable:
        reasons["Preemption is not helpful for scheduling"] = total - resolvable
    return "preemption: " + fit_error(total, reasons)


class Scheduler:
    """kube-scheduler's ``schedulePod`` over a :class:`NodeTable`."""

    def __init__(
        self, nodes: NodeTable, rng: random.Random, profile: Profile | None = None
    ) -> None:
        self.nodes = nodes
        self.rng = rng
        self.profile = profile or default_profile()
        self.next_start_node_index = 0

    def _passing(self, pod: PodInfo, window: slice | IntArray) -> slice | IntArray:
        """The nodes of ``window`` that pass every filter (fast path: no reasons kept)."""
        candidates = window
        for plugin in self.profile.filters:
            rejected = plugin.filter(pod, self.nodes, candidates)
            if rejected:
                keep = ~np.any(np.stack(list(rejected.values())), axis=0)
                candidates = as_indices(candidates, len(self.nodes))[keep]
                if len(candidates) == 0:
                    break
        return candidates

    def _diagnose(self, pod: PodInfo) -> str:
        """The FailedScheduling message: why each node failed (the reasons of the first
        plugin that rejected it), then what preemption found."""
        reasons: Counter[str] = Counter()
        resolvable = 0
        candidates = np.arange(len(self.nodes), dtype=np.int64)
        for plugin in self.profile.filters:
            rejected = plugin.filter(pod, self.nodes, candidates)
            if not rejected:
                continue
            for reason, mask in rejected.items():
                reasons[reason] += int(mask.sum())
            out = np.any(np.stack(list(rejected.values())), axis=0)
            if plugin.name in RESOLVABLE_BY_PREEMPTION:
                resolvable += int(out.sum())
            candidates = candidates[~out]
        total = len(self.nodes)
        return f"{fit_error(total, reasons)} {preemption_message(total, resolvable)}"

    def _find_feasible(self, pod: PodInfo) -> tuple[slice | IntArray, int]:
        """Filter nodes in rotating order from where the last cycle stopped until
        ``num_feasible_nodes_to_find`` pass; return them and how many were examined."""
        total = len(self.nodes)
        wanted = num_feasible_nodes_to_find(total, self.profile.percentage_of_nodes_to_score)
        start = self.next_start_node_index
        found: list[IntArray] = []
        count = evaluated = 0
        while evaluated < total and count < wanted:
            width = min(wanted - count, total - evaluated)  # one window of nodes at a time
            first = (start + evaluated) % total
            window: slice | IntArray
            if first + width <= total:
                window = slice(first, first + width)
            else:
                window = np.arange(first, first + width, dtype=np.int64) % total
            passing = self._passing(pod, window)
            evaluated += width
            if isinstance(passing, slice) and not found:
                # Everything in the first window passed: keep the cheap slice.
                self.next_start_node_index = (start + evaluated) % total
                return passing, evaluated
            found.append(as_indices(passing, total))
            count += len(found[-1])
        self.next_start_node_index = (start + evaluated) % total if total else 0
        feasible = np.concatenate(found) if found else np.zeros(0, np.int64)
        return feasible, evaluated

    def schedule(self, pod: PodInfo) -> Decision:
        """Decide a node for ``pod`` and assume it there (update the table)."""
        total = len(self.nodes)
        if total == 0:
            return Decision(pod, None, "no nodes available to schedule pods", 0, 0)
        feasible, evaluated = self._find_feasible(pod)
        count = size(feasible, total)
        if count == 0:
            return Decision(pod, None, self._diagnose(pod), 0, evaluated)
        indices = feasible
        if count == 1:
            chosen = int(as_indices(feasible, total)[0])
        else:
            totals = np.zeros(count, np.int64)
            for plugin, weight in self.profile.scores:
                totals += weight * plugin.score(pod, self.nodes, indices)
            best = np.flatnonzero(totals == np.max(totals))
            # selectHost picks uniformly among the top-scored nodes
            pick = int(best[self.rng.randrange(len(best))])
            chosen = feasible.start + pick if isinstance(feasible, slice) else int(feasible[pick])
        self.nodes.assume(pod, chosen)
        return Decision(pod, self.nodes.names[chosen], "", count, evaluated)
