"""``interpretation``: a software CPU that fetches, decodes and emulates every instruction (Bochs).

Nothing of the guest runs on the (simulated) hardware. The guest's code is
kept as an *encoded image* — four words per instruction: opcode, then the
operand fields — and every step the interpreter

1. **fetches** the words at ``EIP`` from the image,
2. **decodes** them: the opcode indexes the dispatch table, the fields become
   a decoded instruction,
3. **emulates** it: the handler updates the software CPU's registers, flags,
   memory and privileged state.

Because the software CPU *is* the virtual machine — its ring, IF and
descriptor tables are the guest's own — every instruction, sensitive or not,
behaves exactly as on bare hardware: interpretation closes the x86
virtualization hole by never letting the guest touch the real processor. The
price is the decode and dispatch on every single instruction.

The loop, :func:`interpret`, knows nothing about tiny86: a :class:`Frontend`
does the fetch and decode. :mod:`virtdocs.hypervisor.risc` is a second,
RISC-like instruction set run by the same loop (heterogeneous emulation).

>>> from virtdocs.machine import assemble
>>> program = assemble("MOV EAX, 6\\nMUL EAX, 7\\nHLT", "answer.s")
>>> image = encode(program)
>>> image[:4] == [opcode("MOV r,i"), 0, 6, 0]
True
>>> result = Interpretation().run(program, RunConfig())
>>> result.state.registers["EAX"], result.stats["interpreted"]
(42, 3)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol

from virtdocs.hypervisor.driver import drive
from virtdocs.hypervisor.stats import run_stats
from virtdocs.hypervisor.technique import RunConfig, RunResult
from virtdocs.machine import CPU, Counters, Program
from virtdocs.machine.events import Result
from virtdocs.machine.run import NativeHandler
from virtdocs.machine.semantics import FORMS

#: Words per encoded tiny86 instruction: opcode, a, b, c.
WORDS_PER_INSTRUCTION: Final = 4

#: Opcode numbers: the position of each operand form in the semantics table.
_FORMS: Final = tuple(FORMS.items())
_OPCODES: Final = {f"{mnemonic} {kinds}".rstrip(): n for n, ((mnemonic, kinds), _) in
                   enumerate(_FORMS)}  # fmt: skip


def opcode(form: str) -> int:
    """The opcode number of an operand form such as ``"MOV r,i"``."""
    return _OPCODES[form]


@dataclass(slots=True)
class Decoded:
    """A decoded instruction as the semantics functions read it (built anew every step)."""

    mnemonic: str
    a: int
    b: int
    c: int


def encode(program: Program) -> list[int]:
    """The program's code as an image of words, four per instruction."""
    image: list[int] = []
    for instruction in program.code:
        image += [opcode(instruction.form), instruction.a, instruction.b, instruction.c]
    return image


class Frontend(Protocol):
    """Fetch and decode for one instruction set: the handler and the decoded instruction at
    the machine's program counter, or None past the end of the code."""

    def decode(self, machine: Any) -> tuple[Callable[[Any, Any], Any], Any] | None: ...


def interpret(frontend: Frontend, machine: Any, budget: int) -> tuple[Any, int]:
    """Fetch, decode and emulate up to ``budget`` instructions; stop after the first that
    returns a result. Returns the result (or None) and the number executed."""
    executed = 0
    while executed < budget:
        decoded = frontend.decode(machine)
        if decoded is None:
            break
        handler, instruction = decoded
        executed += 1
        result = handler(machine, instruction)
        if result is not None:
            return result, executed
    return None, executed


class Tiny86Frontend:
    """Fetch from the encoded image at ``EIP``; decode by the opcode table."""

    def __init__(self, image: list[int]) -> None:
        self.image = image
        self.size = len(image) // WORDS_PER_INSTRUCTION
        self.table = [(fn, mnemonic) for (mnemonic, _), fn in _FORMS]

    def decode(self, cpu: CPU) -> tuple[Callable[[Any, Any], Any], Decoded] | None:
        eip = cpu.eip
        if eip >= self.size:
            return None
        base = eip * WORDS_PER_INSTRUCTION
        fn, mnemonic = self.table[self.image[base]]
        return fn, Decoded(mnemonic, self.image[base + 1], self.image[base + 2],
                           self.image[base + 3])  # fmt: skip


class _InterpretingExecutor:
    def __init__(self, frontend: Tiny86Frontend) -> None:
        self.frontend = frontend

    def execute(self, cpu: CPU, budget: int) -> tuple[Result, int]:
        result, executed = interpret(self.frontend, cpu, budget)
        return result, executed


class Interpretation:
    """Emulate every guest instruction on a software CPU; traps go through the guest's IDT."""

    name = "interpretation"

    def run(self, program: Program, config: RunConfig) -> RunResult:
        cpu = CPU(program, config.memory_words)
        counters = Counters(trace=[] if config.trace else None)
        executor = _InterpretingExecutor(Tiny86Frontend(encode(program)))
        stop = drive(cpu, executor, NativeHandler(), config.max_steps, counters)
        stats = run_stats(cpu, counters, {"interpreted": cpu.steps})
        return RunResult(self.name, cpu.snapshot(), stop, stats, tuple(counters.trace or ()))


__all__ = ["Decoded", "Frontend", "Interpretation", "encode", "interpret", "opcode"]
