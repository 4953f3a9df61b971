"""The teaching instruction set, *tiny86*: registers, flags, vectors, ports and defaults.

tiny86 is x86-flavoured but small: eight 32-bit registers named like the
i386's, a flags register laid out like EFLAGS, rings 0–3, descriptor-table
registers, control registers, port I/O and an interrupt descriptor table.
Memory and code are word-addressed (one 32-bit word per address) and code
lives apart from data, so an address in code is an instruction index.
Where tiny86 differs from x86 on purpose, :doc:`docs/reference/machine.md`
says so.

Every default lives here, next to its source.
"""

from __future__ import annotations

from typing import Final

#: Name of the teaching instruction set (``virtdocs analyze tiny86``).
ISA_NAME: Final = "tiny86"

#: General-purpose registers, in encoding order (as on the i386).
REGISTERS: Final = ("EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI")
REGISTER_INDEX: Final = {name: index for index, name in enumerate(REGISTERS)}
ESP: Final = REGISTER_INDEX["ESP"]

#: Control registers CR0..CR4 (CR1 is reserved on x86 but kept so indices match).
CONTROL_REGISTERS: Final = ("CR0", "CR1", "CR2", "CR3", "CR4")

WORD_MASK: Final = 0xFFFF_FFFF
SIGN_BIT: Final = 0x8000_0000

# EFLAGS bit positions (Intel SDM Vol. 1, "EFLAGS Register").
CF_BIT: Final = 0
RESERVED_ONE_BIT: Final = 1  # always reads as 1
ZF_BIT: Final = 6
SF_BIT: Final = 7
IF_BIT: Final = 9
OF_BIT: Final = 11
IOPL_SHIFT: Final = 12  # two bits, 12–13

#: CR0.PE (protection enable) — tiny86 always runs protected, as after boot code sets it.
CR0_PE: Final = 1

# Exception and interrupt vectors (Intel SDM Vol. 3A, "Exception and Interrupt Reference").
DE_VECTOR: Final = 0  # divide error
UD_VECTOR: Final = 6  # invalid opcode
SS_VECTOR: Final = 12  # stack-segment fault (tiny86: the stack left memory)
GP_VECTOR: Final = 13  # general protection
#: First vector the PC's interrupt controller is conventionally remapped to; tiny86's timer.
TIMER_VECTOR: Final = 32
#: The system-call vector Linux uses on i386 (``int $0x80``).
SYSCALL_VECTOR: Final = 0x80

VECTOR_NAMES: Final = {
    DE_VECTOR: "#DE divide error",
    UD_VECTOR: "#UD invalid opcode",
    SS_VECTOR: "#SS stack fault",
    GP_VECTOR: "#GP general protection",
    TIMER_VECTOR: "timer interrupt",
}

# Interrupt gates in the IDT: two words per vector, [handler address, attributes].
GATE_WORDS: Final = 2
GATE_PRESENT: Final = 0x10  # attribute bit 4; bits 0–1 gate DPL; bits 2–3 target ring

#: Word offset of ESPn in the task-state segment: ESP0 at 1, ESP1 at 3, ESP2 at 5
#: (the i386 TSS keeps ESP0/ESP1/ESP2 at byte offsets 4, 12, 20; a tiny86 word is 4 bytes).
TSS_ESP_OFFSET: Final = (1, 3, 5)

#: Port of the console: the Bochs "port 0xE9 hack" debug console (a byte written is printed).
CONSOLE_PORT: Final = 0xE9
#: Port of the timer, where the PC's PIT channel 0 lives; tiny86's timer counts machine
#: clock ticks (one per instruction), not the PIT's 1.193182 MHz input clock.
TIMER_PORT: Final = 0x40
#: What IN returns from a port with no device: all ones, as an undriven ISA bus reads.
UNMAPPED_PORT_VALUE: Final = WORD_MASK

#: Memory size in words (256 KiB of 32-bit words).
DEFAULT_MEMORY_WORDS: Final = 65_536
#: Steps a run may take before it is stopped as a runaway (the benchmark guest needs ~10 M).
DEFAULT_MAX_STEPS: Final = 50_000_000
