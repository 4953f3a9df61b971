"""Paravirtualization and scan-and-patch: the patched sites, the hypercall table, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from virtdocs.errors import UserError
from virtdocs.hypervisor.paravirt import (
    HYPERCALL_VECTOR,
    HYPERCALLS,
    SHARED_INFO,
    XEN_HYPERCALLS,
    Paravirtualization,
    pv_build,
)
from virtdocs.hypervisor.scan_patch import HOLE, PATCH_VECTOR, ScanAndPatch, scan
from virtdocs.hypervisor.technique import RunConfig
from virtdocs.machine import assemble_file, run_native

GUESTS = Path(__file__).resolve().parents[2] / "examples" / "guests"


def test_hypercall_numbers_are_xens() -> None:
    # xen/include/public/xen.h
    assert XEN_HYPERCALLS == {
        "set_trap_table": 0, "set_gdt": 2, "stack_switch": 3, "fpu_taskswitch": 5,
        "set_timer_op": 15, "console_io": 18, "iret": 23, "mmuext_op": 26, "sched_op": 29,
        "physdev_op": 33,
    }  # fmt: skip
    assert HYPERCALL_VECTOR == 0x82  # int $0x82, 32-bit x86 Xen guests
    assert set(HYPERCALLS.values()) <= {*XEN_HYPERCALLS, SHARED_INFO}


def test_the_build_replaces_kernel_sites_in_place() -> None:
    program = assemble_file(GUESTS / "loop.s", defines={"ITERATIONS": 3})
    build = pv_build(program)
    assert build.kernel == "kernel.s"
    assert len(build.program.code) == len(program.code)
    for address, patch in build.patches.items():
        site = build.program.code[address]
        assert patch.original is program.code[address]
        assert site.mnemonic in ("HYPERCALL", "VCPU_INFO")
        assert Path(site.file).name == "kernel.s"
    lidt = next(a for a, p in build.patches.items() if p.original.mnemonic == "LIDT")
    assert str(build.program.code[lidt]) == "HYPERCALL 0, [0x102]"
    user = [i for i in build.program.code if Path(i.file).name == "loop.s"]
    assert all(i.mnemonic not in ("HYPERCALL", "VCPU_INFO") for i in user)


def test_pv_run_counts_hypercalls_by_name() -> None:
    program = assemble_file(GUESTS / "syscalls.s")
    result = Paravirtualization().run(program, RunConfig())
    assert result.state == run_native(program).cpu.snapshot()
    s = result.stats
    assert s["hypercalls"] == sum(v for k, v in s.items() if k.startswith("hypercall_"))
    assert s["hypercall_set_trap_table"] == 1 and s["hypercall_iret"] > 100
    assert s["fast_traps"] == s["syscalls"] > 0  # INT 0x80 goes straight to the guest kernel
    assert s["shared_info"] > 0  # SYS_TICKS reads the time from the shared page


@pytest.mark.parametrize("guest", ["irqsave.s", "sensitive.s", "nokernel.s"])
def test_guests_without_a_port_are_refused(guest: str) -> None:
    program = assemble_file(GUESTS / guest)
    with pytest.raises(UserError, match=rf"{guest}: no paravirtualized build: its kernel"):
        Paravirtualization().run(program, RunConfig())


def test_scan_finds_the_hole_and_patches_it() -> None:
    program = assemble_file(GUESTS / "sensitive.s")
    patches = scan(program.code)
    assert {p.original.mnemonic for p in patches.values()} == HOLE
    result = ScanAndPatch().run(program, RunConfig())
    assert result.state == run_native(program).cpu.snapshot()
    assert result.stats["patched_sites"] == len(patches)
    assert result.stats["patch_traps"] == 8  # each patched site runs once
    assert PATCH_VECTOR == 3
