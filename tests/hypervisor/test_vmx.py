"""Hardware assistance: exit reasons, the VMCS world switch, controls and EPT."""

from __future__ import annotations

from pathlib import Path

from virtdocs.hypervisor.hardware_assist import HardwareAssisted
from virtdocs.hypervisor.technique import RunConfig
from virtdocs.hypervisor.trap_emulate import HOST_IDTR
from virtdocs.hypervisor.vmx import (
    EXIT_REASONS,
    PAGE_WORDS,
    VMCS,
    Controls,
    EptMemory,
    exit_key,
    vm_entry,
    vm_exit,
)
from virtdocs.machine import CPU, assemble, assemble_file, run_native

GUESTS = Path(__file__).resolve().parents[2] / "examples" / "guests"


def test_exit_reasons_are_intels() -> None:
    # Intel SDM Vol. 3D, Appendix C, Table C-1.
    assert {n: EXIT_REASONS[n] for n in (10, 12, 18, 28, 30, 31, 32, 48)} == {
        10: "CPUID", 12: "HLT", 18: "VMCALL", 28: "control-register access",
        30: "I/O instruction", 31: "RDMSR", 32: "WRMSR", 48: "EPT violation",
    }  # fmt: skip
    assert EXIT_REASONS[1] == "external interrupt"
    assert exit_key(30) == "exit_30_io_instruction"


def test_exit_saves_the_guest_and_entry_restores_it() -> None:
    cpu = CPU(assemble("NOP\nHLT", "t.s"), 1024)
    cpu.idt_base, cpu.idt_limit, cpu.if_, cpu.eip = 7, 8, 1, 1
    vmcs = VMCS(Controls())
    vm_entry(cpu, vmcs)  # the guest-state area starts zeroed: load it, then put ours back
    cpu.idt_base, cpu.idt_limit, cpu.if_, cpu.eip = 7, 8, 1, 1
    vm_exit(cpu, vmcs, 12, "HLT")
    assert (cpu.idt_base, cpu.idt_limit) == HOST_IDTR and cpu.if_ == 0 and vmcs.root
    assert vmcs.guest.idtr == (7, 8) and vmcs.exit_reason == 12
    vm_entry(cpu, vmcs)
    assert (cpu.idt_base, cpu.idt_limit, cpu.if_, cpu.eip) == (7, 8, 1, 1) and not vmcs.root


def test_exits_by_reason_on_the_teaching_kernel() -> None:
    program = assemble_file(GUESTS / "syscalls.s")
    result = HardwareAssisted("p4").run(program, RunConfig())
    s = result.stats
    assert result.state == run_native(program).cpu.snapshot()
    assert s["exit_12_hlt"] == 1 and s["exit_28_control_register_access"] == 1
    assert s["exit_30_io_instruction"] > 0 and s["exit_1_external_interrupt"] == s["injected"]
    assert s["guest_traps_without_exit"] == s["syscalls"]  # system calls never exit
    assert s["vm_exits"] == sum(v for k, v in s.items() if k.startswith("exit_"))


def test_nested_paging_stops_cr3_exits_but_adds_ept_violations() -> None:
    program = assemble_file(GUESTS / "pagetables.s", defines={"SWITCHES": 50})
    shadow = HardwareAssisted("core2").run(program, RunConfig()).stats
    nested = HardwareAssisted("broadwell").run(program, RunConfig()).stats
    assert shadow["exit_28_control_register_access"] == 50
    assert "exit_28_control_register_access" not in nested
    assert "exit_48_ept_violation" not in shadow
    # The teaching kernel's stacks sit at the top of memory, in pages the loader never filled.
    stacks = HardwareAssisted("broadwell").run(assemble_file(GUESTS / "syscalls.s"), RunConfig())
    assert stacks.stats["exit_48_ept_violation"] == 1  # the kernel stack, just below 0xF000


def test_privilege_checks_come_before_exits() -> None:
    # HLT in the guest's ring 3 is the guest kernel's #GP, not a VM exit.
    program = assemble_file(GUESTS / "privileged.s")
    result = HardwareAssisted().run(program, RunConfig())
    assert "general protection fault" in result.state.console
    assert result.state == run_native(program).cpu.snapshot()


def test_ept_memory_maps_pages_on_first_touch() -> None:
    memory = EptMemory([0] * (4 * PAGE_WORDS), {0})
    memory[5] = 1
    memory[PAGE_WORDS * 2 + 3] = memory[PAGE_WORDS * 2]
    memory[PAGE_WORDS * 3 - 1 : PAGE_WORDS * 3 + 1] = [1, 2]
    assert memory.violations == [2, 3] and sum(memory) == 4
