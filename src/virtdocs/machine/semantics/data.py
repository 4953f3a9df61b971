"""Data movement: MOV between registers, immediates and memory; PUSH and POP."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from virtdocs.machine.isa import ESP, WORD_MASK
from virtdocs.machine.semantics.checks import address_fault, check_pop, effective_address, push

if TYPE_CHECKING:
    from virtdocs.machine.cpu import CPU
    from virtdocs.machine.events import Result
    from virtdocs.machine.operands import Instruction

M: Final = WORD_MASK


def mov_rr(c: CPU, i: Instruction) -> Result:
    c.r[i.a] = c.r[i.b]
    c.eip += 1
    return None


def mov_ri(c: CPU, i: Instruction) -> Result:
    c.r[i.a] = i.b & M
    c.eip += 1
    return None


def mov_rm(c: CPU, i: Instruction) -> Result:
    address = effective_address(c, i.b, i.c)
    if address >= c.msize:
        return address_fault(c, i, address)
    c.r[i.a] = c.mem[address]
    c.eip += 1
    return None


def mov_mr(c: CPU, i: Instruction) -> Result:
    address = effective_address(c, i.a, i.b)
    if address >= c.msize:
        return address_fault(c, i, address)
    c.mem[address] = c.r[i.c]
    c.eip += 1
    return None


def mov_mi(c: CPU, i: Instruction) -> Result:
    address = effective_address(c, i.a, i.b)
    if address >= c.msize:
        return address_fault(c, i, address)
    c.mem[address] = i.c & M
    c.eip += 1
    return None


def push_r(c: CPU, i: Instruction) -> Result:
    trap = push(c, c.r[i.a])
    if trap is None:
        c.eip += 1
    return trap


def push_i(c: CPU, i: Instruction) -> Result:
    trap = push(c, i.a)
    if trap is None:
        c.eip += 1
    return trap


def pop_r(c: CPU, i: Instruction) -> Result:
    trap = check_pop(c, 1)
    if trap is not None:
        return trap
    sp = c.r[ESP]
    c.r[ESP] = sp + 1
    c.r[i.a] = c.mem[sp]  # after the increment, so POP ESP loads the popped value as on x86
    c.eip += 1
    return None
