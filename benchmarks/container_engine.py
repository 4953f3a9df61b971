"""How fast the simulated engine starts containers and replays a session.

Times ``Engine.run`` for ``--containers`` detached containers on one engine
(pull once, then create, wire and start each), and the replay of
``examples/containers/sessions/limits.session``. Wall-clock time is read
here, in the benchmark, never in the simulator.

Usage: python benchmarks/container_engine.py [--containers N] [--repeats N]
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

from virtdocs.container.engine import Engine, RunSpec
from virtdocs.container.images import Registry
from virtdocs.container.session import replay

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT / "examples" / "containers" / "registry.toml"
SESSION = ROOT / "examples" / "containers" / "sessions" / "limits.session"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    registry = Registry.from_toml(REGISTRY)

    run_seconds: list[float] = []
    for _ in range(args.repeats):
        engine = Engine(registry, seed=0)
        engine.pull("alpine:3.20")
        start = time.perf_counter()
        for i in range(args.containers):
            engine.run(RunSpec("alpine:3.20", ("sleep", "infinity"), name=f"c{i}", detach=True))
        run_seconds.append(time.perf_counter() - start)

    replay_seconds: list[float] = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        replay(SESSION, registry, seed=0)
        replay_seconds.append(time.perf_counter() - start)

    median_run = statistics.median(run_seconds)
    print(
        json.dumps(
            {
                "benchmark": "container_engine",
                "python": platform.python_version(),
                "containers": args.containers,
                "repeats": args.repeats,
                "run_seconds_median": round(median_run, 4),
                "containers_per_second": round(args.containers / median_run, 1),
                "session": SESSION.name,
                "session_seconds_median": round(statistics.median(replay_seconds), 4),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
