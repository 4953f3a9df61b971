"""The ``virtdocs`` command: thin; it parses, calls a stage package, prints.

Each subcommand lives in its own module under :mod:`virtdocs.cli` and exposes
``register(subparsers)``, which adds its parser and sets ``handler`` — a
function ``(args, out) -> int`` that writes to ``out`` and returns the exit
code. The order of :data:`COMMANDS` is the order ``virtdocs --help`` lists them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from virtdocs import __version__
from virtdocs.errors import UserError

#: Subcommand modules, in the order the stages are taught.
COMMANDS: tuple[str, ...] = ("analyze", "run", "container", "validate", "cluster", "serverless")


class UsageError(UserError):
    """A command line argparse cannot read; printed as ``PROG: error: MESSAGE``."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, exit 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(self.prog, message)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or with ``only`` one subcommand: start-up then imports one stage."""
    parser = _Parser(
        prog="virtdocs",
        description="Run the ideas of compute virtualization: machines, hypervisors, "
        "containers, Kubernetes and serverless.",
    )
    parser.add_argument("--version", action="version", version=f"virtdocs {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS if only is None else (only,):
        importlib.import_module(f"virtdocs.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; return the exit code instead of raising it."""
    out = out if out is not None else sys.stdout
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:
        print(f"virtdocs {__version__}", file=out)
        return 0
    chosen = next((arg for arg in argv if not arg.startswith("-")), None)
    parser = build_parser(chosen if chosen in COMMANDS else None)
    try:
        args = parser.parse_args(argv)
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.print_help(out)
            return 2
        return int(handler(args, out))
    except UsageError as error:
        print(f"{error.prog}: error: {error}", file=sys.stderr)
        return error.exit_code
    except UserError as error:
        print(f"virtdocs: error: {error}", file=sys.stderr)
        return error.exit_code
    except SystemExit as exit_:  # --help and --version exit through argparse
        return exit_.code if isinstance(exit_.code, int) else 0
    except BrokenPipeError:  # `virtdocs … | head` is not an error
        return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
