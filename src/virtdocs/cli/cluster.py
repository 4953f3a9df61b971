"""``virtdocs cluster``: run the simulated Kubernetes control plane.

``virtdocs cluster simulate --nodes N --pods P [--seed S] [--json]`` schedules P pods
on N nodes with kube-scheduler's default profile and reports how many were placed
and how long it took (wall time, measured here at the edge, not in the simulation).

``virtdocs cluster kubectl --nodes N [-f MANIFEST]... [--advance S] -- ARGS`` applies
manifests to a fresh simulated cluster, lets time pass, then runs one kubectl command.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any, TextIO

from virtdocs.errors import UserError
from virtdocs.kubernetes.cluster import Cluster
from virtdocs.kubernetes.simulate import SimulationConfig, simulate


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cluster",
        help="simulate a Kubernetes control plane: schedule at scale, or run kubectl",
        description="Kubernetes: schedule pods at scale with kube-scheduler's default "
        "profile, or run kubectl against a simulated cluster.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    simulate_parser = commands.add_parser(
        "simulate",
        help="schedule P pods on N nodes and report how many fit and how fast",
        description="Schedule P identical pods (100m CPU, 500Mi) on N identical nodes "
        "(4 CPU, 32Gi, 110 pods) with the default Filter and Score plugins.",
    )
    simulate_parser.add_argument(
        "--nodes", type=int, required=True, metavar="N", help="number of nodes"
    )
    simulate_parser.add_argument(
        "--pods", type=int, required=True, metavar="P", help="number of pods"
    )
    simulate_parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help="seed for tie-breaks (default 0)"
    )
    simulate_parser.add_argument("--json", action="store_true", help="print one JSON object")
    simulate_parser.set_defaults(handler=_simulate)

    kubectl_parser = commands.add_parser(
        "kubectl",
        help="apply manifests to a simulated cluster, wait, and run one kubectl command",
        description="Create a cluster of N nodes, apply each -f manifest, advance the "
        "simulated clock, then print what kubectl would print for the command after --.",
    )
    kubectl_parser.add_argument(
        "--nodes", type=int, default=3, metavar="N", help="number of nodes (default 3)"
    )
    kubectl_parser.add_argument("--seed", type=int, default=0, metavar="S", help="seed (default 0)")
    kubectl_parser.add_argument(
        "-f",
        "--filename",
        action="append",
        default=[],
        metavar="FILE",
        help="manifest to apply (repeatable)",
    )
    kubectl_parser.add_argument(
        "--advance",
        type=float,
        default=10.0,
        metavar="S",
        help="simulated seconds to let pass (default 10)",
    )
    kubectl_parser.add_argument(
        "command", nargs=argparse.REMAINDER, help="the kubectl command, e.g. get pods"
    )
    kubectl_parser.set_defaults(handler=_kubectl)
    parser.set_defaults(handler=lambda args, out: _usage(parser, out))


def _usage(parser: argparse.ArgumentParser, out: TextIO) -> int:
    parser.print_help(out)
    return 2


def _simulate(args: argparse.Namespace, out: TextIO) -> int:
    config = SimulationConfig(nodes=args.nodes, pods=args.pods, seed=args.seed).validate()
    start = time.perf_counter()
    result = simulate(config)
    seconds = time.perf_counter() - start
    if args.json:
        report = {
            "nodes": config.nodes,
            "pods": config.pods,
            "scheduled": result.scheduled,
            "pending": result.pending,
            "seconds": round(seconds, 3),
        }
        print(json.dumps(report), file=out)
        return 0
    for key in (
        "nodes",
        "pods",
        "seed",
        "node_cpu",
        "node_memory",
        "node_max_pods",
        "pod_cpu",
        "pod_memory",
    ):
        print(f"ARG {key} {getattr(config, key)}", file=out)
    print(f"scheduled {result.scheduled}", file=out)
    print(f"pending {result.pending}", file=out)
    print(f"pods per node {result.quietest_node_pods}..{result.busiest_node_pods}", file=out)
    if result.unschedulable_message:
        print(f"last FailedScheduling: {result.unschedulable_message}", file=out)
    return 0


def _kubectl(args: argparse.Namespace, out: TextIO) -> int:
    if args.nodes < 0:
        raise UserError(f"--nodes: must be 0 or more, got {args.nodes}")
    if args.advance < 0:
        raise UserError(f"--advance: must be 0 or more, got {args.advance}")
    words = [w for w in args.command if w != "--"]
    if not words:
        raise UserError("cluster kubectl: give the kubectl command after --, e.g. -- get pods")
    cluster = Cluster(nodes=args.nodes, seed=args.seed)
    for path in args.filename:
        cluster.apply_file(path)
    cluster.advance(args.advance)
    result = cluster.run_kubectl(" ".join(_quote(w) for w in words))
    if result.stdout:
        print(result.stdout, file=out)
    if result.stderr:
        print(result.stderr, file=out)
    return int(result.exit_code)


def _quote(word: str) -> str:
    import shlex

    return shlex.quote(word)
