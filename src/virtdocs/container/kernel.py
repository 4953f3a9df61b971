"""A host kernel: processes, the namespaces they point at, and one cgroup tree.

Only what containers are made of is modelled: clone with ``CLONE_NEW*`` flags,
``setns`` (how ``docker exec`` enters a container), PIDs as seen from each PID
namespace, hostnames, id maps, mounts, IPC queues, clock offsets, a network
per namespace, and charges against cgroup limits. Expected failures — a fork
refused by ``pids.max``, an allocation that ends in an OOM kill — are values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from virtdocs.container.cgroups import CgroupTree
from virtdocs.container.namespaces import (
    FIRST_DYNAMIC_INODE,
    INITIAL_INODES,
    Namespace,
    NsType,
)
from virtdocs.container.network import Network
from virtdocs.container.userns import IdMap
from virtdocs.errors import UserError

#: /proc/sys/kernel/pid_max default, PID_MAX_DEFAULT in include/linux/threads.h.
PID_MAX_DEFAULT = 0x8000
#: SIGKILL's number; a process killed by it exits with status 128 + 9 = 137.
SIGKILL = 9


@dataclass(eq=False)
class Process:
    """A task. ``pid`` is its PID on the host (in the initial PID namespace)."""

    pid: int
    ppid: int
    argv: tuple[str, ...]
    ns: dict[NsType, Namespace]
    #: PID in each PID namespace from the host's down to its own (``NSpid``).
    nspids: tuple[int, ...]
    uid: int = 0
    rss: int = 0
    alive: bool = True
    exit_code: int | None = None
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ForkResult:
    """Either the new process, or the errno a real ``fork()`` would return."""

    process: Process | None
    errno: str | None = None
    limited_by: str | None = None


@dataclass(frozen=True)
class AllocResult:
    """An allocation: granted, or refused and answered by the OOM killer."""

    granted: bool
    oom_killed: tuple[int, ...] = ()
    limited_by: str | None = None


@dataclass
class Mount:
    source: str
    target: str
    fstype: str
    options: str = "rw"


class Kernel:
    """One host. ``Kernel()`` boots with PID 1 in the eight initial namespaces."""

    def __init__(
        self, *, hostname: str = "host", cpus: int = 2, pid_max: int = PID_MAX_DEFAULT
    ) -> None:
        self.cpus = cpus
        self.pid_max = pid_max
        self.live_count = 0
        self.cgroups = CgroupTree()
        self.network = Network()
        self.processes: dict[int, Process] = {}
        self.hostnames: dict[int, str] = {}
        self.id_maps: dict[int, tuple[IdMap, IdMap]] = {}
        self.mounts: dict[int, list[Mount]] = {}
        self.ipc_queues: dict[int, dict[int, int]] = {}
        self.clock_offsets: dict[int, dict[str, int]] = {}
        self.cgroup_roots: dict[int, str] = {}
        self._next_inode = FIRST_DYNAMIC_INODE
        self._next_pid: dict[int, int] = {}
        initial = {kind: self._new_namespace(kind, None, initial=True) for kind in NsType}
        self.hostnames[initial[NsType.UTS].inode] = hostname
        self.mounts[initial[NsType.MNT].inode] = [Mount("/dev/sda1", "/", "ext4")]
        self.id_maps[initial[NsType.USER].inode] = (IdMap.identity(), IdMap.identity())
        self.init = self._spawn(None, ("/sbin/init",), initial, uid=0)

    # ---- namespaces ------------------------------------------------------
    def _new_namespace(
        self, kind: NsType, parent: Namespace | None, *, initial: bool = False
    ) -> Namespace:
        if initial and kind in INITIAL_INODES:
            inode = INITIAL_INODES[kind]
        else:
            inode, self._next_inode = self._next_inode, self._next_inode + 1
        ns = Namespace(kind, inode, parent if kind in (NsType.PID, NsType.USER) else None)
        if kind is NsType.PID:
            self._next_pid[inode] = 1
        elif kind is NsType.NET:
            self.network.add_namespace(inode)
        elif kind is NsType.IPC:
            self.ipc_queues[inode] = {}
        elif kind is NsType.TIME:
            self.clock_offsets[inode] = {"monotonic": 0, "boottime": 0}
        return ns

    def _copy_state(self, kind: NsType, old: Namespace, new: Namespace, cgroup: str) -> None:
        # New UTS and mount namespaces start as copies; others start empty.
        if kind is NsType.UTS:
            self.hostnames[new.inode] = self.hostnames[old.inode]
        elif kind is NsType.MNT:
            self.mounts[new.inode] = [
                Mount(m.source, m.target, m.fstype, m.options) for m in self.mounts[old.inode]
            ]
        elif kind is NsType.CGROUP:
            self.cgroup_roots[new.inode] = cgroup
        elif kind is NsType.TIME:
            self.clock_offsets[new.inode] = dict(self.clock_offsets[old.inode])

    def _spawn(
        self,
        parent: Process | None,
        argv: tuple[str, ...],
        ns: dict[NsType, Namespace],
        *,
        uid: int,
    ) -> Process:
        chain: list[Namespace] = []
        node: Namespace | None = ns[NsType.PID]
        while node is not None:
            chain.append(node)
            node = node.parent
        nspids = []
        for pid_ns in reversed(chain):
            nspids.append(self._next_pid[pid_ns.inode])
            self._next_pid[pid_ns.inode] += 1
        proc = Process(
            nspids[0],
            parent.pid if parent else 0,
            argv,
            dict(ns),
            tuple(nspids),
            uid=uid,
            env=dict(parent.env) if parent else {},
        )
        self.processes[proc.pid] = proc
        self.live_count += 1
        cgroup = self.cgroups.cgroup_of(parent.pid) if parent else self.cgroups.root
        self.cgroups.add_process(proc.pid, cgroup)
        return proc

    def clone(
        self,
        parent: Process,
        argv: tuple[str, ...],
        new: frozenset[NsType] = frozenset(),
        *,
        uid: int | None = None,
    ) -> ForkResult:
        """``clone(2)``: a child, in new namespaces for each type in ``new``."""
        if not parent.alive:
            raise UserError(f"clone: process {parent.pid} has exited")
        if self.live_count >= self.pid_max:
            return ForkResult(None, "EAGAIN", "kernel.pid_max")
        verdict = self.cgroups.try_fork(self.cgroups.cgroup_of(parent.pid))
        if not verdict.ok:
            return ForkResult(None, "EAGAIN", verdict.limited_by)
        ns = dict(parent.ns)
        cgroup_path = self.cgroups.cgroup_of(parent.pid).path
        for kind in NsType:
            if kind in new:
                parent_ns = parent.ns[kind] if kind in (NsType.PID, NsType.USER) else None
                ns[kind] = self._new_namespace(kind, parent_ns)
                self._copy_state(kind, parent.ns[kind], ns[kind], cgroup_path)
        if NsType.USER in new:
            self.id_maps[ns[NsType.USER].inode] = (IdMap(()), IdMap(()))
        return ForkResult(self._spawn(parent, argv, ns, uid=parent.uid if uid is None else uid))

    def enter(self, target: Process, argv: tuple[str, ...]) -> ForkResult:
        """``setns`` into all of ``target``'s namespaces, then fork: ``nsenter -a``.

        The new process joins ``target``'s cgroup, so ``pids.max`` applies.
        """
        if not target.alive:
            raise UserError(f"setns: process {target.pid} has exited")
        if self.live_count >= self.pid_max:
            return ForkResult(None, "EAGAIN", "kernel.pid_max")
        verdict = self.cgroups.try_fork(self.cgroups.cgroup_of(target.pid))
        if not verdict.ok:
            return ForkResult(None, "EAGAIN", verdict.limited_by)
        proc = self._spawn(target, argv, target.ns, uid=target.uid)
        proc.ppid = 0  # its parent (the runtime) lives outside the container
        return ForkResult(proc)

    # ---- what a process sees ---------------------------------------------
    def pid_in(self, proc: Process, pid_ns: Namespace) -> int | None:
        """``proc``'s PID as seen from ``pid_ns`` (None: not visible there)."""
        depth = pid_ns.depth()
        own = proc.ns[NsType.PID]
        if not pid_ns.is_ancestor_of(own):
            return None
        return proc.nspids[depth]

    def visible(self, viewer: Process) -> list[tuple[int, Process]]:
        """Live processes the viewer's PID namespace can see, by the PID it sees."""
        pid_ns = viewer.ns[NsType.PID]
        seen = [(self.pid_in(p, pid_ns), p) for p in self.processes.values() if p.alive]
        return sorted((pid, p) for pid, p in seen if pid is not None)

    def readlink_ns(self, proc: Process, kind: NsType) -> str:
        return proc.ns[kind].link()

    def hostname(self, proc: Process) -> str:
        return self.hostnames[proc.ns[NsType.UTS].inode]

    def sethostname(self, proc: Process, name: str) -> None:
        if not 0 < len(name) <= 64:  # HOST_NAME_MAX is 64 on Linux
            raise UserError(f"sethostname: {name!r} must be 1 to 64 characters")
        self.hostnames[proc.ns[NsType.UTS].inode] = name

    def set_id_maps(self, proc: Process, uid_map: str, gid_map: str) -> None:
        """Write ``/proc/PID/uid_map`` and ``gid_map`` (each only once, as in Linux)."""
        inode = proc.ns[NsType.USER].inode
        current = self.id_maps.get(inode)
        if current is not None and current[0].extents:
            raise UserError(f"/proc/{proc.pid}/uid_map: already written (Operation not permitted)")
        self.id_maps[inode] = (
            IdMap.parse(uid_map, where=f"/proc/{proc.pid}/uid_map"),
            IdMap.parse(gid_map, where=f"/proc/{proc.pid}/gid_map"),
        )

    def uid_in_namespace(self, proc: Process) -> int:
        """The uid ``id -u`` prints inside the process's own user namespace."""
        uid, ns = proc.uid, proc.ns[NsType.USER]
        chain: list[Namespace] = []
        node: Namespace | None = ns
        while node is not None and node.parent is not None:
            chain.append(node)
            node = node.parent
        for level in reversed(chain):
            uid = self.id_maps[level.inode][0].to_inside(uid)
        return uid

    def uid_map_text(self, proc: Process) -> str:
        return self.id_maps[proc.ns[NsType.USER].inode][0].render()

    def proc_cgroup(self, proc: Process) -> str:
        """``/proc/PID/cgroup`` on a v2-only host: ``0::PATH`` relative to the
        cgroup namespace root (so a container sees ``0::/``)."""
        path = self.cgroups.cgroup_of(proc.pid).path
        root = self.cgroup_roots.get(proc.ns[NsType.CGROUP].inode, "/")
        if root != "/" and (path == root or path.startswith(root + "/")):
            path = path[len(root) :] or "/"
        return f"0::{path}\n"

    def mount(
        self, proc: Process, source: str, target: str, fstype: str, options: str = "rw"
    ) -> None:
        self.mounts[proc.ns[NsType.MNT].inode].append(Mount(source, target, fstype, options))

    def proc_mounts(self, proc: Process) -> str:
        """``/proc/self/mounts`` lines: source target fstype options 0 0."""
        return "".join(
            f"{m.source} {m.target} {m.fstype} {m.options} 0 0\n"
            for m in self.mounts[proc.ns[NsType.MNT].inode]
        )

    def msgget(self, proc: Process, key: int) -> int:
        """``msgget(key, IPC_CREAT)``: a queue id, private to the IPC namespace."""
        queues = self.ipc_queues[proc.ns[NsType.IPC].inode]
        return queues.setdefault(key, len(queues))

    def ipc_keys(self, proc: Process) -> list[int]:
        return sorted(self.ipc_queues[proc.ns[NsType.IPC].inode])

    def set_clock_offset(self, proc: Process, clock: str, seconds: int) -> None:
        """``/proc/PID/timens_offsets`` (only before the first process joins)."""
        offsets = self.clock_offsets[proc.ns[NsType.TIME].inode]
        if clock not in offsets:
            raise UserError(f"timens_offsets: clock must be monotonic or boottime, got {clock!r}")
        offsets[clock] = seconds

    def clock_gettime(self, proc: Process, clock: str, host_seconds: float) -> float:
        """What CLOCK_MONOTONIC / CLOCK_BOOTTIME read inside ``proc``'s time namespace."""
        return host_seconds + self.clock_offsets[proc.ns[NsType.TIME].inode][clock]

    # ---- memory and death ------------------------------------------------
    def allocate(self, proc: Process, size: int) -> AllocResult:
        """Touch ``size`` more bytes of anonymous memory.

        Over ``memory.max`` with nothing to reclaim, the kernel OOM-kills the
        process with the most memory in the limited cgroup's subtree and
        retries; if the victim is the allocator itself, the allocation fails.
        """
        killed: list[int] = []
        while True:
            verdict = self.cgroups.try_charge(self.cgroups.cgroup_of(proc.pid), size)
            if verdict.ok:
                proc.rss += size
                return AllocResult(True, tuple(killed))
            assert verdict.limited_by is not None
            victim = self._oom_victim(verdict.limited_by, proc)
            self.cgroups.record_oom_kill(victim.pid)
            killed.append(victim.pid)
            self.kill(victim, SIGKILL)
            if victim is proc:
                return AllocResult(False, tuple(killed), verdict.limited_by)

    def _oom_victim(self, cgroup_path: str, allocator: Process) -> Process:
        members = [
            self.processes[pid]
            for cg in self.cgroups.get(cgroup_path).subtree()
            for pid in cg.procs
            if self.processes[pid].alive
        ]
        # oom_badness() is mostly RSS; ties go to the newest task here.
        return max(members or [allocator], key=lambda p: (p.rss, p.pid))

    def kill(self, proc: Process, signal: int = SIGKILL) -> list[int]:
        """Kill ``proc``; if it is PID 1 of a PID namespace, the kernel kills
        every process in that namespace too. Returns the host PIDs that died."""
        if not proc.alive:
            return []
        dead = [proc]
        if proc.nspids[-1] == 1 and proc.ns[NsType.PID].parent is not None:
            own = proc.ns[NsType.PID]
            dead += [
                p
                for p in self.processes.values()
                if p.alive and p is not proc and own.is_ancestor_of(p.ns[NsType.PID])
            ]
        self.live_count -= len(dead)
        for p in dead:
            # The namespace's other members always get SIGKILL.
            p.alive, p.exit_code = False, 128 + (signal if p is proc else SIGKILL)
            self.cgroups.remove_process(p.pid, p.rss)
            p.rss = 0
        return [p.pid for p in dead]

    def exit(self, proc: Process, code: int) -> None:
        """A normal exit with status ``code``."""
        self.kill(proc, 0)
        proc.exit_code = code
