"""Every tiny86 instruction form, executed in every ring.

Unprivileged instructions must do the same thing in rings 0–3; privileged ones
must work in ring 0 and raise #GP (changing nothing) in rings 1–3;
IOPL-sensitive ones must work where CPL <= IOPL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from tests.machine.helpers import Step, step
from virtdocs.machine.events import EVENT, HALT
from virtdocs.machine.isa import DE_VECTOR, GP_VECTOR, SS_VECTOR, UD_VECTOR
from virtdocs.machine.semantics import FORMS

EAX, ECX, EDX, EBX, ESP = 0, 1, 2, 3, 4
RINGS = (0, 1, 2, 3)

# (source line, setup kwargs, check). Each check sees the Step after one instruction.
Check = Callable[[Step], object]


def regs(**values: int) -> dict[int, int]:
    names = {"EAX": EAX, "ECX": ECX, "EDX": EDX, "EBX": EBX}
    return {names[name]: value for name, value in values.items()}


def retired(s: Step) -> bool:
    return s.result is None and s.cpu.eip == 1


UNPRIVILEGED: list[tuple[str, dict[str, object], Check]] = [
    ("MOV EAX, EBX", {"regs": regs(EBX=7)}, lambda s: retired(s) and s.cpu.r[EAX] == 7),
    ("MOV EAX, -1", {}, lambda s: retired(s) and s.cpu.r[EAX] == 0xFFFF_FFFF),
    (
        "MOV EAX, [EBX+2]",
        {"regs": regs(EBX=10), "mem": {12: 99}},
        lambda s: retired(s) and s.cpu.r[EAX] == 99,
    ),
    ("MOV [EBX-1], EAX", {"regs": regs(EAX=5, EBX=10)}, lambda s: retired(s) and s.cpu.mem[9] == 5),
    ("MOV [20], 33", {}, lambda s: retired(s) and s.cpu.mem[20] == 33),
    ("MOV EAX, [5000]", {}, lambda s: s.trap is not None and s.trap.vector == GP_VECTOR),
    (
        "PUSH EAX",
        {"regs": regs(EAX=3)},
        lambda s: retired(s) and s.cpu.r[ESP] == 1023 and s.cpu.mem[1023] == 3,
    ),
    ("PUSH 0x42", {}, lambda s: retired(s) and s.cpu.mem[1023] == 0x42),
    ("PUSH EAX", {"esp": 0}, lambda s: s.trap is not None and s.trap.vector == SS_VECTOR),
    (
        "POP EBX",
        {"esp": 100, "mem": {100: 8}},
        lambda s: retired(s) and s.cpu.r[EBX] == 8 and s.cpu.r[ESP] == 101,
    ),
    ("POP EBX", {}, lambda s: s.trap is not None and s.trap.vector == SS_VECTOR),
    (
        "ADD EAX, EBX",
        {"regs": regs(EAX=0xFFFF_FFFF, EBX=1)},
        lambda s: retired(s) and s.cpu.r[EAX] == 0 and s.cpu.cf == 1 and s.cpu.zf == 1,
    ),
    (
        "ADD EAX, 1",
        {"regs": regs(EAX=0x7FFF_FFFF)},
        lambda s: retired(s) and s.cpu.of == 1 and s.cpu.sf == 1 and s.cpu.cf == 0,
    ),
    (
        "SUB EAX, EBX",
        {"regs": regs(EAX=1, EBX=2)},
        lambda s: retired(s) and s.cpu.r[EAX] == 0xFFFF_FFFF and s.cpu.cf == 1 and s.cpu.sf == 1,
    ),
    (
        "SUB EAX, 1",
        {"regs": regs(EAX=0x8000_0000)},
        lambda s: retired(s) and s.cpu.of == 1 and s.cpu.r[EAX] == 0x7FFF_FFFF,
    ),
    (
        "CMP EAX, EBX",
        {"regs": regs(EAX=4, EBX=4)},
        lambda s: retired(s) and s.cpu.zf == 1 and s.cpu.r[EAX] == 4,
    ),
    ("CMP EAX, 5", {"regs": regs(EAX=4)}, lambda s: retired(s) and s.cpu.cf == 1),
    ("AND EAX, EBX", {"regs": regs(EAX=0b1100, EBX=0b1010)}, lambda s: s.cpu.r[EAX] == 0b1000),
    ("AND EAX, 0", {"regs": regs(EAX=5)}, lambda s: retired(s) and s.cpu.zf == 1),
    ("OR EAX, EBX", {"regs": regs(EAX=1, EBX=2)}, lambda s: retired(s) and s.cpu.r[EAX] == 3),
    ("OR EAX, 4", {"regs": regs(EAX=1)}, lambda s: retired(s) and s.cpu.r[EAX] == 5),
    ("XOR EAX, EAX", {"regs": regs(EAX=9)}, lambda s: s.cpu.r[EAX] == 0 and s.cpu.zf == 1),
    ("XOR EAX, 5", {"regs": regs(EAX=1)}, lambda s: retired(s) and s.cpu.r[EAX] == 4),
    (
        "MUL EAX, EBX",
        {"regs": regs(EAX=0x10000, EBX=0x10000)},
        lambda s: retired(s) and s.cpu.r[EAX] == 0 and s.cpu.cf == 1 and s.cpu.of == 1,
    ),
    ("MUL EAX, 6", {"regs": regs(EAX=7)}, lambda s: retired(s) and s.cpu.r[EAX] == 42),
    ("DIV EAX, EBX", {"regs": regs(EAX=17, EBX=5)}, lambda s: retired(s) and s.cpu.r[EAX] == 3),
    (
        "DIV EAX, 0",
        {"regs": regs(EAX=17)},
        lambda s: s.trap is not None and s.trap.vector == DE_VECTOR and s.cpu.r[EAX] == 17,
    ),
    (
        "DIV EAX, EBX",
        {"regs": regs(EAX=1)},
        lambda s: s.trap is not None and s.trap.vector == DE_VECTOR,
    ),
    ("MOD EAX, EBX", {"regs": regs(EAX=17, EBX=5)}, lambda s: retired(s) and s.cpu.r[EAX] == 2),
    ("MOD EAX, 10", {"regs": regs(EAX=123)}, lambda s: retired(s) and s.cpu.r[EAX] == 3),
    (
        "INC EAX",
        {"regs": regs(EAX=0xFFFF_FFFF)},
        lambda s: retired(s) and s.cpu.r[EAX] == 0 and s.cpu.zf == 1 and s.cpu.cf == 0,
    ),
    ("DEC EAX", {"regs": regs(EAX=1)}, lambda s: retired(s) and s.cpu.zf == 1),
    (
        "SHL EAX, 4",
        {"regs": regs(EAX=0x1000_0001)},
        lambda s: retired(s) and s.cpu.r[EAX] == 0x10 and s.cpu.cf == 1,
    ),
    (
        "SHR EAX, 1",
        {"regs": regs(EAX=3)},
        lambda s: retired(s) and s.cpu.r[EAX] == 1 and s.cpu.cf == 1,
    ),
    ("NOP", {}, retired),
    ("JMP 3", {}, lambda s: s.result is None and s.cpu.eip == 3),
    ("JMP EAX", {"regs": regs(EAX=2)}, lambda s: s.cpu.eip == 2),
    (
        "JMP EAX",
        {"regs": regs(EAX=99)},
        lambda s: s.trap is not None and s.trap.vector == GP_VECTOR and s.cpu.eip == 0,
    ),
    ("JZ 3", {}, lambda s: s.cpu.eip == 1),
    ("JNZ 3", {}, lambda s: s.cpu.eip == 3),
    ("JC 3", {}, lambda s: s.cpu.eip == 1),
    ("JNC 3", {}, lambda s: s.cpu.eip == 3),
    ("JL 3", {}, lambda s: s.cpu.eip == 1),
    ("JGE 3", {}, lambda s: s.cpu.eip == 3),
    ("JLE 3", {}, lambda s: s.cpu.eip == 1),
    ("JG 3", {}, lambda s: s.cpu.eip == 3),
    ("CALL 2", {}, lambda s: s.cpu.eip == 2 and s.cpu.mem[1023] == 1 and s.cpu.r[ESP] == 1023),
    ("CALL EAX", {"regs": regs(EAX=3)}, lambda s: s.cpu.eip == 3 and s.cpu.mem[1023] == 1),
    ("RET", {"esp": 500, "mem": {500: 2}}, lambda s: s.cpu.eip == 2 and s.cpu.r[ESP] == 501),
    (
        "RET",
        {"esp": 500, "mem": {500: 77}},
        lambda s: s.trap is not None and s.trap.vector == GP_VECTOR and s.cpu.r[ESP] == 500,
    ),
    ("UD2", {}, lambda s: s.trap is not None and s.trap.vector == UD_VECTOR),
    ("INT 0x80", {}, lambda s: s.trap is not None and s.trap.software and s.trap.resume == 1),
    (
        "PUSHF",
        {"if_": 1, "iopl": 2},
        lambda s: retired(s) and s.cpu.mem[1023] == (1 << 1) | (1 << 9) | (2 << 12),
    ),
    ("SGDT [10]", {}, lambda s: retired(s) and (s.cpu.mem[10], s.cpu.mem[11]) == (0, 0)),
    ("SIDT [10]", {}, retired),
    ("STR EAX", {"regs": regs(EAX=5)}, lambda s: retired(s) and s.cpu.r[EAX] == 0),
    ("SMSW EAX", {}, lambda s: retired(s) and s.cpu.r[EAX] == 1),
]

PRIVILEGED: list[tuple[str, dict[str, object], Check]] = [
    ("HLT", {}, lambda s: s.result == HALT and s.cpu.eip == 1),
    (
        "LGDT [10]",
        {"mem": {10: 0x300, 11: 8}},
        lambda s: retired(s) and (s.cpu.gdt_base, s.cpu.gdt_limit) == (0x300, 8),
    ),
    (
        "LIDT [10]",
        {"mem": {10: 0x200, 11: 16}},
        lambda s: retired(s) and (s.cpu.idt_base, s.cpu.idt_limit) == (0x200, 16),
    ),
    ("LTR EAX", {"regs": regs(EAX=0x40)}, lambda s: retired(s) and s.cpu.tr == 0x40),
    ("LMSW EAX", {"regs": regs(EAX=0b1000)}, lambda s: retired(s) and s.cpu.cr[0] == 0b1001),
    ("MOV CR3, EAX", {"regs": regs(EAX=0x1234)}, lambda s: retired(s) and s.cpu.cr[3] == 0x1234),
    ("MOV EAX, CR0", {}, lambda s: retired(s) and s.cpu.r[EAX] == 1),
    (
        "IRET",
        {"esp": 100, "mem": {100: 2, 101: 0, 102: 0x202}},
        lambda s: s.result == EVENT and s.cpu.eip == 2 and s.cpu.if_ == 1 and s.cpu.r[ESP] == 103,
    ),
]

IOPL_SENSITIVE: list[tuple[str, dict[str, object], Check]] = [
    ("CLI", {"if_": 1}, lambda s: retired(s) and s.cpu.if_ == 0),
    ("STI", {}, lambda s: s.result == EVENT and s.cpu.if_ == 1),
    ("IN EAX, 0xE9", {}, lambda s: retired(s) and s.cpu.r[EAX] == 0xE9),
    (
        "OUT 0xE9, EAX",
        {"regs": regs(EAX=ord("A"))},
        lambda s: s.result == EVENT and s.cpu.console.text == "A",
    ),
]


def _run(line: str, ring: int, setup: dict[str, object]) -> Step:
    return step(line, ring, **setup)  # type: ignore[arg-type]


def test_every_form_is_covered() -> None:
    lines = [case[0] for case in UNPRIVILEGED + PRIVILEGED + IOPL_SENSITIVE] + ["POPF"]
    covered = {(step(line).cpu.code[0].mnemonic, step(line).cpu.code[0].form) for line in lines}
    forms = {(mnemonic, f"{mnemonic} {kinds}".rstrip()) for mnemonic, kinds in FORMS}
    assert forms <= covered


@pytest.mark.parametrize("ring", RINGS)
@pytest.mark.parametrize(("line", "setup", "check"), UNPRIVILEGED, ids=[c[0] for c in UNPRIVILEGED])
def test_unprivileged_same_in_every_ring(
    line: str, setup: dict[str, object], check: Check, ring: int
) -> None:
    result = _run(line, ring, setup)
    assert check(result)
    assert result.cpu.cpl == ring


@pytest.mark.parametrize("ring", RINGS)
@pytest.mark.parametrize(("line", "setup", "check"), PRIVILEGED, ids=[c[0] for c in PRIVILEGED])
def test_privileged_only_in_ring_0(
    line: str, setup: dict[str, object], check: Check, ring: int
) -> None:
    result = _run(line, ring, setup)
    if ring == 0:
        assert check(result)
        return
    before = replace(_run("NOP", ring, setup).cpu.snapshot(), eip=0)  # the state, unexecuted
    assert result.trap is not None and result.trap.vector == GP_VECTOR
    assert "privileged" in result.trap.reason
    assert result.cpu.eip == 0  # a fault: nothing changed, EIP still at the instruction
    assert result.cpu.snapshot() == before


@pytest.mark.parametrize("iopl", RINGS)
@pytest.mark.parametrize("ring", RINGS)
@pytest.mark.parametrize(
    ("line", "setup", "check"), IOPL_SENSITIVE, ids=[c[0] for c in IOPL_SENSITIVE]
)
def test_iopl_sensitive_needs_cpl_at_most_iopl(
    line: str, setup: dict[str, object], check: Check, ring: int, iopl: int
) -> None:
    result = _run(line, ring, {**setup, "iopl": iopl})
    if ring <= iopl:
        assert check(result)
    else:
        assert result.trap is not None and result.trap.vector == GP_VECTOR
        assert result.cpu.eip == 0


# POPF, modelled on the i386 manual: IF changes only if CPL <= IOPL; IOPL only at CPL 0;
# otherwise those bits are silently kept, and POPF never traps for it.
@pytest.mark.parametrize("iopl", RINGS)
@pytest.mark.parametrize("ring", RINGS)
def test_popf_follows_the_i386_rule(ring: int, iopl: int) -> None:
    new_flags = (1 << 0) | (1 << 1) | (1 << 6) | (3 << 12)  # CF, ZF, IF = 0, IOPL = 3
    result = step("POPF", ring, iopl=iopl, if_=1, esp=500, mem={500: new_flags})
    assert result.trap is None and result.cpu.eip == 1
    assert (result.cpu.cf, result.cpu.zf) == (1, 1)  # arithmetic flags always load
    assert result.cpu.if_ == (0 if ring <= iopl else 1)
    assert result.cpu.iopl == (3 if ring == 0 else iopl)


def test_pushf_reveals_if_and_iopl_in_ring_3() -> None:
    result = step("PUSHF", 3, iopl=0, if_=1)
    assert result.trap is None
    assert (result.cpu.mem[1023] >> 9) & 1 == 1


def test_sgdt_sidt_str_smsw_reveal_ring_0_state_in_ring_3() -> None:
    program_line = "SGDT [10]"
    s = step(program_line, 3)
    s.cpu.gdt_base, s.cpu.gdt_limit = 0x1111, 4
    s.cpu.eip = 0
    instruction = s.cpu.code[0]
    assert instruction.fn(s.cpu, instruction) is None
    assert (s.cpu.mem[10], s.cpu.mem[11]) == (0x1111, 4)
