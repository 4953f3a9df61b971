"""Cron schedules: the five-field syntax timer triggers use, parsed and validated.

Fields, in order: minute (0-59), hour (0-23), day of month (1-31), month (1-12
or JAN-DEC), day of week (0-7 or SUN-SAT; 0 and 7 are both Sunday). Each field is
``*``, a number, a range ``a-b``, a step ``*/n`` or ``a-b/n``, or a comma list of
those (crontab(5): https://man7.org/linux/man-pages/man5/crontab.5.html). As in
Vixie cron, when both day fields are restricted a time matches if either does.
Times are naive UTC ``datetime`` values; nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from virtdocs.errors import UserError

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, {m: i for i, m in enumerate(_MONTHS, start=1)}),
    ("day of week", 0, 7, {d: i for i, d in enumerate(_WEEKDAYS)}),
)


def _value(text: str, field: int, expression: str) -> int:
    name, low, high, names = _FIELDS[field]
    number = names.get(text.upper()) if not text.isdigit() else int(text)
    if number is None or not low <= number <= high:
        raise UserError(
            f"cron {expression!r}: field {field + 1} ({name}) has {text!r}; "
            f"expected {low}-{high}" + (" or a name" if names else "")
        )
    return number


def _parse_field(text: str, field: int, expression: str) -> frozenset[int]:
    name, low, high, _ = _FIELDS[field]
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise UserError(
                    f"cron {expression!r}: field {field + 1} ({name}) has step {step_text!r}; "
                    "expected a whole number >= 1"
                )
            step = int(step_text)
        if body == "*":
            start, stop = low, high
        elif "-" in body:
            first, _, last = body.partition("-")
            start, stop = _value(first, field, expression), _value(last, field, expression)
            if start > stop:
                raise UserError(
                    f"cron {expression!r}: field {field + 1} ({name}) has range {body!r} "
                    "that runs backwards"
                )
        else:
            start = _value(body, field, expression)
            stop = high if step_text else start  # "5/15" means 5, 20, 35, 50
        values.update(range(start, stop + 1, step))
    return frozenset(values)


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """A parsed five-field cron expression.

    >>> every_15 = CronSchedule.parse("*/15 9-17 * * MON-FRI")
    >>> sorted(every_15.minutes)
    [0, 15, 30, 45]
    >>> every_15.next_after(datetime(2021, 1, 1, 17, 50))   # a Friday evening
    datetime.datetime(2021, 1, 4, 9, 0)
    >>> CronSchedule.parse("61 * * * *")
    Traceback (most recent call last):
    virtdocs.errors.UserError: cron '61 * * * *': field 1 (minute) has '61'; expected 0-59
    """

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, expression: str) -> CronSchedule:
        fields = expression.split()
        if len(fields) != 5:
            raise UserError(
                f"cron {expression!r}: expected 5 fields (minute hour day-of-month month "
                f"day-of-week), got {len(fields)}"
            )
        parsed = [_parse_field(text, i, expression) for i, text in enumerate(fields)]
        weekdays = frozenset(d % 7 for d in parsed[4])  # 7 is Sunday too
        return cls(
            expression,
            parsed[0],
            parsed[1],
            parsed[2],
            parsed[3],
            weekdays,
            any_day=fields[2].startswith("*"),
            any_weekday=fields[4].startswith("*"),
        )

    def _day_matches(self, moment: datetime) -> bool:
        day_ok = moment.day in self.days
        weekday_ok = (moment.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return day_ok and weekday_ok
        return day_ok or weekday_ok  # both restricted: either one (Vixie cron)

    def matches(self, moment: datetime) -> bool:
        """Whether the schedule fires in the minute containing ``moment``."""
        return (
            moment.minute in self.minutes
            and moment.hour in self.hours
            and moment.month in self.months
            and self._day_matches(moment)
        )

    def next_after(self, moment: datetime) -> datetime:
        """The first firing strictly after ``moment`` (at second 0 of its minute)."""
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = candidate + timedelta(days=366 * 8)  # Feb 29 on a given weekday recurs < 8y
        while candidate < limit:
            if candidate.month not in self.months or not self._day_matches(candidate):
                candidate = candidate.replace(hour=0, minute=0) + timedelta(days=1)
            elif candidate.hour not in self.hours:
                candidate = candidate.replace(minute=0) + timedelta(hours=1)
            elif candidate.minute not in self.minutes:
                candidate += timedelta(minutes=1)
            else:
                return candidate
        raise UserError(f"cron {self.expression!r}: never fires (no such date)")

    def firings(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Every firing in ``(start, end]``, in order."""
        moment = start
        while True:
            moment = self.next_after(moment)
            if moment > end:
                return
            yield moment
