"""Node objects as a kubelet registers them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from virtdocs.kubernetes import defaults
from virtdocs.kubernetes.clock import rfc3339
from virtdocs.kubernetes.scheduler.framework import Taint

Object = dict[str, Any]


@dataclass(frozen=True)
class NodeSpec:
    """A node to create: its name, size, labels and taints."""

    name: str
    cpu: str = defaults.NODE_CPU
    memory: str = defaults.NODE_MEMORY
    max_pods: int = defaults.NODE_MAX_PODS
    labels: dict[str, str] = field(default_factory=dict)
    taints: tuple[Taint, ...] = ()


def node_object(spec: NodeSpec, index: int, now: float) -> Object:
    stamp = rfc3339(now)
    address = f"10.0.0.{10 + index}"

    def condition(kind: str, status: str, reason: str, message: str) -> Object:
        return {
            "type": kind,
            "status": status,
            "lastHeartbeatTime": stamp,
            "lastTransitionTime": stamp,
            "reason": reason,
            "message": message,
        }

    resources = {
        "cpu": spec.cpu,
        "memory": spec.memory,
        "pods": str(spec.max_pods),
        "ephemeral-storage": "100Gi",
    }
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": spec.name,
            "labels": {
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": spec.name,
                "kubernetes.io/os": "linux",
                **spec.labels,
            },
            "annotations": {"node.alpha.kubernetes.io/ttl": "0"},
        },
        "spec": {
            "podCIDR": f"10.244.{index}.0/24",
            "podCIDRs": [f"10.244.{index}.0/24"],
            **(
                {
                    "taints": [
                        {"key": t.key, "value": t.value, "effect": t.effect} for t in spec.taints
                    ]
                }
                if spec.taints
                else {}
            ),
        },
        "status": {
            "capacity": dict(resources),
            "allocatable": dict(resources),
            "conditions": [
                condition(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                ),
                condition(
                    "DiskPressure",
                    "False",
                    "KubeletHasNoDiskPressure",
                    "kubelet has no disk pressure",
                ),
                condition(
                    "PIDPressure",
                    "False",
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                ),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [
                {"type": "InternalIP", "address": address},
                {"type": "Hostname", "address": spec.name},
            ],
            "nodeInfo": {
                "architecture": "amd64",
                "containerRuntimeVersion": "containerd://1.7.22",
                "kernelVersion": "6.8.0-45-generic",
                "kubeProxyVersion": defaults.NODE_KUBELET_VERSION,
                "kubeletVersion": defaults.NODE_KUBELET_VERSION,
                "operatingSystem": "linux",
                "osImage": "Ubuntu 24.04.1 LTS",
            },
        },
    }
