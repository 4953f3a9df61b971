"""Triggers: what turns the outside world into function invocations.

A trigger is one method, ``events(until, rng)``: the time-ordered events it
produces in ``[0, until]``. Four kinds, as cloud function platforms offer them:

* :class:`HttpTrigger` — requests from clients, a Poisson stream at a rate.
* :class:`CronTrigger` — a timer on a five-field cron schedule.
* :class:`QueueTrigger` — messages on a queue, handed over in batches (AWS
  Lambda's default SQS batch size is 10:
  https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
* :class:`StorageTrigger` — object-store notifications that match a filter.

:func:`trigger_from_spec` builds one from a plain mapping (as a function's
configuration file would hold), and rejects unknown kinds in one line.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from virtdocs.errors import UserError
from virtdocs.serverless.baas import StorageNotification
from virtdocs.serverless.config import at_least_one, non_negative, positive
from virtdocs.serverless.cron import CronSchedule
from virtdocs.serverless.functions import Event, Function

#: Simulated time 0 for cron schedules (a Friday, midnight UTC).
DEFAULT_EPOCH = datetime(2021, 1, 1)


class Trigger(Protocol):
    """Produces the events that invoke a function."""

    def events(self, until: float, rng: random.Random) -> Iterator[Event]: ...


@dataclass(frozen=True, slots=True)
class HttpTrigger:
    """HTTP requests arriving as a Poisson stream of ``rate`` per second."""

    rate: float
    path: str = "/"
    method: str = "GET"

    def __post_init__(self) -> None:
        positive("rate", self.rate, "requests per second")

    def events(self, until: float, rng: random.Random) -> Iterator[Event]:
        t = rng.expovariate(self.rate)
        while t <= until:
            yield Event(t, "http", {"method": self.method, "path": self.path})
            t += rng.expovariate(self.rate)


@dataclass(frozen=True, slots=True)
class CronTrigger:
    """A timer: fires on a cron schedule, counting seconds from ``epoch``.

    >>> trigger = CronTrigger("*/10 * * * *")
    >>> [e.time for e in trigger.events(1800, random.Random(0))]
    [600.0, 1200.0, 1800.0]
    """

    expression: str
    epoch: datetime = DEFAULT_EPOCH
    schedule: CronSchedule = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedule", CronSchedule.parse(self.expression))

    def events(self, until: float, rng: random.Random) -> Iterator[Event]:
        end = self.epoch + timedelta(seconds=until)
        for moment in self.schedule.firings(self.epoch, end):
            offset = (moment - self.epoch).total_seconds()
            yield Event(offset, "cron", {"scheduled": moment.isoformat()})


@dataclass(frozen=True, slots=True)
class QueueTrigger:
    """Messages arrive at ``rate`` per second; a batch is handed over when it holds
    ``batch_size`` messages or ``window`` seconds after its first message.

    >>> trigger = QueueTrigger("orders", rate=20.0, batch_size=10, window=1.0)
    >>> batches = list(trigger.events(100, random.Random(1)))
    >>> max(e.payload["messages"] for e in batches)
    10
    """

    queue: str
    rate: float
    batch_size: int = 10
    window: float = 0.0

    def __post_init__(self) -> None:
        positive("rate", self.rate, "messages per second")
        at_least_one("batch_size", self.batch_size)
        non_negative("window", self.window, "seconds")

    def events(self, until: float, rng: random.Random) -> Iterator[Event]:
        t = rng.expovariate(self.rate)
        while t <= until:
            opened, count, latest = t, 0, t
            while t <= until and count < self.batch_size and t <= opened + self.window:
                count, latest = count + 1, t
                t += rng.expovariate(self.rate)
            # A full batch goes at once; a partial one when its window closes.
            closes = latest if count == self.batch_size else min(opened + self.window, until)
            yield Event(closes, "queue", {"queue": self.queue, "messages": count})


@dataclass(frozen=True, slots=True)
class StorageTrigger:
    """Object-store notifications for ``bucket`` whose event and key match.

    ``event`` is a prefix of the notification's name, so ``"ObjectCreated"``
    matches ``ObjectCreated:Put``, as S3's ``s3:ObjectCreated:*`` does.
    """

    bucket: str
    notifications: Sequence[StorageNotification]
    event: str = "ObjectCreated"
    prefix: str = ""
    suffix: str = ""

    def events(self, until: float, rng: random.Random) -> Iterator[Event]:
        for note in self.notifications:
            if note.time > until:
                return
            if self.matches(note):
                payload = {
                    "bucket": note.bucket,
                    "key": note.key,
                    "event": note.event,
                    "size": note.size,
                }
                yield Event(note.time, "storage", payload)

    def matches(self, note: StorageNotification) -> bool:
        """Whether a notification passes this trigger's bucket, event and key filters."""
        return (
            note.bucket == self.bucket
            and note.event.startswith(self.event)
            and note.key.startswith(self.prefix)
            and note.key.endswith(self.suffix)
        )


TRIGGER_KINDS = ("http", "cron", "queue", "storage")


def trigger_from_spec(
    spec: Mapping[str, Any], notifications: Sequence[StorageNotification] = ()
) -> Trigger:
    """Build a trigger from ``{"type": kind, ...settings}``.

    >>> trigger_from_spec({"type": "cron", "schedule": "0 * * * *"}).expression
    '0 * * * *'
    >>> trigger_from_spec({"type": "ftp"})
    Traceback (most recent call last):
    virtdocs.errors.UserError: unknown trigger type 'ftp'; expected http, cron, queue or storage
    """
    settings = dict(spec)
    kind = settings.pop("type", None)
    try:
        if kind == "http":
            return HttpTrigger(**settings)
        if kind == "cron":
            return CronTrigger(settings.pop("schedule"), **settings)
        if kind == "queue":
            return QueueTrigger(**settings)
        if kind == "storage":
            return StorageTrigger(notifications=notifications, **settings)
    except (TypeError, KeyError) as error:
        raise UserError(f"trigger {kind!r}: bad settings {sorted(spec)} ({error})") from None
    known = ", ".join(TRIGGER_KINDS[:-1]) + f" or {TRIGGER_KINDS[-1]}"
    raise UserError(f"unknown trigger type {kind!r}; expected {known}")


def merged_events(triggers: Iterable[Trigger], until: float, rng: random.Random) -> Iterator[Event]:
    """All triggers' events in time order (ties keep the triggers' order)."""
    streams = [trigger.events(until, rng) for trigger in triggers]
    return heapq.merge(*streams, key=lambda event: event.time)


def run_handlers(
    function: Function, triggers: Iterable[Trigger], until: float, rng: random.Random
) -> list[tuple[Event, Any]]:
    """Invoke ``function`` on every event, in time order; each event with its output.

    >>> echo = Function("echo", lambda event: event.source)
    >>> runs = run_handlers(echo, [CronTrigger("0 * * * *"), HttpTrigger(0.0005)],
    ...                     7200, random.Random(3))
    >>> for event, output in runs:
    ...     print(f"{event.time:7.1f} {output}")
      543.5 http
     2115.1 http
     3039.0 http
     3600.0 cron
     4891.3 http
     6856.8 http
     6992.3 http
     7018.8 http
     7200.0 cron
    """
    return [(event, function.invoke(event)) for event in merged_events(triggers, until, rng)]
