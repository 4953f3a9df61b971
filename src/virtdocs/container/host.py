"""The reader's own host: its namespaces and cgroup, read at the edge.

Everything takes a ``root`` directory (``/`` on a real machine) so tests and
pages can point it at a prepared tree; nothing here is used by the
simulation core. When a file is missing — not Linux, no permission, cgroup
v1 — the answer says so plainly instead of failing.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from virtdocs.container.namespaces import NsType


@dataclass(frozen=True)
class HostView:
    """What ``/proc/self`` and ``/sys/fs/cgroup`` say, or why they cannot."""

    namespaces: dict[str, str]
    cgroup: str | None
    controllers: str | None
    limits: dict[str, str]
    problems: tuple[str, ...]

    def lines(self) -> list[str]:
        out = [f"{kind:<7} {link}" for kind, link in self.namespaces.items()]
        if self.cgroup is not None:
            out.append(f"cgroup  {self.cgroup}")
        if self.controllers is not None:
            out.append(f"controllers: {self.controllers}")
        out += [f"{name}: {value}" for name, value in self.limits.items()]
        out += [f"note: {problem}" for problem in self.problems]
        return out


def read_host(root: Path = Path("/")) -> HostView:
    """Read ``/proc/self/ns/*``, ``/proc/self/cgroup`` and the limits of that
    cgroup under ``/sys/fs/cgroup``, relative to ``root``."""
    problems: list[str] = []
    namespaces: dict[str, str] = {}
    ns_dir = root / "proc/self/ns"
    for kind in NsType:
        entry = ns_dir / kind.value
        try:
            namespaces[kind.value] = str(entry.readlink())
        except OSError:
            # A prepared tree may hold the link text in a plain file instead.
            with contextlib.suppress(OSError):
                namespaces[kind.value] = entry.read_text(encoding="utf-8").strip()
    if not namespaces:
        problems.append(f"{ns_dir} is not readable: not Linux, or /proc is not mounted")
    cgroup = controllers = None
    limits: dict[str, str] = {}
    try:
        lines = (root / "proc/self/cgroup").read_text(encoding="utf-8").splitlines()
        unified = [line for line in lines if line.startswith("0::")]
        if unified:
            cgroup = unified[0].removeprefix("0::")
        else:
            problems.append("no cgroup v2 entry (0::) in /proc/self/cgroup: cgroup v1 host")
    except OSError:
        problems.append("/proc/self/cgroup is not readable")
    if cgroup is not None:
        top = root / "sys/fs/cgroup"
        if not (top / "cgroup.controllers").exists() and (top / "unified").is_dir():
            # Hybrid layout: v1 controllers, and the v2 tree mounted at unified/.
            problems.append(
                "hybrid cgroup layout: v1 controllers, v2 tree at /sys/fs/cgroup/unified"
            )
            top = top / "unified"
        base = top / cgroup.lstrip("/")
        try:
            controllers = (base / "cgroup.controllers").read_text(encoding="utf-8").strip()
        except OSError:
            problems.append(f"{base} is not visible (another cgroup namespace or no /sys)")
        for name in ("cpu.max", "memory.max", "pids.max"):
            try:
                limits[name] = (base / name).read_text(encoding="utf-8").strip()
            except OSError:
                continue
    return HostView(namespaces, cgroup, controllers, limits, tuple(problems))
