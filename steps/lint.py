"""The feature lint: business language only, unique names, registered tags, no secrets.

Run ``python -m steps.lint [feature files or folders]`` (default: ``features/``); it prints
one line per problem, ``path:line: rule: message``, and exits 1 when there is any. The
same checks run in ``tests/acceptance/test_lint.py``. ``scenarios()`` also reads the
feature files for the suite's own counts (scenarios per domain, error codes used).
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gherkin.parser import Parser

#: The project's root folder.
ROOT = Path(__file__).resolve().parent.parent
#: Where the feature files live.
FEATURES = ROOT / "features"
#: An outline counts at most this many of its Examples rows.
ROWS_COUNTED = 5
#: The most scenarios the smoke set may hold.
SMOKE_MAX = 20

#: What a step must not say, by rule: mechanics belong in step definitions.
FORBIDDEN: dict[str, re.Pattern[str]] = {
    "url": re.compile(r"https?://|www\.|(?<![\w.])/[a-z_{}-]+(?:/|\b)", re.IGNORECASE),
    "http-verb": re.compile(r"\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b"),
    "status-code": re.compile(
        r"\b(?:HTTP|status(?: code)?)\s*[1-5]\d\d\b|\b[1-5]\d\d\s+(?:OK|Created|No Content|"
        r"Bad Request|Unauthorized|Forbidden|Not Found|Conflict|Unprocessable|Too Many)",
        re.IGNORECASE,
    ),
    "json": re.compile(r"[{}\[\]]|\"\w+\"\s*:"),
    "header": re.compile(
        r"\b(?:Idempotency-Key|Authorization|Retry-After|Content-Type|WWW-Authenticate|"
        r"Idempotent-Replayed|X-[A-Za-z]+(?:-[A-Za-z]+)*)\b",
        re.IGNORECASE,
    ),
}

#: Literal secrets: a password or token written out, a bearer credential, a JWT, or a long
#: random-looking word (letters and digits mixed, 20 characters or more).
SECRET = re.compile(
    r"\b(?:password|passwd|pwd|secret|token|api[_-]?key)\s*(?:[:=]|is\s+\")"
    r"|\bBearer\s+\S+|\beyJ[\w-]{8,}"
    r"|\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{20,}\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing wrong in a feature file."""

    path: Path
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{_shown(self.path)}:{self.line}: {self.rule}: {self.message}"


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A scenario as the suite counts it, with every tag it carries (inherited included)."""

    path: Path
    line: int
    name: str
    tags: frozenset[str]
    rows: int  #: Examples rows (1 for a plain scenario)
    texts: tuple[str, ...]  #: step texts and Examples cells

    @property
    def counted(self) -> int:
        """How many scenarios it counts for: an outline counts at most ROWS_COUNTED rows."""
        return min(self.rows, ROWS_COUNTED)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def feature_files(paths: Sequence[Path]) -> list[Path]:
    """The ``.feature`` files of the paths given (folders searched recursively)."""
    found: list[Path] = []
    for path in paths:
        found += sorted(path.rglob("*.feature")) if path.is_dir() else [path]
    return found


def registered_tags(pyproject: Path = ROOT / "pyproject.toml") -> frozenset[str]:
    """The markers registered in ``pyproject.toml``: the only tags a feature may use."""
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    markers = config["tool"]["pytest"]["ini_options"]["markers"]
    return frozenset(marker.split(":")[0].strip() for marker in markers)


def _parse(path: Path) -> dict[str, Any]:
    document: Any = Parser().parse(path.read_text(encoding="utf-8"))
    feature: dict[str, Any] = document.get("feature") or {}
    return feature


def _tags(node: dict[str, Any]) -> frozenset[str]:
    return frozenset(tag["name"].lstrip("@") for tag in node.get("tags", ()))


def _scenarios_of(path: Path, feature: dict[str, Any]) -> Iterator[tuple[dict[str, Any], Scenario]]:
    def walk(
        children: list[dict[str, Any]], inherited: frozenset[str]
    ) -> Iterator[tuple[dict[str, Any], Scenario]]:
        for child in children:
            if "rule" in child:
                rule = child["rule"]
                yield from walk(rule["children"], inherited | _tags(rule))
            elif "scenario" in child:
                node = child["scenario"]
                rows = sum(len(examples["tableBody"]) for examples in node["examples"])
                cells = [
                    cell["value"]
                    for examples in node["examples"]
                    for row in examples["tableBody"]
                    for cell in row["cells"]
                ]
                yield (
                    node,
                    Scenario(
                        path=path,
                        line=node["location"]["line"],
                        name=node["name"],
                        tags=inherited | _tags(node),
                        rows=rows or 1,
                        texts=tuple(step["text"] for step in node["steps"]) + tuple(cells),
                    ),
                )

    yield from walk(feature.get("children", []), _tags(feature))


def scenarios(paths: Sequence[Path] = (FEATURES,)) -> list[Scenario]:
    """Every scenario of the feature files under ``paths``."""
    found: list[Scenario] = []
    for path in feature_files(paths):
        found += [scenario for _, scenario in _scenarios_of(path, _parse(path))]
    return found


def _step_problems(path: Path, node: dict[str, Any]) -> Iterator[Problem]:
    """Mechanics or secrets in a scenario's steps, background steps or Examples cells."""
    lines: list[tuple[int, str]] = [
        (step["location"]["line"], step["text"]) for step in node.get("steps", ())
    ]
    for examples in node.get("examples", ()):
        for row in [examples["tableHeader"], *examples["tableBody"]]:
            if row is not None:
                lines += [(cell["location"]["line"], cell["value"]) for cell in row["cells"]]
    for line, text in lines:
        for rule, pattern in FORBIDDEN.items():
            match = pattern.search(text)
            if match:
                yield Problem(
                    path=path,
                    line=line,
                    rule=rule,
                    message=f"{match.group(0)!r} in {text!r}: say what the customer does, "
                    "and leave the mechanics to the step definition",
                )
        secret = SECRET.search(text)
        if secret:
            yield Problem(
                path=path,
                line=line,
                rule="secret",
                message=f"{secret.group(0)!r} looks like a password or a token: generate "
                "secrets in the step definition, never write them in a feature",
            )


def lint(
    paths: Sequence[Path] = (FEATURES,), *, tags: frozenset[str] | None = None
) -> list[Problem]:
    """Every problem in the feature files under ``paths``."""
    allowed = registered_tags() if tags is None else tags
    problems: list[Problem] = []
    first_seen: dict[str, Path] = {}
    smoke: list[Scenario] = []
    for path in feature_files(paths):
        feature = _parse(path)
        rules = [child["rule"] for child in feature.get("children", []) if "rule" in child]
        for child in feature.get("children", []) + [c for r in rules for c in r["children"]]:
            if "background" in child:
                problems += _step_problems(path, child["background"])
        named: dict[str, int] = {}
        for node, scenario in _scenarios_of(path, feature):
            problems += _step_problems(path, node)
            problems += [
                Problem(path=path, line=line or scenario.line, rule=rule, message=message)
                for line, rule, message in _scenario_problems(
                    node, scenario, named, first_seen, allowed
                )
            ]
            named.setdefault(scenario.name, scenario.line)
            first_seen.setdefault(scenario.name, path)
            if "smoke" in scenario.tags:
                smoke.append(scenario)
    counted = sum(scenario.counted for scenario in smoke)
    if counted > SMOKE_MAX:
        problems.append(
            Problem(
                path=smoke[-1].path,
                line=smoke[-1].line,
                rule="smoke",
                message=f"the smoke set holds {counted} scenarios, more than {SMOKE_MAX}",
            )
        )
    return problems


def _scenario_problems(
    node: dict[str, Any],
    scenario: Scenario,
    named: dict[str, int],
    first_seen: dict[str, Path],
    allowed: frozenset[str],
) -> Iterator[tuple[int | None, str, str]]:
    """(line or None for the scenario's, rule, message) of what is wrong with one scenario."""
    if scenario.name in named:
        yield (
            None,
            "duplicate-name",
            f"{scenario.name!r} is also the name of line {named[scenario.name]} "
            "(pytest-bdd would silently keep only one)",
        )
    elif scenario.name in first_seen:
        yield (
            None,
            "duplicate-name",
            f"{scenario.name!r} is also a scenario of {_shown(first_seen[scenario.name])}: "
            "names must be unique in the suite",
        )
    for tag in sorted(scenario.tags - allowed):
        yield (
            None,
            "unknown-tag",
            f"@{tag} is not registered: add it to the markers in pyproject.toml, "
            "or use one of " + ", ".join(sorted(allowed)),
        )
    for examples in node["examples"]:
        if examples.get("tags"):
            yield (
                examples["location"]["line"],
                "examples-tag",
                "tag the scenario, not its Examples (pytest-bdd ignores them)",
            )
    if {"smoke", "sandbox"} <= scenario.tags:
        yield (
            None,
            "smoke",
            "a @smoke scenario must run on a real deployment with one existing customer: "
            "it cannot need the sandbox controls",
        )


def missing_codes(
    codes: Iterable[str], excluded: Iterable[str] = (), paths: Sequence[Path] = (FEATURES,)
) -> list[str]:
    """The ``codes`` (not ``excluded``) that no step or Examples cell under ``paths`` names."""
    words = {
        word
        for scenario in scenarios(paths)
        for text in scenario.texts
        for word in re.findall(r"\w+", text)
    }
    return sorted(set(codes) - set(excluded) - words)


def main(argv: Sequence[str] | None = None) -> int:
    """Print every problem; exit 1 when there is any."""
    args = sys.argv[1:] if argv is None else argv
    paths = [Path(arg).resolve() for arg in args] or [FEATURES]
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        print(f"steps.lint: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    problems = lint(paths)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
