"""The eight Linux namespace types and the namespace objects a process points at.

A namespace is a kernel object with an inode number; two processes share a
namespace exactly when ``readlink /proc/PID/ns/TYPE`` prints the same
``type:[inode]``. The clone flags and the fixed inode numbers of the initial
namespaces below are the kernel's own values (checked by unit tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NsType(StrEnum):
    """Namespace types, named as in ``/proc/PID/ns/`` (see namespaces(7))."""

    CGROUP = "cgroup"
    IPC = "ipc"
    MNT = "mnt"
    NET = "net"
    PID = "pid"
    TIME = "time"
    USER = "user"
    UTS = "uts"


#: clone(2)/unshare(2) flag for each type, from include/uapi/linux/sched.h.
CLONE_FLAGS: dict[NsType, int] = {
    NsType.TIME: 0x00000080,  # CLONE_NEWTIME (Linux 5.6)
    NsType.MNT: 0x00020000,  # CLONE_NEWNS (the first namespace, 2002)
    NsType.CGROUP: 0x02000000,  # CLONE_NEWCGROUP
    NsType.UTS: 0x04000000,  # CLONE_NEWUTS
    NsType.IPC: 0x08000000,  # CLONE_NEWIPC
    NsType.USER: 0x10000000,  # CLONE_NEWUSER
    NsType.PID: 0x20000000,  # CLONE_NEWPID
    NsType.NET: 0x40000000,  # CLONE_NEWNET
}

#: Fixed inode numbers of the initial namespaces, from include/linux/proc_ns.h
#: (PROC_*_INIT_INO). Mount and network namespaces get allocated numbers.
INITIAL_INODES: dict[NsType, int] = {
    NsType.IPC: 0xEFFFFFFF,
    NsType.UTS: 0xEFFFFFFE,
    NsType.USER: 0xEFFFFFFD,
    NsType.PID: 0xEFFFFFFC,
    NsType.CGROUP: 0xEFFFFFFB,
    NsType.TIME: 0xEFFFFFFA,
}

#: First inode this model hands out to other namespaces. Real kernels allocate
#: these from procfs; the numbers carry no meaning beyond identity.
FIRST_DYNAMIC_INODE = 0xF0000000

#: The Linux release that introduced each flag, from clone(2) ("since Linux …"; user
#: namespaces became fully usable in 3.8).
INTRODUCED: dict[NsType, str] = {
    NsType.MNT: "2.4.19",
    NsType.UTS: "2.6.19",
    NsType.IPC: "2.6.19",
    NsType.PID: "2.6.24",
    NsType.NET: "2.6.24",
    NsType.USER: "3.8",
    NsType.CGROUP: "4.6",
    NsType.TIME: "5.6",
}

#: What each namespace isolates, for tables and pages (namespaces(7)).
ISOLATES: dict[NsType, str] = {
    NsType.CGROUP: "cgroup root directory",
    NsType.IPC: "System V IPC, POSIX message queues",
    NsType.MNT: "mount points",
    NsType.NET: "network devices, stacks, ports",
    NsType.PID: "process IDs",
    NsType.TIME: "boot and monotonic clocks",
    NsType.USER: "user and group IDs",
    NsType.UTS: "hostname and NIS domain name",
}


def flags_of(types: frozenset[NsType] | set[NsType]) -> int:
    """The clone flags word for a set of types.

    >>> hex(flags_of({NsType.PID, NsType.UTS}))
    '0x24000000'
    """
    word = 0
    for kind in types:
        word |= CLONE_FLAGS[kind]
    return word


@dataclass(eq=False)
class Namespace:
    """One namespace instance, identified by its inode number.

    ``parent`` links nested PID and user namespaces (a PID namespace sees its
    descendants' processes, never its ancestors'). What a namespace isolates —
    a hostname, id maps, network devices, clock offsets, message queues, a
    mount table, a cgroup root — is kept by the :class:`~.kernel.Kernel`,
    keyed by this inode.
    """

    kind: NsType
    inode: int
    parent: Namespace | None = None

    def link(self) -> str:
        """What ``readlink /proc/PID/ns/<kind>`` prints.

        >>> Namespace(NsType.PID, 0xEFFFFFFC).link()
        'pid:[4026531836]'
        """
        return f"{self.kind.value}:[{self.inode}]"

    def depth(self) -> int:
        """Nesting level: 0 for an initial namespace."""
        level, ns = 0, self.parent
        while ns is not None:
            level, ns = level + 1, ns.parent
        return level

    def is_ancestor_of(self, other: Namespace) -> bool:
        """True when ``other`` is this namespace or nested inside it."""
        ns: Namespace | None = other
        while ns is not None:
            if ns is self:
                return True
            ns = ns.parent
        return False
