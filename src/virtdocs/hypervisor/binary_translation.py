"""``binary-translation``: translate guest basic blocks into host code, cache and chain them.

The monitor never runs a guest instruction as written. The first time control
reaches an address, :func:`~virtdocs.hypervisor.translate.translate_block`
generates a Python function for the basic block there (a *translation-cache
miss*); afterwards the cached function runs (a *hit*). When a block ends, the
next address is looked up once and then remembered on the block itself — the
two blocks are *chained*, so the hot path skips the cache lookup, as QEMU
patches a direct jump between translated blocks.

Sensitive instructions — the privileged ones and the virtualization hole
(POPF, PUSHF, SGDT…) alike — are translated into *callouts*: calls into the
monitor, which emulates them against the virtual CPU. Nothing traps, so POPF
cannot silently lose IF as it does under naive trap-and-emulate. Faults and
INT n are reflected into the guest's own interrupt table.

The cache is invalidated when guest code changes (:meth:`TranslationCache.write_code`):
every block translated from the written address is dropped and unchained, so
self-modifying code runs its new instructions.

VMware translated only guest *kernel* code and ran user code directly; this
translator translates every instruction, as QEMU does in full-system mode, so its
speed compares like with like against interpretation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from virtdocs.hypervisor.driver import drive
from virtdocs.hypervisor.isa_tables import TINY86
from virtdocs.hypervisor.popek_goldberg import analyze
from virtdocs.hypervisor.stats import run_stats
from virtdocs.hypervisor.technique import RunConfig, RunResult
from virtdocs.hypervisor.translate import Block, translate_block
from virtdocs.machine import CPU, Counters, Instruction, Program
from virtdocs.machine.events import Result
from virtdocs.machine.run import NativeHandler

#: What the translator turns into monitor callouts: every sensitive tiny86 instruction.
SENSITIVE = frozenset(analyze(TINY86).sensitive)


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    chained: int = 0
    invalidations: int = 0
    translated_instructions: int = 0
    callouts: int = 0
    callouts_by_mnemonic: dict[str, int] = field(default_factory=dict)
    stepped: int = 0  # run one at a time because a whole block would cross a timer deadline


class TranslationCache:
    """Translated blocks by start address, with chaining and invalidation."""

    def __init__(self, code: list[Instruction]) -> None:
        self.code = code
        self.blocks: dict[int, Block] = {}
        self.stats = CacheStats()

    def callout(self, cpu: CPU, instruction: Instruction) -> Result:
        """The monitor's entry from translated code: emulate a sensitive instruction."""
        self.stats.callouts += 1
        by = self.stats.callouts_by_mnemonic
        by[instruction.mnemonic] = by.get(instruction.mnemonic, 0) + 1
        return instruction.fn(cpu, instruction)

    def lookup(self, address: int) -> Block:
        """The block at ``address``, translating it on a miss."""
        block = self.blocks.get(address)
        if block is not None:
            self.stats.hits += 1
            return block
        self.stats.misses += 1
        block = translate_block(self.code, address, SENSITIVE, self.callout)
        self.stats.translated_instructions += block.length
        self.blocks[address] = block
        return block

    def write_code(self, address: int, instruction: Instruction) -> None:
        """Guest code at ``address`` changes: store it and drop every translation of it."""
        self.code[address] = instruction
        stale = [b for b in self.blocks.values() if b.start <= address < b.start + b.length]
        for block in stale:
            del self.blocks[block.start]
            self.stats.invalidations += 1
        for block in self.blocks.values():  # unchain links into the dropped blocks
            for target in [t for t, b in block.links.items() if b in stale]:
                del block.links[target]


class TranslatingExecutor:
    """Runs chained translated blocks until a result, the budget, or the end of the code."""

    def __init__(self, cache: TranslationCache) -> None:
        self.cache = cache

    def execute(self, cpu: CPU, budget: int) -> tuple[Result, int]:
        cache = self.cache
        size = len(cache.code)
        block = cache.lookup(cpu.eip)
        executed = 0
        while True:
            left = budget - executed
            if block.length > left:
                if executed:
                    return None, executed
                # The whole block would cross the next interrupt: step one instruction.
                cache.stats.stepped += 1
                instruction = cache.code[cpu.eip]
                if instruction.mnemonic in SENSITIVE:
                    return cache.callout(cpu, instruction), 1
                return instruction.fn(cpu, instruction), 1
            result, count = block.fn(cpu, left)
            executed += count
            eip = cpu.eip
            if result is not None or executed >= budget or eip >= size:
                return result, executed
            successor = block.links.get(eip)
            if successor is None:
                successor = cache.lookup(eip)
                block.links[eip] = successor
            else:
                cache.stats.chained += 1
            block = successor


class BinaryTranslation:
    """Translate every guest block to Python and run the translations (see the module doc)."""

    name = "binary-translation"

    def run(self, program: Program, config: RunConfig) -> RunResult:
        cpu = CPU(program, config.memory_words)
        counters = Counters(trace=[] if config.trace else None)
        cache = TranslationCache(cpu.code)
        stop = drive(cpu, TranslatingExecutor(cache), NativeHandler(), config.max_steps, counters)
        s = cache.stats
        events = {
            "translated": cpu.steps - s.callouts - s.stepped,
            "interpreted": s.stepped,
            "callouts": s.callouts,
            "vmm_traps": counters.traps + counters.interrupts,
            "tc_hits": s.hits + s.chained,
            "tc_misses": s.misses,
            "translated_instructions": s.translated_instructions,
            "chained": s.chained,
            "blocks": len(cache.blocks),
        }
        for mnemonic, count in sorted(s.callouts_by_mnemonic.items()):
            events[f"callout_{mnemonic.lower().replace(' ', '_')}"] = count
        stats = run_stats(cpu, counters, events)
        return RunResult(self.name, cpu.snapshot(), stop, stats, tuple(counters.trace or ()))


__all__ = ["SENSITIVE", "BinaryTranslation", "TranslatingExecutor", "TranslationCache"]
