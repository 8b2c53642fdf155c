"""Latency: nearest-rank percentiles, per-attempt samples, budget parsing and the gate."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from framework.client import Exchange
from framework.exchange import Attempt
from framework.redaction import Redactor
from framework.transport import Transport
from tests.trust.commands import ROOT, python_module, write_run
from trust.coverage import Call, Operation, api_call
from trust.latency import (
    LATENCY_FILE,
    BudgetError,
    Budgets,
    Judgement,
    Latency,
    judge,
    parse_budgets,
    percentile,
)

KNOWN = ("GET /orders", "POST /orders")
OPERATIONS = [Operation.parse(key) for key in KNOWN]


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([7.0], 50, 7.0),
        ([7.0], 95, 7.0),
        ([1.0, 2.0], 50, 1.0),
        ([3.0, 1.0, 2.0, 4.0], 50, 2.0),
        ([float(v) for v in range(1, 21)], 95, 19.0),  # ceil(0.95 * 20) = 19th
        ([float(v) for v in range(1, 11)], 95, 10.0),  # ceil(9.5) = 10th: the maximum
        ([float(v) for v in range(1, 101)], 95, 95.0),
        ([float(v) for v in range(1, 101)], 100, 100.0),
    ],
)
def test_percentiles_are_nearest_rank(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == expected


@pytest.mark.parametrize(("values", "q"), [([], 50), ([1.0], 0), ([1.0], 101)])
def test_a_percentile_of_nothing_or_out_of_range_is_refused(values: list[float], q: float) -> None:
    with pytest.raises(ValueError, match=r"no values|q must be"):
        percentile(values, q)


def test_an_attempts_duration_leaves_out_the_wait_before_it() -> None:
    base = "http://127.0.0.1:9/api"
    prepared = requests.Request("GET", f"{base}/orders/ord_1?fields=all").prepare()
    attempts = (
        # Attempt 1 ends 10 ms in, then waits 0.5 s; attempt 2 (no answer) ends at 520 ms,
        # then waits 1 s; attempt 3 ends at 1,550 ms: 10, 10 and 30 ms of the server's time.
        Attempt(
            number=1,
            outcome="503 Service Unavailable",
            reason="",
            wait_seconds=0.5,
            elapsed_seconds=0.010,
        ),
        Attempt(
            number=2,
            outcome="ReadError: connection aborted",
            reason="",
            wait_seconds=1.0,
            elapsed_seconds=0.520,
        ),
        Attempt(number=3, outcome="200 OK", reason="", wait_seconds=0.0, elapsed_seconds=1.550),
    )
    exchange = Exchange(
        prepared=prepared,
        response=None,
        attempts=attempts,
        duration_seconds=1.55,
        request_id="r",
        redactor=Redactor([]),
        transport=Transport(base_url=base, redactor=Redactor([])),
    )
    call = api_call(exchange, "/api")
    assert (call.method, call.path) == ("GET", "/orders/ord_1")
    assert [status for status, _ in call.attempts] == [503, None, 200]
    assert [round(seconds, 6) for _, seconds in call.attempts] == [0.010, 0.010, 0.030]


def test_each_answered_attempt_is_one_sample_under_its_operation() -> None:
    latency = Latency.measure(
        OPERATIONS,
        [
            Call(method="POST", path="/orders", attempts=((503, 0.004), (201, 0.012))),
            Call(method="POST", path="/orders", attempts=((None, 5.0), (201, 0.010))),
            Call(method="GET", path="/nowhere", attempts=((404, 0.002),)),
        ],
    )
    assert latency.samples == {"POST /orders": (4.0, 12.0, 10.0)}
    (stats,) = latency.stats()
    assert (stats.count, stats.p50, stats.p95, stats.max) == (3, 10.0, 12.0, 12.0)
    assert Latency.from_json(latency.to_json()) == latency
    merged = latency.merged(latency)
    assert merged.stats()[0].count == 6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[p95_ms]\ndefault = 250\n", Budgets(default=250.0)),
        (
            'min_samples = 5\n[p95_ms]\ndefault = 250\n"POST /orders" = 400.5\n',
            Budgets(default=250.0, operations={"POST /orders": 400.5}, min_samples=5),
        ),
        (
            '[p95_ms]\ndefault = 1\n"get /orders" = 2\n',
            Budgets(default=1.0, operations={"GET /orders": 2.0}),
        ),
    ],
)
def test_budgets_are_read(text: str, expected: Budgets) -> None:
    assert parse_budgets(text, source="b.toml", known=KNOWN) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[p95_ms\n", "b.toml is not valid TOML: .*line 1"),
        ("default = 250\n", "unknown setting 'default'; expected a \\[p95_ms\\] table"),
        ("[p95_ms]\n'POST /orders' = 1\n", "needs a \\[p95_ms\\] table with a default"),
        ("[p95_ms]\ndefault = 0\n", "default must be a positive number of milliseconds, not 0"),
        ("[p95_ms]\ndefault = -5\n", "positive number"),
        ("[p95_ms]\ndefault = '250'\n", "positive number"),
        ("[p95_ms]\ndefault = true\n", "positive number"),
        ("[p95_ms]\ndefault = 1\n'POST /orders' = 0\n", "'POST /orders' must be a positive"),
        ("[p95_ms]\ndefault = 1\n'POST /order' = 9\n", "did you mean 'POST /orders'"),
        ("[p95_ms]\ndefault = 1\n'orders' = 9\n", "not an operation: expected 'METHOD /path'"),
        ("min_samples = 0\n[p95_ms]\ndefault = 1\n", "min_samples must be a whole number"),
        ("p95 = 3\n[p95_ms]\ndefault = 1\n", "unknown setting 'p95'"),
    ],
)
def test_a_bad_budgets_file_is_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(BudgetError, match=message) as caught:
        parse_budgets(text, source="b.toml", known=KNOWN)
    assert "\n" not in str(caught.value)


def _latency(samples: dict[str, tuple[float, ...]]) -> Latency:
    return Latency(operations=KNOWN, samples=samples)


@pytest.mark.parametrize(
    ("samples", "budgets", "expected"),
    [
        ({"GET /orders": (10.0,) * 20}, Budgets(default=10.0), [Judgement.WITHIN]),
        ({"GET /orders": (10.0,) * 19 + (99.0,)}, Budgets(default=10.0), [Judgement.WITHIN]),
        ({"GET /orders": (10.0,) * 18 + (99.0,) * 2}, Budgets(default=10.0), [Judgement.OVER]),
        (
            {"GET /orders": (50.0,) * 5, "POST /orders": (50.0,) * 5},
            Budgets(default=40.0, operations={"POST /orders": 60.0}),
            [Judgement.OVER, Judgement.WITHIN],
        ),
        ({"GET /orders": (99.0,) * 3}, Budgets(default=1.0, min_samples=5), [Judgement.FEW]),
    ],
)
def test_the_gate_judges_each_operation_by_its_p95(
    samples: dict[str, tuple[float, ...]], budgets: Budgets, expected: list[Judgement]
) -> None:
    assert [v.judgement for v in judge(_latency(samples), budgets)] == expected


def test_the_gate_command_exits_by_its_verdict(tmp_path: Path) -> None:
    write_run(
        tmp_path,
        {
            LATENCY_FILE: _latency(
                {"GET /orders": (5.0,) * 10, "POST /orders": (300.0,) * 10}
            ).to_json()
        },
    )
    budgets = tmp_path / "budgets.toml"
    budgets.write_text('[p95_ms]\ndefault = 100\n"POST /orders" = 500\n', encoding="utf-8")
    args = ("trust", "latency-gate", "--results", str(tmp_path), "--budgets", str(budgets))
    within = python_module(*args)
    assert within.returncode == 0, within.stderr
    assert "all 2 judged operations within their p95 budget" in within.stdout
    budgets.write_text("[p95_ms]\ndefault = 100\n", encoding="utf-8")
    over = python_module(*args)
    assert over.returncode == 1
    assert "OVER BUDGET" in over.stdout
    assert "performance finding: 1 of 2 judged operations over their p95 budget" in over.stdout
    budgets.write_text('[p95_ms]\ndefault = 100\n"PUT /orders" = 1\n', encoding="utf-8")
    unknown = python_module(*args)
    assert unknown.returncode == 2
    assert unknown.stderr.count("\n") == 1
    assert "'PUT /orders' is not an operation of the API's document" in unknown.stderr


def test_the_projects_budgets_file_is_valid() -> None:
    budgets = parse_budgets(
        (ROOT / "latency-budgets.toml").read_text(encoding="utf-8"), source="latency-budgets.toml"
    )
    assert budgets.default > 0


def test_the_gate_refuses_data_that_is_not_the_folders_last_runs(tmp_path: Path) -> None:
    data = _latency({"GET /orders": (5.0,) * 10}).to_json()
    budgets = tmp_path / "budgets.toml"
    budgets.write_text("[p95_ms]\ndefault = 100\n", encoding="utf-8")
    args = ("trust", "latency-gate", "--results", str(tmp_path), "--budgets", str(budgets))
    write_run(tmp_path, {LATENCY_FILE: data})
    assert python_module(*args).returncode == 0
    write_run(tmp_path / "other", {LATENCY_FILE: data})
    (tmp_path / "other" / LATENCY_FILE).replace(tmp_path / LATENCY_FILE)
    another = python_module(*args)
    assert another.returncode == 2
    assert f"{tmp_path / LATENCY_FILE} is from another run" in another.stderr
    (tmp_path / LATENCY_FILE).write_text(data, encoding="utf-8")
    assert "from another run (an older version of the suite)" in python_module(*args).stderr
    (tmp_path / "summary.json").unlink()
    unrecorded = python_module(*args)
    assert unrecorded.returncode == 2
    assert "has no run record (summary.json) beside it" in unrecorded.stderr
    assert unrecorded.stderr.count("\n") == 1
