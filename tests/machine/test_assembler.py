"""The assembler: syntax, every error message, and the disassembly round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtdocs.errors import UserError
from virtdocs.machine import Program, assemble, disassemble, make_instruction
from virtdocs.machine.operands import Ctl, Imm, Mem, Operand, Reg
from virtdocs.machine.semantics import FORMS, JUMPS


def test_labels_data_constants_and_memory_operands() -> None:
    program = assemble(
        """
        .equ N, 3           ; a constant
        .data
        first: .word 1, 2, N
        text: .asciz "a;b"  ; the ; inside quotes is not a comment
        room: .space 2
        .text
        start: MOV EAX, [first+2]
               MOV EBX, text
               MOV ECX, 'x'
               JMP start
        """,
        "p.s",
    )
    assert program.data == (1, 2, 3, ord("a"), ord(";"), ord("b"), 0, 0, 0)
    assert program.data_labels == {"first": 0, "text": 3, "room": 7}
    assert program.code_labels == {"start": 0}
    listing = [str(i) for i in program.code]
    assert listing == ["MOV EAX, [0x2]", "MOV EBX, 3", "MOV ECX, 0x78", "JMP 0"]
    assert program.code[0].where == "p.s:8"


def test_defines_override_equ() -> None:
    program = assemble(".equ N, 3\nMOV EAX, N", "p.s", defines={"N": 9})
    assert program.code[0].operands[1] == Imm(9)


def test_include_reads_relative_files(tmp_path: Path) -> None:
    (tmp_path / "lib.s").write_text("helper: RET\n")
    (tmp_path / "main.s").write_text('.include "lib.s"\nmain: CALL helper\n')
    from virtdocs.machine import assemble_file

    program = assemble_file(tmp_path / "main.s")
    assert program.code_labels == {"helper": 0, "main": 1}
    assert program.code[0].file.endswith("lib.s")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("FROB EAX", "p.s:1: unknown mnemonic 'FROB'; expected an instruction such as MOV"),
        (
            "MOV EAX",
            "p.s:1: bad operands for MOV: got register; expected one of (register, register), "
            "(register, value), (register, memory), (memory, register), (memory, value)",
        ),
        ("PUSH EAX, 1", "p.s:1: bad operands for PUSH: got register, value; expected one of"),
        ("POP 1", "p.s:1: bad operands for POP: got value; expected (register)"),
        ("MOV EAX, 0x100000000", "p.s:1: '0x100000000' is 4294967296, which does not fit"),
        ("MOV EAX, -2147483649", "p.s:1: '-2147483649' is -2147483649, which does not fit"),
        ("MOV EAX, [EBX+0x1ffffffff]", "p.s:1: '[EBX+0x1ffffffff]' is 8589934591, which"),
        (".data\n.word 1, 99999999999", "p.s:2: '99999999999' is 99999999999, which does not"),
        ("INT 256", "p.s:1: INT needs a vector from 0 to 0xff, got 0x100"),
        ("OUT 0x10000, EAX", "p.s:1: OUT needs a port from 0 to 0xffff, got 0x10000"),
        ("IN EAX, -1", "p.s:1: IN needs a port from 0 to 0xffff, got -0x1"),
        ("MOV EAX, '\\x'", "p.s:1: bad escape in '\\\\x': truncated \\xXX escape"),
        ('.data\n.asciz "\\u12"', "p.s:2: bad escape in '\\\\u12': truncated \\uXXXX escape"),
        ("NOP\nADD [1], EAX", "p.s:2: bad operands for ADD: got memory, register"),
        ("JMP nowhere", "p.s:1: undefined label or constant 'nowhere'"),
        ("JMP 7", "p.s:1: jump target 0x7 is outside the program (code addresses 0..0x0)"),
        (".data\nx: .word 1\n.text\nJMP x", "p.s:4: 'x' is a data label; JMP needs a code label"),
        ("a: NOP\na: NOP", "p.s:2: label 'a' is defined twice"),
        ("eax: NOP", "p.s:1: 'eax' is a register, not a label name"),
        ("MOV EAX, [EBX", "p.s:1: memory operand '[EBX' is missing its closing ']'"),
        ("MOV EAX, 12abc", "p.s:1: '12abc' is not a number"),
        ("MOV EAX, [EBX+ECX]", "p.s:1: register ECX not allowed in 'EBX+ECX'"),
        (".word 1", "p.s:1: .word belongs in the .data section"),
        (".data\nMOV EAX, 1", "p.s:2: instructions belong in the .text section"),
        (".data\n.frob 1", "p.s:2: unknown directive '.frob'"),
        (".data\n.asciz hi", 'p.s:2: .asciz expects a quoted string, like .asciz "hi"'),
        (".data\n.space -1", "p.s:2: .space needs a count from 0 to 16777216, got -1"),
        (".equ 1", "p.s:1: .equ expects a name and a value"),
        ('.include "x.s"\nNOP', None),
        ("MOV EAX, ''", "p.s:1: cannot read \"''\" as a value"),
        ("MOV EAX,", "p.s:1: expected a value, got nothing"),
        (".data\n.word 1", "p.s:1: the program has no instructions"),
    ],
)
def test_errors_name_file_and_line(source: str, message: str | None) -> None:
    with pytest.raises(UserError) as caught:
        assemble(source, "p.s")
    text = str(caught.value)
    assert "\n" not in text
    if message is None:
        assert text.startswith('p.s:1: cannot include "x.s": No such file')
    else:
        assert message in text


def test_string_literals_keep_non_ascii_characters_and_decode_escapes() -> None:
    program = assemble(".data\n.asciz \"é\\x41\\n\"\n.text\nMOV EAX, '\\t'", "p.s")
    assert program.data == (ord("é"), ord("A"), ord("\n"), 0)
    assert program.code[0].operands[1] == Imm(9)


def test_values_at_the_edges_of_a_word_are_accepted() -> None:
    program = assemble("MOV EAX, -2147483648\nMOV EBX, 0xFFFFFFFF\nINT 255\nOUT 0xFFFF, EAX", "p.s")
    assert [op.value for i in program.code for op in i.operands if isinstance(op, Imm)] == [
        -(2**31),
        2**32 - 1,
        255,
        0xFFFF,
    ]


def test_unknown_define_is_an_error() -> None:
    with pytest.raises(UserError, match=r"--define M: the program has no '\.equ M'"):
        assemble("NOP", "p.s", defines={"M": 1})


# --- round trip -------------------------------------------------------------------------------

_values = st.integers(min_value=-(2**31), max_value=2**32 - 1)
_registers = st.integers(min_value=0, max_value=7).map(Reg)
_memory = st.builds(Mem, st.integers(min_value=-1, max_value=7), st.integers(-5000, 5000))
_controls = st.integers(min_value=0, max_value=4).map(Ctl)


def _operand(kind: str, mnemonic: str, size: int) -> st.SearchStrategy[Operand]:
    if kind == "r":
        return _registers
    if kind == "m":
        return _memory
    if kind == "c":
        return _controls
    if mnemonic in JUMPS:
        return st.integers(min_value=0, max_value=size - 1).map(Imm)
    if mnemonic == "INT":
        return st.integers(min_value=0, max_value=0xFF).map(Imm)
    if mnemonic in ("IN", "OUT"):
        return st.integers(min_value=0, max_value=0xFFFF).map(Imm)
    return _values.map(Imm)


@st.composite
def programs(draw: st.DrawFn) -> Program:
    size = draw(st.integers(min_value=1, max_value=12))
    forms = draw(st.lists(st.sampled_from(sorted(FORMS)), min_size=size, max_size=size))
    code = []
    for mnemonic, kinds in forms:
        operands = tuple(draw(_operand(k, mnemonic, size)) for k in kinds.split(",") if k)
        code.append(make_instruction(mnemonic, operands))
    data = draw(st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=6))
    return Program(code=tuple(code), data=tuple(data))


@settings(max_examples=60, deadline=None)
@given(programs())
def test_disassembly_assembles_back_to_the_same_program(program: Program) -> None:
    again = assemble(disassemble(program), "round.s")
    assert again.code == program.code
    assert again.data == program.data
    assert [i.fn for i in again.code] == [i.fn for i in program.code]


def test_binary_files_are_refused_in_one_line(tmp_path: Path) -> None:
    from virtdocs.machine import assemble_file

    (tmp_path / "blob.s").write_bytes(b"\x9e\x00\xff")
    with pytest.raises(UserError, match=r"blob\.s: not a text file \(byte 0 is not UTF-8\)"):
        assemble_file(tmp_path / "blob.s")
    (tmp_path / "main.s").write_text('.include "blob.s"\nNOP\n')
    with pytest.raises(UserError, match=r'main\.s:1: cannot include "blob\.s": byte 0'):
        assemble_file(tmp_path / "main.s")


def test_utf8_files_with_nul_bytes_are_binary_too(tmp_path: Path) -> None:
    from virtdocs.machine import assemble_file

    (tmp_path / "nul.s").write_bytes(b"NOP\n\x00\x00\nHLT\n")
    with pytest.raises(UserError, match=r"nul\.s: not a text file \(byte 4 is NUL\)$"):
        assemble_file(tmp_path / "nul.s")
    (tmp_path / "main.s").write_text('NOP\n.include "nul.s"\n')
    with pytest.raises(UserError, match=r'main\.s:2: cannot include "nul\.s": byte 4 is NUL$'):
        assemble_file(tmp_path / "main.s")


_SOURCE_PIECES = st.sampled_from(
    ["MOV", "EAX", "[", "]", ",", "+", "-", "'", '"', "\\", ":", ";", ".data", ".text", ".word",
     ".asciz", ".space", ".equ", "INT", "OUT", "JMP", "x", "0x", "99999999999", "é", " ", "\n",
     "\t", "\x00", "HLT", "CR0", "1"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(_SOURCE_PIECES, max_size=30).map("".join)))
def test_any_source_assembles_or_fails_in_one_line(source: str) -> None:
    try:
        assemble(source, "fuzz.s", include=lambda name, _: ("NOP", name))
    except UserError as error:
        assert "\n" not in str(error)
