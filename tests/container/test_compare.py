"""VM vs container and the secure runtimes, from cited parameters."""

from __future__ import annotations

import pytest

from virtdocs.container import params
from virtdocs.container.compare import density, runtime_series, setup_steps, table
from virtdocs.container.images import Registry
from virtdocs.container.runtimes import RUNTIMES, runtime
from virtdocs.errors import UserError


def test_every_parameter_has_a_source_and_a_sane_range() -> None:
    assert params.ALL
    for name, value in params.ALL.items():
        assert value.url.startswith("https://"), name
        assert value.source, name
        if value.known:
            assert value.low is not None and value.high is not None
            assert 0 <= value.low <= value.high, name


def test_firecracker_figures_are_the_specification() -> None:
    # SPECIFICATION.md: <= 125 ms to /sbin/init, <= 5 MiB VMM overhead, > 95% CPU.
    assert params.FIRECRACKER_BOOT_MS.show() == "≤125 ms"
    assert params.FIRECRACKER_VMM_MIB.show() == "≤5 MiB"
    assert params.FIRECRACKER_CPU_PERF.low == 0.95


def test_table_rows_come_from_the_parameters(registry: Registry) -> None:
    image = registry.resolve("nginx", "1.27-alpine")
    assert image is not None
    rows = {row.metric.split(" (")[0]: row for row in table(image)}
    assert rows["start time"].vm == params.VM_BOOT_MS.show()
    assert rows["start time"].container == params.RUNC_START_MS.show()
    assert rows["density"].vm == str(density(65536, 64, params.VM_MEMORY_MIB.low or 0))
    assert int(rows["density"].container) > 10 * int(rows["density"].vm)
    assert setup_steps(image) == (1 + len(image.layers), 1)


def test_density() -> None:
    assert density(1024, 0, 1) == 1024
    with pytest.raises(UserError, match="positive"):
        density(0, 1, 1)


def test_runtimes_are_ordered_and_unknowns_left_out() -> None:
    assert [r.engine_flag for r in RUNTIMES] == ["runc", "runsc", "kata", "firecracker"]
    assert runtime("runc").hops == 2 and runtime("runsc").hops == 3
    assert "Sentry" in runtime("runsc").syscall_path
    series = runtime_series()
    assert "gVisor" not in series["overhead_mib"]  # no cited figure: not drawn
    assert series["start_ms"]["Firecracker microVM"] == 125
    assert series["start_ms"]["general-purpose VM"] > series["start_ms"]["Kata Containers"]
    with pytest.raises(UserError, match="unknown or invalid runtime name"):
        runtime("lxc")
