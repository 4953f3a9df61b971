"""What one kubectl invocation printed and its exit code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KubectlOutput:
    stdout: str
    stderr: str = ""
    exit_code: int = 0

    @property
    def text(self) -> str:
        """stdout then stderr, as a terminal shows them when both are short."""
        return "\n".join(part for part in (self.stdout, self.stderr) if part)
