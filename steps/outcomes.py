"""Steps that read how the last action ended, whatever it was."""

from __future__ import annotations

from typing import Any

from pytest_bdd import parsers, then

from models.common import ErrorBody, ErrorCode
from steps.domain.outcome import Outcome
from steps.vocabulary import TYPES


@then(
    parsers.parse("the {action} is refused with reason {code:Code}", extra_types=TYPES),
    target_fixture="refusal",
)
def the_action_is_refused(outcome: Outcome[Any], action: str, code: ErrorCode) -> ErrorBody:
    """Then the order is refused with reason INSUFFICIENT_FUNDS

    The action names what was attempted (order, deposit, sign-in, account opening …);
    the reason is the contract's stable error code.
    """
    return outcome.refusal(action, code)


@then(parsers.parse("both {action}s are refused with reason {code:Code}", extra_types=TYPES))
def both_actions_are_refused(outcomes: list[Outcome[Any]], action: str, code: ErrorCode) -> None:
    """Then both account lookups are refused with reason ACCOUNT_NOT_FOUND"""
    assert len(outcomes) == 2, f"{len(outcomes)} {action}s were made, not two"
    for outcome in outcomes:
        outcome.refusal(action, code)


@then(parsers.parse("the {action} is accepted"))
def the_action_is_accepted(outcome: Outcome[Any], action: str) -> None:
    """Then the account opening is accepted"""
    outcome.about(action)
    outcome.expect_accepted()


@then(parsers.parse("the refusal names {text}"))
def the_refusal_names(refusal: ErrorBody, text: str) -> None:
    """And the refusal names msft"""
    assert text in refusal.message, f"the refusal {refusal.message!r} does not name {text}"
