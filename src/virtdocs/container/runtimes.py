"""Container runtimes compared in one frame: where the isolation boundary is,
which path a system call takes, and what starting one costs.

runc is Docker's default: the process runs on the host kernel, fenced by
namespaces, cgroups and a seccomp filter. gVisor (``runsc``) puts a user-space
kernel, the Sentry, between the application and the host. Kata Containers
boots a light VM per pod and runs the container inside it. Firecracker is the
minimal VMM (used by AWS Lambda and Fargate, and usable under Kata) whose
microVMs are the boundary. Every number comes from :mod:`.params` with its source.
"""

from __future__ import annotations

from dataclasses import dataclass

from virtdocs.container import params
from virtdocs.container.params import Cited
from virtdocs.errors import UserError


@dataclass(frozen=True)
class Runtime:
    """One way of running a container image."""

    name: str
    engine_flag: str
    boundary: str
    kernel: str
    syscall_path: tuple[str, ...]
    start_ms: Cited
    overhead_mib: Cited

    @property
    def hops(self) -> int:
        """Layers an I/O system call crosses before reaching the host kernel's code."""
        return len(self.syscall_path) - 1

    def path_of(self, syscall: str) -> tuple[str, ...]:
        """Where one system call goes. Under runc every call enters the host
        kernel. Behind a guest kernel or the Sentry, a call that needs no
        device (``getpid``, ``mmap``) ends there; only I/O continues outward.

        >>> runtime("kata").path_of("getpid")
        ('application', 'guest kernel')
        """
        if syscall in IO_SYSCALLS or self.engine_flag == "runc":
            return self.syscall_path
        return self.syscall_path[: 3 if self.engine_flag == "runsc" else 2]


#: System calls that need a device (disk, network) in this model.
IO_SYSCALLS = frozenset({"read", "write", "openat", "sendto", "recvfrom", "fsync"})

#: The runtimes in teaching order: weakest boundary first.
RUNTIMES: tuple[Runtime, ...] = (
    Runtime(
        "runc (Docker default)",
        "runc",
        boundary="namespaces + cgroups + seccomp on the shared host kernel",
        kernel="host kernel, shared by every container",
        syscall_path=("application", "seccomp filter", "host kernel"),
        start_ms=params.RUNC_START_MS,
        overhead_mib=params.RUNC_SHIM_MIB,
    ),
    Runtime(
        "gVisor",
        "runsc",
        boundary="Sentry user-space kernel (itself confined by seccomp)",
        kernel="Sentry, a Linux-compatible kernel written in Go, one per sandbox",
        syscall_path=(
            "application",
            "platform trap (systrap/KVM)",
            "Sentry",
            "host kernel (few, filtered calls)",
        ),
        start_ms=params.GVISOR_START_MS,
        overhead_mib=params.GVISOR_OVERHEAD_MIB,
    ),
    Runtime(
        "Kata Containers",
        "kata",
        boundary="hardware virtualization: a light VM per pod",
        kernel="guest kernel per pod",
        syscall_path=(
            "application",
            "guest kernel",
            "VM exit to the VMM (I/O only)",
            "host kernel",
        ),
        start_ms=params.KATA_START_MS,
        overhead_mib=params.KATA_OVERHEAD_MIB,
    ),
    Runtime(
        "Firecracker microVM",
        "firecracker",
        boundary="hardware virtualization with a minimal, jailed VMM",
        kernel="guest kernel per microVM",
        syscall_path=(
            "application",
            "guest kernel",
            "VM exit to Firecracker (virtio only)",
            "host kernel",
        ),
        start_ms=params.FIRECRACKER_BOOT_MS,
        overhead_mib=params.FIRECRACKER_VMM_MIB,
    ),
)


def runtime(flag: str) -> Runtime:
    """Look a runtime up by its ``--runtime`` value."""
    for candidate in RUNTIMES:
        if candidate.engine_flag == flag:
            return candidate
    names = ", ".join(r.engine_flag for r in RUNTIMES)
    raise UserError(f"unknown or invalid runtime name: {flag} (known: {names})")
