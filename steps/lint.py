"""The feature lint: business language only, one wording per concept, no secrets, right tags.

Run ``python -m steps.lint [feature files or folders]`` (default: ``features/``); it prints
one line per problem, ``path:line: rule: message``, sorted by file and line, and exits 1
when there is any. The same checks run in ``tests/acceptance/test_lint.py``.
``scenarios()`` also reads the feature files for the suite's own counts (scenarios per
domain, error codes used).
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from gherkin.parser import Parser

from steps.definitions import entries, uses_controls

#: The project's root folder.
ROOT = Path(__file__).resolve().parent.parent
#: Where the feature files live.
FEATURES = ROOT / "features"
#: The configured wordings: for each concept, the one wording to use and those to avoid.
WORDING = FEATURES / "wording.toml"
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

#: The words that name a secret.
_SECRET_WORD = r"(?:password|passphrase|passwd|pwd|secret|token|api[_ -]?key)"  # noqa: S105 - a pattern

#: Literal secrets: a password or token written out (``password: x``, ``password "x"``,
#: ``password is "x"``, ``"x" as her password``), a bearer credential, a JWT, or a long
#: random-looking word (letters and digits mixed, 20 characters or more).
SECRET = re.compile(
    rf"\b{_SECRET_WORD}\b\s*(?:[:=]|(?:(?:is|was|of|set to)\s+)?\"[^\"]*\")"
    rf"|\"[^\"]+\"\s+as\s+(?:(?:her|his|their|the|a)\s+)?{_SECRET_WORD}\b"
    r"|\bBearer\s+\S+|\beyJ[\w-]{8,}"
    r"|\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{20,}\b",
    re.IGNORECASE,
)

#: An Examples column whose values are secrets, by its heading.
SECRET_COLUMN = re.compile(rf"\b{_SECRET_WORD}s?\b", re.IGNORECASE)

#: A number written alone that is an HTTP status, with the word after it (if any).
BARE_NUMBER = re.compile(r"(?<![\w.,])(\d{3})(?!\w|[.,]\d)(?:\W+(\w+))?")
#: The statuses HTTP defines: a bare number among them is read as one unless it counts.
STATUS_CODES = frozenset(int(status) for status in HTTPStatus)
#: A number that counts something is followed by what it counts (a plural noun, a symbol)
#: or by "at a time"; these words after a number make it a status, not a count.
NOT_COUNTED = frozenset({"status", "code", "error", "errors", "response", "answer", "reply"})


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


def _line_texts(node: dict[str, Any]) -> list[tuple[int, str]]:
    """(line, text) of a scenario's or background's steps and Examples cells."""
    lines: list[tuple[int, str]] = [
        (step["location"]["line"], step["text"]) for step in node.get("steps", ())
    ]
    for examples in node.get("examples", ()):
        for row in [examples["tableHeader"], *examples["tableBody"]]:
            if row is not None:
                lines += [(cell["location"]["line"], cell["value"]) for cell in row["cells"]]
    return lines


def _step_problems(
    path: Path, node: dict[str, Any], wording: Sequence[Wording]
) -> Iterator[Problem]:
    """Mechanics, secrets or avoided wordings in a scenario's steps, background steps or
    Examples cells."""
    for line, text in _line_texts(node):
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
            yield _secret(path, line, secret.group(0))
        for concept in wording:
            for avoided in concept.avoid:
                if re.search(rf"(?<!\w){re.escape(avoided)}(?!\w)", text, re.IGNORECASE):
                    yield Problem(
                        path=path,
                        line=line,
                        rule="wording",
                        message=f"{avoided!r} in {text!r}: write {concept.use!r}, the one "
                        f"wording of {concept.concept} ({_shown(WORDING)})",
                    )
    for examples in node.get("examples", ()):
        header = examples.get("tableHeader")
        if header is None:
            continue
        for index, heading in enumerate(header["cells"]):
            if SECRET_COLUMN.search(heading["value"]):
                for row in examples["tableBody"]:
                    cell = row["cells"][index]
                    yield _secret(path, cell["location"]["line"], cell["value"])


def _secret(path: Path, line: int, found: str) -> Problem:
    return Problem(
        path=path,
        line=line,
        rule="secret",
        message=f"{found!r} looks like a password or a token: generate secrets in the step "
        "definition, never write them in a feature",
    )


def _rendered(node: dict[str, Any]) -> list[tuple[list[str], int | None]]:
    """Each row of an outline as its step texts with the row's values in (and the row's
    line); a plain scenario's steps as written."""
    texts = [step["text"] for step in node.get("steps", ())]
    rows: list[tuple[list[str], int | None]] = []
    for examples in node.get("examples", ()):
        header = examples.get("tableHeader")
        if header is None:
            continue
        names = [cell["value"] for cell in header["cells"]]
        for row in examples["tableBody"]:
            values = dict(zip(names, (cell["value"] for cell in row["cells"]), strict=False))
            rendered = [_render(text, values) for text in texts]
            rows.append((rendered, row["location"]["line"]))
    return rows or [(texts, None)]


def _render(text: str, values: dict[str, str]) -> str:
    """A step of an outline with a row's values in place of its ``<names>``."""
    return re.sub(r"<([^<>]+)>", lambda match: values.get(match.group(1), match.group(0)), text)


def _status_number(text: str) -> str | None:
    """A number in ``text`` that reads as an HTTP status rather than a count, if any."""
    for match in BARE_NUMBER.finditer(text):
        number, following = match.group(1), match.group(2)
        if int(number) not in STATUS_CODES:
            continue
        counted = (
            following is not None
            and following.lower() not in NOT_COUNTED
            and (
                following.endswith("s")
                or re.fullmatch(r"[A-Z]{1,5}", following) is not None
                or text[match.end(1) :].lstrip().startswith("at a time")
            )
        )
        if not counted:
            return number
    return None


#: Gherkin's keyword types, as pytest-bdd's step types ("And" and "But" keep the last one).
_STEP_TYPES = {"Context": "given", "Action": "when", "Outcome": "then"}


def _typed(steps: Sequence[dict[str, Any]], texts: Sequence[str]) -> list[tuple[str, str]]:
    """(type, text) of each step: given, when or then, as pytest-bdd matches them."""
    typed, current = [], "given"
    for step, text in zip(steps, texts, strict=True):
        current = _STEP_TYPES.get(step.get("keywordType", ""), current)
        typed.append((current, text))
    return typed


#: Whether a step of a type (given, when, then) with a text uses the sandbox controls.
Controls = Callable[[str, str], bool]


def controls_in_steps() -> Controls:
    """Whether a step of a type and text is one whose definition uses the sandbox controls."""
    using = [entry for entry in entries() if uses_controls(entry)]
    return lambda kind, text: any(entry.matches(kind, text) for entry in using)


def _steps_problems(
    path: Path,
    node: dict[str, Any],
    scenario: Scenario,
    background: Sequence[dict[str, Any]],
    controls: Controls,
) -> Iterator[Problem]:
    """Status codes in the steps as each row renders them, and sandbox controls used by a
    scenario not tagged @sandbox."""
    steps = [*background, *node.get("steps", ())]
    for texts, row in _rendered({**node, "steps": steps}):
        where = f" (the Examples row of line {row})" if row is not None else ""
        typed = _typed(steps, texts)
        for step, (kind, text) in zip(steps, typed, strict=True):
            line = step["location"]["line"]
            number = _status_number(text)
            if number is not None:
                yield Problem(
                    path=path,
                    line=line,
                    rule="status-code",
                    message=f"{number} in {text!r}{where} reads as a status code: say what "
                    "the customer sees (the order is refused with reason …); an amount is "
                    f"written as money ({number}.00), a count names what it counts "
                    f"({number} shares)",
                )
            if "sandbox" not in scenario.tags and controls(kind, text):
                yield Problem(
                    path=path,
                    line=line,
                    rule="sandbox",
                    message=f"{text!r}{where} uses the sandbox controls: tag the scenario "
                    "@sandbox, so that it is skipped against a real deployment instead of "
                    "failing there",
                )


@dataclass(frozen=True, kw_only=True)
class Wording:
    """One concept's wording: the one to use and those to avoid."""

    concept: str
    use: str
    avoid: tuple[str, ...]


def wordings(path: Path = WORDING) -> list[Wording]:
    """The configured wordings (none when the file does not exist)."""
    if not path.exists():
        return []
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Wording(concept=entry["concept"], use=entry["use"], avoid=tuple(entry["avoid"]))
        for entry in config.get("wording", [])
    ]


def lint(
    paths: Sequence[Path] = (FEATURES,),
    *,
    tags: frozenset[str] | None = None,
    controls: Controls | None = None,
    wording: Sequence[Wording] | None = None,
) -> list[Problem]:
    """Every problem in the feature files under ``paths``, by file and line."""
    allowed = registered_tags() if tags is None else tags
    uses = controls_in_steps() if controls is None else controls
    words = wordings() if wording is None else wording
    problems: set[Problem] = set()
    first_seen: dict[str, Path] = {}
    smoke: list[Scenario] = []
    for path in feature_files(paths):
        feature = _parse(path)
        backgrounds = _backgrounds(feature)
        for child in backgrounds.values():
            problems.update(_step_problems(path, {"steps": child}, words))
        named: dict[str, int] = {}
        for node, scenario in _scenarios_of(path, feature):
            problems.update(_step_problems(path, node, words))
            background = backgrounds.get(None, []) + backgrounds.get(node["id"], [])
            problems.update(_steps_problems(path, node, scenario, background, uses))
            problems.update(
                Problem(path=path, line=line or scenario.line, rule=rule, message=message)
                for line, rule, message in _scenario_problems(
                    node, scenario, named, first_seen, allowed
                )
            )
            named.setdefault(scenario.name, scenario.line)
            first_seen.setdefault(scenario.name, path)
            if "smoke" in scenario.tags:
                smoke.append(scenario)
    counted = sum(scenario.counted for scenario in smoke)
    if counted > SMOKE_MAX:
        problems.add(
            Problem(
                path=smoke[-1].path,
                line=smoke[-1].line,
                rule="smoke",
                message=f"the smoke set holds {counted} scenarios, more than {SMOKE_MAX}",
            )
        )
    return sorted(problems, key=lambda p: (str(p.path), p.line, p.rule, p.message))


def _backgrounds(feature: dict[str, Any]) -> dict[str | None, list[dict[str, Any]]]:
    """The background steps of the feature (key None) and of each rule, by the id of every
    scenario of that rule."""
    found: dict[str | None, list[dict[str, Any]]] = {}
    for child in feature.get("children", []):
        if "background" in child:
            found[None] = list(child["background"]["steps"])
        if "rule" in child:
            rule_steps = [
                step
                for grandchild in child["rule"]["children"]
                if "background" in grandchild
                for step in grandchild["background"]["steps"]
            ]
            if rule_steps:
                for grandchild in child["rule"]["children"]:
                    if "scenario" in grandchild:
                        found[grandchild["scenario"]["id"]] = rule_steps
    return found


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
    if node["examples"] and scenario.rows == 1:
        yield (
            None,
            "one-row-outline",
            f"{scenario.name!r} is an outline with one Examples row: write it as a Scenario, "
            "with the row's values in its steps",
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
    """Print every problem; exit 1 when there is any, 2 when a path does not exist."""
    parser = argparse.ArgumentParser(
        prog="python -m steps.lint",
        description="Lint feature files: business language only, one wording per concept "
        f"({_shown(WORDING)}), no secrets, unique names, registered tags, @sandbox where "
        "the sandbox controls are used, no one-row outlines, a small smoke set.",
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="feature files or folders (default: features/)",
    )
    args = parser.parse_args(argv)
    paths = [path.resolve() for path in args.paths] or [FEATURES]
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
