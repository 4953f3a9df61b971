"""cgroup v2: one hierarchy, interface files in the kernel's own formats.

Formats follow Documentation/admin-guide/cgroup-v2.rst: ``cpu.max`` is
``$MAX $PERIOD`` (default ``max 100000``); ``memory.max`` and ``pids.max`` are a
number or ``max``; ``cpu.stat`` and ``memory.events`` are flat-keyed files
(``key value`` per line). Limits are checked hierarchically: a charge must fit
under every ancestor's limit, and the events counters of ``memory.events`` are
hierarchical too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from virtdocs.errors import UserError

#: cpu.max default period, and the kernel's allowed range for quota and period
#: (1 ms .. 1 s; kernel/sched/core.c, min_cfs_quota_period / max_cfs_quota_period).
DEFAULT_PERIOD_USEC = 100_000
MIN_PERIOD_USEC = 1_000
MAX_PERIOD_USEC = 1_000_000
PAGE_SIZE = 4096
#: Controllers a typical x86-64 kernel lists in the root ``cgroup.controllers``.
CONTROLLERS = ("cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc")
MEMORY_EVENT_KEYS = ("low", "high", "max", "oom", "oom_kill", "oom_group_kill")
CPU_STAT_KEYS = (
    "usage_usec",
    "user_usec",
    "system_usec",
    "nr_periods",
    "nr_throttled",
    "throttled_usec",
    "nr_bursts",
    "burst_usec",
)
_MEMPARSE = re.compile(r"^(\d+)([KMGTPE]?)$", re.IGNORECASE)
_SUFFIX = {"": 0, "K": 10, "M": 20, "G": 30, "T": 40, "P": 50, "E": 60}


@dataclass(eq=False)
class Cgroup:
    """One directory of the hierarchy with its limits and counters."""

    path: str
    parent: Cgroup | None = None
    children: dict[str, Cgroup] = field(default_factory=dict)
    procs: set[int] = field(default_factory=set)
    subtree_control: set[str] = field(default_factory=set)
    cpu_quota_usec: int | None = None
    cpu_period_usec: int = DEFAULT_PERIOD_USEC
    memory_max: int | None = None
    pids_max: int | None = None
    memory_current: int = 0
    memory_peak: int = 0
    pids_current: int = 0
    pids_events_max: int = 0
    memory_events: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(MEMORY_EVENT_KEYS, 0)
    )
    cpu_stat: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CPU_STAT_KEYS, 0))

    def lineage(self) -> list[Cgroup]:
        """This cgroup and its ancestors, nearest first."""
        chain: list[Cgroup] = []
        node: Cgroup | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def subtree(self) -> list[Cgroup]:
        found = [self]
        for child in self.children.values():
            found.extend(child.subtree())
        return found

    def controllers(self) -> tuple[str, ...]:
        """``cgroup.controllers``: what the parent enabled for its children."""
        if self.parent is None:
            return CONTROLLERS
        return tuple(c for c in CONTROLLERS if c in self.parent.subtree_control)


@dataclass(frozen=True)
class Verdict:
    """An expected outcome: ``ok``, or the cgroup whose limit refused the charge."""

    ok: bool
    limited_by: str | None = None


def memparse(text: str, *, where: str) -> int:
    """Parse a byte count the way the kernel's memparse() does (K, M, G … binary).

    >>> memparse("64M", where="memory.max")
    67108864
    """
    match = _MEMPARSE.match(text.strip())
    if match is None:
        raise UserError(f"{where}: invalid value {text.strip()!r} (Invalid argument)")
    return int(match.group(1)) << _SUFFIX[match.group(2).upper()]


def _limit(value: int | None) -> str:
    return "max" if value is None else str(value)


class CgroupTree:
    """The unified hierarchy mounted at ``/sys/fs/cgroup``."""

    def __init__(self) -> None:
        self.root = Cgroup("/")
        self._where: dict[int, Cgroup] = {}

    def get(self, path: str) -> Cgroup:
        node = self.root
        for part in [p for p in path.split("/") if p]:
            if part not in node.children:
                raise UserError(f"/sys/fs/cgroup{path}: No such file or directory")
            node = node.children[part]
        return node

    def mkdir(self, path: str) -> Cgroup:
        """Create a cgroup (and missing parents, like ``mkdir -p``)."""
        node = self.root
        for part in [p for p in path.split("/") if p]:
            if part not in node.children:
                prefix = node.path.rstrip("/")
                node.children[part] = Cgroup(f"{prefix}/{part}", parent=node)
            node = node.children[part]
        return node

    def rmdir(self, path: str) -> None:
        node = self.get(path)
        if node.parent is None or node.children or node.procs:
            raise UserError(f"/sys/fs/cgroup{path}: Device or resource busy")
        del node.parent.children[path.rstrip("/").rsplit("/", 1)[-1]]

    def cgroup_of(self, pid: int) -> Cgroup:
        return self._where.get(pid, self.root)

    def attach(self, pid: int, cgroup: Cgroup) -> None:
        """Write ``pid`` to ``cgroup.procs``: moves the process and its charges."""
        old = self.cgroup_of(pid)
        old.procs.discard(pid)
        for node in old.lineage():
            node.pids_current -= 1
        cgroup.procs.add(pid)
        for node in cgroup.lineage():
            node.pids_current += 1
        self._where[pid] = cgroup

    def add_process(self, pid: int, cgroup: Cgroup) -> None:
        """A new process (already admitted by :meth:`try_fork`) joins ``cgroup``."""
        cgroup.procs.add(pid)
        self._where[pid] = cgroup

    def remove_process(self, pid: int, memory: int) -> None:
        """A process exited: uncharge its pid and its memory."""
        cgroup = self._where.pop(pid, self.root)
        cgroup.procs.discard(pid)
        for node in cgroup.lineage():
            node.pids_current -= 1
            node.memory_current -= memory

    def try_fork(self, cgroup: Cgroup) -> Verdict:
        """Charge one pid; refuse (fork fails with EAGAIN) at the first full ancestor."""
        for node in cgroup.lineage():
            if node.pids_max is not None and node.pids_current + 1 > node.pids_max:
                node.pids_events_max += 1
                return Verdict(False, node.path)
        for node in cgroup.lineage():
            node.pids_current += 1
        return Verdict(True)

    def try_charge(self, cgroup: Cgroup, size: int) -> Verdict:
        """Charge memory; a charge over any ancestor's memory.max is refused.

        Refusal counts ``max`` and ``oom`` events (there is no swap to reclaim
        anonymous memory into); the caller then runs the OOM killer.
        """
        for node in cgroup.lineage():
            if node.memory_max is not None and node.memory_current + size > node.memory_max:
                for above in node.lineage():
                    above.memory_events["max"] += 1
                    above.memory_events["oom"] += 1
                return Verdict(False, node.path)
        for node in cgroup.lineage():
            node.memory_current += size
            node.memory_peak = max(node.memory_peak, node.memory_current)
        return Verdict(True)

    def uncharge(self, cgroup: Cgroup, size: int) -> None:
        for node in cgroup.lineage():
            node.memory_current -= size

    def record_oom_kill(self, pid: int) -> None:
        """The OOM killer took ``pid``: count it in its cgroup and every ancestor."""
        for node in self.cgroup_of(pid).lineage():
            node.memory_events["oom_kill"] += 1

    def account_cpu(self, cgroup: Cgroup, stat: dict[str, int]) -> None:
        """Add a CPU run's counters; usage is hierarchical, bandwidth stats local."""
        for node in cgroup.lineage():
            for key in ("usage_usec", "user_usec", "system_usec"):
                node.cpu_stat[key] += stat.get(key, 0)
        for key in ("nr_periods", "nr_throttled", "throttled_usec"):
            cgroup.cpu_stat[key] += stat.get(key, 0)

    # ---- interface files -------------------------------------------------
    def read(self, path: str, name: str) -> str:
        """The text of ``/sys/fs/cgroup{path}/{name}``, newline-terminated."""
        cg = self.get(path)
        root_only_missing = {
            "cpu.max",
            "memory.max",
            "memory.current",
            "memory.events",
            "memory.peak",
            "pids.max",
            "pids.current",
            "pids.events",
        }
        if cg.parent is None and name in root_only_missing:
            raise UserError(f"/sys/fs/cgroup/{name}: No such file or directory")
        files = {
            "cgroup.procs": lambda: "".join(f"{p}\n" for p in sorted(cg.procs)),
            "cgroup.controllers": lambda: " ".join(cg.controllers()) + "\n",
            "cgroup.subtree_control": lambda: (
                " ".join(c for c in CONTROLLERS if c in cg.subtree_control) + "\n"
            ),
            "cpu.max": lambda: f"{_limit(cg.cpu_quota_usec)} {cg.cpu_period_usec}\n",
            "cpu.stat": lambda: self._cpu_stat(cg),
            "memory.max": lambda: _limit(cg.memory_max) + "\n",
            "memory.current": lambda: f"{cg.memory_current}\n",
            "memory.peak": lambda: f"{cg.memory_peak}\n",
            "memory.events": lambda: "".join(
                f"{k} {cg.memory_events[k]}\n" for k in MEMORY_EVENT_KEYS
            ),
            "pids.max": lambda: _limit(cg.pids_max) + "\n",
            "pids.current": lambda: f"{cg.pids_current}\n",
            "pids.events": lambda: f"max {cg.pids_events_max}\n",
        }
        if name not in files:
            raise UserError(f"/sys/fs/cgroup{path.rstrip('/')}/{name}: No such file or directory")
        return files[name]()

    def _cpu_stat(self, cg: Cgroup) -> str:
        # The last five keys appear only when the cpu controller is enabled here.
        keys = CPU_STAT_KEYS if "cpu" in cg.controllers() and cg.parent else CPU_STAT_KEYS[:3]
        return "".join(f"{k} {cg.cpu_stat[k]}\n" for k in keys)

    def write(self, path: str, name: str, value: str) -> None:
        """Write an interface file; bad values fail as the kernel does (EINVAL)."""
        cg = self.get(path)
        where = f"/sys/fs/cgroup{path.rstrip('/')}/{name}"
        text = value.strip()
        if name == "cpu.max":
            cg.cpu_quota_usec, cg.cpu_period_usec = _parse_cpu_max(text, cg, where)
        elif name == "memory.max":
            # The kernel keeps whole pages: the value reads back rounded down.
            cg.memory_max = (
                None if text == "max" else memparse(text, where=where) // PAGE_SIZE * PAGE_SIZE
            )
        elif name == "pids.max":
            if text != "max" and not text.isdigit():
                raise UserError(f"{where}: invalid value {text!r} (Invalid argument)")
            cg.pids_max = None if text == "max" else int(text)
        elif name == "cgroup.subtree_control":
            for token in text.split():
                op, controller = token[:1], token[1:]
                if op not in "+-" or controller not in cg.controllers():
                    raise UserError(f"{where}: invalid token {token!r} (Invalid argument)")
                (cg.subtree_control.add if op == "+" else cg.subtree_control.discard)(controller)
        else:
            raise UserError(f"{where}: not a writable file in this model")


def _parse_cpu_max(text: str, cg: Cgroup, where: str) -> tuple[int | None, int]:
    fields = text.split()
    if len(fields) not in (1, 2):
        raise UserError(f"{where}: expected '$MAX $PERIOD', got {text!r} (Invalid argument)")
    period = cg.cpu_period_usec
    if len(fields) == 2:
        if not fields[1].isdigit():
            raise UserError(f"{where}: invalid period {fields[1]!r} (Invalid argument)")
        period = int(fields[1])
    if not MIN_PERIOD_USEC <= period <= MAX_PERIOD_USEC:
        raise UserError(f"{where}: period {period} outside 1000..1000000 (Invalid argument)")
    if fields[0] == "max":
        return None, period
    if not fields[0].isdigit() or int(fields[0]) < MIN_PERIOD_USEC:
        raise UserError(f"{where}: quota {fields[0]!r} must be 'max' or >= 1000 (Invalid argument)")
    return int(fields[0]), period
