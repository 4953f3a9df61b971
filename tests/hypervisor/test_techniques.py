"""The technique registry, native vs trap-and-emulate, and the POPF failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from virtdocs.errors import UserError
from virtdocs.hypervisor import TECHNIQUES, RunConfig, get_technique, register
from virtdocs.hypervisor.trap_emulate import HOST_IDTR
from virtdocs.machine import assemble_file

GUESTS = Path(__file__).resolve().parents[2] / "examples" / "guests"
SMALL = RunConfig(max_steps=200_000)


def test_registry_is_ordered_with_native_first() -> None:
    names = list(TECHNIQUES)
    assert names[:2] == ["native", "trap-and-emulate"]
    with pytest.raises(ValueError, match="already registered"):
        register(TECHNIQUES["native"])
    with pytest.raises(UserError, match="--technique: unknown technique 'magic'; choose one of"):
        get_technique("magic")


@pytest.mark.parametrize(
    ("guest", "defines"),
    [
        ("loop.s", {"ITERATIONS": 300}),
        ("syscalls.s", {}),
        ("privileged.s", {}),
        ("divide.s", {}),
    ],
)
def test_trap_and_emulate_is_equivalent_when_no_sensitive_instruction_escapes(
    guest: str, defines: dict[str, int]
) -> None:
    program = assemble_file(GUESTS / guest, defines=defines)
    native = get_technique("native").run(program, SMALL)
    monitored = get_technique("trap-and-emulate").run(program, SMALL)
    assert native.halted and monitored.halted
    assert monitored.state == native.state
    assert monitored.stats["instructions"] == native.stats["instructions"]
    assert monitored.stats["emulated"] > 0  # the guest kernel's privileged work trapped


def test_popf_breaks_naive_trap_and_emulate() -> None:
    program = assemble_file(GUESTS / "irqsave.s")
    native = get_technique("native").run(program, SMALL)
    monitored = get_technique("trap-and-emulate").run(program, RunConfig(trace=True))
    assert native.state.console == "IF inside the critical section: 0\ntick tick done\n"
    # Inside the critical section PUSHF shows the real IF (1), and after POPF the monitor
    # still believes IF is 0, so the guest's HLT never wakes up.
    assert monitored.state.console == "IF inside the critical section: 1\n"
    assert monitored.stop.message.endswith("irqsave.s:47): halted (interrupts are off)")
    assert monitored.state != native.state
    halt = [e for e in monitored.trace if e.kind == "halt"]
    assert halt and "virtual IF" in halt[0].detail


def test_unprivileged_reads_reveal_the_monitor() -> None:
    program = assemble_file(GUESTS / "sensitive.s")
    monitored = get_technique("trap-and-emulate").run(program, SMALL)
    assert f"ring 3 SIDT: IDT at {HOST_IDTR[0]:#010x}" in monitored.state.console
    # The guest's own view (the snapshot) still shows its virtual IDTR.
    assert monitored.state.idtr == (0, 258)


def test_run_result_json_has_the_contract_keys() -> None:
    program = assemble_file(GUESTS / "loop.s", defines={"ITERATIONS": 5})
    document = get_technique("native").run(program, SMALL).to_json()
    assert {"state", "stats", "halted"} <= set(document)
    assert document["halted"] is True
    assert document["stats"]["modeled_cycles"] >= document["stats"]["instructions"]
    assert document["state"]["console"] == "checksum 11\n"  # 1 + 4 + 1 + 4 + 1


def test_run_config_validates() -> None:
    with pytest.raises(UserError, match="--max-steps: must be at least 1"):
        RunConfig(max_steps=0)
