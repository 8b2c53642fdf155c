"""A scenario's exchanges as HAR: valid for har-validator (the HAR 1.2 schema), and redacted."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from framework.client import ApiClient, Exchange
from reporting.build import PROJECT_ROOT
from reporting.har import har
from reporting.replay import Sent
from tests.reporting.conftest import PASSWORD, TOKEN

#: Seconds node may take to validate one file.
VALIDATE_TIMEOUT = 30
_VALIDATE = """
const validate = require("har-validator");
const har = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
validate.har(har).then(
  () => process.exit(0),
  (error) => { console.log(JSON.stringify(error.errors)); process.exit(1); },
);
"""


def _validate(document: dict[str, object], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: run .ci/setup (it installs Node 20)", pytrace=False)
    path = tmp_path / "exchanges.har"
    path.write_text(json.dumps(document), encoding="utf-8")
    return subprocess.run(
        [node, "-e", _VALIDATE, str(path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=VALIDATE_TIMEOUT,
        check=False,
    )


def test_the_har_of_a_scenario_is_valid_and_holds_no_secret(
    recorded: tuple[list[Exchange], ApiClient], tmp_path: Path
) -> None:
    exchanges, _ = recorded
    text = har([Sent(exchange=e, step="a step") for e in exchanges], page="A scenario")
    assert PASSWORD not in text
    assert TOKEN not in text
    document = json.loads(text)
    checked = _validate(document, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    entries = document["log"]["entries"]
    assert [entry["request"]["method"] for entry in entries] == ["POST", "POST", "GET"]
    assert entries[2]["request"]["url"].endswith("/accounts/acc_RUN0000000000000001")
    assert entries[2]["response"]["content"]["text"] == (
        '{"account_id": "acc_RUN0000000000000001", "balance": 5.0}'
    )
    # The validator can fail: an entry without its response is refused.
    del entries[0]["response"]
    assert _validate(document, tmp_path).returncode == 1
