"""Shared by scan-and-patch and paravirtualization: a deprivileged guest with patched code.

Both run the guest kernel in ring 1 under the naive monitor of
:mod:`~virtdocs.hypervisor.trap_emulate` (which emulates what traps and reflects
the rest), after replacing chosen instructions with ones that *call the
monitor*. The replacement keeps the address and the operands, so the layout —
and with it everything the guest can observe — stays the same. The monitor
runs the original instruction against the guest's virtual state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from virtdocs.hypervisor.trap_emulate import NaiveMonitor
from virtdocs.machine import CPU, Counters, Instruction, Stop, Trap
from virtdocs.machine.events import Result
from virtdocs.machine.operands import Imm


@dataclass(frozen=True)
class Patch:
    """One patched site: where, what was there, and what the monitor should call it."""

    address: int
    original: Instruction
    label: str


def monitor_call(vector: int, software: bool) -> Callable[[CPU, Instruction], Result]:
    """Semantics of a patched instruction: transfer to the monitor, changing nothing."""

    def call(c: CPU, i: Instruction) -> Result:
        return Trap(vector, f"{i.mnemonic} into the monitor", c.eip, c.eip + 1, software=software)

    return call


def patched(
    original: Instruction, mnemonic: str, number: int | None, fn: Callable[..., Result]
) -> Instruction:
    """A same-size replacement for ``original`` that shows as ``MNEMONIC [number,] operands``."""
    prefix = () if number is None else (Imm(number),)
    return Instruction(
        mnemonic,
        (*prefix, *original.operands),
        fn,
        original.a,
        original.b,
        original.c,
        original.file,
        original.line,
    )


class PatchedMonitor(NaiveMonitor):
    """A naive monitor that also fields calls from patched sites (``vector``)."""

    def __init__(self, patches: dict[int, Patch], vector: int) -> None:
        super().__init__()
        self.patches = patches
        self.vector = vector
        self.calls: dict[str, int] = {}
        self.fielded = 0  # traps of any kind that reached the monitor

    def handle(self, cpu: CPU, trap: Trap, counters: Counters) -> Stop | None:
        self.fielded += 1
        patch = self.patches.get(trap.eip)
        if trap.vector == self.vector and patch is not None and not trap.external:
            self.calls[patch.label] = self.calls.get(patch.label, 0) + 1
            return self.run_original(cpu, trap, patch, counters)
        return super().handle(cpu, trap, counters)

    def run_original(self, cpu: CPU, trap: Trap, patch: Patch, counters: Counters) -> Stop | None:
        """Emulate the instruction that was patched out, against the virtual state."""
        site = cpu.code[patch.address]
        cpu.code[patch.address] = patch.original
        try:
            return self._emulate(cpu, trap, counters)
        finally:
            cpu.code[patch.address] = site
