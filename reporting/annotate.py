"""Show the failures of JUnit XML files as GitHub Actions annotations on the run's page.

    python -m reporting.annotate reports/junit/*.xml

Each failed or broken test case becomes one ``::error`` line, which GitHub renders as an
annotation of the run (and of a pull request's checks). GitHub shows at most 10 error
annotations per step, so the first :data:`MAX_ANNOTATIONS` are annotated and a last line
counts the rest.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

#: GitHub's limit of error annotations per step.
MAX_ANNOTATIONS = 10
#: Characters of a failure message kept in an annotation.
MESSAGE_LIMIT = 500


@dataclass(frozen=True, kw_only=True)
class Failure:
    """One failed (assertion) or broken (error) test case of a JUnit file."""

    test: str
    kind: str
    message: str


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def failures(junit_xml: str) -> list[Failure]:
    """The failed and broken test cases of one JUnit XML document, in file order."""
    # The files are the test runner's own output, not input from outside.
    root = ElementTree.fromstring(junit_xml)  # noqa: S314
    found = []
    for case in root.iter("testcase"):
        for outcome in ("failure", "error"):
            element = case.find(outcome)
            if element is not None:
                name = ".".join(part for part in (case.get("classname"), case.get("name")) if part)
                message = element.get("message") or (element.text or "").strip()
                found.append(Failure(test=name, kind=outcome, message=message))
    return found


def annotation(failure: Failure) -> str:
    """The workflow command that shows ``failure`` as an error annotation."""
    title = _escape_property(f"{failure.kind}: {failure.test}")
    return f"::error title={title}::{_escape_data(failure.message[:MESSAGE_LIMIT])}"


def main(argv: list[str] | None = None) -> int:
    """Print the annotations of the given files; exit status 1 only for unreadable input."""
    paths = [Path(argument) for argument in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        print("usage: python -m reporting.annotate JUNIT_XML...", file=sys.stderr)
        return 1
    found: list[Failure] = []
    for path in paths:
        try:
            found += failures(path.read_text(encoding="utf-8"))
        except (OSError, ElementTree.ParseError) as error:
            print(f"error: cannot read JUnit XML {path}: {error}", file=sys.stderr)
            return 1
    for failure in found[:MAX_ANNOTATIONS]:
        print(annotation(failure))
    if len(found) > MAX_ANNOTATIONS:
        print(f"{len(found) - MAX_ANNOTATIONS} more failures: see the HTML report")
    return 0


if __name__ == "__main__":
    sys.exit(main())
