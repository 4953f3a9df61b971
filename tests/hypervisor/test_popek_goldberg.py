"""The analysis: definitions applied to data, checked against the papers and the simulator."""

from __future__ import annotations

import pytest

from tests.machine.helpers import step
from virtdocs.hypervisor.isa_tables import ROBIN_IRVINE_2000, TINY86, X86
from virtdocs.hypervisor.popek_goldberg import InstructionClass as I
from virtdocs.hypervisor.popek_goldberg import ISADescription, analyze
from virtdocs.machine.isa import GP_VECTOR
from virtdocs.machine.semantics import FORMS, MNEMONICS

#: Intel SDM Vol. 3A, "Privileged Instructions" (5.9 in current editions), in its order.
SDM_PRIVILEGED = (
    "LGDT", "LLDT", "LTR", "LIDT", "MOV CR", "LMSW", "CLTS", "MOV DR", "INVD", "WBINVD",
    "INVLPG", "HLT", "RDMSR", "WRMSR", "RDPMC", "RDTSC",
)  # fmt: skip
#: Intel SDM Vol. 1, "I/O Privilege Level": the IOPL-sensitive instructions.
SDM_IOPL_SENSITIVE = ("CLI", "STI", "IN", "OUT", "INS", "OUTS")


#: Robin and Irvine (USENIX Security 2000), transcribed here independently of the table under
#: test: the "sensitive register instructions", then the "protection system references".
PUBLISHED_SENSITIVE_REGISTER = ("SGDT", "SIDT", "SLDT", "SMSW", "PUSHF", "POPF")
PUBLISHED_PROTECTION_SYSTEM = (
    "LAR", "LSL", "VERR", "VERW", "POP", "PUSH", "CALL", "JMP", "INT", "RET", "STR", "MOV",
)  # fmt: skip


def test_x86_reproduces_robin_and_irvine_exactly() -> None:
    analysis = analyze(X86)
    published = PUBLISHED_SENSITIVE_REGISTER + PUBLISHED_PROTECTION_SYSTEM
    assert published == ROBIN_IRVINE_2000
    assert analysis.virtualization_hole == published
    assert len(ROBIN_IRVINE_2000) == len(set(ROBIN_IRVINE_2000)) == 18
    assert analysis.virtualizable is False


def test_x86_privileged_instructions_are_the_sdm_lists() -> None:
    assert analyze(X86).privileged == SDM_PRIVILEGED + SDM_IOPL_SENSITIVE


def test_x86_is_not_even_hybrid_virtualizable_because_of_table_reads() -> None:
    analysis = analyze(X86)
    assert analysis.hybrid_virtualizable is False
    assert set(analysis.hybrid_hole) == {"SGDT", "SIDT", "SLDT", "SMSW", "PUSHF", "STR"}


def test_theorem_1_holds_when_every_sensitive_instruction_traps() -> None:
    fixed = ISADescription(
        name="fixed",
        title="x86 if the hole were privileged",
        sources=X86.sources,
        instructions=tuple(
            I(
                e.mnemonic,
                e.privileged or e.sensitive,
                e.control_sensitive,
                e.mode_sensitive,
                e.location_sensitive,
                e.user_sensitive,
                e.note,
                e.source,
            )
            for e in X86.instructions
        ),
    )
    analysis = analyze(fixed)
    assert analysis.virtualizable and analysis.hybrid_virtualizable
    assert analysis.virtualization_hole == ()


def test_theorem_3_can_hold_when_theorem_1_fails() -> None:
    # POPF alone: sensitive (it changes IF in supervisor mode) but not in user mode.
    popf_only = ISADescription(
        name="popf-only",
        title="",
        sources={"s": "x"},
        instructions=(
            I("POPF", False, control_sensitive=True, source="s"),
            I("HLT", True, control_sensitive=True, source="s"),
        ),
    )
    analysis = analyze(popf_only)
    assert (analysis.virtualizable, analysis.hybrid_virtualizable) == (False, True)


def test_descriptions_reject_inconsistent_entries() -> None:
    with pytest.raises(ValueError, match="user-sensitive but not sensitive"):
        I("FOO", False, user_sensitive=True)
    with pytest.raises(ValueError, match="listed twice"):
        ISADescription("d", "", (I("A", True, source="s"), I("A", True, source="s")), {"s": ""})
    with pytest.raises(ValueError, match="unknown source"):
        ISADescription("d", "", (I("A", True, source="nope"),), {"s": ""})


def test_tiny86_table_covers_every_mnemonic() -> None:
    assert sorted(e.mnemonic for e in TINY86.instructions) == sorted(MNEMONICS)


def _sample(mnemonic: str) -> str:
    kinds = next(k for (name, k) in FORMS if name == mnemonic)
    values = {"r": "EAX", "i": "0xE9", "m": "[10]", "c": "CR0"}
    if mnemonic in ("JMP", "JZ", "JNZ", "JC", "JNC", "JL", "JGE", "JLE", "JG", "CALL"):
        values["i"] = "1"
    operands = ", ".join(values[k] for k in kinds.split(",") if k)
    name = "MOV" if mnemonic == "MOV CR" else mnemonic
    return f"{name} {operands}".strip()


@pytest.mark.parametrize("entry", TINY86.instructions, ids=lambda e: e.mnemonic)
def test_tiny86_table_matches_what_the_cpu_does(entry: I) -> None:
    """Privileged in the table <=> #GP in ring 3 (IOPL 0) and not in ring 0."""
    line = _sample(entry.mnemonic)
    setup = {"esp": 100, "mem": {100: 1, 101: 0, 102: 2}}
    user = step(line, 3, **setup)  # type: ignore[arg-type]
    kernel = step(line, 0, **setup)  # type: ignore[arg-type]
    user_gp = user.trap is not None and user.trap.vector == GP_VECTOR
    kernel_gp = kernel.trap is not None and kernel.trap.vector == GP_VECTOR
    assert entry.privileged == (user_gp and not kernel_gp)
