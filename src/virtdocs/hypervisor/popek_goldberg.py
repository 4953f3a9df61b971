"""The Popek–Goldberg analysis: classify instructions, then apply Theorems 1 and 3.

Popek and Goldberg (CACM 17(7), 1974) define, for a machine with a supervisor
and a user mode:

- a *privileged* instruction traps in user mode and does not trap in supervisor mode;
- a *control-sensitive* instruction changes the configuration of the system
  (the mode, the resources available, interrupt state) without trapping;
- a *behaviour-sensitive* instruction's effect depends on that configuration:
  *mode-sensitive* if on the processor mode, *location-sensitive* if on where
  the program or its tables really are;
- an *innocuous* instruction is neither.

A virtual machine monitor must give *equivalence* (programs behave as on the
real machine), *resource control* (the monitor stays in charge of the
resources) and *efficiency* (most instructions run directly on the hardware).

Theorem 1: if the sensitive instructions are a subset of the privileged ones,
a VMM with all three properties can be built (trap-and-emulate).
Theorem 3: if the *user-sensitive* instructions (those sensitive when executed
in user mode) are a subset of the privileged ones, a *hybrid* VMM can be built —
one that interprets every instruction of the virtual supervisor mode and runs
only virtual user mode directly.

:func:`analyze` applies both theorems to any :class:`ISADescription`.

>>> from virtdocs.hypervisor.isa_tables import X86
>>> analysis = analyze(X86)
>>> analysis.virtualizable, len(analysis.virtualization_hole)
(False, 18)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

#: The definitions, as the pages and ``virtdocs analyze`` print them.
DEFINITIONS: Final = (
    ("privileged", "traps when executed in user mode, runs when executed in supervisor mode"),
    ("control-sensitive", "changes the machine's configuration (mode, resources, interrupts)"),
    ("mode-sensitive", "behaves differently depending on the processor mode"),
    ("location-sensitive", "behaves differently depending on where things really are in memory"),
    ("innocuous", "neither control- nor behaviour-sensitive"),
)

#: The three properties of a virtual machine monitor.
PROPERTIES: Final = (
    ("equivalence", "a program behaves as it would on the real machine"),
    ("resource control", "the monitor stays in complete control of the real resources"),
    ("efficiency", "a dominant fraction of instructions run directly on the hardware"),
)


@dataclass(frozen=True)
class InstructionClass:
    """How one instruction (by mnemonic) classifies, why, and where that is documented."""

    mnemonic: str
    privileged: bool
    control_sensitive: bool = False
    mode_sensitive: bool = False
    location_sensitive: bool = False
    user_sensitive: bool = False
    note: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if self.user_sensitive and not self.sensitive:
            raise ValueError(f"{self.mnemonic}: user-sensitive but not sensitive")
        if self.mnemonic != self.mnemonic.upper():
            raise ValueError(f"{self.mnemonic}: mnemonics are upper case")

    @property
    def behaviour_sensitive(self) -> bool:
        return self.mode_sensitive or self.location_sensitive

    @property
    def sensitive(self) -> bool:
        return self.control_sensitive or self.behaviour_sensitive

    @property
    def kinds(self) -> tuple[str, ...]:
        """The sensitivity kinds that apply, or ``("innocuous",)``."""
        kinds = tuple(
            name
            for name, applies in (
                ("control", self.control_sensitive),
                ("mode", self.mode_sensitive),
                ("location", self.location_sensitive),
            )
            if applies
        )
        return kinds or ("innocuous",)


@dataclass(frozen=True)
class ISADescription:
    """An instruction set to analyse: its instructions and the sources they cite."""

    name: str
    title: str
    instructions: tuple[InstructionClass, ...]
    sources: dict[str, str]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for entry in self.instructions:
            if entry.mnemonic in seen:
                raise ValueError(f"{self.name}: {entry.mnemonic} is listed twice")
            seen.add(entry.mnemonic)
            if entry.source not in self.sources:
                raise ValueError(
                    f"{self.name}: {entry.mnemonic} cites unknown source {entry.source!r}"
                )

    def entry(self, mnemonic: str) -> InstructionClass:
        for candidate in self.instructions:
            if candidate.mnemonic == mnemonic:
                return candidate
        raise KeyError(mnemonic)


@dataclass(frozen=True)
class Analysis:
    """The verdicts of Theorems 1 and 3 for one instruction set."""

    isa: str
    privileged: tuple[str, ...]
    sensitive: tuple[str, ...]
    user_sensitive: tuple[str, ...]
    virtualization_hole: tuple[str, ...]
    hybrid_hole: tuple[str, ...]

    @property
    def virtualizable(self) -> bool:
        """Theorem 1: sensitive ⊆ privileged."""
        return not self.virtualization_hole

    @property
    def hybrid_virtualizable(self) -> bool:
        """Theorem 3: user-sensitive ⊆ privileged."""
        return not self.hybrid_hole

    def to_json(self) -> dict[str, Any]:
        return {
            "isa": self.isa,
            "virtualizable": self.virtualizable,
            "hybrid_virtualizable": self.hybrid_virtualizable,
            "virtualization_hole": list(self.virtualization_hole),
            "privileged": list(self.privileged),
            "sensitive": list(self.sensitive),
            "user_sensitive": list(self.user_sensitive),
            "hybrid_hole": list(self.hybrid_hole),
        }


def analyze(description: ISADescription) -> Analysis:
    """Apply Theorem 1 and Theorem 3 to ``description`` (lists keep table order)."""
    entries = description.instructions
    return Analysis(
        isa=description.name,
        privileged=tuple(e.mnemonic for e in entries if e.privileged),
        sensitive=tuple(e.mnemonic for e in entries if e.sensitive),
        user_sensitive=tuple(e.mnemonic for e in entries if e.user_sensitive),
        virtualization_hole=tuple(e.mnemonic for e in entries if e.sensitive and not e.privileged),
        hybrid_hole=tuple(e.mnemonic for e in entries if e.user_sensitive and not e.privileged),
    )
