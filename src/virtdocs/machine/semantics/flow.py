"""Control transfer: jumps, calls and returns, INT n and UD2."""

from __future__ import annotations

from typing import TYPE_CHECKING

from virtdocs.machine.events import Trap
from virtdocs.machine.isa import ESP, UD_VECTOR
from virtdocs.machine.semantics.checks import check_pop, check_target, push

if TYPE_CHECKING:
    from virtdocs.machine.cpu import CPU
    from virtdocs.machine.events import Result
    from virtdocs.machine.operands import Instruction


def jmp_i(c: CPU, i: Instruction) -> Result:
    c.eip = i.a
    return None


def jmp_r(c: CPU, i: Instruction) -> Result:
    target = c.r[i.a]
    trap = check_target(c, i, target)
    if trap is None:
        c.eip = target
    return trap


def jz(c: CPU, i: Instruction) -> Result:
    c.eip = i.a if c.zf else c.eip + 1
    return None


def jnz(c: CPU, i: Instruction) -> Result:
    c.eip = c.eip + 1 if c.zf else i.a
    return None


def jc(c: CPU, i: Instruction) -> Result:
    c.eip = i.a if c.cf else c.eip + 1
    return None


def jnc(c: CPU, i: Instruction) -> Result:
    c.eip = c.eip + 1 if c.cf else i.a
    return None


def jl(c: CPU, i: Instruction) -> Result:
    c.eip = i.a if c.sf != c.of else c.eip + 1
    return None


def jge(c: CPU, i: Instruction) -> Result:
    c.eip = i.a if c.sf == c.of else c.eip + 1
    return None


def jle(c: CPU, i: Instruction) -> Result:
    c.eip = i.a if c.zf or c.sf != c.of else c.eip + 1
    return None


def jg(c: CPU, i: Instruction) -> Result:
    c.eip = i.a if not c.zf and c.sf == c.of else c.eip + 1
    return None


def call_i(c: CPU, i: Instruction) -> Result:
    trap = push(c, c.eip + 1)
    if trap is None:
        c.eip = i.a
    return trap


def call_r(c: CPU, i: Instruction) -> Result:
    target = c.r[i.a]
    trap = check_target(c, i, target) or push(c, c.eip + 1)
    if trap is None:
        c.eip = target
    return trap


def ret(c: CPU, i: Instruction) -> Result:
    trap = check_pop(c, 1)
    if trap is not None:
        return trap
    target = c.mem[c.r[ESP]]
    trap = check_target(c, i, target)
    if trap is None:
        c.r[ESP] += 1
        c.eip = target
    return trap


def ud2(c: CPU, i: Instruction) -> Result:
    return Trap(UD_VECTOR, "UD2 is an invalid opcode by definition", c.eip, c.eip)


def int_i(c: CPU, i: Instruction) -> Result:
    # A software interrupt: the trap handler delivers it (checking the gate DPL).
    return Trap(i.a & 0xFF, "a software interrupt", c.eip, c.eip + 1, software=True)
