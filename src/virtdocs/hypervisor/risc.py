"""*rv8*, a small RISC-like instruction set — a guest of another architecture for the interpreter.

An emulator that fetches and decodes in software is not tied to the host's
instruction set: Bochs runs x86 anywhere, QEMU runs ARM on x86. rv8 shows this
with the same loop, :func:`~virtdocs.hypervisor.interpretation.interpret`, that
runs tiny86: only the :class:`Frontend` (fetch and decode) differs.

rv8 is load/store and fixed-width: one 32-bit word per instruction, code and
data in one memory (so a program can rewrite its own code), sixteen registers
``r0``–``r15`` with ``r0`` always zero. Encoding: ``opcode`` in bits 24–31,
``rd`` 20–23, ``rs`` 16–19, and a 16-bit immediate (``rt`` in its low four bits
for register–register operations)::

    HALT                     stop
    LI    rd, imm            rd = imm (sign-extended)
    ADD   rd, rs, rt         rd = rs + rt       (also SUB, AND, OR, XOR, MUL)
    ADDI  rd, rs, imm        rd = rs + imm
    LW    rd, imm(rs)        rd = mem[rs + imm]
    SW    rd, imm(rs)        mem[rs + imm] = rd
    BEQ   rd, rs, label      if rd == rs: jump   (also BNE, BLT — signed)
    J     label              jump
    OUT   rd                 write the low byte of rd to the console

>>> program = assemble_rv8("LI r1, 6\\nLI r2, 7\\nMUL r3, r1, r2\\nHALT", "answer.s")
>>> result = run_rv8(program)
>>> result.registers[3], result.stop, result.steps
(42, 'halted', 4)
>>> disassemble_word(program.words[2])
'MUL r3, r1, r2'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from virtdocs.errors import UserError
from virtdocs.hypervisor.interpretation import interpret

M: Final = 0xFFFF_FFFF
REGISTER_COUNT: Final = 16
DEFAULT_MEMORY: Final = 4096
HALT: Final = 2  # the interpreter loop's "stop here" result, as tiny86's HLT
FAULT: Final = 3  # the guest did something impossible; the message is on the machine

#: Mnemonics by opcode, and the operand shape each takes.
OPCODES: Final = ("HALT", "LI", "ADD", "SUB", "AND", "OR", "XOR", "MUL", "ADDI", "LW", "SW",
                  "BEQ", "BNE", "BLT", "J", "OUT")  # fmt: skip
SHAPES: Final = {"HALT": "", "LI": "ri", "ADD": "rrr", "SUB": "rrr", "AND": "rrr", "OR": "rrr",
                 "XOR": "rrr", "MUL": "rrr", "ADDI": "rri", "LW": "rm", "SW": "rm",
                 "BEQ": "rri", "BNE": "rri", "BLT": "rri", "J": "i", "OUT": "r"}  # fmt: skip
_MEM = re.compile(r"^(-?\w+)\((r\d+)\)$")


def encode(op: str, rd: int = 0, rs: int = 0, imm: int = 0) -> int:
    """One instruction word."""
    return (OPCODES.index(op) << 24) | (rd << 20) | (rs << 16) | (imm & 0xFFFF)


def _signed16(value: int) -> int:
    return value - 0x10000 if value & 0x8000 else value


def _fields(word: int) -> tuple[str, int, int, int]:
    op = word >> 24
    name = OPCODES[op] if op < len(OPCODES) else f"?{op:#x}"
    return name, (word >> 20) & 15, (word >> 16) & 15, _signed16(word & 0xFFFF)


def disassemble_word(word: int) -> str:
    """The text of one instruction word."""
    op, rd, rs, imm = _fields(word)
    shape = SHAPES.get(op)
    if shape is None:
        return f".word {word:#x}"
    parts = {
        "": [],
        "ri": [f"r{rd}", str(imm)],
        "rrr": [f"r{rd}", f"r{rs}", f"r{imm & 15}"],
        "rri": [f"r{rd}", f"r{rs}", str(imm)],
        "rm": [f"r{rd}", f"{imm}(r{rs})"],
        "i": [str(imm)],
        "r": [f"r{rd}"],
    }[shape]
    return f"{op} {', '.join(parts)}".rstrip()


@dataclass(frozen=True)
class Rv8Program:
    """Assembled rv8: the memory image (code first, then data) and its labels."""

    words: tuple[int, ...]
    labels: dict[str, int]
    name: str = "<rv8>"


def _register(text: str, where: str) -> int:
    match = re.fullmatch(r"r(\d+)", text.strip().lower())
    if not match or int(match.group(1)) >= REGISTER_COUNT:
        raise UserError(f"{where}: expected a register r0..r15, got {text.strip()!r}")
    return int(match.group(1))


def _value(text: str, labels: dict[str, int], where: str, bits: int = 16) -> int:
    text = text.strip()
    if text in labels:
        return labels[text]
    try:
        value = int(text, 0)
    except ValueError:
        raise UserError(f"{where}: expected a number or a label, got {text!r}") from None
    if not -(1 << (bits - 1)) <= value < 1 << bits:
        raise UserError(f"{where}: {value} does not fit in {bits} bits")
    return value


def assemble_rv8(text: str, name: str = "<rv8>") -> Rv8Program:
    """Assemble rv8 source (``label:`` prefixes, ``;`` comments, ``.word`` data)."""
    statements: list[tuple[str, str]] = []
    labels: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        body = raw.split(";", 1)[0].strip()
        where = f"{name}:{number}"
        while ":" in body.split(" ", 1)[0]:
            label, body = body.split(":", 1)
            labels[label.strip()] = len(statements)
            body = body.strip()
        if body:
            statements.append((where, body))
    words: list[int] = []
    for where, body in statements:
        head, _, rest = body.partition(" ")
        op = head.upper()
        operands = [part.strip() for part in rest.split(",")] if rest.strip() else []
        if op == ".WORD":
            words.append(_value(operands[0], labels, where, bits=32) & M)
            continue
        shape = SHAPES.get(op)
        if shape is None:
            raise UserError(f"{where}: unknown rv8 mnemonic {head!r}")
        wanted = len(shape) if shape != "rm" else 2
        if len(operands) != wanted:
            raise UserError(f"{where}: {op} takes {wanted} operands, got {len(operands)}")
        rd = rs = imm = 0
        if shape in ("ri", "rrr", "rri", "rm", "r"):
            rd = _register(operands[0], where)
        if shape == "ri":
            imm = _value(operands[1], labels, where)
        elif shape == "rrr":
            rs, imm = _register(operands[1], where), _register(operands[2], where)
        elif shape == "rri":
            rs, imm = _register(operands[1], where), _value(operands[2], labels, where)
        elif shape == "rm":
            match = _MEM.match(operands[1].replace(" ", ""))
            if not match:
                raise UserError(f"{where}: expected imm(rN), got {operands[1]!r}")
            imm, rs = _value(match.group(1), labels, where), _register(match.group(2), where)
        elif shape == "i":
            imm = _value(operands[0], labels, where)
        words.append(encode(op, rd, rs, imm))
    if not words:
        raise UserError(f"{name}:1: the program has no instructions")
    return Rv8Program(tuple(words), labels, name)


def assemble_rv8_file(path: str | Path) -> Rv8Program:
    """Assemble the rv8 file at ``path`` (UserError if it cannot be read)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise UserError(f"{path}: cannot read the program: {error.strerror}") from error
    return assemble_rv8(text, str(path))


class Rv8Machine:
    """The rv8 processor state: registers, PC, one memory for code and data, a console."""

    def __init__(self, program: Rv8Program, memory_words: int = DEFAULT_MEMORY) -> None:
        if len(program.words) > memory_words:
            raise UserError(f"{program.name}: {len(program.words)} words do not fit in memory")
        self.r = [0] * REGISTER_COUNT
        self.pc = 0
        self.mem = list(program.words) + [0] * (memory_words - len(program.words))
        self.console: list[str] = []
        self.fault = ""


def fault(m: Rv8Machine, message: str) -> int:
    """A guest fault is a value: the message is kept and the loop is told to stop."""
    m.fault = f"address {m.pc:#x}: {message}"
    return FAULT


def _alu(op: Callable[[int, int], int]) -> Callable[[Rv8Machine, tuple[int, int, int]], Any]:
    def handler(m: Rv8Machine, f: tuple[int, int, int]) -> Any:
        rd, rs, rt = f[0], f[1], f[2] & 15
        if rd:
            m.r[rd] = op(m.r[rs], m.r[rt]) & M
        m.pc += 1
        return None

    return handler


def _li(m: Rv8Machine, f: tuple[int, int, int]) -> Any:
    if f[0]:
        m.r[f[0]] = f[2] & M
    m.pc += 1
    return None


def _addi(m: Rv8Machine, f: tuple[int, int, int]) -> Any:
    if f[0]:
        m.r[f[0]] = (m.r[f[1]] + f[2]) & M
    m.pc += 1
    return None


def _lw(m: Rv8Machine, f: tuple[int, int, int]) -> Any:
    address = (m.r[f[1]] + f[2]) & M
    if address >= len(m.mem):
        return fault(m, f"load from {address:#x}, outside memory")
    if f[0]:
        m.r[f[0]] = m.mem[address]
    m.pc += 1
    return None


def _sw(m: Rv8Machine, f: tuple[int, int, int]) -> Any:
    address = (m.r[f[1]] + f[2]) & M
    if address >= len(m.mem):
        return fault(m, f"store to {address:#x}, outside memory")
    m.mem[address] = m.r[f[0]]
    m.pc += 1
    return None


def _signed(value: int) -> int:
    return value - (1 << 32) if value >> 31 else value


def _branch(test: Callable[[int, int], bool]) -> Callable[[Rv8Machine, tuple[int, int, int]], Any]:
    def handler(m: Rv8Machine, f: tuple[int, int, int]) -> Any:
        m.pc = f[2] & 0xFFFF if test(m.r[f[0]], m.r[f[1]]) else m.pc + 1
        return None

    return handler


def _jump(m: Rv8Machine, f: tuple[int, int, int]) -> Any:
    m.pc = f[2] & 0xFFFF
    return None


def _out(m: Rv8Machine, f: tuple[int, int, int]) -> Any:
    m.console.append(chr(m.r[f[0]] & 0xFF))
    m.pc += 1
    return None


def _halt(m: Rv8Machine, f: tuple[int, int, int]) -> Any:
    m.pc += 1
    return HALT


#: The dispatch table, by opcode.
HANDLERS: Final[tuple[Callable[[Rv8Machine, tuple[int, int, int]], Any], ...]] = (
    _halt, _li, _alu(lambda x, y: x + y), _alu(lambda x, y: x - y), _alu(lambda x, y: x & y),
    _alu(lambda x, y: x | y), _alu(lambda x, y: x ^ y), _alu(lambda x, y: x * y), _addi, _lw,
    _sw, _branch(lambda x, y: x == y), _branch(lambda x, y: x != y),
    _branch(lambda x, y: _signed(x) < _signed(y)), _jump, _out,
)  # fmt: skip


class Rv8Frontend:
    """Fetch the word at PC from memory; decode opcode and fields."""

    def decode(self, m: Rv8Machine) -> tuple[Callable[[Any, Any], Any], tuple[int, int, int]]:
        pc = m.pc
        if not 0 <= pc < len(m.mem):
            return _bad("PC outside memory"), (0, 0, 0)
        word = m.mem[pc]
        op = word >> 24
        if op >= len(HANDLERS):
            return _bad(f"invalid opcode {op:#x} in word {word:#010x}"), (0, 0, 0)
        return HANDLERS[op], ((word >> 20) & 15, (word >> 16) & 15, _signed16(word & 0xFFFF))


def _bad(message: str) -> Callable[[Rv8Machine, Any], int]:
    return lambda m, f: fault(m, message)


@dataclass(frozen=True)
class Rv8Result:
    """How an rv8 run ended: ``stop`` is ``halted``, ``step-limit`` or ``fault``."""

    registers: tuple[int, ...]
    memory: tuple[int, ...]
    console: str
    steps: int
    stop: str
    message: str = ""
    stats: tuple[tuple[str, int], ...] = ()


def result_of(
    m: Rv8Machine, steps: int, stop: str, stats: dict[str, int] | None = None
) -> Rv8Result:
    return Rv8Result(
        tuple(m.r), tuple(m.mem), "".join(m.console), steps, stop, m.fault,
        tuple((stats or {}).items()),
    )  # fmt: skip


def run_rv8(program: Rv8Program, max_steps: int = 1_000_000) -> Rv8Result:
    """Interpret ``program`` with the shared fetch–decode–emulate loop."""
    machine = Rv8Machine(program)
    result, steps = interpret(Rv8Frontend(), machine, max_steps)
    return result_of(machine, steps, stop_code(result), {"interpreted": steps})


def stop_code(result: Any) -> str:
    """``halted``, ``fault`` or ``step-limit`` for the loop's last result."""
    return {HALT: "halted", FAULT: "fault"}.get(result, "step-limit")


__all__ = [
    "HANDLERS",
    "OPCODES",
    "Rv8Frontend",
    "Rv8Machine",
    "Rv8Program",
    "Rv8Result",
    "assemble_rv8",
    "assemble_rv8_file",
    "disassemble_word",
    "encode",
    "run_rv8",
    "stop_code",
]
