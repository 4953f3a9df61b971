"""The command line's own contract: version, help, and one-line errors without tracebacks."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from virtdocs import __version__
from virtdocs.cli import COMMANDS, main
from virtdocs.errors import UserError


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"virtdocs {__version__}\n"


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert f"    {name}" in out


def test_no_command_prints_help_and_fails() -> None:
    out = io.StringIO()
    assert main([], out=out) == 2
    assert "usage: virtdocs" in out.getvalue()


def test_unknown_command_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("virtdocs: error: argument COMMAND: invalid choice: 'frobnicate'")
    assert err.count("\n") == 1


def test_user_error_messages_are_one_line() -> None:
    with pytest.raises(ValueError, match="must be one line"):
        UserError("two\nlines")
    assert UserError("bad", exit_code=1).exit_code == 1


def test_installed_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "virtdocs", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"virtdocs {__version__}\n"
