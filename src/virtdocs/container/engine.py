"""A container engine over the kernel model: Docker's verbs, Docker's errors.

``run`` is the whole recipe of a container: pull the image if missing, stack
its layers under a fresh upper layer (overlay), create a cgroup and write the
limits, clone the first process into new pid, mount, uts, ipc, net and cgroup
namespaces, wire the network (veth pair + bridge), then exec the command.
Every state change goes through :meth:`Engine._transition`, which checks the
state it expects. Time is simulated: operations advance ``now`` by the
runtime's cited start time; nothing reads a wall clock.
"""

from __future__ import annotations

import ipaddress
import random
import re
from dataclasses import dataclass, field
from enum import StrEnum

from virtdocs.container import programs
from virtdocs.container.dockerflags import (
    DockerError,
    cpu_max,
    daemon_error,
)
from virtdocs.container.images import Image, ImageStore, Registry, short_id, split_reference
from virtdocs.container.kernel import SIGKILL, Kernel, Process
from virtdocs.container.namespaces import NsType
from virtdocs.container.network import Link
from virtdocs.container.overlay import Overlay
from virtdocs.container.runtimes import Runtime, runtime

#: Docker's default bridge: name, subnet and gateway (docs "Bridge network driver").
DEFAULT_BRIDGE = ("docker0", "172.17.0.0/16", "172.17.0.1")
#: Namespaces Docker creates for a container by default (user and time are opt-in).
CONTAINER_NAMESPACES = frozenset(
    {NsType.PID, NsType.MNT, NsType.UTS, NsType.IPC, NsType.NET, NsType.CGROUP}
)
#: Names the daemon accepts (moby daemon/names: RestrictedNameChars).
_NAME_CHARS = "[a-zA-Z0-9][a-zA-Z0-9_.-]"
_VALID_NAME = re.compile(rf"^/?{_NAME_CHARS}+$")
#: ``docker run`` exits 127 when the command cannot be found (docs.docker.com, docker run,
#: "Exit status"); the daemon records 126 for an exec that fails to start (moby daemon/exec.go).
NOT_FOUND_EXIT, EXEC_FAILED_EXIT = 127, 126
#: docker stop waits this long after SIGTERM before SIGKILL (docs: "--timeout", default 10).
STOP_TIMEOUT_SECONDS = 10.0
_ADJECTIVES = ("admiring", "bold", "clever", "eager", "focused", "gifted", "keen", "quirky")
_SCIENTISTS = ("hopper", "lovelace", "turing", "noether", "ritchie", "thompson", "liskov")


class State(StrEnum):
    CREATED = "created"
    RUNNING = "running"
    EXITED = "exited"
    REMOVED = "removed"


#: Allowed transitions; anything else is a bug in the engine, not user error.
TRANSITIONS: dict[State, frozenset[State]] = {
    State.CREATED: frozenset({State.RUNNING, State.REMOVED}),
    State.RUNNING: frozenset({State.EXITED}),
    State.EXITED: frozenset({State.RUNNING, State.REMOVED}),
    State.REMOVED: frozenset(),
}


@dataclass(frozen=True)
class RunSpec:
    """What ``docker run`` was asked for, already parsed and validated."""

    image: str
    command: tuple[str, ...] = ()
    name: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    hostname: str | None = None
    memory: int | None = None
    nano_cpus: int = 0
    pids_limit: int | None = None
    network: str = "bridge"
    runtime: str = "runc"
    detach: bool = False
    auto_remove: bool = False  # --rm: the daemon removes the container when it exits


@dataclass(eq=False)
class Container:
    id: str
    name: str
    image: Image
    spec: RunSpec
    command: tuple[str, ...]
    rootfs: Overlay
    cgroup: str
    runtime: Runtime
    state: State = State.CREATED
    process: Process | None = None
    logs: list[str] = field(default_factory=list)
    exit_code: int = 0
    oom_killed: bool = False
    created: float = 0.0
    started: float = 0.0
    finished: float = 0.0
    ip: str = ""
    mac: str = ""
    network: str = ""
    host_veth: Link | None = None
    binds: dict[str, str] = field(default_factory=dict)

    @property
    def short(self) -> str:
        return self.id[:12]


@dataclass(frozen=True)
class ExecResult:
    lines: tuple[str, ...]
    exit_code: int | None


@dataclass(frozen=True)
class PullReport:
    """The lines ``docker pull`` prints, and whether anything was downloaded."""

    lines: tuple[str, ...]
    downloaded: bool


@dataclass
class _Net:
    bridge: Link
    subnet: ipaddress.IPv4Network
    gateway: str
    next_host: int = 2


class Engine:
    """A Docker-like daemon on one simulated host."""

    def __init__(
        self, registry: Registry, *, seed: int = 0, cpus: int = 2, hostname: str = "host"
    ) -> None:
        self.kernel = Kernel(hostname=hostname, cpus=cpus)
        self.registry = registry
        self.store = ImageStore()
        self.rng = random.Random(seed)
        self.now = 0.0
        self.containers: dict[str, Container] = {}
        self.networks: dict[str, _Net] = {}
        self.kernel.cgroups.write("/", "cgroup.subtree_control", "+cpu +memory +pids")
        self.kernel.cgroups.mkdir("/system.slice")
        self.kernel.cgroups.write("/system.slice", "cgroup.subtree_control", "+cpu +memory +pids")
        self._host_netns = self.kernel.init.ns[NsType.NET].inode
        self.kernel.network.names[self._host_netns] = "host"
        self.kernel.network.link(self._host_netns, "lo").up = True
        self._create_network(*DEFAULT_BRIDGE, key="bridge")

    # ---- helpers ------------------------------------------------------------
    def _hex(self, bits: int) -> str:
        return f"{self.rng.getrandbits(bits):0{bits // 4}x}"

    def _create_network(self, bridge_name: str, subnet: str, gateway: str, *, key: str) -> None:
        net = self.kernel.network
        bridge = net.add_bridge(self._host_netns, bridge_name)
        prefix = ipaddress.IPv4Network(subnet).prefixlen
        net.add_address(bridge, f"{gateway}/{prefix}")
        bridge.up = True
        self.networks[key] = _Net(bridge, ipaddress.IPv4Network(subnet), gateway)

    def network_create(self, name: str) -> str:
        """``docker network create NAME``: a new bridge ``br-<id>`` and subnet."""
        if name in self.networks or name in ("host", "none"):
            raise daemon_error(f"network with name {name} already exists")
        ident = self._hex(256)
        index = 18 + len(self.networks) - 1
        self._create_network(
            f"br-{ident[:12]}", f"172.{index}.0.0/16", f"172.{index}.0.1", key=name
        )
        return ident

    def find(self, ref: str) -> Container:
        """By name, full ID or unique ID prefix, as Docker resolves references."""
        for c in self.containers.values():
            if ref in (c.name, c.id):
                return self._noticed(c, ref)
        matches = [c for c in self.containers.values() if c.id.startswith(ref)]
        if len(matches) != 1 or not ref:
            raise daemon_error(f"No such container: {ref}")
        return self._noticed(matches[0], ref)

    def _noticed(self, c: Container, ref: str) -> Container:
        """``c`` after noticing whether its init died; a ``--rm`` container that
        exited is already gone."""
        self._check_exit(c)
        if c.state is State.REMOVED:
            raise daemon_error(f"No such container: {ref}")
        return c

    def _transition(self, container: Container, new: State) -> None:
        """The one place a container's state changes; checks the prior state."""
        if new not in TRANSITIONS[container.state]:
            raise RuntimeError(
                f"container {container.short}: illegal transition {container.state} -> {new}"
            )
        container.state = new

    # ---- images ------------------------------------------------------------
    def pull(self, ref: str, *, run: bool = False, preamble: tuple[str, ...] = ()) -> PullReport:
        name, tag = split_reference(ref)
        image = self.registry.resolve(name, tag)
        if image is None:
            if self.registry.has_repository(name):
                raise daemon_error(
                    f"manifest for {name}:{tag} not found: manifest unknown: manifest unknown",
                    run=run,
                    preamble=preamble,
                )
            raise daemon_error(
                f"pull access denied for {name}, repository does not exist or may require "
                "'docker login': denied: requested access to the resource is denied",
                run=run,
                preamble=preamble,
            )
        if self.store.get(name, tag) is not None and self.store.get(name, tag) == image:
            return PullReport(
                (
                    f"{tag}: Pulling from library/{name}",
                    f"Digest: {image.digest}",
                    f"Status: Image is up to date for {name}:{tag}",
                ),
                False,
            )
        lines = [f"{tag}: Pulling from library/{name}"]
        for digest, present in self.store.add(image):
            lines.append(f"{short_id(digest)}: {'Already exists' if present else 'Pull complete'}")
        lines += [f"Digest: {image.digest}", f"Status: Downloaded newer image for {name}:{tag}"]
        return PullReport(tuple(lines), True)

    # ---- containers ----------------------------------------------------------
    def run(self, spec: RunSpec) -> tuple[Container, tuple[str, ...]]:
        """``docker run``: returns the container and the lines docker prints."""
        out: list[str] = []
        name, tag = split_reference(spec.image)
        if spec.name is not None:
            if not _VALID_NAME.match(spec.name):
                raise daemon_error(
                    f"Invalid container name ({spec.name}), only {_NAME_CHARS} are allowed",
                    run=True,
                )
            for other in self.containers.values():
                if other.name == spec.name:
                    raise daemon_error(
                        f'Conflict. The container name "/{spec.name}" is already in use by '
                        f'container "{other.id}". You have to remove (or rename) that container '
                        "to be able to reuse that name.",
                        run=True,
                    )
        if spec.network not in ("host", "none") and spec.network not in self.networks:
            raise daemon_error(f"network {spec.network} not found", run=True)
        rt = runtime(spec.runtime)
        image = self.store.get(name, tag)
        if image is None:
            notice = f"Unable to find image '{name}:{tag}' locally"
            out.append(notice)
            out.extend(self.pull(spec.image, run=True, preamble=(notice,)).lines)
            image = self.store.get(name, tag)
            assert image is not None
        container = self._create(spec, image, rt)
        try:
            self._start(container)
        except DockerError:
            if spec.auto_remove:  # --rm also removes a container that never started
                self._remove(container)
            raise
        if spec.detach:
            out.append(container.id)
        else:
            out.extend(container.logs)
        return container, tuple(out)

    def _create(self, spec: RunSpec, image: Image, rt: Runtime) -> Container:
        ident = self._hex(256)
        name = spec.name or self._random_name()
        command = spec.command or image.cmd
        # The limits go in through the cgroup files, as runc writes them.
        cgroup = f"/system.slice/docker-{ident}.scope"
        tree = self.kernel.cgroups
        tree.mkdir(cgroup)
        quota, period = cpu_max(spec.nano_cpus)
        tree.write(cgroup, "cpu.max", f"{'max' if quota is None else quota} {period}")
        tree.write(cgroup, "memory.max", "max" if spec.memory is None else str(spec.memory))
        tree.write(cgroup, "pids.max", "max" if spec.pids_limit is None else str(spec.pids_limit))
        container = Container(
            ident,
            name,
            image,
            spec,
            command,
            Overlay(list(image.layers)),
            cgroup,
            rt,
            created=self.now,
        )
        self.containers[ident] = container
        return container

    def _random_name(self) -> str:
        """``adjective_scientist`` like Docker's name generator, which appends a
        digit when the name is taken."""
        taken = {c.name for c in self.containers.values()}
        name = f"{self.rng.choice(_ADJECTIVES)}_{self.rng.choice(_SCIENTISTS)}"
        while name in taken:
            name += str(self.rng.randrange(10))
        return name

    def _start(self, c: Container) -> None:
        argv0 = (c.command or ("sh",))[0]
        if not programs.is_program(argv0):
            # runc's exec fails before the process exists: the container stays
            # "created" with exit code 127, and docker run reports the runtime's error.
            c.exit_code = NOT_FOUND_EXIT
            shim = "runc create failed: " if c.runtime.engine_flag == "runc" else ""
            raise DockerError(
                "docker: Error response from daemon: failed to create task for container: "
                f"failed to create shim task: OCI runtime create failed: {shim}unable to start "
                f'container process: exec: "{argv0}": executable file not found in $PATH: '
                "unknown",
                exit_code=NOT_FOUND_EXIT,
            )
        k = self.kernel
        self.now += (c.runtime.start_ms.low or 0.0) / 1000
        new = CONTAINER_NAMESPACES - ({NsType.NET} if c.spec.network == "host" else set())
        # runc is placed in the container's cgroup first, so the process it clones
        # into the new namespaces is born there (and counted by pids.max); runc
        # itself then exits.
        runc = k.clone(k.init, ("runc", "init")).process
        assert runc is not None
        k.cgroups.attach(runc.pid, k.cgroups.get(c.cgroup))
        result = k.clone(runc, c.command or ("sh",), frozenset(new))
        k.exit(runc, 0)
        proc = result.process
        if proc is None:
            raise daemon_error(
                "failed to create task: fork: resource temporarily unavailable", run=True
            )
        hostname = c.spec.hostname or c.short
        if NsType.UTS in new:
            k.sethostname(proc, hostname)
        k.mount(
            proc,
            "overlay",
            "/",
            "overlay",
            f"rw,lowerdir={len(c.image.layers)} layers,upperdir=diff,workdir=work",
        )
        k.mount(proc, "proc", "/proc", "proc", "rw,nosuid,nodev,noexec")
        k.mount(proc, "cgroup", "/sys/fs/cgroup", "cgroup2", "ro,nosuid,nodev,noexec")
        proc.env = dict(kv.split("=", 1) for kv in c.image.env if "=" in kv)
        proc.env.update({"HOSTNAME": k.hostname(proc), "HOME": "/root"})
        proc.env.update(dict(c.spec.env))
        self._wire(c, proc)
        c.binds = {
            "/etc/hostname": k.hostname(proc) + "\n",
            "/etc/hosts": f"127.0.0.1\tlocalhost\n{c.ip}\t{k.hostname(proc)}\n"
            if c.ip
            else "127.0.0.1\tlocalhost\n",
        }
        c.process = proc
        self._transition(c, State.RUNNING)
        c.started = self.now
        ctx = programs.Context(k, proc, c.rootfs, c.cgroup, c.binds)
        outcome = programs.execute(ctx, list(proc.argv))
        c.logs.extend(outcome.lines)
        if not proc.alive:
            self._finish(c, proc.exit_code if proc.exit_code is not None else 137)
        elif outcome.exit_code is not None:
            k.exit(proc, outcome.exit_code)
            self._finish(c, outcome.exit_code)

    def _wire(self, c: Container, proc: Process) -> None:
        k, netns = self.kernel, proc.ns[NsType.NET].inode
        if c.spec.network == "host":
            c.network = "host"
            return
        k.network.link(netns, "lo").up = True
        k.network.names[netns] = c.name
        c.network = c.spec.network
        if c.spec.network == "none":
            return
        net = self.networks[c.spec.network]
        host_end, inside = k.network.add_veth(
            self._host_netns, f"veth{self._hex(28)}", netns, "eth0"
        )
        k.network.set_master(host_end, net.bridge)
        address = net.subnet.network_address + net.next_host
        net.next_host += 1
        k.network.add_address(inside, f"{address}/{net.subnet.prefixlen}")
        host_end.up = inside.up = True
        k.network.set_default_route(netns, net.gateway)
        c.ip, c.mac, c.host_veth = str(address), inside.mac, host_end

    def _finish(self, c: Container, code: int) -> None:
        c.exit_code = code
        c.finished = self.now
        cg = self.kernel.cgroups.get(c.cgroup)
        c.oom_killed = cg.memory_events["oom_kill"] > 0 and code == 128 + SIGKILL
        if c.process is not None and c.spec.network != "host":
            self.kernel.network.remove_namespace(c.process.ns[NsType.NET].inode)
        self._transition(c, State.EXITED)
        if c.spec.auto_remove:
            self._remove(c)

    def _remove(self, c: Container) -> None:
        self.kernel.cgroups.rmdir(c.cgroup)
        self._transition(c, State.REMOVED)
        del self.containers[c.id]

    def _check_exit(self, c: Container) -> None:
        """Notice that the container's init died (OOM kill, fork bomb...)."""
        if c.state is State.RUNNING and c.process is not None and not c.process.alive:
            code = c.process.exit_code if c.process.exit_code is not None else 137
            self._finish(c, code)

    def exec(self, ref: str, argv: tuple[str, ...]) -> ExecResult:
        """``docker exec``: a new process that setns()es into the container."""
        c = self.find(ref)
        if c.state is not State.RUNNING or c.process is None:
            raise daemon_error(f"container {c.id} is not running")
        if not argv or not programs.is_program(argv[0]):
            missing = argv[0] if argv else ""
            raise DockerError(
                "OCI runtime exec failed: exec failed: unable to start container process: "
                f'exec: "{missing}": executable file not found in $PATH: unknown',
                exit_code=EXEC_FAILED_EXIT,
            )
        result = self.kernel.enter(c.process, argv)
        if result.process is None:
            return ExecResult(
                (
                    "OCI runtime exec failed: exec failed: unable to start "
                    "container process: fork: resource temporarily unavailable",
                ),
                126,
            )
        ctx = programs.Context(self.kernel, result.process, c.rootfs, c.cgroup, c.binds)
        outcome = programs.execute(ctx, list(argv))
        if outcome.exit_code is not None and result.process.alive:
            self.kernel.exit(result.process, outcome.exit_code)
        self._check_exit(c)
        return ExecResult(outcome.lines, outcome.exit_code)

    def stop(self, ref: str) -> Container:
        """``docker stop``: SIGTERM, then SIGKILL; our programs ignore SIGTERM,
        so after the 10 s grace period the container exits with 137."""
        c = self.find(ref)
        self._check_exit(c)
        if c.state is State.RUNNING and c.process is not None:
            self.now += STOP_TIMEOUT_SECONDS
            self.kernel.kill(c.process, SIGKILL)
            self._finish(c, 128 + SIGKILL)
        return c

    def kill(self, ref: str) -> Container:
        """``docker kill``: SIGKILL at once, no grace period."""
        c = self.find(ref)
        self._check_exit(c)
        if c.state is not State.RUNNING or c.process is None:
            raise daemon_error(f"cannot kill container: {ref}: container {c.id} is not running")
        self.kernel.kill(c.process, SIGKILL)
        self._finish(c, 128 + SIGKILL)
        return c

    def start(self, ref: str) -> Container:
        c = self.find(ref)
        self._check_exit(c)
        if c.state is not State.RUNNING:
            try:
                self._start(c)
            except DockerError as error:
                # docker start reports the daemon's error without run's "docker: " and exits 1.
                raise DockerError(str(error).removeprefix("docker: "), exit_code=1) from None
        return c

    def rm(self, ref: str, *, force: bool = False) -> Container:
        c = self.find(ref)
        self._check_exit(c)
        if c.state is State.RUNNING:
            if not force:
                # Docker quotes the reference as given; a name gets its leading "/".
                shown = f"/{c.name}" if ref == c.name else ref
                raise daemon_error(
                    f'cannot remove container "{shown}": container is running: '
                    "stop the container before removing or force remove"
                )
            self.stop(ref)
        if c.state is not State.REMOVED:  # --rm containers are gone once stopped
            self._remove(c)
        return c

    def logs(self, ref: str) -> tuple[str, ...]:
        return tuple(self.find(ref).logs)

    def ps(self, *, all: bool = False) -> list[Container]:
        for c in list(self.containers.values()):  # --rm containers may leave
            self._check_exit(c)
        found = [c for c in self.containers.values() if all or c.state is State.RUNNING]
        return sorted(found, key=lambda c: c.created, reverse=True)

    def inspect(self, ref: str) -> dict[str, object]:
        """A subset of ``docker inspect``'s JSON, same keys and nesting."""
        c = self.find(ref)
        self._check_exit(c)
        proc = c.process
        cg = self.kernel.cgroups.get(c.cgroup)
        return {
            "Id": c.id,
            "Name": f"/{c.name}",
            "Image": c.image.id,
            "State": {
                "Status": c.state.value,
                "Running": c.state is State.RUNNING,
                "OOMKilled": c.oom_killed,
                "Pid": proc.pid if proc and c.state is State.RUNNING else 0,
                "ExitCode": c.exit_code,
            },
            "Config": {
                "Hostname": c.spec.hostname or c.short,
                "Image": c.spec.image,
                "Cmd": list(c.command),
                "Env": [f"{k}={v}" for k, v in (proc.env if proc else {}).items()],
            },
            "HostConfig": {
                "Memory": c.spec.memory or 0,
                "NanoCpus": c.spec.nano_cpus,
                "PidsLimit": c.spec.pids_limit,
                "NetworkMode": c.spec.network,
                "Runtime": c.runtime.engine_flag,
                "CgroupParent": "system.slice",
            },
            "GraphDriver": {
                "Name": "overlay2",
                "Data": {
                    "LowerDir": ":".join(short_id(layer.digest) for layer in c.image.layers),
                    "UpperDir": f"{c.short}/diff",
                },
            },
            "NetworkSettings": {
                "Networks": {
                    c.network: {
                        "IPAddress": c.ip,
                        "MacAddress": c.mac,
                        "Gateway": self.networks[c.network].gateway
                        if c.network in self.networks
                        else "",
                    }
                }
            }
            if c.network
            else {"Networks": {}},
            "virtdocs": {
                "cgroup": c.cgroup,
                "memory.current": cg.memory_current,
                "runtime_overhead_mib": c.runtime.overhead_mib.low,
            },
        }

    def memory_footprint(self) -> dict[str, float | None]:
        """MiB per running container: what its cgroup holds plus the runtime's
        cited fixed overhead (a shim for runc, a VMM and guest for VMs); ``None``
        where no source gives the overhead (gVisor)."""
        footprint: dict[str, float | None] = {}
        for c in self.ps():
            charged = self.kernel.cgroups.get(c.cgroup).memory_current / (1 << 20)
            overhead = c.runtime.overhead_mib.low
            footprint[c.name] = None if overhead is None else charged + overhead
        return footprint
