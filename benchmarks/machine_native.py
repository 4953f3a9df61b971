"""How fast the simulated CPU runs the benchmark guest natively (instructions per second).

Runs ``examples/guests/loop.s`` at full length (ITERATIONS = 2,500,000: the loop
body alone is 10,000,000 instructions, plus the kernel's boot, timer interrupts
and system calls) with the ``native`` technique, ``--repeats`` times, and reports
the median. Assembling is timed separately. Wall-clock time is read here, in the
benchmark, never in the simulator.

Usage: python benchmarks/machine_native.py [--repeats N] [--iterations N]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

from virtdocs.hypervisor import RunConfig, get_technique
from virtdocs.machine import assemble_file

GUEST = Path(__file__).resolve().parents[1] / "examples" / "guests" / "loop.s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=None, help="override ITERATIONS")
    parser.add_argument("--technique", default="native")
    args = parser.parse_args()

    defines = {} if args.iterations is None else {"ITERATIONS": args.iterations}
    start = time.perf_counter()
    program = assemble_file(GUEST, defines=defines)
    assemble_seconds = time.perf_counter() - start

    technique = get_technique(args.technique)
    seconds: list[float] = []
    instructions = 0
    console = ""
    for _ in range(args.repeats):
        start = time.perf_counter()
        result = technique.run(program, RunConfig())
        seconds.append(time.perf_counter() - start)
        assert result.halted, result.stop.message
        instructions = result.stats["instructions"]
        console = result.state.console
    median = statistics.median(seconds)
    print(
        json.dumps(
            {
                "benchmark": "machine_native",
                "guest": "examples/guests/loop.s",
                "technique": args.technique,
                "iterations": program.constants["ITERATIONS"],
                "instructions": instructions,
                "console": console,
                "repeats": args.repeats,
                "seconds_median": round(median, 3),
                "seconds_all": [round(s, 3) for s in seconds],
                "instructions_per_second": round(instructions / median),
                "assemble_seconds": round(assemble_seconds, 4),
                "python": platform.python_version(),
                "machine": platform.machine(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
