"""``native``: the guest on bare simulated hardware — the baseline every technique must equal."""

from __future__ import annotations

from virtdocs.hypervisor.technique import RunConfig, RunResult
from virtdocs.machine import CPU, Counters, Program
from virtdocs.machine.run import NativeHandler, run


def counters_to_stats(cpu: CPU, counters: Counters) -> dict[str, int]:
    """The stats every technique reports. The native cost model is one cycle per clock
    tick — one per instruction plus ticks halted — the unit the timer counts in."""
    return {
        "instructions": cpu.steps,
        "traps": counters.traps,
        "interrupts": counters.interrupts,
        "syscalls": counters.syscalls,
        "ring_switches": counters.ring_switches,
        "idle_ticks": cpu.idle,
        "modeled_cycles": cpu.clock,
    }


class Native:
    """Run on the bare machine: traps and interrupts go through the guest's own IDT."""

    name = "native"

    def run(self, program: Program, config: RunConfig) -> RunResult:
        cpu = CPU(program, config.memory_words)
        counters = Counters(trace=[] if config.trace else None)
        stop = run(cpu, NativeHandler(), config.max_steps, counters)
        return RunResult(
            technique=self.name,
            state=cpu.snapshot(),
            stop=stop,
            stats=counters_to_stats(cpu, counters),
            trace=tuple(counters.trace or ()),
        )
