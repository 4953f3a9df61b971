"""The run loop of the software-CPU techniques (interpretation, binary translation).

It is :func:`virtdocs.machine.run.run` with the inner loop swapped for an
:class:`Executor`: the native loop calls each predecoded instruction itself,
while an executor fetches and decodes in software, or runs translated blocks.
Everything around the inner loop — the timer deadline, traps, interrupts, HLT,
the step limit — is the native loop's own code, so a guest sees interrupts at
exactly the same instruction under every technique.
"""

from __future__ import annotations

from typing import Protocol

from virtdocs.machine import CPU, Counters, Stop
from virtdocs.machine.events import EVENT, HALT, Result, Trap

# The native loop's event handling, reused so timing is identical by construction.
from virtdocs.machine.run import TrapHandler, note_ring
from virtdocs.machine.run import _halt as halt_event
from virtdocs.machine.run import _interrupt as interrupt_event
from virtdocs.machine.run import _trap as trap_event


class Executor(Protocol):
    """Runs guest instructions from ``cpu.eip``: at most ``budget`` (>= 1), stopping after
    the first that returns a result, or before an address past the end of the code.
    Returns that result (or None) and how many instructions it executed."""

    def execute(self, cpu: CPU, budget: int) -> tuple[Result, int]: ...


def drive(
    cpu: CPU, executor: Executor, handler: TrapHandler, max_steps: int, counters: Counters
) -> Stop:
    """Run until the guest halts, faults fatally, or takes ``max_steps`` steps."""
    timer = cpu.timer
    size = len(cpu.code)
    steps = cpu.steps
    limit = steps + max_steps
    while True:
        deadline = min(limit, timer.deadline - cpu.idle)
        if timer.pending and cpu.if_:
            deadline = steps
        ring = cpu.cpl
        result: Result = None
        while steps < deadline:
            if cpu.eip >= size:
                cpu.steps = steps
                where = cpu.where(cpu.eip)
                message = f"{where}: execution ran past the end of the program"
                return Stop("past-end", message, cpu.eip)
            result, executed = executor.execute(cpu, deadline - steps)
            steps += executed
            if result is not None:
                break
        cpu.steps = steps
        if result == EVENT and cpu.cpl != ring:
            note_ring(cpu, counters, ring, "by IRET")
        if result is not None and result != EVENT:
            if result == HALT:
                stop = halt_event(cpu, handler, counters)
                if stop is not None:
                    return stop
                steps = cpu.steps
                continue
            assert isinstance(result, Trap)
            stop = trap_event(cpu, handler, result, counters)
            if stop is not None:
                return stop
        if timer.rearm:
            timer.arm(cpu.clock)
        if cpu.clock >= timer.deadline:
            timer.fire()
        if timer.pending and cpu.if_:
            stop = interrupt_event(cpu, handler, counters)
            if stop is not None:
                return stop
        if steps >= limit:
            message = f"{cpu.where()}: step limit reached after {max_steps:,} steps (--max-steps)"
            return Stop("step-limit", message, cpu.eip)
