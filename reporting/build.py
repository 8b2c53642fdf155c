"""Build the acceptance suite's HTML report from one or more Allure results folders.

    python -m reporting.build --results reports/allure-results [--results more…] \\
        [--output reports/html] [--history reports/history/history.jsonl]

It runs Allure 3 (``node_modules/.bin/allure generate``, configured by ``allurerc.mjs``),
which merges the folders (one per CI shard), classifies failures into the suite's categories
and appends this run to the history file; then it strips the third-party scripts Allure embeds
and refuses to finish while the page still refers to another host.

The run summary, API coverage and latency that the report plugin wrote into the results
folders (``summary.json``, ``api-coverage.json``, ``api-latency.json``) are merged across the
folders and attached to the report as global attachments (Allure's ``*-globals.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from reporting.artifacts import FolderBusyError, claim
from reporting.offline import external_references, strip_third_party_scripts
from reporting.summary import SUMMARY_DATA, RunSummary, api_figures

#: The project's root: where package.json, allurerc.mjs and node_modules live.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Where the report goes when --output is not given.
DEFAULT_OUTPUT = PROJECT_ROOT / "reports" / "html"
#: The history file (JSON Lines, one line per run) when neither --history nor
#: ALLURE_HISTORY_PATH says otherwise; CI carries it from run to run.
DEFAULT_HISTORY = PROJECT_ROOT / "reports" / "history" / "history.jsonl"
#: Upper bound for one `allure generate`, in seconds; it takes about 2 s for a small suite.
GENERATE_TIMEOUT = 300
#: Files whose presence marks a folder as a report this command may replace.
_REPORT_MARKERS = ("index.html", "summary.json")


class ReportError(Exception):
    """The report cannot be built; the message says why and what to do."""


@dataclass(frozen=True, kw_only=True)
class ReportOptions:
    """What to build: from which results folders, into which folder, with which history."""

    results: tuple[Path, ...]
    output: Path = DEFAULT_OUTPUT
    history: Path = DEFAULT_HISTORY
    project_root: Path = PROJECT_ROOT


def _allure_executable(project_root: Path) -> Path:
    executable = project_root / "node_modules" / ".bin" / "allure"
    if not executable.exists():
        raise ReportError(
            f"Allure is not installed ({executable} is missing): run `make setup-node` "
            "(npm ci from package-lock.json) in the project root"
        )
    return executable


def _check_results(results: tuple[Path, ...], output: Path) -> None:
    if not any(any(folder.glob("*-result.json")) for folder in results):
        # The report of an earlier run would still say what that run said: remove it.
        _clear_output(output)
        listed = ", ".join(str(folder) for folder in results)
        raise ReportError(
            f"no report: no Allure results (*-result.json) in {listed}, so the run stopped "
            f"before any scenario (its output says why); no earlier report is left in {output}"
        )


def _clear_output(output: Path) -> None:
    """Empty the output folder: Allure nests its pages one level down in a non-empty one.

    The files that mark it as a report go last, so a removal that fails half-way (the
    message names the file and why) leaves a folder the next build still recognises.
    """
    if not output.exists():
        return
    if not output.is_dir():
        raise ReportError(f"output {output} is a file: pass a folder to --output")
    contents = list(output.iterdir())
    if contents and not all((output / marker).exists() for marker in _REPORT_MARKERS):
        raise ReportError(
            f"output folder {output} is not empty and holds no earlier report: "
            "pass an empty or new folder to --output"
        )
    markers = [output / marker for marker in _REPORT_MARKERS]
    try:
        for path in contents:
            if path in markers:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, onerror=_raise_with_full_path)
            else:
                path.unlink()
        for path in markers:
            path.unlink()
        output.rmdir()
    except OSError as error:
        raise ReportError(
            f"cannot remove the earlier report in {output}: {error.filename}: "
            f"{error.strerror or error}; fix its permissions, or pass another --output"
        ) from None


def _raise_with_full_path(
    function: object, path: str, info: tuple[type[BaseException], BaseException, object]
) -> NoReturn:
    """``shutil.rmtree``'s error handler: its own error names a file without its folder."""
    error = info[1]
    strerror = getattr(error, "strerror", None) or str(error)
    raise OSError(getattr(error, "errno", None), strerror, path) from None


def _make_offline(output: Path) -> list[str]:
    """Strip third-party scripts from every page; return what was removed."""
    removed: list[str] = []
    for page in sorted(output.rglob("*.html")):
        html, page_removed = strip_third_party_scripts(page.read_text(encoding="utf-8"))
        page.write_text(html, encoding="utf-8")
        removed += [f"{page.relative_to(output)}: {item}" for item in page_removed]
        remaining = external_references(html)
        if remaining:
            raise ReportError(
                f"{page} still refers to another host after stripping: {'; '.join(remaining)}. "
                "A new Allure version may embed something new: extend reporting/offline.py"
            )
    return removed


def write_global_attachments(results: tuple[Path, ...], folder: Path) -> list[str]:
    """Write the run summary and the merged coverage and latency into ``folder`` as Allure
    global attachments (the run's summary merged across the folders, as CI's shards are).

    Returns the attachments' names (none when no results folder has the data).
    """
    try:
        coverage, latency = api_figures(results)
        summaries = [
            path.read_text(encoding="utf-8")
            for path in (folder / SUMMARY_DATA for folder in results)
            if path.exists()
        ]
        summary = RunSummary.from_json(summaries).markdown() if summaries else None
    except (ValueError, KeyError, TypeError) as error:
        raise ReportError(
            f"cannot read or merge the run summary, API coverage and latency of "
            f"{', '.join(map(str, results))} ({error}); rerun the suite to write them again"
        ) from None
    texts = [
        (name, text)
        for name, text in (
            ("Run summary", summary),
            ("API coverage", coverage.markdown() if coverage else None),
            ("Latency per operation", latency.markdown() if latency else None),
        )
        if text is not None
    ]
    if not texts:
        return []
    attachments = []
    for name, text in texts:
        source = f"{uuid.uuid4()}-attachment.md"
        (folder / source).write_text(text, encoding="utf-8")
        attachments.append(
            {
                "name": name,
                "source": source,
                "type": "text/markdown",
                "timestamp": int(time.time() * 1000),
            }
        )
    globals_file = folder / f"{uuid.uuid4()}-globals.json"
    globals_file.write_text(json.dumps({"attachments": attachments, "errors": []}), "utf-8")
    return [name for name, _ in texts]


def build_report(options: ReportOptions) -> Path:
    """Generate the report and make it self-contained; return the path of its index.html."""
    allure = _allure_executable(options.project_root)
    if not options.results:
        raise ReportError("no results folder given: pass --results <folder> at least once")
    results = tuple(folder.resolve() for folder in options.results)
    output = options.output.resolve()
    for folder in results:
        if folder == output or output in folder.parents:
            raise ReportError(f"results folder {folder} lies inside the output folder {output}")
    for folder in results:
        if not folder.is_dir():
            raise ReportError(
                f"results folder {folder} does not exist: run the suite with "
                f"`pytest --alluredir {folder}` first, or pass the folder it wrote"
            )
    with ExitStack() as held:
        # A run still writing a results folder holds it: its results are not complete yet.
        for folder in results:
            try:
                held.enter_context(claim(folder, what="Allure results", option="--results"))
            except FolderBusyError as busy:
                raise ReportError(
                    f"a run ({busy.holder}) is still writing its results in {folder}: build "
                    "the report once it has ended"
                ) from None
            except OSError as error:
                raise ReportError(str(error)) from None
        _check_results(results, output)
        return _generate(allure, options, results, output)


def _generate(
    allure: Path, options: ReportOptions, results: tuple[Path, ...], output: Path
) -> Path:
    """Run ``allure generate`` into ``output`` and make the report self-contained."""
    _clear_output(output)
    options.history.parent.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "ALLURE_HISTORY_PATH": str(options.history.resolve()),
        # Honoured by some Allure plugins only; the stripping below covers the others.
        "ALLURE_NO_ANALYTICS": "true",
    }
    with tempfile.TemporaryDirectory(prefix="report-globals-") as scratch:
        extra = Path(scratch)
        command = [
            str(allure),
            "generate",
            *map(str, results),
            *([str(extra)] if write_global_attachments(results, extra) else []),
            "--output",
            str(output),
            "--config",
            str(options.project_root / "allurerc.mjs"),
            "--cwd",
            str(options.project_root),
        ]
        try:
            completed = subprocess.run(  # noqa: S603 (fixed executable, arguments are paths)
                command,
                env=environment,
                capture_output=True,
                text=True,
                timeout=GENERATE_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ReportError(f"allure generate did not finish in {GENERATE_TIMEOUT} s") from None
    index = output / "index.html"
    if completed.returncode != 0 or not index.exists():
        detail = (completed.stderr or completed.stdout).strip() or "no output"
        raise ReportError(f"allure generate failed (exit {completed.returncode}): {detail}")
    for item in _make_offline(output):
        print(f"removed from the report: {item}")
    return index


def _parse_arguments(argv: list[str] | None) -> ReportOptions:
    parser = argparse.ArgumentParser(
        prog="python -m reporting.build",
        description="Build the HTML report from Allure results folders (one per CI shard).",
    )
    parser.add_argument(
        "--results",
        action="append",
        type=Path,
        required=True,
        metavar="FOLDER",
        help="an Allure results folder; repeat to merge several",
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="report folder (default: %(default)s)"
    )
    parser.add_argument(
        "--history",
        type=Path,
        default=Path(os.environ.get("ALLURE_HISTORY_PATH", DEFAULT_HISTORY)),
        help="history file, JSON Lines, appended to on every build "
        "(default: $ALLURE_HISTORY_PATH or %(default)s)",
    )
    arguments = parser.parse_args(argv)
    return ReportOptions(
        results=tuple(arguments.results), output=arguments.output, history=arguments.history
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    options = _parse_arguments(argv)
    try:
        index = build_report(options)
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"report: {index}")
    print(f"history: {options.history.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
