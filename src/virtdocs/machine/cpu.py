"""The CPU's state, interrupt delivery through the IDT, and the guest-visible snapshot.

:class:`CPU` holds registers, flags, rings, descriptor-table registers, control
registers, memory and devices. It does not run itself: :mod:`virtdocs.machine.run`
steps it and hands each :class:`~virtdocs.machine.events.Trap` to a trap handler
(the guest's kernel through :meth:`CPU.deliver`, or a hypervisor).
"""

from __future__ import annotations

import hashlib
from array import array
from dataclasses import dataclass, field
from typing import Any

from virtdocs.errors import UserError
from virtdocs.machine.devices import Console, Timer
from virtdocs.machine.events import Result, Trap
from virtdocs.machine.isa import (
    CF_BIT,
    CONTROL_REGISTERS,
    CR0_PE,
    DEFAULT_MEMORY_WORDS,
    ESP,
    GATE_PRESENT,
    GATE_WORDS,
    GP_VECTOR,
    IF_BIT,
    IOPL_SHIFT,
    OF_BIT,
    REGISTERS,
    RESERVED_ONE_BIT,
    SF_BIT,
    TSS_ESP_OFFSET,
    UNMAPPED_PORT_VALUE,
    WORD_MASK,
    ZF_BIT,
)
from virtdocs.machine.operands import Instruction
from virtdocs.machine.program import Program


class DeliveryError(Exception):
    """Delivering a trap failed (no gate, bad stack): on x86 a double, then triple fault."""


@dataclass(frozen=True)
class Snapshot:
    """Everything a guest can observe, for comparing runs (native vs a hypervisor).

    ``flags`` is the flags word as PUSHF would show it; ``memory_sha256`` stands
    for the whole memory, which :attr:`memory` holds as bytes.
    """

    registers: dict[str, int]
    eip: int
    cpl: int
    flags: int
    control: dict[str, int]
    gdtr: tuple[int, int]
    idtr: tuple[int, int]
    tr: int
    console: str
    memory: bytes = field(repr=False)

    @property
    def memory_sha256(self) -> str:
        return hashlib.sha256(self.memory).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (memory as its SHA-256)."""
        return {
            "registers": self.registers,
            "eip": self.eip,
            "cpl": self.cpl,
            "flags": self.flags,
            "control": self.control,
            "gdtr": list(self.gdtr),
            "idtr": list(self.idtr),
            "tr": self.tr,
            "console": self.console,
            "memory_sha256": self.memory_sha256,
        }


class CPU:
    """A tiny86 processor with its memory and devices, reset to ring 0 at address 0.

    Flags are kept as separate 0/1 fields for speed; :meth:`flags_word` packs them.
    """

    __slots__ = (
        "cf",
        "code",
        "console",
        "cpl",
        "cr",
        "eip",
        "gdt_base",
        "gdt_limit",
        "idle",
        "idt_base",
        "idt_limit",
        "if_",
        "iopl",
        "mem",
        "msize",
        "of",
        "program",
        "r",
        "sf",
        "steps",
        "timer",
        "tr",
        "zf",
    )  # fmt: skip

    def __init__(self, program: Program, memory_words: int = DEFAULT_MEMORY_WORDS) -> None:
        if len(program.data) > memory_words:
            raise UserError(
                f"{program.name}: the data ({len(program.data)} words) does not fit in "
                f"memory ({memory_words} words)"
            )
        self.program = program
        self.code: list[Instruction] = list(program.code)
        self.msize = memory_words
        self.mem = [0] * memory_words
        self.mem[: len(program.data)] = program.data
        self.r = [0] * len(REGISTERS)
        self.r[ESP] = memory_words  # the stack grows down from the top of memory
        self.eip = program.entry
        self.cpl = 0
        self.iopl = 0
        self.if_ = 0  # interrupts are off after reset, as on x86
        self.cf = self.zf = self.sf = self.of = 0
        self.cr = [0] * len(CONTROL_REGISTERS)
        self.cr[0] = CR0_PE
        self.gdt_base = self.gdt_limit = self.idt_base = self.idt_limit = 0
        self.tr = 0
        self.console = Console()
        self.timer = Timer()
        self.steps = 0  # instructions attempted; the run loop keeps it
        self.idle = 0  # clock ticks spent halted waiting for an interrupt

    # --- flags ------------------------------------------------------------------------

    def flags_word(self) -> int:
        """The flags register as PUSHF pushes it (bit 1 always set)."""
        return (
            (self.cf << CF_BIT)
            | (1 << RESERVED_ONE_BIT)
            | (self.zf << ZF_BIT)
            | (self.sf << SF_BIT)
            | (self.if_ << IF_BIT)
            | (self.of << OF_BIT)
            | (self.iopl << IOPL_SHIFT)
        )

    def load_flags(self, word: int) -> None:
        """Load flags as POPF does: IF only if CPL <= IOPL, IOPL only at CPL 0."""
        self.cf = (word >> CF_BIT) & 1
        self.zf = (word >> ZF_BIT) & 1
        self.sf = (word >> SF_BIT) & 1
        self.of = (word >> OF_BIT) & 1
        if self.cpl <= self.iopl:
            self.if_ = (word >> IF_BIT) & 1
        if self.cpl == 0:
            self.iopl = (word >> IOPL_SHIFT) & 3

    # --- ports ------------------------------------------------------------------------

    @property
    def clock(self) -> int:
        """Machine time in ticks: one per step, plus ticks spent halted."""
        return self.steps + self.idle

    def port_read(self, port: int) -> int:
        if port == self.console.port:
            return self.console.read()
        if port == self.timer.port:
            return self.timer.read()
        return UNMAPPED_PORT_VALUE

    def port_write(self, port: int, value: int) -> None:
        if port == self.console.port:
            self.console.write(value)
        elif port == self.timer.port:
            self.timer.write(value)
        # Writes to ports with no device go nowhere, as on a PC bus.

    # --- interrupts -------------------------------------------------------------------

    def gate(self, vector: int) -> tuple[int, int] | None:
        """The IDT gate for ``vector`` as (handler, attributes), or None if absent."""
        entry = self.idt_base + GATE_WORDS * vector
        if GATE_WORDS * (vector + 1) > self.idt_limit or entry + 1 >= self.msize:
            return None
        attributes = self.mem[entry + 1]
        if not attributes & GATE_PRESENT:
            return None
        return self.mem[entry], attributes

    def deliver(self, trap: Trap) -> None:
        """Deliver ``trap`` through the IDT as the hardware does.

        Checks the gate (present; for INT n, DPL >= CPL, else #GP instead);
        switches to the target ring's stack from the TSS when the ring changes;
        pushes [old ESP if switching], flags, old CPL and the resume address;
        clears IF; jumps to the handler. Raises :class:`DeliveryError` if this
        cannot be done — the machine then shuts down.
        """
        gate = self.gate(trap.vector)
        if gate is None:
            raise DeliveryError(f"{trap.name}: no IDT gate for vector {trap.vector}")
        handler, attributes = gate
        dpl, ring = attributes & 3, (attributes >> 2) & 3
        if trap.software and self.cpl > dpl:
            why = f"INT {trap.vector:#x}: gate DPL {dpl} < CPL {self.cpl}"
            self.deliver(Trap(GP_VECTOR, why, trap.eip, trap.eip))
            return
        if ring > self.cpl:
            raise DeliveryError(f"{trap.name}: gate targets ring {ring}, outer than CPL {self.cpl}")
        if handler >= len(self.code):
            raise DeliveryError(f"{trap.name}: handler {handler:#x} is outside the program")
        old_esp = self.r[ESP]
        sp = old_esp
        frame = [trap.resume, self.cpl, self.flags_word()]
        if ring < self.cpl:
            tss_slot = self.tr + TSS_ESP_OFFSET[ring]
            if not self.tr or tss_slot >= self.msize:
                raise DeliveryError(f"{trap.name}: no TSS to find the ring-{ring} stack")
            sp = self.mem[tss_slot]
            frame.append(old_esp)
        if not len(frame) <= sp <= self.msize:
            raise DeliveryError(
                f"{trap.name}: the ring-{ring} stack (ESP={sp:#x}) cannot hold a frame"
            )
        sp -= len(frame)
        self.mem[sp : sp + len(frame)] = frame
        self.r[ESP] = sp
        self.cpl = ring
        self.if_ = 0
        self.eip = handler

    # --- stepping ---------------------------------------------------------------------

    def step(self) -> Result:
        """Execute the instruction at EIP and return what happened (see
        :mod:`~virtdocs.machine.events`); a trap is returned, not delivered.

        The run loop (:func:`virtdocs.machine.run.run`) is the fast way to run many
        steps; this is for interpreters, tests and pages that watch one step.
        """
        if not 0 <= self.eip < len(self.code):
            why = f"EIP {self.eip:#x} is outside the program (0..{len(self.code) - 1:#x})"
            return Trap(GP_VECTOR, why, self.eip, self.eip)
        instruction = self.code[self.eip]
        self.steps += 1
        return instruction.fn(self, instruction)

    # --- observation ------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The guest-visible state, comparable with ``==`` across techniques."""
        return Snapshot(
            registers=dict(zip(REGISTERS, self.r, strict=True)),
            eip=self.eip,
            cpl=self.cpl,
            flags=self.flags_word(),
            control=dict(zip(CONTROL_REGISTERS, self.cr, strict=True)),
            gdtr=(self.gdt_base, self.gdt_limit),
            idtr=(self.idt_base, self.idt_limit),
            tr=self.tr,
            console=self.console.text,
            memory=array("I", [w & WORD_MASK for w in self.mem]).tobytes(),
        )

    def where(self, address: int | None = None) -> str:
        """``address 0x12 (file.s:7)`` for messages."""
        address = self.eip if address is None else address
        if 0 <= address < len(self.code):
            return f"address {address:#x} ({self.code[address].where})"
        return f"address {address:#x}"
