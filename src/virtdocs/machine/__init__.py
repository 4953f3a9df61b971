"""Stage 1, the physical machine: tiny86, an x86-flavoured CPU with protection rings.

- :mod:`~virtdocs.machine.isa` — registers, flags, vectors, ports and defaults;
- :mod:`~virtdocs.machine.assembler` — source text to a :class:`Program`;
- :mod:`~virtdocs.machine.semantics` — what every instruction does, per ring;
- :mod:`~virtdocs.machine.cpu` — state, interrupt delivery, snapshots;
- :mod:`~virtdocs.machine.run` — the run loop and its trap handler;
- :mod:`~virtdocs.machine.probe` — try one instruction in one ring.

>>> program = assemble("MOV EAX, 6\\nMUL EAX, 7\\nHLT", "answer.s")
>>> outcome = run_native(program)
>>> outcome.stop.code, outcome.cpu.r[0]
('halted', 42)
"""

from __future__ import annotations

from dataclasses import dataclass

from virtdocs.machine.assembler import assemble, assemble_file, disassemble, make_instruction
from virtdocs.machine.cpu import CPU, Snapshot
from virtdocs.machine.events import Stop, Trap
from virtdocs.machine.isa import DEFAULT_MAX_STEPS, DEFAULT_MEMORY_WORDS, ISA_NAME
from virtdocs.machine.operands import Instruction
from virtdocs.machine.probe import probe
from virtdocs.machine.program import Program
from virtdocs.machine.run import Counters, NativeHandler, TraceEvent, run

__all__ = [
    "CPU",
    "DEFAULT_MAX_STEPS",
    "DEFAULT_MEMORY_WORDS",
    "ISA_NAME",
    "Counters",
    "Instruction",
    "NativeOutcome",
    "Program",
    "Snapshot",
    "Stop",
    "TraceEvent",
    "Trap",
    "assemble",
    "assemble_file",
    "disassemble",
    "make_instruction",
    "probe",
    "run_native",
]


@dataclass(frozen=True)
class NativeOutcome:
    """A native run: the CPU as it ended, why it ended, and what happened."""

    cpu: CPU
    stop: Stop
    counters: Counters


def run_native(
    program: Program,
    *,
    max_steps: int = DEFAULT_MAX_STEPS,
    trace: bool = False,
    memory_words: int = DEFAULT_MEMORY_WORDS,
) -> NativeOutcome:
    """Boot ``program`` on the bare simulated machine and run it."""
    cpu = CPU(program, memory_words)
    counters = Counters(trace=[] if trace else None)
    stop = run(cpu, NativeHandler(), max_steps, counters)
    return NativeOutcome(cpu, stop, counters)
