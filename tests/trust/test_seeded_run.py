"""The seeded-defect runner end to end: one defect, a real sandbox, the real suite."""

from __future__ import annotations

from trust.seeded import run_defects


def test_a_drifted_quote_is_caught_as_contract_drift() -> None:
    # Narrowed to the market-data scenarios, which all read quotes, and stopped after a few
    # failures: a whole run per defect is what `python -m trust defects` is for.
    (found,) = run_defects(
        ["quote_without_volume"], workers="0", select=("-m", "market_data"), progress=str
    )
    assert found.caught
    assert found.categories.keys() == {"contract drift"}
    assert found.ok
    assert "does not match Quote" in found.first_failure
