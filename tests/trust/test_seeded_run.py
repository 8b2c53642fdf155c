"""The seeded-defect runner end to end: a defect of each making, a real sandbox, the real suite."""

from __future__ import annotations

import pytest

from trust.seeded import run_defects


@pytest.mark.parametrize(
    ("name", "select", "category", "evidence"),
    [
        # On the wire: a plain sandbox with the defect proxy in front of it.
        (
            "quote_without_volume",
            "quote_for_a_listed_symbol",
            "contract drift",
            "does not match Quote",
        ),
        # A seam of the sandbox replaced at start.
        ("fill_not_notified", "fills_is_notified", "product defect", "notified 0 times"),
        # The sandbox built with other rules.
        ("amount_error_code", "deposit_of_amount_is_refused", "product defect", "INVALID_PRICE"),
    ],
)
def test_a_defect_is_caught_with_its_category(
    name: str, select: str, category: str, evidence: str
) -> None:
    # Narrowed to a few scenarios of the defect's area: a whole run per defect is what
    # `python -m trust defects` is for.
    (found,) = run_defects([name], workers="0", select=("-k", select), progress=str)
    assert found.caught
    assert found.categories.keys() == {category}
    assert found.ok
    assert evidence in found.first_failure
