"""``scan-and-patch``: find the sensitive instructions before they run and patch in traps.

Before the guest runs, the monitor scans its code for the instructions of the
virtualization hole — sensitive but not privileged (POPF, PUSHF, SGDT, SIDT,
STR, SMSW on tiny86, from :mod:`~virtdocs.hypervisor.popek_goldberg`) — and
overwrites each with a breakpoint trap (vector 3, INT3-style, the one-byte
trap patchers use). Everything else runs directly, with the guest kernel
deprivileged to ring 1: privileged instructions trap on their own (#GP) and
the monitor emulates them; a patched site traps and the monitor emulates the
original. Nothing sensitive escapes, so the POPF guest that breaks naive
trap-and-emulate runs correctly.

tiny86 keeps code apart from data, so the whole program can be scanned at
load time; on x86 the scanner works block by block as code is first reached.

>>> from virtdocs.machine import assemble_file
>>> program = assemble_file("examples/guests/irqsave.s")
>>> [str(p.original) for p in scan(program.code).values()]
['PUSHF', 'PUSHF', 'POPF']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from virtdocs.hypervisor.isa_tables import TINY86
from virtdocs.hypervisor.patching import Patch, PatchedMonitor, monitor_call, patched
from virtdocs.hypervisor.popek_goldberg import analyze
from virtdocs.hypervisor.stats import run_stats
from virtdocs.hypervisor.technique import RunConfig, RunResult
from virtdocs.machine import CPU, Counters, Instruction, Program
from virtdocs.machine.run import run

#: The trap vector patched sites raise: #BP, as INT3 does.
PATCH_VECTOR: Final = 3
#: What the scanner patches: the virtualization hole of tiny86.
HOLE: Final = frozenset(analyze(TINY86).virtualization_hole)
_TRAP = monitor_call(PATCH_VECTOR, software=False)


def scan(code: Sequence[Instruction]) -> dict[int, Patch]:
    """Every site the monitor must patch, by address."""
    return {
        address: Patch(address, instruction, instruction.mnemonic)
        for address, instruction in enumerate(code)
        if instruction.mnemonic in HOLE
    }


class ScanAndPatch:
    """Patch the virtualization hole with traps, then trap-and-emulate."""

    name = "scan-and-patch"

    def run(self, program: Program, config: RunConfig) -> RunResult:
        cpu = CPU(program, config.memory_words)
        patches = scan(cpu.code)
        for address, patch in patches.items():
            cpu.code[address] = patched(patch.original, "TRAP", PATCH_VECTOR, _TRAP)
        monitor = PatchedMonitor(patches, PATCH_VECTOR)
        monitor.boot(cpu)
        counters = Counters(trace=[] if config.trace else None)
        stop = run(cpu, monitor, config.max_steps, counters)
        monitor.guest_view(cpu)
        state = cpu.snapshot()
        monitor.guest_view(cpu)
        emulated = monitor.emulated
        patch_traps = sum(monitor.calls.values())
        events = {
            "direct": cpu.steps - emulated,
            "vmm_traps": monitor.fielded,
            "emulated": emulated,
            "reflected": monitor.reflected,
            "patched_sites": len(patches),
            "patch_traps": patch_traps,
        }
        stats = run_stats(cpu, counters, events)
        return RunResult(self.name, state, stop, stats, tuple(counters.trace or ()))


__all__ = ["HOLE", "PATCH_VECTOR", "ScanAndPatch", "scan"]
