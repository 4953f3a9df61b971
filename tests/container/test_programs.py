"""The simulated userland: what each program prints and how it fails."""

from __future__ import annotations

import pytest

from virtdocs.container.dockercli import docker
from virtdocs.container.engine import Engine


@pytest.fixture
def box(engine: Engine) -> Engine:
    docker(engine, "docker run -d --name box --pids-limit 4 alpine:3.20 sleep infinity")
    return engine


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("ls /etc", ["hostname", "motd", "os-release", "passwd"]),
        ("ls /nope", ["ls: /nope: No such file or directory"]),
        ("id", ["uid=0(root) gid=0(root)"]),
        ("echo a b", ["a b"]),
        ("cat /nope", ["cat: /nope: No such file or directory"]),
        ("cat /proc/self/uid_map", ["         0          0 4294967295"]),
        ("readlink /proc/self/ns/bogus", ["readlink: /proc/self/ns/bogus: not a namespace link"]),
        ("sleep soon", ["sleep: invalid number"]),
        ("ip route", ["usage: ip addr"]),
        ("ping -c 1", ["ping: usage error: Destination address required"]),
        ("write /etc/motd", ["usage: write PATH TEXT"]),
        ("write /no/dir/file x", ["write: /no/dir/file: No such file or directory"]),
        ("rm /nope", ["rm: cannot remove '/nope': No such file or directory"]),
        ("stress --vm-bytes lots", ["stress: invalid size 'lots' (use e.g. 64m)"]),
        ("burn", ["usage: burn SECONDS [THREADS]"]),
        ("sh", []),
    ],
)
def test_programs(box: Engine, command: str, expected: list[str]) -> None:
    assert docker(box, f"docker exec box {command}") == expected


def test_status_shows_nspid(box: Engine) -> None:
    status = docker(box, "docker exec box cat /proc/self/status")
    host_pid, inner_pid = status[2].split("\t")[1:]
    assert int(host_pid) > int(inner_pid) == 2


def test_sh_stops_when_fork_fails(box: Engine) -> None:
    # pids.max 4: sleep, the exec'd sh, and two children; the third child is refused.
    out = docker(box, 'docker exec box sh -c "sleep 1; sleep 2; echo never"')
    assert out[-1] == "sh: can't fork: Resource temporarily unavailable"


def test_writes_show_in_docker_diff(box: Engine) -> None:
    docker(box, "docker exec box write /etc/motd changed")
    docker(box, "docker exec box rm /etc/passwd")
    assert docker(box, "docker diff box") == ["C /etc", "C /etc/motd", "D /etc/passwd"]
    assert docker(box, "docker exec box cat /etc/motd") == ["changed"]
