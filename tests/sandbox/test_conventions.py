"""Conventions every operation follows: JSON bodies, errors, request ids, pagination."""

from __future__ import annotations

import socket

import requests

from tests.sandbox.conftest import REQUEST_TIMEOUT, Customer, assert_error


def test_health_needs_no_token(base_url: str) -> None:
    response = requests.get(base_url + "/health", timeout=REQUEST_TIMEOUT)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert isinstance(body["version"], str)


def test_request_id_is_echoed_or_generated(base_url: str) -> None:
    echoed = requests.get(
        base_url + "/health", headers={"X-Request-ID": "trace-123"}, timeout=REQUEST_TIMEOUT
    )
    assert echoed.headers["X-Request-ID"] == "trace-123"
    first = requests.get(base_url + "/health", timeout=REQUEST_TIMEOUT)
    second = requests.get(base_url + "/health", timeout=REQUEST_TIMEOUT)
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_error_request_id_matches_the_header(customer: Customer) -> None:
    response = customer.get("/orders/ord_nope", headers={"X-Request-ID": "abc-1"})
    body = assert_error(response, 404, "ORDER_NOT_FOUND")
    assert body["request_id"] == "abc-1"


def test_unknown_path_and_method_answer_the_error_shape(base_url: str) -> None:
    assert_error(requests.get(base_url + "/nowhere", timeout=REQUEST_TIMEOUT), 404, "NOT_FOUND")
    response = requests.patch(base_url + "/account", timeout=REQUEST_TIMEOUT)
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["Allow"]


def test_body_that_is_not_a_json_object_is_invalid_json(customer: Customer) -> None:
    for raw in ("", "{", "[1, 2]", "42", "null", '{"amount": NaN}', "\xff"):
        response = customer.post("/payments/deposits", data=raw.encode("latin-1"))
        assert_error(response, 400, "INVALID_JSON")


def test_unknown_fields_are_rejected(customer: Customer) -> None:
    for field in ("status", "balance", "fill_price", "account_id"):
        response = customer.order(
            symbol="AAPL", side="BUY", quantity=1, order_type="MARKET", **{field: "x"}
        )
        assert_error(response, 400, "UNKNOWN_FIELD", field)
    response = customer.post(
        "/payments/deposits", json={"amount": 10, "method": "CARD", "balance": 1000000}
    )
    assert_error(response, 400, "UNKNOWN_FIELD", "balance")
    assert customer.get("/account").json()["balance"] == 0


def test_money_is_exact_and_has_two_decimals(customer: Customer) -> None:
    customer.deposit("0.1")
    customer.deposit("0.2")
    account = customer.get("/account")
    assert '"balance":0.30' in account.text
    assert account.json()["balance"] == 0.3


def test_lists_are_paginated_newest_first_with_opaque_cursors(customer: Customer) -> None:
    for amount in range(1, 6):
        customer.deposit(str(amount))
    seen: list[float] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = customer.get("/payments", params=params).json()
        assert len(page["items"]) <= 2
        seen += [item["amount"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [5, 4, 3, 2, 1]
    whole = customer.get("/payments").json()
    assert [item["amount"] for item in whole["items"]] == [5, 4, 3, 2, 1]
    assert whole["next_cursor"] is None


def test_bad_pagination_is_rejected(customer: Customer) -> None:
    for params in ({"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"limit": "1.5"}):
        assert_error(customer.get("/payments", params=params), 400, "INVALID_PAGINATION", "limit")
    assert_error(
        customer.get("/orders", params={"cursor": "garbage!"}), 400, "INVALID_PAGINATION", "cursor"
    )
    customer.deposit("1")
    customer.deposit("2")
    payments_cursor = customer.get("/payments", params={"limit": 1}).json()["next_cursor"]
    response = customer.get("/orders", params={"cursor": payments_cursor})
    assert_error(response, 400, "INVALID_PAGINATION", "cursor")


def test_every_operation_is_documented(base_url: str) -> None:
    document = requests.get(base_url + "/openapi.json", timeout=REQUEST_TIMEOUT).json()
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert {
        ("POST", "/accounts"),
        ("POST", "/auth/token"),
        ("DELETE", "/auth/token"),
        ("GET", "/account"),
        ("GET", "/accounts/{account_id}"),
        ("GET", "/market/{symbol}"),
        ("GET", "/market"),
        ("POST", "/orders"),
        ("GET", "/orders/{order_id}"),
        ("GET", "/orders"),
        ("DELETE", "/orders/{order_id}"),
        ("POST", "/payments/deposits"),
        ("POST", "/payments/withdrawals"),
        ("GET", "/payments/{payment_id}"),
        ("GET", "/payments"),
        ("GET", "/notifications"),
        ("GET", "/health"),
        ("PUT", "/_sandbox/market/{symbol}"),
        ("POST", "/_sandbox/faults"),
        ("GET", "/_sandbox/faults"),
        ("DELETE", "/_sandbox/faults"),
        ("PUT", "/_sandbox/clock"),
        ("PUT", "/_sandbox/rate-limit"),
    } == operations
    orders = document["paths"]["/orders"]["post"]
    assert {"201", "400", "401", "404", "422", "429", "5XX"} <= set(orders["responses"])
    assert not {"500", "502", "503", "504"} & set(orders["responses"])
    assert "Error" in document["components"]["schemas"]
    docs = requests.get(base_url + "/docs", timeout=REQUEST_TIMEOUT)
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_connections_are_kept_alive(base_url: str) -> None:
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    request = f"GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    with socket.create_connection((host, int(port)), timeout=REQUEST_TIMEOUT) as sock:
        for _ in range(3):
            sock.sendall(request)
            received = b""
            while b'"ok"' not in received:
                chunk = sock.recv(65536)
                assert chunk, "the server closed a keep-alive connection"
                received += chunk
            assert received.startswith(b"HTTP/1.1 200 ")
