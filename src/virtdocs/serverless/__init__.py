"""Stage 4: serverless — a function platform, its autoscaler, billing, and BaaS.

The simulation cores (platform, autoscaler, billing, object store) are pure:
they take a configuration, a seed or ``now``, and return values. Views (tables,
charts) live in :mod:`virtdocs.serverless.views` and ``charts``.
"""

from virtdocs.serverless.config import PlatformConfig
from virtdocs.serverless.platform import (
    Instance,
    InstanceState,
    poisson_arrivals,
    simulate,
    simulate_poisson,
)
from virtdocs.serverless.result import CONTRACT_KEYS, Sample, SimulationResult
from virtdocs.serverless.routing import ROUTING_POLICIES, FreePool, RoutingPolicy

__all__ = [
    "CONTRACT_KEYS",
    "ROUTING_POLICIES",
    "FreePool",
    "Instance",
    "InstanceState",
    "PlatformConfig",
    "RoutingPolicy",
    "Sample",
    "SimulationResult",
    "poisson_arrivals",
    "simulate",
    "simulate_poisson",
]
