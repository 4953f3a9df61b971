"""`probe`: one instruction, one ring, one line back; bad arguments are one-line UserErrors."""

from __future__ import annotations

import pytest

from virtdocs.errors import UserError
from virtdocs.machine import probe


def test_iopl_and_if_set_the_stage() -> None:
    assert (
        probe("CLI", 3)
        == "#GP general protection: CLI needs CPL <= IOPL, but CPL is 3 and IOPL is 0"
    )
    assert probe("CLI", 3, iopl=3) == "retired"
    assert probe("INT 0x80", 3) == "INT 0x80: a trap through IDT gate 0x80"


@pytest.mark.parametrize(
    ("source", "kwargs", "message"),
    [
        ("NOP", {"ring": 4}, "ring: must be 0..3, got 4"),
        ("NOP", {"ring": 0, "iopl": -1}, "iopl: must be 0..3, got -1"),
        ("NOP", {"ring": 0, "if_": 2}, "if_: must be 0 or 1, got 2"),
        ("NOP\nNOP", {"ring": 0}, "<probe>: expected one instruction, got 2"),
        ("FROB", {"ring": 0}, "<probe>:1: unknown mnemonic 'FROB'"),
    ],
)
def test_bad_arguments(source: str, kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(UserError) as caught:
        probe(source, **kwargs)
    assert str(caught.value).startswith(message)
