"""``.env.example`` names every setting of the suite, each with what it means and its default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from framework.settings import Settings, load_settings
from steps.runner import PROJECT_ROOT
from steps.suite_settings import SuiteSettings, load_suite_settings

EXAMPLE = PROJECT_ROOT / ".env.example"

#: Every variable the settings read, as people write them.
VARIABLES = sorted(
    [name.upper() for name in Settings.model_fields]
    + [f"SUITE_{name.upper()}" for name in SuiteSettings.model_fields]
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder, with none of the settings in the environment."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_every_setting_is_in_the_example_under_a_comment_saying_what_it_is() -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    setting = re.compile(r"# [A-Z_]+=")
    for name in VARIABLES:
        [index] = [i for i, line in enumerate(lines) if line.startswith(f"# {name}=")]
        while setting.match(lines[index - 1]):  # a pair (username, password) shares one
            index -= 1
        assert lines[index - 1].startswith("# "), (name, lines[index - 1])


def test_the_example_as_it_is_sets_nothing(folder: Path) -> None:
    (folder / ".env").write_text(EXAMPLE.read_text(encoding="utf-8"))
    assert load_settings(root=folder) == Settings()


def test_the_examples_values_are_the_defaults(folder: Path) -> None:
    uncommented = re.sub(r"(?m)^# ([A-Z_]+=)", r"\1", EXAMPLE.read_text(encoding="utf-8"))
    (folder / ".env").write_text(uncommented)
    framework = load_settings(root=folder)
    assert framework == Settings()
    assert load_suite_settings(framework, root=folder) == SuiteSettings()
