"""Flags, interrupts, port I/O and the system instructions (descriptor tables, CR0…).

The privileged ones check CPL first; SGDT, SIDT, STR, SMSW and PUSHF deliberately do
not — on tiny86 as on x86, they are sensitive but unprivileged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from virtdocs.machine.events import EVENT, HALT, Trap
from virtdocs.machine.isa import ESP, SS_VECTOR, WORD_MASK
from virtdocs.machine.semantics.checks import (
    address_fault,
    check_pop,
    check_target,
    effective_address,
    gp,
    push,
    require_iopl,
    require_ring0,
)

if TYPE_CHECKING:
    from virtdocs.machine.cpu import CPU
    from virtdocs.machine.events import Result
    from virtdocs.machine.operands import Instruction

M: Final = WORD_MASK


def pushf(c: CPU, i: Instruction) -> Result:
    # Not privileged: any ring reads IF and IOPL this way (a sensitive instruction).
    trap = push(c, c.flags_word())
    if trap is None:
        c.eip += 1
    return trap


def popf(c: CPU, i: Instruction) -> Result:
    trap = check_pop(c, 1)
    if trap is not None:
        return trap
    sp = c.r[ESP]
    c.r[ESP] = sp + 1
    # i386 manual, POPF: IF changes only if CPL <= IOPL and IOPL only at CPL 0; otherwise
    # those bits are left as they were, silently — no trap.
    c.load_flags(c.mem[sp])
    c.eip += 1
    return EVENT


def cli(c: CPU, i: Instruction) -> Result:
    trap = require_iopl(c, i)
    if trap is None:
        c.if_ = 0
        c.eip += 1
    return trap


def sti(c: CPU, i: Instruction) -> Result:
    trap = require_iopl(c, i)
    if trap is not None:
        return trap
    c.if_ = 1
    c.eip += 1
    return EVENT


def hlt(c: CPU, i: Instruction) -> Result:
    trap = require_ring0(c, i)
    if trap is not None:
        return trap
    c.eip += 1
    return HALT


def in_ri(c: CPU, i: Instruction) -> Result:
    trap = require_iopl(c, i)
    if trap is not None:
        return trap
    c.r[i.a] = c.port_read(i.b) & M
    c.eip += 1
    return None


def out_ir(c: CPU, i: Instruction) -> Result:
    trap = require_iopl(c, i)
    if trap is not None:
        return trap
    c.port_write(i.a, c.r[i.b])
    c.eip += 1
    return EVENT


def iret(c: CPU, i: Instruction) -> Result:
    # tiny86 makes IRET privileged (x86 allows it in any ring) so a kernel's return to
    # user mode always passes through ring 0 — simpler to follow, and it traps under a VMM.
    trap = require_ring0(c, i) or check_pop(c, 3)
    if trap is not None:
        return trap
    sp = c.r[ESP]
    target, ring, flags = c.mem[sp], c.mem[sp + 1], c.mem[sp + 2]
    if ring > 3:
        return gp(c, f"IRET: bad ring {ring} in the interrupt frame")
    outer = ring > c.cpl
    if outer and sp + 4 > c.msize:
        return Trap(SS_VECTOR, "IRET: the frame has no saved ESP", c.eip, c.eip)
    trap = check_target(c, i, target)
    if trap is not None:
        return trap
    c.r[ESP] = c.mem[sp + 3] if outer else sp + 3
    c.load_flags(flags)  # at CPL 0, so IF and IOPL load too
    c.cpl = ring
    c.eip = target
    return EVENT


def _table_operand(c: CPU, i: Instruction) -> int | Trap:
    address = effective_address(c, i.a, i.b)
    if address + 1 >= c.msize:
        return address_fault(c, i, address)
    return address


def lgdt(c: CPU, i: Instruction) -> Result:
    trap = require_ring0(c, i)
    address = trap or _table_operand(c, i)
    if isinstance(address, Trap):
        return address
    c.gdt_base, c.gdt_limit = c.mem[address], c.mem[address + 1]
    c.eip += 1
    return None


def lidt(c: CPU, i: Instruction) -> Result:
    trap = require_ring0(c, i)
    address = trap or _table_operand(c, i)
    if isinstance(address, Trap):
        return address
    c.idt_base, c.idt_limit = c.mem[address], c.mem[address + 1]
    c.eip += 1
    return None


def sgdt(c: CPU, i: Instruction) -> Result:
    # Not privileged (before UMIP): any ring can see where the GDT is.
    address = _table_operand(c, i)
    if isinstance(address, Trap):
        return address
    c.mem[address], c.mem[address + 1] = c.gdt_base, c.gdt_limit
    c.eip += 1
    return None


def sidt(c: CPU, i: Instruction) -> Result:
    address = _table_operand(c, i)
    if isinstance(address, Trap):
        return address
    c.mem[address], c.mem[address + 1] = c.idt_base, c.idt_limit
    c.eip += 1
    return None


def ltr(c: CPU, i: Instruction) -> Result:
    trap = require_ring0(c, i)
    if trap is None:
        c.tr = c.r[i.a]
        c.eip += 1
    return trap


def str_r(c: CPU, i: Instruction) -> Result:
    c.r[i.a] = c.tr
    c.eip += 1
    return None


def smsw(c: CPU, i: Instruction) -> Result:
    c.r[i.a] = c.cr[0] & 0xFFFF
    c.eip += 1
    return None


def lmsw(c: CPU, i: Instruction) -> Result:
    trap = require_ring0(c, i)
    if trap is None:
        # LMSW loads PE, MP, EM and TS, and cannot clear PE (Intel SDM Vol. 2A, LMSW).
        old = c.cr[0]
        c.cr[0] = (old & ~0xF) | (c.r[i.a] & 0xF) | (old & 1)
        c.eip += 1
    return trap


def mov_cr_r(c: CPU, i: Instruction) -> Result:
    trap = require_ring0(c, i)
    if trap is None:
        c.cr[i.a] = c.r[i.b]
        c.eip += 1
    return trap


def mov_r_cr(c: CPU, i: Instruction) -> Result:
    trap = require_ring0(c, i)
    if trap is None:
        c.r[i.a] = c.cr[i.b]
        c.eip += 1
    return trap
