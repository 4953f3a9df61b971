"""The code generator of binary translation: one guest basic block -> one Python function.

A *basic block* runs from an address to the first instruction that can change
the flow of control or must reach the monitor. :func:`translate_block` writes
Python source for it and compiles it with :func:`compile`; the result is a
function ``block(c, budget) -> (result, executed)`` over the CPU ``c``.

What the generated code does, as a real translator (QEMU's TCG) would:

- **registers in locals**: the guest registers the block uses are loaded once
  and written back when it leaves;
- **lazy flags**: an arithmetic instruction records *how* to compute CF, ZF, SF
  and OF; they are computed only when a branch needs one or the block leaves
  (a flag overwritten before anyone reads it is never computed);
- **inlined semantics** for moves, arithmetic, logic, shifts, memory moves
  (with the bounds check, so a fault stays precise) and direct branches;
- **helper calls** for everything else (the instruction's own semantics);
- **VMM callouts** for sensitive instructions: the translated code calls the
  monitor, which emulates the instruction on the virtual CPU;
- **a loop** when the block branches back to its own start: it iterates in
  Python until the branch falls through or the instruction budget (the next
  timer interrupt) would be crossed.

>>> from virtdocs.machine import assemble
>>> program = assemble("top: ADD EAX, 1\\nDEC ECX\\nJNZ top\\nHLT", "t.s")
>>> block = translate_block(program.code, 0, frozenset(), lambda c, i: None)
>>> (block.start, block.length, block.loops)
(0, 3, True)
>>> print(block.source.splitlines()[0])
def block_0x0(c, budget):
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from virtdocs.machine.cpu import CPU
from virtdocs.machine.events import Result
from virtdocs.machine.isa import REGISTERS
from virtdocs.machine.operands import Instruction, Reg

M: Final = 0xFFFF_FFFF
_FLAGS: Final = ("cf", "zf", "sf", "of")
#: Straight-line instructions translated inline (everything else is a helper call).
_INLINE: Final = frozenset(
    {"MOV r,r", "MOV r,i", "MOV r,m", "MOV m,r", "MOV m,i", "ADD r,r", "ADD r,i",
     "SUB r,r", "SUB r,i", "CMP r,r", "CMP r,i", "AND r,r", "AND r,i", "OR r,r", "OR r,i",
     "XOR r,r", "XOR r,i", "INC r", "DEC r", "SHL r,i", "SHR r,i", "NOP", "MUL r,r",
     "MUL r,i"}
)  # fmt: skip
#: Branch conditions on the lazy flags: (mnemonic) -> Python condition when taken.
_CONDITIONS: Final = {
    "JZ": "{zf}",
    "JNZ": "not {zf}",
    "JC": "{cf}",
    "JNC": "not {cf}",
    "JL": "{sf} != {of}",
    "JGE": "{sf} == {of}",
    "JLE": "{zf} or {sf} != {of}",
    "JG": "not {zf} and {sf} == {of}",
}
#: Instructions that may follow one another inside a block (the rest end it).
_STRAIGHT: Final = _INLINE | {"PUSH r", "PUSH i", "POP r", "DIV r,r", "DIV r,i", "MOD r,r",
                              "MOD r,i"}  # fmt: skip
MAX_BLOCK: Final = 64

Callout = Callable[[CPU, Instruction], Result]


@dataclass
class Block:
    """A translated block: where it starts, how many guest instructions, its source and code."""

    start: int
    length: int
    loops: bool
    source: str
    fn: Callable[[CPU, int], tuple[Result, int]]
    instructions: tuple[Instruction, ...]
    links: dict[int, Block] = field(default_factory=dict)


def block_extent(code: Sequence[Instruction], start: int, sensitive: frozenset[str]) -> int:
    """How many instructions the block at ``start`` holds (its last one may end it)."""
    end = start
    while end < len(code) and end - start < MAX_BLOCK:
        instruction = code[end]
        end += 1
        if instruction.form not in _STRAIGHT or instruction.mnemonic in sensitive:
            break
    return end - start


class _Emitter:
    """Writes the body of one block, keeping flags lazily and registers in locals."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.flags: dict[str, str | None] = dict.fromkeys(_FLAGS)  # None: still in c.<flag>
        self.temps = 0
        self.loaded: set[int] = set()  # registers whose current value is in a local
        self.indent = 1

    def reg(self, index: int) -> str:
        name = REGISTERS[index].lower()
        if index not in self.loaded:
            self.loaded.add(index)
            self.emit(f"{name} = r[{index}]", self.indent)
        return name

    def emit(self, line: str, indent: int) -> None:
        self.lines.append("    " * indent + line)

    def temp(self, expression: str, indent: int) -> str:
        self.temps += 1
        name = f"_t{self.temps}"
        self.emit(f"{name} = {expression}", indent)
        return name

    def set_flags(self, indent: int, **exprs: str) -> None:
        for flag, expression in exprs.items():
            self.flags[flag] = expression

    def before_write(self, register: str, indent: int, kills: frozenset[str]) -> None:
        """A register is about to change: pin flag expressions that read it (unless the
        instruction writing it overwrites that flag anyway)."""
        for flag, expression in self.flags.items():
            if flag in kills or expression is None:
                continue
            if register in expression.replace("(", " ").replace(")", " ").split():
                self.flags[flag] = self.temp(expression, indent)

    def flag(self, name: str) -> str:
        expression = self.flags[name]
        return f"c.{name}" if expression is None else f"({expression})"

    def sync_flags(self, indent: int) -> None:
        for flag, expression in self.flags.items():
            if expression is not None:
                self.emit(f"c.{flag} = int({expression})", indent)

    def write_regs(self, indent: int) -> None:
        for index in sorted(self.loaded):
            self.emit(f"r[{index}] = {REGISTERS[index].lower()}", indent)


def flags_set(i: Instruction) -> frozenset[str]:
    """The flags an inline instruction always writes."""
    if i.mnemonic in ("MOV", "NOP") or (i.mnemonic in ("SHL", "SHR") and not i.b & 31):
        return frozenset()
    if i.mnemonic in ("INC", "DEC"):
        return frozenset({"zf", "sf", "of"})
    return frozenset(_FLAGS)


def flags_read(i: Instruction) -> frozenset[str]:
    """The flags a branch reads."""
    condition = _CONDITIONS.get(i.mnemonic, "")
    return frozenset(flag for flag in _FLAGS if "{" + flag + "}" in condition)


def live_flags(body: Sequence[Instruction]) -> list[frozenset[str]]:
    """For each instruction, the flags someone may read after it (all of them at the end)."""
    live = frozenset(_FLAGS)
    after: list[frozenset[str]] = []
    for instruction in reversed(body):
        after.append(live)
        if instruction.form in _INLINE:
            live = (live - flags_set(instruction)) | flags_read(instruction)
        elif instruction.mnemonic in _CONDITIONS:
            live = live | flags_read(instruction)
        else:  # helpers and callouts see the whole CPU
            live = frozenset(_FLAGS)
    return after[::-1]


def _inline(  # noqa: PLR0917 - the emitter's state, the instruction and where it sits
    e: _Emitter, i: Instruction, k: int, at: int, indent: int, live: frozenset[str]
) -> None:
    """Emit one inline instruction ``i`` (the k-th of the block, at address ``at``)."""
    form = i.form
    op = i.mnemonic
    kills = flags_set(i)
    if form == "NOP":
        return
    if form in ("MOV r,m", "MOV m,r", "MOV m,i"):
        base, disp = (i.b, i.c) if form == "MOV r,m" else (i.a, i.b)
        address = f"(({e.reg(base)} + {disp}) & M)" if base >= 0 else f"({disp & M})"
        e.emit(f"a = {address}", indent)
        e.emit("if a >= msize:", indent)
        _leave(e, indent + 1, eip=str(at))
        e.emit(f"return I[{k}].fn(c, I[{k}]), n + {k + 1}", indent + 1)
        if form == "MOV r,m":
            dst = e.reg(i.a)
            e.before_write(dst, indent, kills)
            e.emit(f"{dst} = mem[a]", indent)
        elif form == "MOV m,r":
            e.emit(f"mem[a] = {e.reg(i.c)}", indent)
        else:
            e.emit(f"mem[a] = {i.c & M}", indent)
        return
    dst = e.reg(i.a)
    source = e.reg(i.b) if form.endswith("r,r") else str(i.b & M)
    if kills and not kills & live:  # no flag it sets is ever read: the value alone
        if op != "CMP":
            _value_only(e, i, dst, source, indent, kills)
        return
    if op == "MOV":
        e.before_write(dst, indent, kills)
        e.emit(f"{dst} = {source}", indent)
    elif op in ("ADD", "MUL"):
        x = e.temp(dst, indent)
        y = source if form.endswith("r,r") and source != dst else e.temp(source, indent)
        total = e.temp(f"{x} {'+' if op == 'ADD' else '*'} {y}", indent)
        e.before_write(dst, indent, kills)
        e.emit(f"{dst} = {total} & M", indent)
        if op == "ADD":
            e.set_flags(indent, cf=f"{total} >> 32", zf=f"{dst} == 0", sf=f"{dst} >> 31",
                        of=f"((({x} ^ {dst}) & ({y} ^ {dst})) >> 31) & 1")  # fmt: skip
        else:
            e.set_flags(indent, cf=f"{total} > M", of=f"{total} > M", zf=f"{dst} == 0",
                        sf=f"{dst} >> 31")  # fmt: skip
    elif op in ("SUB", "CMP"):
        x = e.temp(dst, indent)
        y = e.temp(source, indent)
        value = e.temp(f"({x} - {y}) & M", indent)
        if op == "SUB":
            e.before_write(dst, indent, kills)
            e.emit(f"{dst} = {value}", indent)
        e.set_flags(indent, cf=f"{x} < {y}", zf=f"{value} == 0", sf=f"{value} >> 31",
                    of=f"((({x} ^ {y}) & ({x} ^ {value})) >> 31) & 1")  # fmt: skip
    elif op in ("AND", "OR", "XOR"):
        symbol = {"AND": "&", "OR": "|", "XOR": "^"}[op]
        e.before_write(dst, indent, kills)
        e.emit(f"{dst} = {dst} {symbol} {source}", indent)
        e.set_flags(indent, cf="0", of="0", zf=f"{dst} == 0", sf=f"{dst} >> 31")
    elif op in ("INC", "DEC"):
        e.before_write(dst, indent, kills)
        e.emit(f"{dst} = ({dst} {'+' if op == 'INC' else '-'} 1) & M", indent)
        edge = "0x80000000" if op == "INC" else "0x7FFFFFFF"
        e.set_flags(indent, zf=f"{dst} == 0", sf=f"{dst} >> 31", of=f"{dst} == {edge}")
    elif op in ("SHL", "SHR"):
        count = i.b & 31
        if not count:
            return
        x = e.temp(dst, indent)
        e.before_write(dst, indent, kills)
        if op == "SHL":
            e.emit(f"{dst} = ({x} << {count}) & M", indent)
            carry = f"({x} >> {32 - count}) & 1"
        else:
            e.emit(f"{dst} = {x} >> {count}", indent)
            carry = f"({x} >> {count - 1}) & 1"
        e.set_flags(indent, cf=carry, of="0", zf=f"{dst} == 0", sf=f"{dst} >> 31")
    else:  # pragma: no cover - _INLINE lists exactly the forms above
        raise AssertionError(form)


def _value_only(  # noqa: PLR0917
    e: _Emitter, i: Instruction, dst: str, source: str, indent: int, kills: frozenset[str]
) -> None:
    symbol = {"ADD": "+", "SUB": "-", "MUL": "*", "AND": "&", "OR": "|", "XOR": "^"}
    e.before_write(dst, indent, kills)
    if i.mnemonic in symbol:
        e.emit(f"{dst} = ({dst} {symbol[i.mnemonic]} {source}) & M", indent)
    elif i.mnemonic in ("INC", "DEC"):
        e.emit(f"{dst} = ({dst} {'+' if i.mnemonic == 'INC' else '-'} 1) & M", indent)
    elif i.mnemonic == "SHL":
        e.emit(f"{dst} = ({dst} << {i.b & 31}) & M", indent)
    else:
        e.emit(f"{dst} = {dst} >> {i.b & 31}", indent)
    for flag in kills:
        e.flags[flag] = "0"  # dead: overwritten before anyone reads it


def _leave(e: _Emitter, indent: int, eip: str) -> None:
    """Write back flags and registers and set EIP (before a return or a helper call)."""
    e.sync_flags(indent)
    e.write_regs(indent)
    e.emit(f"c.eip = {eip}", indent)


def translate_block(
    code: Sequence[Instruction], start: int, sensitive: frozenset[str], callout: Callout
) -> Block:
    """Translate the block at ``start``; sensitive instructions call ``callout(cpu, insn)``."""
    length = block_extent(code, start, sensitive)
    body = code[start : start + length]
    last = body[-1]
    loops = (
        (last.mnemonic in _CONDITIONS or last.form == "JMP i")
        and last.a == start
        and all(i.form in _INLINE for i in body[:-1])
    )
    e = _Emitter()
    indent = 2 if loops else 1
    e.indent = indent
    live = live_flags(body)
    head = [f"def block_{start:#x}(c, budget):", "    r = c.r", "    mem = c.mem",
            "    msize = c.msize", "    n = 0"]  # fmt: skip
    if loops:  # every register the loop touches lives in a local for the whole loop
        for instruction in body:
            for operand in instruction.operands:
                index = operand.index if isinstance(operand, Reg) else getattr(operand, "base", -1)
                if index >= 0 and index not in e.loaded:
                    e.loaded.add(index)
                    head.append(f"    {REGISTERS[index].lower()} = r[{index}]")
        head.append(f"    last = budget - {length}  # another iteration must fit the budget")
        head.append("    while True:")
    for k, instruction in enumerate(body):
        at = start + k
        if instruction.mnemonic in sensitive:
            _leave(e, indent, str(at))
            e.emit(f"return vmm(c, I[{k}]), n + {k + 1}", indent)
        elif instruction.form in _INLINE:
            _inline(e, instruction, k, at, indent, live[k])
            if k == length - 1:
                _leave(e, indent, str(at + 1))
                e.emit(f"return None, n + {length}", indent)
        elif instruction.mnemonic in _CONDITIONS or instruction.form == "JMP i":
            target, fall = instruction.a, at + 1
            if instruction.form == "JMP i":
                condition = "True"
            else:
                names = {flag: e.flag(flag) for flag in _FLAGS}
                condition = _CONDITIONS[instruction.mnemonic].format(**names)
            if loops:
                e.emit(f"n += {length}", indent)
                falls = condition[4:] if condition.startswith("not ") else f"not ({condition})"
                e.emit(f"if {falls}:", indent)
                e.emit(f"taken = {fall}", indent + 1)
                e.emit("break", indent + 1)
                e.emit("if n > last:", indent)
                e.emit(f"taken = {target}", indent + 1)
                e.emit("break", indent + 1)
                _leave(e, 1, "taken")
                e.emit("return None, n", 1)
            else:
                e.emit(f"taken = {target} if {condition} else {fall}", indent)
                _leave(e, indent, "taken")
                e.emit(f"return None, n + {length}", indent)
        else:  # a helper: the instruction's own semantics on the CPU
            _leave(e, indent, str(at))
            if k == length - 1:
                e.emit(f"return I[{k}].fn(c, I[{k}]), n + {k + 1}", indent)
            else:
                e.emit(f"t = I[{k}].fn(c, I[{k}])", indent)
                e.emit("if t is not None:", indent)
                e.emit(f"return t, n + {k + 1}", indent + 1)
                e.flags = dict.fromkeys(_FLAGS)
                e.loaded = set()  # the helper may have changed any register
    source = "\n".join([*head, *e.lines]) + "\n"
    namespace: dict[str, Any] = {"M": M, "I": body, "vmm": callout, "start": start}
    exec(compile(source, f"<translated {start:#x}>", "exec"), namespace)
    fn = namespace[f"block_{start:#x}"]
    return Block(start, length, loops, source, fn, tuple(body))


__all__ = ["MAX_BLOCK", "Block", "block_extent", "translate_block"]
