"""The engine: Docker's verbs, state transitions, limits, Docker's errors."""

from __future__ import annotations

import pytest

from virtdocs.container.dockercli import docker
from virtdocs.container.dockerflags import DockerError
from virtdocs.container.engine import STOP_TIMEOUT_SECONDS, TRANSITIONS, Engine, RunSpec, State
from virtdocs.container.namespaces import NsType
from virtdocs.container.params import RUNC_START_MS
from virtdocs.container.runtimes import runtime
from virtdocs.errors import UserError


def test_run_pulls_then_starts_in_new_namespaces(engine: Engine) -> None:
    container, lines = engine.run(RunSpec("nginx:1.27-alpine", name="web", detach=True))
    assert lines[0] == "Unable to find image 'nginx:1.27-alpine' locally"
    assert lines[-1] == container.id and len(container.id) == 64
    assert container.state is State.RUNNING
    proc = container.process
    assert proc is not None
    host = engine.kernel.init
    for kind in (NsType.PID, NsType.MNT, NsType.UTS, NsType.IPC, NsType.NET, NsType.CGROUP):
        assert proc.ns[kind] is not host.ns[kind]
    for kind in (NsType.USER, NsType.TIME):  # opt-in in Docker
        assert proc.ns[kind] is host.ns[kind]
    assert proc.nspids[-1] == 1 and proc.pid != 1
    assert engine.kernel.hostname(proc) == container.id[:12]
    assert engine.now == pytest.approx((RUNC_START_MS.low or 0) / 1000)


def test_second_image_reuses_the_shared_layer(engine: Engine) -> None:
    engine.pull("alpine:3.20")
    report = engine.pull("app:1.0")
    assert report.lines[1].endswith("Already exists")
    assert report.lines[2].endswith("Pull complete")
    again = engine.pull("app:1.0")
    assert not again.downloaded and again.lines[-1] == "Status: Image is up to date for app:1.0"


def test_limits_land_in_the_cgroup(engine: Engine) -> None:
    docker(
        engine,
        "docker run -d --name box -m 64m --cpus 1.5 --pids-limit 30 alpine:3.20 sleep infinity",
    )
    out = docker(
        engine,
        "docker exec box cat /sys/fs/cgroup/memory.max "
        "/sys/fs/cgroup/cpu.max /sys/fs/cgroup/pids.max /proc/self/cgroup",
    )
    assert out == ["67108864", "150000 100000", "30", "0::/"]


def test_oom_kill_of_init_marks_the_container(engine: Engine) -> None:
    container, _ = engine.run(
        RunSpec("alpine:3.20", ("stress", "--vm-bytes", "32m"), name="hog", memory=16 << 20)
    )
    assert container.state is State.EXITED
    assert container.exit_code == 137 and container.oom_killed
    state = engine.inspect("hog")["State"]
    assert state == {
        "Status": "exited",
        "Running": False,
        "OOMKilled": True,
        "Pid": 0,
        "ExitCode": 137,
    }


def test_fork_bomb_is_stopped_by_pids_limit(engine: Engine) -> None:
    docker(engine, "docker run -d --name box --pids-limit 12 alpine:3.20 sleep infinity")
    assert docker(engine, "docker exec box forkbomb")[0] == "forkbomb: created 10 processes"
    assert docker(engine, "docker exec box cat /sys/fs/cgroup/pids.events") == ["max 1"]
    # The host still forks fine: the limit is the container's, not the machine's.
    assert engine.kernel.clone(engine.kernel.init, ("ok",)).process is not None


def test_exec_joins_the_container(engine: Engine) -> None:
    docker(engine, "docker run -d --name web --hostname web1 -e MODE=test nginx:1.27-alpine")
    assert docker(engine, "docker exec web hostname") == ["web1"]
    assert "MODE=test" in docker(engine, "docker exec web env")
    ps = docker(engine, "docker exec web ps")
    assert ps[1].split()[0] == "1" and "nginx" in ps[1]
    assert docker(engine, "docker exec web cat /etc/hostname") == ["web1"]


def test_stop_rm_and_state_machine(engine: Engine) -> None:
    docker(engine, "docker run -d --name web nginx:1.27-alpine")
    with pytest.raises(DockerError, match="container is running"):
        docker(engine, "docker rm web")
    before = engine.now
    docker(engine, "docker stop web")
    assert engine.now == before + STOP_TIMEOUT_SECONDS == before + 10.0
    assert engine.inspect("web")["State"]["ExitCode"] == 137  # type: ignore[index]
    with pytest.raises(
        DockerError,
        match=r"^Error response from daemon: container [0-9a-f]{64} "
        r"is not running$",
    ):
        docker(engine, "docker exec web hostname")
    docker(engine, "docker start web")
    assert docker(engine, "docker exec web hostname")
    docker(engine, "docker rm -f web")
    with pytest.raises(DockerError, match="No such container: web"):
        docker(engine, "docker logs web")
    assert engine.kernel.cgroups.get("/system.slice").children == {}


def test_transition_table_is_checked() -> None:
    assert State.RUNNING not in TRANSITIONS[State.REMOVED]
    engine = Engine.__new__(Engine)
    container = type("C", (), {"state": State.EXITED, "short": "abc"})()
    with pytest.raises(RuntimeError, match="illegal transition exited -> exited"):
        Engine._transition(engine, container, State.EXITED)


def test_name_conflict_wording(engine: Engine) -> None:
    container, _ = engine.run(RunSpec("alpine:3.20", ("sleep", "infinity"), name="web"))
    with pytest.raises(DockerError) as caught:
        engine.run(RunSpec("alpine:3.20", name="web"))
    assert str(caught.value) == (
        f'docker: Error response from daemon: Conflict. The container name "/web" is already '
        f'in use by container "{container.id}". You have to remove (or rename) that container '
        "to be able to reuse that name."
    )
    assert caught.value.exit_code == 125


def test_unknown_image_and_tag(engine: Engine) -> None:
    with pytest.raises(DockerError) as caught:
        engine.run(RunSpec("nosuch"))
    assert caught.value.preamble == ("Unable to find image 'nosuch:latest' locally",)
    assert "pull access denied for nosuch, repository does not exist" in str(caught.value)
    with pytest.raises(DockerError, match="manifest for alpine:9 not found: manifest unknown"):
        engine.pull("alpine:9")


def test_networks(engine: Engine) -> None:
    docker(engine, "docker run -d --name web alpine:3.20 sleep infinity")
    docker(engine, "docker run -d --name api alpine:3.20 sleep infinity")
    docker(engine, "docker run -d --name hostnet --network host alpine:3.20 sleep infinity")
    assert engine.inspect("web")["NetworkSettings"] == {
        "Networks": {
            "bridge": {
                "IPAddress": "172.17.0.2",
                "MacAddress": "02:42:ac:11:00:02",
                "Gateway": "172.17.0.1",
            }
        }
    }
    assert docker(engine, "docker exec web ping 172.17.0.3")[0].endswith("eth0@api")
    h = engine.find("hostnet").process
    assert h is not None and h.ns[NsType.NET] is engine.kernel.init.ns[NsType.NET]
    with pytest.raises(DockerError, match="network nowhere not found"):
        docker(engine, "docker run --network nowhere alpine:3.20")


def test_runtimes_change_start_time_and_overhead(engine: Engine) -> None:
    engine.pull("alpine:3.20")
    start = engine.now
    engine.run(RunSpec("alpine:3.20", ("sleep", "infinity"), name="fc", runtime="firecracker"))
    assert engine.now - start == pytest.approx(0.125)
    footprint = engine.memory_footprint()
    assert footprint["fc"] == runtime("firecracker").overhead_mib.low
    with pytest.raises(Exception, match="unknown or invalid runtime name: nope"):
        engine.run(RunSpec("alpine:3.20", runtime="nope"))


def test_same_seed_same_ids(registry: object) -> None:
    from virtdocs.container.images import Registry

    assert isinstance(registry, Registry)
    ids = [Engine(registry, seed=3).run(RunSpec("alpine:3.20", ("true",)))[0].id for _ in range(2)]
    assert ids[0] == ids[1]


def test_unknown_program_fails_like_exec(engine: Engine) -> None:
    engine.pull("alpine:3.20")
    with pytest.raises(DockerError) as caught:
        engine.run(RunSpec("alpine:3.20", ("bash",), name="shell"))
    assert caught.value.exit_code == 127
    assert str(caught.value).endswith(
        'unable to start container process: exec: "bash": executable file not found in '
        "$PATH: unknown"
    )
    # As in Docker, the container exists but never started.
    container = engine.find("shell")
    assert container.state is State.CREATED and container.exit_code == 127
    assert "Created" in docker(engine, "docker ps -a")[1]
    with pytest.raises(DockerError) as again:
        docker(engine, "docker start shell")
    assert again.value.exit_code == 1
    assert str(again.value).startswith("Error response from daemon: failed to create task")
    docker(engine, "docker rm shell")


def test_exec_of_a_missing_program_is_a_runtime_error(engine: Engine) -> None:
    docker(engine, "docker run -d --name web alpine:3.20 sleep infinity")
    with pytest.raises(DockerError) as caught:
        docker(engine, "docker exec web bash")
    assert caught.value.exit_code == 126
    assert str(caught.value) == (
        "OCI runtime exec failed: exec failed: unable to start container process: "
        'exec: "bash": executable file not found in $PATH: unknown'
    )


@pytest.mark.parametrize("name", ["x", "bad/name", "-dash", "with space"])
def test_invalid_container_names(engine: Engine, name: str) -> None:
    # moby's RestrictedNamePattern needs two characters at least (docker/cli#1641).
    with pytest.raises(DockerError) as caught:
        engine.run(RunSpec("alpine:3.20", name=name))
    assert str(caught.value) == (
        f"docker: Error response from daemon: Invalid container name ({name}), "
        "only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
    )
    assert caught.value.exit_code == 125 and not engine.containers


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("docker exec", '"docker exec" requires at least 2 arguments.'),
        ("docker exec web", '"docker exec" requires at least 2 arguments.'),
        ("docker logs", '"docker logs" requires exactly 1 argument.'),
        ("docker rm -f", '"docker rm" requires at least 1 argument.'),
        ("docker network create", '"docker network create" requires exactly 1 argument.'),
        ('docker run alpine:3.20 sh -c "echo', "shell syntax error: no closing quotation"),
    ],
)
def test_malformed_command_lines(engine: Engine, line: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        docker(engine, line)
    assert str(caught.value).startswith(message)


def test_sh_reports_an_unbalanced_quote(engine: Engine) -> None:
    docker(engine, "docker run -d --name web alpine:3.20 sleep infinity")
    assert docker(engine, """docker exec web sh -c 'echo "x'""") == [
        "sh: syntax error: unterminated quoted string"
    ]


def test_generated_names_are_unique(engine: Engine) -> None:
    engine.pull("alpine:3.20")
    names = [
        engine.run(RunSpec("alpine:3.20", ("sleep", "infinity"), detach=True))[0].name
        for _ in range(80)
    ]
    assert len(set(names)) == 80
    assert all("_" in name for name in names)


def test_tiny_cpu_limit_is_the_kernel_minimum(engine: Engine) -> None:
    container, _ = engine.run(RunSpec("alpine:3.20", ("sleep", "infinity"), nano_cpus=10**7))
    assert engine.kernel.cgroups.read(container.cgroup, "cpu.max") == "1000 100000\n"


def test_rm_running_quotes_the_reference(engine: Engine) -> None:
    container, _ = engine.run(RunSpec("alpine:3.20", ("sleep", "infinity"), name="web"))
    with pytest.raises(DockerError) as by_name:
        engine.rm("web")
    assert str(by_name.value) == (
        'Error response from daemon: cannot remove container "/web": container is running: '
        "stop the container before removing or force remove"
    )
    with pytest.raises(DockerError, match=f'container "{container.id[:5]}": container is'):
        engine.rm(container.id[:5])


def test_kill_is_immediate(engine: Engine) -> None:
    docker(engine, "docker run -d --name web nginx:1.27-alpine")
    before = engine.now
    assert docker(engine, "docker kill web") == ["web"]
    assert engine.now == before
    assert engine.inspect("web")["State"]["ExitCode"] == 137  # type: ignore[index]
    with pytest.raises(DockerError, match="is not running"):
        docker(engine, "docker kill web")


def test_unknown_verb(engine: Engine) -> None:
    with pytest.raises(DockerError, match="'compose up' is not a docker command"):
        docker(engine, "docker compose up")


def test_rm_flag_removes_the_container_when_it_exits(engine: Engine) -> None:
    engine.pull("alpine:3.20")
    assert docker(engine, "docker run --rm --name once alpine:3.20 echo hi") == ["hi"]
    assert docker(engine, "docker ps -a") == [docker(engine, "docker ps -a")[0]]  # header only
    docker(engine, "docker run -d --rm --name svc alpine:3.20 sleep infinity")
    assert docker(engine, "docker stop svc") == ["svc"]
    with pytest.raises(DockerError, match="No such container: svc"):
        engine.inspect("svc")
    with pytest.raises(DockerError, match="executable file not found"):
        docker(engine, "docker run --rm --name gone alpine:3.20 bash")
    assert not engine.containers and engine.kernel.cgroups.get("/system.slice").children == {}
