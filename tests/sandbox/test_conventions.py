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


def test_a_member_name_given_twice_is_invalid_json(customer: Customer) -> None:
    # Python's parser would keep the last one: a deposit of 999,999.00.
    raw = b'{"amount":10,"amount":999999,"method":"CARD"}'
    body = assert_error(customer.post("/payments/deposits", data=raw), 400, "INVALID_JSON")
    assert '"amount"' in body["message"], body
    nested = b'{"method":"GET","path":"/market/*","fault":{"kind":"delay","ms":1,"kind":"reset"}}'
    assert_error(customer.post("/_sandbox/faults", data=nested), 400, "INVALID_JSON")
    assert customer.get("/account").json()["balance"] == 0
    assert customer.get("/payments").json()["items"] == []
    assert customer.get("/_sandbox/faults").json()["items"] == []


def test_a_lone_surrogate_escape_is_invalid_json_everywhere(
    customer: Customer, base_url: str
) -> None:
    lone = "\\ud800"
    for path, raw in (
        ("/auth/token", f'{{"username":"{lone}","password":"x"}}'),
        ("/auth/token", f'{{"username":"{customer.username}","password":"a{lone}"}}'),
        ("/auth/token", f'{{"{lone}":"x","username":"{customer.username}","password":"x"}}'),
        ("/accounts", f'{{"username":"{lone}","password":"correct horse battery"}}'),
        ("/accounts", '{"username":"u_ok_name","password":"correct horse \\udfff battery"}'),
    ):
        response = requests.post(base_url + path, data=raw, timeout=REQUEST_TIMEOUT)
        body = assert_error(response, 400, "INVALID_JSON")
        assert "surrogate" in body["message"], body
    for path, raw in (
        ("/payments/deposits", f'{{"amount":10,"method":"CARD{lone}"}}'),
        ("/orders", f'{{"symbol":"AAPL{lone}","side":"BUY","quantity":1,"order_type":"MARKET"}}'),
        ("/_sandbox/faults", f'{{"method":"*","path":"/x{lone}","fault":{{"kind":"reset"}}}}'),
    ):
        assert_error(customer.post(path, data=raw), 400, "INVALID_JSON")


def test_a_surrogate_pair_is_valid_text(base_url: str) -> None:
    # An escaped pair is one character (U+1F600): read as text, then judged by the rules.
    raw = '{"username":"\\ud83d\\ude00","password":"correct horse battery"}'
    response = requests.post(base_url + "/accounts", data=raw, timeout=REQUEST_TIMEOUT)
    assert_error(response, 400, "INVALID_USERNAME", "username")
    response = requests.post(base_url + "/auth/token", data=raw, timeout=REQUEST_TIMEOUT)
    assert_error(response, 401, "INVALID_CREDENTIALS")


def test_a_query_parameter_given_twice_answers_its_own_code(customer: Customer) -> None:
    customer.deposit("1")
    cursor = customer.get("/payments", params={"limit": 1}).json()["next_cursor"]
    for path, query, code, name in (
        ("/market", "symbols=AAPL&symbols=MSFT", "INVALID_SYMBOL", "symbols"),
        ("/market", "symbols=AAPL&symbols=AAPL", "INVALID_SYMBOL", "symbols"),
        ("/orders", "status=PENDING&status=FILLED", "INVALID_STATUS", "status"),
        ("/orders", "limit=1&limit=2", "INVALID_PAGINATION", "limit"),
        ("/payments", f"cursor={cursor}&cursor={cursor}", "INVALID_PAGINATION", "cursor"),
        ("/notifications", "after=ntf_a&after=ntf_b", "INVALID_PAGINATION", "after"),
        ("/notifications", "limit=5&limit=5", "INVALID_PAGINATION", "limit"),
    ):
        body = assert_error(customer.get(f"{path}?{query}"), 400, code, name)
        assert "more than once" in body["message"], body
    # A parameter the operation does not read is ignored, repeated or not.
    response = customer.get("/market?symbols=AAPL&colour=red&colour=blue")
    assert response.status_code == 200, response.text


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
