"""The speed benchmark's arithmetic, its section of the document, and its workflow's two sides."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from steps.sandbox_process import SandboxProcess
from trust import speed
from trust.suite import SuiteRun

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run(
    seconds: float, *, asked: float = 0.0, backoff: float = 0.0, delays: float = 0.0
) -> SuiteRun:
    return SuiteRun(
        exit_code=0,
        wall_seconds=seconds,
        executed=10,
        passed=10,
        skipped=0,
        failures=(),
        client={"requests": 603, "attempts": 603},
        server={"delay_seconds": delays},
        waits={"asked": asked, "backoff": backoff},
    )


def a_round(*, chaos: float = 26.0, clean: float = 20.0) -> speed.Round:
    runs = {
        speed.WORKFLOW_SUITE: run(1.2),
        speed.SUITE_N0: run(clean, asked=1.0, delays=9.0),
        speed.SUITE_N2: run(12.5),
        speed.SUITE_AUTO: run(11.0),
        speed.SUITE_CHAOS: run(chaos, asked=3.0, backoff=2.0, delays=12.0),
    }
    seconds = {name: r.wall_seconds for name, r in runs.items()}
    seconds |= {speed.WORKFLOW_FLOOR: 1.0, speed.ONE_SCENARIO: 1.4}
    return speed.Round(seconds=seconds, runs=runs, load=2.0)


def test_the_time_beyond_the_waits_the_server_asked_for_leaves_those_waits_out() -> None:
    # 6 s more under chaos, of which 5 s more asked for (2 s Retry-After, 3 s delays).
    assert a_round().beyond_asked() == pytest.approx(1.0)
    assert a_round().asked(speed.SUITE_CHAOS) == 15.0
    assert a_round().backoff(speed.SUITE_CHAOS) == 2.0


def test_each_target_is_judged_on_the_median_of_the_rounds() -> None:
    section = speed.render([a_round(), a_round(chaos=30.0), a_round()], load=(1.0, 1.0, 1.0))
    rows: dict[str, str] = {}
    for line in section.splitlines():  # the targets' table comes first
        rows.setdefault(line.split(" | ")[0].lstrip("| "), line)
    assert rows["one scenario, edit to verdict"].endswith("| ≤ 1.5 s | yes |")
    assert rows["-n 2 speed-up over -n 0 (time -n 0 / time -n 2)"].endswith("| ≥ 1.6 × | yes |")
    assert rows["workflow through the suite / bare requests floor"].endswith("| ≤ 1.5 × | yes |")
    chaos = rows["10 % chaos: time beyond the waits the server asked for / clean -n 0"]
    assert "| 0.050, 0.250, 0.050 | 0.050 × | ≤ 0.1 × | yes |" in chaos
    assert section.startswith(speed.BEGIN)
    assert section.endswith(speed.END)


def test_a_target_missed_says_no() -> None:
    section = speed.render([a_round(clean=10.0)], load=(1.0, 1.0, 1.0))
    assert re.search(r"\| 10 % chaos: .* \| no \|", section)


def feature_rows() -> list[tuple[str, int]]:
    text = (PROJECT_ROOT / "benchmarks" / "workflow" / "workflow.feature").read_text()
    rows = re.findall(r"^\s*\|\s*(\d+)\s*\|\s*([A-Z]+)\s*\|\s*(\d+)\s*\|$", text, re.MULTILINE)
    return [(symbol, int(quantity)) for _, symbol, quantity in rows]


def test_the_floor_buys_what_the_workflow_buys_row_for_row() -> None:
    expected = [
        (speed.SYMBOLS[row % len(speed.SYMBOLS)], row % len(speed.SYMBOLS) + 1)
        for row in range(speed.WORKFLOW_ROWS)
    ]
    assert feature_rows() == expected


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    sandbox = SandboxProcess.start(project_root=PROJECT_ROOT)
    yield sandbox.url
    sandbox.stop()


def test_the_floor_sends_its_requests_and_checks_every_answer(sandbox_url: str) -> None:
    assert speed.workflow_floor(sandbox_url, rows=3) > 0


def test_an_answer_the_floor_did_not_expect_stops_it_saying_which(sandbox_url: str) -> None:
    with pytest.raises(RuntimeError, match=r"the floor's POST /accounts answered 404"):
        speed.workflow_floor(sandbox_url + "/elsewhere", rows=1)
