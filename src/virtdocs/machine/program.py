"""An assembled program: decoded code, initial data memory and the symbols that named them."""

from __future__ import annotations

from dataclasses import dataclass, field

from virtdocs.machine.operands import Instruction


@dataclass(frozen=True)
class Program:
    """Code (one instruction per address, entry at ``entry``), data words loaded at
    address 0, and the labels and constants of the source."""

    code: tuple[Instruction, ...]
    data: tuple[int, ...] = ()
    entry: int = 0
    name: str = "<program>"
    code_labels: dict[str, int] = field(default_factory=dict)
    data_labels: dict[str, int] = field(default_factory=dict)
    constants: dict[str, int] = field(default_factory=dict)

    def label_at(self, address: int) -> str | None:
        """The first code label at ``address``, if any."""
        for name, value in self.code_labels.items():
            if value == address:
                return name
        return None
