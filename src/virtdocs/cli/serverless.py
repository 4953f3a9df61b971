"""``virtdocs serverless``: run the function platform, check a cron schedule.

Thin: parse, call :mod:`virtdocs.serverless`, print.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from collections import Counter
from datetime import datetime
from typing import Any, TextIO

from virtdocs.errors import UserError
from virtdocs.serverless import PlatformConfig, simulate_poisson
from virtdocs.serverless.config import (
    DEFAULT_INSTANCE_CONCURRENCY,
    DEFAULT_KEEP_ALIVE,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_ROUTING,
    positive,
)
from virtdocs.serverless.cron import CronSchedule
from virtdocs.serverless.routing import ROUTING_POLICIES
from virtdocs.serverless.triggers import DEFAULT_EPOCH, Trigger, merged_events, trigger_from_spec
from virtdocs.serverless.views import echo_config, result_table


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serverless",
        help="simulate a function platform (cold starts, keep-alive, throttling)",
        description="Serverless: simulate a function platform, check a cron schedule, "
        "or generate the events of some triggers.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    _register_simulate(commands)
    _register_cron(commands)
    _register_events(commands)
    parser.set_defaults(handler=lambda args, out: _usage(parser, out))


def _usage(parser: argparse.ArgumentParser, out: TextIO) -> int:
    parser.print_help(out)
    return 2


def _register_simulate(commands: Any) -> None:
    simulate = commands.add_parser(
        "simulate",
        help="serve Poisson arrivals on one function and report what happened",
        description="Simulate one function on a serverless platform: Poisson arrivals, "
        "exponential warm and cold response times, instances kept for the keep-alive "
        "after their last request, requests beyond the concurrency limit rejected.",
    )
    simulate.add_argument(
        "--arrival-rate",
        type=float,
        required=True,
        metavar="R",
        help="requests per second (Poisson)",
    )
    simulate.add_argument(
        "--warm-mean",
        type=float,
        required=True,
        metavar="S",
        help="mean response time of a warm request, seconds",
    )
    simulate.add_argument(
        "--cold-mean",
        type=float,
        required=True,
        metavar="S",
        help="mean response time of a request that starts an instance, seconds",
    )
    simulate.add_argument(
        "--keep-alive",
        type=float,
        default=DEFAULT_KEEP_ALIVE,
        metavar="S",
        help="seconds an idle instance is kept (default %(default)s)",
    )
    simulate.add_argument(
        "--duration", type=float, required=True, metavar="S", help="simulated seconds"
    )
    simulate.add_argument(
        "--max-concurrency",
        type=int,
        default=DEFAULT_MAX_CONCURRENCY,
        metavar="N",
        help="requests in flight before throttling (default %(default)s)",
    )
    simulate.add_argument(
        "--instance-concurrency",
        type=int,
        default=DEFAULT_INSTANCE_CONCURRENCY,
        metavar="N",
        help="requests one instance serves at once (default %(default)s)",
    )
    simulate.add_argument(
        "--routing",
        choices=tuple(ROUTING_POLICIES),
        default=DEFAULT_ROUTING,
        help="which free instance a request goes to (default %(default)s)",
    )
    simulate.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    simulate.add_argument("--json", action="store_true", help="print the result as JSON")
    simulate.set_defaults(handler=_simulate)


def _simulate(args: argparse.Namespace, out: TextIO) -> int:
    positive("arrival_rate", args.arrival_rate, "requests per second")
    config = PlatformConfig(
        warm_mean=args.warm_mean,
        cold_mean=args.cold_mean,
        keep_alive=args.keep_alive,
        max_concurrency=args.max_concurrency,
        instance_concurrency=args.instance_concurrency,
        routing=args.routing,
    )
    result = simulate_poisson(config, args.arrival_rate, args.duration, seed=args.seed)
    if args.json:
        print(json.dumps(result.contract()), file=out)
        return 0
    settings = {
        "arrival-rate": args.arrival_rate,
        "warm-mean": args.warm_mean,
        "cold-mean": args.cold_mean,
        "keep-alive": args.keep_alive,
        "duration": args.duration,
        "max-concurrency": args.max_concurrency,
        "instance-concurrency": args.instance_concurrency,
        "routing": args.routing,
        "seed": args.seed,
    }
    print(echo_config(settings), file=out)
    print(result_table(result), file=out)
    return 0


def _register_cron(commands: Any) -> None:
    cron = commands.add_parser(
        "cron",
        help="check a five-field cron schedule and list its next firings",
        description="Parse a cron expression (minute hour day-of-month month day-of-week) "
        "and print the next times it fires.",
    )
    cron.add_argument("expression", help='five fields, quoted: "*/15 9-17 * * MON-FRI"')
    cron.add_argument("--count", type=int, default=5, help="how many firings (default 5)")
    cron.add_argument(
        "--after",
        default=DEFAULT_EPOCH.isoformat(),
        help="start from this UTC time, ISO 8601 (default %(default)s)",
    )
    cron.set_defaults(handler=_cron)


def _cron(args: argparse.Namespace, out: TextIO) -> int:
    if args.count < 1:
        raise UserError(f"--count must be at least 1, got {args.count}")
    try:
        moment = datetime.fromisoformat(args.after)
    except ValueError:
        raise UserError(f"--after {args.after!r}: expected an ISO 8601 time") from None
    schedule = CronSchedule.parse(args.expression)
    for _ in range(args.count):
        moment = schedule.next_after(moment)
        print(moment.strftime("%Y-%m-%d %H:%M %a"), file=out)
    return 0


def _register_events(commands: Any) -> None:
    events = commands.add_parser(
        "events",
        help="generate the invocations some triggers would cause",
        description="Merge the events of several triggers in time order and count them. "
        "A trigger is KIND=VALUE: http=RATE, queue=RATE (batches of up to 10 within 1 s), "
        "or cron=EXPRESSION.",
    )
    events.add_argument(
        "--trigger",
        action="append",
        required=True,
        metavar="KIND=VALUE",
        help="repeat for several triggers",
    )
    events.add_argument(
        "--until", type=float, required=True, metavar="S", help="seconds to generate"
    )
    events.add_argument(
        "--show", type=int, default=5, metavar="N", help="print the first N events (default 5)"
    )
    events.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    events.set_defaults(handler=_events)


def _trigger(text: str) -> Trigger:
    kind, sep, value = text.partition("=")
    if not sep:
        raise UserError(f"--trigger {text!r}: expected KIND=VALUE, like http=2.5")
    spec: dict[str, Any] = {"type": kind}
    if kind in ("http", "queue"):
        try:
            rate = float(value)
        except ValueError:
            raise UserError(f"--trigger {text!r}: {kind} needs a rate per second") from None
        if not (math.isfinite(rate) and rate > 0):
            # Checked here so the message names the flag the reader typed.
            raise UserError(f"--trigger {text!r}: the rate must be a finite number > 0 per second")
        spec["rate"] = rate
        if kind == "queue":
            spec.update(queue="queue", window=1.0)
    elif kind == "cron":
        spec["schedule"] = value
    elif kind == "storage":
        raise UserError(
            f"--trigger {text!r}: storage triggers follow an object store's events; "
            "use virtdocs.serverless.triggers.StorageTrigger from Python"
        )
    try:
        return trigger_from_spec(spec)
    except UserError as error:  # unknown kind, malformed cron: say which --trigger
        raise UserError(f"--trigger {text!r}: {error}", exit_code=error.exit_code) from None


def _events(args: argparse.Namespace, out: TextIO) -> int:
    positive("until", args.until, "seconds")
    triggers = [_trigger(text) for text in args.trigger]
    counts: Counter[str] = Counter()
    for index, event in enumerate(merged_events(triggers, args.until, random.Random(args.seed))):
        counts[event.source] += 1
        if index < args.show:
            details = " ".join(f"{k}={v}" for k, v in event.payload.items())
            print(f"{event.time:10.3f}  {event.source:<6} {details}", file=out)
    total = sum(counts.values())
    summary = ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))
    print(
        f"{total} invocations in {args.until:g} s" + (f": {summary}" if summary else ""), file=out
    )
    return 0
