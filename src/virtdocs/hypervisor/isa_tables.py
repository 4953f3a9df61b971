"""The instruction-set descriptions the analysis ships with: tiny86 and real x86.

Each entry says whether the instruction is privileged, how it is sensitive,
whether it is sensitive when executed in user mode (for Theorem 3), why, and
which source documents that.

x86: the privileged instructions are the Intel SDM's list (Vol. 3A, "Privileged
Instructions") plus the IOPL-sensitive ones, which trap when CPL > IOPL — so a
monitor that runs its guest kernel with IOPL 0 outside ring 0 gets a trap. The
sensitive-but-unprivileged instructions are exactly those Robin and Irvine
listed for the Pentium (USENIX Security 2000, sections 4.2 and 4.3), in their order.
The user-sensitivity column is this project's reading of the same facts, with
the reason given on each row.
"""

from __future__ import annotations

from typing import Final

from virtdocs.hypervisor.popek_goldberg import InstructionClass as I
from virtdocs.hypervisor.popek_goldberg import ISADescription
from virtdocs.machine.isa import ISA_NAME

RI: Final = "robin-irvine-2000"
SDM: Final = "intel-sdm"
I386: Final = "i386-manual"
SIM: Final = "tiny86-semantics"

SOURCES: Final = {
    RI: "J. S. Robin and C. E. Irvine, Analysis of the Intel Pentium's Ability to Support a "
    "Secure Virtual Machine Monitor, USENIX Security 2000 — "
    "https://www.usenix.org/legacy/events/sec00/full_papers/robin/robin_html/index.html",
    SDM: "Intel 64 and IA-32 Architectures Software Developer's Manual, Vol. 3A, "
    "'Privileged Instructions'; Vol. 1, 'I/O Privilege Level' — "
    "https://www.intel.com/content/www/us/en/developer/articles/technical/intel-sdm.html",
    I386: "Intel 80386 Programmer's Reference Manual (1986), POPF — "
    "https://pdos.csail.mit.edu/6.828/2008/readings/i386/POPF.htm",
    SIM: "virtdocs tiny86, src/virtdocs/machine/semantics/ (checked by tests/hypervisor)",
}

_IOPL = "trap when CPL > IOPL; with IOPL 0 they trap everywhere but ring 0"
_TABLE_READ = "reveals where the real descriptor table is, in any ring"

X86: Final = ISADescription(
    name="x86",
    title="IA-32 (Pentium): the instructions that matter for virtualization",
    sources=SOURCES,
    instructions=(
        # Privileged: #GP unless CPL = 0 (Intel SDM Vol. 3A, "Privileged Instructions").
        I("LGDT", True, control_sensitive=True, note="loads the GDT register", source=SDM),
        I("LLDT", True, control_sensitive=True, note="loads the LDT register", source=SDM),
        I("LTR", True, control_sensitive=True, note="loads the task register", source=SDM),
        I("LIDT", True, control_sensitive=True, note="loads the IDT register", source=SDM),
        I(
            "MOV CR",
            True,
            control_sensitive=True,
            note="moves to/from control registers",
            source=SDM,
        ),
        I("LMSW", True, control_sensitive=True, note="loads the machine status word", source=SDM),
        I("CLTS", True, control_sensitive=True, note="clears CR0.TS", source=SDM),
        I("MOV DR", True, control_sensitive=True, note="moves to/from debug registers", source=SDM),
        I("INVD", True, control_sensitive=True, note="invalidates caches", source=SDM),
        I(
            "WBINVD",
            True,
            control_sensitive=True,
            note="writes back and invalidates caches",
            source=SDM,
        ),
        I("INVLPG", True, control_sensitive=True, note="invalidates a TLB entry", source=SDM),
        I("HLT", True, control_sensitive=True, note="halts the processor", source=SDM),
        I("RDMSR", True, mode_sensitive=True, note="reads model-specific registers", source=SDM),
        I(
            "WRMSR",
            True,
            control_sensitive=True,
            note="writes model-specific registers",
            source=SDM,
        ),
        I("RDPMC", True, mode_sensitive=True, note="privileged unless CR4.PCE = 1", source=SDM),
        I("RDTSC", True, mode_sensitive=True, note="privileged only if CR4.TSD = 1", source=SDM),
        # IOPL-sensitive (Intel SDM Vol. 1, "I/O Privilege Level").
        I("CLI", True, control_sensitive=True, note=f"clears IF; {_IOPL}", source=SDM),
        I("STI", True, control_sensitive=True, note=f"sets IF; {_IOPL}", source=SDM),
        I("IN", True, control_sensitive=True, note=f"reads a port; {_IOPL}", source=SDM),
        I("OUT", True, control_sensitive=True, note=f"writes a port; {_IOPL}", source=SDM),
        I("INS", True, control_sensitive=True, note=f"string input; {_IOPL}", source=SDM),
        I("OUTS", True, control_sensitive=True, note=f"string output; {_IOPL}", source=SDM),
        # Sensitive but not privileged: Robin & Irvine 4.2, sensitive register instructions.
        I("SGDT", False, location_sensitive=True, user_sensitive=True, note=_TABLE_READ, source=RI),
        I("SIDT", False, location_sensitive=True, user_sensitive=True, note=_TABLE_READ, source=RI),
        I("SLDT", False, location_sensitive=True, user_sensitive=True, note=_TABLE_READ, source=RI),
        I(
            "SMSW",
            False,
            mode_sensitive=True,
            user_sensitive=True,
            note="reveals CR0's low bits (PE, TS…) in any ring",
            source=RI,
        ),
        I(
            "PUSHF",
            False,
            mode_sensitive=True,
            user_sensitive=True,
            note="reveals the real IF and IOPL in any ring",
            source=RI,
        ),
        I(
            "POPF",
            False,
            control_sensitive=True,
            mode_sensitive=True,
            note="outside ring 0 silently keeps IOPL, and IF if CPL > IOPL",
            source=I386,
        ),
        # Robin & Irvine 4.3, protection system references.
        I("LAR", False, mode_sensitive=True, note="access-rights check depends on CPL", source=RI),
        I("LSL", False, mode_sensitive=True, note="limit check depends on CPL", source=RI),
        I("VERR", False, mode_sensitive=True, note="read check depends on CPL", source=RI),
        I("VERW", False, mode_sensitive=True, note="write check depends on CPL", source=RI),
        I(
            "POP",
            False,
            mode_sensitive=True,
            note="POP to a segment register checks CPL",
            source=RI,
        ),
        I("PUSH", False, mode_sensitive=True, note="PUSH CS reveals CPL", source=RI),
        I("CALL", False, mode_sensitive=True, note="far CALL through gates checks CPL", source=RI),
        I("JMP", False, mode_sensitive=True, note="far JMP through gates checks CPL", source=RI),
        I("INT", False, mode_sensitive=True, note="INT n checks gate DPL against CPL", source=RI),
        I(
            "RET",
            False,
            mode_sensitive=True,
            note="far RET compares CPL with the return RPL",
            source=RI,
        ),
        I(
            "STR",
            False,
            location_sensitive=True,
            user_sensitive=True,
            note="reveals the real task register in any ring",
            source=RI,
        ),
        I(
            "MOV",
            False,
            mode_sensitive=True,
            note="MOV to/from segment registers checks CPL",
            source=RI,
        ),
        # Innocuous: ordinary computation.
        I("ADD", False, note="arithmetic on registers and memory", source=SDM),
        I("SUB", False, note="arithmetic on registers and memory", source=SDM),
        I("CMP", False, note="compares, sets arithmetic flags", source=SDM),
        I("XOR", False, note="logic on registers and memory", source=SDM),
        I("NOP", False, note="does nothing", source=SDM),
    ),
)

_T_IOPL = "IOPL-sensitive: #GP when CPL > IOPL, so privileged whenever IOPL is 0"
_T_TABLE = "writes the real table base and limit to memory, in any ring"

TINY86: Final = ISADescription(
    name=ISA_NAME,
    title="tiny86, the teaching instruction set of this site",
    sources=SOURCES,
    instructions=(
        I("HLT", True, control_sensitive=True, note="stops until an interrupt", source=SIM),
        I("LGDT", True, control_sensitive=True, note="loads the GDT register", source=SIM),
        I("LIDT", True, control_sensitive=True, note="loads the IDT register", source=SIM),
        I("LTR", True, control_sensitive=True, note="loads the task register (TSS)", source=SIM),
        I("LMSW", True, control_sensitive=True, note="loads CR0's low bits", source=SIM),
        I(
            "MOV CR",
            True,
            control_sensitive=True,
            note="moves to/from control registers",
            source=SIM,
        ),
        I(
            "IRET",
            True,
            control_sensitive=True,
            note="returns from an interrupt; sets CPL and IF",
            source=SIM,
        ),
        I("CLI", True, control_sensitive=True, note=_T_IOPL, source=SIM),
        I("STI", True, control_sensitive=True, note=_T_IOPL, source=SIM),
        I("IN", True, control_sensitive=True, note=_T_IOPL, source=SIM),
        I("OUT", True, control_sensitive=True, note=_T_IOPL, source=SIM),
        I("SGDT", False, location_sensitive=True, user_sensitive=True, note=_T_TABLE, source=SIM),
        I("SIDT", False, location_sensitive=True, user_sensitive=True, note=_T_TABLE, source=SIM),
        I(
            "STR",
            False,
            location_sensitive=True,
            user_sensitive=True,
            note="reads the real task register, in any ring",
            source=SIM,
        ),
        I(
            "SMSW",
            False,
            mode_sensitive=True,
            user_sensitive=True,
            note="reads CR0's low bits, in any ring",
            source=SIM,
        ),
        I(
            "PUSHF",
            False,
            mode_sensitive=True,
            user_sensitive=True,
            note="pushes the real IF and IOPL, in any ring",
            source=SIM,
        ),
        I(
            "POPF",
            False,
            control_sensitive=True,
            mode_sensitive=True,
            note="outside ring 0 silently keeps IOPL, and IF if CPL > IOPL (as the i386)",
            source=SIM,
        ),
        I(
            "INT",
            False,
            note="always goes through the IDT of whoever owns the machine — a trap",
            source=SIM,
        ),
        I("UD2", False, note="always raises #UD — a trap", source=SIM),
        *(
            I(name, False, note="computes on registers, memory and flags", source=SIM)
            for name in (
                "MOV",
                "PUSH",
                "POP",
                "ADD",
                "SUB",
                "CMP",
                "AND",
                "OR",
                "XOR",
                "MUL",
                "DIV",
                "MOD",
                "INC",
                "DEC",
                "SHL",
                "SHR",
                "NOP",
            )
        ),
        *(
            I(name, False, note="transfers control within the program", source=SIM)
            for name in ("JMP", "JZ", "JNZ", "JC", "JNC", "JL", "JGE", "JLE", "JG", "CALL", "RET")
        ),
    ),
)

#: Every shipped description, by name.
DESCRIPTIONS: Final = {X86.name: X86, TINY86.name: TINY86}

#: Robin & Irvine's sensitive, unprivileged Pentium instructions, in the paper's order
#: (sections 4.2 and 4.3). The analysis of :data:`X86` must reproduce this exactly.
ROBIN_IRVINE_2000: Final = (
    "SGDT", "SIDT", "SLDT", "SMSW", "PUSHF", "POPF",
    "LAR", "LSL", "VERR", "VERW", "POP", "PUSH", "CALL", "JMP", "INT", "RET", "STR", "MOV",
)  # fmt: skip
