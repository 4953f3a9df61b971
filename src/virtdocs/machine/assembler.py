"""The tiny86 assembler: text with labels, comments, data and includes -> a :class:`Program`.

Syntax, one statement per line (``;`` starts a comment)::

    .equ COUNT, 10          ; a constant (``defines`` can override it)
    .include "kernel.s"     ; another file, relative to this one
    .data                   ; following labels name data words (memory starts at 0)
    msg: .asciz "hi"        ; characters, one per word, then a 0
    table: .word 1, 2, 3    ; words
    buf: .space 4           ; zeroed words
    .text                   ; following labels name code addresses (code starts at 0)
    main: MOV EAX, [msg+1]  ; memory operands: [REG], [REG+expr], [expr]
          JNZ main

Values are decimal, ``0x`` hex, ``0b`` binary, ``'c'`` characters or names, joined
by ``+`` and ``-``. Every error is one line naming ``file:line`` and what was expected.

>>> program = assemble("start: MOV EAX, 2\\n ADD EAX, EAX\\n HLT", "demo.s")
>>> [str(instruction) for instruction in program.code]
['MOV EAX, 2', 'ADD EAX, EAX', 'HLT']
>>> from virtdocs.errors import UserError
>>> try:
...     assemble("  FROB EAX", "demo.s")
... except UserError as error:
...     print(error)
demo.s:1: unknown mnemonic 'FROB'; expected an instruction such as MOV, ADD, JMP
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from virtdocs.errors import UserError
from virtdocs.machine.isa import CONTROL_REGISTERS, REGISTER_INDEX
from virtdocs.machine.operands import Ctl, Imm, Instruction, Mem, Operand, Reg, flatten, signature
from virtdocs.machine.program import Program
from virtdocs.machine.semantics import ALIASES, FORMS, JUMPS

_KIND_WORDS = {"r": "register", "i": "value", "m": "memory", "c": "control register"}
_NAME = re.compile(r"[A-Za-z_.$][\w.$]*$")
_LABEL = re.compile(r"^\s*([A-Za-z_.$][\w.$]*)\s*:(.*)$")
_TERM = re.compile(r"\s*([+-])?\s*('(?:\\.|[^'])'|[\w.$]+)\s*")
_MAX_INCLUDE_DEPTH = 8
_MAX_DATA_WORDS = 1 << 24  # more than any memory the CPU accepts
# A word is 32 bits: a value must fit as signed or as unsigned (NASM accepts the same range).
_WORD_MIN, _WORD_MAX = -(1 << 31), (1 << 32) - 1
# Operands x86 encodes in fewer bits: INT's vector is imm8, a port number is 16 bits.
_OPERAND_LIMITS = {
    ("INT", 0): ("a vector", 0xFF),
    ("IN", 1): ("a port", 0xFFFF),
    ("OUT", 0): ("a port", 0xFFFF),
}


class _NotText(ValueError):
    """A source file that is not UTF-8 text; the message names the first bad byte."""


def _unescape(body: str, where: str) -> str:
    """Python-style escapes (``\\n``, ``\\x41``) in a string or character literal.

    Characters outside Latin-1 are escaped first so that ``unicode_escape``, which reads
    bytes as Latin-1, leaves them intact (``"é"`` stays one character, not two).
    """
    try:
        return body.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except UnicodeDecodeError as error:
        raise UserError(f"{where}: bad escape in {body!r}: {error.reason}") from None


def _check_word(value: int, text: str, where: str) -> int:
    if not _WORD_MIN <= value <= _WORD_MAX:
        raise UserError(
            f"{where}: {text.strip()!r} is {value}, which does not fit in a 32-bit word "
            f"({_WORD_MIN}..{_WORD_MAX})"
        )
    return value


@dataclass(frozen=True)
class _Line:
    file: str
    line: int
    label: str | None
    text: str  # statement without label and comment

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


def _strip_comment(text: str) -> str:
    # A ';' inside a string or character literal is not a comment.
    quote = ""
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == ";":
            return text[:index]
    return text


def _read_lines(
    text: str, filename: str, loader: Callable[[str, str], tuple[str, str]] | None, depth: int
) -> list[_Line]:
    lines: list[_Line] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        body = _strip_comment(raw).strip()
        label = None
        match = _LABEL.match(body)
        if match and not body.startswith("."):
            label, body = match.group(1), match.group(2).strip()
        if body.lower().startswith(".include"):
            where = f"{filename}:{number}"
            argument = body[len(".include") :].strip()
            if not (len(argument) >= 2 and argument[0] == argument[-1] == '"'):
                raise UserError(
                    f'{where}: .include expects a quoted file name, like .include "kernel.s"'
                )
            if loader is None:
                raise UserError(f"{where}: .include needs a file to load from (assemble a file)")
            if depth >= _MAX_INCLUDE_DEPTH:
                raise UserError(f"{where}: .include nested more than {_MAX_INCLUDE_DEPTH} deep")
            try:
                included_text, included_name = loader(argument[1:-1], filename)
            except OSError as error:
                reason = error.strerror or str(error)
                raise UserError(f"{where}: cannot include {argument}: {reason}") from error
            except UnicodeDecodeError as error:
                reason = f"byte {error.start} is not UTF-8"
                raise UserError(f"{where}: cannot include {argument}: {reason}") from error
            except _NotText as error:
                raise UserError(f"{where}: cannot include {argument}: {error}") from None
            if label:
                lines.append(_Line(filename, number, label, ""))
            lines.extend(_read_lines(included_text, included_name, loader, depth + 1))
            continue
        if label or body:
            lines.append(_Line(filename, number, label, body))
    return lines


def _read_source(path: Path) -> str:
    """The file's text; :class:`_NotText` if it is not UTF-8 or holds a NUL byte (binary)."""
    data = path.read_bytes()
    nul = data.find(b"\0")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        if 0 <= nul < error.start:
            raise _NotText(f"byte {nul} is NUL") from None
        raise _NotText(f"byte {error.start} is not UTF-8") from None
    if nul >= 0:
        raise _NotText(f"byte {nul} is NUL")
    return text


def _file_loader(name: str, including: str) -> tuple[str, str]:
    path = Path(including).parent / name
    return _read_source(path), str(path)


def _split_operands(text: str) -> list[str]:
    parts: list[str] = []
    depth, quote, start = 0, "", 0
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
    tail = text[start:].strip()
    if tail or parts:
        parts.append(tail)
    return parts


class _Assembler:
    def __init__(self, lines: list[_Line], name: str, defines: Mapping[str, int]) -> None:
        self.lines = lines
        self.name = name
        self.defines = dict(defines)
        self.constants: dict[str, int] = {}
        self.code_labels: dict[str, int] = {}
        self.data_labels: dict[str, int] = {}

    # --- values ---------------------------------------------------------------------------

    def symbol(self, name: str, where: str, pass_two: bool) -> int | None:
        for table in (self.constants, self.code_labels, self.data_labels):
            if name in table:
                return table[name]
        if pass_two:
            raise UserError(f"{where}: undefined label or constant '{name}'")
        return None

    def value(self, text: str, where: str, pass_two: bool = True) -> int:
        result = self.terms(text, where, pass_two, allow_register=False)[1]
        return result

    def terms(self, text: str, where: str, pass_two: bool, allow_register: bool) -> tuple[int, int]:
        """Parse ``a + b - 'c'``; returns (register index or -1, value)."""
        if not text.strip():
            raise UserError(f"{where}: expected a value, got nothing")
        register, total, position = -1, 0, 0
        while position < len(text):
            match = _TERM.match(text, position)
            if not match or (position and not match.group(1)):
                raise UserError(f"{where}: cannot read {text.strip()!r} as a value")
            sign = -1 if match.group(1) == "-" else 1
            token = match.group(2)
            position = match.end()
            if token.upper() in REGISTER_INDEX:
                if not allow_register or register >= 0 or sign < 0:
                    raise UserError(
                        f"{where}: register {token.upper()} not allowed in {text.strip()!r}"
                    )
                register = REGISTER_INDEX[token.upper()]
                continue
            total += sign * self.literal(token, where, pass_two)
        return register, total

    def literal(self, token: str, where: str, pass_two: bool) -> int:
        if token.startswith("'"):
            body = token[1:-1]
            decoded = _unescape(body, where) if body.startswith("\\") else body
            if len(decoded) != 1:
                raise UserError(f"{where}: a character literal holds one character, got {token}")
            return ord(decoded)
        if token[0].isdigit():
            try:
                return int(token, 0)
            except ValueError:
                raise UserError(f"{where}: {token!r} is not a number") from None
        if not _NAME.match(token):
            raise UserError(f"{where}: cannot read {token!r} as a value")
        found = self.symbol(token, where, pass_two)
        return 0 if found is None else found

    # --- operands -------------------------------------------------------------------------

    def operand(self, text: str, where: str) -> Operand:
        upper = text.upper()
        if upper in REGISTER_INDEX:
            return Reg(REGISTER_INDEX[upper])
        if upper in CONTROL_REGISTERS:
            return Ctl(CONTROL_REGISTERS.index(upper))
        if text.startswith("["):
            if not text.endswith("]"):
                raise UserError(f"{where}: memory operand {text!r} is missing its closing ']'")
            register, disp = self.terms(text[1:-1], where, True, allow_register=True)
            return Mem(register, _check_word(disp, text, where))
        return Imm(_check_word(self.value(text, where), text, where))

    # --- passes ---------------------------------------------------------------------------

    def first_pass(self) -> None:
        """Assign addresses to labels and evaluate .equ constants."""
        section, code_address, data_address = "text", 0, 0
        for line in self.lines:
            directive, _, rest = line.text.partition(" ")
            directive = directive.lower()
            if directive == ".equ":
                name, _, expression = rest.partition(",")
                name = name.strip()
                if not _NAME.match(name) or not expression.strip():
                    raise UserError(
                        f"{line.where}: .equ expects a name and a value, like .equ N, 10"
                    )
                value = self.defines.pop(name) if name in self.defines else None
                if value is None:
                    value = self.value(expression.strip(), line.where)
                self.constants[name] = value
            if line.label:
                if line.label.upper() in REGISTER_INDEX or line.label.upper() in CONTROL_REGISTERS:
                    raise UserError(f"{line.where}: '{line.label}' is a register, not a label name")
                if line.label in self.code_labels or line.label in self.data_labels:
                    raise UserError(f"{line.where}: label '{line.label}' is defined twice")
                table = self.code_labels if section == "text" else self.data_labels
                table[line.label] = code_address if section == "text" else data_address
            if not line.text or directive == ".equ":
                continue
            if directive in (".text", ".data"):
                section = directive[1:]
            elif directive.startswith("."):
                if section != "data":
                    raise UserError(f"{line.where}: {directive} belongs in the .data section")
                data_address += len(self.data_words(line, directive, rest, pass_two=False))
            else:
                if section != "text":
                    raise UserError(f"{line.where}: instructions belong in the .text section")
                code_address += 1
        if self.defines:
            name = sorted(self.defines)[0]
            raise UserError(f"--define {name}: the program has no '.equ {name}' to override")

    def data_words(self, line: _Line, directive: str, rest: str, pass_two: bool) -> list[int]:
        rest = rest.strip()
        if directive == ".word":
            return [
                _check_word(self.value(part, line.where, pass_two), part, line.where)
                for part in _split_operands(rest)
            ]
        if directive == ".space":
            count = self.value(rest, line.where)
            if not 0 <= count <= _MAX_DATA_WORDS:
                raise UserError(
                    f"{line.where}: .space needs a count from 0 to {_MAX_DATA_WORDS}, got {count}"
                )
            return [0] * count
        if directive == ".asciz":
            if not (len(rest) >= 2 and rest[0] == rest[-1] == '"'):
                raise UserError(f'{line.where}: .asciz expects a quoted string, like .asciz "hi"')
            text = _unescape(rest[1:-1], line.where)
            return [ord(char) for char in text] + [0]
        raise UserError(
            f"{line.where}: unknown directive '{directive}'; expected .text, .data, .word, "
            ".space, .asciz, .equ or .include"
        )

    def second_pass(self) -> Program:
        code: list[Instruction] = []
        data: list[int] = []
        for line in self.lines:
            if not line.text:
                continue
            head, _, rest = line.text.partition(" ")
            directive = head.lower()
            if directive in (".equ", ".text", ".data"):
                continue
            if directive.startswith("."):
                data.extend(self.data_words(line, directive, rest, pass_two=True))
                continue
            code.append(self.instruction(head.upper(), rest, line))
        for instruction in code:
            if instruction.mnemonic in JUMPS and isinstance(instruction.operands[0], Imm):
                target = instruction.operands[0].value
                if not 0 <= target < len(code):
                    raise UserError(
                        f"{instruction.where}: jump target {target:#x} is outside the program "
                        f"(code addresses 0..{len(code) - 1:#x})"
                    )
        return Program(
            code=tuple(code),
            data=tuple(word & 0xFFFF_FFFF for word in data),
            name=self.name,
            code_labels=self.code_labels,
            data_labels=self.data_labels,
            constants=self.constants,
        )

    def instruction(self, mnemonic: str, rest: str, line: _Line) -> Instruction:
        mnemonic = ALIASES.get(mnemonic, mnemonic)
        if not any(name == mnemonic for name, _ in FORMS):
            raise UserError(
                f"{line.where}: unknown mnemonic '{mnemonic}'; expected an instruction such as "
                "MOV, ADD, JMP"
            )
        operands = tuple(self.operand(text, line.where) for text in _split_operands(rest))
        if mnemonic in JUMPS and operands and isinstance(operands[0], Imm):
            name = rest.strip()
            if name in self.data_labels:
                raise UserError(
                    f"{line.where}: '{name}' is a data label; {mnemonic} needs a code label"
                )
        return make_instruction(mnemonic, operands, line.file, line.line)


def make_instruction(
    mnemonic: str, operands: tuple[Operand, ...], file: str = "<program>", line: int = 0
) -> Instruction:
    """Decode ``mnemonic operands`` into an :class:`Instruction` (UserError if no such form)."""
    where = f"{file}:{line}"
    if mnemonic == "MOV" and any(isinstance(op, Ctl) for op in operands):
        mnemonic = "MOV CR"
    kinds = signature(operands)
    fn = FORMS.get((mnemonic, kinds))
    if fn is None:
        expected = [k for (name, k) in FORMS if name == mnemonic]
        if not expected:
            raise UserError(f"{where}: unknown mnemonic '{mnemonic}'")

        def words(k: str) -> str:
            return ", ".join(_KIND_WORDS[part] for part in k.split(",")) if k else "no operands"

        raise UserError(
            f"{where}: bad operands for {mnemonic.split()[0]}: got {words(kinds)}; expected "
            + ("one of " if len(expected) > 1 else "")
            + ", ".join(f"({words(k)})" for k in expected)
        )
    for position, operand in enumerate(operands):
        limit = _OPERAND_LIMITS.get((mnemonic, position))
        if limit and isinstance(operand, Imm) and not 0 <= operand.value <= limit[1]:
            what, high = limit
            raise UserError(
                f"{where}: {mnemonic} needs {what} from 0 to {high:#x}, got {operand.value:#x}"
            )
    fields = [*flatten(operands), 0, 0, 0][:3]
    return Instruction(mnemonic, operands, fn, fields[0], fields[1], fields[2], file, line)


def assemble(
    text: str,
    filename: str = "<program>",
    *,
    defines: Mapping[str, int] | None = None,
    include: Callable[[str, str], tuple[str, str]] | None = None,
) -> Program:
    """Assemble source ``text``; ``filename`` is used in messages and to resolve ``.include``.

    ``defines`` overrides ``.equ`` constants (each must exist); ``include`` maps
    (name, including file) to (text, file name) — by default files are read
    relative to the including file.
    """
    lines = _read_lines(text, filename, include or _file_loader, 0)
    assembler = _Assembler(lines, filename, defines or {})
    assembler.first_pass()
    program = assembler.second_pass()
    if not program.code:
        raise UserError(f"{filename}:1: the program has no instructions")
    return program


def assemble_file(path: str | Path, *, defines: Mapping[str, int] | None = None) -> Program:
    """Assemble the file at ``path`` (UserError if it cannot be read)."""
    try:
        text = _read_source(Path(path))
    except OSError as error:
        raise UserError(f"{path}: cannot read the program: {error.strerror}") from error
    except _NotText as error:
        raise UserError(f"{path}: not a text file ({error})") from None
    return assemble(text, str(path), defines=defines)


def disassemble(program: Program) -> str:
    """Source text that assembles back to the same code and data."""
    lines = [".data"] if program.data else []
    lines += [f"    .word {word:#x}" for word in program.data]
    lines.append(".text")
    lines += [f"    {instruction}" for instruction in program.code]
    return "\n".join(lines) + "\n"
