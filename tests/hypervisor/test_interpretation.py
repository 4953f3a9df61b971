"""Interpretation: the software fetch-decode-emulate loop, on tiny86 and on rv8."""

from __future__ import annotations

from pathlib import Path

import pytest

from virtdocs.errors import UserError
from virtdocs.hypervisor.interpretation import (
    WORDS_PER_INSTRUCTION,
    Interpretation,
    Tiny86Frontend,
    encode,
    interpret,
    opcode,
)
from virtdocs.hypervisor.risc import (
    assemble_rv8,
    assemble_rv8_file,
    disassemble_word,
    run_rv8,
)
from virtdocs.hypervisor.risc import (
    encode as encode_rv8,
)
from virtdocs.hypervisor.technique import RunConfig
from virtdocs.machine import CPU, assemble, assemble_file, run_native

GUESTS = Path(__file__).resolve().parents[2] / "examples" / "guests"


def test_the_image_is_encoded_and_decoded_every_step() -> None:
    program = assemble("MOV EAX, 5\nADD EAX, EBX\nHLT", "t.s")
    image = encode(program)
    assert len(image) == WORDS_PER_INSTRUCTION * 3
    assert image[4:8] == [opcode("ADD r,r"), 0, 3, 0]
    cpu = CPU(program, 1024)
    frontend = Tiny86Frontend(image)
    result, executed = interpret(frontend, cpu, 2)
    assert (result, executed, cpu.r[0], cpu.eip) == (None, 2, 5, 2)
    decoded = frontend.decode(cpu)
    assert decoded is not None and decoded[1].mnemonic == "HLT"


def test_every_guest_instruction_is_interpreted() -> None:
    program = assemble_file(GUESTS / "syscalls.s")
    native = run_native(program)
    result = Interpretation().run(program, RunConfig())
    assert result.state == native.cpu.snapshot()
    assert result.stats["interpreted"] == result.stats["instructions"] == native.cpu.steps
    assert result.stats["direct"] == 0
    assert result.stats["modeled_cycles"] == 120 * native.cpu.steps + native.cpu.idle


def test_rv8_runs_on_the_same_loop() -> None:
    result = run_rv8(assemble_rv8_file(GUESTS / "risc" / "sum.s"))
    assert (result.console, result.stop) == ("5050\n", "halted")
    total = assemble_rv8_file(GUESTS / "risc" / "sum.s").labels["total"]
    assert result.memory[total] == 5050
    assert dict(result.stats)["interpreted"] == result.steps


def test_rv8_encoding_round_trips() -> None:
    program = assemble_rv8("top: ADDI r1, r1, -1\nBNE r1, r0, top\nSW r2, 8(r3)\nHALT")
    assert [disassemble_word(w) for w in program.words] == [
        "ADDI r1, r1, -1", "BNE r1, r0, 0", "SW r2, 8(r3)", "HALT",
    ]  # fmt: skip
    assert encode_rv8("ADDI", 2, 2, 100) == 0x0822_0064


def test_rv8_faults_and_bad_source() -> None:
    result = run_rv8(assemble_rv8("LI r1, 5000\nLW r2, 0(r1)\nHALT"))
    assert result.stop == "fault" and "load from 0x1388, outside memory" in result.message
    assert run_rv8(assemble_rv8(".word 0xFF000000")).message.endswith(
        "invalid opcode 0xff in word 0xff000000"
    )
    assert run_rv8(assemble_rv8("top: J top"), max_steps=50).stop == "step-limit"
    with pytest.raises(UserError, match=r"x\.s:2: expected a register r0\.\.r15, got 'r16'"):
        assemble_rv8("LI r1, 1\nLI r16, 1", "x.s")
    with pytest.raises(UserError, match=r"x\.s:1: unknown rv8 mnemonic 'FROB'"):
        assemble_rv8("FROB r1", "x.s")


@pytest.mark.parametrize("technique", ["interpretation", "binary-translation"])
def test_software_cpus_stop_where_the_machine_stops(technique: str) -> None:
    from virtdocs.hypervisor import get_technique

    runaway = assemble_file(GUESTS / "loop.s", defines={"ITERATIONS": 10_000})
    past_end = assemble("MOV EAX, 1\nADD EAX, 2", "t.s")
    for program, config in ((runaway, RunConfig(max_steps=777)), (past_end, RunConfig())):
        native = get_technique("native").run(program, config)
        other = get_technique(technique).run(program, config)
        assert other.stop == native.stop and other.state == native.state
        assert other.stats["instructions"] == native.stats["instructions"]
