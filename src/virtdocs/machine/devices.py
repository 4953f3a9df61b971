"""The devices on tiny86's I/O ports: a console and an interval timer.

Devices never print and never read a clock: the console collects characters,
and the timer counts the machine's own clock (one tick per step, plus ticks
spent halted), so every run is repeatable.
"""

from __future__ import annotations

from virtdocs.machine.isa import CONSOLE_PORT, TIMER_PORT


class Console:
    """Port 0xE9: each word written appends one character (its low byte)."""

    port = CONSOLE_PORT

    def __init__(self) -> None:
        self.chars: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def read(self) -> int:
        # Bochs and QEMU (hw/char/debugcon.c, "readback") return 0xE9 so software can
        # detect the console.
        return CONSOLE_PORT

    def write(self, value: int) -> None:
        self.chars.append(chr(value & 0xFF))


class Timer:
    """Port 0x40: write a period in clock ticks (0 stops it); read the ticks fired so far.

    ``deadline`` is the clock value at which the next interrupt is raised;
    ``pending`` is set when it fires and cleared when the interrupt is delivered.
    """

    port = TIMER_PORT
    NEVER = 1 << 62

    def __init__(self) -> None:
        self.period = 0
        self.deadline = self.NEVER
        self.fired = 0
        self.pending = False
        self.rearm = False  # a period was written; the run loop arms it at the current clock

    def read(self) -> int:
        return self.fired

    def write(self, value: int) -> None:
        # The instruction does not know the clock (the run loop keeps it), so arming is
        # left to the loop, which calls arm() before the next step.
        self.period = value
        self.rearm = True

    def arm(self, now: int) -> None:
        """Start counting the written period from ``now``."""
        self.rearm = False
        self.deadline = now + self.period if self.period else self.NEVER

    def fire(self) -> None:
        """The deadline passed: raise the interrupt line and arm the next period."""
        self.fired += 1
        self.pending = True
        self.deadline = self.deadline + self.period if self.period else self.NEVER
