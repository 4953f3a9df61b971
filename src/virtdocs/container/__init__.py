"""Stage 3a: containers — namespaces, cgroups, layered images and an engine.

The core is a small model of one Linux host (:class:`Kernel`): processes that
point at eight kinds of namespace, a cgroup v2 tree whose limits are enforced
over simulated time, and a network of veth pairs and bridges. On top of it,
OCI-style images (real tar layers, addressed by sha256) are stacked as an
overlay filesystem, and :class:`Engine` runs containers with Docker's verbs
and Docker's error messages. :mod:`.compare` and :mod:`.runtimes` turn cited
figures into the VM-vs-container and secure-runtime comparisons.
"""

from virtdocs.container.cgroups import CgroupTree
from virtdocs.container.cpu import run_bandwidth
from virtdocs.container.engine import Engine, RunSpec, State
from virtdocs.container.images import Image, ImageStore, Registry
from virtdocs.container.kernel import Kernel, Process
from virtdocs.container.layers import Layer, apply_layers, layer_from_files
from virtdocs.container.namespaces import NsType
from virtdocs.container.overlay import Overlay
from virtdocs.container.runtimes import RUNTIMES, Runtime

__all__ = [
    "RUNTIMES",
    "CgroupTree",
    "Engine",
    "Image",
    "ImageStore",
    "Kernel",
    "Layer",
    "NsType",
    "Overlay",
    "Process",
    "Registry",
    "RunSpec",
    "Runtime",
    "State",
    "apply_layers",
    "layer_from_files",
    "run_bandwidth",
]
