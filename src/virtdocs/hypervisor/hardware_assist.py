"""``hardware-assisted``: VT-x — the guest kernel in non-root ring 0, exits to the hypervisor.

The hypervisor builds a :class:`~virtdocs.hypervisor.vmx.VMCS`, loads the
guest's reset state into it and enters the guest. In non-root operation every
instruction runs on the processor, with the guest's *own* ring, IF and tables:
PUSHF, POPF and SGDT see exactly what they would on bare hardware, so the
virtualization hole is closed without touching the guest. The processor leaves
the guest — a **VM exit** — only where the VM-execution controls say so:

- ``HLT`` (HLT exiting, reason 12): the hypervisor idles the virtual CPU until
  the next timer interrupt, or stops the VM if interrupts are off;
- ``IN``/``OUT`` (unconditional I/O exiting, reason 30): the hypervisor runs the
  virtual device;
- ``MOV`` to CR0/CR3/CR4 and ``LMSW`` (reason 28): the hypervisor owns the
  control registers; without EPT it must see every page-table switch;
- a timer interrupt (external-interrupt exiting, reason 1): the hypervisor
  takes it and *injects* the guest's timer interrupt on the next VM entry;
- with EPT, the first touch of each guest page (EPT violation, reason 48).

System calls and faults need no exit: the processor delivers them through the
guest's IDT in non-root mode, at native cost. A privilege check comes before an
exit: ``HLT`` in the guest's ring 3 is a #GP for the guest kernel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from virtdocs.hypervisor.costs import DEFAULT_GENERATION, generation
from virtdocs.hypervisor.stats import run_stats
from virtdocs.hypervisor.technique import RunConfig, RunResult
from virtdocs.hypervisor.vmx import (
    CR_ACCESS,
    EXTERNAL_INTERRUPT,
    HLT,
    IO_INSTRUCTION,
    PAGE_WORDS,
    VMCS,
    Controls,
    EptMemory,
    exit_key,
    save,
    vm_entry,
    vm_exit,
)
from virtdocs.machine import CPU, Counters, Instruction, Program, Stop, Trap
from virtdocs.machine.events import HALT, Result
from virtdocs.machine.operands import Ctl
from virtdocs.machine.run import NativeHandler, run

#: In non-root mode the processor delivers a guest's own traps through the guest's IDT,
#: exactly as bare hardware does.
_GUEST_IDT = NativeHandler()

#: Pseudo-vector of a VM exit in the run loop: above every IDT vector (0..255).
EXIT_VECTOR_BASE: Final = 0x100


def _exit_stub(reason: int, why: Callable[[CPU, Instruction], bool]) -> Callable[..., Result]:
    """Semantics in non-root mode: the privilege check first, then the exit (nothing changes)."""

    def step(c: CPU, i: Instruction, original: Callable[..., Result]) -> Result:
        if not why(c, i):
            return original(c, i)  # a fault (#GP) for the guest, or no exit at all
        return Trap(EXIT_VECTOR_BASE + reason, f"VM exit: {i}", c.eip, c.eip)

    return step


def _exits(i: Instruction, controls: Controls) -> int | None:
    """The exit reason ``i`` causes under ``controls``, or None."""
    if i.mnemonic == "HLT" and controls.hlt_exiting:
        return HLT
    if i.mnemonic in ("IN", "OUT") and controls.unconditional_io_exiting:
        return IO_INSTRUCTION
    if i.mnemonic == "LMSW" and controls.cr0_guest_host_mask:
        return CR_ACCESS
    if i.mnemonic == "MOV CR" and isinstance(i.operands[0], Ctl):
        register = i.operands[0].index
        if (register == 0 and controls.cr0_guest_host_mask) or (
            register == 4 and controls.cr4_guest_host_mask
        ):
            return CR_ACCESS
        if register == 3 and controls.cr3_load_exiting:
            return CR_ACCESS
    return None


def _allowed(reason: int) -> Callable[[CPU, Instruction], bool]:
    """Whether the guest passes the privilege check of an exiting instruction."""
    if reason == IO_INSTRUCTION:
        return lambda c, i: c.cpl <= c.iopl
    return lambda c, i: c.cpl == 0


def _guarded(i: Instruction, reason: int) -> Instruction:
    stub = _exit_stub(reason, _allowed(reason))
    original = i.fn

    def fn(c: CPU, insn: Instruction) -> Result:
        return stub(c, insn, original)

    return Instruction(i.mnemonic, i.operands, fn, i.a, i.b, i.c, i.file, i.line)


class Hypervisor:
    """The root-mode exit handler (a run-loop trap handler)."""

    def __init__(self, vmcs: VMCS, originals: dict[int, Instruction]) -> None:
        self.vmcs = vmcs
        self.originals = originals
        self.exits: dict[int, int] = {}
        self.injected = 0
        self.direct_traps = 0

    def _exit(self, cpu: CPU, reason: int, qualification: str) -> None:
        vm_exit(cpu, self.vmcs, reason, qualification)
        self.exits[reason] = self.exits.get(reason, 0) + 1

    def handle(self, cpu: CPU, trap: Trap, counters: Counters) -> Stop | None:
        if trap.external:
            # The interrupt exits; on the way back in, VM entry injects it into the guest.
            self._exit(cpu, EXTERNAL_INTERRUPT, "timer")
            vm_entry(cpu, self.vmcs)
            self.injected += 1
            return _GUEST_IDT.handle(cpu, trap, counters)
        if trap.vector < EXIT_VECTOR_BASE:
            # Exception bitmap 0: the processor delivers guest traps itself, no exit.
            self.direct_traps += 1
            return _GUEST_IDT.handle(cpu, trap, counters)
        reason = trap.vector - EXIT_VECTOR_BASE
        instruction = self.originals[trap.eip]
        self._exit(cpu, reason, str(instruction))
        vm_entry(cpu, self.vmcs)
        # The hypervisor emulates the instruction on the guest state it saved.
        result = instruction.fn(cpu, instruction)
        if result == HALT:
            if not cpu.if_ or cpu.timer.period == 0:
                why = "interrupts are off" if not cpu.if_ else "no timer is running"
                where = cpu.where(trap.eip)
                counters.note(cpu, "halt", f"at {where}: {why}")
                return Stop("halted", f"{where}: halted ({why})", trap.eip)
            cpu.idle += max(0, cpu.timer.deadline - cpu.clock)  # the vCPU sleeps until the tick
        return None


class HardwareAssisted:
    """Run the unmodified guest in VMX non-root mode (see the module docstring)."""

    name = "hardware-assisted"

    def __init__(self, cpu_generation: str = DEFAULT_GENERATION) -> None:
        self.generation = generation(cpu_generation)

    def run(self, program: Program, config: RunConfig) -> RunResult:
        cpu = CPU(program, config.memory_words)
        controls = Controls.for_generation(self.generation.ept)
        originals: dict[int, Instruction] = {}
        for address, instruction in enumerate(cpu.code):
            reason = _exits(instruction, controls)
            if reason is not None:
                originals[address] = instruction
                cpu.code[address] = _guarded(instruction, reason)
        memory: EptMemory | None = None
        if controls.enable_ept:
            # The hypervisor maps the pages the loader filled; the rest on first touch.
            loaded = set(range(max(1, len(program.data)) // PAGE_WORDS + 1))
            memory = EptMemory(cpu.mem, loaded)
            cpu.mem = memory
        vmcs = VMCS(controls)  # the hypervisor starts in root operation
        save(cpu, vmcs.guest)  # the guest's reset state is the guest-state area
        vm_entry(cpu, vmcs)  # VMLAUNCH
        hypervisor = Hypervisor(vmcs, originals)
        counters = Counters(trace=[] if config.trace else None)
        stop = run(cpu, hypervisor, config.max_steps, counters)
        state = cpu.snapshot()
        if memory is not None and memory.violations:
            hypervisor.exits[48] = len(memory.violations)
        exits = sum(hypervisor.exits.values())
        instruction_exits = sum(n for r, n in hypervisor.exits.items() if r in (12, 28, 30))
        counters.traps -= instruction_exits  # exits are not guest traps
        events = {
            "direct": cpu.steps - instruction_exits,
            "vm_exits": exits,
            "injected": hypervisor.injected,
            "guest_traps_without_exit": hypervisor.direct_traps,
        }
        events.update((exit_key(reason), n) for reason, n in sorted(hypervisor.exits.items()))
        stats = run_stats(cpu, counters, events, self.generation.key)
        return RunResult(self.name, state, stop, stats, tuple(counters.trace or ()))


__all__ = ["EXIT_VECTOR_BASE", "HardwareAssisted", "Hypervisor"]
