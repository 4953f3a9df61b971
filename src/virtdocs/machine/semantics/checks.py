"""Checks every instruction family shares: privilege, IOPL, addresses and the stack.

Each returns the fault to raise (a :class:`~virtdocs.machine.events.Trap`) or ``None``;
nothing changes state except :func:`push`, and only when it succeeds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from virtdocs.machine.events import Trap
from virtdocs.machine.isa import ESP, GP_VECTOR, SS_VECTOR, WORD_MASK

if TYPE_CHECKING:
    from virtdocs.machine.cpu import CPU
    from virtdocs.machine.operands import Instruction

M: Final = WORD_MASK


def gp(c: CPU, reason: str) -> Trap:
    """#GP at the current instruction; nothing has changed."""
    return Trap(GP_VECTOR, reason, c.eip, c.eip)


def require_ring0(c: CPU, i: Instruction) -> Trap | None:
    if c.cpl:
        return gp(c, f"{i.mnemonic} is privileged and CPL is {c.cpl}")
    return None


def require_iopl(c: CPU, i: Instruction) -> Trap | None:
    if c.cpl > c.iopl:
        return gp(c, f"{i.mnemonic} needs CPL <= IOPL, but CPL is {c.cpl} and IOPL is {c.iopl}")
    return None


def effective_address(c: CPU, base: int, disp: int) -> int:
    return ((c.r[base] if base >= 0 else 0) + disp) & M


def address_fault(c: CPU, i: Instruction, address: int) -> Trap:
    return gp(c, f"{i.mnemonic}: address {address:#x} is outside memory ({c.msize:#x} words)")


def push(c: CPU, value: int) -> Trap | None:
    """Push a word; #SS (nothing changed) if the stack would leave memory."""
    sp = c.r[ESP] - 1
    if sp < 0 or sp >= c.msize:
        return Trap(SS_VECTOR, f"stack overflow: ESP={c.r[ESP]:#x} cannot grow", c.eip, c.eip)
    c.mem[sp] = value & M
    c.r[ESP] = sp
    return None


def check_pop(c: CPU, words: int) -> Trap | None:
    sp = c.r[ESP]
    if sp + words > c.msize:
        return Trap(
            SS_VECTOR, f"stack underflow: ESP={sp:#x} is at the top of memory", c.eip, c.eip
        )
    return None


def check_target(c: CPU, i: Instruction, target: int) -> Trap | None:
    if target >= len(c.code):
        return gp(c, f"{i.mnemonic} to {target:#x}, outside the program (0..{len(c.code) - 1:#x})")
    return None
