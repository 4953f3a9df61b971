"""How fast the simulated kube-scheduler places pods at Kubernetes' scalability envelope.

Runs ``virtdocs cluster simulate --nodes N --pods P --seed S --json`` in a fresh
process (so start-up and imports count in ``end_to_end_seconds``) and reports the
scheduling wall time the command measured, pods per second, and whether every pod
was placed within the issue's budget of 30 s.

For scale: kube-scheduler's own scheduler_perf thresholds at 5,000 nodes are
680–810 pods/s (kubernetes/kubernetes test/integration/scheduler_perf). This is a
simulation of the algorithm, not a measurement of kube-scheduler.

    python benchmarks/cluster_scale.py [--nodes 5000] [--pods 150000] [--seed 0] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from typing import Any

BUDGET_SECONDS = 30.0


def run_once(nodes: int, pods: int, seed: int) -> tuple[dict[str, Any], float]:
    command = [
        sys.executable,
        "-m",
        "virtdocs",
        "cluster",
        "simulate",
        "--nodes",
        str(nodes),
        "--pods",
        str(pods),
        "--seed",
        str(seed),
        "--json",
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"simulate failed ({done.returncode}): {done.stderr.strip()}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--pods", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    runs = [run_once(args.nodes, args.pods, args.seed) for _ in range(args.repeat)]
    reports = [report for report, _ in runs]
    seconds = statistics.median(report["seconds"] for report in reports)
    end_to_end = statistics.median(elapsed for _, elapsed in runs)
    first = reports[0]
    print(
        json.dumps(
            {
                "command": f"virtdocs cluster simulate --nodes {args.nodes} --pods {args.pods} "
                f"--seed {args.seed} --json",
                "nodes": first["nodes"],
                "pods": first["pods"],
                "scheduled": first["scheduled"],
                "pending": first["pending"],
                "repeat": args.repeat,
                "seconds": seconds,
                "end_to_end_seconds": round(end_to_end, 3),
                "pods_per_second": round(first["scheduled"] / seconds) if seconds else None,
                "budget_seconds": BUDGET_SECONDS,
                "within_budget": first["pending"] == 0 and end_to_end <= BUDGET_SECONDS,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
