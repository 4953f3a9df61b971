"""cpu.max bandwidth control over simulated time."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtdocs.container.cpu import run_bandwidth
from virtdocs.container.dockerflags import cpu_max
from virtdocs.errors import UserError


def test_half_a_cpu_halves_the_speed() -> None:
    run = run_bandwidth(work_usec=1_000_000, threads=1, host_cpus=2, quota_usec=50_000)
    assert (run.wall_usec, run.nr_periods, run.nr_throttled) == (1_950_000, 20, 19)
    assert run.throttled_usec == 19 * 50_000
    assert [p.used_usec for p in run.periods] == [50_000] * 20


def test_no_quota_runs_at_full_speed() -> None:
    run = run_bandwidth(work_usec=1_000_000, threads=2, host_cpus=2, quota_usec=None)
    assert (run.wall_usec, run.nr_throttled, run.throttled_usec) == (500_000, 0, 0)


def test_quota_above_what_threads_can_use_never_throttles() -> None:
    run = run_bandwidth(work_usec=1_000_000, threads=1, host_cpus=4, quota_usec=200_000)
    assert run.nr_throttled == 0 and run.wall_usec == 1_000_000


def test_docker_cpus_flag_maps_to_documented_quota() -> None:
    # Docker docs: --cpus=1.5 is --cpu-period=100000 --cpu-quota=150000.
    assert cpu_max(1_500_000_000) == (150_000, 100_000)
    assert cpu_max(0) == (None, 100_000)


def test_bad_input() -> None:
    with pytest.raises(UserError, match="positive"):
        run_bandwidth(work_usec=0, threads=1, host_cpus=1, quota_usec=None)
    with pytest.raises(UserError, match="quota"):
        run_bandwidth(work_usec=10, threads=1, host_cpus=1, quota_usec=-5)


@settings(max_examples=60, deadline=None)
@given(
    work=st.integers(1_000, 3_000_000),
    threads=st.integers(1, 4),
    cpus=st.integers(1, 4),
    quota=st.one_of(st.none(), st.integers(1_000, 400_000)),
)
def test_invariants(work: int, threads: int, cpus: int, quota: int | None) -> None:
    run = run_bandwidth(work_usec=work, threads=threads, host_cpus=cpus, quota_usec=quota)
    assert sum(p.used_usec for p in run.periods) == work == run.usage_usec
    per_period = min(threads, cpus) * 100_000 if quota is None else quota
    assert all(p.used_usec <= per_period for p in run.periods)
    # Never faster than the CPUs allow, never slower than the quota forces.
    assert run.wall_usec * min(threads, cpus) >= work
    assert run.nr_throttled <= run.nr_periods
