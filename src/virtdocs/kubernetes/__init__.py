"""Stage 3b: Kubernetes — manifests and their validation, and a simulated cluster."""

from virtdocs.kubernetes.cluster import Cluster
from virtdocs.kubernetes.nodes import NodeSpec

__all__ = ["Cluster", "NodeSpec"]
