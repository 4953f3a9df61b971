"""The cost model: what each counted event of a run costs, in cycles, and where that comes from.

A run's statistics count *events* (an instruction executed directly, one
interpreted, a VM exit by reason, a hypercall…); :func:`modeled_cycles` prices
them with the :data:`COSTS` table for one CPU generation. Every entry names its
source: a published measurement (:data:`SOURCES`), a figure derived from two
published measurements (the arithmetic is in its note), or — marked
``assumption`` — a modelling choice no source in this list measures, kept in
one place so a reader can change it and see whether the conclusions survive
(``tests/hypervisor/test_costs.py`` checks that they do over a range).

Worked example (Pentium 4): a VM exit on an ``OUT`` instruction costs the exit
(1,931 cycles) plus the entry back into the guest (2,409 cycles), 4,340 cycles
in all, where the ``OUT`` itself costs one cycle natively.

>>> exit_cost("p4"), exit_cost("core2"), exit_cost("broadwell")
(4340, 2123, 531)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from virtdocs.errors import UserError

AA06: Final = "adams-agesen-2006"
BNT17: Final = "bugnion-nieh-tsafrir-2017"
BELLARD05: Final = "bellard-2005"
BARHAM03: Final = "barham-2003"
ASSUMPTION: Final = "assumption"

SOURCES: Final = {
    AA06: "K. Adams and O. Agesen, A Comparison of Software and Hardware Techniques for x86 "
    "Virtualization, ASPLOS 2006 — https://doi.org/10.1145/1168857.1168860",
    BNT17: "E. Bugnion, J. Nieh and D. Tsafrir, Hardware and Software Support for "
    "Virtualization, Morgan & Claypool 2017 — https://doi.org/10.2200/S00754ED1V01Y201701CAC038",
    BELLARD05: "F. Bellard, QEMU, a Fast and Portable Dynamic Translator, USENIX ATC 2005 — "
    "https://www.usenix.org/legacy/event/usenix05/tech/freenix/bellard.html",
    BARHAM03: "P. Barham et al., Xen and the Art of Virtualization, SOSP 2003 — "
    "https://doi.org/10.1145/945445.945462",
    ASSUMPTION: "a modelling assumption of virtdocs, not a measurement (see the note)",
}


@dataclass(frozen=True)
class Cost:
    """One priced event: ``cycles`` per occurrence, its ``source`` key and a note."""

    cycles: int
    source: str
    note: str


@dataclass(frozen=True)
class Generation:
    """A CPU generation: name, year, and the cost of one VM exit and re-entry."""

    key: str
    name: str
    year: int
    vm_exit: Cost
    vm_entry: Cost
    ept: bool  # nested paging: guest page-table switches no longer exit


#: CPU generations in time order. Pentium 4 and Core 2: Adams & Agesen measured the
#: exit (page-fault exit) and the entry separately; Broadwell: Bugnion, Nieh & Tsafrir
#: give the exit round trip (they list Prescott, the Pentium 4 of 2005, at 1,926 cycles).
GENERATIONS: Final = {
    "p4": Generation(
        "p4",
        "Pentium 4 (first VT-x)",
        2005,
        Cost(1931, AA06, "page-fault VM exit on Pentium 4"),
        Cost(2409, AA06, "VM entry on Pentium 4"),
        ept=False,
    ),
    "core2": Generation(
        "core2",
        "Core 2",
        2006,
        Cost(1186, AA06, "page-fault VM exit on Core 2"),
        Cost(937, AA06, "VM entry on Core 2"),
        ept=False,
    ),
    "broadwell": Generation(
        "broadwell",
        "Broadwell",
        2014,
        Cost(531, BNT17, "VM exit round-trip latency on Broadwell (exit and entry together)"),
        Cost(0, BNT17, "included in the round trip above"),
        ept=True,
    ),
}
DEFAULT_GENERATION: Final = "p4"

#: Software costs, the same on every generation.
COSTS: Final = {
    "direct": Cost(1, "tiny86-native", "one cycle per instruction, the machine's own clock"),
    "interpreted": Cost(
        120,
        BELLARD05,
        "QEMU runs integer code about 4x slower than native and is about 30x faster than "
        "Bochs: an interpreted instruction costs about 4 x 30 = 120 native ones",
    ),
    "translated": Cost(
        1,
        AA06,
        "most guest instructions are translated identically (IDENT) and run at native speed",
    ),
    "translated_cross_isa": Cost(
        4, BELLARD05, "QEMU's translated code, another instruction set: ~4x native"
    ),
    "translate": Cost(
        50,
        ASSUMPTION,
        "translating one guest instruction once; paid on a translation-cache miss",
    ),
    "callout": Cost(
        100,
        ASSUMPTION,
        "translated code calls the VMM in the same address space for a sensitive "
        "instruction: a function call and an emulation, far cheaper than an exit",
    ),
    "software_trap": Cost(
        1500,
        ASSUMPTION,
        "a fault or INT that the software VMM must field and reflect: a hardware trap "
        "into ring 0 and the monitor's dispatch, of the order of a first-generation exit",
    ),
    "hypercall": Cost(
        300,
        ASSUMPTION,
        "a deliberate, batched call into Xen; Barham et al. report paravirtualized Linux "
        "within a few percent of native, so hypercalls are rare and cheap (the value is "
        "an assumption consistent with that) [barham-2003]",
    ),
    "shared_info": Cost(
        2,
        ASSUMPTION,
        "Xen guests mask events and read time through a page shared with Xen "
        "[barham-2003]: a memory access, priced as two instructions",
    ),
}


def generation(key: str) -> Generation:
    """The generation called ``key``; a UserError lists the choices otherwise."""
    try:
        return GENERATIONS[key]
    except KeyError:
        choices = ", ".join(GENERATIONS)
        raise UserError(f"--cpu: unknown CPU generation {key!r}; choose one of {choices}") from None


def exit_cost(key: str) -> int:
    """Cycles for one VM exit and the entry back on generation ``key``."""
    chosen = generation(key)
    return chosen.vm_exit.cycles + chosen.vm_entry.cycles


def modeled_cycles(
    stats: Mapping[str, int],
    generation_key: str = DEFAULT_GENERATION,
    overrides: Mapping[str, int] | None = None,
) -> int:
    """Price the events counted in ``stats`` (see :func:`event_cycles`)."""
    return sum(event_cycles(stats, generation_key, overrides).values())


def event_cycles(
    stats: Mapping[str, int],
    generation_key: str = DEFAULT_GENERATION,
    overrides: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Cycles per kind of event: count x unit cost. Idle ticks (HLT waiting) cost one each.

    ``overrides`` replaces entries of :data:`COSTS` by name (to test the assumptions).
    """
    price = {name: cost.cycles for name, cost in COSTS.items()}
    for name, cycles in (overrides or {}).items():
        if name not in price:
            raise UserError(
                f"cost override: unknown event {name!r}; choose one of {', '.join(price)}"
            )
        if cycles < 0:
            raise UserError(f"cost override {name}: must be >= 0 cycles, got {cycles}")
        price[name] = cycles
    parts = {
        # Runs that do not say how instructions ran (native) ran them all directly.
        "direct": stats.get("direct", stats.get("instructions", 0)) * price["direct"],
        "interpreted": stats.get("interpreted", 0) * price["interpreted"],
        "translated": stats.get("translated", 0) * price["translated"],
        "translate": stats.get("translated_instructions", 0) * price["translate"],
        "callout": stats.get("callouts", 0) * price["callout"],
        # Naive trap-and-emulate reports what it emulated and reflected instead.
        "software_trap": stats.get(
            "vmm_traps", stats.get("emulated", 0) + stats.get("reflected", 0)
        )
        * price["software_trap"],
        "hypercall": stats.get("hypercalls", 0) * price["hypercall"],
        "shared_info": stats.get("shared_info", 0) * price["shared_info"],
        "vm_exit": stats.get("vm_exits", 0) * exit_cost(generation_key),
        "idle": stats.get("idle_ticks", 0),
    }
    return {name: cycles for name, cycles in parts.items() if cycles}


def cost_table() -> list[tuple[str, int, str, str]]:
    """Every entry of the model as (event, cycles, source key, note), generations included."""
    rows = [(name, cost.cycles, cost.source, cost.note) for name, cost in COSTS.items()]
    for key, gen in GENERATIONS.items():
        rows.append((f"vm_exit[{key}]", gen.vm_exit.cycles, gen.vm_exit.source, gen.vm_exit.note))
        rows.append(
            (f"vm_entry[{key}]", gen.vm_entry.cycles, gen.vm_entry.source, gen.vm_entry.note)
        )
    return rows
