"""Guest instructions per second of every hypervisor technique on the loop guest.

Runs ``examples/guests/loop.s`` (ITERATIONS = 250,000 by default: about a
million guest instructions, nearly all in the four-instruction loop) under each
registered technique, ``--repeats`` times, and reports the median wall-clock
time and guest instructions per second of each, the ratio of binary
translation's speed to interpretation's, and binary translation's
translation-cache hit rate (hits / (hits + misses); a chained jump between
blocks counts as a hit). Every run must halt with the native run's state.
Wall-clock time is read here, in the benchmark, never in the simulator.

Usage: python benchmarks/hypervisor_speed.py [--repeats N] [--iterations N]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

from virtdocs.hypervisor import TECHNIQUES, RunConfig
from virtdocs.machine import assemble_file

GUEST = Path(__file__).resolve().parents[1] / "examples" / "guests" / "loop.s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=250_000)
    args = parser.parse_args()

    program = assemble_file(GUEST, defines={"ITERATIONS": args.iterations})
    config = RunConfig()
    native_state = TECHNIQUES["native"].run(program, config).state
    techniques: dict[str, dict[str, float | int]] = {}
    bt_stats: dict[str, int] = {}
    for name, technique in TECHNIQUES.items():
        seconds: list[float] = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            result = technique.run(program, config)
            seconds.append(time.perf_counter() - start)
            assert result.halted, f"{name}: {result.stop.message}"
            assert result.state == native_state, f"{name}: state differs from native"
        median = statistics.median(seconds)
        instructions = result.stats["instructions"]
        techniques[name] = {
            "seconds": round(median, 4),
            "instructions": instructions,
            "instructions_per_second": round(instructions / median),
        }
        if name == "binary-translation":
            bt_stats = result.stats
    bt = techniques["binary-translation"]["instructions_per_second"]
    interpreted = techniques["interpretation"]["instructions_per_second"]
    lookups = bt_stats["tc_hits"] + bt_stats["tc_misses"]
    print(
        json.dumps(
            {
                "benchmark": "hypervisor_speed",
                "guest": "examples/guests/loop.s",
                "iterations": args.iterations,
                "repeats": args.repeats,
                "python": platform.python_version(),
                "techniques": techniques,
                "bt_over_interpretation": round(bt / interpreted, 1),
                "translation_cache": {
                    "hits": bt_stats["tc_hits"],
                    "misses": bt_stats["tc_misses"],
                    "chained": bt_stats["chained"],
                    "hit_rate": round(bt_stats["tc_hits"] / lookups, 6),
                    "blocks": bt_stats["blocks"],
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
