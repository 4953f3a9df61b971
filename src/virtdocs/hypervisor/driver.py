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
from virtdocs.machine.events import Result

# The native loop's event handling, reused so timing is identical by construction.
from virtdocs.machine.run import TrapHandler, after_block


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
        stop = after_block(
            cpu, handler, counters, result, ring=ring, limit=limit, max_steps=max_steps
        )
        if stop is not None:
            return stop
