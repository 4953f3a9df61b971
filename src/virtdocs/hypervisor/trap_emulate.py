"""``trap-and-emulate``: a classic, naive monitor that deprivileges the guest kernel to ring 1.

The guest kernel believes it runs in ring 0; really it runs in ring 1 (its user
programs stay in ring 3), with IF always 1 and IOPL 0 in the real flags. The
monitor keeps the guest's *virtual* privileged state — CPL, IF, IOPL, the
descriptor-table registers, the task register, the control registers — in a
:class:`VirtualState`. Every trap comes to the monitor first:

- a #GP is *emulated*: the monitor swaps the virtual state into the CPU,
  re-executes the instruction with the CPU's own semantics, and swaps back.
  If it still traps under the virtual state (a user program's CLI), the trap is
  *reflected*;
- every other trap, INT n and the timer are *reflected*: delivered through the
  guest's own IDT as the hardware would have (a timer tick waits while the
  virtual IF is 0).

This is exactly Popek and Goldberg's construction, and it is correct only if
every sensitive instruction traps. On tiny86 (as on x86) POPF, PUSHF, SGDT,
SIDT, STR and SMSW do not: they run directly and see or change the *real*
state, which is how ``examples/guests/irqsave.s`` goes wrong here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from virtdocs.hypervisor.native import counters_to_stats
from virtdocs.hypervisor.technique import RunConfig, RunResult
from virtdocs.machine import CPU, Counters, Program, Stop, Trap
from virtdocs.machine.cpu import DeliveryError
from virtdocs.machine.events import EVENT, HALT
from virtdocs.machine.isa import CR0_PE, GP_VECTOR, TIMER_VECTOR
from virtdocs.machine.run import note_ring, run

#: Ring the guest kernel really runs in.
GUEST_KERNEL_RING = 1
#: The monitor's own table locations and CR0 (paging, ET and PE on), which the
#: unprivileged SGDT/SIDT/STR/SMSW reveal to the guest.
HOST_GDTR = (0xFFC0_1000, 16)
HOST_IDTR = (0xFFC0_0000, 512)
HOST_TR = 0xFFC0_2000
HOST_CR0 = 0x8000_0011

_SWAPPED = ("cpl", "if_", "iopl", "gdt_base", "gdt_limit", "idt_base", "idt_limit", "tr")


@dataclass
class VirtualState:
    """The guest's privileged state as the guest believes it to be (reset values)."""

    cpl: int = 0
    if_: int = 0
    iopl: int = 0
    gdt_base: int = 0
    gdt_limit: int = 0
    idt_base: int = 0
    idt_limit: int = 0
    tr: int = 0
    cr: list[int] = field(default_factory=lambda: [CR0_PE, 0, 0, 0, 0])
    pending_timer: bool = False


def swap(cpu: CPU, virtual: VirtualState) -> None:
    """Exchange the privileged state of ``cpu`` and ``virtual`` (a world switch)."""
    for name in _SWAPPED:
        real = getattr(cpu, name)
        setattr(cpu, name, getattr(virtual, name))
        setattr(virtual, name, real)
    cpu.cr, virtual.cr = virtual.cr, cpu.cr


class NaiveMonitor:
    """The trap handler of the trap-and-emulate technique (see the module docstring)."""

    def __init__(self) -> None:
        self.virtual = VirtualState()
        self.emulated = 0
        self.reflected = 0

    def boot(self, cpu: CPU) -> None:
        cpu.cpl = GUEST_KERNEL_RING
        cpu.if_ = 1
        cpu.iopl = 0
        cpu.gdt_base, cpu.gdt_limit = HOST_GDTR
        cpu.idt_base, cpu.idt_limit = HOST_IDTR
        cpu.tr = HOST_TR
        cpu.cr = [HOST_CR0, 0, 0, 0, 0]

    def _real_ring(self) -> int:
        return max(self.virtual.cpl, GUEST_KERNEL_RING)

    def handle(self, cpu: CPU, trap: Trap, counters: Counters) -> Stop | None:
        if trap.external:
            return self._timer(cpu, counters)
        if trap.vector == GP_VECTOR and not trap.software:
            return self._emulate(cpu, trap, counters)
        return self._reflect(cpu, trap, counters)

    def _timer(self, cpu: CPU, counters: Counters) -> Stop | None:
        if not self.virtual.if_:
            self.virtual.pending_timer = True  # the guest has (virtually) masked interrupts
            return None
        return self._reflect(
            cpu, Trap(TIMER_VECTOR, "timer", cpu.eip, cpu.eip, external=True), counters
        )

    def _emulate(self, cpu: CPU, trap: Trap, counters: Counters) -> Stop | None:
        instruction = cpu.code[trap.eip]
        before = self.virtual.cpl
        swap(cpu, self.virtual)
        result = instruction.fn(cpu, instruction)
        swap(cpu, self.virtual)
        if isinstance(result, Trap):  # it traps under the guest's own state too
            return self._reflect(cpu, result, counters)
        self.emulated += 1
        counters.note(cpu, "emulate", f"{instruction} at {cpu.where(trap.eip)}")
        cpu.cpl = self._real_ring()
        if self.virtual.cpl != before:
            counters.ring_switches += 1
            counters.note(cpu, "ring", f"virtual {before} -> {self.virtual.cpl} by {instruction}")
        if result == HALT:
            if not self.virtual.if_ or cpu.timer.period == 0:
                why = "interrupts are off" if not self.virtual.if_ else "no timer is running"
                where = cpu.where(trap.eip)
                counters.note(cpu, "halt", f"at {where}: {why} (virtual IF)")
                return Stop("halted", f"{where}: halted ({why})", trap.eip)
            cpu.idle += max(0, cpu.timer.deadline - cpu.clock)  # sleep until the next tick
        if result == EVENT and self.virtual.if_ and self.virtual.pending_timer:
            self.virtual.pending_timer = False
            # Raise the line again; the run loop delivers it after any tick due now, so two
            # ticks merge into one interrupt exactly as on hardware.
            cpu.timer.pending = True
            counters.interrupts -= 1  # counted when it first arrived; the loop counts it again
        return None

    def _reflect(self, cpu: CPU, trap: Trap, counters: Counters) -> Stop | None:
        """Deliver ``trap`` through the guest's IDT, as the guest's hardware would."""
        before = self.virtual.cpl
        swap(cpu, self.virtual)
        try:
            cpu.deliver(trap)
        except DeliveryError as error:
            swap(cpu, self.virtual)
            detail = f"{trap.reason}, and the guest cannot take it ({error})"
            return Stop("fault", f"{cpu.where(trap.eip)}: {detail}", trap.eip)
        swap(cpu, self.virtual)
        self.reflected += 1
        counters.note(cpu, "reflect", f"{trap.name} into the guest's handler at {cpu.where()}")
        real_before = cpu.cpl
        cpu.cpl = self._real_ring()
        if self.virtual.cpl != before:
            note_ring(cpu, counters, real_before, f"(virtual {before} -> {self.virtual.cpl})")
        return None

    def guest_view(self, cpu: CPU) -> CPU:
        """Swap the virtual state in (call again to swap it back)."""
        swap(cpu, self.virtual)
        return cpu


class TrapAndEmulate:
    """Popek–Goldberg trap-and-emulate with the guest kernel deprivileged to ring 1."""

    name = "trap-and-emulate"

    def run(self, program: Program, config: RunConfig) -> RunResult:
        cpu = CPU(program, config.memory_words)
        monitor = NaiveMonitor()
        monitor.boot(cpu)
        counters = Counters(trace=[] if config.trace else None)
        stop = run(cpu, monitor, config.max_steps, counters)
        monitor.guest_view(cpu)
        state = cpu.snapshot()
        monitor.guest_view(cpu)
        stats = counters_to_stats(cpu, counters)
        stats.update(emulated=monitor.emulated, reflected=monitor.reflected)
        return RunResult(self.name, state, stop, stats, tuple(counters.trace or ()))


__all__ = ["NaiveMonitor", "TrapAndEmulate", "VirtualState", "swap"]
