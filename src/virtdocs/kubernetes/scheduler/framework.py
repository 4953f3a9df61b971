"""The scheduling framework's data and interfaces.

Nodes live in a :class:`NodeTable` — one numpy array per resource — so that a
plugin can answer for hundreds of nodes in one vectorised step while keeping the
framework's semantics: a Filter plugin says which candidate nodes it rejects and
why; a Score plugin gives each feasible node 0–100 (its NormalizeScore step folded in).
Both are one-method protocols, registered with weights in :mod:`.profile`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from virtdocs.kubernetes import defaults
from virtdocs.kubernetes.quantity import memory_bytes, milli_cpu

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
#: Which nodes a plugin looks at: an index array, or a slice when they are contiguous
#: (the common case; numpy then reads a view instead of gathering).
Indices = IntArray | slice


def as_indices(nodes: Indices, count: int) -> IntArray:
    """An index array for ``nodes`` (for plugins that loop in Python)."""
    if isinstance(nodes, slice):
        return np.arange(count, dtype=np.int64)[nodes]
    return nodes


def size(nodes: Indices, count: int) -> int:
    if isinstance(nodes, slice):
        return len(range(*nodes.indices(count)))
    return len(nodes)


#: Scores are on kube-scheduler's fixed scale (framework.MaxNodeScore).
MAX_NODE_SCORE = 100


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: str  # NoSchedule, PreferNoSchedule, NoExecute

    def __str__(self) -> str:
        return (
            f"{self.key}={self.value}:{self.effect}" if self.value else f"{self.key}:{self.effect}"
        )


@dataclass(frozen=True)
class Toleration:
    key: str = ""
    operator: str = "Equal"
    value: str = ""
    effect: str = ""
    seconds: int | None = None

    def tolerates(self, taint: Taint) -> bool:
        """The rule in https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/."""
        if self.effect and self.effect != taint.effect:
            return False
        if not self.key:
            return self.operator == "Exists"  # empty key with Exists tolerates everything
        if self.key != taint.key:
            return False
        return self.operator == "Exists" or self.value == taint.value

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> Toleration:
        return cls(
            str(raw.get("key", "")),
            str(raw.get("operator", "Equal")),
            str(raw.get("value", "")),
            str(raw.get("effect", "")),
            raw.get("tolerationSeconds"),
        )


@dataclass(frozen=True)
class NodeSelectorTerm:
    """One ``nodeSelectorTerms`` entry: all its expressions must hold."""

    expressions: tuple[tuple[str, str, tuple[str, ...]], ...]

    def matches(self, labels: Mapping[str, str]) -> bool:
        for key, operator, values in self.expressions:
            value = labels.get(key)
            ok = {
                "In": value is not None and value in values,
                "NotIn": value is None or value not in values,
                "Exists": value is not None,
                "DoesNotExist": value is None,
                "Gt": value is not None and value.isdigit() and int(value) > int(values[0]),
                "Lt": value is not None and value.isdigit() and int(value) < int(values[0]),
            }[operator]
            if not ok:
                return False
        return True

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> NodeSelectorTerm:
        return cls(
            tuple(
                (e["key"], e["operator"], tuple(str(v) for v in e.get("values") or ()))
                for e in raw.get("matchExpressions") or []
            )
        )


@dataclass(frozen=True)
class PodInfo:
    """What the scheduler needs to know about a pod, parsed once."""

    namespace: str
    name: str
    milli_cpu: int = 0
    memory: int = 0
    node_name: str = ""
    node_selector: tuple[tuple[str, str], ...] = ()
    required_terms: tuple[NodeSelectorTerm, ...] = ()
    preferred_terms: tuple[tuple[int, NodeSelectorTerm], ...] = ()
    tolerations: tuple[Toleration, ...] = ()
    priority: int = 0

    @property
    def requests(self) -> IntArray:
        """(CPU, memory) as a column to add to a NodeTable's rows."""
        return np.array([[self.milli_cpu], [self.memory]], np.int64)

    @property
    def non_zero_requests(self) -> IntArray:
        return np.array([[self.non_zero_cpu], [self.non_zero_memory]], np.int64)

    @property
    def non_zero_cpu(self) -> int:
        return self.milli_cpu or defaults.NON_ZERO_MILLI_CPU

    @property
    def non_zero_memory(self) -> int:
        return self.memory or defaults.NON_ZERO_MEMORY

    @classmethod
    def from_pod(cls, pod: Mapping[str, Any]) -> PodInfo:
        spec = pod.get("spec", {})
        cpu = memory = 0
        for container in spec.get("containers") or []:
            requests = (container.get("resources") or {}).get("requests") or {}
            cpu += milli_cpu(requests.get("cpu", 0))
            memory += memory_bytes(requests.get("memory", 0))
        affinity = (spec.get("affinity") or {}).get("nodeAffinity") or {}
        required = (affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get(
            "nodeSelectorTerms"
        ) or []
        preferred = affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or []
        return cls(
            namespace=pod["metadata"].get("namespace", "default"),
            name=pod["metadata"]["name"],
            milli_cpu=cpu,
            memory=memory,
            node_name=spec.get("nodeName", "") or "",
            node_selector=tuple(sorted((spec.get("nodeSelector") or {}).items())),
            required_terms=tuple(NodeSelectorTerm.from_api(t) for t in required),
            preferred_terms=tuple(
                (int(p["weight"]), NodeSelectorTerm.from_api(p["preference"])) for p in preferred
            ),
            tolerations=tuple(Toleration.from_api(t) for t in spec.get("tolerations") or []),
            priority=int(spec.get("priority", 0) or 0),
        )


@dataclass
class NodeTable:
    """What every node offers and what is asked of it, as arrays.

    ``allocatable``, ``requested`` and ``non_zero_requested`` have two rows —
    CPU in millicores, memory in bytes — and one column per node, so a plugin
    checks both resources for hundreds of nodes in one numpy step.
    ``non_zero_requested`` counts pods without requests at the scheduler's
    defaults (100m, 200 MiB), which is what LeastAllocated scores with (BalancedAllocation
    uses ``requested``).
    """

    names: list[str]
    labels: list[dict[str, str]]
    taints: list[tuple[Taint, ...]]
    allocatable: IntArray  # shape (2, n)
    max_pods: IntArray
    requested: IntArray  # shape (2, n)
    non_zero_requested: IntArray  # shape (2, n)
    pods: IntArray
    unschedulable: BoolArray
    _tainted: bool | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        names: Sequence[str] = (),
        milli_cpu: Sequence[int] | IntArray = (),
        memory: Sequence[int] | IntArray = (),
        max_pods: Sequence[int] | IntArray = (),
        *,
        labels: Sequence[dict[str, str]] | None = None,
        taints: Sequence[tuple[Taint, ...]] | None = None,
        unschedulable: Sequence[bool] | None = None,
    ) -> NodeTable:
        count = len(names)
        return cls(
            names=list(names),
            labels=list(labels) if labels is not None else [{} for _ in range(count)],
            taints=list(taints) if taints is not None else [() for _ in range(count)],
            allocatable=np.array(
                [np.asarray(milli_cpu, np.int64), np.asarray(memory, np.int64)]
            ).reshape(2, count),
            max_pods=np.asarray(max_pods, np.int64).reshape(count),
            requested=np.zeros((2, count), np.int64),
            non_zero_requested=np.zeros((2, count), np.int64),
            pods=np.zeros(count, np.int64),
            unschedulable=np.asarray(
                unschedulable if unschedulable is not None else [False] * count, np.bool_
            ).reshape(count),
        )

    def __len__(self) -> int:
        return len(self.names)

    @property
    def any_tainted(self) -> bool:
        # Cached: checking 5,000 taint lists on every pod would dominate a cycle.
        if self._tainted is None:
            self._tainted = any(self.taints)
        return self._tainted

    def set_taints(self, node: int, taints: tuple[Taint, ...]) -> None:
        self.taints[node] = taints
        self._tainted = None

    def assume(self, pod: PodInfo, node: int, sign: int = 1) -> None:
        """Account for ``pod`` on ``node`` (``sign=-1`` forgets it)."""
        self.requested[0, node] += sign * pod.milli_cpu
        self.requested[1, node] += sign * pod.memory
        self.non_zero_requested[0, node] += sign * pod.non_zero_cpu
        self.non_zero_requested[1, node] += sign * pod.non_zero_memory
        self.pods[node] += sign


#: Filter answer: for each reason, which of the candidates it rejects.
Rejections = dict[str, BoolArray]


class FilterPlugin(Protocol):
    name: str

    def filter(self, pod: PodInfo, nodes: NodeTable, candidates: Indices) -> Rejections:
        """Reasons and the candidate nodes each rules out; ``{}`` when all pass."""
        ...


class ScorePlugin(Protocol):
    name: str

    def score(self, pod: PodInfo, nodes: NodeTable, feasible: Indices) -> IntArray:
        """A 0–100 score for each feasible node (already normalised)."""
        ...
