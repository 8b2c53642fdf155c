"""The README's example scenario is lint-clean and passes against the sandbox, as written."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from steps.lint import lint
from steps.runner import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"


def _example() -> str:
    """The first Gherkin block of the README's "Writing a scenario", as a feature file."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Writing a scenario") :]
    match = re.search(r"```gherkin\n(.*?)```", section, re.DOTALL)
    assert match, "the README's 'Writing a scenario' has no Gherkin example"
    body = textwrap.indent(textwrap.dedent(match.group(1)), "  ")
    return f"@orders\nFeature: The README's example\n{body}"


def test_the_readmes_example_has_no_lint_problem(tmp_path: Path) -> None:
    path = tmp_path / "readme.feature"
    path.write_text(_example(), encoding="utf-8")
    assert [str(problem) for problem in lint([path])] == []


def test_the_readmes_example_passes_against_the_sandbox(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("API_URL", "API_USERNAME", "API_PASSWORD", "ENVIRONMENT", "SUITE_OPEN_ACCOUNTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    pytester.makefile(".feature", readme=_example())
    pytester.makeconftest((PROJECT_ROOT / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(
        test_readme_example="from pytest_bdd import scenarios\n\nscenarios('readme.feature')\n"
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:randomly", "-p", "no:cacheprovider", "-m", "acceptance", "-W", "ignore"
    )
    result.assert_outcomes(passed=1)
