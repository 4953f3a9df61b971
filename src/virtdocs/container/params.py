"""Cited parameters: every number the comparison pages use, with its source.

A :class:`Cited` value holds the lowest and highest figure a source reports
(equal when it reports one) and the link, so pages can show both the number
and where it comes from. Where no source gives a figure the value is ``None``
and pages print "n/a" rather than inventing one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cited:
    """A figure from a source: ``low``..``high`` in ``unit``."""

    low: float | None
    high: float | None
    unit: str
    source: str
    url: str
    note: str = ""
    #: "≤" or ">" when the source gives a bound rather than a measurement.
    bound: str = ""

    @property
    def known(self) -> bool:
        return self.low is not None and self.high is not None

    def show(self) -> str:
        """``250 ms``, ``81–280 ms`` or ``n/a``.

        >>> Cited(81, 280, "ms", "x", "https://example.org").show()
        '81–280 ms'
        """
        if self.low is None or self.high is None:
            return "n/a"
        low, high = f"{self.low:g}", f"{self.high:g}"
        text = f"{low} {self.unit}" if low == high else f"{low}–{high} {self.unit}"
        return f"{self.bound}{text}"


_FC_SPEC = "https://github.com/firecracker-microvm/firecracker/blob/main/SPECIFICATION.md"

RUNC_START_MS = Cited(
    250,
    250,
    "ms",
    "containerd maintainer, moby/moby#21737",
    "https://github.com/moby/moby/issues/21737",
    "create+start through containerd is ~250 ms",
)
RUNC_SHIM_MIB = Cited(
    5248 / 1024,
    5248 / 1024,
    "MiB",
    "containerd PR #1767",
    "https://github.com/containerd/containerd/pull/1767",
    "RSS of one containerd-shim per running container: 5248 KiB",
)
GVISOR_START_MS = Cited(
    81,
    280,
    "ms",
    "Apoxy, gVisor cold start: where the time goes",
    "https://apoxy.dev/blog/gvisor-cold-start-where-the-time-goes",
    "runsc create + runsc start across eight hosts",
)
GVISOR_OVERHEAD_MIB = Cited(
    None,
    None,
    "MiB",
    "gVisor performance guide",
    "https://gvisor.dev/docs/architecture_guide/performance/",
    "states the Sentry needs additional memory; no single figure is given",
)
KATA_START_MS = Cited(
    1666,
    2776,
    "ms",
    "Kata runtime timing notes (bergwolf)",
    "https://gist.github.com/bergwolf/c07d8ad20a42baa068f5dee2d7ec4f9a",
    "kata-runtime create 1.666 s; docker run --runtime kata 2.776 s end to end",
)
KATA_OVERHEAD_MIB = Cited(
    120,
    120,
    "MiB",
    "Kubernetes docs, Pod Overhead (kata-fc RuntimeClass)",
    "https://kubernetes.io/docs/concepts/scheduling-eviction/pod-overhead/",
    "overhead.podFixed.memory: 120Mi",
)
FIRECRACKER_BOOT_MS = Cited(
    125,
    125,
    "ms",
    "Firecracker specification",
    _FC_SPEC,
    "upper bound from InstanceStart to guest /sbin/init",
    bound="≤",
)
FIRECRACKER_VMM_MIB = Cited(
    5,
    5,
    "MiB",
    "Firecracker specification",
    _FC_SPEC,
    "upper bound on VMM threads' memory for a 1 vCPU / 128 MiB microVM",
    bound="≤",
)
FIRECRACKER_CPU_PERF = Cited(
    0.95,
    0.95,
    "× native",
    "Firecracker specification",
    _FC_SPEC,
    "compute-only guest performance > 95% of bare metal (lower bound)",
    bound=">",
)
VM_BOOT_MS = Cited(
    19842,
    19842,
    "ms",
    "Linux Magazine 212/2018, systemd-analyze",
    "https://www.linux-magazine.com/Issues/2018/212/The-sys-admin-s-daily-grind-systemd-analyze",
    "a general-purpose server: 3.507 s kernel + 16.334 s userspace",
)
VM_MEMORY_MIB = Cited(
    2 * 1536,
    2 * 1536,
    "MiB",
    "Oracle Linux 8 installation guide, system requirements",
    "https://docs.oracle.com/en/operating-systems/oracle-linux/8/install/install-SystemRequirements.html",
    "a minimum of 2 logical CPUs and 1.5 GB of memory per logical CPU",
)
VM_DISK_MB = Cited(
    10240,
    20480,
    "MB",
    "Oracle Linux 8 installation guide, system requirements",
    "https://docs.oracle.com/en/operating-systems/oracle-linux/8/install/install-SystemRequirements.html",
    "at least 10 GB of disk, 20 GB recommended",
)
CONTAINER_DISK_MB = Cited(
    5.58,
    64.2,
    "MB",
    "alpinelinux/docker-alpine README",
    "https://github.com/alpinelinux/docker-alpine",
    "alpine 5.58 MB … ubuntu 64.2 MB base images",
)
_FELTER = "https://doi.org/10.1109/ISPASS.2015.7095802"
DOCKER_LINPACK = Cited(
    290.9 / 290.8,
    290.9 / 290.8,
    "× native",
    "Felter et al., ISPASS 2015, Table (Linpack)",
    _FELTER,
    "Docker 290.9 vs native 290.8 GFLOPS",
)
KVM_LINPACK = Cited(
    241.3 / 290.8,
    284.2 / 290.8,
    "× native",
    "Felter et al., ISPASS 2015, Table (Linpack)",
    _FELTER,
    "KVM untuned 241.3, tuned 284.2 vs native 290.8 GFLOPS",
)
DOCKER_PXZ = Cited(
    73.5 / 76.2,
    73.5 / 76.2,
    "× native",
    "Felter et al., ISPASS 2015, Table (PXZ)",
    _FELTER,
    "Docker 73.5 vs native 76.2 MB/s",
)
KVM_PXZ = Cited(
    59.2 / 76.2,
    62.2 / 76.2,
    "× native",
    "Felter et al., ISPASS 2015, Table (PXZ)",
    _FELTER,
    "KVM untuned 59.2, tuned 62.2 vs native 76.2 MB/s",
)
DOCKER_CPUS_EQUIVALENT = Cited(
    150_000,
    150_000,
    "µs per 100000 µs",
    "Docker docs, resource constraints",
    "https://docs.docker.com/engine/containers/resource_constraints/#cpu",
    "--cpus=1.5 is --cpu-period=100000 --cpu-quota=150000",
)
DOCKER_MIN_MEMORY_BYTES = Cited(
    6 * 1024 * 1024,
    6 * 1024 * 1024,
    "bytes",
    "Docker docs, resource constraints",
    "https://docs.docker.com/engine/containers/resource_constraints/#limit-a-containers-access-to-memory",
    "the minimum -m / --memory is 6m",
)

ALL: dict[str, Cited] = {
    name: value for name, value in globals().items() if isinstance(value, Cited)
}
