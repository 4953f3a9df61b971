"""``virtdocs run PROGRAM --technique T``: run a guest program and report its state."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from virtdocs.errors import UserError
from virtdocs.hypervisor import TECHNIQUES, RunConfig, get_technique
from virtdocs.hypervisor.views import run_report
from virtdocs.machine import DEFAULT_MAX_STEPS, assemble_file


def _define(text: str) -> tuple[str, int]:
    name, sep, value = text.partition("=")
    try:
        if not sep or not name:
            raise ValueError
        return name, int(value, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected NAME=NUMBER, got {text!r}") from None


def _steps(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run a tiny86 guest program",
        description="Assemble PROGRAM (tiny86 assembly) and run it with a technique. Prints the "
        "guest's console output, how the run ended and its counters. A run that does not end "
        "with the guest halting (fault, step limit) exits with status 1.",
    )
    parser.add_argument("program", metavar="PROGRAM", help="a .s file, e.g. examples/guests/loop.s")
    parser.add_argument(
        "--technique",
        default="native",
        choices=list(TECHNIQUES),
        help="how to run the guest (default: native)",
    )
    parser.add_argument(
        "--max-steps",
        type=_steps,
        default=DEFAULT_MAX_STEPS,
        help=f"stop a runaway guest after this many steps (default: {DEFAULT_MAX_STEPS:,})",
    )
    parser.add_argument("--trace", action="store_true", help="show ring changes, traps, interrupts")
    parser.add_argument(
        "--define",
        type=_define,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override an .equ constant of the program, e.g. --define ITERATIONS=100",
    )
    parser.add_argument("--json", action="store_true", help="print state, stats and halted as JSON")
    parser.add_argument(
        "--compare", action="store_true", help="run under every technique; one table"
    )
    parser.set_defaults(handler=_handler)


def _handler(args: argparse.Namespace, out: TextIO) -> int:
    program = assemble_file(args.program, defines=dict(args.define))
    if args.compare:
        from virtdocs.hypervisor.compare import compare_report

        return compare_report(program, RunConfig(max_steps=args.max_steps), args.json, out)
    technique = get_technique(args.technique)
    result = technique.run(program, RunConfig(max_steps=args.max_steps, trace=args.trace))
    if args.json:
        document = result.to_json()
        document["config"] = {  # what produced this output, so a pasted result can be rerun
            "program": args.program,
            "technique": args.technique,
            "max_steps": args.max_steps,
            "defines": dict(args.define),
        }
        if args.trace:
            document["trace"] = [
                {"step": e.step, "kind": e.kind, "detail": e.detail} for e in result.trace
            ]
        print(json.dumps(document, indent=2), file=out)
    else:
        for event in result.trace:
            print(event, file=out)
        print(run_report(result), file=out)
    if not result.halted:
        raise UserError(result.stop.message, exit_code=1)
    return 0
