"""Operands and decoded instructions.

An :class:`Instruction` is decoded once, by the assembler: its semantics
function and its operands flattened into the integers ``a``, ``b``, ``c`` are
stored on it, so executing it allocates nothing. Interpreters and translators
(see :mod:`virtdocs.hypervisor`) reuse ``fn`` or read ``form`` and the operands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from virtdocs.machine.isa import CONTROL_REGISTERS, REGISTERS

if TYPE_CHECKING:
    from virtdocs.machine.cpu import CPU
    from virtdocs.machine.events import Result


@dataclass(frozen=True, slots=True)
class Reg:
    """A general-purpose register, by index into :data:`~virtdocs.machine.isa.REGISTERS`."""

    index: int

    def __str__(self) -> str:
        return REGISTERS[self.index]


@dataclass(frozen=True, slots=True)
class Imm:
    """An immediate value (labels are resolved to these)."""

    value: int

    def __str__(self) -> str:
        return str(self.value) if -10 < self.value < 10 else hex(self.value)


@dataclass(frozen=True, slots=True)
class Mem:
    """A memory operand ``[base + disp]``; ``base`` is -1 for an absolute address."""

    base: int
    disp: int

    def __str__(self) -> str:
        if self.base < 0:
            return f"[{self.disp:#x}]"
        if self.disp == 0:
            return f"[{REGISTERS[self.base]}]"
        sign = "+" if self.disp > 0 else "-"
        return f"[{REGISTERS[self.base]}{sign}{abs(self.disp)}]"


@dataclass(frozen=True, slots=True)
class Ctl:
    """A control register CR0..CR4."""

    index: int

    def __str__(self) -> str:
        return CONTROL_REGISTERS[self.index]


Operand = Reg | Imm | Mem | Ctl
Semantics = Callable[["CPU", "Instruction"], "Result"]

_KIND = {Reg: "r", Imm: "i", Mem: "m", Ctl: "c"}


def signature(operands: tuple[Operand, ...]) -> str:
    """Operand kinds as a string: ``(Reg, Imm)`` -> ``"r,i"``."""
    return ",".join(_KIND[type(op)] for op in operands)


def flatten(operands: tuple[Operand, ...]) -> list[int]:
    """Operands as the integers semantics functions read (a Mem gives two)."""
    fields: list[int] = []
    for op in operands:
        if isinstance(op, Reg | Ctl):
            fields.append(op.index)
        elif isinstance(op, Imm):
            fields.append(op.value)
        else:
            fields.extend((op.base, op.disp))
    return fields


@dataclass(slots=True, eq=False)
class Instruction:
    """One decoded instruction.

    ``mnemonic`` is what the Popek–Goldberg analysis classifies (``MOV CR`` for
    moves to and from control registers); ``form`` picks the semantics
    (``"MOV r,i"``); ``a``/``b``/``c`` are the flattened operands; ``file`` and
    ``line`` say where it was written.
    """

    mnemonic: str
    operands: tuple[Operand, ...]
    fn: Semantics
    a: int = 0
    b: int = 0
    c: int = 0
    file: str = "<program>"
    line: int = 0

    @property
    def form(self) -> str:
        return f"{self.mnemonic} {signature(self.operands)}".rstrip()

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def __str__(self) -> str:
        name = "MOV" if self.mnemonic == "MOV CR" else self.mnemonic
        if not self.operands:
            return name
        return f"{name} {', '.join(str(op) for op in self.operands)}"

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, Instruction):
            return NotImplemented
        return (self.mnemonic, self.operands) == (other.mnemonic, other.operands)

    def __hash__(self) -> int:
        return hash((self.mnemonic, self.operands))
