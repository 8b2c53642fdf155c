"""Accounts opening, tokens, revocation and login throttling."""

from __future__ import annotations

import requests

from tests.sandbox.conftest import (
    PASSWORD,
    REQUEST_TIMEOUT,
    Customer,
    assert_error,
    new_customer,
    open_account,
    unique_username,
)


def test_open_account(base_url: str) -> None:
    username = unique_username()
    response = open_account(base_url, username, currency="EUR")
    assert response.status_code == 201
    body = response.json()
    assert body["account_id"].startswith("acc_")
    assert len(body["account_id"]) >= 4 + 16
    assert body["username"] == username
    assert body["currency"] == "EUR"
    assert body["balance"] == 0
    assert body["buying_power"] == 0
    assert body["positions"] == []
    assert body["created_at"].endswith("Z")
    assert open_account(base_url, unique_username()).json()["currency"] == "USD"


def test_open_account_rejects_bad_input(base_url: str) -> None:
    def post(body: object) -> requests.Response:
        return requests.post(base_url + "/accounts", json=body, timeout=REQUEST_TIMEOUT)

    for username in ("ab", "Alice", "a" * 33, "al-ice", 12345, None):
        response = post({"username": username, "password": PASSWORD})
        assert_error(response, 400, "INVALID_USERNAME", "username")
    assert_error(post({"password": PASSWORD}), 400, "INVALID_USERNAME", "username")
    response = post({"username": unique_username(), "password": "short"})
    assert_error(response, 400, "WEAK_PASSWORD", "password")
    response = post({"username": unique_username()})
    assert_error(response, 400, "WEAK_PASSWORD", "password")
    response = post({"username": unique_username(), "password": PASSWORD, "currency": "JPY"})
    assert_error(response, 400, "INVALID_CURRENCY", "currency")
    response = post({"username": unique_username(), "password": PASSWORD, "balance": 100})
    assert_error(response, 400, "UNKNOWN_FIELD", "balance")


def test_username_taken(base_url: str) -> None:
    username = unique_username()
    assert open_account(base_url, username).status_code == 201
    assert_error(open_account(base_url, username), 409, "USERNAME_TAKEN", "username")


def test_token(customer: Customer) -> None:
    response = customer.login(expires_in=60)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 60
    assert body["access_token"] != customer.token
    assert customer.login().json()["expires_in"] == 3600


def test_token_errors(customer: Customer) -> None:
    for expires_in in (0, 3601, "60", 1.5, True):
        assert_error(customer.login(expires_in=expires_in), 400, "INVALID_EXPIRES_IN", "expires_in")
    response = requests.post(
        customer.base_url + "/auth/token", json={"username": customer.username}, timeout=10
    )
    assert_error(response, 400, "MISSING_FIELD", "password")
    response = requests.post(
        customer.base_url + "/auth/token",
        json={"username": customer.username, "password": "wrong password!"},
        timeout=10,
    )
    assert_error(response, 401, "INVALID_CREDENTIALS")


def test_missing_or_bad_tokens_are_unauthenticated(customer: Customer) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = requests.get(customer.base_url + "/account", headers=headers, timeout=10)
        assert_error(response, 401, "UNAUTHENTICATED")
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_revocation(customer: Customer) -> None:
    assert customer.get("/account").status_code == 200
    assert customer.delete("/auth/token").status_code == 204
    assert_error(customer.get("/account"), 401, "UNAUTHENTICATED")
    assert customer.delete("/auth/token").status_code == 204
    unknown = requests.delete(
        customer.base_url + "/auth/token", headers={"Authorization": "Bearer unknown"}, timeout=10
    )
    assert unknown.status_code == 204
    missing = requests.delete(customer.base_url + "/auth/token", timeout=10)
    assert_error(missing, 401, "UNAUTHENTICATED")


def test_login_is_throttled_after_five_failures(base_url: str) -> None:
    customer = new_customer(base_url)
    wrong = {"username": customer.username, "password": "not the password"}
    for _ in range(5):
        response = requests.post(base_url + "/auth/token", json=wrong, timeout=10)
        assert_error(response, 401, "INVALID_CREDENTIALS")
    throttled = requests.post(base_url + "/auth/token", json=wrong, timeout=10)
    assert_error(throttled, 429, "TOO_MANY_ATTEMPTS", "username")
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    assert_error(customer.login(), 429, "TOO_MANY_ATTEMPTS", "username")
    # Other usernames are not affected.
    assert new_customer(base_url).login().status_code == 200


def test_unknown_usernames_are_throttled_too(base_url: str) -> None:
    wrong = {"username": unique_username(), "password": "not the password"}
    for _ in range(5):
        response = requests.post(base_url + "/auth/token", json=wrong, timeout=10)
        assert_error(response, 401, "INVALID_CREDENTIALS")
    response = requests.post(base_url + "/auth/token", json=wrong, timeout=10)
    assert_error(response, 429, "TOO_MANY_ATTEMPTS", "username")
