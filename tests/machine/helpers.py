"""Run one instruction on a CPU prepared in a given ring."""

from __future__ import annotations

from dataclasses import dataclass

from virtdocs.machine import CPU, assemble
from virtdocs.machine.events import Result, Trap


@dataclass
class Step:
    cpu: CPU
    result: Result

    @property
    def trap(self) -> Trap | None:
        return self.result if isinstance(self.result, Trap) else None


def step(
    line: str,
    ring: int = 0,
    *,
    iopl: int = 0,
    regs: dict[int, int] | None = None,
    mem: dict[int, int] | None = None,
    esp: int | None = None,
    if_: int = 0,
) -> Step:
    """Assemble ``line`` followed by three NOPs, set the state, execute one step."""
    program = assemble(f"{line}\nNOP\nNOP\nNOP", "t.s")
    cpu = CPU(program, 1024)
    cpu.cpl, cpu.iopl, cpu.if_ = ring, iopl, if_
    for index, value in (regs or {}).items():
        cpu.r[index] = value
    for address, value in (mem or {}).items():
        cpu.mem[address] = value
    if esp is not None:
        cpu.r[4] = esp
    instruction = cpu.code[0]
    return Step(cpu, instruction.fn(cpu, instruction))
