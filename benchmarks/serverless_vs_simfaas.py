"""Time `virtdocs serverless simulate` against SimFaaS 0.2.2 on the same workload.

Both simulate 10^6 seconds of Poisson arrivals at 0.9 requests/s (about 900,000
requests) with SimFaaS's example parameters (warm 2.016 s, cold 2.163 s, 600 s
keep-alive), side by side in one run, each in a fresh Python process so imports
and peak memory (max RSS) are counted the same way. Our side also runs at a
tenth of the duration to show that its memory does not grow with requests.

Usage: python benchmarks/serverless_vs_simfaas.py [--repeats N] [--duration S]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

RATE, WARM, COLD, KEEP_ALIVE = 0.9, 2.016, 2.163, 600.0

_SIMFAAS = """
import json, sys, numpy as np
from simfaas.ServerlessSimulator import ServerlessSimulator
np.random.seed(int(sys.argv[6]))
sim = ServerlessSimulator(arrival_rate=float(sys.argv[1]), warm_service_rate=1 / float(sys.argv[2]),
    cold_service_rate=1 / float(sys.argv[3]), expiration_threshold=float(sys.argv[4]),
    max_time=float(sys.argv[5]))
sim.generate_trace()
raw = sim.get_result_dict()
print(json.dumps({"requests": int(raw["reqs_total"]),
    "cold_start_probability": float(raw["prob_cold"]),
    "rejection_probability": float(raw["prob_reject"]),
    "average_instances": float(raw["inst_count_avg"]),
    "average_running": float(raw["inst_running_count_avg"]),
    "average_idle": float(raw["inst_idle_count_avg"])}))
"""


def _run(command: list[str]) -> tuple[float, int, dict[str, Any]]:
    """Run a command; return wall seconds, peak RSS (KiB) and its JSON output."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    assert process.stdout is not None and process.stderr is not None
    out, err = process.stdout.read(), process.stderr.read()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command[:3]} failed ({process.returncode}): {err.strip()}")
    return seconds, usage.ru_maxrss, json.loads(out)


def _virtdocs(duration: float, seed: int) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from virtdocs.cli import run; run()",
        "serverless",
        "simulate",
        "--arrival-rate",
        str(RATE),
        "--warm-mean",
        str(WARM),
        "--cold-mean",
        str(COLD),
        "--keep-alive",
        str(KEEP_ALIVE),
        "--duration",
        str(duration),
        "--seed",
        str(seed),
        "--json",
    ]


def _simfaas(duration: float, seed: int) -> list[str]:
    return [
        sys.executable,
        "-c",
        _SIMFAAS,
        str(RATE),
        str(WARM),
        str(COLD),
        str(KEEP_ALIVE),
        str(duration),
        str(seed),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--duration", type=float, default=1e6)
    args = parser.parse_args()

    runs: dict[str, list[tuple[float, int, dict[str, Any]]]] = {"virtdocs": [], "simfaas": []}
    for seed in range(args.repeats):  # alternate, so both see the same machine load
        runs["virtdocs"].append(_run(_virtdocs(args.duration, seed)))
        runs["simfaas"].append(_run(_simfaas(args.duration, seed)))
    # Memory: a tenth of the requests, then all of them, back to back, same seed.
    small, large = _run(_virtdocs(args.duration / 10, 0)), _run(_virtdocs(args.duration, 0))

    report: dict[str, Any] = {
        "workload": {
            "arrival_rate": RATE,
            "warm_mean": WARM,
            "cold_mean": COLD,
            "keep_alive": KEEP_ALIVE,
            "duration": args.duration,
            "repeats": args.repeats,
        },
        "python": sys.version.split()[0],
    }
    for name, results in runs.items():
        seconds = [s for s, _, _ in results]
        report[name] = {
            "seconds": [round(s, 3) for s in seconds],
            "median_seconds": round(statistics.median(seconds), 3),
            "max_rss_kib": max(rss for _, rss, _ in results),
            "results": [r for _, _, r in results],
        }
    report["speedup"] = round(
        report["simfaas"]["median_seconds"] / report["virtdocs"]["median_seconds"], 2
    )
    report["virtdocs_memory"] = {
        "duration": [args.duration / 10, args.duration],
        "requests": [small[2]["requests"], large[2]["requests"]],
        "max_rss_kib": [small[1], large[1]],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
