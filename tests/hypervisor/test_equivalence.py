"""Equivalence, by property: every technique but naive trap-and-emulate ends in native's state.

Hypothesis writes guest programs — kernels that play with interrupts, flags,
descriptor tables and control registers while a timer interrupts them, and user
programs that make system calls on the teaching kernel — and each technique
must end in exactly the guest-visible state of the native run: registers,
readable flags, privileged registers, memory and console output.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from virtdocs.hypervisor import get_technique
from virtdocs.hypervisor.hardware_assist import HardwareAssisted
from virtdocs.hypervisor.technique import RunConfig, RunResult, Technique
from virtdocs.machine import Program, assemble

CONFIG = RunConfig(max_steps=20_000)
REGS = ("EAX", "EBX", "EDX", "ESI", "EDI")  # ECX counts loops, ESP is the stack


def _value() -> st.SearchStrategy[int]:
    return st.one_of(st.integers(0, 9), st.sampled_from([0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF]))


def _arith() -> st.SearchStrategy[list[str]]:
    reg = st.sampled_from(REGS)
    op = st.sampled_from(["ADD", "SUB", "XOR", "AND", "OR", "CMP", "MUL"])
    return st.one_of(
        st.builds(lambda o, a, b: [f"{o} {a}, {b}"], op, reg, reg),
        st.builds(lambda o, a, v: [f"{o} {a}, {v}"], op, reg, _value()),
        st.builds(lambda o, a: [f"{o} {a}"], st.sampled_from(["INC", "DEC"]), reg),
        st.builds(
            lambda o, a, n: [f"{o} {a}, {n}"],
            st.sampled_from(["SHL", "SHR"]),
            reg,
            st.integers(0, 31),
        ),
        st.builds(lambda a, v: [f"MOV {a}, {v}"], reg, _value()),
        st.builds(lambda a, k: [f"MOV [buf+{k}], {a}"], reg, st.integers(0, 7)),
        st.builds(lambda a, k: [f"MOV {a}, [buf+{k}]"], reg, st.integers(0, 7)),
        st.builds(lambda a, b: [f"PUSH {a}", f"POP {b}"], reg, reg),
        st.builds(lambda a: ["PUSHF", f"POP {a}"], reg),
    )


def _with_control_flow(ops: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    counter = iter(range(10**9))

    def loop(times: int, body: list[list[str]]) -> list[str]:
        label = f"L{next(counter)}"
        return [
            f"MOV ECX, {times}",
            f"{label}:",
            *itertools.chain.from_iterable(body),
            "DEC ECX",
            f"JNZ {label}",
        ]

    def skip(reg: str, value: int, cond: str, body: list[list[str]]) -> list[str]:
        label = f"S{next(counter)}"
        return [
            f"CMP {reg}, {value}",
            f"{cond} {label}",
            *itertools.chain.from_iterable(body),
            f"{label}:",
        ]

    return st.one_of(
        ops,
        st.builds(loop, st.integers(1, 12), st.lists(_arith(), min_size=1, max_size=3)),
        st.builds(
            skip,
            st.sampled_from(REGS),
            _value(),
            st.sampled_from(["JZ", "JNZ", "JC", "JL", "JGE", "JLE", "JG"]),
            st.lists(_arith(), min_size=1, max_size=3),
        ),
    )


def _kernel_op() -> st.SearchStrategy[list[str]]:
    reg = st.sampled_from(REGS)
    privileged = st.one_of(
        st.just(["CLI"]),
        st.just(["STI"]),
        st.builds(lambda flags: [f"PUSH {flags}", "POPF"], st.sampled_from([0x2, 0x202, 0x3202])),
        st.just(["SGDT [buf+8]"]),
        st.just(["SIDT [buf+10]"]),
        st.builds(lambda a: [f"STR {a}"], reg),
        st.builds(lambda a: [f"SMSW {a}"], reg),
        st.builds(lambda a: [f"MOV {a}, CR0"], reg),
        st.builds(lambda a: [f"MOV CR3, {a}"], reg),
        st.just(["LGDT [gdt_desc]"]),
        st.builds(lambda a: [f"IN {a}, 0x40"], reg),
        st.builds(lambda a: [f"OUT 0xE9, {a}"], reg),
    )
    return _with_control_flow(st.one_of(_arith(), privileged))


KERNEL = """
.equ KERNEL_STACK, 0xF000
.data
idt: .space 66
idt_desc: .word idt, 66
gdt: .word 0, 0, 0, 0
gdt_desc: .word gdt, 4
buf: .space 16
ticks: .word 0
.text
boot:
    MOV ESP, KERNEL_STACK
    LIDT [idt_desc]
    MOV [idt+64], on_timer
    MOV [idt+65], 0x10
    MOV EAX, {period}
    OUT 0x40, EAX
    STI
{body}
    CLI
    HLT
on_timer:
    PUSH EAX
    MOV EAX, [ticks]
    INC EAX
    MOV [ticks], EAX
    POP EAX
    IRET
"""

USER = """
.include "kernel.s"
.data
buf: .space 16
.text
main:
{body}
    MOV EAX, SYS_EXIT
    MOV EBX, 0
    INT 0x80
"""


def _user_op(table_reads: bool) -> st.SearchStrategy[list[str]]:
    reg = st.sampled_from(REGS)
    calls = st.one_of(
        st.just(["MOV EAX, SYS_TICKS", "INT 0x80"]),
        st.builds(lambda a: [f"MOV EBX, {a}", "MOV EAX, SYS_PUTNUM", "INT 0x80"], reg),
        st.builds(lambda flags: [f"PUSH {flags}", "POPF"], st.sampled_from([0x2, 0x202])),
    )
    reads = [
        st.just(["SGDT [buf+8]"]),
        st.just(["SIDT [buf+10]"]),
        st.builds(lambda a: [f"STR {a}"], reg),
        st.builds(lambda a: [f"SMSW {a}"], reg),
    ]
    ops = st.one_of(_arith(), calls, *(reads if table_reads else []))
    return _with_control_flow(ops)


def _source(template: str, body: list[list[str]], period: int) -> str:
    lines = "\n".join(
        f"    {line}" if not line.endswith(":") else line
        for line in itertools.chain.from_iterable(body)
    )
    return template.format(body=lines, period=period)


def kernels() -> st.SearchStrategy[Program]:
    return st.builds(
        lambda body, period: assemble(_source(KERNEL, body, period), "generated-kernel.s"),
        st.lists(_kernel_op(), min_size=1, max_size=12),
        st.integers(10, 60),  # longer than the handler: no interrupt storm
    )


def user_programs(table_reads: bool = True) -> st.SearchStrategy[Program]:
    return st.builds(
        lambda body, period: assemble(
            _source(USER, body, 0), "examples/guests/generated.s", defines={"TIMER_PERIOD": period}
        ),
        st.lists(_user_op(table_reads), min_size=1, max_size=10),
        st.integers(5, 80),
    )


def _same_as_native(technique: Technique, program: Program) -> tuple[RunResult, RunResult]:
    native = get_technique("native").run(program, CONFIG)
    other = technique.run(program, CONFIG)
    assert other.state == native.state, (
        technique.name,
        other.state.to_json(),
        native.state.to_json(),
    )
    assert other.halted == native.halted
    assert other.stats["instructions"] == native.stats["instructions"]
    return native, other


EQUIVALENT = (
    get_technique("interpretation"),
    get_technique("scan-and-patch"),
    get_technique("binary-translation"),
    HardwareAssisted("p4"),
    HardwareAssisted("broadwell"),
)


@settings(max_examples=15, deadline=None)
@given(kernels())
def test_kernels_run_identically(program: Program) -> None:
    for technique in EQUIVALENT:
        _same_as_native(technique, program)


@settings(max_examples=15, deadline=None)
@given(user_programs())
def test_user_programs_run_identically(program: Program) -> None:
    for technique in EQUIVALENT:
        _same_as_native(technique, program)


@settings(max_examples=15, deadline=None)
@given(user_programs(table_reads=False))
def test_paravirtualized_builds_run_identically(program: Program) -> None:
    _same_as_native(get_technique("paravirtualization"), program)


def test_naive_trap_and_emulate_diverges_on_popf() -> None:
    from virtdocs.machine import assemble_file

    program = assemble_file("examples/guests/irqsave.s")
    native = get_technique("native").run(program, CONFIG)
    naive = get_technique("trap-and-emulate").run(program, CONFIG)
    assert naive.state != native.state
    assert naive.state.console == "IF inside the critical section: 1\n"
    for technique in (*EQUIVALENT, get_technique("interpretation")):
        assert technique.run(program, CONFIG).state == native.state


def test_user_mode_table_reads_reveal_xen_as_they_did() -> None:
    # Paravirtualization ports the kernel only: SGDT in a user program still shows the
    # hypervisor's real GDT — the reason the property above leaves table reads out.
    program = assemble(
        _source(USER, [["SGDT [buf+8]"]], 0),
        "examples/guests/generated.s",
        defines={"TIMER_PERIOD": 100},
    )
    native = get_technique("native").run(program, CONFIG)
    pv = get_technique("paravirtualization").run(program, CONFIG)
    assert pv.state != native.state
    assert pv.state.registers == native.state.registers
