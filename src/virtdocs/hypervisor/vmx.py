"""VT-x in miniature: the VMCS, VM-execution controls, exit reasons, VM exit and VM entry.

Hardware assistance adds a processor mode *below* ring 0. The hypervisor runs
in **VMX root** operation; a guest runs in **VMX non-root** operation, in its
own rings 0–3, so the guest kernel keeps ring 0 ("ring −1" is the hypervisor's
place). The **VMCS** (virtual-machine control structure) holds

- the **guest-state area**: what is loaded on VM entry and saved on VM exit
  (EIP, ESP, flags, CR0/CR3/CR4, GDTR, IDTR, TR, the current ring);
- the **host-state area**: what is loaded on VM exit (the hypervisor's own);
- the **VM-execution controls**: which instructions and events cause a VM exit;
- the **exit information**: the basic exit reason and its qualification;
- the **VM-entry interruption information**: an event to inject on entry.

The exit-reason numbers are Intel's (SDM Vol. 3D, Appendix C, Table C-1).

>>> EXIT_REASONS[12], EXIT_REASONS[30], EXIT_REASONS[48]
('HLT', 'I/O instruction', 'EPT violation')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from virtdocs.hypervisor.trap_emulate import HOST_CR0, HOST_GDTR, HOST_IDTR, HOST_TR
from virtdocs.machine import CPU
from virtdocs.machine.isa import ESP

#: Basic exit reasons (Intel SDM Vol. 3D, Appendix C, Table C-1) — those this model uses or
#: the pages discuss.
EXIT_REASONS: Final = {
    0: "exception or NMI",
    1: "external interrupt",
    7: "interrupt window",
    10: "CPUID",
    12: "HLT",
    18: "VMCALL",
    28: "control-register access",
    30: "I/O instruction",
    31: "RDMSR",
    32: "WRMSR",
    48: "EPT violation",
}
EXTERNAL_INTERRUPT: Final = 1
HLT: Final = 12
CR_ACCESS: Final = 28
IO_INSTRUCTION: Final = 30
EPT_VIOLATION: Final = 48

#: Where the hypervisor's own stack is while it handles an exit (host-state ESP).
HOST_ESP: Final = 0xFFC0_8000
#: Guest-physical page size in words (4 KiB of 32-bit words).
PAGE_WORDS: Final = 1024


def exit_key(reason: int) -> str:
    """The stats key for an exit reason: ``exit_30_io_instruction``."""
    name = EXIT_REASONS[reason].lower().replace(" ", "_").replace("-", "_").replace("/", "")
    return f"exit_{reason}_{name}"


@dataclass
class Controls:
    """VM-execution controls (the subset tiny86 has instructions for)."""

    hlt_exiting: bool = True
    unconditional_io_exiting: bool = True
    cr3_load_exiting: bool = True  # needed for shadow page tables; off with EPT
    cr0_guest_host_mask: int = 0xFFFF_FFFF  # the hypervisor owns every CR0 bit
    cr4_guest_host_mask: int = 0xFFFF_FFFF
    external_interrupt_exiting: bool = True
    enable_ept: bool = False
    exception_bitmap: int = 0  # guest exceptions go straight to the guest's IDT

    @classmethod
    def for_generation(cls, ept: bool) -> Controls:
        """First-generation VT-x (shadow paging) or with nested paging (EPT)."""
        return cls(cr3_load_exiting=not ept, enable_ept=ept)


@dataclass
class SegmentState:
    """The processor state the VMCS saves and loads (a guest's or the host's)."""

    cpl: int = 0
    eip: int = 0
    esp: int = 0
    flags: tuple[int, int, int, int, int, int] = (0, 0, 0, 0, 0, 0)  # CF ZF SF OF IF IOPL
    cr: list[int] = field(default_factory=lambda: [0] * 5)
    gdtr: tuple[int, int] = (0, 0)
    idtr: tuple[int, int] = (0, 0)
    tr: int = 0


def host_state() -> SegmentState:
    """The hypervisor's state, loaded on every VM exit."""
    return SegmentState(
        cpl=0, esp=HOST_ESP, cr=[HOST_CR0, 0, 0, 0, 0], gdtr=HOST_GDTR, idtr=HOST_IDTR, tr=HOST_TR
    )


@dataclass
class VMCS:
    """One virtual CPU's control structure."""

    controls: Controls
    guest: SegmentState = field(default_factory=SegmentState)
    host: SegmentState = field(default_factory=host_state)
    exit_reason: int | None = None
    exit_qualification: str = ""
    launched: bool = False
    root: bool = True  # the processor is in VMX root operation (the hypervisor runs)


def save(cpu: CPU, state: SegmentState) -> None:
    state.cpl, state.eip, state.esp = cpu.cpl, cpu.eip, cpu.r[ESP]
    state.flags = (cpu.cf, cpu.zf, cpu.sf, cpu.of, cpu.if_, cpu.iopl)
    state.cr = list(cpu.cr)
    state.gdtr = (cpu.gdt_base, cpu.gdt_limit)
    state.idtr = (cpu.idt_base, cpu.idt_limit)
    state.tr = cpu.tr


def load(cpu: CPU, state: SegmentState) -> None:
    cpu.cpl, cpu.eip, cpu.r[ESP] = state.cpl, state.eip, state.esp
    cpu.cf, cpu.zf, cpu.sf, cpu.of, cpu.if_, cpu.iopl = state.flags
    cpu.cr = list(state.cr)
    cpu.gdt_base, cpu.gdt_limit = state.gdtr
    cpu.idt_base, cpu.idt_limit = state.idtr
    cpu.tr = state.tr


def vm_exit(cpu: CPU, vmcs: VMCS, reason: int, qualification: str) -> None:
    """Non-root -> root: save the guest state, record why, load the host state."""
    assert not vmcs.root, "VM exit while already in root operation"
    save(cpu, vmcs.guest)
    vmcs.exit_reason, vmcs.exit_qualification = reason, qualification
    load(cpu, vmcs.host)
    vmcs.root = True


def vm_entry(cpu: CPU, vmcs: VMCS) -> None:
    """Root -> non-root (VMLAUNCH the first time, VMRESUME after): load the guest state."""
    assert vmcs.root, "VM entry while already in non-root operation"
    load(cpu, vmcs.guest)
    vmcs.launched = True
    vmcs.root = False


class EptMemory(list[int]):
    """Guest-physical memory behind extended page tables: the first access to a page the
    hypervisor has not mapped yet is an EPT violation; the hypervisor maps the page and the
    access completes, invisibly to the guest."""

    def __init__(self, words: list[int], mapped: set[int]) -> None:
        super().__init__(words)
        self.mapped = mapped
        self.violations: list[int] = []  # guest-physical page numbers, in order

    def _touch(self, first: int, last: int) -> None:
        for page in range(first // PAGE_WORDS, last // PAGE_WORDS + 1):
            if page not in self.mapped:
                self.mapped.add(page)
                self.violations.append(page)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        if isinstance(index, int):
            self._touch(index, index)
        return super().__getitem__(index)

    def __setitem__(self, index, value):  # type: ignore[no-untyped-def]
        if isinstance(index, slice):
            start, stop, _ = index.indices(len(self))
            if stop > start:
                self._touch(start, stop - 1)
        else:
            self._touch(index, index)
        super().__setitem__(index, value)
