"""The extension point for ways of running a guest: one method, ``run``.

A technique takes an assembled :class:`~virtdocs.machine.Program` and a
:class:`RunConfig` and returns a :class:`RunResult`: the guest-visible state
*as the guest should see it* (so runs can be compared for equivalence), the
counters, and why the run stopped. Techniques are registered, in teaching order,
in :data:`virtdocs.hypervisor.TECHNIQUES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from virtdocs.errors import UserError
from virtdocs.machine import DEFAULT_MAX_STEPS, DEFAULT_MEMORY_WORDS, Program, Snapshot, Stop
from virtdocs.machine.run import TraceEvent


@dataclass(frozen=True)
class RunConfig:
    """How to run: the step limit, whether to trace, the memory size (words)."""

    max_steps: int = DEFAULT_MAX_STEPS
    trace: bool = False
    memory_words: int = DEFAULT_MEMORY_WORDS

    def __post_init__(self) -> None:
        if self.max_steps < 1:
            raise UserError(f"--max-steps: must be at least 1, got {self.max_steps}")
        if not 1024 <= self.memory_words <= 1 << 24:
            raise UserError(f"memory_words: must be 1024..{1 << 24}, got {self.memory_words}")


@dataclass(frozen=True)
class RunResult:
    """What a technique reports; ``stats`` holds counters and modeled cycles."""

    technique: str
    state: Snapshot
    stop: Stop
    stats: dict[str, int]
    trace: tuple[TraceEvent, ...] = field(default=())

    @property
    def halted(self) -> bool:
        return self.stop.ok

    def to_json(self) -> dict[str, Any]:
        """The ``virtdocs run --json`` document (design.md contract)."""
        return {
            "technique": self.technique,
            "state": self.state.to_json(),
            "stats": self.stats,
            "halted": self.halted,
            "stop": {
                "code": self.stop.code,
                "message": self.stop.message,
                "address": self.stop.address,
            },
        }


class Technique(Protocol):
    """A way to run a guest (bare hardware, trap-and-emulate, binary translation…)."""

    name: str

    def run(self, program: Program, config: RunConfig) -> RunResult: ...
