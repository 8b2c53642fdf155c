"""API coverage: which documented operations and response statuses a run's requests exercised.

The documented set comes from the target's OpenAPI document: every operation (method and path
template) and every response status it lists (``"404"``, or a range such as ``"5XX"``;
``default`` is not a status and is left out). A request is matched to an operation by its
method and its URL path against the path templates, literal paths before templated ones (as
OpenAPI says). A status counts as exercised when **any attempt** of a request received it, so
a 503 that a retry absorbed counts: it was a real answer on the wire. An operation counts as
exercised when at least one attempt of one of its requests received an answer.

Enumerated statuses (``"404"``) and ranges (``"5XX"``) are counted apart. The status
percentage is over the enumerated ones only: a range is one entry standing for many statuses,
and counting it as one status among the others would make one injected 503 stand for a whole
class. Each range gets its own figure instead — on how many of the operations documenting it
some attempt received a status of it (``server errors (5XX): seen on 9 of 23 operations that
document them``). As in OpenAPI, an enumerated status wins over a range: a 500 received by an
operation that lists both ``500`` and ``5XX`` counts for ``500`` only.

Only the standard library: the report plugin computes coverage at the end of every run.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from framework.client import Exchange

#: The HTTP methods an OpenAPI path item may hold.
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: The data file of a run's coverage, beside its summary and in its Allure results.
COVERAGE_FILE = "api-coverage.json"

_STATUS = re.compile(r"^[1-5](?:\d\d|XX)$")
#: What each OpenAPI status range stands for, in the coverage's words.
RANGE_NAMES = {
    "1XX": "informational",
    "2XX": "successes",
    "3XX": "redirections",
    "4XX": "client errors",
    "5XX": "server errors",
}
_PARAMETER = re.compile(r"\{[^/{}]+\}")
#: The status an attempt received, at the start of its outcome (``"503 Service Unavailable"``).
_ATTEMPT_STATUS = re.compile(r"^(\d{3})\b")


class DocumentError(ValueError):
    """The OpenAPI document cannot be read as one; the message says what is wrong."""


@dataclass(frozen=True, order=True)
class Operation:
    """One documented operation: ``POST /orders``."""

    method: str
    template: str

    def __str__(self) -> str:
        return f"{self.method} {self.template}"

    @classmethod
    def parse(cls, key: str) -> Operation:
        """``"POST /orders"`` -> Operation; a malformed key raises ValueError."""
        method, _, template = key.partition(" ")
        if not method.isalpha() or not template.startswith("/") or " " in template:
            raise ValueError(f"{key!r} is not an operation: expected 'METHOD /path', e.g. 'GET /'")
        return cls(method.upper(), template)


def operation_key(key: str, known: Collection[str] | None = None) -> str:
    """The operation a key of a settings file names (``"POST /orders"``), checked against
    ``known`` (the document's operation keys); ValueError saying why when it is none."""
    operation = str(Operation.parse(key))
    if known is not None and operation not in known:
        close = difflib.get_close_matches(operation, list(known), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"{key!r} is not an operation of the API's document{hint}")
    return operation


@dataclass(frozen=True, kw_only=True, slots=True)
class Call:
    """One logical request of a run: its method, URL path and the answer of each attempt.

    ``attempts`` holds, per attempt, the status received (``None``: no answer, a connection
    error or a timeout) and the attempt's own duration in seconds (without the wait before it).
    """

    method: str
    path: str
    attempts: tuple[tuple[int | None, float], ...]

    def to_json(self) -> list[Any]:
        """A compact form, for passing calls between processes."""
        return [self.method, self.path, [list(attempt) for attempt in self.attempts]]

    @classmethod
    def from_json(cls, data: list[Any]) -> Call:
        """The inverse of :meth:`to_json`."""
        method, path, attempts = data
        return cls(method=method, path=path, attempts=tuple((s, float(d)) for s, d in attempts))


def api_call(exchange: Exchange, base_path: str) -> Call:
    """What coverage and latency need of an exchange: method, path below the base URL, and
    each attempt's status (None: no answer) and duration without the wait before it."""
    path = urlsplit(exchange.url).path
    if base_path and path.startswith(base_path):
        path = path[len(base_path) :] or "/"
    attempts = []
    started = 0.0  # when this attempt began, from the start of the first
    for attempt in exchange.attempts:
        status = _ATTEMPT_STATUS.match(attempt.outcome)
        attempts.append(
            (int(status.group(1)) if status else None, max(0.0, attempt.elapsed_seconds - started))
        )
        started = attempt.elapsed_seconds + attempt.wait_seconds
    return Call(method=exchange.method, path=path, attempts=tuple(attempts))


def documented_operations(document: Mapping[str, Any]) -> dict[Operation, tuple[str, ...]]:
    """Every operation of an OpenAPI 3 document with the response statuses it documents."""
    paths = document.get("paths")
    if not isinstance(paths, Mapping) or not paths:
        raise DocumentError("the OpenAPI document has no 'paths': it documents no operation")
    found: dict[Operation, tuple[str, ...]] = {}
    for template, item in paths.items():
        if not isinstance(item, Mapping):
            continue
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, Mapping):
                continue
            responses = operation.get("responses", {})
            statuses = sorted(str(code).upper() for code in responses if _STATUS.match(str(code)))
            found[Operation(method.upper(), str(template))] = tuple(statuses)
    if not found:
        raise DocumentError("the OpenAPI document's 'paths' hold no operation")
    return dict(sorted(found.items()))


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = _PARAMETER.split(template)
    return re.compile("[^/]+".join(re.escape(part) for part in parts) + "/?")


class PathMatcher:
    """Finds the documented operation of a request from its method and URL path."""

    def __init__(self, operations: Iterable[Operation]) -> None:
        # OpenAPI: concrete paths match before templated ones; among templated ones, fewer
        # parameters first, then more literal text (``/orders/{id}/fills`` before ``/{a}/{b}``).
        ranked = sorted(
            set(operations),
            key=lambda op: (
                len(_PARAMETER.findall(op.template)),
                -len(_PARAMETER.sub("", op.template)),
                op.template,
                op.method,
            ),
        )
        self._candidates = [(op, _template_pattern(op.template)) for op in ranked]

    def match(self, method: str, path: str) -> Operation | None:
        """The operation ``method path`` belongs to (query excluded), or None."""
        path = path.split("?", 1)[0] or "/"
        method = method.upper()
        for operation, pattern in self._candidates:
            if operation.method == method and pattern.fullmatch(path):
                return operation
        return None


def is_range(documented: str) -> bool:
    """Whether a documented status is a range (``"5XX"``) rather than one status."""
    return documented.endswith("XX")


def _received(status: int, documented: str) -> bool:
    text = str(status)
    return documented == text or (is_range(documented) and documented[0] == text[0])


def _answers(status: int, documented: str, statuses: tuple[str, ...]) -> bool:
    """Whether ``status`` is an answer of ``documented`` among an operation's ``statuses``:
    a range only takes the statuses the operation does not enumerate (OpenAPI's precedence)."""
    if is_range(documented):
        return str(status) not in statuses and _received(status, documented)
    return _received(status, documented)


@dataclass(frozen=True, kw_only=True)
class Coverage:
    """What a run exercised of a document: per operation, attempts by status received.

    ``received`` maps an operation key (``"POST /orders"``) to {status: attempts that received
    it}; ``outside`` maps ``"METHOD /path"`` of requests no operation matches to their count.
    """

    documented: dict[str, tuple[str, ...]]
    received: dict[str, dict[int, int]] = field(default_factory=dict)
    outside: dict[str, int] = field(default_factory=dict)

    @classmethod
    def measure(
        cls, documented: Mapping[Operation, tuple[str, ...]], calls: Iterable[Call]
    ) -> Coverage:
        """Match every call to its operation and count the statuses its attempts received."""
        matcher = PathMatcher(documented)
        received: dict[str, Counter[int]] = {}
        outside: Counter[str] = Counter()
        for call in calls:
            operation = matcher.match(call.method, call.path)
            if operation is None:
                outside[f"{call.method} {call.path.split('?', 1)[0]}"] += 1
                continue
            counts = received.setdefault(str(operation), Counter())
            counts.update(status for status, _ in call.attempts if status is not None)
        return cls(
            documented={str(op): statuses for op, statuses in documented.items()},
            received={key: dict(sorted(c.items())) for key, c in sorted(received.items()) if c},
            outside=dict(sorted(outside.items())),
        )

    # -- the figures --------------------------------------------------------------------------

    def exercised_operations(self) -> list[str]:
        """Documented operations at least one attempt received an answer from."""
        return [key for key in self.documented if self.received.get(key)]

    def _exercised(self, operation: str) -> list[str]:
        """Everything ``operation`` documents, statuses and ranges, that some attempt received."""
        got = self.received.get(operation, {})
        documented = self.documented[operation]
        return [d for d in documented if any(_answers(s, d, documented) for s in got)]

    def exercised_statuses(self, operation: str) -> list[str]:
        """The enumerated statuses of ``operation`` that some attempt received."""
        return [d for d in self._exercised(operation) if not is_range(d)]

    def missing_statuses(self, operation: str) -> list[str]:
        """The enumerated statuses of ``operation`` that no attempt received."""
        exercised = set(self.exercised_statuses(operation))
        return [d for d in self.documented[operation] if not is_range(d) and d not in exercised]

    def exercised_ranges(self, operation: str) -> list[str]:
        """The ranges of ``operation`` (``"5XX"``) some attempt received a status of."""
        return [d for d in self._exercised(operation) if is_range(d)]

    def undocumented(self, operation: str) -> list[int]:
        """Statuses received that ``operation`` does not document (a contract finding)."""
        documented = self.documented.get(operation, ())
        return [
            s
            for s in self.received.get(operation, {})
            if not any(_received(s, d) for d in documented)
        ]

    @property
    def operations(self) -> tuple[int, int]:
        """(exercised, documented) operations."""
        return len(self.exercised_operations()), len(self.documented)

    @property
    def statuses(self) -> tuple[int, int]:
        """(exercised, documented) enumerated statuses, over all operations; ranges apart."""
        exercised = sum(len(self.exercised_statuses(op)) for op in self.documented)
        documented = sum(
            1 for statuses in self.documented.values() for d in statuses if not is_range(d)
        )
        return exercised, documented

    @property
    def ranges(self) -> dict[str, tuple[int, int]]:
        """Per documented range (``"5XX"``): (operations that received a status of it,
        operations that document it)."""
        found: dict[str, list[int]] = {}
        for operation, statuses in self.documented.items():
            seen = set(self.exercised_ranges(operation))
            for documented in filter(is_range, statuses):
                counts = found.setdefault(documented, [0, 0])
                counts[0] += documented in seen
                counts[1] += 1
        return {key: (seen, total) for key, (seen, total) in sorted(found.items())}

    def range_lines(self) -> list[str]:
        """``server errors (5XX): seen on 9 of 23 operations that document them``, per range."""
        return [
            f"{RANGE_NAMES.get(key, 'statuses')} ({key}): seen on {seen} of {total} "
            f"operation{'s' if total != 1 else ''} that document{'' if total != 1 else 's'} them"
            for key, (seen, total) in self.ranges.items()
        ]

    def merged(self, other: Coverage) -> Coverage:
        """One coverage of two runs (CI shards) of the same document."""
        if other.documented != self.documented:
            raise DocumentError("the runs were measured against different OpenAPI documents")
        received: dict[str, Counter[int]] = {}
        outside: Counter[str] = Counter(self.outside)
        outside.update(other.outside)
        for part in (self.received, other.received):
            for key, counts in part.items():
                received.setdefault(key, Counter()).update(counts)
        return Coverage(
            documented=self.documented,
            received={key: dict(sorted(c.items())) for key, c in sorted(received.items())},
            outside=dict(sorted(outside.items())),
        )

    # -- layouts ------------------------------------------------------------------------------

    def headline(self) -> str:
        """``API coverage: 23/23 operations, 142/157 documented statuses (90.4%)``."""
        done, total = self.operations
        got, documented = self.statuses
        return (
            f"API coverage: {done}/{total} operations, {got}/{documented} documented statuses "
            f"({percent(got, documented):.1f}%)"
        )

    def _gaps(self) -> list[tuple[str, str]]:
        """(operation, what is missing or unexpected) for every operation with a gap."""
        gaps = []
        for operation in self.documented:
            if not self.received.get(operation):
                gaps.append((operation, "not exercised"))
                continue
            notes = []
            missing = self.missing_statuses(operation)
            if missing:
                notes.append(f"missing {', '.join(missing)}")
            extra = self.undocumented(operation)
            if extra:
                notes.append(f"undocumented {', '.join(map(str, extra))} received")
            if notes:
                gaps.append((operation, "; ".join(notes)))
        return gaps

    def text(self) -> str:
        """The coverage for the terminal: headline, ranges, then each gap on a line."""
        lines = [self.headline(), *self.range_lines()]
        gaps = self._gaps()
        width = max((len(op) for op, _ in gaps), default=0)
        lines += [f"  {op:<{width}}  {note}" for op, note in gaps]
        if self.outside:
            lines.append(f"requests matching no documented operation: {sum(self.outside.values())}")
            lines += [f"  {key} ×{count}" for key, count in self.outside.items()]
        return "\n".join(lines)

    def markdown(self) -> str:
        """The coverage as a Markdown table: every operation, its statuses exercised and not."""
        lines = [
            "## API coverage",
            "",
            f"{self.headline().removeprefix('API coverage: ')}.",
            *(f"{line[0].upper()}{line[1:]}." for line in self.range_lines()),
            "",
            "A status counts when any attempt received it, a retried one included. The"
            " percentage is over the statuses documented one by one; a range (`5XX`) is"
            " counted on its own line.",
            "",
            # Three columns: a fourth is cut off on the right of the report's page.
            "| operation | exercised | missing |",
            "| --- | --- | --- |",
        ]
        undocumented = []
        for operation in self.documented:
            if not self.received.get(operation):
                lines.append(f"| `{operation}` | **not exercised** | |")
                continue
            lines.append(
                f"| `{operation}` | {', '.join(self._exercised(operation))} "
                f"| {', '.join(self.missing_statuses(operation))} |"
            )
            if self.undocumented(operation):
                received = ", ".join(map(str, self.undocumented(operation)))
                undocumented.append(f"- `{operation}`: {received}")
        if undocumented:
            lines += ["", "Statuses received that the document does not list:", "", *undocumented]
        if self.outside:
            lines += ["", "Requests matching no documented operation:", ""]
            lines += [f"- `{key}` ×{count}" for key, count in self.outside.items()]
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """The data, for :meth:`from_json` (and for merging CI shards)."""
        data = {
            "documented": {key: list(statuses) for key, statuses in self.documented.items()},
            "received": {
                key: {str(status): n for status, n in counts.items()}
                for key, counts in self.received.items()
            },
            "outside": self.outside,
            "operations": list(self.operations),
            "statuses": list(self.statuses),
            "ranges": {key: list(counts) for key, counts in self.ranges.items()},
        }
        return json.dumps(data, indent=1) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Coverage:
        """Read what :meth:`to_json` wrote."""
        data = json.loads(text)
        return cls(
            documented={key: tuple(value) for key, value in data["documented"].items()},
            received={
                key: {int(status): int(n) for status, n in counts.items()}
                for key, counts in data["received"].items()
            },
            outside={key: int(n) for key, n in data["outside"].items()},
        )


def percent(part: int, whole: int) -> float:
    """``part`` of ``whole`` in percent (0 of nothing is 0)."""
    return 100.0 * part / whole if whole else 0.0
