"""The whole client against a real local server: retries, contracts, redaction, listeners."""

from __future__ import annotations

import json
import logging
import socket
import time
from decimal import Decimal

import pytest
from pydantic import BaseModel

from framework.client import ApiClient, Exchange, encode_json
from framework.errors import (
    BudgetSpent,
    ConfigurationError,
    ConnectError,
    ContractViolation,
    FailureCategory,
    ReadError,
    RetriesExhausted,
    UnexpectedStatus,
)
from framework.expected import ErrorCodes
from framework.redaction import REDACTED
from framework.retry import RetryPolicy
from framework.settings import Settings
from tests.framework.conftest import FAST_POLICY
from tests.framework.local_server import LocalServer, Reply, Reset


class Thing(BaseModel):
    name: str
    price: Decimal


class ErrorBody(BaseModel):
    code: str
    message: str


def test_429_then_200_is_retried_honouring_retry_after(
    server: LocalServer, client: ApiClient
) -> None:
    server.script(Reply(status=429, headers={"Retry-After": "0"}, body={"code": "SLOW"}))
    response = client.request("GET", "/things")
    assert response.status == 200
    assert len(server.received) == 2
    assert [a.outcome for a in response.attempts] == ["429 Too Many Requests", "200 OK"]
    assert "Retry-After 0 s" in response.attempts[0].reason


def test_503_then_200_is_retried(server: LocalServer, client: ApiClient) -> None:
    server.script(Reply(status=503))
    assert client.request("GET", "/things").status == 200
    assert len(server.received) == 2


def test_500_is_not_retried(server: LocalServer, client: ApiClient) -> None:
    server.script(Reply(status=500, body={"code": "BOOM", "message": "stack trace here"}))
    with pytest.raises(UnexpectedStatus) as caught:
        client.request("GET", "/things", expect={200: None})
    assert len(server.received) == 1
    assert caught.value.status == 500
    assert "stack trace here" in str(caught.value)  # the error body is shown


def test_500_is_retried_when_configured(server: LocalServer) -> None:
    server.script(Reply(status=500))
    policy = RetryPolicy(max_attempts=2, backoff_base=0.001, retry_server_errors=True)
    with ApiClient(Settings(), base_url=server.url, policy=policy) as api:
        assert api.request("GET", "/things").status == 200


def test_404_is_not_retried(server: LocalServer, client: ApiClient) -> None:
    server.script(Reply(status=404, body={"code": "NOT_FOUND", "message": "no such thing"}))
    with pytest.raises(UnexpectedStatus, match="answered 404 Not Found; expected 200"):
        client.request("GET", "/things/1", expect={200: Thing})
    assert len(server.received) == 1


def test_an_expected_429_is_returned_not_retried(server: LocalServer, client: ApiClient) -> None:
    server.script(
        Reply(status=429, headers={"Retry-After": "0"}, body={"code": "SLOW", "message": "m"})
    )
    response = client.request("GET", "/things", expect={200: None, 429: ErrorBody})
    assert response.status == 429
    assert isinstance(response.model, ErrorBody)
    assert response.model.code == "SLOW"
    assert len(server.received) == 1


def _read_code(body: bytes) -> str | None:
    try:
        code = json.loads(body).get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, str) else None


#: The error codes of a made-up API: its contract's status for each.
CODES = ErrorCodes(
    read=_read_code,
    statuses={
        "SLOW": frozenset({429}),
        "NO_FUNDS": frozenset({422}),
        "BAD_NAME": frozenset({400}),
        "OOPS": frozenset({429, 503}),
    },
    model=ErrorBody,
)

GATEWAY_PAGE = b"<html><body><h1>429 Too Many Requests</h1><hr>gateway</body></html>"


def test_a_named_refusal_is_returned_and_its_body_checked(
    server: LocalServer, client: ApiClient
) -> None:
    server.script(
        Reply(status=429, headers={"Retry-After": "0"}, body={"code": "SLOW", "message": "m"})
    )
    response = client.request(
        "GET", "/things", expect={200: Thing}, refusals={(429, "SLOW")}, codes=CODES
    )
    assert (response.status, response.model) == (429, ErrorBody(code="SLOW", message="m"))
    assert len(server.received) == 1
    assert response.attempts[0].reason == "429 SLOW is a refusal the caller expects"


@pytest.mark.parametrize(
    "gateway",
    [
        pytest.param(Reply(status=429, body=GATEWAY_PAGE), id="html"),
        pytest.param(Reply(status=429, headers={"Retry-After": "0"}, body=b""), id="empty"),
        pytest.param(Reply(status=429, body={"message": "API rate limit exceeded"}), id="no-code"),
        pytest.param(Reply(status=429, body={"code": "OOPS", "message": "m"}), id="another-code"),
    ],
)
def test_a_429_that_is_not_the_named_refusal_is_waited_out(
    server: LocalServer, client: ApiClient, gateway: Reply
) -> None:
    server.script(gateway, Reply(status=201))
    response = client.request(
        "POST", "/orders", json={}, expect={201: None}, refusals={(429, "SLOW")}, codes=CODES
    )
    assert (response.status, len(server.received)) == (201, 2)
    assert response.attempts[0].reason.startswith("retried: rate limited")


def test_a_known_code_with_another_status_is_contract_drift(
    server: LocalServer, client: ApiClient
) -> None:
    server.script(Reply(status=400, body={"code": "NO_FUNDS", "message": "m"}))
    failure = _order_failure(client, {(422, "NO_FUNDS"), (400, "BAD_NAME")})
    assert failure.category is FailureCategory.CONTRACT_DRIFT
    assert (failure.status, failure.code) == (400, "NO_FUNDS")
    assert failure.summary.endswith(
        "answered 400 Bad Request NO_FUNDS, but the contract gives NO_FUNDS the status 422:"
        " contract drift"
    )
    assert "Expected: 201, or refused with 400 BAD_NAME, 422 NO_FUNDS" in str(failure)
    assert len(server.received) == 1


def _order_failure(client: ApiClient, refusals: set[tuple[int, str]]) -> UnexpectedStatus:
    """The failure of an order whose answer is not one of ``refusals`` (nor a 201)."""
    with pytest.raises(UnexpectedStatus) as caught:
        client.request(
            "POST", "/orders", json={}, expect={201: None}, refusals=refusals, codes=CODES
        )
    return caught.value


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        pytest.param(
            Reply(status=400, body={"code": "BAD_NAME", "message": "m"}),
            "BAD_NAME",
            id="a-code-not-named",
        ),
        pytest.param(
            Reply(status=400, body={"code": "NEW_CODE", "message": "m"}),
            "NEW_CODE",
            id="unknown-code",
        ),
        pytest.param(Reply(status=400, body=b"<html>oops</html>"), None, id="no-code"),
    ],
)
def test_an_answer_not_asked_for_that_keeps_the_contract_is_a_product_defect(
    server: LocalServer, client: ApiClient, reply: Reply, code: str | None
) -> None:
    server.script(reply)
    failure = _order_failure(client, {(422, "NO_FUNDS")})
    assert (failure.category, failure.code) == (FailureCategory.PRODUCT_DEFECT, code)
    assert "expected 201 or one of 1 refusal (below)" in failure.summary
    assert "Expected: 201, or refused with 422 NO_FUNDS" in str(failure)


def test_content_is_sent_as_the_json_body_exactly_as_given(
    server: LocalServer, client: ApiClient
) -> None:
    raw = b'{"amount":10,"amount":999999}  '
    client.request("POST", "/things", content=raw)
    (received,) = server.received
    assert received.body == raw
    assert received.headers["content-type"] == "application/json"
    with pytest.raises(ConfigurationError, match="json or content"):
        client.request("POST", "/things", json={}, content=raw)


def test_refusals_need_the_hook_that_reads_codes(client: ApiClient) -> None:
    with pytest.raises(ConfigurationError, match="ErrorCodes"):
        client.request("GET", "/things", refusals={(404, "GONE")})


def test_post_is_not_resent_after_a_read_error_without_a_key(
    server: LocalServer, client: ApiClient
) -> None:
    server.script(Reset())
    with pytest.raises(ReadError):
        client.request("POST", "/things", json={"name": "a"}, idempotency_key=False)
    assert len(server.received) == 1
    assert "idempotency-key" not in server.received[0].headers


def test_post_is_resent_with_the_same_key_after_a_read_error(
    server: LocalServer, client: ApiClient
) -> None:
    server.script(Reset())
    response = client.request("POST", "/things", json={"name": "a"})
    assert response.status == 200
    keys = {request.headers["idempotency-key"] for request in server.received}
    request_ids = {request.headers["x-request-id"] for request in server.received}
    assert len(server.received) == 2
    assert len(keys) == 1
    assert request_ids == {response.request_id}


def test_a_given_key_is_sent_on_every_attempt(server: LocalServer, client: ApiClient) -> None:
    server.script(Reply(status=503))
    client.request("PATCH", "/things/1", json={}, idempotency_key="key-1")
    assert [r.headers["idempotency-key"] for r in server.received] == ["key-1", "key-1"]


def test_409_in_flight_on_a_keyed_request_is_retried(
    server: LocalServer, client: ApiClient
) -> None:
    server.script(Reply(status=409, headers={"Retry-After": "0"}))
    assert client.request("POST", "/things", json={}).status == 200
    assert len(server.received) == 2


def test_connection_reset_on_get_is_retried(server: LocalServer, client: ApiClient) -> None:
    server.script(Reset())
    assert client.request("GET", "/things").status == 200
    assert server.connections == 2


def test_read_timeouts_exhaust_retries_with_history(server: LocalServer) -> None:
    server.script(*[Reply(delay=0.3)] * 3)
    settings = Settings(api_read_timeout=0.05)
    with (
        ApiClient(settings, base_url=server.url, policy=FAST_POLICY) as api,
        pytest.raises(RetriesExhausted) as caught,
    ):
        api.request("GET", "/slow")
    failure = caught.value
    assert [a.outcome.split(" ")[0] for a in failure.attempts] == ["ReadTimeout"] * 3
    assert failure.last_error is not None
    assert "stopped after 3 attempts" in str(failure)


def test_the_deadline_holds(server: LocalServer) -> None:
    server.script(*[Reply(delay=2.0)] * 5)
    policy = RetryPolicy(max_attempts=5, deadline=0.5, backoff_base=0.001)
    with ApiClient(Settings(api_read_timeout=10.0), base_url=server.url, policy=policy) as api:
        started = time.monotonic()
        with pytest.raises(RetriesExhausted) as caught:
            api.request("GET", "/slow")
        elapsed = time.monotonic() - started
    assert elapsed < 0.5 + 1.0  # generous slack; a broken deadline takes 10 s or more
    assert "the next wait would pass the 0.5 s deadline" in caught.value.attempts[-1].reason


def test_unreachable_server_exhausts_retries_on_connect_errors() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with (
        ApiClient(Settings(), base_url=url, policy=FAST_POLICY) as api,
        pytest.raises(RetriesExhausted) as caught,
    ):
        api.request("POST", "/things", json={}, idempotency_key=False)
    assert isinstance(caught.value.last_error, ConnectError)
    assert len(caught.value.attempts) == 3


def test_exhausted_retries_keep_the_final_body(server: LocalServer, client: ApiClient) -> None:
    server.script(
        *[Reply(status=503, body={"code": "DOWN", "message": f"try {n}"}) for n in (1, 2, 3)]
    )
    with pytest.raises(RetriesExhausted) as caught:
        client.request("GET", "/things")
    assert caught.value.response is not None
    assert '"try 3"' in caught.value.response.body
    assert caught.value.last_error is None


def test_body_is_validated_against_the_model(server: LocalServer, client: ApiClient) -> None:
    server.script(Reply(body={"name": "lamp", "price": 12.5}))
    response = client.request("GET", "/things/1", expect={200: Thing})
    assert response.model == Thing(name="lamp", price=Decimal("12.5"))
    assert response.json() == {"name": "lamp", "price": Decimal("12.5")}


def test_contract_violation_lists_every_field(server: LocalServer, client: ApiClient) -> None:
    server.script(Reply(body={"name": 5, "price": "cheap", "colour": "red"}))
    with pytest.raises(ContractViolation) as caught:
        client.request("GET", "/things/1", expect={200: Thing})
    assert [m.path for m in caught.value.mismatches] == ["name", "price", "colour"]
    report = str(caught.value)
    assert report.startswith(f"GET {client.transport.base_url}/things/1: the 200 response body")
    assert "Request\n  GET http" in report
    assert "Response\n  200 OK" in report
    assert "curl -sS -X GET" in report


def test_default_expect_accepts_2xx_only(server: LocalServer, client: ApiClient) -> None:
    server.script(Reply(status=201), Reply(status=302, headers={"Location": "/x"}))
    assert client.request("GET", "/a").status == 201
    with pytest.raises(UnexpectedStatus, match="expected a 2xx status"):
        client.request("GET", "/b")


def test_secrets_sent_and_received_are_learned_and_redacted(
    server: LocalServer, client: ApiClient
) -> None:
    exchanges: list[Exchange] = []
    client.add_listener(exchanges.append)
    server.script(Reply(body={"access_token": "tok-received-1234", "token_type": "bearer"}))
    client.request("POST", "/login", json={"username": "al", "password": "hunter2hunter2"})
    server.script(Reply(status=404, body={"echo": "tok-received-1234 and hunter2hunter2"}))
    with pytest.raises(UnexpectedStatus) as caught:
        client.request("GET", "/me", token="tok-received-1234", params={"q": "hunter2hunter2"})
    everything = str(caught.value) + "".join(e.render() for e in exchanges)
    assert "tok-received-1234" not in everything
    assert "hunter2hunter2" not in everything
    assert everything.count(REDACTED) >= 6
    assert "Authorization: Bearer [REDACTED]" in exchanges[1].curl


def test_listener_gets_one_exchange_per_logical_request(
    server: LocalServer, client: ApiClient
) -> None:
    exchanges: list[Exchange] = []
    client.add_listener(exchanges.append)
    server.script(Reply(status=503), Reply(status=404))
    with pytest.raises(UnexpectedStatus):
        client.request("GET", "/things")
    assert len(exchanges) == 1
    exchange = exchanges[0]
    assert exchange.status == 404
    assert isinstance(exchange.error, UnexpectedStatus)
    assert len(exchange.attempts) == 2
    assert exchange.request.headers["X-Request-ID"] == exchange.request_id
    assert exchange.response is not None
    assert exchange.response.status == 404


def test_keep_alive_through_the_client(server: LocalServer, client: ApiClient) -> None:
    for _ in range(25):
        client.request("GET", "/things")
    assert server.connections == 1


def test_reprs_show_no_secret(server: LocalServer) -> None:
    settings = Settings(api_password="hunter2hunter2", api_username="al")
    with ApiClient(settings, base_url=f"http://al:hunter2hunter2@{server.url[7:]}") as api:
        shown = repr(api) + repr(api.settings) + str(api.settings) + repr(api.redactor)
    assert "hunter2hunter2" not in shown


def test_no_base_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="API_URL is unset"):
        ApiClient(Settings())


def test_decimals_are_sent_as_exact_json_numbers() -> None:
    body = encode_json({"price": Decimal("150.10"), "qty": 3, "note": "\u0000decimal:1"})
    assert body == b'{"price":150.10,"qty":3,"note":"\\u0000decimal:1"}'
    assert json.loads(body, parse_float=Decimal)["price"] == Decimal("150.10")


def test_log_messages_are_redacted(
    server: LocalServer, client: ApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    server.script(Reply(status=503))
    with caplog.at_level(logging.INFO, logger="framework"):
        client.request("GET", "/things", params={"api_key": "key-123456"}, token="tok-abcdefgh")
    messages = "\n".join(record.getMessage() for record in caplog.records)
    assert "attempt 1: 503 Service Unavailable" in messages
    assert "api_key=[REDACTED]" in messages
    assert "key-123456" not in messages


def test_credentials_in_caller_headers_are_learned(server: LocalServer, client: ApiClient) -> None:
    server.script(Reply(status=404, body={"echo": "key-abcdef123 and basic-creds-xyz"}))
    with pytest.raises(UnexpectedStatus) as caught:
        client.request(
            "GET",
            "/things",
            headers={"X-API-Key": "key-abcdef123", "Proxy-Authorization": "Basic basic-creds-xyz"},
        )
    report = str(caught.value)
    assert "key-abcdef123" not in report
    assert "basic-creds-xyz" not in report


def test_a_time_budget_cuts_the_deadline_so_the_clients_report_comes_first(
    server: LocalServer, client: ApiClient
) -> None:
    # Read timeout 2 s and a 10 s deadline; a silent server; a budget of 0.3 s.
    server.script(*[Reply(delay=1.0)] * 3)
    with client.time_budget(0.3), pytest.raises(RetriesExhausted) as caught:
        client.request("GET", "/things")
    assert caught.value.category is FailureCategory.ENVIRONMENT
    assert "ReadTimeout" in caught.value.summary
    assert ": no usable answer after 1 attempt; " in caught.value.summary
    assert caught.value.attempts, "the report lists the attempts made"
    assert "curl" in str(caught.value)


def test_a_time_budget_counts_from_where_the_caller_says_it_started(
    server: LocalServer, client: ApiClient
) -> None:
    # An answer in 1 s is within the read timeout (2 s) and a fresh budget of 10 s; a budget
    # that started 9.7 s ago leaves it 0.3 s.
    server.script(*[Reply(delay=1.0)] * 3)
    with client.time_budget(10, since=time.monotonic() - 9.7), pytest.raises(RetriesExhausted):
        client.request("GET", "/things")
    sent = len(server.received)
    with (
        client.time_budget(10, since=time.monotonic() - 10),
        pytest.raises(BudgetSpent, match="the time budget of 10 s"),
    ):
        client.request("GET", "/things")
    assert len(server.received) == sent


def test_a_request_after_the_budget_is_spent_is_not_sent(
    server: LocalServer, client: ApiClient
) -> None:
    with client.time_budget(0.05):
        time.sleep(0.1)
        with pytest.raises(
            BudgetSpent, match=r"GET .*/things: not sent: the time budget of 0\.05 s"
        ):
            client.request("GET", "/things")
    assert server.received == []
    assert client.request("GET", "/things").status == 200, "the budget ends with its block"
