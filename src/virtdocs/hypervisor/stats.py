"""The statistics every technique reports, and their modelled cost.

Every run reports the same keys, so runs line up in one table: the machine's
counters (instructions, traps, interrupts, system calls, ring switches, idle
ticks), then how the instructions ran (``direct``, ``interpreted``,
``translated``), what the monitor did (``callouts`` from translated code,
``vmm_traps`` it fielded, ``hypercalls``, ``shared_info`` accesses, ``vm_exits``),
the translation cache (``tc_hits``, ``tc_misses``, ``translated_instructions``),
technique-specific breakdowns (``exit_30_io``, ``hypercall_console_io``…), and
last ``modeled_cycles`` from :mod:`virtdocs.hypervisor.costs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from virtdocs.hypervisor.costs import DEFAULT_GENERATION, modeled_cycles
from virtdocs.hypervisor.native import counters_to_stats
from virtdocs.machine import CPU, Counters

#: Event counters every technique reports (zero when it has none of them).
EVENT_KEYS: Final = (
    "direct",
    "interpreted",
    "translated",
    "callouts",
    "vmm_traps",
    "hypercalls",
    "shared_info",
    "vm_exits",
    "tc_hits",
    "tc_misses",
    "translated_instructions",
)


def run_stats(
    cpu: CPU,
    counters: Counters,
    events: Mapping[str, int],
    generation: str = DEFAULT_GENERATION,
) -> dict[str, int]:
    """The stats dict of a run: counters, the events given, extras, then modelled cycles
    (priced for CPU ``generation``)."""
    stats = counters_to_stats(cpu, counters)
    del stats["modeled_cycles"]
    rest = dict(events)
    for key in EVENT_KEYS:
        stats[key] = rest.pop(key, 0)
    stats.update(rest)  # in the order the technique gave them
    stats["modeled_cycles"] = modeled_cycles(stats, generation)
    return stats
