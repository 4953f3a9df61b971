"""``virtdocs validate``: check Kubernetes manifests as the API server would.

Thin: parse the flags, read the inputs, call
:func:`virtdocs.kubernetes.validation.validate_text`, print. Exit status 0
when every resource is valid, 1 when any is invalid or could not be checked,
2 for a usage or I/O error.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from virtdocs.errors import UserError
from virtdocs.kubernetes.validation import (
    ResourceResult,
    Summary,
    ValidationOptions,
    bundled_versions,
    format_result,
    report_to_json,
    validate_text,
)
from virtdocs.kubernetes.validation.sources import read_sources

EXIT_VALID = 0
EXIT_INVALID = 1


def register(subparsers: Any) -> None:
    versions = bundled_versions()
    parser = subparsers.add_parser(
        "validate",
        help="check Kubernetes manifests: schema and API-server rules, with file:line errors",
        description="Validate Kubernetes manifests (YAML or JSON; files, folders, or - for "
        "stdin) against the official schemas and the API server's own rules. Exit status: "
        "0 all valid, 1 any invalid, 2 usage or I/O error.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a file, a folder, or -")
    parser.add_argument(
        "--kubernetes-version",
        metavar="X.Y",
        help=f"schemas to use, {versions[0]} to {versions[-1]} (default: {versions[-1]})",
    )
    parser.add_argument(
        "--strict",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="reject fields the schema does not know (default: --strict)",
    )
    parser.add_argument(
        "--ignore-missing-schemas",
        action="store_true",
        help="let kinds without a schema (custom resources) pass with only metadata checked",
    )
    parser.add_argument(
        "--output", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    parser.set_defaults(handler=_handler)


def _options(args: argparse.Namespace) -> ValidationOptions:
    try:
        return ValidationOptions(
            kubernetes_version=args.kubernetes_version,
            strict=args.strict,
            ignore_missing_schemas=args.ignore_missing_schemas,
        )
    except UserError as error:
        raise UserError(f"--kubernetes-version: {error}") from None


def _handler(args: argparse.Namespace, out: TextIO) -> int:
    options = _options(args)
    results: list[ResourceResult] = []
    for source in read_sources(args.paths, sys.stdin.buffer):
        results.extend(validate_text(source.text, source.name, options))
    if args.output == "json":
        print(json.dumps(report_to_json(results), indent=2), file=out)
    else:
        for result in results:
            for line in format_result(result):
                print(line, file=out)
        print(Summary.of(results).line(), file=out)
    return EXIT_VALID if Summary.of(results).ok else EXIT_INVALID
