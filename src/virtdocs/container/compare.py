"""VM vs container, generated from cited parameters and the image model.

Each row of the seed chapter's comparison (start time, disk, performance,
density, resource use, environment set-up) is computed here from
:mod:`.params`, so a changed source changes the page. Density is derived:
how many instances of a workload fit in a host's memory once each carries its
fixed overhead (a guest OS for a VM, a runtime shim for a container).
"""

from __future__ import annotations

from dataclasses import dataclass

from virtdocs.container import params
from virtdocs.container.images import Image
from virtdocs.container.runtimes import RUNTIMES
from virtdocs.errors import UserError


@dataclass(frozen=True)
class Row:
    """One comparison: a metric with the VM and the container value."""

    metric: str
    vm: str
    container: str
    sources: tuple[str, ...]


def density(host_mib: float, workload_mib: float, overhead_mib: float) -> int:
    """Instances that fit in memory: ``floor(host / (workload + overhead))``.

    >>> density(65536, 64, 3072)
    20
    """
    if host_mib <= 0 or workload_mib < 0 or overhead_mib < 0:
        raise UserError("density: host memory must be positive, sizes non-negative")
    return int(host_mib // (workload_mib + overhead_mib))


def setup_steps(image: Image) -> tuple[int, int]:
    """Steps to reproduce an environment on a new host: (VM, container).

    A container needs one ``docker run``: the image already holds every build
    step as a layer. A VM starts from an OS install and repeats each of those
    steps (install packages, copy the app, configure) by hand or by script.
    """
    return 1 + len(image.layers), 1


def table(image: Image, *, host_mib: float = 65536, workload_mib: float = 64) -> list[Row]:
    """The seed's comparison, row by row, with VM values first."""
    p = params
    container_overhead = p.RUNC_SHIM_MIB.low or 0.0
    vm_overhead = p.VM_MEMORY_MIB.low or 0.0
    vm_steps, container_steps = setup_steps(image)
    vm_density = density(host_mib, workload_mib, vm_overhead)
    ct_density = density(host_mib, workload_mib, container_overhead)
    useful_vm = workload_mib / (workload_mib + vm_overhead)
    useful_ct = workload_mib / (workload_mib + container_overhead)
    return [
        Row(
            "start time",
            p.VM_BOOT_MS.show(),
            p.RUNC_START_MS.show(),
            (p.VM_BOOT_MS.url, p.RUNC_START_MS.url),
        ),
        Row(
            "disk",
            p.VM_DISK_MB.show(),
            p.CONTAINER_DISK_MB.show(),
            (p.VM_DISK_MB.url, p.CONTAINER_DISK_MB.url),
        ),
        Row(
            "performance (Linpack)",
            f"{p.KVM_LINPACK.low:.2f}–{p.KVM_LINPACK.high:.2f} × native",
            f"{p.DOCKER_LINPACK.low:.2f} × native",
            (p.KVM_LINPACK.url,),
        ),
        Row(
            "performance (PXZ)",
            f"{p.KVM_PXZ.low:.2f}–{p.KVM_PXZ.high:.2f} × native",
            f"{p.DOCKER_PXZ.low:.2f} × native",
            (p.KVM_PXZ.url,),
        ),
        Row(
            f"density ({workload_mib:g} MiB apps on {host_mib / 1024:g} GiB)",
            str(vm_density),
            str(ct_density),
            (p.VM_MEMORY_MIB.url, p.RUNC_SHIM_MIB.url),
        ),
        Row(
            "memory doing useful work",
            f"{useful_vm:.0%}",
            f"{useful_ct:.0%}",
            (p.VM_MEMORY_MIB.url, p.RUNC_SHIM_MIB.url),
        ),
        Row(f"set-up steps ({image.name}:{image.tag})", str(vm_steps), str(container_steps), ()),
    ]


def runtime_series() -> dict[str, dict[str, float]]:
    """Start time (best case, ms) and fixed memory overhead (MiB) per runtime,
    plus a general-purpose VM, for charts; unknown values are left out."""
    series: dict[str, dict[str, float]] = {"start_ms": {}, "overhead_mib": {}}
    for rt in RUNTIMES:
        if rt.start_ms.low is not None:
            series["start_ms"][rt.name] = rt.start_ms.low
        if rt.overhead_mib.low is not None:
            series["overhead_mib"][rt.name] = rt.overhead_mib.low
    series["start_ms"]["general-purpose VM"] = params.VM_BOOT_MS.low or 0.0
    series["overhead_mib"]["general-purpose VM"] = params.VM_MEMORY_MIB.low or 0.0
    return series
