"""Binary translation: generated code, the translation cache, chaining, callouts, SMC."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from virtdocs.hypervisor.binary_translation import SENSITIVE, BinaryTranslation, TranslationCache
from virtdocs.hypervisor.risc import assemble_rv8_file, run_rv8
from virtdocs.hypervisor.rv8_translate import run_rv8_translated
from virtdocs.hypervisor.technique import RunConfig
from virtdocs.hypervisor.translate import block_extent, live_flags, translate_block
from virtdocs.machine import CPU, assemble, assemble_file, make_instruction, run_native

GUESTS = Path(__file__).resolve().parents[2] / "examples" / "guests"


def test_the_loop_is_one_translated_block_that_loops() -> None:
    program = assemble_file(GUESTS / "loop.s", defines={"ITERATIONS": 1000})
    block = translate_block(
        program.code, program.code_labels["again"], SENSITIVE, lambda c, i: None
    )
    assert block.loops and block.length == 4
    assert "while True:" in block.source
    # Lazy flags: ADD's flags are dead (XOR overwrites them all), so no carry is computed.
    assert "eax = (eax + edx) & M" in block.source and ">> 32" not in block.source


def test_flag_liveness() -> None:
    program = assemble("ADD EAX, 1\nXOR EAX, 2\nDEC EAX\nJNZ 0", "t.s")
    live = live_flags(program.code)
    assert live[0] == frozenset()  # XOR overwrites every flag ADD sets: ADD's are dead
    assert live[1] == frozenset({"cf"})  # DEC leaves CF alone, so XOR's CF = 0 must be kept
    assert live[2] == live[3] == frozenset({"cf", "zf", "sf", "of"})


def test_sensitive_instructions_end_blocks_and_become_callouts() -> None:
    program = assemble("MOV EAX, 1\nPUSHF\nPOP EBX\nHLT", "t.s")
    assert block_extent(program.code, 0, SENSITIVE) == 2
    seen: list[str] = []

    def callout(cpu: CPU, instruction: object) -> None:
        seen.append(str(instruction))

    block = translate_block(program.code, 0, SENSITIVE, callout)
    cpu = CPU(program, 1024)
    _, executed = block.fn(cpu, 100)
    assert (seen, executed, cpu.r[0]) == (["PUSHF"], 2, 1)


def test_cache_hits_chaining_and_callouts() -> None:
    program = assemble_file(GUESTS / "syscalls.s")
    result = BinaryTranslation().run(program, RunConfig())
    stats = result.stats
    assert result.state == run_native(program).cpu.snapshot()
    assert stats["tc_misses"] == stats["blocks"]
    assert stats["tc_hits"] > 20 * stats["tc_misses"]
    assert stats["chained"] > 0
    assert stats["callouts"] == sum(v for k, v in stats.items() if k.startswith("callout_"))
    assert stats["callout_iret"] > 0 and stats["callout_out"] > 0


def test_writing_code_drops_and_unchains_its_translations() -> None:
    program = assemble("top: INC EAX\nJMP next\nnext: DEC ECX\nJNZ top\nHLT", "t.s")
    cpu = CPU(program, 1024)
    cache = TranslationCache(cpu.code)
    first, second = cache.lookup(0), cache.lookup(2)
    first.links[2] = second
    cache.write_code(2, make_instruction("NOP", ()))
    assert 2 not in cache.blocks and 2 not in first.links
    assert cache.stats.invalidations == 1
    assert cache.lookup(2).instructions[0].mnemonic == "NOP"


def test_self_modifying_rv8_code_is_retranslated() -> None:
    program = assemble_rv8_file(GUESTS / "risc" / "selfmod.s")
    interpreted, translated = run_rv8(program), run_rv8_translated(program)
    assert translated.registers == interpreted.registers and translated.registers[2] == 203
    assert translated.memory == interpreted.memory and translated.steps == interpreted.steps
    stats = dict(translated.stats)
    assert stats["invalidations"] == 2 and stats["tc_misses"] > 3


def test_rv8_sum_translated() -> None:
    program = assemble_rv8_file(GUESTS / "risc" / "sum.s")
    translated = run_rv8_translated(program)
    assert translated.console == "5050\n" and translated.memory == run_rv8(program).memory
    assert dict(translated.stats)["chained"] > 0


_OPS = st.sampled_from(["ADD", "SUB", "XOR", "AND", "OR", "CMP", "MUL", "INC", "DEC", "SHL", "SHR"])
_REG = st.sampled_from(["EAX", "EBX", "EDX"])
_VAL = st.sampled_from([0, 1, 5, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF])


@st.composite
def _straight_line(draw: st.DrawFn) -> str:
    lines = [f"MOV {r}, {draw(_VAL)}" for r in ("EAX", "EBX", "EDX")]
    for _ in range(draw(st.integers(1, 8))):
        op = draw(_OPS)
        if op in ("INC", "DEC"):
            lines.append(f"{op} {draw(_REG)}")
        elif op in ("SHL", "SHR"):
            lines.append(f"{op} {draw(_REG)}, {draw(st.integers(0, 31))}")
        else:
            other = draw(st.one_of(_REG, _VAL.map(str)))
            lines.append(f"{op} {draw(_REG)}, {other}")
    jump = draw(st.sampled_from(["JZ", "JNZ", "JC", "JNC", "JL", "JGE", "JLE", "JG"]))
    return "\n".join([*lines, f"{jump} done", "NOP", "done: HLT"])


@settings(max_examples=60, deadline=None)
@given(_straight_line())
def test_generated_code_computes_what_the_semantics_do(source: str) -> None:
    program = assemble(source, "gen.s")
    native = run_native(program)
    translated = BinaryTranslation().run(program, RunConfig())
    assert translated.state == native.cpu.snapshot()
