"""cgroup v2: limits, events and the kernel's file formats."""

from __future__ import annotations

import pytest

from virtdocs.container.cgroups import CgroupTree
from virtdocs.container.cpu import run_bandwidth
from virtdocs.container.kernel import Kernel
from virtdocs.errors import UserError


def _tree() -> CgroupTree:
    tree = CgroupTree()
    tree.write("/", "cgroup.subtree_control", "+cpu +memory +pids")
    tree.mkdir("/box")
    return tree


def test_defaults_are_the_documented_ones() -> None:
    # cgroup-v2.rst: cpu.max defaults to "max 100000", memory.max and pids.max to "max".
    tree = _tree()
    assert tree.read("/box", "cpu.max") == "max 100000\n"
    assert tree.read("/box", "memory.max") == "max\n"
    assert tree.read("/box", "pids.max") == "max\n"
    assert tree.read("/box", "memory.events") == (
        "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n"
    )
    assert tree.read("/box", "cgroup.controllers") == "cpu memory pids\n"
    assert tree.read("/", "cgroup.controllers").split() == [
        "cpuset",
        "cpu",
        "io",
        "memory",
        "hugetlb",
        "pids",
        "rdma",
        "misc",
    ]


def test_cpu_stat_keys_depend_on_the_controller() -> None:
    # The three usage keys always; five bandwidth keys only with the cpu controller.
    tree = CgroupTree()
    tree.mkdir("/plain")
    assert [line.split()[0] for line in tree.read("/plain", "cpu.stat").splitlines()] == [
        "usage_usec",
        "user_usec",
        "system_usec",
    ]
    keys = [line.split()[0] for line in _tree().read("/box", "cpu.stat").splitlines()]
    assert keys[3:] == ["nr_periods", "nr_throttled", "throttled_usec", "nr_bursts", "burst_usec"]


def test_writes_parse_like_the_kernel() -> None:
    tree = _tree()
    tree.write("/box", "cpu.max", "50000")  # one number updates $MAX only
    assert tree.read("/box", "cpu.max") == "50000 100000\n"
    tree.write("/box", "cpu.max", "max 20000")
    assert tree.read("/box", "cpu.max") == "max 20000\n"
    tree.write("/box", "memory.max", "64M")
    assert tree.read("/box", "memory.max") == "67108864\n"
    tree.write("/box", "memory.max", "10000")  # whole pages: rounded down
    assert tree.read("/box", "memory.max") == "8192\n"
    tree.write("/box", "pids.max", "20")
    assert tree.read("/box", "pids.max") == "20\n"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("cpu.max", "500 100000", "must be 'max' or >= 1000"),
        ("cpu.max", "max 10", "outside 1000..1000000"),
        ("cpu.max", "1 2 3", "expected"),
        ("memory.max", "1.5G", "invalid value"),
        ("pids.max", "-1", "invalid value"),
        ("cgroup.subtree_control", "+bogus", "invalid token"),
        ("cpu.weight", "100", "not a writable"),
    ],
)
def test_bad_writes_are_einval(name: str, value: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        _tree().write("/box", name, value)


def test_missing_files_and_busy_rmdir() -> None:
    tree = _tree()
    with pytest.raises(UserError, match="No such file"):
        tree.read("/", "memory.max")  # limits do not exist on the root
    with pytest.raises(UserError, match="No such file"):
        tree.read("/nope", "cpu.max")
    kernel = Kernel()
    box = kernel.cgroups.mkdir("/box")
    kernel.cgroups.attach(kernel.init.pid, box)
    with pytest.raises(UserError, match="busy"):
        kernel.cgroups.rmdir("/box")


def test_memory_max_oom_kills_the_biggest_and_counts_events() -> None:
    kernel = Kernel()
    kernel.cgroups.write("/", "cgroup.subtree_control", "+memory +pids")
    parent = kernel.cgroups.mkdir("/parent")
    box = kernel.cgroups.mkdir("/parent/box")
    kernel.cgroups.write("/parent/box", "memory.max", "10M")
    shim = kernel.clone(kernel.init, ("shim",)).process
    assert shim is not None
    kernel.cgroups.attach(shim.pid, box)
    small = kernel.clone(shim, ("small",)).process
    big = kernel.clone(shim, ("big",)).process
    assert small is not None and big is not None
    assert kernel.allocate(small, 2 << 20).granted
    assert kernel.allocate(big, 7 << 20).granted
    result = kernel.allocate(small, 2 << 20)  # 11 MiB > 10 MiB: the OOM killer picks big
    assert result.granted and result.oom_killed == (big.pid,)
    assert not big.alive and big.exit_code == 137
    assert box.memory_current == 4 << 20
    assert box.memory_peak == 9 << 20
    events = kernel.cgroups.read("/parent/box", "memory.events")
    assert "max 1\noom 1\noom_kill 1\n" in events
    # memory.events is hierarchical: the parent counts the child's OOM kill too.
    assert parent.memory_events["oom_kill"] == 1
    last = kernel.allocate(small, 20 << 20)  # bigger than the limit alone: small dies
    assert not last.granted and last.oom_killed == (small.pid,)


def test_pids_max_stops_a_fork_bomb() -> None:
    kernel = Kernel()
    kernel.cgroups.write("/", "cgroup.subtree_control", "+pids")
    box = kernel.cgroups.mkdir("/box")
    kernel.cgroups.write("/box", "pids.max", "5")
    shim = kernel.clone(kernel.init, ("shim",)).process
    assert shim is not None
    kernel.cgroups.attach(shim.pid, box)
    forks = [kernel.clone(shim, ("bomb",)) for _ in range(10)]
    assert sum(f.process is not None for f in forks) == 4  # shim + 4 children = 5
    assert {f.errno for f in forks if f.process is None} == {"EAGAIN"}
    assert kernel.cgroups.read("/box", "pids.current") == "5\n"
    assert kernel.cgroups.read("/box", "pids.events") == "max 6\n"


def test_cpu_accounting_is_hierarchical_for_usage_only() -> None:
    tree = _tree()
    child = tree.mkdir("/box/inner")
    run = run_bandwidth(work_usec=300_000, threads=1, host_cpus=1, quota_usec=50_000)
    tree.account_cpu(child, run.stat(system_share=0.25))
    assert tree.get("/box").cpu_stat["usage_usec"] == 300_000
    assert tree.get("/box").cpu_stat["nr_throttled"] == 0
    assert child.cpu_stat["nr_throttled"] == 5
    assert child.cpu_stat["system_usec"] == 75_000
