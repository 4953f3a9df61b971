"""Arithmetic and logic, with the flags set as on x86 (CF, ZF, SF, OF).

The common forms compute their flags inline rather than through a helper: one Python
call fewer per instruction is most of what makes the native run loop fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from virtdocs.machine.events import Trap
from virtdocs.machine.isa import DE_VECTOR, WORD_MASK

if TYPE_CHECKING:
    from virtdocs.machine.cpu import CPU
    from virtdocs.machine.events import Result
    from virtdocs.machine.operands import Instruction

M: Final = WORD_MASK


def _add(c: CPU, dst: int, x: int, y: int) -> None:
    total = x + y
    v = total & M
    c.cf = total >> 32
    c.zf = int(v == 0)
    c.sf = v >> 31
    c.of = (((x ^ v) & (y ^ v)) >> 31) & 1
    c.r[dst] = v


def _sub(c: CPU, x: int, y: int) -> int:
    v = (x - y) & M
    c.cf = int(x < y)
    c.zf = int(v == 0)
    c.sf = v >> 31
    c.of = (((x ^ y) & (x ^ v)) >> 31) & 1
    return v


def _logic(c: CPU, dst: int, v: int) -> None:
    c.cf = c.of = 0
    c.zf = int(v == 0)
    c.sf = v >> 31
    c.r[dst] = v


def add_rr(c: CPU, i: Instruction) -> Result:
    r = c.r
    x = r[i.a]
    y = r[i.b]
    total = x + y
    v = total & M
    c.cf = total >> 32
    c.zf = int(v == 0)
    c.sf = v >> 31
    c.of = (((x ^ v) & (y ^ v)) >> 31) & 1
    r[i.a] = v
    c.eip += 1
    return None


def add_ri(c: CPU, i: Instruction) -> Result:
    _add(c, i.a, c.r[i.a], i.b & M)
    c.eip += 1
    return None


def sub_rr(c: CPU, i: Instruction) -> Result:
    c.r[i.a] = _sub(c, c.r[i.a], c.r[i.b])
    c.eip += 1
    return None


def sub_ri(c: CPU, i: Instruction) -> Result:
    c.r[i.a] = _sub(c, c.r[i.a], i.b & M)
    c.eip += 1
    return None


def cmp_rr(c: CPU, i: Instruction) -> Result:
    _sub(c, c.r[i.a], c.r[i.b])
    c.eip += 1
    return None


def cmp_ri(c: CPU, i: Instruction) -> Result:
    _sub(c, c.r[i.a], i.b & M)
    c.eip += 1
    return None


def and_rr(c: CPU, i: Instruction) -> Result:
    _logic(c, i.a, c.r[i.a] & c.r[i.b])
    c.eip += 1
    return None


def and_ri(c: CPU, i: Instruction) -> Result:
    _logic(c, i.a, c.r[i.a] & i.b & M)
    c.eip += 1
    return None


def or_rr(c: CPU, i: Instruction) -> Result:
    _logic(c, i.a, c.r[i.a] | c.r[i.b])
    c.eip += 1
    return None


def or_ri(c: CPU, i: Instruction) -> Result:
    _logic(c, i.a, c.r[i.a] | (i.b & M))
    c.eip += 1
    return None


def xor_rr(c: CPU, i: Instruction) -> Result:
    _logic(c, i.a, c.r[i.a] ^ c.r[i.b])
    c.eip += 1
    return None


def xor_ri(c: CPU, i: Instruction) -> Result:
    r = c.r
    v = r[i.a] ^ (i.b & M)
    c.cf = c.of = 0
    c.zf = int(v == 0)
    c.sf = v >> 31
    r[i.a] = v
    c.eip += 1
    return None


def _mul(c: CPU, dst: int, x: int, y: int) -> None:
    product = x * y
    v = product & M
    c.cf = c.of = int(product > M)
    c.zf = int(v == 0)
    c.sf = v >> 31
    c.r[dst] = v


def mul_rr(c: CPU, i: Instruction) -> Result:
    _mul(c, i.a, c.r[i.a], c.r[i.b])
    c.eip += 1
    return None


def mul_ri(c: CPU, i: Instruction) -> Result:
    _mul(c, i.a, c.r[i.a], i.b & M)
    c.eip += 1
    return None


def _divmod(c: CPU, i: Instruction, divisor: int, remainder: bool) -> Result:
    if divisor == 0:
        return Trap(DE_VECTOR, f"{i.mnemonic} by zero", c.eip, c.eip)
    quotient, rest = divmod(c.r[i.a], divisor)
    _logic(c, i.a, rest if remainder else quotient)
    c.eip += 1
    return None


def div_rr(c: CPU, i: Instruction) -> Result:
    return _divmod(c, i, c.r[i.b], remainder=False)


def div_ri(c: CPU, i: Instruction) -> Result:
    return _divmod(c, i, i.b & M, remainder=False)


def mod_rr(c: CPU, i: Instruction) -> Result:
    return _divmod(c, i, c.r[i.b], remainder=True)


def mod_ri(c: CPU, i: Instruction) -> Result:
    return _divmod(c, i, i.b & M, remainder=True)


def inc_r(c: CPU, i: Instruction) -> Result:
    x = c.r[i.a]
    v = (x + 1) & M
    c.zf = int(v == 0)
    c.sf = v >> 31
    c.of = int(v == 0x8000_0000)  # INC leaves CF alone, as on x86
    c.r[i.a] = v
    c.eip += 1
    return None


def dec_r(c: CPU, i: Instruction) -> Result:
    x = c.r[i.a]
    v = (x - 1) & M
    c.zf = int(v == 0)
    c.sf = v >> 31
    c.of = int(x == 0x8000_0000)  # DEC leaves CF alone, as on x86
    c.r[i.a] = v
    c.eip += 1
    return None


def shl_ri(c: CPU, i: Instruction) -> Result:
    count = i.b & 31
    x = c.r[i.a]
    if count:
        c.cf = (x >> (32 - count)) & 1
        _logic_keep_cf(c, i.a, (x << count) & M)
    c.eip += 1
    return None


def shr_ri(c: CPU, i: Instruction) -> Result:
    count = i.b & 31
    x = c.r[i.a]
    if count:
        c.cf = (x >> (count - 1)) & 1
        _logic_keep_cf(c, i.a, x >> count)
    c.eip += 1
    return None


def _logic_keep_cf(c: CPU, dst: int, v: int) -> None:
    c.of = 0
    c.zf = int(v == 0)
    c.sf = v >> 31
    c.r[dst] = v


def nop(c: CPU, i: Instruction) -> Result:
    c.eip += 1
    return None
