"""``virtdocs cluster``: the simulate contract and the kubectl front door."""

from __future__ import annotations

import io
import json

import pytest

from virtdocs.cli import main


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(argv, out), out.getvalue()


def test_simulate_json_has_the_contract_keys() -> None:
    code, text = run(["cluster", "simulate", "--nodes", "20", "--pods", "100", "--json"])
    report = json.loads(text)
    assert code == 0
    assert set(report) == {"nodes", "pods", "scheduled", "pending", "seconds"}
    assert (report["nodes"], report["pods"], report["scheduled"], report["pending"]) == (
        20,
        100,
        100,
        0,
    )


def test_simulate_text_echoes_its_configuration() -> None:
    code, text = run(["cluster", "simulate", "--nodes", "1", "--pods", "50", "--seed", "3"])
    assert code == 0
    assert text.splitlines()[:3] == ["ARG nodes 1", "ARG pods 50", "ARG seed 3"]
    assert "last FailedScheduling: 0/1 nodes are available: 1 Insufficient cpu." in text


def test_bad_flags_are_one_line_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run(["cluster", "simulate", "--nodes", "-1", "--pods", "5"])
    assert code == 2
    assert capsys.readouterr().err == "virtdocs: error: --nodes: must be 0 or more, got -1\n"


def test_kubectl_subcommand_applies_and_prints() -> None:
    code, text = run(
        [
            "cluster",
            "kubectl",
            "--nodes",
            "2",
            "-f",
            "examples/manifests/deployment-my-nginx.yaml",
            "--",
            "get",
            "deploy",
        ]
    )
    assert code == 0
    assert text.splitlines()[1].split()[:4] == ["my-nginx", "2/2", "2", "2"]
    code, text = run(["cluster", "kubectl", "--", "get", "pods", "nope"])
    assert (code, text) == (1, 'Error from server (NotFound): pods "nope" not found\n')
