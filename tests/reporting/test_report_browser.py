"""The report as a person sees it: rendered by headless Chromium from a local server."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tests.reporting.browser import SCREENSHOTS, is_png, read, render
from tests.reporting.conftest import SCENARIO_CATEGORIES


def test_report_renders_every_scenario_and_calls_no_other_host(
    built_report: Path, serve: Any
) -> None:
    served = serve(built_report)
    screenshot = SCREENSHOTS / "report-results.png"
    rendered = read(render(served.url, screenshot))
    assert sorted(rendered.leaf_titles) == sorted(SCENARIO_CATEGORIES)
    assert "Trading API acceptance" in rendered.text
    assert is_png(screenshot)
    assert served.violations == []


def test_categories_page_shows_each_failure_category(built_report: Path, serve: Any) -> None:
    served = serve(built_report)
    rendered = read(render(served.url + "#categories", SCREENSHOTS / "report-categories.png"))
    categories = {category for category in SCENARIO_CATEGORIES.values() if category}
    assert categories <= set(rendered.text)
    assert served.violations == []


def test_a_third_party_script_would_be_reported(
    built_report: Path, serve: Any, tmp_path: Path
) -> None:
    """The check above can fail: a page that loads a tracker produces a violation."""
    tampered = tmp_path / "tampered"
    shutil.copytree(built_report, tampered)
    index = tampered / "index.html"
    tracker = '<script async src="https://www.googletagmanager.com/gtag/js?id=G-TEST"></script>'
    index.write_text(
        index.read_text(encoding="utf-8").replace("</body>", f"{tracker}</body>"),
        encoding="utf-8",
    )
    served = serve(tampered)
    render(served.url, tmp_path / "tampered.png")
    blocked = [violation["blocked-uri"] for violation in served.violations]
    assert blocked == ["https://www.googletagmanager.com/gtag/js?id=G-TEST"]
