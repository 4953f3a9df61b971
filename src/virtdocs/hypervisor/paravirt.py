"""``paravirtualization``: the guest kernel's paravirtualized build calls the hypervisor (Xen).

A paravirtualized kernel knows it runs on a hypervisor. Instead of executing a
sensitive instruction and hoping it traps, it asks: a **hypercall** for
operations the hypervisor must perform (load the trap table, switch page
tables, write the console, block until an event), and a plain access to the
page it **shares** with the hypervisor (``vcpu_info``) for cheap ones such as
masking events — Xen's replacement for CLI/STI — or reading the time. The
kernel runs deprivileged in ring 1, its programs in ring 3; system calls and
faults from ring 3 go straight to the kernel's handlers, as Xen's "fast trap"
handlers did.

:func:`pv_build` makes the paravirtualized build of a guest whose kernel has
been *ported* (:data:`PORTED_KERNELS`): every sensitive instruction in the
kernel's source is replaced, in place and one for one (as Linux's paravirt-ops
patch their call sites), by the call :data:`HYPERCALLS` names. The user
program is untouched. A guest whose kernel was never ported has no such build,
and asking for one is an error — Xen runs only kernels ported to it.

>>> from virtdocs.machine import assemble_file
>>> build = pv_build(assemble_file("examples/guests/loop.s", defines={"ITERATIONS": 1}))
>>> sorted({p.label for p in build.patches.values()})[:4]
['console_io', 'iret', 'mmuext_op', 'sched_op']
>>> try:
...     pv_build(assemble_file("examples/guests/irqsave.s"))
... except UserError as error:
...     print(error)  # doctest: +ELLIPSIS
examples/guests/irqsave.s: no paravirtualized build: its kernel (irqsave.s) is not ported...
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Final

from virtdocs.errors import UserError
from virtdocs.hypervisor.patching import Patch, PatchedMonitor, monitor_call, patched
from virtdocs.hypervisor.scan_patch import HOLE
from virtdocs.hypervisor.stats import run_stats
from virtdocs.hypervisor.technique import RunConfig, RunResult
from virtdocs.machine import CPU, Counters, Instruction, Program
from virtdocs.machine.isa import CONSOLE_PORT, TIMER_PORT
from virtdocs.machine.operands import Ctl
from virtdocs.machine.run import run

#: Xen's hypercall vector on 32-bit x86 (``int $0x82``).
HYPERCALL_VECTOR: Final = 0x82
#: Kernels (source files) with a paravirtualized port, and what they are.
PORTED_KERNELS: Final = {
    "kernel.s": "the teaching kernel every user program in examples/guests includes",
    "pagetables.s": "the page-table workload of the cost comparison",
}

#: Xen's hypercall numbers (xen/include/public/xen.h), for the calls the port makes.
XEN_HYPERCALLS: Final = {
    "set_trap_table": 0,
    "set_gdt": 2,
    "stack_switch": 3,
    "fpu_taskswitch": 5,
    "set_timer_op": 15,
    "console_io": 18,
    "iret": 23,
    "mmuext_op": 26,
    "sched_op": 29,
    "physdev_op": 33,
}
#: A shared-info access rather than a hypercall (no number).
SHARED_INFO: Final = "vcpu_info"


def hypercall_for(instruction: Instruction) -> str:
    """The hypercall (or :data:`SHARED_INFO` access) that replaces a sensitive instruction."""
    mnemonic = instruction.mnemonic
    if mnemonic == "OUT":
        return {CONSOLE_PORT: "console_io", TIMER_PORT: "set_timer_op"}.get(
            instruction.a, "physdev_op"
        )
    if mnemonic == "IN":
        return SHARED_INFO if instruction.b == TIMER_PORT else "physdev_op"  # time is shared
    if mnemonic == "MOV CR":
        writes = isinstance(instruction.operands[0], Ctl)
        return "mmuext_op" if writes else SHARED_INFO  # new page-table base / a cached copy
    return {
        "LIDT": "set_trap_table",
        "LGDT": "set_gdt",
        "LTR": "stack_switch",
        "LMSW": "fpu_taskswitch",
        "HLT": "sched_op",
        "IRET": "iret",
    }.get(mnemonic, SHARED_INFO)  # CLI, STI, PUSHF, POPF, SGDT, SIDT, STR, SMSW


#: The hypercall table: what each sensitive tiny86 instruction becomes in a ported kernel.
HYPERCALLS: Final = {
    "LIDT": "set_trap_table",
    "LGDT": "set_gdt",
    "LTR": "stack_switch",
    "LMSW": "fpu_taskswitch",
    "MOV CR (write)": "mmuext_op",
    "MOV CR (read)": SHARED_INFO,
    "HLT": "sched_op",
    "IRET": "iret",
    "OUT 0xE9 (console)": "console_io",
    "OUT 0x40 (timer)": "set_timer_op",
    "IN 0x40 (timer)": SHARED_INFO,
    "IN/OUT (other ports)": "physdev_op",
    "CLI, STI, PUSHF, POPF": SHARED_INFO,
    "SGDT, SIDT, STR, SMSW": SHARED_INFO,
}

_CALL = monitor_call(HYPERCALL_VECTOR, software=False)


@dataclass(frozen=True)
class PvBuild:
    """A paravirtualized build: the program with its kernel's sensitive sites replaced."""

    program: Program
    kernel: str
    patches: dict[int, Patch]


def _sensitive(mnemonic: str) -> bool:
    from virtdocs.hypervisor.binary_translation import SENSITIVE

    return mnemonic in SENSITIVE or mnemonic in HOLE


def pv_build(program: Program) -> PvBuild:
    """The paravirtualized build of ``program`` (UserError if its kernel has no port)."""
    kernel = PurePath(program.code[program.entry].file).name
    if kernel not in PORTED_KERNELS:
        ported = ", ".join(PORTED_KERNELS)
        raise UserError(
            f"{program.name}: no paravirtualized build: its kernel ({kernel}) is not ported "
            f"to the hypervisor; ported kernels: {ported}"
        )
    code = list(program.code)
    patches: dict[int, Patch] = {}
    for address, instruction in enumerate(code):
        if PurePath(instruction.file).name == kernel and _sensitive(instruction.mnemonic):
            label = hypercall_for(instruction)
            patches[address] = Patch(address, instruction, label)
            if label == SHARED_INFO:
                code[address] = patched(instruction, "VCPU_INFO", None, _CALL)
            else:
                number = XEN_HYPERCALLS[label]
                code[address] = patched(instruction, "HYPERCALL", number, _CALL)
    build = Program(
        tuple(code),
        program.data,
        program.entry,
        program.name,
        program.code_labels,
        program.data_labels,
        program.constants,
    )
    return PvBuild(build, kernel, patches)


class Paravirtualization:
    """Run the guest's paravirtualized build with its kernel deprivileged to ring 1."""

    name = "paravirtualization"

    def run(self, program: Program, config: RunConfig) -> RunResult:
        build = pv_build(program)
        cpu = CPU(build.program, config.memory_words)
        monitor = PatchedMonitor(build.patches, HYPERCALL_VECTOR)
        monitor.boot(cpu)
        counters = Counters(trace=[] if config.trace else None)
        stop = run(cpu, monitor, config.max_steps, counters)
        monitor.guest_view(cpu)
        state = cpu.snapshot()
        monitor.guest_view(cpu)
        shared = monitor.calls.get(SHARED_INFO, 0)
        hypercalls = sum(monitor.calls.values()) - shared
        calls = {
            f"hypercall_{name}": n
            for name, n in sorted(monitor.calls.items())
            if name != SHARED_INFO
        }
        # Hypercalls and shared-info accesses are the kernel's own instructions, not traps;
        # system calls reach the guest kernel directly through Xen's "fast trap" handler.
        counters.traps -= hypercalls + shared
        events = {
            "direct": cpu.steps - hypercalls - shared,
            "hypercalls": hypercalls,
            "shared_info": shared,
            "vmm_traps": monitor.fielded - hypercalls - shared - counters.syscalls,
            "fast_traps": counters.syscalls,
            "pv_sites": len(build.patches),
            **calls,
        }
        stats = run_stats(cpu, counters, events)
        return RunResult(self.name, state, stop, stats, tuple(counters.trace or ()))


__all__ = [
    "HYPERCALLS",
    "HYPERCALL_VECTOR",
    "PORTED_KERNELS",
    "XEN_HYPERCALLS",
    "Paravirtualization",
    "PvBuild",
    "hypercall_for",
    "pv_build",
]
