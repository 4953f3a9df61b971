"""`virtdocs run` on every kind of bad guest the issue names: one line, the right exit code.

Assembly errors name ``file:line`` and exit 2 (the input is unusable); a guest that assembles
but does not end by halting names the code address and exits 1.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from virtdocs.cli import main

# (source, exit code, stderr after "virtdocs: error: "; {f} is the file's path)
CASES = {
    "unknown mnemonic": (
        "NOP\nFROB EAX\nHLT",
        2,
        "{f}:2: unknown mnemonic 'FROB'; expected an instruction such as MOV, ADD, JMP",
    ),
    "bad operand": (
        "POP 3\nHLT",
        2,
        "{f}:1: bad operands for POP: got value; expected (register)",
    ),
    "operand too wide": (
        "MOV EAX, 99999999999999999999\nHLT",
        2,
        "{f}:1: '99999999999999999999' is 99999999999999999999, which does not fit in a "
        "32-bit word (-2147483648..4294967295)",
    ),
    "bad escape": (
        "MOV EAX, '\\x'\nHLT",
        2,
        "{f}:1: bad escape in '\\\\x': truncated \\xXX escape",
    ),
    "undefined label": ("JMP nowhere\nHLT", 2, "{f}:1: undefined label or constant 'nowhere'"),
    "jump outside the program": (
        "JMP 99\nHLT",
        2,
        "{f}:1: jump target 0x63 is outside the program (code addresses 0..0x1)",
    ),
    "jump outside at run time": (
        "MOV EAX, 5\nJMP EAX\nHLT",
        1,
        "address 0x1 ({f}:2): JMP to 0x5, outside the program (0..0x2), and it cannot be "
        "delivered (#GP general protection: no IDT gate for vector 13)",
    ),
    "illegal instruction": (
        "NOP\nUD2",
        1,
        "address 0x1 ({f}:2): UD2 is an invalid opcode by definition, and it cannot be "
        "delivered (#UD invalid opcode: no IDT gate for vector 6)",
    ),
    "division by zero": (
        "MOV ECX, 0\nDIV EAX, ECX\nHLT",
        1,
        "address 0x1 ({f}:2): DIV by zero, and it cannot be delivered "
        "(#DE divide error: no IDT gate for vector 0)",
    ),
    "stack overflow": (
        "deeper: CALL deeper",
        1,
        "address 0x0 ({f}:1): stack overflow: ESP=0x0 cannot grow, and it cannot be "
        "delivered (#SS stack fault: no IDT gate for vector 12)",
    ),
    "running off the end": (
        "MOV EAX, 1",
        1,
        "address 0x1: execution ran past the end of the program",
    ),
}


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out), out.getvalue()


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_guests_fail_in_one_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, exit_code, message = CASES[case]
    path = tmp_path / "guest.s"
    path.write_text(source + "\n")
    code, _ = _run("run", str(path), "--max-steps", "200000")
    assert code == exit_code
    assert capsys.readouterr().err == f"virtdocs: error: {message.format(f=path)}\n"


def test_step_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "spin.s"
    path.write_text("spin: JMP spin\n")
    code, out = _run("run", str(path), "--max-steps", "1000")
    assert code == 1
    assert capsys.readouterr().err == (
        f"virtdocs: error: address 0x0 ({path}:1): step limit reached after 1,000 steps "
        "(--max-steps)\n"
    )
    assert "instructions=1000 " in out  # the report still shows what ran


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x9e\x00\xff", "byte 0 is not UTF-8"),
        (b"NOP\n\x00\x00\nHLT\n", "byte 4 is NUL"),
    ],
)
def test_binary_programs_exit_2(
    content: bytes, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "blob.s"
    path.write_bytes(content)
    assert _run("run", str(path))[0] == 2
    assert capsys.readouterr().err == f"virtdocs: error: {path}: not a text file ({reason})\n"


def test_a_folder_is_not_a_program(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("run", str(tmp_path))[0] == 2
    assert capsys.readouterr().err == (
        f"virtdocs: error: {tmp_path}: cannot read the program: Is a directory\n"
    )
