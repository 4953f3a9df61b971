"""Try one instruction in a chosen ring and say what the CPU does — for pages and exercises.

>>> probe("HLT", ring=3)
'#GP general protection: HLT is privileged and CPL is 3'
>>> probe("HLT", ring=0)
'retired (HLT: wait for an interrupt)'
>>> probe("MOV [100], EAX", ring=3)
'retired'
"""

from __future__ import annotations

from virtdocs.errors import UserError
from virtdocs.machine.assembler import assemble
from virtdocs.machine.cpu import CPU
from virtdocs.machine.events import HALT, Trap


def probe(source: str, ring: int, *, iopl: int = 0, if_: int = 1) -> str:
    """Execute the single instruction ``source`` on a fresh CPU at CPL ``ring``.

    Returns ``"retired"`` or the trap it raised, as one line.
    """
    if not 0 <= ring <= 3:
        raise UserError(f"ring: must be 0..3, got {ring}")
    if not 0 <= iopl <= 3:
        raise UserError(f"iopl: must be 0..3, got {iopl}")
    if if_ not in (0, 1):
        raise UserError(f"if_: must be 0 or 1, got {if_}")
    program = assemble(f"{source}\nNOP", "<probe>")
    if len(program.code) != 2:
        raise UserError(f"<probe>: expected one instruction, got {len(program.code) - 1}")
    cpu = CPU(program, 1024)
    cpu.cpl, cpu.iopl, cpu.if_ = ring, iopl, if_
    cpu.r[4] -= 4  # four zero words on the stack, so POP, POPF, RET and IRET have something
    instruction = cpu.code[0]
    result = instruction.fn(cpu, instruction)
    if isinstance(result, Trap):
        if result.software:
            return f"{result.name}: a trap through IDT gate {result.vector:#x}"
        return f"{result.name}: {result.reason}"
    if result == HALT:
        return "retired (HLT: wait for an interrupt)"
    return "retired"
