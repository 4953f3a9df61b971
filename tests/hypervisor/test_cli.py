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


# --- every technique through the command line (issue 4) --------------------------------------

TECHNIQUE_NAMES = (
    "native",
    "trap-and-emulate",
    "interpretation",
    "scan-and-patch",
    "binary-translation",
    "paravirtualization",
    "hardware-assisted",
)


@pytest.mark.parametrize("technique", TECHNIQUE_NAMES)
def test_run_json_for_every_technique(technique: str) -> None:
    code, text = cli(
        "run", "examples/guests/loop.s", "--define", "ITERATIONS=10", "--technique", technique,
        "--json",
    )  # fmt: skip
    document = json.loads(text)
    assert code == 0 and document["halted"] is True
    assert document["state"]["console"] == "checksum 25\n"
    assert document["stats"]["modeled_cycles"] > 0


def test_run_compare_prints_one_table() -> None:
    code, text = cli("run", "--compare", "examples/guests/irqsave.s")
    lines = text.splitlines()
    assert code == 0 and lines[0].startswith("technique")
    rows = {line.split()[0]: line for line in lines[1:]}
    assert set(rows) == set(TECHNIQUE_NAMES)
    assert rows["trap-and-emulate"].split()[1] == "NO"
    same = [t for t in TECHNIQUE_NAMES if t not in {"trap-and-emulate", "paravirtualization"}]
    assert all(rows[t].split()[1] == "yes" for t in same)
    assert "refused" in rows["paravirtualization"] and "no paravirtualized build" in text


def test_run_compare_json() -> None:
    code, text = cli("run", "--compare", "--json", "examples/guests/privileged.s")
    document = json.loads(text)
    assert code == 0 and document["refused"] == {}
    assert [r["technique"] for r in document["results"]] == list(TECHNIQUE_NAMES)


def test_paravirtualization_refusal_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = cli("run", "examples/guests/irqsave.s", "--technique", "paravirtualization")
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("virtdocs: error: examples/guests/irqsave.s: no paravirtualized build")


def test_guest_fault_under_a_technique_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = cli("run", "examples/guests/nokernel.s", "--technique", "binary-translation")
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "cannot be delivered" in err


@pytest.mark.parametrize(
    "technique", [t for t in TECHNIQUE_NAMES if t not in {"paravirtualization", "native"}]
)
def test_a_guest_that_cannot_take_its_fault_is_one_line_exit_1(
    technique: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = cli("run", "examples/guests/nokernel.s", "--technique", technique)
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and err.startswith("virtdocs: error: address 0x2")
    assert "Traceback" not in out + err
