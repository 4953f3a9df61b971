"""Run one guest under every technique, and the workloads behind the cost comparison.

This is the edge of the package: it assembles example files and formats
tables. The techniques and the cost model it calls stay pure.

>>> from virtdocs.machine import assemble_file
>>> program = assemble_file("examples/guests/loop.s", defines={"ITERATIONS": 10})
>>> print(compare_table(compare(program)).splitlines()[0])  # doctest: +NORMALIZE_WHITESPACE
technique  same state  halted  instructions  direct  emulated/translated  traps  vm_exits
hypercalls  tc_hits/misses  modeled cycles (p4)
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TextIO

from virtdocs.hypervisor import TECHNIQUES
from virtdocs.hypervisor.costs import DEFAULT_GENERATION, GENERATIONS, modeled_cycles
from virtdocs.hypervisor.hardware_assist import HardwareAssisted
from virtdocs.hypervisor.technique import RunConfig, RunResult
from virtdocs.machine import Program, assemble_file

GUESTS: Final = Path(__file__).resolve().parents[3] / "examples" / "guests"


@dataclass(frozen=True)
class Workload:
    """A guest file, the constants it runs with, what it stands for, and the constant
    that counts its operations (so a cost per operation can be measured)."""

    name: str
    file: str
    defines: Mapping[str, int]
    stands_for: str
    size: str = ""

    def program(self, operations: int | None = None) -> Program:
        defines = dict(self.defines)
        if operations is not None:
            defines[self.size] = operations
        return assemble_file(GUESTS / self.file, defines=defines)


#: The workloads of the cost comparison. The timer ticks every 100,000 instructions rather
#: than kernel.s's 1,000 so that interrupts are as rare, relative to work, as on a real machine.
WORKLOADS: Final = {
    "compute": Workload(
        "compute", "loop.s", {"ITERATIONS": 25_000, "TIMER_PERIOD": 100_000},
        "a user-mode loop: no system calls, no privileged work", "ITERATIONS",
    ),
    "system calls": Workload(
        "system calls", "nullcall.s", {"CALLS": 1_000, "TIMER_PERIOD": 100_000},
        "null system calls (ring 3 -> ring 0 -> ring 3)", "CALLS",
    ),
    "page tables": Workload(
        "page tables", "pagetables.s", {"SWITCHES": 1_000},
        "address-space switches (MOV to CR3) in the kernel", "SWITCHES",
    ),
}  # fmt: skip


def compare(program: Program, config: RunConfig | None = None) -> list[RunResult]:
    """Run ``program`` under every registered technique (native first).

    A technique that cannot run the guest at all (paravirtualization of a kernel
    with no port) raises its UserError; :func:`compare_table` callers decide.
    """
    config = config or RunConfig()
    results = []
    for technique in TECHNIQUES.values():
        results.append(technique.run(program, config))
    return results


def compare_safely(
    program: Program, config: RunConfig | None = None
) -> tuple[list[RunResult], dict[str, str]]:
    """Like :func:`compare`, but a technique that refuses the guest is reported, not raised."""
    from virtdocs.errors import UserError

    config = config or RunConfig()
    results: list[RunResult] = []
    refused: dict[str, str] = {}
    for name, technique in TECHNIQUES.items():
        try:
            results.append(technique.run(program, config))
        except UserError as error:
            refused[name] = str(error)
    return results, refused


def compare_table(
    results: Sequence[RunResult],
    refused: Mapping[str, str] | None = None,
    generation: str = DEFAULT_GENERATION,
) -> str:
    """One row per technique: same state as native?, counters, modelled cycles."""
    native = next((r for r in results if r.technique == "native"), None)
    header = ("technique", "same state", "halted", "instructions", "direct",
              "emulated/translated", "traps", "vm_exits", "hypercalls", "tc_hits/misses",
              f"modeled cycles ({generation})")  # fmt: skip
    rows: list[tuple[str, ...]] = [header]
    for r in results:
        s = r.stats
        done = s.get("interpreted", 0) + s.get("translated", 0) + s.get("emulated", 0)
        rows.append((
            r.technique,
            "-" if native is None else ("yes" if r.state == native.state else "NO"),
            "yes" if r.halted else "no",
            f"{s['instructions']:,}",
            f"{s.get('direct', s['instructions']):,}",
            f"{done:,}",
            f"{s.get('traps', 0):,}",
            f"{s.get('vm_exits', 0):,}",
            f"{s.get('hypercalls', 0):,}",
            f"{s.get('tc_hits', 0):,}/{s.get('tc_misses', 0):,}",
            f"{modeled_cycles(s, generation):,}",
        ))  # fmt: skip
    for name, why in (refused or {}).items():
        rows.append((name, "-", "refused", *["-"] * 7, why))
    widths = [max(len(row[c]) for row in rows) for c in range(len(header) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def compare_report(program: Program, config: RunConfig, as_json: bool, out: TextIO) -> int:
    """``virtdocs run --compare``: the table (or JSON); exit 1 if any run did not halt."""
    results, refused = compare_safely(program, config)
    if as_json:
        document = {
            "results": [r.to_json() for r in results],
            "refused": refused,
        }
        print(json.dumps(document, indent=2), file=out)
    else:
        print(compare_table(results, refused), file=out)
    return 0 if all(r.halted for r in results) else 1


def per_operation(
    workload: Workload, generation: str, operations: tuple[int, int] = (100, 200)
) -> dict[str, float]:
    """Modelled cycles per operation of ``workload``, by technique, on ``generation``.

    Runs the workload at two sizes and divides the difference in cycles by the
    difference in operations, so boot and exit costs drop out — as a
    microbenchmark loops many times around the one operation it measures.
    """
    low, high = operations
    cycles: dict[str, list[int]] = {}
    for size in (low, high):
        program = workload.program(size)
        for name, registered in TECHNIQUES.items():
            technique = HardwareAssisted(generation) if name == "hardware-assisted" else registered
            stats = technique.run(program, RunConfig()).stats
            cycles.setdefault(name, []).append(modeled_cycles(stats, generation))
    return {name: (pair[1] - pair[0]) / (high - low) for name, pair in cycles.items()}


__all__ = [
    "GENERATIONS",
    "WORKLOADS",
    "Workload",
    "compare",
    "compare_report",
    "compare_safely",
    "compare_table",
    "per_operation",
]
