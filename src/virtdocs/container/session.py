"""Replay a file of ``docker`` commands against a fresh, seeded engine.

A session file has one command per line; a line starting with ``#`` is a
comment. A line starting with ``!`` is expected to fail: its error is printed
as docker would print it. Any other failure stops the replay with
``FILE:LINE: message``.
"""

from __future__ import annotations

from pathlib import Path

from virtdocs.container.dockercli import docker
from virtdocs.container.dockerflags import DockerError
from virtdocs.container.engine import Engine
from virtdocs.container.images import Registry
from virtdocs.errors import UserError


def replay(path: Path, registry: Registry, *, seed: int = 0) -> list[str]:
    """The transcript: each command after ``> `` (so it cannot be mistaken for a
    shell prompt), then what docker printed."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path}: {error.strerror or error}") from None
    engine = Engine(registry, seed=seed)
    out: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):  # whole-line comments only: '#' may be data
            continue
        expect_failure = line.startswith("!")
        command = line.lstrip("!").strip()
        if not command.startswith("docker "):
            raise UserError(
                f"{path}:{number}: expected a line starting with 'docker', got {command!r}"
            )
        out.append(f"> {command}")
        try:
            out.extend(docker(engine, command))
        except UserError as error:
            if not expect_failure:
                raise UserError(f"{path}:{number}: {error}", exit_code=error.exit_code) from None
            if isinstance(error, DockerError):
                out.extend(error.preamble)
            out.append(str(error))
            continue
        if expect_failure:
            raise UserError(f"{path}:{number}: expected this command to fail, it succeeded")
    return out
