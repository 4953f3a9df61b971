"""Namespaces: the kernel's constants, and what each namespace isolates."""

from __future__ import annotations

import pytest

from virtdocs.container.kernel import PID_MAX_DEFAULT, Kernel
from virtdocs.container.namespaces import CLONE_FLAGS, INITIAL_INODES, INTRODUCED, NsType, flags_of
from virtdocs.errors import UserError

ALL = frozenset(NsType)


def test_clone_flags_are_the_kernels() -> None:
    # include/uapi/linux/sched.h
    assert CLONE_FLAGS == {
        NsType.TIME: 0x80,
        NsType.MNT: 0x20000,
        NsType.CGROUP: 0x2000000,
        NsType.UTS: 0x4000000,
        NsType.IPC: 0x8000000,
        NsType.USER: 0x10000000,
        NsType.PID: 0x20000000,
        NsType.NET: 0x40000000,
    }
    assert flags_of(set(NsType)) == 0x7E020080


def test_initial_inodes_are_proc_ns_h_values() -> None:
    # include/linux/proc_ns.h: PROC_IPC_INIT_INO = 0xEFFFFFFF, ... PROC_TIME_INIT_INO
    assert INITIAL_INODES[NsType.IPC] == 4026531839
    assert INITIAL_INODES[NsType.PID] == 4026531836
    assert INITIAL_INODES[NsType.TIME] == 4026531834
    kernel = Kernel()
    assert kernel.readlink_ns(kernel.init, NsType.PID) == "pid:[4026531836]"


def test_eight_namespace_types() -> None:
    assert {k.value for k in NsType} == {
        "cgroup",
        "ipc",
        "mnt",
        "net",
        "pid",
        "time",
        "user",
        "uts",
    }


def test_new_pid_namespace_is_pid_1_inside_and_another_pid_outside() -> None:
    kernel = Kernel()
    child = kernel.clone(kernel.init, ("sh",), frozenset({NsType.PID})).process
    assert child is not None
    assert kernel.pid_in(child, child.ns[NsType.PID]) == 1
    assert kernel.pid_in(child, kernel.init.ns[NsType.PID]) == child.pid != 1
    grandchild = kernel.clone(child, ("sleep",)).process
    assert grandchild is not None
    assert grandchild.nspids == (grandchild.pid, 2)
    # The container sees only its own processes; the host sees all of them.
    assert [pid for pid, _ in kernel.visible(child)] == [1, 2]
    assert len(kernel.visible(kernel.init)) == 3
    # A parent namespace's process is invisible from inside.
    assert kernel.pid_in(kernel.init, child.ns[NsType.PID]) is None


def test_killing_pid_1_of_a_namespace_kills_everyone_in_it() -> None:
    kernel = Kernel()
    init = kernel.clone(kernel.init, ("init",), frozenset({NsType.PID})).process
    assert init is not None
    worker = kernel.clone(init, ("worker",)).process
    assert worker is not None
    assert sorted(kernel.kill(init)) == sorted([init.pid, worker.pid])
    assert worker.exit_code == 137
    assert kernel.init.alive


def test_uts_isolates_hostnames() -> None:
    kernel = Kernel(hostname="laptop")
    child = kernel.clone(kernel.init, ("sh",), frozenset({NsType.UTS})).process
    assert child is not None
    assert kernel.hostname(child) == "laptop"  # a new UTS namespace starts as a copy
    kernel.sethostname(child, "web1")
    assert (kernel.hostname(child), kernel.hostname(kernel.init)) == ("web1", "laptop")
    with pytest.raises(UserError, match="1 to 64"):
        kernel.sethostname(child, "x" * 65)


def test_ipc_mount_cgroup_and_time_namespaces() -> None:
    kernel = Kernel()
    child = kernel.clone(kernel.init, ("sh",), ALL - {NsType.USER}).process
    assert child is not None
    kernel.msgget(kernel.init, 42)
    assert kernel.ipc_keys(child) == []
    kernel.mount(child, "tmpfs", "/tmp", "tmpfs")
    assert "/tmp" in kernel.proc_mounts(child)
    assert "/tmp" not in kernel.proc_mounts(kernel.init)
    kernel.set_clock_offset(child, "monotonic", 86400)
    assert kernel.clock_gettime(child, "monotonic", 5.0) == 86405.0
    assert kernel.clock_gettime(kernel.init, "monotonic", 5.0) == 5.0
    cgroup = kernel.cgroups.mkdir("/box")
    kernel.cgroups.attach(child.pid, cgroup)
    assert kernel.proc_cgroup(kernel.init) == "0::/\n"
    with pytest.raises(UserError, match="monotonic or boottime"):
        kernel.set_clock_offset(child, "realtime", 1)


def test_cgroup_namespace_hides_the_path_above_its_root() -> None:
    kernel = Kernel()
    box = kernel.cgroups.mkdir("/system.slice/box")
    shim = kernel.clone(kernel.init, ("shim",)).process
    assert shim is not None
    kernel.cgroups.attach(shim.pid, box)
    inner = kernel.clone(shim, ("app",), frozenset({NsType.CGROUP})).process
    assert inner is not None
    assert kernel.proc_cgroup(inner) == "0::/\n"
    assert kernel.proc_cgroup(shim) == "0::/system.slice/box\n"


def test_pid_max_default_is_the_kernels() -> None:
    # include/linux/threads.h: PID_MAX_DEFAULT 0x8000; proc_sys_kernel(5): 32768.
    assert Kernel().pid_max == PID_MAX_DEFAULT == 32768


def test_pid_max_stops_forks_host_wide() -> None:
    kernel = Kernel(pid_max=4)
    results = [kernel.clone(kernel.init, ("x",)) for _ in range(4)]
    assert [r.errno for r in results] == [None, None, None, "EAGAIN"]
    assert results[-1].limited_by == "kernel.pid_max"


def test_introduced_releases_are_clone_2s() -> None:
    # clone(2): CLONE_NEWNS since 2.4.19, NEWUTS/NEWIPC 2.6.19, NEWPID/NEWNET 2.6.24,
    # NEWCGROUP 4.6, NEWTIME 5.6; user namespaces complete in 3.8.
    assert INTRODUCED == {
        NsType.MNT: "2.4.19",
        NsType.UTS: "2.6.19",
        NsType.IPC: "2.6.19",
        NsType.PID: "2.6.24",
        NsType.NET: "2.6.24",
        NsType.USER: "3.8",
        NsType.CGROUP: "4.6",
        NsType.TIME: "5.6",
    }
