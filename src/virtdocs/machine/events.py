"""What one step of the CPU can produce: values, never exceptions.

A semantics function returns ``None`` when the instruction retired normally (the
common case, so nothing is allocated), :data:`EVENT` when it retired and may
have changed interrupt state (IF, the timer), :data:`HALT` when it was HLT, or a
:class:`Trap` when it did not retire (a fault) or asked for an interrupt (INT n).
Who handles a trap — the guest's own kernel through its IDT, or a hypervisor —
is decided by the run loop's trap handler, not by the CPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from virtdocs.machine.isa import VECTOR_NAMES

#: Retired, and interrupt state (IF, pending timer interrupt) may have changed.
EVENT: Final = 1
#: HLT retired: wait for an interrupt, or stop if interrupts are off.
HALT: Final = 2


@dataclass(frozen=True, slots=True)
class Trap:
    """A transfer of control to whoever owns the interrupt table.

    ``eip`` is where it happened; ``resume`` is the address the handler returns
    to (the faulting instruction itself for a fault, the next one for INT n);
    ``software`` marks INT n, whose gate DPL is checked against CPL;
    ``external`` marks a device interrupt.
    """

    vector: int
    reason: str
    eip: int
    resume: int
    software: bool = False
    external: bool = False

    @property
    def name(self) -> str:
        """Short name of the vector: ``#GP general protection``, ``INT 0x80``…"""
        if self.software:
            return f"INT {self.vector:#x}"
        return VECTOR_NAMES.get(self.vector, f"vector {self.vector}")


#: What a semantics function returns (see the module docstring).
Result = Trap | int | None


@dataclass(frozen=True, slots=True)
class Stop:
    """Why a run ended. ``code`` is one of :data:`STOP_CODES`."""

    code: str
    message: str
    address: int

    @property
    def ok(self) -> bool:
        """True only for a guest that halted on its own."""
        return self.code == "halted"


#: The fixed set of ways a run ends.
STOP_CODES: Final = ("halted", "step-limit", "fault", "past-end")
