"""A replay's requests: values of earlier answers, customers opened afresh, no secret written.

A scenario's requests are made through the framework's client against a local server; the
replay written from them is run, as a reviewer would, against another local server that
answers with other ids and another token, and what that server received is read back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from framework.checks import Check
from framework.client import ApiClient, Exchange
from reporting.replay import Failure, Sent, replay_name, replay_source
from tests.framework.local_server import LocalServer, Reply
from tests.reporting.conftest import PASSWORD, TOKEN, USERNAME, answers

#: Seconds a replay may take.
REPLAY_TIMEOUT = 60


def _source(
    exchanges: list[Exchange],
    client: ApiClient,
    check: Check | None,
    environment: dict[str, str] | None = None,
) -> str:
    return replay_source(
        Failure(
            scenario="A deposit shows in the balance",
            where="features/payments/deposits.feature:3",
            message="[product defect] Alice has 5.00 in cash, expected 10.00",
            step="Then Alice has 10.00 in cash (features/payments/deposits.feature:6)",
            check=check,
            why_unrecorded="the step failed on a plain assertion",
        ),
        [Sent(exchange=exchange, step="a step") for exchange in exchanges],
        base_url=client.transport.base_url,
        is_secret=lambda text: client.redactor.text(text) != text,
        generated=() if environment else client.generated,
        environment=environment,
    )


def run_replay(
    script: Path, url: str, folder: Path, **environment: str
) -> subprocess.CompletedProcess[str]:
    """Run a replay as a reviewer would: a bare interpreter (isolated mode) in a folder of
    its own, seeing nothing of the project; ``environment`` adds variables."""
    return subprocess.run(
        [sys.executable, "-I", str(script), url],
        cwd=folder,
        env={"PATH": os.environ.get("PATH", ""), **environment},
        capture_output=True,
        text=True,
        timeout=REPLAY_TIMEOUT,
        check=False,
    )


def _run(
    source: str, url: str, tmp_path: Path, **environment: str
) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "replay.py"
    script.write_text(source, encoding="utf-8")
    return run_replay(script, url, tmp_path, **environment)


def _balance_check(exchanges: list[Exchange]) -> Check:
    return Check.field(exchanges[2].request_id, ("balance",), Decimal("10.00"))


def test_a_replay_writes_no_secret_and_takes_ids_and_tokens_from_earlieranswers(
    recorded: tuple[list[Exchange], ApiClient],
) -> None:
    exchanges, client = recorded
    source = _source(exchanges, client, _balance_check(exchanges))
    assert PASSWORD not in source
    assert TOKEN not in source
    assert "('answer', 1, 'access_token')" in source
    assert "('answer', 0, 'account_id')" in source
    assert f"('name', '{USERNAME}')" in source


def test_a_replay_opens_a_fresh_customer_and_follows_the_newanswers(
    recorded: tuple[list[Exchange], ApiClient], tmp_path: Path
) -> None:
    exchanges, client = recorded
    source = _source(exchanges, client, _balance_check(exchanges))
    with LocalServer() as server:
        server.script(*answers("acc_NEW1111111111111111", "tok_new_answer_of_the_server", 10.0))
        fixed = _run(source, server.url, tmp_path)
        opening, signing_in, reading = server.received
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert fixed.stdout.rstrip().endswith("it holds now")
    sent = json.loads(opening.body)
    assert sent["username"] != USERNAME
    assert sent["username"].startswith("alice_")
    assert len(sent["username"]) == len(USERNAME)
    assert sent["password"] != PASSWORD
    assert len(sent["password"]) == len(PASSWORD)
    assert json.loads(signing_in.body) == sent
    assert opening.headers["idempotency-key"] != exchanges[0].sent.headers["Idempotency-Key"]
    assert reading.path == "/accounts/acc_NEW1111111111111111"
    assert reading.headers["authorization"] == "Bearer tok_new_answer_of_the_server"


def test_a_replay_prints_the_difference_and_exits_1_while_the_check_fails(
    recorded: tuple[list[Exchange], ApiClient], tmp_path: Path
) -> None:
    exchanges, client = recorded
    source = _source(exchanges, client, _balance_check(exchanges))
    with LocalServer() as server:
        server.script(*answers("acc_NEW1111111111111111", "tok_new_answer_of_the_server", 5.0))
        still = _run(source, server.url, tmp_path)
    assert still.returncode == 1, still.stdout + still.stderr
    assert "  balance is 5.0, expected 10.00\n" in still.stdout
    assert "failed in the run: [product defect] Alice has 5.00 in cash, expected 10.00" in (
        still.stdout
    )


def test_a_replay_cannot_tell_when_an_earlier_answer_differs_or_the_check_was_not_recorded(
    recorded: tuple[list[Exchange], ApiClient], tmp_path: Path
) -> None:
    exchanges, client = recorded
    with LocalServer() as server:
        server.script(Reply(status=409, body={"code": "USERNAME_TAKEN"}))
        differs = _run(_source(exchanges, client, _balance_check(exchanges)), server.url, tmp_path)
        server.script(*answers("acc_NEW1111111111111111", "tok_new_answer_of_the_server", 5.0))
        unrecorded = _run(_source(exchanges, client, None), server.url, tmp_path)
        usage = _run(_source(exchanges, client, None), "not-a-url", tmp_path)
    assert differs.returncode == 2
    assert "1. POST /accounts -> 409 Conflict, but the run got 201" in differs.stdout
    assert unrecorded.returncode == 2
    assert "cannot tell: the failed check was not recorded as data" in unrecorded.stdout
    assert usage.returncode == 2
    assert usage.stdout.startswith("usage: python ")


def test_a_pre_provisioned_customers_name_and_password_come_from_the_environment(
    recorded: tuple[list[Exchange], ApiClient], tmp_path: Path
) -> None:
    exchanges, client = recorded
    environment = {USERNAME: "API_USERNAME", PASSWORD: "API_PASSWORD"}
    source = _source(exchanges, client, _balance_check(exchanges), environment)
    assert PASSWORD not in source
    assert "('env', 'API_PASSWORD')" in source
    with LocalServer() as server:
        server.script(*answers("acc_NEW1111111111111111", "tok_new_answer_of_the_server", 10.0))
        fixed = _run(source, server.url, tmp_path, API_USERNAME="bob", API_PASSWORD="pw-of-bob")
        unset = _run(source, server.url, tmp_path)
        opening = server.received[0]
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert json.loads(opening.body) == {"username": "bob", "password": "pw-of-bob"}
    assert unset.returncode == 2
    assert "cannot tell: set API_USERNAME: the scenario signed in with it" in unset.stdout


def test_a_replay_is_named_by_module_and_scenario() -> None:
    nodeid = "tests/acceptance/test_orders.py::test_a_buy_fills[160.00-8,400.00]"
    assert replay_name(nodeid) == "orders__a_buy_fills_160_00_8_400_00.py"
