"""`virtdocs serverless simulate`: the design.md contract, and one-line errors."""

from __future__ import annotations

import io
import json

import pytest

from virtdocs.cli import main
from virtdocs.serverless import CONTRACT_KEYS, PlatformConfig, simulate_poisson

BASE = [
    "serverless",
    "simulate",
    "--arrival-rate",
    "0.9",
    "--warm-mean",
    "2.016",
    "--cold-mean",
    "2.163",
    "--keep-alive",
    "600",
    "--duration",
    "5000",
]


def _run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(argv, out), out.getvalue()


def test_json_has_exactly_the_contract_keys_and_matches_the_library() -> None:
    code, text = _run([*BASE, "--seed", "3", "--json"])
    assert code == 0
    document = json.loads(text)
    assert tuple(document) == CONTRACT_KEYS
    expected = simulate_poisson(PlatformConfig(2.016, 2.163, 600), 0.9, 5000, seed=3)
    assert document == expected.contract()
    assert isinstance(document["requests"], int)


def test_text_output_echoes_the_configuration_first() -> None:
    code, text = _run([*BASE, "--max-concurrency", "3", "--routing", "random"])
    assert code == 0
    lines = text.splitlines()
    assert lines[0] == "ARG arrival-rate 0.9"
    assert "ARG max-concurrency 3" in lines and "ARG routing random" in lines
    assert any(line.startswith("latency p99 (s)") for line in lines)


def test_seed_defaults_to_zero_and_runs_repeat() -> None:
    assert _run([*BASE, "--json"]) == _run([*BASE, "--seed", "0", "--json"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--arrival-rate", "0"], "arrival_rate (--arrival-rate) must be a finite number > 0"),
        (["--arrival-rate", "-2"], "--arrival-rate"),
        (["--warm-mean", "nan"], "warm_mean (--warm-mean)"),
        (["--cold-mean", "-1"], "cold_mean (--cold-mean)"),
        (["--duration", "0"], "duration (--duration)"),
        (["--keep-alive", "-1"], "keep_alive (--keep-alive) must be a finite number >= 0"),
        (["--max-concurrency", "0"], "max_concurrency (--max-concurrency)"),
        (["--warm-mean", "fast"], "argument --warm-mean: invalid float value: 'fast'"),
        (["--routing", "sticky"], "argument --routing: invalid choice: 'sticky'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    change: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = list(BASE)
    flag = change[0]
    if flag in argv:
        argv[argv.index(flag) + 1] = change[1]
    else:
        argv += change
    code, text = _run(argv)
    err = capsys.readouterr().err
    assert code == 2 and text == ""
    # Flag values the parser rejects name the (sub)command; others say `virtdocs`.
    assert err.startswith(("virtdocs: error: ", "virtdocs serverless simulate: error: "))
    assert message in err
    assert err.count("\n") == 1


def test_missing_flag_and_bare_group(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _run(["serverless", "simulate", "--arrival-rate", "1"])
    assert code == 2
    assert "the following arguments are required" in capsys.readouterr().err
    code, text = _run(["serverless"])
    assert code == 2 and "simulate" in text


def test_cron_lists_the_next_firings() -> None:
    code, text = _run(
        ["serverless", "cron", "0 9 * * MON", "--count", "2", "--after", "2021-01-01"]
    )
    assert code == 0
    assert text.splitlines() == ["2021-01-04 09:00 Mon", "2021-01-11 09:00 Mon"]


def test_events_merge_triggers_in_time_order() -> None:
    code, text = _run(
        [
            "serverless",
            "events",
            "--trigger",
            "cron=*/30 * * * *",
            "--trigger",
            "http=0.01",
            "--until",
            "3600",
            "--show",
            "0",
        ]
    )
    assert code == 0
    (summary,) = text.splitlines()  # --show 0: only the count line
    assert summary.endswith(f"in 3600 s: cron 2, http {int(summary.split()[0]) - 2}")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["cron", "* * *"], "expected 5 fields"),
        (["cron", "*/0 * * * *"], "step '0'"),
        (["cron", "* * * * *", "--count", "0"], "--count must be at least 1"),
        (["cron", "* * * * *", "--after", "yesterday"], "expected an ISO 8601 time"),
        (["events", "--trigger", "ftp=1", "--until", "5"], "'ftp=1': unknown trigger type 'ftp'"),
        (["events", "--trigger", "http", "--until", "5"], "expected KIND=VALUE"),
        (["events", "--trigger", "http=fast", "--until", "5"], "http needs a rate"),
        (["events", "--trigger", "http=-1", "--until", "5"], "the rate must be a finite"),
        (["events", "--trigger", "queue=nan", "--until", "5"], "'queue=nan': the rate must"),
        (["events", "--trigger", "cron=61 * * * *", "--until", "5"], "'cron=61 * * * *': cron"),
        (["events", "--trigger", "storage=b", "--until", "5"], "storage triggers follow"),
        (["events", "--trigger", "http=1", "--until", "0"], "until (--until)"),
    ],
)
def test_cron_and_event_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = _run(["serverless", *argv])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("virtdocs: error: ") and message in err
    assert err.count("\n") == 1
