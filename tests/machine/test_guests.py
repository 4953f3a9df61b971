"""The example guests under examples/guests/ run natively and say what they should."""

from __future__ import annotations

from pathlib import Path

from virtdocs.hypervisor.isa_tables import TINY86
from virtdocs.hypervisor.popek_goldberg import analyze
from virtdocs.machine import assemble_file, run_native

GUESTS = Path(__file__).resolve().parents[2] / "examples" / "guests"


def test_benchmark_guest_runs_ten_million_loop_instructions_at_full_length() -> None:
    full = assemble_file(GUESTS / "loop.s")
    # Four instructions per iteration (ADD, XOR, DEC, JNZ) — checked on small runs below.
    assert full.constants["ITERATIONS"] * 4 >= 10_000_000
    small = [
        run_native(assemble_file(GUESTS / "loop.s", defines={"ITERATIONS": n})) for n in (100, 200)
    ]
    assert all(outcome.stop.code == "halted" for outcome in small)
    assert small[1].cpu.steps - small[0].cpu.steps == 4 * 100


def test_benchmark_guest_prints_its_checksum() -> None:
    outcome = run_native(assemble_file(GUESTS / "loop.s", defines={"ITERATIONS": 10}))
    # EAX += EDX with EDX alternating 1, 4, 1, 4…: ten iterations sum to 25.
    assert outcome.cpu.console.text == "checksum 25\n"


def test_syscall_guest_uses_system_calls_and_timer_interrupts() -> None:
    outcome = run_native(assemble_file(GUESTS / "syscalls.s"), trace=True)
    assert outcome.stop.code == "halted"
    assert outcome.cpu.console.text == "hello from ring 3\ntimer ticks seen: 3\n"
    assert outcome.counters.interrupts == 3
    assert outcome.counters.syscalls > 3
    assert outcome.cpu.mem[assemble_file(GUESTS / "syscalls.s").data_labels["exit_code"]] == 7
    kinds = {event.kind for event in outcome.counters.trace or []}
    assert {"trap", "interrupt", "ring"} <= kinds


def test_privileged_instruction_in_ring_3_traps_and_the_kernel_kills_the_process() -> None:
    program = assemble_file(GUESTS / "privileged.s")
    outcome = run_native(program)
    hlt_address = next(
        i
        for i, ins in enumerate(program.code)
        if ins.mnemonic == "HLT" and ins.file.endswith("privileged.s")
    )
    assert outcome.cpu.console.text.endswith(
        f"[kernel] general protection fault at eip {hlt_address:#010x}: process killed\n"
    )


def test_sensitive_guest_uses_every_sensitive_instruction_of_tiny86() -> None:
    program = assemble_file(GUESTS / "sensitive.s")
    used = {instruction.mnemonic for instruction in program.code}
    assert set(analyze(TINY86).sensitive) <= used
    outcome = run_native(program)
    lines = outcome.cpu.console.text.splitlines()
    assert lines[-1].startswith("ring 3 CLI: #GP at eip")
    assert "ring 3 POPF with IF=0, then PUSHF: flags 0x00000202" in lines  # IF stayed 1


def test_irqsave_guest_works_on_bare_hardware() -> None:
    outcome = run_native(assemble_file(GUESTS / "irqsave.s"))
    assert outcome.cpu.console.text == "IF inside the critical section: 0\ntick tick done\n"
    assert outcome.stop.code == "halted"
