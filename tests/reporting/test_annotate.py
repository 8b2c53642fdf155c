"""GitHub annotations from the JUnit XML of a real pytest-bdd run."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporting.annotate import MAX_ANNOTATIONS, Failure, annotation, failures, main


def test_every_failed_or_broken_scenario_is_found(junit_xml: Path) -> None:
    found = failures(junit_xml.read_text(encoding="utf-8"))
    by_test = {failure.test.rsplit(".", 1)[-1]: failure for failure in found}
    assert len(found) == 5
    drift = by_test["test_a_price_returned_as_text_is_contract_drift"]
    assert drift.kind == "failure"
    assert drift.message.startswith("test_orders.ContractViolation: [contract drift] limit_price")
    assert "test_a_limit_order_within_buying_power_is_accepted" not in by_test


def test_annotations_escape_what_would_end_the_command() -> None:
    failure = Failure(test="tests.a::b, c", kind="error", message="50% done\r\nthen: broke")
    assert annotation(failure) == (
        "::error title=error%3A tests.a%3A%3Ab%2C c::50%25 done%0D%0Athen: broke"
    )


def test_annotations_stop_at_githubs_limit(
    junit_xml: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copies = [junit_xml] * 3
    assert main([str(path) for path in copies]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == MAX_ANNOTATIONS + 1
    assert all(line.startswith("::error title=") for line in lines[:MAX_ANNOTATIONS])
    assert lines[-1] == f"{15 - MAX_ANNOTATIONS} more failures: see the HTML report"


def test_unreadable_input_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text("<testsuites><testcase", encoding="utf-8")
    assert main([str(broken)]) == 1
    assert capsys.readouterr().err.startswith(f"error: cannot read JUnit XML {broken}: ")
