"""Binary translation of rv8 guests, with invalidation when the guest rewrites its own code.

rv8 keeps code and data in one memory, as x86 does, so a program can store a
new instruction over an old one. A translator that caches translated blocks
must notice: every address it has translated is *watched*, a store to one
ends the current block, and every block translated from that address is
dropped (QEMU write-protects the guest pages it has translated to the same
end). The next time control reaches the address, the new instruction is
translated.

>>> from virtdocs.hypervisor.risc import assemble_rv8_file, run_rv8
>>> program = assemble_rv8_file("examples/guests/risc/selfmod.s")
>>> translated = run_rv8_translated(program)
>>> translated.registers[2], dict(translated.stats)["invalidations"]  # two blocks held it
(203, 2)
>>> translated.registers == run_rv8(program).registers
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from virtdocs.hypervisor.interpretation import interpret
from virtdocs.hypervisor.risc import (
    FAULT,
    HALT,
    OPCODES,
    M,
    Rv8Frontend,
    Rv8Machine,
    Rv8Program,
    Rv8Result,
    result_of,
    stop_code,
)

#: A store hit translated code: the block stops right after it.
SMC: Final = 4
_ALU: Final = {"ADD": "+", "SUB": "-", "AND": "&", "OR": "|", "XOR": "^", "MUL": "*"}
_BRANCH: Final = {"BEQ": "{a} == {b}", "BNE": "{a} != {b}", "BLT": "s({a}) < s({b})"}
MAX_BLOCK: Final = 32


def _signed(value: int) -> int:
    return value - (1 << 32) if value >> 31 else value


@dataclass
class Rv8Block:
    start: int
    length: int
    source: str
    fn: Callable[[Rv8Machine], tuple[Any, int]]
    links: dict[int, Rv8Block] = field(default_factory=dict)


def translate_rv8_block(mem: list[int], start: int) -> Rv8Block:
    """Python source for the block at ``start``, compiled."""
    lines = [f"def tb_{start:#x}(m):", "    r = m.r", "    mem = m.mem"]
    pc = start
    while True:
        word = mem[pc] if 0 <= pc < len(mem) else -1
        op_index = word >> 24
        k = pc - start + 1
        if word < 0 or op_index >= len(OPCODES) or pc - start >= MAX_BLOCK:
            # Leave it to the interpreter (a bad word faults there, precisely).
            lines += [f"    m.pc = {pc}", f"    return None, {k - 1}"]
            break
        op = OPCODES[op_index]
        rd, rs, imm = (word >> 20) & 15, (word >> 16) & 15, word & 0xFFFF
        imm = imm - 0x10000 if imm & 0x8000 else imm
        target = f"r[{rd}]" if rd else "_"
        if op == "LI":
            lines.append(f"    {target} = {imm & M}")
        elif op in _ALU:
            lines.append(f"    {target} = (r[{rs}] {_ALU[op]} r[{imm & 15}]) & M")
        elif op == "ADDI":
            lines.append(f"    {target} = (r[{rs}] + {imm}) & M")
        elif op in ("LW", "SW"):
            lines += [f"    a = (r[{rs}] + {imm}) & M", "    if a >= len(mem):",
                      f"        m.pc = {pc}", f"        return None, {k - 1}"]  # fmt: skip
            if op == "LW":
                lines.append(f"    {target} = mem[a]")
            else:
                lines += [f"    mem[a] = r[{rd}]", "    if a in watched:",
                          f"        m.pc = {pc + 1}", f"        return (SMC, a), {k}"]  # fmt: skip
        elif op == "OUT":
            lines.append(f"    m.console.append(chr(r[{rd}] & 0xFF))")
        elif op == "HALT":
            lines += [f"    m.pc = {pc + 1}", f"    return HALT, {k}"]
            break
        elif op == "J":
            lines += [f"    m.pc = {imm & 0xFFFF}", f"    return None, {k}"]
            break
        else:
            condition = _BRANCH[op].format(a=f"r[{rd}]", b=f"r[{rs}]")
            lines += [f"    m.pc = {imm & 0xFFFF} if {condition} else {pc + 1}",
                      f"    return None, {k}"]  # fmt: skip
            break
        pc += 1
    source = "\n".join(lines) + "\n"
    namespace: dict[str, Any] = {"M": M, "HALT": HALT, "SMC": SMC, "s": _signed, "_": 0}
    namespace["watched"] = None  # bound by the cache
    exec(compile(source, f"<rv8 translated {start:#x}>", "exec"), namespace)
    return Rv8Block(start, pc - start + 1, source, namespace[f"tb_{start:#x}"])


class Rv8Cache:
    """Translated rv8 blocks, the addresses they came from, hits, misses and invalidations."""

    def __init__(self, mem: list[int]) -> None:
        self.mem = mem
        self.blocks: dict[int, Rv8Block] = {}
        self.watched: dict[int, set[int]] = {}  # address -> starts of blocks translated from it
        self.hits = self.misses = self.chained = self.invalidations = 0
        self.translated_instructions = 0

    def lookup(self, pc: int) -> Rv8Block:
        block = self.blocks.get(pc)
        if block is not None:
            self.hits += 1
            return block
        self.misses += 1
        block = translate_rv8_block(self.mem, pc)
        block.fn.__globals__["watched"] = self.watched
        self.translated_instructions += block.length
        self.blocks[pc] = block
        for address in range(block.start, block.start + block.length):
            self.watched.setdefault(address, set()).add(block.start)
        return block

    def invalidate(self, address: int) -> None:
        """Guest code at ``address`` was overwritten: drop and unchain its translations."""
        for start in self.watched.pop(address, set()):
            stale = self.blocks.pop(start, None)
            if stale is None:
                continue
            self.invalidations += 1
            for block in self.blocks.values():
                for target in [t for t, b in block.links.items() if b is stale]:
                    del block.links[target]


def run_rv8_translated(program: Rv8Program, max_steps: int = 1_000_000) -> Rv8Result:
    """Run ``program`` by translating its blocks; the same result as :func:`run_rv8`."""
    machine = Rv8Machine(program)
    cache = Rv8Cache(machine.mem)
    frontend = Rv8Frontend()
    steps = 0
    result: Any = None
    block: Rv8Block | None = None
    while steps < max_steps:
        pc = machine.pc
        if block is not None and pc in block.links:
            cache.chained += 1
            block = block.links[pc]
        else:
            successor = cache.lookup(pc)
            if block is not None:
                block.links[pc] = successor
            block = successor
        if block.length > max_steps - steps or block.length == 0:
            step, count = interpret(frontend, machine, 1)  # one instruction, interpreted
            steps += count
            if step is not None:
                result = step
                break
            block = None
            continue
        outcome, count = block.fn(machine)
        steps += count
        if count < block.length and outcome is None:  # the block bailed out to the interpreter
            step, count = interpret(frontend, machine, 1)
            steps += count
            block = None
            if step is not None:
                result = step
                break
            continue
        if isinstance(outcome, tuple):  # a store into translated code
            cache.invalidate(outcome[1])
            block = None
        elif outcome is not None:
            result = outcome
            break
    stats = {
        "translated": steps,
        "tc_hits": cache.hits + cache.chained,
        "tc_misses": cache.misses,
        "chained": cache.chained,
        "invalidations": cache.invalidations,
        "translated_instructions": cache.translated_instructions,
    }
    return result_of(machine, steps, stop_code(result), stats)


__all__ = ["SMC", "Rv8Block", "Rv8Cache", "run_rv8_translated", "translate_rv8_block"]
assert FAULT  # the interpreter reports faults; translated code bails out to it first
