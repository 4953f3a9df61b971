"""``virtdocs analyze`` and ``virtdocs run``: output, JSON contracts, and one-line errors."""

from __future__ import annotations

import io
import json

import pytest

from virtdocs.cli import main


def cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out), out.getvalue()


def test_analyze_x86_json_contract() -> None:
    code, text = cli("analyze", "x86", "--json")
    document = json.loads(text)
    assert code == 0
    assert {
        "virtualizable",
        "hybrid_virtualizable",
        "virtualization_hole",
        "privileged",
        "sensitive",
    } <= set(document)
    assert document["virtualizable"] is False
    assert "POPF" in document["virtualization_hole"]
    assert all(name == name.upper() for name in document["sensitive"])


def test_analyze_tiny86_text() -> None:
    code, text = cli("analyze", "tiny86")
    assert code == 0
    assert "virtualization hole (6): SGDT, SIDT, STR, SMSW, PUSHF, POPF" in text
    assert "Theorem 1, sensitive ⊆ privileged: fails" in text


def test_analyze_unknown_isa(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("analyze", "arm")[0] == 2
    assert capsys.readouterr().err == (
        "virtdocs: error: ISA: unknown instruction set 'arm'; choose one of x86, tiny86\n"
    )


def test_run_native_prints_console_and_stats() -> None:
    code, text = cli("run", "examples/guests/loop.s", "--define", "ITERATIONS=10")
    assert code == 0
    assert text.startswith("checksum 25\n-- native: address ")
    assert "halted (interrupts are off)\n-- instructions=" in text


def test_run_json_and_trace() -> None:
    code, text = cli("run", "examples/guests/syscalls.s", "--json", "--trace")
    document = json.loads(text)
    assert code == 0 and document["halted"] is True
    assert any(event["kind"] == "interrupt" for event in document["trace"])
    assert document["config"] == {
        "program": "examples/guests/syscalls.s",
        "technique": "native",
        "max_steps": 50_000_000,
        "defines": {},
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["run", "examples/guests/loop.s", "--max-steps", "100"],
            "virtdocs: error: address 0x83 (examples/guests/loop.s:20): step limit reached after "
            "100 steps (--max-steps)\n",
        ),
        (
            ["run", "missing.s"],
            "virtdocs: error: missing.s: cannot read the program: No such file or directory\n",
        ),
        (
            ["run", "examples/guests/loop.s", "--define", "NOPE=1"],
            "virtdocs: error: --define NOPE: the program has no '.equ NOPE' to override\n",
        ),
    ],
)
def test_run_errors_are_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = cli(*argv)
    assert code in (1, 2)
    assert capsys.readouterr().err == message


def test_run_step_limit_exits_1() -> None:
    assert cli("run", "examples/guests/loop.s", "--max-steps", "100")[0] == 1
