"""Write the replay of a failed scenario: a standalone script that sends its requests again.

``reports/replay/<scenario>.py`` is the source of :mod:`reporting.replay_runtime` followed by
the scenario's requests, in order, and the check that failed, as data::

    python reports/replay/<scenario>.py BASE_URL     # exit 0: holds now, 1: still fails

Nothing that differs from run to run is written as it was: a value an earlier answer gave
(an id, a token) is taken from that answer again; a customer the scenario opened is opened
afresh (a new name of the same shape, a new password); an idempotency key is a new one
(the same key where the scenario reused one); the pre-provisioned customer's name and
password come from the environment. A secret is never written: a value the redactor knows
that none of these rules accounts for is written redacted, and the replay says so.
"""

from __future__ import annotations

import json
import pprint
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from framework.checks import Check, CheckKind
from framework.client import Exchange

#: The runtime every replay carries, as source text.
RUNTIME = Path(__file__).with_name("replay_runtime.py")
#: Shortest string of an answer taken as an id that later requests may carry.
ID_MIN_CHARS = 12
#: Request headers a replay leaves out: it sends its own, or requests computes them.
_DROPPED_HEADERS = frozenset(
    {"x-request-id", "content-length", "user-agent", "accept-encoding", "connection", "host"}
)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_LONGEST_NAME = 120

Expression = tuple[Any, ...]
Template = list[str | Expression]


@dataclass(frozen=True, kw_only=True)
class Sent:
    """One request of the scenario and the Gherkin step that sent it."""

    exchange: Exchange
    step: str


@dataclass(frozen=True, kw_only=True)
class Failure:
    """What failed: the scenario, where, why, and the check as data (None: not recorded)."""

    scenario: str
    where: str
    message: str
    step: str
    check: Check | None
    why_unrecorded: str = ""
    sandbox: bool = False


@dataclass
class _Values:
    """Values met so far in the scenario and the expression a replay writes for each."""

    is_secret: Callable[[str], bool]
    generated: frozenset[str]
    environment: Mapping[str, str]
    known: dict[str, Expression] = field(default_factory=dict)
    made_up: int = 0
    redacted: bool = False

    def expression(self, value: str, *, header: str = "") -> Expression | None:
        """How a replay writes ``value`` (met in a request), or None: as it is."""
        if value in self.known:
            return self.known[value]
        made: Expression | None = None
        if value in self.environment:
            made = ("env", self.environment[value])
        elif value in self.generated:
            made = ("name", value)
        elif header == "idempotency-key" and _UUID.match(value):
            self.made_up += 1
            made = ("key", f"key {self.made_up}")
        elif self.is_secret(value):
            self.made_up += 1
            made = ("secret", f"secret {self.made_up}", len(value))
        if made is not None:
            self.known[value] = made
        return made

    def learn_answer(self, number: int, document: Any, path: tuple[str | int, ...] = ()) -> None:
        """Remember the ids and secrets of answer ``number`` (from 0) by their place in it."""
        if isinstance(document, dict):
            for name, value in document.items():
                self.learn_answer(number, value, (*path, name))
        elif isinstance(document, list):
            for index, value in enumerate(document):
                self.learn_answer(number, value, (*path, index))
        elif isinstance(document, str) and document not in self.known:
            looks_like_id = len(document) >= ID_MIN_CHARS and not re.search(r"\s", document)
            if looks_like_id or self.is_secret(document):
                self.known[document] = ("answer", number, *path)

    def template(self, text: str, candidates: Iterable[tuple[str, str]]) -> Template:
        """``text`` as parts: literal text, and an expression for each value to rewrite.

        ``candidates`` are (value, header name) pairs met in the request; the values that
        get an expression are replaced wherever they occur in ``text``.
        """
        rewritten = {
            value: made
            for value, header in candidates
            if value and (made := self.expression(value, header=header)) is not None
        }
        parts: Template = []
        if rewritten:
            pattern = "|".join(map(re.escape, sorted(rewritten, key=len, reverse=True)))
            position = 0
            for match in re.finditer(pattern, text):
                parts += [text[position : match.start()], rewritten[match.group(0)]]
                position = match.end()
            parts.append(text[position:])
        else:
            parts.append(text)
        return [self._safe(part) for part in parts if part != ""]

    def _safe(self, part: str | Expression) -> str | Expression:
        """A literal part holding a secret no rule accounts for is written redacted."""
        if isinstance(part, str) and self.is_secret(part):
            self.redacted = True
            return "[REDACTED]"
        return part


def _json_strings(document: Any) -> Iterable[str]:
    if isinstance(document, dict):
        for value in document.values():
            yield from _json_strings(value)
    elif isinstance(document, list):
        for value in document:
            yield from _json_strings(value)
    elif isinstance(document, str):
        yield document


def _parsed(content: bytes | str | None) -> Any:
    if not content:
        return None
    try:
        return json.loads(content, parse_float=Decimal)
    except ValueError:
        return None


def _request(sent: Sent, base_path: str, values: _Values) -> dict[str, Any]:
    """One request as replay data."""
    prepared = sent.exchange.sent
    url = urlsplit(prepared.url or "")
    path = url.path[len(base_path) :] if url.path.startswith(base_path) else url.path
    target = path + (f"?{url.query}" if url.query else "")
    candidates = [(segment, "") for segment in path.split("/")]
    candidates += [(value, "") for _, value in parse_qsl(url.query)]
    headers: dict[str, Template] = {}
    for name, value in prepared.headers.items():
        lowered = name.lower()
        if lowered in _DROPPED_HEADERS:
            continue
        # "Bearer <token>": the words after the scheme are the values, not the whole line.
        words = value.split(" ")[1:] or [value]
        headers[name] = values.template(value, [(word, lowered) for word in words])
    body = prepared.body
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    body_template = None
    if text is not None:
        body_template = values.template(text, ((s, "") for s in _json_strings(_parsed(text))))
    return {
        "step": sent.step,
        "method": prepared.method,
        "path": values.template(target, candidates),
        "headers": headers,
        "body": body_template,
        "status": sent.exchange.status or 0,
    }


def _expected(value: Any, values: _Values) -> Any:
    """An expected value; a string carrying an earlier answer's id becomes a template."""
    if isinstance(value, list):
        return [_expected(item, values) for item in value]
    if not isinstance(value, str):
        return value
    parts = values.template(value, [(value, "")])
    return ("text", parts) if any(isinstance(part, tuple) for part in parts) else value


def _check_data(failure: Failure, requests: Sequence[dict[str, Any]], values: _Values) -> Any:
    check = failure.check
    if check is None:
        return {"kind": "unrecorded", "why": failure.why_unrecorded}
    number = next(
        (
            index
            for index, item in enumerate(requests, start=1)
            if item["request_id"] == check.request_id
        ),
        None,
    )
    if number is None:
        return {
            "kind": "unrecorded",
            "why": "the check reads an answer to a request the scenario's record does not hold",
        }
    data: dict[str, Any] = {
        "kind": str(check.kind),
        "described": failure.step,
        "request": number,
        "status": requests[number - 1]["status"],
    }
    if check.kind in (CheckKind.FIELD, CheckKind.COUNT):
        data |= {"path": check.path, "expected": _expected(check.expected, values)}
    if check.kind is CheckKind.COUNT:
        data["where"] = [(path, _expected(value, values)) for path, value in check.where]
    elif check.kind is CheckKind.ANSWER:
        data["answers"] = list(check.answers)
    elif check.kind is CheckKind.CONTRACT:
        data["rules"] = [(path, dict(rule)) for path, rule in check.rules]
    return data


def replay_source(
    failure: Failure,
    sent: Sequence[Sent],
    *,
    base_url: str,
    is_secret: Callable[[str], bool],
    generated: Iterable[str] = (),
    environment: Mapping[str, str] | None = None,
) -> str:
    """The source of the replay of one failed scenario.

    ``sent`` are its requests in order; ``is_secret`` tells a text holding a secret (the
    redactor's knowledge); ``generated`` the values made up for the run (names of new
    customers); ``environment`` maps a value to the environment variable that holds it.
    """
    values = _Values(
        is_secret=is_secret,
        generated=frozenset(generated),
        environment=dict(environment or {}),
    )
    base_path = urlsplit(base_url).path.rstrip("/")
    requests: list[dict[str, Any]] = []
    for number, item in enumerate(sent):
        data = _request(item, base_path, values)
        data["request_id"] = item.exchange.request_id
        requests.append(data)
        received = item.exchange.received
        values.learn_answer(number, _parsed(received.content if received is not None else None))
    check = _check_data(failure, requests, values)
    for data in requests:
        del data["request_id"]
    message = failure.message
    if values.redacted:
        message += " (a secret no rule accounts for is sent as [REDACTED])"
    scenario = {
        "name": failure.scenario,
        "where": failure.where,
        "message": message,
        "sandbox": failure.sandbox,
    }
    return (
        "#!/usr/bin/env python3\n"
        f"# Replay of a failed scenario: {_one_line(failure.scenario)} ({failure.where})\n"
        "#   python <this file> BASE_URL   (exit 0: the check holds now, 1: it still fails,\n"
        "#   2: the replay cannot tell); needs Python 3.11+ and requests.\n"
        + RUNTIME.read_text(encoding="utf-8")
        + "\n\n# -- the scenario ------------------------------------------------------------\n\n"
        + f"SCENARIO = {pprint.pformat(scenario, width=96, sort_dicts=False)}\n\n"
        + f"REQUESTS = {pprint.pformat(requests, width=96, sort_dicts=False)}\n\n"
        + f"CHECK = {pprint.pformat(check, width=96, sort_dicts=False)}\n\n"
        + 'if __name__ == "__main__":\n'
        + "    sys.exit(main(sys.argv[1:], SCENARIO, REQUESTS, CHECK))\n"
    )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def replay_name(nodeid: str) -> str:
    """The file name of a scenario's replay, from its node id, safe for any file system.

    ``tests/acceptance/test_orders.py::test_a_buy_fills[160.00]`` ->
    ``orders__a_buy_fills_160_00.py``: the module (two features of different domains may
    name a scenario alike) and the test, with the Examples row.
    """
    module, _, test = nodeid.rpartition("::")
    stem = Path(module).stem.removeprefix("test_")
    name = f"{stem}__{test.removeprefix('test_')}" if stem else test
    safe = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")
    return f"{safe[:_LONGEST_NAME] or 'scenario'}.py"
