"""The limits and constants of the trading rules: one immutable value the sandbox is built with.

The defaults are the contract's. The sandbox reads every limit below from the value it was
built with and from nowhere else, so a deployment (or a test) that needs other limits
builds the sandbox with other rules; nothing in the rules' code decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class Rules:
    """What the rules allow, in numbers (and the one error code a refusal of them carries)."""

    #: shares: the most one order may ask for
    max_quantity: int = 100_000
    #: cents: the most a customer may withdraw in one UTC day of their clock
    daily_withdrawal_limit: int = 5_000_000
    #: failed logins within `login_window` that lock a username
    login_failures_allowed: int = 5
    #: seconds: the login-throttling window
    login_window: int = 60
    #: seconds: the longest access a sign-in may ask for, and what it gets when it does not ask
    token_lifetime: int = 3600
    #: requests a token may send in one rate window (a limit set with the control wins)
    rate_limit: int = 600
    #: seconds: the rate limit's fixed window, from a token's first request in it
    rate_window: int = 60
    #: the error code of a payment amount that is not a valid amount
    amount_error_code: str = "INVALID_AMOUNT"


#: the contract's rules, which the sandbox serves unless it is built with others
CONTRACT = Rules()
