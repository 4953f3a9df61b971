"""Flag parsing with Docker's wording (docker/cli opts, go-units, pflag)."""

from __future__ import annotations

import pytest

from virtdocs.container.dockercli import parse_run
from virtdocs.container.dockerflags import (
    MIN_MEMORY,
    DockerError,
    parse_cpus,
    parse_env,
    parse_memory,
    parse_pids_limit,
)
from virtdocs.container.params import DOCKER_MIN_MEMORY_BYTES


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("64m", 64 << 20),
        ("1.5g", 1610612736),
        ("6144k", 6 << 20),
        ("1g", 1 << 30),
        ("100mb", 100 << 20),
        ("7340032", 7340032),
        ("0", 0),
    ],
)
def test_memory_sizes(text: str, size: int) -> None:
    assert parse_memory(text) == size


@pytest.mark.parametrize("text", ["1.5Gx", "-1", "", "g", "5mbb"])
def test_invalid_sizes(text: str) -> None:
    with pytest.raises(DockerError) as caught:
        parse_memory(text)
    assert str(caught.value) == (
        f'invalid argument "{text}" for "-m, --memory" flag: invalid size: \'{text}\''
    )
    assert caught.value.exit_code == 125


def test_numbers_go_cannot_parse() -> None:
    with pytest.raises(DockerError, match=r'strconv.ParseFloat: parsing "1\.2\.3": invalid'):
        parse_memory("1.2.3m")


def test_minimum_memory_is_docs_value() -> None:
    assert DOCKER_MIN_MEMORY_BYTES.low == MIN_MEMORY
    with pytest.raises(DockerError, match="Minimum memory limit allowed is 6MB"):
        parse_memory("4m")


def test_cpus() -> None:
    assert parse_cpus("0.5", 2) == 500_000_000
    assert parse_cpus("3/2", 2) == 1_500_000_000
    assert parse_cpus("0", 2) == 0
    with pytest.raises(DockerError, match=r'"abc" for "--cpus" flag: failed to parse abc as a'):
        parse_cpus("abc", 2)
    with pytest.raises(
        DockerError, match=r"range of CPUs is from 0\.01 to 2\.00, as there are only 2 CPUs"
    ):
        parse_cpus("-1", 2)
    with pytest.raises(DockerError, match="value is too precise"):
        parse_cpus("0.0000000001", 2)


def test_pids_and_env() -> None:
    assert parse_pids_limit("100") == 100
    assert parse_pids_limit("0") is None and parse_pids_limit("-1") is None
    with pytest.raises(DockerError, match=r'strconv.ParseInt: parsing "x": invalid syntax'):
        parse_pids_limit("x")
    assert parse_env("A=1=2") == ("A", "1=2")
    assert parse_env("ONLY_NAME") is None
    with pytest.raises(DockerError, match="invalid environment variable: =x"):
        parse_env("=x")


def test_parse_run_flags() -> None:
    spec = parse_run(
        [
            "-d",
            "--name=web",
            "-m",
            "64m",
            "--cpus",
            "0.5",
            "-e",
            "A=1",
            "--hostname",
            "h",
            "--network",
            "none",
            "alpine",
            "echo",
            "-n",
            "x",
        ],
        2,
    )
    assert (spec.detach, spec.name, spec.memory, spec.nano_cpus) == (
        True,
        "web",
        64 << 20,
        500_000_000,
    )
    assert spec.command == ("echo", "-n", "x") and spec.env == (("A", "1"),)
    with pytest.raises(DockerError, match="unknown flag: --bogus"):
        parse_run(["--bogus", "alpine"], 2)
    with pytest.raises(DockerError, match="requires at least 1 argument"):
        parse_run(["-d"], 2)
    with pytest.raises(DockerError, match="flag needs an argument: -m"):
        parse_run(["-m"], 2)


def test_cpus_below_one_hundredth_are_refused() -> None:
    with pytest.raises(DockerError, match=r"range of CPUs is from 0\.01"):
        parse_cpus("0.001", 2)
    assert parse_cpus("0.01", 2) == 10_000_000
