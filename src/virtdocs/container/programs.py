"""The programs a simulated container can run: a tiny, honest userland.

Each program is one small class with ``run(ctx, args)`` (a one-method
protocol), registered in :data:`PROGRAMS`. Programs act only through the
kernel model and the container's overlay filesystem, so what they print is
what the model does: ``cat /sys/fs/cgroup/memory.events`` reads the cgroup,
``stress`` allocates until the OOM killer acts, ``forkbomb`` forks until
``pids.max`` refuses.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from virtdocs.container.cpu import run_bandwidth
from virtdocs.container.kernel import Kernel, Process
from virtdocs.container.namespaces import NsType
from virtdocs.container.overlay import Overlay
from virtdocs.errors import UserError

#: A program that never exits on its own (a server, ``sleep infinity``).
RUNNING: None = None


@dataclass
class Context:
    """What a program can touch: the kernel, its process, its root filesystem."""

    kernel: Kernel
    process: Process
    rootfs: Overlay
    cgroup: str
    binds: Mapping[str, str] = field(default_factory=dict)

    def child(self, argv: tuple[str, ...]) -> Context | None:
        """fork+exec a child in the same container (None: fork refused)."""
        result = self.kernel.clone(self.process, argv)
        if result.process is None:
            return None
        return Context(self.kernel, result.process, self.rootfs, self.cgroup, self.binds)


@dataclass(frozen=True)
class Outcome:
    """What a program printed and its exit status (``None``: still running)."""

    lines: tuple[str, ...] = ()
    exit_code: int | None = 0


class Program(Protocol):
    def run(self, ctx: Context, args: list[str]) -> Outcome: ...


def _parse_size(text: str) -> int:
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    suffix = text[-1:].lower()
    number = text[:-1] if suffix in units else text
    if not number.isdigit():
        raise UserError(f"stress: invalid size {text!r} (use e.g. 64m)")
    return int(number) * units.get(suffix, 1)


def read_file(ctx: Context, path: str) -> str:
    """Read a path the way the container sees it, including /proc and /sys."""
    k, p = ctx.kernel, ctx.process
    if path.startswith("/sys/fs/cgroup/"):
        # With a private cgroup namespace the container's own cgroup is the root.
        return k.cgroups.read(ctx.cgroup, path.removeprefix("/sys/fs/cgroup/"))
    proc_files: dict[str, Callable[[], str]] = {
        "/proc/self/uid_map": lambda: k.uid_map_text(p),
        "/proc/self/gid_map": k.id_maps[p.ns[NsType.USER].inode][1].render,
        "/proc/self/cgroup": lambda: k.proc_cgroup(p),
        "/proc/self/mounts": lambda: k.proc_mounts(p),
        "/proc/self/status": lambda: (
            f"Name:\t{p.argv[0]}\nPid:\t{p.nspids[-1]}\n"
            f"NSpid:\t{chr(9).join(str(n) for n in p.nspids)}\n"
        ),
    }
    if path in proc_files:
        return proc_files[path]()
    if path in ctx.binds:
        return ctx.binds[path]
    return ctx.rootfs.read(path).decode()


class Echo:
    def run(self, ctx: Context, args: list[str]) -> Outcome:
        return Outcome((" ".join(args),))


@dataclass(frozen=True)
class Status:
    """``true`` and ``false``: do nothing, exit with a fixed status."""

    code: int

    def run(self, ctx: Context, args: list[str]) -> Outcome:
        return Outcome((), self.code)


class Hostname:
    def run(self, ctx: Context, args: list[str]) -> Outcome:
        if args:
            ctx.kernel.sethostname(ctx.process, args[0])
            return Outcome()
        return Outcome((ctx.kernel.hostname(ctx.process),))


class Cat:
    def run(self, ctx: Context, args: list[str]) -> Outcome:
        lines: list[str] = []
        for path in args:
            try:
                lines.extend(read_file(ctx, path).splitlines())
            except UserError as error:
                return Outcome((*lines, f"cat: {error}"), 1)
        return Outcome(tuple(lines))


class Ls:
    def run(self, ctx: Context, args: list[str]) -> Outcome:
        try:
            return Outcome(tuple(ctx.rootfs.listdir(args[0] if args else "/")))
        except UserError as error:
            return Outcome((f"ls: {error}",), 1)


class Env:
    def run(self, ctx: Context, args: list[str]) -> Outcome:
        return Outcome(tuple(f"{k}={v}" for k, v in ctx.process.env.items()))


class Id:
    def run(self, ctx: Context, args: list[str]) -> Outcome:
        uid = ctx.kernel.uid_in_namespace(ctx.process)
        name = {0: "root", 65534: "nobody"}.get(uid, str(uid))
        return Outcome((f"uid={uid}({name}) gid={uid}({name})",))


class Ps:
    def run(self, ctx: Context, args: list[str]) -> Outcome:
        rows = ["PID   USER     COMMAND"]
        for pid, proc in ctx.kernel.visible(ctx.process):
            rows.append(f"{pid:<5} {'root':<8} {' '.join(proc.argv)}")
        return Outcome(tuple(rows))


class Sleep:
    def run(self, ctx: Context, args: list[str]) -> Outcome:
        if not args or not (args[0] == "infinity" or args[0].replace(".", "", 1).isdigit()):
            return Outcome(("sleep: invalid number",), 1)
        return Outcome((), RUNNING)


class Daemon:
    """A long-running server; its resident memory is the size of its binary."""

    def __init__(self, binary: str, banner: tuple[str, ...]) -> None:
        self.binary, self.banner = binary, banner

    def run(self, ctx: Context, args: list[str]) -> Outcome:
        size = len(ctx.rootfs.read(self.binary)) if ctx.rootfs.exists(self.binary) else 0
        if not ctx.kernel.allocate(ctx.process, size).granted:
            return Outcome(("Killed",), 137)
        return Outcome(self.banner, RUNNING)


class Stress:
    """``stress --vm-bytes SIZE``: touch SIZE bytes of anonymous memory."""

    def run(self, ctx: Context, args: list[str]) -> Outcome:
        if len(args) != 2 or args[0] != "--vm-bytes":
            return Outcome(("usage: stress --vm-bytes SIZE",), 1)
        try:
            size = _parse_size(args[1])
        except UserError as error:
            return Outcome((str(error),), 1)
        step = 1 << 20
        touched = 0
        while touched < size:
            chunk = min(step, size - touched)
            if not ctx.kernel.allocate(ctx.process, chunk).granted:
                return Outcome((f"stress: allocated {touched >> 20} MiB, then:", "Killed"), 137)
            touched += chunk
        return Outcome((f"stress: allocated {size >> 20} MiB",), 0)


class ForkBomb:
    """Fork until the kernel refuses; the children stay alive (they sleep)."""

    def run(self, ctx: Context, args: list[str]) -> Outcome:
        created = 0
        while True:
            result = ctx.kernel.clone(ctx.process, ("forkbomb",))
            if result.process is None:
                return Outcome(
                    (
                        f"forkbomb: created {created} processes",
                        "forkbomb: fork: Resource temporarily unavailable",
                    ),
                    1,
                )
            created += 1


class Burn:
    """``burn SECONDS [THREADS]``: CPU-bound work under the cgroup's cpu.max."""

    def run(self, ctx: Context, args: list[str]) -> Outcome:
        try:
            seconds = float(args[0])
            threads = int(args[1]) if len(args) > 1 else 1
        except (IndexError, ValueError):
            return Outcome(("usage: burn SECONDS [THREADS]",), 1)
        cg = ctx.kernel.cgroups.get(ctx.cgroup)
        run = run_bandwidth(
            work_usec=round(seconds * 1e6),
            threads=threads,
            host_cpus=ctx.kernel.cpus,
            quota_usec=cg.cpu_quota_usec,
            period_usec=cg.cpu_period_usec,
        )
        ctx.kernel.cgroups.account_cpu(cg, run.stat())
        return Outcome(
            (
                f"burn: {run.usage_usec / 1e6:.2f} s of CPU took "
                f"{run.wall_usec / 1e6:.2f} s; throttled in {run.nr_throttled} "
                f"of {run.nr_periods} periods",
            )
        )


class Ip:
    def run(self, ctx: Context, args: list[str]) -> Outcome:
        if args[:1] not in (["addr"], ["a"], ["-brief", "addr"]):
            return Outcome(("usage: ip addr",), 1)
        return Outcome(
            tuple(ctx.kernel.network.ip_brief(ctx.process.ns[NsType.NET].inode).splitlines())
        )


class Ping:
    def run(self, ctx: Context, args: list[str]) -> Outcome:
        target = [a for a in args if not a.startswith("-") and not a.isdigit()]
        if not target:
            return Outcome(("ping: usage error: Destination address required",), 1)
        result = ctx.kernel.network.ping(ctx.process.ns[NsType.NET].inode, target[-1])
        if result.reachable:
            return Outcome((f"PING {target[-1]}: reachable via {' -> '.join(result.hops)}",))
        return Outcome((f"ping: {target[-1]}: {result.reason}",), 1)


class Write:
    """``write PATH TEXT`` stands for ``echo TEXT > PATH`` (there is no shell redirection)."""

    def run(self, ctx: Context, args: list[str]) -> Outcome:
        if len(args) < 2:
            return Outcome(("usage: write PATH TEXT",), 1)
        try:
            ctx.rootfs.write(args[0], (" ".join(args[1:]) + "\n").encode())
        except UserError as error:
            return Outcome((f"write: {error}",), 1)
        return Outcome()


class Rm:
    def run(self, ctx: Context, args: list[str]) -> Outcome:
        paths = [a for a in args if not a.startswith("-")]
        try:
            for path in paths:
                ctx.rootfs.delete(path)
        except UserError as error:
            return Outcome((str(error),), 1)
        return Outcome()


class Readlink:
    def run(self, ctx: Context, args: list[str]) -> Outcome:
        lines: list[str] = []
        for path in args:
            kind = path.removeprefix("/proc/self/ns/")
            if kind not in {k.value for k in NsType}:
                return Outcome((*lines, f"readlink: {path}: not a namespace link"), 1)
            lines.append(ctx.kernel.readlink_ns(ctx.process, NsType(kind)))
        return Outcome(tuple(lines))


class Sh:
    """``sh -c "a; b"`` runs each command in a child; plain ``sh`` with no
    terminal reads end-of-file and exits at once, as in Docker without ``-it``."""

    def run(self, ctx: Context, args: list[str]) -> Outcome:
        if args[:1] != ["-c"] or len(args) < 2:
            return Outcome()
        lines: list[str] = []
        code: int | None = 0
        for command in args[1].split(";"):
            try:
                argv = shlex.split(command)
            except ValueError:
                # BusyBox ash's wording and status for an unbalanced quote.
                return Outcome((*lines, "sh: syntax error: unterminated quoted string"), 2)
            if not argv:
                continue
            child = ctx.child(tuple(argv))
            if child is None:
                return Outcome((*lines, "sh: can't fork: Resource temporarily unavailable"), 2)
            outcome = execute(child, argv)
            lines.extend(outcome.lines)
            code = outcome.exit_code
            if code is not None and child.process.alive:
                ctx.kernel.exit(child.process, code)
        return Outcome(tuple(lines), code)


PROGRAMS: dict[str, Program] = {
    "echo": Echo(),
    "true": Status(0),
    "false": Status(1),
    "hostname": Hostname(),
    "cat": Cat(),
    "ls": Ls(),
    "env": Env(),
    "id": Id(),
    "ps": Ps(),
    "sleep": Sleep(),
    "sh": Sh(),
    "nginx": Daemon("/usr/sbin/nginx", ("nginx: ready, listening on port 80",)),
    "app": Daemon("/usr/local/bin/app", ("app: serving on :8080",)),
    "stress": Stress(),
    "forkbomb": ForkBomb(),
    "burn": Burn(),
    "ip": Ip(),
    "ping": Ping(),
    "write": Write(),
    "rm": Rm(),
    "readlink": Readlink(),
}


def is_program(path: str) -> bool:
    """Whether the userland has ``path`` (by its last component, as PATH lookup finds it).

    >>> is_program("/bin/sh"), is_program("bash")
    (True, False)
    """
    return path.rsplit("/", 1)[-1] in PROGRAMS


def execute(ctx: Context, argv: list[str]) -> Outcome:
    """Run ``argv`` in ``ctx``; an unknown program fails like exec(2) does."""
    name = argv[0].rsplit("/", 1)[-1]
    if name not in PROGRAMS:
        return Outcome((f'exec: "{argv[0]}": executable file not found in $PATH',), 127)
    return PROGRAMS[name].run(ctx, list(argv[1:]))
