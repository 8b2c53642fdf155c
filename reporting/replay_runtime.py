"""What every replay of a failed scenario runs: send its requests again, then its failed check.

A replay (``reports/replay/<scenario>.py``, written by :mod:`reporting.replay`) is this
module's source followed by the scenario's data (``SCENARIO``, ``REQUESTS``, ``CHECK``) and a
call of :func:`main`; it needs Python 3.11 and ``requests``, nothing of the suite::

    python reports/replay/<scenario>.py BASE_URL

Exit status: 0 when the check now holds, 1 when it still fails (the difference is printed),
2 when the replay cannot tell (the target is unreachable, an earlier request answers other
than it did in the run, or the failed check was not recorded as data).

Parts of a request that differ from run to run are written as expressions, each a tuple:

- ``("answer", N, *path)``: the value at ``path`` in the answer to request N (an id, a token);
- ``("name", value)``: a new name of the shape of ``value`` (a customer opened afresh);
- ``("secret", label, length)``: a new random secret (a new customer's password);
- ``("key", label)``: a new idempotency key (the same label, the same key);
- ``("env", NAME)``: the environment variable NAME (a pre-provisioned customer's password).
"""

from __future__ import annotations

import json
import operator
import os
import re
import secrets
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import requests

#: Tries of one request while the answer is trouble on the way (a 429, a 5xx, no answer).
ATTEMPTS = 6
#: Longest wait between two tries, in seconds (Retry-After included).
WAIT_CAP = 5.0
#: Seconds one try may take (connect and read).
TIMEOUT = 30.0
#: Statuses that are trouble on the way, retried unless the run got exactly that answer.
TROUBLE = frozenset({429, 502, 503, 504})
#: Methods that may be sent again without a key.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
#: The member of a JSON error body that holds its code.
CODE_MEMBER = "code"
HOLDS, FAILS, CANNOT_TELL = 0, 1, 2

Template = Sequence[Any]


#: What :func:`at` finds where a document has no such member or item.
_MISSING: Any = object()


class CannotTell(Exception):  # noqa: N818 - a verdict of the replay, not its error
    """The replay cannot evaluate the check; the message says why."""


def at(document: Any, path: Sequence[str | int]) -> Any:
    """The value at ``path`` in a JSON document, or the ``_MISSING`` marker; ``"*"`` takes
    the rest of the path in every item of a list (``("quotes", "*", "symbol")``)."""
    value = document
    for position, part in enumerate(path):
        if part == "*" and isinstance(value, list):
            return [at(item, path[position + 1 :]) for item in value]
        in_list = isinstance(part, int) and isinstance(value, list) and part < len(value)
        if not (in_list or (isinstance(value, dict) and part in value)):
            return _MISSING
        value = value[part]
    return value


def shown(value: Any) -> str:
    """A JSON value as the answer wrote it."""
    if value is _MISSING:
        return "missing"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(shown, value)) + "]"
    return json.dumps(value, ensure_ascii=False, default=str)


def dotted(path: Sequence[str | int]) -> str:
    """``("items", 0, "price")`` -> ``items[0].price``; the whole body is ``(body)``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(body)"


class Replay:
    """One replay against one base URL: the answers so far and the values made up."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.answers: list[Any] = []
        self.statuses: list[int] = []
        self.made: dict[str, str] = {}

    def value(self, part: Any) -> str:
        """The text of one part of a template."""
        if isinstance(part, str):
            return part
        kind, *rest = part
        if kind == "answer":
            index, *path = rest
            found = at(self.answers[index], path)
            if found is _MISSING or isinstance(found, dict | list):
                raise CannotTell(
                    f"the answer to request {index + 1} has no {dotted(path)}, which later "
                    "requests need: the target answers other than it did in the run",
                )
            return found if isinstance(found, str) else shown(found)
        if kind == "env":
            (name,) = rest
            if not os.environ.get(name):
                raise CannotTell(f"set {name}: the scenario signed in with it")
            return os.environ[name]
        label = repr(part)
        if label not in self.made:
            self.made[label] = _made_up(kind, rest)
        return self.made[label]

    def text(self, template: Template) -> str:
        """A template's text with every expression worked out."""
        return "".join(self.value(part) for part in template)

    def send(self, number: int, request: Mapping[str, Any]) -> requests.Response:
        """Send request ``number`` (from 1), trying again while the answer is trouble."""
        method = request["method"]
        url = self.base_url + self.text(request["path"])
        headers = {name: self.text(value) for name, value in request["headers"].items()}
        headers["X-Request-ID"] = uuid.uuid4().hex
        body = self.text(request["body"]).encode() if request["body"] is not None else None
        resend = method in IDEMPOTENT or "Idempotency-Key" in headers
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = self.session.request(
                    method, url, headers=headers, data=body, timeout=TIMEOUT
                )
            except requests.RequestException as error:
                if not resend or attempt == ATTEMPTS:
                    raise CannotTell(
                        f"request {number}, {method} {url}: no answer ({error})"
                    ) from None
                time.sleep(min(WAIT_CAP, 0.2 * 2**attempt))
                continue
            trouble = response.status_code in TROUBLE and response.status_code != request["status"]
            if not (trouble and resend) or attempt == ATTEMPTS:
                return response
            time.sleep(_wait(response, attempt))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def run(self, requests_: Sequence[Mapping[str, Any]], check: Mapping[str, Any]) -> int:
        """Send every request in order, then evaluate the check; print what happens."""
        checked = check.get("request")
        for number, request in enumerate(requests_, start=1):
            response = self.send(number, request)
            self.statuses.append(response.status_code)
            try:
                self.answers.append(json.loads(response.content, parse_float=Decimal))
            except ValueError:
                self.answers.append(None)
            line = f"  {number}. {request['method']} {self.text(request['path'])} -> "
            line += f"{response.status_code} {response.reason}"
            if response.status_code != request["status"] and number != checked:
                print(f"{line}, but the run got {request['status']}")
                raise CannotTell(
                    f"request {number} answers other than in the run, before the check: "
                    "the scenario now fails elsewhere, or the target is not like the run's",
                )
            print(line)
        return evaluate(check, self)


def _made_up(kind: str, rest: Sequence[Any]) -> str:
    if kind == "name":
        (original,) = rest
        stem, _, tail = str(original).rpartition("_")
        fresh = secrets.token_hex(len(tail) // 2 + 1)[: len(tail)]
        return f"{stem}_{fresh}" if stem else fresh
    if kind == "secret":
        _, length = rest
        return secrets.token_urlsafe(int(length))[: int(length)]
    if kind == "key":
        return str(uuid.uuid4())
    raise CannotTell(f"unknown expression {kind!r}: the replay file was edited")


def _wait(response: requests.Response, attempt: int) -> float:
    retry_after = str(response.headers.get("Retry-After", ""))
    seconds = float(retry_after) if retry_after.isdigit() else 0.2 * 2**attempt
    return min(WAIT_CAP, seconds)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _same(found: Any, expected: Any) -> bool:
    if _is_number(found) and _is_number(expected):
        return bool(Decimal(found) == Decimal(expected))
    if isinstance(found, list) and isinstance(expected, list):
        pairs = zip(found, expected, strict=False)
        return len(found) == len(expected) and all(_same(f, e) for f, e in pairs)
    return bool(found == expected) and type(found) is type(expected)


_JSON_TYPES: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": _is_number,
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


def broken(rule: Mapping[str, Any], value: Any) -> str | None:
    """How ``value`` breaks ``rule`` (a contract rule of one field), or None if it obeys it."""
    if "present" in rule:
        return "missing" if value is _MISSING else None
    if "absent" in rule:
        return None if value is _MISSING else f"present: {shown(value)}"
    if value is _MISSING:
        return "missing"
    if "type" in rule:
        fits = _JSON_TYPES[rule["type"]](value)
        return None if fits else f"{shown(value)} is not of JSON type {rule['type']}"
    if "enum" in rule:
        return None if value in rule["enum"] else f"{shown(value)} is not one of {rule['enum']}"
    if "pattern" in rule:
        fits = isinstance(value, str) and re.search(rule["pattern"], value)
        return None if fits else f"{shown(value)} does not match {rule['pattern']}"
    return _bound_broken(rule, value)


#: A bound of a number, or of a length, and how a value obeys it.
_BOUNDS: dict[str, Any] = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}
_LENGTHS: dict[str, Any] = {"min_length": operator.ge, "max_length": operator.le}


def _bound_broken(rule: Mapping[str, Any], value: Any) -> str | None:
    for name, obeys in _BOUNDS.items():
        if name in rule:
            ok = _is_number(value) and obeys(Decimal(value), Decimal(rule[name]))
            return None if ok else f"{shown(value)} is not {name} {rule[name]}"
    for name, obeys in _LENGTHS.items():
        if name in rule:
            ok = isinstance(value, str | list | dict) and obeys(len(value), int(rule[name]))
            return None if ok else f"{shown(value)} breaks {name} {rule[name]}"
    if "decimal_places" in rule:
        if not _is_number(value):
            return f"{shown(value)} is not a number"
        exponent = Decimal(value).normalize().as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        limit = int(rule["decimal_places"])
        return None if places <= limit else f"{shown(value)} has more than {limit} decimals"
    raise CannotTell(f"the rule {dict(rule)} is one only the suite's model can check")


def evaluate(check: Mapping[str, Any], replay: Replay) -> int:
    """Evaluate the failed check on the answers; print the verdict and return the status."""
    kind = check["kind"]
    if kind == "unrecorded":
        raise CannotTell(f"the failed check was not recorded as data: {check['why']}")
    index = check["request"] - 1
    answer, status = replay.answers[index], replay.statuses[index]
    differences = _differences(check, replay, answer, status)
    print(f"the check: {check['described']}")
    if differences:
        for line in differences:
            print(f"  {line}")
        print("it still fails")
        return FAILS
    print("  it holds now")
    return HOLDS


def _differences(check: Mapping[str, Any], replay: Replay, answer: Any, status: int) -> list[str]:
    kind = check["kind"]
    if kind == "usable":
        return [f"answered {status}: trouble on the way"] if status in TROUBLE else []
    if kind == "answer":
        code = answer.get(CODE_MEMBER) if isinstance(answer, dict) else None
        accepted = [tuple(pair) for pair in check["answers"]]
        if (status, None) in accepted or (status, code) in accepted:
            return []
        wanted = ", ".join(f"{s} {c}" if c else str(s) for s, c in accepted)
        return [f"answered {status}{' ' + code if code else ''}, expected {wanted}"]
    if kind == "contract":
        if status != check["status"]:
            raise CannotTell(
                f"answered {status}, not {check['status']} as in the run: "
                "its body has another model",
            )
        found = [(path, broken(rule, at(answer, path))) for path, rule in check["rules"]]
        return [f"{dotted(path)}: {why}" for path, why in found if why]
    if status != check["status"]:
        return [f"answered {status}, not {check['status']}: no body to check"]
    found = at(answer, check["path"])
    if kind == "field":
        expected = _worked_out(check["expected"], replay)
        if _same(found, expected):
            return []
        return [f"{dotted(check['path'])} is {shown(found)}, expected {shown(expected)}"]
    if not isinstance(found, list):
        return [f"{dotted(check['path'])} is {shown(found)}, not a list"]
    where = [(path, _worked_out(value, replay)) for path, value in check["where"]]
    count = sum(1 for item in found if all(_same(at(item, p), v) for p, v in where))
    if count == check["expected"]:
        return []
    such = " and ".join(f"{dotted(path)} = {shown(value)}" for path, value in where)
    return [
        f"{dotted(check['path'])} holds {count} items{' where ' + such if such else ''}, "
        f"expected {check['expected']}"
    ]


def _worked_out(value: Any, replay: Replay) -> Any:
    """An expected value; ``("text", template)`` (an id of an earlier answer) worked out."""
    if isinstance(value, tuple) and value[:1] == ("text",):
        return replay.text(value[1])
    if isinstance(value, list):
        return [_worked_out(item, replay) for item in value]
    return value


def main(
    argv: Sequence[str],
    scenario: Mapping[str, Any],
    requests_: Sequence[Mapping[str, Any]],
    check: Mapping[str, Any],
) -> int:
    """``python <replay>.py BASE_URL``: the exit status of the replay (see the docstring)."""
    if len(argv) != 1 or not re.match(r"^https?://", argv[0]):
        print(f"usage: python {sys.argv[0]} BASE_URL   (e.g. http://127.0.0.1:8000)")
        return CANNOT_TELL
    print(f"replay of: {scenario['name']} ({scenario['where']})")
    print(f"failed in the run: {scenario['message']}")
    if scenario["sandbox"]:
        print("it needs a sandbox target: it uses the sandbox controls (python -m sandbox)")
    print(f"against {argv[0]}:")
    try:
        return Replay(argv[0]).run(requests_, check)
    except CannotTell as why:
        print(f"cannot tell: {why}")
        return CANNOT_TELL
