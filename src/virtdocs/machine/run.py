"""The run loop: step the CPU, keep the clock, raise timer interrupts, hand traps to a handler.

The loop is shared by every way of running a guest. What differs is the
:class:`TrapHandler` — one method that decides what a trap or an interrupt
means: on bare hardware (:class:`NativeHandler`) the CPU delivers it through the
guest's IDT; a hypervisor emulates or reflects it instead.

The hot path allocates nothing: an instruction that retires returns ``None``
and the loop only compares a step counter against the next deadline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from virtdocs.machine.cpu import CPU, DeliveryError
from virtdocs.machine.events import EVENT, HALT, Result, Stop, Trap
from virtdocs.machine.isa import TIMER_VECTOR


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """One line of ``--trace``: at ``step``, a ``kind`` (trap, interrupt, ring, halt) happened."""

    step: int
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.step:>10}  {self.kind:<9} {self.detail}"


@dataclass
class Counters:
    """What happened during a run."""

    traps: int = 0
    interrupts: int = 0
    syscalls: int = 0
    ring_switches: int = 0
    trace: list[TraceEvent] | None = None
    by_vector: dict[int, int] = field(default_factory=dict)

    def note(self, cpu: CPU, kind: str, detail: str) -> None:
        if self.trace is not None:
            self.trace.append(TraceEvent(cpu.steps, kind, detail))


class TrapHandler(Protocol):
    """Decides what a trap (or a device interrupt, ``trap.external``) does.

    Returns ``None`` to continue or a :class:`Stop` to end the run. Called with
    ``cpu.steps`` up to date.
    """

    def handle(self, cpu: CPU, trap: Trap, counters: Counters) -> Stop | None: ...


class NativeHandler:
    """Bare hardware: every trap and interrupt goes through the guest's own IDT."""

    def handle(self, cpu: CPU, trap: Trap, counters: Counters) -> Stop | None:
        ring = cpu.cpl
        try:
            cpu.deliver(trap)
        except DeliveryError as error:
            detail = f"{trap.reason}, and it cannot be delivered ({error})"
            return Stop("fault", f"{cpu.where(trap.eip)}: {detail}", trap.eip)
        note_ring(cpu, counters, ring, f"by {trap.name}")
        return None


def note_ring(cpu: CPU, counters: Counters, before: int, why: str) -> None:
    """Count (and trace) a change of CPL."""
    if cpu.cpl != before:
        counters.ring_switches += 1
        counters.note(cpu, "ring", f"{before} -> {cpu.cpl} {why}")


def _timer_trap(cpu: CPU) -> Trap:
    return Trap(TIMER_VECTOR, "timer", cpu.eip, cpu.eip, external=True)


def run(cpu: CPU, handler: TrapHandler, max_steps: int, counters: Counters) -> Stop:
    """Run until the guest halts, faults fatally, or takes ``max_steps`` steps."""
    code = cpu.code
    timer = cpu.timer
    steps = cpu.steps
    limit = steps + max_steps
    while True:
        # The next step at which the loop must look up: a timer deadline or the step limit.
        deadline = min(limit, timer.deadline - cpu.idle)
        if timer.pending and cpu.if_:
            deadline = steps
        ring = cpu.cpl
        try:
            while steps < deadline:
                instruction = code[cpu.eip]
                steps += 1
                result = instruction.fn(cpu, instruction)
                if result is not None:
                    break
            else:
                result = None
        except IndexError:
            if 0 <= cpu.eip < len(code):  # not the fetch: a bug in a semantics function
                raise
            cpu.steps = steps  # the fetch failed before the step was counted
            where = cpu.where(cpu.eip)
            return Stop("past-end", f"{where}: execution ran past the end of the program", cpu.eip)
        cpu.steps = steps
        stop = after_block(
            cpu, handler, counters, result, ring=ring, limit=limit, max_steps=max_steps
        )
        if stop is not None:
            return stop


def after_block(
    cpu: CPU,
    handler: TrapHandler,
    counters: Counters,
    result: Result,
    *,
    ring: int,
    limit: int,
    max_steps: int,
) -> Stop | None:
    """Everything a run loop does between two stretches of straight-line code.

    ``result`` ended the stretch (None when a deadline did); ``ring`` is the CPL it began
    in. Handles HLT, a trap, the timer and a pending interrupt, then the step limit, and
    returns a Stop when the run is over. Every run loop calls it — the native one above and
    the software CPUs' (:mod:`virtdocs.hypervisor.driver`) — so a guest sees interrupts at
    the same instruction under every technique.
    """
    if result == EVENT and cpu.cpl != ring:  # only IRET changes rings without a trap
        note_ring(cpu, counters, ring, "by IRET")
    if result is not None and result != EVENT:
        if result == HALT:  # the wait ends in an interrupt, or the machine stops
            return _halt(cpu, handler, counters)
        assert isinstance(result, Trap)
        stop = _trap(cpu, handler, result, counters)
        if stop is not None:
            return stop
    timer = cpu.timer
    if timer.rearm:
        timer.arm(cpu.clock)
    if cpu.clock >= timer.deadline:
        timer.fire()
    if timer.pending and cpu.if_:
        stop = _interrupt(cpu, handler, counters)
        if stop is not None:
            return stop
    if cpu.steps >= limit:
        message = f"{cpu.where()}: step limit reached after {max_steps:,} steps (--max-steps)"
        return Stop("step-limit", message, cpu.eip)
    return None


def _trap(cpu: CPU, handler: TrapHandler, trap: Trap, counters: Counters) -> Stop | None:
    counters.traps += 1
    counters.by_vector[trap.vector] = counters.by_vector.get(trap.vector, 0) + 1
    if trap.software:
        counters.syscalls += 1
    counters.note(cpu, "trap", f"{trap.name} at {cpu.where(trap.eip)}: {trap.reason}")
    return handler.handle(cpu, trap, counters)


def _interrupt(cpu: CPU, handler: TrapHandler, counters: Counters) -> Stop | None:
    cpu.timer.pending = False
    counters.interrupts += 1
    counters.note(cpu, "interrupt", f"timer tick {cpu.timer.fired} at {cpu.where()}")
    return handler.handle(cpu, _timer_trap(cpu), counters)


def _halt(cpu: CPU, handler: TrapHandler, counters: Counters) -> Stop | None:
    """HLT: wait for the next timer interrupt if one can come, else the machine stops."""
    if not cpu.if_ or cpu.timer.period == 0:
        why = "interrupts are off" if not cpu.if_ else "no timer is running"
        counters.note(cpu, "halt", f"at {cpu.where(cpu.eip - 1)}: {why}")
        return Stop("halted", f"{cpu.where(cpu.eip - 1)}: halted ({why})", cpu.eip - 1)
    cpu.idle += max(0, cpu.timer.deadline - cpu.clock)
    cpu.timer.fire()
    return _interrupt(cpu, handler, counters)
