"""``virtdocs container``: namespaces, cgroups, images and a Docker-like engine.

Subcommands: ``session`` replays a file of docker commands on a seeded
engine; ``throttle`` runs a CPU-bound job under ``cpu.max``; ``compare``
prints VM vs container from cited parameters; ``runtimes`` compares runc,
gVisor, Kata and Firecracker; ``host`` shows this machine's namespaces and
cgroup.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from virtdocs.container.compare import table
from virtdocs.container.cpu import run_bandwidth
from virtdocs.container.dockerflags import cpu_max, parse_cpus
from virtdocs.container.host import read_host
from virtdocs.container.images import Registry, split_reference
from virtdocs.container.runtimes import RUNTIMES
from virtdocs.container.session import replay
from virtdocs.errors import UserError

DEFAULT_REGISTRY = Path("examples/containers/registry.toml")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "container",
        help="containers: namespaces, cgroups, images, a docker-like engine",
        description="Run the container stage: replay docker sessions, throttle a CPU job "
        "under cpu.max, compare VMs with containers and secure runtimes, inspect this host.",
    )
    parser.set_defaults(handler=lambda args, out: _help(parser, out))
    sub = parser.add_subparsers(
        title="subcommands", metavar="SUBCOMMAND", parser_class=type(parser)
    )

    session = sub.add_parser(
        "session",
        help="replay a file of docker commands",
        description="Replay docker commands on a fresh simulated engine.",
    )
    session.add_argument("file", type=Path, help="session file, one docker command per line")
    session.add_argument("--seed", type=int, default=0, help="seed for IDs and names (0)")
    session.add_argument(
        "--registry",
        type=Path,
        default=DEFAULT_REGISTRY,
        help=f"images the simulated registry serves ({DEFAULT_REGISTRY})",
    )
    session.set_defaults(handler=_session)

    throttle = sub.add_parser(
        "throttle",
        help="run a CPU-bound job under --cpus",
        description="Run busy threads under cpu.max and print the cgroup files.",
    )
    throttle.add_argument("--cpus", default="0.5", help="docker --cpus value (0.5)")
    throttle.add_argument("--work", type=float, default=1.0, help="CPU seconds of work to do (1.0)")
    throttle.add_argument("--threads", type=int, default=1, help="busy threads (1)")
    throttle.add_argument("--host-cpus", type=int, default=2, help="host CPUs (2)")
    throttle.set_defaults(handler=_throttle)

    compare = sub.add_parser(
        "compare",
        help="VM vs container from cited parameters",
        description="The seed's VM-vs-container table, computed.",
    )
    compare.add_argument(
        "--image", default="nginx:1.27-alpine", help="image whose layers count as set-up steps"
    )
    compare.add_argument("--registry", type=Path, default=DEFAULT_REGISTRY)
    compare.add_argument("--json", action="store_true", help="print JSON")
    compare.set_defaults(handler=_compare)

    runtimes = sub.add_parser(
        "runtimes",
        help="runc, gVisor, Kata and Firecracker compared",
        description="Isolation boundary, system-call path, start time "
        "and overhead of each runtime, with sources.",
    )
    runtimes.add_argument("--json", action="store_true", help="print JSON")
    runtimes.set_defaults(handler=_runtimes)

    host = sub.add_parser(
        "host",
        help="this machine's namespaces and cgroup",
        description="Read /proc/self/ns, /proc/self/cgroup and /sys/fs/cgroup under ROOT.",
    )
    host.add_argument("--root", type=Path, default=Path("/"), help="filesystem root (/)")
    host.set_defaults(handler=_host)


def _help(parser: argparse.ArgumentParser, out: TextIO) -> int:
    parser.print_help(out)
    return 2


def _session(args: argparse.Namespace, out: TextIO) -> int:
    registry = Registry.from_toml(args.registry)
    # Replay first: a file that cannot be read prints nothing but its error.
    transcript = replay(args.file, registry, seed=args.seed)
    print(f"# seed {args.seed}, registry {args.registry}", file=out)
    for line in transcript:
        print(line, file=out)
    return 0


def _throttle(args: argparse.Namespace, out: TextIO) -> int:
    if args.threads <= 0 or args.host_cpus <= 0 or args.work <= 0:
        raise UserError("--threads, --host-cpus and --work must be positive")
    quota, period = cpu_max(parse_cpus(args.cpus, args.host_cpus))
    run = run_bandwidth(
        work_usec=round(args.work * 1e6),
        threads=args.threads,
        host_cpus=args.host_cpus,
        quota_usec=quota,
        period_usec=period,
    )
    print(
        f"# --cpus {args.cpus}, {args.threads} thread(s), {args.work:g} s of work, "
        f"{args.host_cpus} host CPUs",
        file=out,
    )
    print(f"cpu.max: {'max' if quota is None else quota} {period}", file=out)
    print(f"wall time: {run.wall_usec / 1e6:.3f} s", file=out)
    print("cpu.stat:", file=out)
    for key, value in run.stat().items():
        print(f"{key} {value}", file=out)
    return 0


def _compare(args: argparse.Namespace, out: TextIO) -> int:
    registry = Registry.from_toml(args.registry)
    name, tag = split_reference(args.image)
    image = registry.resolve(name, tag)
    if image is None:
        raise UserError(f"--image: {args.image} is not in {args.registry}")
    rows = table(image)
    if args.json:
        print(json.dumps([row.__dict__ for row in rows], indent=2), file=out)
        return 0
    width = max(len(row.metric) for row in rows)
    vm_width = max(len(row.vm) for row in rows)
    print(f"{'':<{width}}  {'VM':<{vm_width}}  container", file=out)
    for row in rows:
        print(f"{row.metric:<{width}}  {row.vm:<{vm_width}}  {row.container}", file=out)
    return 0


def _runtimes(args: argparse.Namespace, out: TextIO) -> int:
    if args.json:
        data = [
            {
                "name": r.name,
                "flag": r.engine_flag,
                "boundary": r.boundary,
                "syscall_path": list(r.syscall_path),
                "start": r.start_ms.show(),
                "overhead": r.overhead_mib.show(),
                "start_source": r.start_ms.url,
                "overhead_source": r.overhead_mib.url,
            }
            for r in RUNTIMES
        ]
        print(json.dumps(data, indent=2), file=out)
        return 0
    for r in RUNTIMES:
        print(f"{r.name} (--runtime {r.engine_flag})", file=out)
        print(f"  boundary: {r.boundary}", file=out)
        print(f"  syscall:  {' -> '.join(r.syscall_path)}", file=out)
        print(f"  start:    {r.start_ms.show()}; overhead: {r.overhead_mib.show()}", file=out)
    return 0


def _host(args: argparse.Namespace, out: TextIO) -> int:
    for line in read_host(args.root).lines():
        print(line, file=out)
    return 0
