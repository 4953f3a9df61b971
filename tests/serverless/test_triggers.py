"""Functions, cron schedules, triggers and the object store that feeds storage triggers."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from virtdocs.errors import UserError
from virtdocs.serverless import PlatformConfig, simulate
from virtdocs.serverless.baas import ObjectStore
from virtdocs.serverless.cron import CronSchedule
from virtdocs.serverless.functions import Event, Function
from virtdocs.serverless.triggers import (
    CronTrigger,
    HttpTrigger,
    QueueTrigger,
    StorageTrigger,
    Trigger,
    merged_events,
    run_handlers,
    trigger_from_spec,
)


def _brute_force_next(schedule: CronSchedule, moment: datetime) -> datetime:
    candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while not schedule.matches(candidate):
        candidate += timedelta(minutes=1)
    return candidate


@pytest.mark.parametrize(
    "expression",
    [
        "* * * * *",
        "*/15 9-17 * * MON-FRI",
        "0 0 1 * *",
        "30 4 1,15 * 5",  # both day fields restricted: the 1st, the 15th, or any Friday
        "5/20 * * JAN,jul *",
        "0 12 * * 7",  # 7 is Sunday too
        "59 23 31 12 *",
    ],
)
def test_next_after_agrees_with_minute_by_minute_search(expression: str) -> None:
    schedule = CronSchedule.parse(expression)
    moment = datetime(2021, 1, 1, 0, 0)
    # A yearly schedule makes the reference search walk a year of minutes per firing.
    for _ in range(2 if expression.startswith("59 23 31 12") else 20):
        expected = _brute_force_next(schedule, moment)
        assert schedule.next_after(moment) == expected
        moment = expected + timedelta(seconds=17)


def test_cron_semantics_match_crontab5() -> None:
    # crontab(5): "1,15 * 5" style day fields are ORed when both are restricted.
    either = CronSchedule.parse("0 0 13 * FRI")
    assert either.matches(datetime(2021, 1, 8))  # a Friday, not the 13th
    assert either.matches(datetime(2021, 1, 13))  # the 13th, a Wednesday
    assert not either.matches(datetime(2021, 1, 12))
    sunday = CronSchedule.parse("0 0 * * 0")
    assert sunday.weekdays == CronSchedule.parse("0 0 * * 7").weekdays == {0}
    assert sorted(CronSchedule.parse("5/20 * * * *").minutes) == [5, 25, 45]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("* * * *", "expected 5 fields"),
        ("* * * * * *", "expected 5 fields"),
        ("60 * * * *", r"field 1 \(minute\) has '60'; expected 0-59"),
        ("* 24 * * *", r"field 2 \(hour\)"),
        ("* * 0 * *", r"field 3 \(day of month\) has '0'; expected 1-31"),
        ("* * * 13 *", r"field 4 \(month\) has '13'; expected 1-12 or a name"),
        ("* * * * 8", r"field 5 \(day of week\)"),
        ("*/0 * * * *", "step '0'"),
        ("10-5 * * * *", "runs backwards"),
        ("1,,2 * * * *", "has ''"),
        ("0 0 30 2 *", "never fires"),
    ],
)
def test_malformed_cron_is_a_one_line_error(expression: str, message: str) -> None:
    with pytest.raises(UserError, match=message) as error:
        CronSchedule.parse(expression).next_after(datetime(2021, 1, 1))
    assert "\n" not in str(error.value)


def test_cron_trigger_fires_on_schedule() -> None:
    trigger = CronTrigger("0 9 * * MON-FRI")
    events = list(trigger.events(14 * 86400, random.Random(0)))
    assert len(events) == 10  # two working weeks
    assert events[0].payload["scheduled"] == "2021-01-01T09:00:00"


def test_http_trigger_is_a_poisson_stream() -> None:
    events = list(HttpTrigger(5.0).events(2_000, random.Random(1)))
    assert len(events) == pytest.approx(10_000, rel=0.05)
    assert all(a.time <= b.time for a, b in itertools.pairwise(events))
    with pytest.raises(UserError, match="rate"):
        HttpTrigger(-1.0)


def test_queue_trigger_batches_every_message_once() -> None:
    rng = random.Random(2)
    batches = list(QueueTrigger("orders", 30.0, batch_size=10, window=0.5).events(500, rng))
    messages = sum(e.payload["messages"] for e in batches)
    assert messages == pytest.approx(15_000, rel=0.05)
    assert all(1 <= e.payload["messages"] <= 10 for e in batches)
    assert len(batches) < messages / 5  # batching cuts invocations
    single = list(QueueTrigger("q", 0.5).events(500, random.Random(2)))
    assert {e.payload["messages"] for e in single} == {1}  # no window: one message each


def test_storage_trigger_filters_notifications() -> None:
    store = ObjectStore()
    store.create_bucket("uploads")
    store.put(1.0, "uploads", "img/cat.jpg", b"1")
    store.put(2.0, "uploads", "img/notes.txt", b"2")
    store.put(3.0, "uploads", "doc/dog.jpg", b"3")
    store.delete(4.0, "uploads", "img/cat.jpg")
    trigger = StorageTrigger("uploads", store.notifications, prefix="img/", suffix=".jpg")
    keys = [(e.payload["key"], e.payload["event"]) for e in trigger.events(10, random.Random(0))]
    assert keys == [("img/cat.jpg", "ObjectCreated:Put")]
    removed = StorageTrigger("uploads", store.notifications, event="ObjectRemoved")
    assert [e.time for e in removed.events(10, random.Random(0))] == [4.0]


def test_trigger_specs() -> None:
    assert isinstance(trigger_from_spec({"type": "http", "rate": 2}), HttpTrigger)
    assert isinstance(trigger_from_spec({"type": "queue", "queue": "q", "rate": 1}), QueueTrigger)
    assert isinstance(trigger_from_spec({"type": "storage", "bucket": "b"}), StorageTrigger)
    with pytest.raises(UserError, match="unknown trigger type 'smtp'"):
        trigger_from_spec({"type": "smtp"})
    with pytest.raises(UserError, match="unknown trigger type None"):
        trigger_from_spec({"rate": 1})
    with pytest.raises(UserError, match=r"trigger 'http': bad settings"):
        trigger_from_spec({"type": "http", "speed": 1})
    with pytest.raises(UserError, match="field 1"):
        trigger_from_spec({"type": "cron", "schedule": "99 * * * *"})


def test_triggers_drive_the_platform() -> None:
    rng = random.Random(4)
    triggers: list[Trigger] = [
        HttpTrigger(0.5),
        CronTrigger("*/5 * * * *"),
        QueueTrigger("q", 2.0, window=1),
    ]
    times = [e.time for e in merged_events(triggers, 3_600, rng)]
    assert times == sorted(times)
    result = simulate(PlatformConfig(0.2, 1.0, keep_alive=60), times, 3_600, random.Random(5))
    assert result.requests == len(times)


def test_functions_validate_and_run() -> None:
    seen: list[str] = []
    function = Function("audit", lambda event: seen.append(event.source), memory_mb=512)
    run_handlers(function, [CronTrigger("0 * * * *")], 3 * 3600, random.Random(0))
    assert seen == ["cron", "cron", "cron"]
    assert function.invoke(Event(0.0, "http")) is None
    cases: list[tuple[dict[str, object], str]] = [
        ({"name": "bad name"}, "use 1-64 letters"),
        ({"handler": 42}, "handler must be callable"),
        ({"memory_mb": 20_000}, "memory_mb must be an integer 128-10240"),
        ({"timeout": 0}, "timeout must be > 0 and <= 900"),
        ({"timeout": 901}, "timeout"),
    ]
    for bad, message in cases:
        settings: dict[str, object] = {"name": "f", "handler": print, **bad}
        with pytest.raises(UserError, match=message):
            Function(**settings)  # type: ignore[arg-type]


def test_object_store_meters_and_prices() -> None:
    store = ObjectStore()
    store.create_bucket("data")
    store.put(0.0, "data", "big", b"x" * 1024**2)  # 1 MiB kept for a 730-hour month
    month = 730 * 3600.0
    usage = store.usage(now=month)
    assert usage.gb_months == pytest.approx(1 / 1024)
    assert usage.storage_cost == pytest.approx(0.023 / 1024)
    for i in range(1000):
        store.get(month, "data", f"k{i}")
    assert store.usage(month).request_cost == pytest.approx(0.005 / 1000 + 0.0004)
    assert store.list(month, "data", prefix="b") == ["big"]


def test_object_store_bad_input() -> None:
    store = ObjectStore()
    with pytest.raises(UserError, match="bucket name 'Bad_Name'"):
        store.create_bucket("Bad_Name")
    store.create_bucket("ok-bucket")
    with pytest.raises(UserError, match="already exists"):
        store.create_bucket("ok-bucket")
    with pytest.raises(UserError, match="no bucket named 'missing'"):
        store.put(0.0, "missing", "k", b"")
    with pytest.raises(UserError, match="empty key"):
        store.put(0.0, "ok-bucket", "", b"")
    store.put(5.0, "ok-bucket", "k", b"abc")
    with pytest.raises(UserError, match="time went backwards"):
        store.get(1.0, "ok-bucket", "k")
    assert store.delete(6.0, "ok-bucket", "k") is True
    assert store.delete(6.0, "ok-bucket", "k") is False


@settings(max_examples=30, deadline=None)
@given(
    minutes=st.lists(st.integers(0, 59), min_size=1, max_size=4),
    hour_start=st.integers(0, 23),
    hour_span=st.integers(0, 5),
    step=st.integers(1, 3),
    start=st.datetimes(min_value=datetime(2021, 1, 1), max_value=datetime(2030, 12, 31)),
)
def test_next_after_matches_brute_force_on_random_schedules(
    minutes: list[int], hour_start: int, hour_span: int, step: int, start: datetime
) -> None:
    hour_stop = min(hour_start + hour_span, 23)
    expression = f"{','.join(map(str, minutes))} {hour_start}-{hour_stop}/{step} * * *"
    schedule = CronSchedule.parse(expression)
    assert schedule.next_after(start) == _brute_force_next(schedule, start)
