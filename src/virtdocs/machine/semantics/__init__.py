"""What each tiny86 instruction does: one small function per operand form.

A function takes the CPU and the decoded instruction, changes state, and
returns a :mod:`~virtdocs.machine.events` value. Faults are precise: a function
checks everything before it changes anything, so a trapping instruction leaves
the CPU exactly as it found it (EIP still pointing at it).

:data:`FORMS` maps ``(mnemonic, operand kinds)`` to the function; the assembler
decodes with it and hypervisor techniques reuse it. The functions live by family:
:mod:`.data`, :mod:`.alu`, :mod:`.flow`, :mod:`.system`, with the shared checks in
:mod:`.checks`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from virtdocs.machine.semantics.alu import (
    add_ri,
    add_rr,
    and_ri,
    and_rr,
    cmp_ri,
    cmp_rr,
    dec_r,
    div_ri,
    div_rr,
    inc_r,
    mod_ri,
    mod_rr,
    mul_ri,
    mul_rr,
    nop,
    or_ri,
    or_rr,
    shl_ri,
    shr_ri,
    sub_ri,
    sub_rr,
    xor_ri,
    xor_rr,
)
from virtdocs.machine.semantics.data import (
    mov_mi,
    mov_mr,
    mov_ri,
    mov_rm,
    mov_rr,
    pop_r,
    push_i,
    push_r,
)
from virtdocs.machine.semantics.flow import (
    call_i,
    call_r,
    int_i,
    jc,
    jg,
    jge,
    jl,
    jle,
    jmp_i,
    jmp_r,
    jnc,
    jnz,
    jz,
    ret,
    ud2,
)
from virtdocs.machine.semantics.system import (
    cli,
    hlt,
    in_ri,
    iret,
    lgdt,
    lidt,
    lmsw,
    ltr,
    mov_cr_r,
    mov_r_cr,
    out_ir,
    popf,
    pushf,
    sgdt,
    sidt,
    smsw,
    sti,
    str_r,
)

if TYPE_CHECKING:
    from virtdocs.machine.operands import Semantics

#: Every operand form: (mnemonic, operand kinds) -> semantics. Kinds: r register,
#: i immediate or label, m memory, c control register.
FORMS: Final[dict[tuple[str, str], Semantics]] = {
    ("MOV", "r,r"): mov_rr,
    ("MOV", "r,i"): mov_ri,
    ("MOV", "r,m"): mov_rm,
    ("MOV", "m,r"): mov_mr,
    ("MOV", "m,i"): mov_mi,
    ("PUSH", "r"): push_r,
    ("PUSH", "i"): push_i,
    ("POP", "r"): pop_r,
    ("ADD", "r,r"): add_rr,
    ("ADD", "r,i"): add_ri,
    ("SUB", "r,r"): sub_rr,
    ("SUB", "r,i"): sub_ri,
    ("CMP", "r,r"): cmp_rr,
    ("CMP", "r,i"): cmp_ri,
    ("AND", "r,r"): and_rr,
    ("AND", "r,i"): and_ri,
    ("OR", "r,r"): or_rr,
    ("OR", "r,i"): or_ri,
    ("XOR", "r,r"): xor_rr,
    ("XOR", "r,i"): xor_ri,
    ("MUL", "r,r"): mul_rr,
    ("MUL", "r,i"): mul_ri,
    ("DIV", "r,r"): div_rr,
    ("DIV", "r,i"): div_ri,
    ("MOD", "r,r"): mod_rr,
    ("MOD", "r,i"): mod_ri,
    ("INC", "r"): inc_r,
    ("DEC", "r"): dec_r,
    ("SHL", "r,i"): shl_ri,
    ("SHR", "r,i"): shr_ri,
    ("NOP", ""): nop,
    ("JMP", "i"): jmp_i,
    ("JMP", "r"): jmp_r,
    ("JZ", "i"): jz,
    ("JNZ", "i"): jnz,
    ("JC", "i"): jc,
    ("JNC", "i"): jnc,
    ("JL", "i"): jl,
    ("JGE", "i"): jge,
    ("JLE", "i"): jle,
    ("JG", "i"): jg,
    ("CALL", "i"): call_i,
    ("CALL", "r"): call_r,
    ("RET", ""): ret,
    ("UD2", ""): ud2,
    ("INT", "i"): int_i,
    ("PUSHF", ""): pushf,
    ("POPF", ""): popf,
    ("CLI", ""): cli,
    ("STI", ""): sti,
    ("HLT", ""): hlt,
    ("IN", "r,i"): in_ri,
    ("OUT", "i,r"): out_ir,
    ("IRET", ""): iret,
    ("LGDT", "m"): lgdt,
    ("SGDT", "m"): sgdt,
    ("LIDT", "m"): lidt,
    ("SIDT", "m"): sidt,
    ("LTR", "r"): ltr,
    ("STR", "r"): str_r,
    ("SMSW", "r"): smsw,
    ("LMSW", "r"): lmsw,
    ("MOV CR", "c,r"): mov_cr_r,
    ("MOV CR", "r,c"): mov_r_cr,
}

#: Alternative spellings the assembler accepts (x86 has the same pairs).
ALIASES: Final = {"JE": "JZ", "JNE": "JNZ", "JB": "JC", "JAE": "JNC"}

#: Every mnemonic of tiny86, in table order.
MNEMONICS: Final = tuple(dict.fromkeys(mnemonic for mnemonic, _ in FORMS))

#: Mnemonics whose immediate operand is a code address (checked by the assembler).
JUMPS: Final = frozenset({"JMP", "JZ", "JNZ", "JC", "JNC", "JL", "JGE", "JLE", "JG", "CALL"})
