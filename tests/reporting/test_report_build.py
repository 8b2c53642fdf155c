"""The report built from a real pytest-bdd run: its data, categories, history and HTML."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from reporting.build import ReportError, ReportOptions, build_report, main
from tests.reporting.conftest import SCENARIO_CATEGORIES


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _scenario_names(report: Path) -> list[str]:
    return sorted(
        test["name"] for test in _read_json(report / "test-results.json")["byId"].values()
    )


def _scenarios_by_category(report: Path) -> dict[str, set[str]]:
    """Walk the categories tree Allure wrote: category name -> names of the tests under it."""
    tree = _read_json(report / "widgets" / "categories.json")
    nodes = tree["nodes"]

    def tests_under(node_id: str) -> set[str]:
        node = nodes[node_id]
        if node["type"] == "tr":
            return {node["name"]}
        return set().union(*(tests_under(child) for child in node.get("childrenIds", [])))

    return {nodes[root]["name"]: tests_under(root) for root in tree["roots"]}


class _PageResources(HTMLParser):
    """Every script and stylesheet address of a page, and the code of its inline scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.addresses: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self._in_script = True
            if values.get("src"):
                self.addresses.append(values["src"] or "")
        if tag == "link" and values.get("href"):
            self.addresses.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def test_report_lists_every_scenario_of_the_run(built_report: Path) -> None:
    assert _scenario_names(built_report) == sorted(SCENARIO_CATEGORIES)


def test_gherkin_steps_are_report_steps(built_report: Path) -> None:
    passed = [
        _read_json(path)
        for path in (built_report / "data" / "test-results").glob("*.json")
        if _read_json(path)["status"] == "passed"
    ]
    assert [[step["name"] for step in test["steps"]] for test in passed] == [
        [
            "Given Alice has 10000.00 USD of buying power",
            "When Alice places a limit order to buy 10 AAPL at 150.00",
            "Then the order is accepted",
        ]
    ]


def test_failures_land_in_the_category_their_message_or_label_names(built_report: Path) -> None:
    expected: dict[str, set[str]] = {}
    for scenario, category in SCENARIO_CATEGORIES.items():
        if category is not None:
            expected.setdefault(category, set()).add(scenario)
    assert _scenarios_by_category(built_report) == expected


def test_page_loads_nothing_from_another_host(built_report: Path) -> None:
    page = _PageResources()
    page.feed((built_report / "index.html").read_text(encoding="utf-8"))
    assert page.addresses, "the parser found no script or stylesheet at all"
    external = [
        address
        for address in page.addresses
        if urlsplit(address).netloc or urlsplit(address).scheme not in ("", "data")
    ]
    assert external == []
    for code in page.inline_scripts:
        assert "://" not in code
        assert "gtag" not in code.lower()
        assert "googletagmanager" not in code.lower()


def test_shards_merge_into_one_report(allure_results: Path, tmp_path: Path) -> None:
    shards = (tmp_path / "shard-1", tmp_path / "shard-2")
    for shard in shards:
        shard.mkdir()
    for number, result in enumerate(sorted(allure_results.glob("*-result.json"))):
        shutil.copy(result, shards[number % 2])
    index = build_report(
        ReportOptions(results=shards, output=tmp_path / "html", history=tmp_path / "h.jsonl")
    )
    assert _scenario_names(index.parent) == sorted(SCENARIO_CATEGORIES)


def test_a_rebuilt_report_carries_the_previous_run(allure_results: Path, tmp_path: Path) -> None:
    history = tmp_path / "carried" / "history.jsonl"
    options = ReportOptions(results=(allure_results,), output=tmp_path / "html", history=history)
    data = tmp_path / "html" / "data" / "test-results"
    build_report(options)
    first_statuses = {test["name"]: [test["status"]] for test in map(_read_json, data.glob("*"))}
    build_report(options)
    seen_by_second = {
        test["name"]: [entry["status"] for entry in test["history"]]
        for test in map(_read_json, data.glob("*"))
    }
    # Allure nests a second report one folder down when its output folder is not empty.
    assert not (tmp_path / "html" / "awesome").exists()
    assert len(first_statuses) == len(SCENARIO_CATEGORIES)
    assert seen_by_second == first_statuses
    runs = [json.loads(line) for line in history.read_text(encoding="utf-8").splitlines()]
    assert [run["name"] for run in runs] == ["Trading API acceptance"] * 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--results", "{tmp}/missing"], "results folder {tmp}/missing does not exist"),
        (
            ["--results", "{tmp}/empty", "--output", "{tmp}/html"],
            "no report: no Allure results (*-result.json) in {tmp}/empty",
        ),
        (
            ["--results", "{results}", "--output", "{tmp}/notes"],
            "output folder {tmp}/notes is not empty and holds no earlier report",
        ),
        (
            ["--results", "{results}", "--output", "{results}"],
            "lies inside the output folder",
        ),
    ],
)
def test_bad_input_gets_one_clear_error(
    arguments: list[str],
    message: str,
    allure_results: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me", encoding="utf-8")
    values = {"tmp": str(tmp_path), "results": str(allure_results)}
    argv = [argument.format(**values) for argument in arguments]
    argv += ["--history", str(tmp_path / "h.jsonl")]
    assert main(argv) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ")
    assert message.format(**values) in error
    assert "Traceback" not in error
    assert (tmp_path / "notes" / "todo.txt").exists()


def test_missing_node_modules_says_how_to_install(allure_results: Path, tmp_path: Path) -> None:
    options = ReportOptions(
        results=(allure_results,), output=tmp_path / "html", project_root=tmp_path
    )
    with pytest.raises(ReportError, match=r"run `make setup-node`"):
        build_report(options)


def _earlier_report(folder: Path) -> Path:
    """A folder laid out as a report this command built (its markers, pages, data)."""
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "test-results.json").write_text("[]", encoding="utf-8")
    for marker in ("index.html", "summary.json"):
        (folder / marker).write_text("passed", encoding="utf-8")
    return folder


def test_a_run_without_results_leaves_no_earlier_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    report = _earlier_report(tmp_path / "html")
    argv = ["--results", str(tmp_path / "empty"), "--output", str(report)]
    assert main([*argv, "--history", str(tmp_path / "h.jsonl")]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert f"no earlier report is left in {report}" in error
    assert not report.exists()


def test_a_report_that_cannot_be_removed_is_one_line_and_blocks_no_later_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    report = _earlier_report(tmp_path / "html")
    argv = ["--results", str(tmp_path / "empty"), "--output", str(report)]
    argv += ["--history", str(tmp_path / "h.jsonl")]

    def refuse(path: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    with monkeypatch.context() as patched:
        patched.setattr("reporting.build.shutil.rmtree", refuse)
        assert main(argv) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert f"cannot remove the earlier report in {report}: {report / 'data'}: Permission" in error
    assert (report / "index.html").exists(), "still recognisable as a report"
    assert main(argv) == 1
    assert "no earlier report is left" in capsys.readouterr().err
    assert not report.exists()
