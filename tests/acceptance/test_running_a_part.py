"""A run of a part of the suite (a feature file, a scenario by name), and the line that opens
every run: which API it targets and where that was configured."""

from __future__ import annotations

import re
import subprocess
from fnmatch import fnmatch
from pathlib import Path

import pytest

from steps.runner import PROJECT_ROOT, target_line
from tests.acceptance.suite_run import run_suite


def test_a_feature_file_runs_alone_and_the_run_first_names_its_target(tmp_path: Path) -> None:
    feature = "features/resilience/service_health.feature"
    result = run_suite(None, "-n", "2", "--feature-file", feature, artifacts=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0].startswith(
        "acceptance suite, target: the built-in sandbox, started for this run"
    )
    assert result.stdout.splitlines()[-1].startswith("1 passed")


def test_a_scenario_runs_alone_by_the_name_a_row_of_its_outline_renders(tmp_path: Path) -> None:
    name = "a page of 101 NOTIFICATIONS cannot be asked for"
    result = run_suite(None, "--scenario-name", name, artifacts=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("1 passed")


def collected(*options: str, artifacts: Path) -> tuple[int, int]:
    """How many items a run collects, and how many of them it selects (``--collect-only``)."""
    result = run_suite(None, "--collect-only", *options, artifacts=artifacts)
    assert result.returncode == 0, result.stdout + result.stderr
    found = re.search(r"(\d+)/(\d+) tests collected|(\d+) tests collected", result.stdout)
    assert found, result.stdout
    if found.group(3):
        return int(found.group(3)), int(found.group(3))
    return int(found.group(2)), int(found.group(1))


def test_a_run_of_scenarios_collects_only_the_modules_that_can_hold_them(tmp_path: Path) -> None:
    everything, _ = collected("-m", "acceptance or not acceptance", artifacts=tmp_path)
    suite, selected = collected(artifacts=tmp_path)  # run_suite's own -m acceptance
    assert suite == selected, "-m acceptance collected modules that hold no scenario"
    assert suite < everything
    one, picked = collected(
        "--scenario-name", "A customer signs in and sees her account", artifacts=tmp_path
    )
    assert picked == 1
    assert one < suite, "one scenario's run collected the modules of every domain"


@pytest.mark.parametrize(
    ("option", "value", "line"),
    [
        (
            "--scenario-name",
            "A page of 7 notifications cannot be asked for",
            "*--scenario-name 'A page of 7 notifications cannot be asked for': no scenario "
            "in features/ has that name; did you mean 'A page of 0 notifications cannot be "
            "asked for' or *",
        ),
        (
            "--feature-file",
            "features/orders/no_such.feature",
            "*--feature-file */features/orders/no_such.feature: no such feature file*",
        ),
        (
            "--feature-file",
            "features/no_such.feature",
            "*--feature-file */features/no_such.feature: no such feature file*",
        ),
    ],
)
def test_a_part_that_names_nothing_is_refused_in_one_line(
    tmp_path: Path, option: str, value: str, line: str
) -> None:
    result = run_suite(None, "-n", "2", option, value, artifacts=tmp_path)
    assert result.returncode == 4, result.stdout + result.stderr
    errors = [text for text in result.stderr.splitlines() if text.startswith("ERROR:")]
    assert len(errors) == 1, result.stderr
    assert fnmatch(errors[0], line), errors[0]


def test_make_acceptance_hands_a_feature_and_a_scenario_name_to_the_run() -> None:
    name = """An order to "SHORT" isn't placed"""
    commands = subprocess.run(
        ["make", "-n", "acceptance", "FEATURE=features/orders", f"SCENARIO={name}"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--feature-file features/orders" in commands
    assert """--scenario-name 'An order to "SHORT" isn'\\''t placed'""" in commands


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder, with none of the settings in the environment."""
    for name in ("API_URL", "ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_target_is_the_sandbox_when_nothing_names_one(folder: Path) -> None:
    assert target_line().startswith("the built-in sandbox, started for this run")


def test_the_target_says_which_file_named_it(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / ".env").write_text("API_URL=https://dev.example.com\n")
    assert target_line() == "https://dev.example.com (API_URL from .env)"
    (folder / ".env.staging").write_text("API_URL=https://staging.example.com\n")
    monkeypatch.setenv("ENVIRONMENT", "staging")
    assert target_line() == (
        "https://staging.example.com (API_URL from .env.staging, chosen by ENVIRONMENT=staging)"
    )
    monkeypatch.setenv("API_URL", "https://mine.example.com")
    assert target_line() == "https://mine.example.com (API_URL from the environment)"


def test_a_wrong_setting_leaves_the_target_to_the_runs_own_line(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_URL", "ftp://nowhere")
    assert target_line() == "not known yet, a setting is wrong (the run says which)"
