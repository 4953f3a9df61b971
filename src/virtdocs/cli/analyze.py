"""``virtdocs analyze ISA [--json]``: the Popek–Goldberg analysis of an instruction set."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from virtdocs.errors import UserError
from virtdocs.hypervisor.isa_tables import DESCRIPTIONS
from virtdocs.hypervisor.popek_goldberg import analyze
from virtdocs.hypervisor.views import analysis_report


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "analyze",
        help="classify an instruction set and apply Popek and Goldberg's theorems",
        description="Classify each instruction (privileged; control-, mode- or location-"
        "sensitive; innocuous) and decide whether a trap-and-emulate (Theorem 1) or hybrid "
        "(Theorem 3) virtual machine monitor can be built.",
    )
    parser.add_argument("isa", metavar="ISA", help=f"one of: {', '.join(DESCRIPTIONS)}")
    parser.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    parser.set_defaults(handler=_handler)


def _handler(args: argparse.Namespace, out: TextIO) -> int:
    description = DESCRIPTIONS.get(args.isa)
    if description is None:
        raise UserError(
            f"ISA: unknown instruction set {args.isa!r}; choose one of {', '.join(DESCRIPTIONS)}"
        )
    analysis = analyze(description)
    if args.json:
        print(json.dumps(analysis.to_json(), indent=2), file=out)
    else:
        print(analysis_report(description, analysis), file=out)
    return 0
