"""``docker`` command lines over :class:`~virtdocs.container.engine.Engine`.

This is the view at the edge: it parses Docker's flags (with Docker's error
wording) and renders what the docker CLI prints — the ``ps`` table, ``inspect``
JSON, ``logs``. Durations in ``ps`` are simulated seconds since the engine
started, never the wall clock.
"""

from __future__ import annotations

import json
import shlex

from virtdocs.container.dockerflags import (
    RUN_ERROR_EXIT,
    DockerError,
    parse_cpus,
    parse_env,
    parse_memory,
    parse_pids_limit,
)
from virtdocs.container.engine import Container, Engine, RunSpec, State
from virtdocs.errors import UserError

_RUN_VALUE_FLAGS = {
    "-m": "memory",
    "--memory": "memory",
    "--cpus": "cpus",
    "--pids-limit": "pids",
    "-e": "env",
    "--env": "env",
    "-h": "hostname",
    "--hostname": "hostname",
    "--network": "network",
    "--net": "network",
    "--name": "name",
    "--runtime": "runtime",
}
#: What each verb's cobra command accepts, for its "requires ..." error.
_ARITY = {
    "pull": "exactly 1 argument",
    "exec": "at least 2 arguments",
    "logs": "exactly 1 argument",
    "stop": "at least 1 argument",
    "start": "at least 1 argument",
    "kill": "at least 1 argument",
    "rm": "at least 1 argument",
    "inspect": "at least 1 argument",
    "diff": "exactly 1 argument",
}
_RUN_BOOL_FLAGS = {"-d", "--detach", "-i", "-t", "-it", "-ti", "--rm", "-dit"}


def _ago(seconds: float) -> str:
    """go-units ``HumanDuration``, which ``docker ps`` uses for CREATED and STATUS.

    >>> [_ago(s) for s in (0.5, 1, 59, 60, 150)]
    ['Less than a second', '1 second', '59 seconds', 'About a minute', '2 minutes']
    >>> [_ago(s) for s in (3600, 7200, 86400 * 3)]
    ['About an hour', '2 hours', '3 days']
    """
    whole = int(seconds)
    if whole < 1:
        return "Less than a second"
    if whole < 60:
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = whole // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = int(seconds / 3600 + 0.5)  # go-units rounds hours to the nearest
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    return f"{hours // 24} days"


def _quote_command(argv: tuple[str, ...]) -> str:
    text = " ".join(argv)
    # docker ps truncates COMMAND to 20 characters with an ellipsis.
    return f'"{text[:19]}…"' if len(text) > 20 else f'"{text}"'


def ps_table(engine: Engine, containers: list[Container]) -> list[str]:
    header = ("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES")
    rows = [header]
    for c in containers:
        if c.state is State.RUNNING:
            status = f"Up {_ago(engine.now - c.started)}"
        elif c.state is State.CREATED:
            status = "Created"  # never started, e.g. its command was not found
        else:
            status = f"Exited ({c.exit_code}) {_ago(engine.now - c.finished)} ago"
        rows.append(
            (
                c.short,
                c.spec.image,
                _quote_command(c.command),
                f"{_ago(engine.now - c.created)} ago",
                status,
                "",  # no published ports in this model
                c.name,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return [
        "   ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def parse_run(args: list[str], host_cpus: int) -> RunSpec:
    """Parse ``docker run`` arguments; flag errors use Docker's wording."""
    values: dict[str, str] = {}
    env: list[tuple[str, str]] = []
    detach = auto_remove = False
    i = 0
    while i < len(args) and args[i].startswith("-"):
        flag, eq, inline = args[i].partition("=")
        if flag in _RUN_BOOL_FLAGS:
            detach = detach or "d" in flag.lstrip("-")[:3] or flag == "--detach"
            auto_remove = auto_remove or flag == "--rm"
            i += 1
            continue
        if flag not in _RUN_VALUE_FLAGS:
            raise DockerError(f"unknown flag: {flag}", exit_code=RUN_ERROR_EXIT)
        if eq:
            value = inline
        elif i + 1 < len(args):
            value, i = args[i + 1], i + 1
        else:
            raise DockerError(f"flag needs an argument: {flag}", exit_code=RUN_ERROR_EXIT)
        key = _RUN_VALUE_FLAGS[flag]
        if key == "env":
            pair = parse_env(value)
            if pair is not None:
                env.append(pair)
        else:
            values[key] = value
        i += 1
    if i >= len(args):
        raise DockerError('"docker run" requires at least 1 argument.', exit_code=RUN_ERROR_EXIT)
    return RunSpec(
        image=args[i],
        command=tuple(args[i + 1 :]),
        name=values.get("name"),
        env=tuple(env),
        hostname=values.get("hostname"),
        memory=parse_memory(values["memory"]) if "memory" in values else None,
        nano_cpus=parse_cpus(values["cpus"], host_cpus) if "cpus" in values else 0,
        pids_limit=parse_pids_limit(values["pids"]) if "pids" in values else None,
        network=values.get("network", "bridge"),
        runtime=values.get("runtime", "runc"),
        detach=detach,
        auto_remove=auto_remove,
    )


def docker(engine: Engine, line: str) -> list[str]:
    """Run one ``docker ...`` command line; return what it prints on success.

    Failures raise :class:`DockerError` carrying docker's message and status.
    """
    try:
        words = shlex.split(line)
    except ValueError as error:  # an unbalanced quote: the shell never runs docker
        raise UserError(f"shell syntax error: {str(error).lower()} in {line!r}") from None
    if words[:1] == ["docker"]:
        words = words[1:]
    if not words:
        raise DockerError("docker: 'docker' requires a command")
    verb, args = words[0], words[1:]
    if verb == "pull" and len(args) == 1:
        return list(engine.pull(args[0]).lines)
    if verb == "run":
        return list(engine.run(parse_run(args, engine.kernel.cpus))[1])
    if verb == "exec" and len(args) >= 2:
        # Flags (-it, -e ...) come before the container; the command keeps its own.
        start = 0
        while start < len(args) and args[start].startswith("-"):
            start += 2 if args[start] in ("-e", "--env", "-u", "--user", "-w") else 1
        rest = args[start:]
        if len(rest) < 2:
            raise DockerError('"docker exec" requires at least 2 arguments.')
        result = engine.exec(rest[0], tuple(rest[1:]))
        return list(result.lines)
    if verb == "ps":
        return ps_table(engine, engine.ps(all="-a" in args or "--all" in args))
    if verb == "logs" and len(args) == 1:
        return list(engine.logs(args[0]))
    if verb in ("stop", "start", "kill") and args:
        action = {"stop": engine.stop, "start": engine.start, "kill": engine.kill}[verb]
        for ref in args:
            action(ref)
        return list(args)
    if verb == "rm" and args:
        force = any(a in ("-f", "--force") for a in args)
        refs = [a for a in args if not a.startswith("-")]
        if not refs:
            raise DockerError(f'"docker rm" requires {_ARITY["rm"]}.')
        for ref in refs:
            engine.rm(ref, force=force)
        return refs
    if verb == "inspect" and args:
        return json.dumps([engine.inspect(ref) for ref in args], indent=4).splitlines()
    if verb == "diff" and len(args) == 1:
        return engine.find(args[0]).rootfs.diff()
    if verb == "network" and args[:1] == ["create"] and len(args) == 2:
        return [engine.network_create(args[1])]
    if verb == "images":
        rows = [("REPOSITORY", "TAG", "IMAGE ID", "SIZE")]
        for ref, image in sorted(engine.store.images.items()):
            name, _, tag = ref.rpartition(":")
            rows.append((name, tag, image.id.removeprefix("sha256:")[:12], f"{image.size}B"))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        return [
            "   ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
        ]
    if verb == "network" and args[:1] == ["create"]:
        raise DockerError('"docker network create" requires exactly 1 argument.')
    if verb in _ARITY:
        # A verb docker knows, with the wrong number of arguments: cobra's message.
        raise DockerError(f'"docker {verb}" requires {_ARITY[verb]}.')
    raise DockerError(
        f"docker: '{' '.join(words[:2])}' is not a docker command this "
        "simulation knows (pull, run, exec, ps, logs, stop, start, kill, rm, "
        "inspect, diff, network create, images)"
    )
