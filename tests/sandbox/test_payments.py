"""Deposits, withdrawals, limits and notifications."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.conftest import Customer, assert_error, new_customer


def test_deposit_and_withdrawal(customer: Customer) -> None:
    deposit = customer.post(
        "/payments/deposits", json={"amount": 250.5, "method": "BANK_TRANSFER", "currency": "USD"}
    )
    assert deposit.status_code == 201
    body = deposit.json()
    assert body["payment_id"].startswith("pay_")
    assert (body["type"], body["amount"], body["currency"]) == ("DEPOSIT", 250.5, "USD")
    assert (body["method"], body["status"]) == ("BANK_TRANSFER", "COMPLETED")
    withdrawal = customer.post("/payments/withdrawals", json={"amount": 50.25, "method": "CARD"})
    assert withdrawal.status_code == 201
    assert withdrawal.json()["type"] == "WITHDRAWAL"
    assert customer.get("/account").json()["balance"] == 200.25
    assert customer.get(f"/payments/{body['payment_id']}").json() == body
    listed = customer.get("/payments").json()["items"]
    assert [p["type"] for p in listed] == ["WITHDRAWAL", "DEPOSIT"]
    notes = customer.get("/notifications").json()["items"]
    assert [(n["type"], n["reference_id"]) for n in notes] == [
        ("WITHDRAWAL_COMPLETED", withdrawal.json()["payment_id"]),
        ("DEPOSIT_COMPLETED", body["payment_id"]),
    ]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"amount": 0, "method": "CARD"}, "INVALID_AMOUNT", "amount"),
        ({"amount": -5, "method": "CARD"}, "INVALID_AMOUNT", "amount"),
        ({"amount": 1000000.01, "method": "CARD"}, "INVALID_AMOUNT", "amount"),
        ({"amount": 1.001, "method": "CARD"}, "INVALID_AMOUNT", "amount"),
        ({"amount": "10", "method": "CARD"}, "INVALID_AMOUNT", "amount"),
        ({"amount": True, "method": "CARD"}, "INVALID_AMOUNT", "amount"),
        ({"method": "CARD"}, "INVALID_AMOUNT", "amount"),
        ({"amount": 10, "method": "CASH"}, "INVALID_METHOD", "method"),
        ({"amount": 10}, "INVALID_METHOD", "method"),
        ({"amount": 10, "method": "CARD", "currency": "EUR"}, "CURRENCY_MISMATCH", "currency"),
        ({"amount": 10, "method": "CARD", "status": "FAILED"}, "UNKNOWN_FIELD", "status"),
    ],
)
@pytest.mark.parametrize("kind", ["deposits", "withdrawals"])
def test_payment_validation(
    customer: Customer, kind: str, body: dict[str, Any], code: str, field: str
) -> None:
    assert_error(customer.post(f"/payments/{kind}", json=body), 400, code, field)


def test_largest_deposit_is_allowed(customer: Customer) -> None:
    customer.deposit("1000000.00")
    assert customer.get("/account").json()["balance"] == 1000000


def test_currency_of_a_euro_account(base_url: str) -> None:
    customer = new_customer(base_url, currency="EUR")
    response = customer.post(
        "/payments/deposits", json={"amount": 10, "method": "CARD", "currency": "EUR"}
    )
    assert response.json()["currency"] == "EUR"
    response = customer.post(
        "/payments/deposits", json={"amount": 10, "method": "CARD", "currency": "USD"}
    )
    assert_error(response, 400, "CURRENCY_MISMATCH", "currency")


def test_withdrawal_needs_buying_power(customer: Customer) -> None:
    customer.deposit("1000")
    customer.order(symbol="AAPL", side="BUY", quantity=5, order_type="LIMIT", limit_price=150)
    response = customer.post("/payments/withdrawals", json={"amount": 250.01, "method": "CARD"})
    assert_error(response, 422, "INSUFFICIENT_FUNDS", "amount")
    ok = customer.post("/payments/withdrawals", json={"amount": 250, "method": "CARD"})
    assert ok.status_code == 201


def test_daily_withdrawal_limit(customer: Customer) -> None:
    customer.deposit("1000000")
    first = customer.post("/payments/withdrawals", json={"amount": 30000, "method": "CARD"})
    assert first.status_code == 201
    over = customer.post("/payments/withdrawals", json={"amount": 20000.01, "method": "CARD"})
    assert_error(over, 422, "LIMIT_EXCEEDED", "amount")
    exact = customer.post("/payments/withdrawals", json={"amount": 20000, "method": "CARD"})
    assert exact.status_code == 201
    more = customer.post("/payments/withdrawals", json={"amount": 0.01, "method": "CARD"})
    assert_error(more, 422, "LIMIT_EXCEEDED", "amount")


def test_limit_exceeded_wins_over_insufficient_funds(customer: Customer) -> None:
    customer.deposit("10")
    response = customer.post("/payments/withdrawals", json={"amount": 50000.01, "method": "CARD"})
    assert_error(response, 422, "LIMIT_EXCEEDED", "amount")


def test_payments_of_others_are_not_found(customer: Customer, other: Customer) -> None:
    payment = other.post("/payments/deposits", json={"amount": 1, "method": "CARD"}).json()
    assert_error(customer.get(f"/payments/{payment['payment_id']}"), 404, "PAYMENT_NOT_FOUND")
    assert customer.get("/payments").json()["items"] == []


def test_notifications_after(customer: Customer, other: Customer) -> None:
    for amount in ("1", "2", "3"):
        customer.deposit(amount)
    everything = customer.get("/notifications").json()["items"]
    assert len(everything) == 3
    oldest = everything[-1]["notification_id"]
    newer = customer.get("/notifications", params={"after": oldest}).json()
    assert [n["notification_id"] for n in newer["items"]] == [
        n["notification_id"] for n in everything[:2]
    ]
    paged = customer.get("/notifications", params={"after": oldest, "limit": 1}).json()
    assert paged["items"] == everything[:1]
    rest = customer.get(
        "/notifications", params={"after": oldest, "limit": 1, "cursor": paged["next_cursor"]}
    ).json()
    assert rest["items"] == everything[1:2]
    assert rest["next_cursor"] is None
    newest = everything[0]["notification_id"]
    assert customer.get("/notifications", params={"after": newest}).json()["items"] == []
    response = customer.get("/notifications", params={"after": "ntf_unknown"})
    assert_error(response, 400, "INVALID_PAGINATION", "after")
    response = other.get("/notifications", params={"after": oldest})
    assert_error(response, 400, "INVALID_PAGINATION", "after")
