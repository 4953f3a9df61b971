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


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("64MiB", 64 << 20),
        ("1 g", 1 << 30),
        (".5g", 1 << 29),
        ("1e3m", 1000 << 20),
        ("8M", 8 << 20),
    ],
)
def test_sizes_go_units_accepts(text: str, size: int) -> None:
    # go-units v0.5.0 (docker/go-units#40): optional "b" or "ib", one space, any case.
    assert parse_memory(text) == size


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.5Gx", "invalid suffix: 'gx'"),
        ("5mbb", "invalid suffix: 'mbb'"),
        ("64Mi", "invalid suffix: 'mi'"),
        ("-1", "invalid size: '-1'"),
        ("", "invalid size: ''"),
        ("g", "invalid size: 'g'"),
    ],
)
def test_invalid_sizes(text: str, reason: str) -> None:
    with pytest.raises(DockerError) as caught:
        parse_memory(text)
    assert str(caught.value) == f'invalid argument "{text}" for "-m, --memory" flag: {reason}'
    assert caught.value.exit_code == 125


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.2.3m", 'parsing "1.2.3": invalid syntax'),
        ("1_000m", 'parsing "1_000": invalid syntax'),  # Python's float would accept it
        ("5  g", 'parsing "5 ": invalid syntax'),
        ("1e400", 'parsing "1e400": value out of range'),
    ],
)
def test_numbers_go_cannot_parse(text: str, reason: str) -> None:
    with pytest.raises(DockerError) as caught:
        parse_memory(text)
    assert str(caught.value).endswith(f"flag: strconv.ParseFloat: {reason}")


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
