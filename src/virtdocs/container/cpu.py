"""CPU bandwidth control (``cpu.max``) over simulated time.

The scheduler gives a cgroup ``quota`` microseconds of CPU per ``period``
(sched-bwc.rst). Worked example: ``--cpus=0.5`` is ``cpu.max = 50000 100000``;
one thread that needs 1 s of CPU runs 50 ms, is throttled for 50 ms, and so on:
it finishes in the 20th period, 1.95 s after it started, throttled in 19 of
them (in the last one it needs exactly the 50 ms left, so it never waits).

``throttled_usec`` adds the throttled time of every per-CPU run queue: with
``n`` threads running on ``n`` CPUs, the quota lasts ``quota / n`` of wall time,
so each queue waits ``period - quota / n``, for ``n * period - quota`` in all.
"""

from __future__ import annotations

from dataclasses import dataclass

from virtdocs.errors import UserError


@dataclass(frozen=True)
class Period:
    """One enforcement period: when it started and how much CPU the group used."""

    start_usec: int
    used_usec: int
    throttled: bool


@dataclass(frozen=True)
class BandwidthRun:
    """The outcome of running a CPU-bound job under ``cpu.max``."""

    wall_usec: int
    usage_usec: int
    nr_periods: int
    nr_throttled: int
    throttled_usec: int
    periods: tuple[Period, ...]

    def stat(self, *, system_share: float = 0.0) -> dict[str, int]:
        """Counters in ``cpu.stat`` form; ``system_share`` splits user/system time."""
        system = round(self.usage_usec * system_share)
        return {
            "usage_usec": self.usage_usec,
            "user_usec": self.usage_usec - system,
            "system_usec": system,
            "nr_periods": self.nr_periods,
            "nr_throttled": self.nr_throttled,
            "throttled_usec": self.throttled_usec,
        }


def run_bandwidth(
    *,
    work_usec: int,
    threads: int,
    host_cpus: int,
    quota_usec: int | None,
    period_usec: int = 100_000,
) -> BandwidthRun:
    """Run ``threads`` busy threads until they have used ``work_usec`` of CPU.

    >>> run = run_bandwidth(work_usec=1_000_000, threads=1, host_cpus=2, quota_usec=50_000)
    >>> run.wall_usec, run.nr_periods, run.nr_throttled
    (1950000, 20, 19)
    """
    if work_usec <= 0 or threads <= 0 or host_cpus <= 0 or period_usec <= 0:
        raise UserError("cpu job: work, threads, host CPUs and period must be positive")
    if quota_usec is not None and quota_usec <= 0:
        raise UserError(f"cpu job: quota must be positive or None, got {quota_usec}")
    parallel = min(threads, host_cpus)
    capacity = parallel * period_usec
    allowed = capacity if quota_usec is None else min(capacity, quota_usec)
    remaining, clock, throttled_usec = work_usec, 0, 0
    periods: list[Period] = []
    while remaining > 0:
        used = min(allowed, remaining)
        # Throttled: the group still wanted CPU when its quota ran out.
        throttled = quota_usec is not None and quota_usec < capacity and remaining > quota_usec
        remaining -= used
        periods.append(Period(clock, used, throttled))
        if throttled:
            assert quota_usec is not None
            throttled_usec += parallel * period_usec - quota_usec
        # The last period ends when the work does; all others run to the end.
        clock += period_usec if remaining > 0 else -(-used // parallel)
    return BandwidthRun(
        wall_usec=clock,
        usage_usec=work_usec,
        nr_periods=len(periods),
        nr_throttled=sum(p.throttled for p in periods),
        throttled_usec=throttled_usec,
        periods=tuple(periods),
    )
