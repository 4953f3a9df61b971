"""``virtdocs container``: sessions, throttle, compare, runtimes, host."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from virtdocs.cli import main

REPO = Path(__file__).resolve().parents[2]
SESSIONS = REPO / "examples/containers/sessions"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(argv, out)
    return code, out.getvalue(), capsys.readouterr().err


@pytest.mark.parametrize("name", ["engine", "errors", "limits", "network"])
def test_example_sessions_replay(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    code, out, err = run(["container", "session", str(SESSIONS / f"{name}.session")], capsys)
    assert (code, err) == (0, "")
    assert out.startswith("# seed 0, registry examples/containers/registry.toml\n> docker")


def test_session_is_deterministic(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    first = run(["container", "session", str(SESSIONS / "engine.session")], capsys)[1]
    assert first == run(["container", "session", str(SESSIONS / "engine.session")], capsys)[1]
    other = run(["container", "session", "--seed", "1", str(SESSIONS / "engine.session")], capsys)[
        1
    ]
    assert other != first


def test_unexpected_failure_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    session = tmp_path / "s.session"
    session.write_text("# comment\ndocker run -m 1.5Gx alpine:3.20\n")
    code, _, err = run(["container", "session", str(session)], capsys)
    assert code == 125
    assert err == (
        f'virtdocs: error: {session}:2: invalid argument "1.5Gx" for '
        "\"-m, --memory\" flag: invalid suffix: 'gx'\n"
    )
    session.write_text("! docker pull alpine:3.20\n")
    code, _, err = run(["container", "session", str(session)], capsys)
    assert code == 2 and "expected this command to fail" in err
    session.write_text("ls -l\n")
    assert (
        "expected a line starting with 'docker'"
        in run(["container", "session", str(session)], capsys)[2]
    )
    code, _, err = run(["container", "session", str(tmp_path / "missing")], capsys)
    assert code == 2 and "No such file" in err


def test_throttle(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["container", "throttle", "--cpus", "0.5"], capsys)
    assert code == 0
    assert "cpu.max: 50000 100000\nwall time: 1.950 s\n" in out
    assert "nr_throttled 19\n" in out
    code, _, err = run(["container", "throttle", "--cpus", "x"], capsys)
    assert code == 125 and "failed to parse x as a rational number" in err
    code, _, err = run(["container", "throttle", "--threads", "0"], capsys)
    assert code == 2 and "must be positive" in err


def test_compare_and_runtimes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    code, out, _ = run(["container", "compare", "--json"], capsys)
    assert code == 0 and json.loads(out)[0]["metric"] == "start time"
    code, out, _ = run(["container", "runtimes", "--json"], capsys)
    assert [r["flag"] for r in json.loads(out)] == ["runc", "runsc", "kata", "firecracker"]
    code, _, err = run(["container", "compare", "--image", "nosuch:1"], capsys)
    assert code == 2 and "--image: nosuch:1 is not in" in err


def test_host_with_injected_root(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["container", "host", "--root", str(REPO / "examples/containers/host-root")], capsys
    )
    assert code == 0 and out.splitlines()[4] == "pid     pid:[4026531836]"


def test_bare_subcommand_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["container"], capsys)
    assert code == 2 and "session" in out
