"""Money conservation after a load: its rules on made-up readings, resolution on a real sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest

from framework.settings import Settings
from steps.domain.customers import Customer, new_password, unique_username
from steps.domain.session import Session
from steps.sandbox_process import SandboxProcess
from tests.trust.commands import ROOT
from trust.conservation import OPENED, Holdings, audit, check, read_holdings
from trust.ledger import Book, Ledger, OrderSeen, RecordingClient, Sent, known_outcome

BUY = OrderSeen(side="BUY", symbol="AAPL", quantity=2, status="FILLED", fill_price=19000)
SELL = OrderSeen(side="SELL", symbol="AAPL", quantity=1, status="FILLED", fill_price=19500)
WAITING = OrderSeen(side="BUY", symbol="MSFT", quantity=1, status="PENDING", fill_price=None)
START = Holdings(cash=100_000, buying_power=100_000)


def _book(**parts: object) -> Book:
    book = Book(username="alice")
    for name, value in parts.items():
        setattr(book, name, value)
    return book


def _after(**parts: object) -> Holdings:
    values: dict[str, object] = {
        "cash": 100_000 + 5_000 - 1_000 - 38_000 + 19_500,
        "buying_power": 85_500,
        "positions": {"AAPL": 1},
        "orders": {"ord_1": BUY, "ord_2": SELL},
        "payments": {"pay_1": ("DEPOSIT", 5_000), "pay_2": ("WITHDRAWAL", 1_000)},
    }
    values.update(parts)
    return Holdings(**values)  # type: ignore[arg-type]


def _traded() -> Book:
    return _book(
        orders={"ord_1": BUY, "ord_2": SELL},
        payments={"pay_1": ("DEPOSIT", 5_000), "pay_2": ("WITHDRAWAL", 1_000)},
        keys={"k1": ["ord_1"], "k2": ["ord_2"], "k3": ["pay_1"], "k4": ["pay_2"]},
    )


def test_an_account_whose_money_adds_up_holds() -> None:
    assert check(START, _traded(), _after()) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            {"cash": 100_000 + 5_000 - 1_000 + 19_500},
            "cash is 1,235.00, but the record gives 855.00",
        ),
        ({"positions": {"AAPL": 2}}, "positions are 2 AAPL, but the record gives 1 AAPL"),
        ({"orders": {"ord_1": BUY}}, "order ord_2 was acknowledged, but the account's history"),
        (
            {
                "payments": {
                    "pay_1": ("DEPOSIT", 5_000),
                    "pay_2": ("WITHDRAWAL", 1_000),
                    "pay_3": ("DEPOSIT", 5_000),
                }
            },
            "payment pay_3 is in the account's history, but the API never acknowledged it",
        ),
        (
            {
                "orders": {
                    "ord_1": BUY,
                    "ord_2": OrderSeen(
                        side="SELL", symbol="AAPL", quantity=1, status="CANCELLED", fill_price=None
                    ),
                }
            },
            "order ord_2 was acknowledged FILLED at 195.00, but its history shows it CANCELLED",
        ),
    ],
)
def test_each_way_money_goes_wrong_is_named(change: dict[str, object], problem: str) -> None:
    problems = check(START, _traded(), _after(**change))
    assert any(problem in each for each in problems), problems


def test_a_request_executed_twice_is_named_with_both_ids() -> None:
    book = _traded()
    book.keys["k1"] = ["ord_1", "ord_9"]
    assert "one request (key k1) was executed 2 times: ord_1, ord_9" in check(START, book, _after())


def test_negative_cash_and_buying_power_are_problems_of_their_own() -> None:
    book = _book(payments={"pay_1": ("WITHDRAWAL", 100_001)}, keys={"k": ["pay_1"]})
    after = Holdings(cash=-1, buying_power=-1, payments={"pay_1": ("WITHDRAWAL", 100_001)})
    problems = check(START, book, after)
    assert "cash is negative: -0.01" in problems
    assert "buying power is negative: -0.01" in problems


def test_an_order_acknowledged_waiting_counts_at_the_fill_its_history_shows() -> None:
    filled = OrderSeen(side="BUY", symbol="MSFT", quantity=1, status="FILLED", fill_price=30_000)
    book = _book(orders={"ord_5": WAITING}, keys={"k": ["ord_5"]})
    after = Holdings(
        cash=70_000, buying_power=70_000, positions={"MSFT": 1}, orders={"ord_5": filled}
    )
    assert check(START, book, after) == []
    still = Holdings(cash=100_000, buying_power=70_000, orders={"ord_5": WAITING})
    assert check(START, book, still) == []


def test_a_new_account_is_checked_against_the_contract_s_empty_account() -> None:
    book = _book(payments={"pay_1": ("DEPOSIT", 500)}, keys={"k": ["pay_1"]})
    after = Holdings(cash=500, buying_power=500, payments={"pay_1": ("DEPOSIT", 500)})
    assert check(OPENED, book, after) == []


def test_a_record_travels_between_processes_and_merges() -> None:
    first, second = _traded(), _book(orders={"ord_1": WAITING, "ord_3": WAITING})
    second.unknown["k9"] = Sent(method="POST", path="/orders", body="{}", key="k9")
    second.in_flight["k8"] = Sent(method="POST", path="/orders", body="{}", key="k8")
    ledger = Ledger(books={"alice": first})
    ledger.merge(Ledger.from_json(Ledger(books={"alice": second}).to_json()))
    merged = ledger.books["alice"]
    assert merged.orders["ord_1"] == BUY, "a fill is the later word over a waiting order"
    assert merged.orders["ord_3"] == WAITING
    assert {sent.key for sent in merged.unresolved()} == {"k8", "k9"}
    assert "password" not in repr(Book(username="bob", password="hunter2hunter2"))
    assert "hunter2" not in repr(Book(username="bob", password="hunter2hunter2"))


@pytest.mark.parametrize(
    ("status", "code", "known"),
    [
        (201, None, True),
        (422, "INSUFFICIENT_FUNDS", True),
        (None, None, False),
        (429, "RATE_LIMITED", False),
        (503, None, False),
        (409, "IDEMPOTENCY_KEY_IN_USE", False),
        (409, "ORDER_NOT_CANCELLABLE", True),
    ],
)
def test_what_counts_as_an_outcome_known(status: int | None, code: str | None, known: bool) -> None:
    assert known_outcome(status, code) is known


# -- against a real sandbox ----------------------------------------------------------------------

#: Attempts the test client makes: every one of them loses its answer.
ATTEMPTS = 3


@contextmanager
def _served(*command: str) -> Iterator[str]:
    process = SandboxProcess.start(project_root=ROOT, command=command or ("sandbox",))
    try:
        yield process.url
    finally:
        process.stop()


def _customer(url: str) -> tuple[Customer, RecordingClient]:
    settings = Settings(api_max_attempts=ATTEMPTS, api_backoff_base=0)
    username = unique_username("conserve")
    book = Book(username=username)
    client = RecordingClient(settings, base_url=url, book=book)
    session = Session(client=client, username=username, password=new_password())
    session.learn_secrets()
    customer = Customer(username, session, controls_allowed=True)
    customer.join()
    return customer, client


def _buy_with_every_answer_lost(customer: Customer) -> None:
    customer.sandbox.add_fault(
        method="POST", path="/orders", fault={"kind": "drop_response"}, times=ATTEMPTS
    ).check()
    with pytest.raises(Exception, match="no usable answer"):
        customer.orders.place(symbol="AAPL", side="BUY", quantity=1, order_type="MARKET")


def test_a_buy_whose_every_answer_was_lost_is_resolved_by_its_key_and_holds() -> None:
    with _served() as url:
        customer, client = _customer(url)
        before = read_holdings(customer)
        customer.fund(Decimal("1000.00"))
        _buy_with_every_answer_lost(customer)
        [unknown] = client.book.unresolved()
        assert unknown.path == "/orders"
        verdict = audit(before, client, customer)
    assert verdict.resolved == {unknown.key: "replayed"}
    assert verdict.held, verdict.problems
    [order] = client.book.orders.values()
    assert (order.side, order.status, order.fill_price) == ("BUY", "FILLED", 19000)


def test_the_same_buy_on_an_api_that_ignores_keys_fails_conservation() -> None:
    with _served("trust", "sandbox", "--defect", "idempotency_ignored") as url:
        customer, client = _customer(url)
        before = read_holdings(customer)
        customer.fund(Decimal("1000.00"))
        _buy_with_every_answer_lost(customer)
        verdict = audit(before, client, customer)
    assert not verdict.held
    executed = [p for p in verdict.problems if "the API never acknowledged it" in p]
    assert len(executed) == ATTEMPTS, verdict.problems
