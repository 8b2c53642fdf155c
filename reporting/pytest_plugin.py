"""The acceptance report's pytest plugin: what each step sent, why a scenario failed, and a summary.

Loaded from the root ``conftest.py``. For every pytest-bdd scenario:

- **Known defects.** A tag ``@defect:TRD-123`` makes the scenario a strict expected failure: a
  product defect or contract drift is reported as the known defect; a pass fails the run (the
  defect is fixed: remove the tag); any other failure (the environment, a test bug) stays a
  failure. ``@issue:ID`` and ``@req:ID`` only link. Severity tags: ``@blocker`` … ``@trivial``.
- **Failure categories.** A failure is classified by :func:`framework.classify.classify` (a
  message starting ``[product defect]``-style names its category itself) and counted in the
  summary printed at the end of the run and written to ``reports/summary.md``, with the
  transient faults that retries absorbed and a command that reruns each failed scenario.
  Under xdist the workers pass this on in ``report.user_properties`` to the controller.

- **Bug reports and replays.** A failed scenario is laid out as a bug report
  (:mod:`reporting.failure`): what pytest prints, JUnit holds and the report shows; and its
  requests and failed check are written as a standalone replay (:mod:`reporting.replay`,
  ``--replay-dir``), attached to the scenario.

With ``--alluredir`` (allure-pytest-bdd), the results also get:

- each scenario's exchanges as a HAR file (:mod:`reporting.har`); each step's requests and
  attempts in its name; a retried scenario's tag ``retried ×N`` and label ``attempts``;
- step parameters as the feature writes them (not the step function's arguments);

- every HTTP exchange, redacted, attached to the Gherkin step that made it (a listener on each
  :class:`framework.client.ApiClient` a fixture returns);
- labels: epic (the domain folder), feature, story (the ``Rule:``), severity, links from tags,
  and ``failure_category`` on failure; the run's environment in ``environment.properties``;
- a result for a scenario that never started (skipped by a mark, failed or skipped in fixture
  set-up), which allure-pytest-bdd does not write, so the report counts every scenario;
- everything written to a result passes through the clients' redactors first (names,
  parameters of steps, which allure-pytest-bdd takes from every step argument, messages).

**API coverage and latency.** Every request a scenario makes is kept (method, path, each
attempt's status and duration; under xdist the workers hand theirs to the controller in
``workeroutput``). At the end of the run the controller reads the target's OpenAPI document
and adds to the summary which documented operations and statuses the run exercised
(:mod:`trust.coverage`) and each operation's p50/p95 per attempt (:mod:`trust.latency`); their
data go to ``api-coverage.json`` and ``api-latency.json`` beside the summary and in the Allure
results, from which ``reporting.build`` attaches them to the report.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import threading
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import allure
import allure_commons
import pytest
from _pytest._code.code import ReprEntryNative, ReprExceptionInfo, ReprFileLocation, ReprTraceback
from allure_commons.model2 import (
    ExecutableItem,
    Label,
    Link,
    Parameter,
    Status,
    StatusDetails,
    TestResult,
    TestStepResult,
)
from allure_commons.types import LabelType
from allure_commons.utils import md5, now, platform_label, uuid4
from allure_pytest_bdd.utils import (
    apply_link_pattern,
    convert_params,
    get_allure_description,
    get_full_name,
    get_history_id,
    iter_pytest_tags,
)
from pytest_bdd.exceptions import StepDefinitionNotFoundError
from pytest_bdd.parser import ScenarioTemplate, Step
from pytest_bdd.scenario import scenario_wrapper_template_registry
from pytest_bdd.steps import StepFunctionContext, step_function_context_registry

from framework.checks import Check, CheckKind, check_of
from framework.classify import FailureCategory, classify
from framework.client import ApiClient, Exchange
from framework.errors import (
    FrameworkError,
    RetriesExhausted,
)
from framework.redaction import Redactor
from framework.settings import load_settings
from reporting.artifacts import (
    ALLURE_FILES,
    DATA_FILES,
    RUN_RECORD,
    FolderBusyError,
    Run,
    claim,
    make_folder,
    remove_stale,
    stamp,
)
from reporting.failure import BugReport, StepPlace, split_message
from reporting.har import har
from reporting.replay import Failure, Sent, replay_name, replay_source
from reporting.summary import (
    Outcome,
    RunSummary,
    ScenarioResult,
    fault_kind,
    first_line,
)
from trust.coverage import (
    COVERAGE_FILE,
    Call,
    Coverage,
    DocumentError,
    api_call,
    documented_operations,
)
from trust.latency import LATENCY_FILE, Latency

#: The Allure label that puts a failed scenario under its category (see allurerc.mjs).
CATEGORY_LABEL = "failure_category"
#: Severity tags, most severe first (Allure's severity levels).
SEVERITIES = ("blocker", "critical", "normal", "minor", "trivial")
#: The severity of a scenario with no severity tag.
DEFAULT_SEVERITY = "normal"
#: Tags that carry a tracker id (``@defect:TRD-123``) -> the Allure link type they make.
LINK_TAGS = {"defect": "issue", "issue": "issue", "req": "requirement"}
#: What a known defect may fail as and still count as that defect: the product's fault.
#: Any other failure (the environment, a bug in a step) fails the scenario as usual.
DEFECT_CATEGORIES = frozenset({FailureCategory.PRODUCT_DEFECT, FailureCategory.CONTRACT_DRIFT})
#: Where the summary goes unless --run-summary says otherwise (relative to the rootdir).
DEFAULT_SUMMARY = Path("reports") / "summary.md"

_LINK_TAG = re.compile(rf"^({'|'.join(LINK_TAGS)})(?::(.*))?$")
_TRACKER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
_MESSAGE_CATEGORY = re.compile(
    rf"^\s*\[({'|'.join(re.escape(str(c)) for c in FailureCategory)})\]", re.IGNORECASE
)
# user_properties keys through which workers tell the controller about a scenario.
_SCENARIO = "scenario"
_CATEGORY = "failure_category"
_MESSAGE = "failure_message"
_FAULT = "transient_fault"
_STAGED = "staged_fault"
_STEP = "failed_step"
_REPLAY = "replay"
#: Labels allure-pytest-bdd adds that say nothing of a scenario (the machine, the thread).
_NO_LABELS = frozenset({LabelType.HOST, LabelType.THREAD})
#: The tag of a scenario whose requests were retried (``retried ×3``), a filter of the report.
RETRIED_TAG = "retried"
#: The label that says how many attempts a retried scenario's requests took.
ATTEMPTS_LABEL = "attempts"
#: Where the replays of failed scenarios go unless --replay-dir says otherwise.
DEFAULT_REPLAY_DIR = Path("reports") / "replay"
#: The workeroutput key under which an xdist worker hands its requests to the controller.
_CALLS = "acceptance_api_calls"
#: The workeroutput key under which an xdist worker hands on the scenarios it selected.
_SELECTED = "acceptance_selected"
#: The workerinput key of the file through which the controller stops the workers' run.
_STOP_FILE = "acceptance_stop_file"
#: Scenarios in a row (across all workers) failing on the environment that stop the run.
STOP_AFTER = 3
#: A report section's title: pytest writes ``Captured <name> <phase>``.
_SECTION = re.compile(r"Captured (.+) (?:setup|call|teardown)")

_INFO = pytest.StashKey["ScenarioInfo"]()


@dataclass(frozen=True, kw_only=True)
class ScenarioInfo:
    """What the report says about one scenario item, worked out once at collection."""

    name: str
    full_name: str
    #: ``features/orders/market_orders.feature:9``: the scenario's file (relative) and line
    where: str
    title_path: tuple[str, ...]
    description: str
    steps: tuple[str, ...]
    parameters: dict[str, str]
    labels: tuple[tuple[str, str], ...]
    #: (url, name, link type)
    links: tuple[tuple[str, str, str], ...]


def categorize(error: BaseException) -> FailureCategory:
    """The failure category of an exception: its message's ``[category]`` tag, else classify."""
    tagged = _MESSAGE_CATEGORY.match(str(error))
    if tagged:
        return FailureCategory(tagged.group(1).lower())
    # pytest-timeout fails a scenario that outlived its limit; every request has its own
    # deadline, so a scenario that still hangs is waiting on the API, not on test code.
    if isinstance(error, pytest.fail.Exception) and str(error).startswith("Timeout"):
        return FailureCategory.ENVIRONMENT
    return classify(error)


def is_product_failure(error: BaseException) -> bool:
    """Whether a failure is the product's (a product defect or contract drift)."""
    return categorize(error) in DEFECT_CATEGORIES


def _domain(feature_file: Path) -> str | None:
    """``features/market_data/quotes.feature`` -> ``Market data``."""
    if feature_file.parent.parent.name != "features":
        return None
    return feature_file.parent.name.replace("_", " ").capitalize()


def _template(item: pytest.Item) -> ScenarioTemplate | None:
    function = getattr(item, "obj", None)
    template = scenario_wrapper_template_registry.get(function) if function else None
    return template if isinstance(template, ScenarioTemplate) else None


def _outline_values(item: pytest.Item) -> dict[str, str]:
    callspec = getattr(item, "callspec", None)
    values = callspec.params.get("_pytest_bdd_example", {}) if callspec else {}
    return dict(values)


def scenario_info(item: pytest.Item, template: ScenarioTemplate) -> ScenarioInfo:
    """Labels, links and names of a scenario item, as allure-pytest-bdd would name it."""
    values = _outline_values(item)
    scenario = template.render(values)
    feature = template.feature
    feature_file = Path(feature.filename)
    labels = [(LabelType.FEATURE, feature.name)]
    domain = _domain(feature_file)
    if domain:
        labels.append((LabelType.EPIC, domain))
    if template.rule is not None:
        labels.append((LabelType.STORY, template.rule.name))
    severity = next(
        (name for name in SEVERITIES if item.get_closest_marker(name) is not None),
        DEFAULT_SEVERITY,
    )
    labels.append((LabelType.SEVERITY, severity))
    patterns = dict(getattr(item.config.option, "allure_link_pattern", []))
    links = [
        (apply_link_pattern(patterns, LINK_TAGS[kind], mark.args[0]), mark.args[0], LINK_TAGS[kind])
        for kind in LINK_TAGS
        for mark in item.iter_markers(kind)
    ]
    try:
        parts = feature_file.relative_to(item.config.rootpath).parts
    except ValueError:
        parts = feature_file.parts[-1:]
    return ScenarioInfo(
        name=scenario.name,
        full_name=get_full_name(feature, scenario),
        where=f"{'/'.join(parts)}:{template.line_number}",
        title_path=(*parts[:-1], feature.name or parts[-1]),
        description=get_allure_description(item, feature, scenario) or "",
        steps=tuple(f"{step.keyword} {step.name}" for step in scenario.steps),
        parameters=values,
        labels=tuple(labels),
        links=tuple(links),
    )


def render_exchange(exchange: Exchange) -> str:
    """The attachment text of one exchange: request, response, attempts, curl, request id."""
    return f"{exchange.render()}\n\nRequest ID\n  {exchange.request_id}\n"


def absorbed_faults(exchange: Exchange) -> list[str]:
    """The kinds of the retried attempts of an exchange whose retries did not run out."""
    if isinstance(exchange.error, RetriesExhausted):
        return []
    return [fault_kind(attempt.outcome) for attempt in exchange.attempts[:-1]]


def _git_commit(root: Path) -> str:
    if os.environ.get("GITHUB_SHA"):
        return os.environ["GITHUB_SHA"]
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 (git from PATH, as a developer runs it)
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return completed.stdout.strip() or "unknown"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _property_line(key: str, value: str) -> str:
    """One line of a Java properties file (what Allure reads ``environment.properties`` as)."""
    escaped = value.replace("\\", "\\\\").replace("\n", "\\n")
    return f"{key}={escaped}"


@dataclass
class _Collected:
    """The controller's view of one scenario, built from its phase reports."""

    outcome: Outcome = Outcome.PASSED
    category: FailureCategory | None = None
    message: str = ""
    step: str = ""
    replay: str = ""
    faults: list[str] = field(default_factory=list)
    staged: list[str] = field(default_factory=list)


@dataclass
class _Current:
    """The scenario item running in this process, and what happened to it so far."""

    item: pytest.Item
    info: ScenarioInfo
    started: bool = False  #: allure-pytest-bdd opened its result (the scenario began)
    labelled: bool = False  #: failure_category is on the result
    faults: list[str] = field(default_factory=list)
    #: faults met after the scenario armed faults itself: staged, not weather
    staged: list[str] = field(default_factory=list)
    armed: bool = False
    setup_error: BaseException | None = None
    reports: list[pytest.TestReport] = field(default_factory=list)
    step: StepPlace | None = None  #: the Gherkin step running now
    failed_step: StepPlace | None = None
    #: step title (``Then Alice has 8,500.00 in cash``) -> its parameters as written
    parameters: dict[str, dict[str, str]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)  #: the scenario's requests, in order
    #: step text -> [requests, attempts] of the requests it sent
    per_step: dict[str, list[int]] = field(default_factory=dict)
    report: BugReport | None = None  #: the failure as a bug report, once it failed


class ReportPlugin:
    """Per-run state of the plugin; registered by :func:`pytest_configure`."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config
        folder = getattr(config.option, "allure_report_dir", None)
        self.results_dir = Path(folder).resolve() if folder else None
        self._lock = threading.Lock()
        self._fallback: Redactor | None = None
        self._clients: list[ApiClient] = []
        self._current: _Current | None = None
        self._environment_written = False
        self._collected: dict[str, _Collected] = {}
        #: base URL -> the requests scenarios sent there (the controller: every worker's)
        self._calls: dict[str, list[Call]] = {}
        #: the scenarios the run selected (the controller: as its workers collected them)
        self._selected: set[str] = set()
        #: the environment failures in a row, as the controller saw the scenarios end
        self._streak: list[str] = []
        #: why the run stopped before its end
        self.stopped: str | None = None
        #: where the controller tells its workers that the run stopped (written once)
        self._stop_file = self._stop_channel(config)
        #: this run, once the acceptance runner has started it (the controller's)
        self.run: Run | None = None
        self._session: pytest.Session | None = None

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Keep the session: a summary that cannot be written fails the run."""
        self._session = session

    def _stop_channel(self, config: pytest.Config) -> Path:
        workerinput = getattr(config, "workerinput", None)
        if workerinput is not None:
            return Path(workerinput[_STOP_FILE])
        descriptor, name = tempfile.mkstemp(prefix="acceptance-stop-")
        os.close(descriptor)
        config.add_cleanup(Path(name).unlink)
        return Path(name)

    # -- redaction ---------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        """``text`` through the redactor of every client seen (each knows the secrets it
        learned), else through one that knows the configured secrets."""
        redactors = [client.redactor for client in self._clients]
        if not redactors:
            if self._fallback is None:
                try:
                    secrets = load_settings().literal_secrets()
                except Exception:  # noqa: BLE001 (a settings error is reported by the runner)
                    secrets = []
                self._fallback = Redactor(secrets)
            redactors = [self._fallback]
        for redactor in redactors:
            text = redactor.text(text)
        return text

    def _redact_item(self, item: ExecutableItem) -> None:
        text = self.redact
        item.name = text(item.name) if item.name else item.name
        item.description = text(item.description) if item.description else item.description
        details = item.statusDetails
        if details is not None:
            details.message = text(details.message) if details.message else details.message
            details.trace = text(details.trace) if details.trace else details.trace
        for parameter in item.parameters:
            parameter.value = text(str(parameter.value))
        for attachment in item.attachments:
            attachment.name = text(attachment.name) if attachment.name else attachment.name
        for step in item.steps:
            self._redact_item(step)

    @allure_commons.hookimpl(tryfirst=True)
    def report_result(self, result: TestResult) -> None:
        """Rewrite and redact a result just before allure's file logger writes it.

        The failure becomes the bug report, step parameters are the step's words as the
        feature writes them (not the step function's arguments, fixtures included), and
        the host and thread labels, which say nothing of the scenario, go.
        """
        current = self._current
        if current is not None and current.started and current.setup_error is None:
            self._label_category(current, result)
        if current is not None:
            self._rewrite(current, result)
        self._redact_item(result)

    def _rewrite(self, current: _Current, result: TestResult) -> None:
        bug = current.report
        if bug is not None:
            result.statusDetails = StatusDetails(message=bug.headline, trace=bug.text())
        for step in result.steps:
            text = step.name
            if text in current.parameters:
                step.parameters = [
                    Parameter(name=name, value=value)
                    for name, value in current.parameters[text].items()
                ]
            if bug is not None and step.status in (Status.FAILED, Status.BROKEN):
                step.statusDetails = StatusDetails(message=bug.headline)
            if text in current.per_step:
                step.name = f"{text}  ·  {_attempts_shown(*current.per_step[text])}"
        result.labels = [label for label in result.labels if label.name not in _NO_LABELS]

    def _label_category(self, current: _Current, result: TestResult) -> None:
        """A strict expected failure that passed has no exception: it is the test's defect."""
        if current.labelled or result.status not in (Status.FAILED, Status.BROKEN):
            return
        message = result.statusDetails.message if result.statusDetails else ""
        if message and "XPASS(strict)" in message:
            result.labels.append(Label(name=CATEGORY_LABEL, value=str(FailureCategory.TEST_DEFECT)))

    # -- collection --------------------------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Work out each scenario's labels; make every ``@defect:ID`` a strict expected failure."""
        for item in items:
            template = _template(item)
            if template is None:
                continue
            item.stash[_INFO] = scenario_info(item, template)
            for mark in item.iter_markers("defect"):
                item.add_marker(
                    pytest.mark.xfail(
                        strict=True,
                        raises=pytest.RaisesExc(check=is_product_failure),
                        reason=f"known defect {mark.args[0]} (a pass means it is fixed: remove "
                        f"the @defect:{mark.args[0]} tag)",
                    )
                )

    # -- the HTTP exchanges ------------------------------------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any, request: pytest.FixtureRequest) -> Any:
        """Listen to every ApiClient a fixture hands out."""
        value = yield
        if isinstance(value, ApiClient) and all(value is not seen for seen in self._clients):
            self._clients.append(value)
            base_url = value.transport.base_url
            base_path = urlsplit(base_url).path.rstrip("/")
            value.add_listener(lambda exchange: self._on_exchange(exchange, base_url, base_path))
            self._write_environment(value)
        return value

    def _on_exchange(self, exchange: Exchange, base_url: str, base_path: str) -> None:
        current = self._current
        if current is None:
            return  # outside any scenario (the runner's probe of the target)
        faults = absorbed_faults(exchange)
        call = api_call(exchange, base_path)
        with self._lock:
            (current.staged if current.armed else current.faults).extend(faults)
            if current.step is not None:  # the set-up's are the session fixtures' requests
                current.sent.append(Sent(exchange=exchange, step=str(current.step)))
                counts = current.per_step.setdefault(current.step.text, [0, 0])
                counts[0] += 1
                counts[1] += len(exchange.attempts)
            if exchange.status is not None and self._config.hook.pytest_acceptance_arms_faults(
                method=exchange.method, path=call.path, status=exchange.status
            ):
                current.armed = True
            self._calls.setdefault(base_url, []).append(call)
            if current.started and self.results_dir is not None:
                allure.attach(
                    render_exchange(exchange),
                    name=exchange.summary,
                    attachment_type=allure.attachment_type.TEXT,
                )

    def _write_environment(self, client: ApiClient) -> None:
        """``environment.properties``: what the report shows as the run's environment."""
        if self.results_dir is None or self._environment_written:
            return
        self._environment_written = True
        config = self._config
        seed = getattr(config.option, "randomly_seed", None)
        settings = client.settings
        properties = {
            "target": client.redactor.url(client.transport.base_url),
            "commit": _git_commit(config.rootpath),
            "random_order_seed": str(seed) if seed is not None else "off (-p no:randomly)",
            "xdist_workers": os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"),
            "retries": (
                f"{settings.api_max_attempts} attempts, {settings.api_deadline:g} s deadline"
            ),
            "redaction": "on" if settings.api_redaction else "OFF",
            "python": platform.python_version(),
            **{name: _version(name) for name in ("pytest", "pytest-bdd", "allure-pytest-bdd")},
        }
        self.results_dir.mkdir(parents=True, exist_ok=True)
        text = "".join(_property_line(k, self.redact(v)) + "\n" for k, v in properties.items())
        # Every xdist worker writes the same file: replace it atomically.
        partial = self.results_dir / f"environment.properties.{os.getpid()}.tmp"
        partial.write_text(text, encoding="utf-8")
        partial.replace(self.results_dir / "environment.properties")

    # -- running a scenario ------------------------------------------------------------------

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """Tell each xdist worker where to look for the controller's stop."""
        node.workerinput[_STOP_FILE] = str(self._stop_file)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Note the scenarios selected: those that never run are listed as not run."""
        self._selected = {item.nodeid for item in session.items if _INFO in item.stash}

    def run_stopped(self) -> bool:
        """Whether the run has stopped (the controller said so): no scenario starts then."""
        if self.stopped is None and self._stop_file.stat().st_size:
            self.stopped = self._stop_file.read_text(encoding="utf-8")
        return self.stopped is not None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item) -> Generator[None, object, object]:
        """Follow one scenario; write its result if allure-pytest-bdd never opened one."""
        info = item.stash.get(_INFO, None)
        self._current = _Current(item=item, info=info) if info is not None else None
        try:
            return (yield)
        finally:
            current, self._current = self._current, None
            if current is not None and not current.started and self.results_dir is not None:
                self._write_unstarted(current)

    @pytest.hookimpl(trylast=True, optionalhook=True)
    def pytest_bdd_before_scenario(self) -> None:
        """Label the result allure-pytest-bdd has just opened."""
        current = self._current
        if current is None or self.results_dir is None:
            return
        current.started = True
        for name, value in current.info.labels:
            allure.dynamic.label(name, value)
        for url, name, link_type in current.info.links:
            allure.dynamic.link(url, link_type=link_type, name=name)

    def _attach_exchanges(self, current: _Current, report: pytest.TestReport) -> None:
        """The scenario's exchanges as a HAR file, the sections the suite added to its report
        (a missing step's definition), and, when its requests were retried, the tag
        ``retried ×N`` (N attempts more than requests, a filter of the report) and the label
        ``attempts``."""
        for title, text in _suite_sections(report):
            allure.attach(text, name=title, attachment_type=allure.attachment_type.TEXT)
        if not current.sent:
            return
        allure.attach(
            har(current.sent, page=f"{current.info.name} ({current.info.where})"),
            name="HTTP exchanges (HAR)",
            attachment_type="application/json",
            extension="har",
        )
        requests = len(current.sent)
        attempts = sum(len(sent.exchange.attempts) for sent in current.sent)
        if attempts > requests:
            allure.dynamic.tag(f"{RETRIED_TAG} ×{attempts - requests}")
            allure.dynamic.label(ATTEMPTS_LABEL, _attempts_shown(requests, attempts))

    def _place(self, step: Step, parameters: dict[str, str] | None = None) -> StepPlace:
        """A step as the feature writes it, where it is, and its parameters as written."""
        assert self._current is not None
        feature = self._current.info.where.rpartition(":")[0]
        return StepPlace(
            text=self.redact(f"{step.keyword} {step.name}"),
            where=f"{feature}:{step.line_number}",
            parameters={name: self.redact(value) for name, value in (parameters or {}).items()},
        )

    @pytest.hookimpl(optionalhook=True)
    def pytest_bdd_before_step(self, step: Step) -> None:
        """Remember the step that runs now: the requests it sends are its own."""
        if self._current is not None:
            self._current.step = self._place(step)

    @pytest.hookimpl(optionalhook=True)
    def pytest_bdd_before_step_call(self, step: Step, step_func: Any) -> None:
        """The step's parameters as its Gherkin writes them, not as its function gets them."""
        current = self._current
        if current is not None:
            current.step = self._place(step, written_parameters(step, step_func))
            current.parameters[current.step.text] = current.step.parameters

    @pytest.hookimpl(optionalhook=True)
    def pytest_bdd_step_error(self) -> None:
        """The step that failed is the one running."""
        if self._current is not None:
            self._current.failed_step = self._current.step

    @pytest.hookimpl(optionalhook=True)
    def pytest_bdd_step_func_lookup_error(self, step: Step) -> None:
        """A step no definition matches fails the scenario."""
        if self._current is not None:
            self._current.failed_step = self._place(step)

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Classify a failure, lay it out as a bug report (with its replay), and hand the
        scenario's facts on in ``user_properties``.

        ``trylast`` makes this the innermost wrapper, so allure-pytest-bdd (outside it) sees
        the label, the report and the redacted captured output before it writes the result.
        """
        report = yield
        current = self._current
        if current is None or current.item is not item:
            return report
        current.reports.append(report)
        report.sections = [(title, self.redact(text)) for title, text in report.sections]
        properties = report.user_properties
        properties.append((_SCENARIO, current.info.name))
        error = call.excinfo.value if call.excinfo is not None else None
        if error is not None and not isinstance(
            error, pytest.skip.Exception | pytest.xfail.Exception
        ):
            category = categorize(error)
            message = first_line(self.redact(f"{type(error).__name__}: {error}"))
            if call.when == "setup":
                current.setup_error = error
            properties += [(_CATEGORY, str(category)), (_MESSAGE, message)]
            if current.started and not current.labelled and self.results_dir is not None:
                current.labelled = True
                allure.dynamic.label(CATEGORY_LABEL, str(category))
        if call.when == "call" and current.started and self.results_dir is not None:
            self._attach_exchanges(current, report)
        if call.when == "teardown":
            with self._lock:
                properties += [(_FAULT, kind) for kind in current.faults]
                properties += [(_STAGED, kind) for kind in current.staged]
        return report

    @pytest.hookimpl(wrapper=True, tryfirst=True, specname="pytest_runtest_makereport")
    def pytest_runtest_makereport_of_a_failure(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Lay a scenario that failed out as a bug report, and write its replay.

        The outermost wrapper, so that it sees the final outcome: a known defect that failed
        as expected (turned into a skip by pytest's xfail) is no failure to report.
        """
        report = yield
        current = self._current
        if (
            current is None
            or current.item is not item
            or not report.failed
            or call.excinfo is None
            or call.when == "teardown"
        ):
            return report
        error = call.excinfo.value
        bug = self._bug_report(current, call.excinfo, categorize(error), report)
        current.report = bug
        report.longrepr = _longrepr(bug)
        report.user_properties = [
            (key, value) for key, value in report.user_properties if key != _MESSAGE
        ]
        report.user_properties.append((_MESSAGE, bug.message))
        if current.failed_step is not None:
            report.user_properties.append((_STEP, str(current.failed_step)))
        if bug.replay:
            report.user_properties.append((_REPLAY, bug.replay))
        return report

    def _bug_report(
        self,
        current: _Current,
        excinfo: pytest.ExceptionInfo[BaseException],
        category: FailureCategory,
        report: pytest.TestReport,
    ) -> BugReport:
        """The failure as a bug report; for a failed step, its replay is written too."""
        error = excinfo.value
        root = self._config.rootpath
        step = current.failed_step
        if isinstance(error, StepDefinitionNotFoundError) and step is not None:
            message = f"no step definition matches: {step.text}"
            details = "\n\n".join(f"{title}:\n{text}" for title, text in _suite_sections(report))
        else:
            message, details = split_message(error)
        check, checked = self._check(current, error)
        replay, source = None, None
        if current.setup_error is None and current.sent:
            replay, source = self._write_replay(current, error, check, message, category)
        bug = BugReport(
            category=category,
            message=self.redact(message),
            details=self.redact(details).replace(f"{root}/", ""),
            scenario=current.info.name,
            scenario_where=current.info.where,
            step=step,
            checked=checked,
            code=_code_line(excinfo, root),
            replay=replay,
            rerun=f"{_rerun_prefix(self._config)} {shlex.quote(current.item.nodeid)}",
        )
        if source is not None and self.results_dir is not None and current.started:
            allure.attach(
                source,
                name=f"replay: {replay}",
                attachment_type="text/plain",
                extension="py",
            )
        return bug

    def _check(self, current: _Current, error: BaseException) -> tuple[Check | None, str | None]:
        """The failed check as data, and which request's answer it read (for people)."""
        request_id = next(
            (sent.exchange.request_id for sent in current.sent if sent.exchange.error is error),
            None,
        )
        check = check_of(error, request_id or "")
        if check is None:
            return None, None
        found = [
            number
            for number, sent in enumerate(current.sent, start=1)
            if sent.exchange.request_id == check.request_id
        ]
        if not found:
            return check, None
        exchange = current.sent[found[0] - 1].exchange
        path = urlsplit(exchange.url).path
        what = f"{exchange.method} {path} (request {found[0]} of {len(current.sent)})"
        if check.path:
            kind = "the list" if check.kind is CheckKind.COUNT else "field"
            what += f", {kind} {'.'.join(map(str, check.path))}"
        return check, what

    def _write_replay(
        self,
        current: _Current,
        error: BaseException,
        check: Check | None,
        message: str,
        category: FailureCategory,
    ) -> tuple[str, str]:
        """Write the scenario's replay; return the command that runs it, and its source."""
        folder = self._replay_dir()
        path = folder / replay_name(current.item.nodeid)
        step = current.failed_step
        client = next((c for c in self._clients if c.generated), self._clients[0])
        settings = client.settings
        environment = {
            value: name
            for value, name in (
                (settings.api_username, "API_USERNAME"),
                (
                    settings.api_password.get_secret_value() if settings.api_password else None,
                    "API_PASSWORD",
                ),
            )
            if value
        }
        source = replay_source(
            Failure(
                scenario=current.info.name,
                where=current.info.where,
                message=self.redact(f"[{category}] {message}"),
                step=str(step) if step else "set-up",
                check=check,
                why_unrecorded=(
                    "the step failed on a plain assertion, not on a check that records what it "
                    "read (Outcome.expect, Outcome.expect_count, Outcome.refusal)"
                    if isinstance(error, AssertionError)
                    else f"the failure is a {category}: {type(error).__name__}"
                ),
                sandbox=current.item.get_closest_marker("sandbox") is not None,
            ),
            current.sent,
            base_url=client.transport.base_url,
            is_secret=lambda text: self.redact(text) != text,
            generated={value for c in self._clients for value in c.generated},
            environment=environment,
        )
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        return f"python {shlex.quote(str(_shown(path, self._config)))} BASE_URL", source

    def _replay_dir(self) -> Path:
        folder = Path(self._config.getoption("replay_dir"))
        return folder if folder.is_absolute() else self._config.rootpath / folder

    def _write_unstarted(self, current: _Current) -> None:
        """The result of a scenario that never began: skipped or failed in set-up."""
        item, info = current.item, current.info
        setup = next((r for r in current.reports if r.when == "setup"), None)
        error = current.setup_error
        if error is not None:
            status = (
                Status.FAILED
                if isinstance(error, AssertionError | pytest.fail.Exception)
                else Status.BROKEN
            )
            bug = current.report
            details = (
                StatusDetails(message=bug.headline, trace=bug.text())
                if bug is not None
                else StatusDetails(message=f"{type(error).__name__}: {error}")
            )
            labels = [(CATEGORY_LABEL, str(categorize(error)))]
        else:
            status = Status.SKIPPED
            reason = _skip_reason(setup)
            if setup is None and self.stopped is not None:
                reason = f"not run: the run stopped: {self.stopped}"
            details = StatusDetails(message=reason)
            labels = []
        parameters = convert_params(info.parameters, {})
        test_case_id = md5(info.full_name)
        started = now()
        result = TestResult(
            uuid=uuid4(),
            name=info.name,
            fullName=info.full_name,
            testCaseId=test_case_id,
            historyId=get_history_id(test_case_id, parameters, info.parameters),
            titlePath=list(info.title_path),
            description=info.description or None,
            status=status,
            statusDetails=details,
            start=started,
            stop=started,
            parameters=parameters,
            steps=[TestStepResult(name=step, status=Status.SKIPPED) for step in info.steps],
            labels=[
                Label(name=name, value=value)
                for name, value in [
                    (LabelType.FRAMEWORK, "pytest-bdd"),
                    (LabelType.LANGUAGE, platform_label()),
                    *info.labels,
                    *iter_pytest_tags(item),
                    *labels,
                ]
            ],
            links=[Link(url=url, name=name, type=kind) for url, name, kind in info.links],
        )
        allure_commons.plugin_manager.hook.report_result(result=result)

    # -- the summary (the controller, or the only process) -----------------------------------

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Collect each scenario's outcome, category and absorbed faults from its reports."""
        if hasattr(self._config, "workerinput"):
            return
        properties = report.user_properties
        if not any(key == _SCENARIO for key, _ in properties):
            return
        entry = self._collected.setdefault(report.nodeid, _Collected())
        entry.faults += [str(value) for key, value in properties if key == _FAULT]
        entry.staged += [str(value) for key, value in properties if key == _STAGED]
        if report.failed:
            values = dict(properties)
            entry.outcome = Outcome.FAILED
            if entry.category is None:
                entry.category = (
                    FailureCategory(str(values[_CATEGORY]))
                    if _CATEGORY in values
                    else FailureCategory.TEST_DEFECT  # a known defect that passed
                )
                entry.message = str(values.get(_MESSAGE, _xpass_line(report.longreprtext)))
                entry.step = str(values.get(_STEP, ""))
                entry.replay = str(values.get(_REPLAY, ""))
        elif report.skipped and entry.outcome is Outcome.PASSED:
            entry.outcome = Outcome.KNOWN_DEFECT if hasattr(report, "wasxfail") else Outcome.SKIPPED
        if report.when == "teardown":
            self._count_towards_stop(report.nodeid, entry)

    def _count_towards_stop(self, nodeid: str, entry: _Collected) -> None:
        """Stop the run when :data:`STOP_AFTER` scenarios in a row failed on the environment.

        The target has most likely stopped answering: every scenario left would spend its
        whole time budget on it. A scenario with any other outcome than skipped breaks the
        series; the workers start no scenario once the stop is written.
        """
        if entry.outcome is Outcome.SKIPPED:
            return
        if entry.outcome is not Outcome.FAILED or entry.category is not FailureCategory.ENVIRONMENT:
            self._streak.clear()
            return
        self._streak.append(nodeid)
        if len(self._streak) >= STOP_AFTER and self.stopped is None:
            self.stopped = (
                f"{len(self._streak)} scenarios in a row failed on the environment, so the "
                f"target is most likely down or hanging (the last: {entry.message})"
            )
            self._stop_file.write_text(self.stopped, encoding="utf-8")

    def summary(self) -> RunSummary:
        """The run's summary from what :meth:`pytest_runtest_logreport` collected."""
        return RunSummary(
            scenarios=tuple(
                ScenarioResult(
                    nodeid=nodeid,
                    outcome=entry.outcome,
                    category=entry.category,
                    message=entry.message,
                    step=entry.step,
                    replay=entry.replay,
                    faults=tuple(entry.faults),
                    staged=tuple(entry.staged),
                )
                for nodeid, entry in self._collected.items()
            )
            + tuple(
                ScenarioResult(nodeid=nodeid, outcome=Outcome.NOT_RUN)
                for nodeid in sorted(self._selected - self._collected.keys())
            ),
            stopped=self.stopped,
            rerun=_rerun_prefix(self._config),
            results_dir=_shown(self.results_dir, self._config),
            report_hint=self._report_hint(),
        )

    def _report_hint(self) -> str | None:
        """Where the HTML report will be, or how to build one from the results."""
        built_by_caller = self._config.getoption("html_report")
        if built_by_caller:
            return f"{Path(built_by_caller) / 'index.html'} (built once the run is over)"
        if self.results_dir is None:
            return None
        results = _shown(self.results_dir, self._config)
        return f"`make report RESULTS={results}` builds it (reports/html/index.html)"

    # -- API coverage and latency -----------------------------------------------------------

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """An xdist worker hands the requests its scenarios sent to the controller."""
        workeroutput = getattr(session.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput[_CALLS] = {
                base: [call.to_json() for call in calls] for base, calls in self._calls.items()
            }
            workeroutput[_SELECTED] = sorted(self._selected)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """The controller collects the requests and the selection of a finished worker."""
        output = getattr(node, "workeroutput", {})
        for base, calls in output.get(_CALLS, {}).items():
            self._calls.setdefault(base, []).extend(Call.from_json(call) for call in calls)
        self._selected.update(output.get(_SELECTED, ()))

    def api_figures(self) -> tuple[Coverage, Latency] | str:
        """Coverage and latency of the run's requests to its target, or why there are none.

        The target is the base URL most requests went to; its OpenAPI document is read from
        ``/openapi.json`` with the framework's settings (TLS included).
        """
        answered = {
            base: calls
            for base, calls in self._calls.items()
            if any(status is not None for call in calls for status, _ in call.attempts)
        }
        if not answered:
            return "no request of the run got an answer"
        base = max(answered, key=lambda url: len(answered[url]))
        calls = answered[base]
        try:
            # One attempt: a target without a document must not hold the end of the run.
            settings = load_settings().model_copy(update={"api_max_attempts": 1})
            with ApiClient(settings, base_url=base) as client:
                document = client.request("GET", "/openapi.json", expect={200: None}).json()
            if not isinstance(document, dict) or "openapi" not in document:
                raise DocumentError(f"{self.redact(base)}/openapi.json is not an OpenAPI document")
            documented = documented_operations(document)
        except (FrameworkError, DocumentError, ValueError) as error:
            summary = error.summary if isinstance(error, FrameworkError) else str(error)
            return f"the target's OpenAPI document cannot be read ({self.redact(summary)})"
        return Coverage.measure(documented, calls), Latency.measure(documented, calls)

    # -- the run's artifacts -------------------------------------------------------------------

    def _remove_stale_replays(self, summary: RunSummary) -> None:
        """Leave in the replay folder only the replays of this run's failures."""
        folder = self._replay_dir()
        ours = {Path(shlex.split(s.replay)[1]).name for s in summary.failures if s.replay}
        for path in folder.glob("*.py") if folder.is_dir() else ():
            if path.name not in ours:
                path.unlink(missing_ok=True)

    def _summary_path(self) -> Path:
        target = Path(self._config.getoption("run_summary"))
        return target if target.is_absolute() else self._config.rootpath / target

    def _artifact_folders(self) -> list[tuple[Path, str, str, tuple[str, ...]]]:
        """Each folder the run writes: (folder, what it holds, its option, files to clear)."""
        summary = self._summary_path()
        found: list[tuple[Path, str, str, tuple[str, ...]]] = [
            (
                summary.parent,
                f"the run summary ({summary.name})",
                "--run-summary FILE",
                (summary.name, summary.with_suffix(".json").name, RUN_RECORD, *DATA_FILES),
            )
        ]
        if self.results_dir is not None:
            if self.results_dir == summary.parent:
                folder, what, option, files = found.pop()
                found.append((folder, what, option, (*files, *ALLURE_FILES)))
            else:
                found.append(
                    (
                        self.results_dir,
                        "the Allure results",
                        "--alluredir FOLDER",
                        (*ALLURE_FILES, RUN_RECORD, *DATA_FILES),
                    )
                )
        return found

    @pytest.hookimpl(optionalhook=True)
    def pytest_acceptance_run_starting(self, config: pytest.Config) -> None:
        """Claim the run's folders, clear what an earlier run left, record this run.

        One line (a ``UsageError``) when a folder is held by another run or not writable.
        """
        self.run = Run.new()
        record = json.dumps({"run": self.run.record(finished=False), "scenarios": []}) + "\n"
        try:
            for folder, what, option, files in self._artifact_folders():
                config.add_cleanup(claim(folder, what=what, option=option).close)
                remove_stale(folder, files)
                (folder / RUN_RECORD).write_text(record, encoding="utf-8")
            self._summary_path().write_text(
                "## Acceptance suite: not finished\n\n"
                f"The run started at {self.run.started} has not written its summary: it is "
                "still running, or it stopped before its end (its output says why).\n",
                encoding="utf-8",
            )
        except (FolderBusyError, OSError) as error:
            raise pytest.UsageError(f"acceptance suite: {error}") from None

    def _write_run_files(self, summary: RunSummary, markdown: str, figures: object) -> Path:
        """Write the summary, its data and the API figures, stamped with this run."""
        run = self.run or Run.new()
        target = self._summary_path()
        folders = [target.parent] + ([self.results_dir] if self.results_dir is not None else [])
        data = json.loads(summary.to_json())
        data["run"] = run.record(finished=True)
        for folder in dict.fromkeys(folders):
            folder.mkdir(parents=True, exist_ok=True)
            if isinstance(figures, tuple):
                coverage, latency = figures
                (folder / COVERAGE_FILE).write_text(stamp(coverage.to_json(), run), "utf-8")
                (folder / LATENCY_FILE).write_text(stamp(latency.to_json(), run), "utf-8")
            else:
                for stale in DATA_FILES:
                    (folder / stale).unlink(missing_ok=True)
            (folder / RUN_RECORD).write_text(json.dumps(data, indent=1) + "\n", "utf-8")
        target.write_text(markdown, encoding="utf-8")
        return target

    def pytest_terminal_summary(self, terminalreporter: Any, exitstatus: int) -> None:
        """Print the summary; write it (Markdown) and its data (JSON, for merging shards).

        A run refused at its start (a usage error, before any scenario) writes none: its
        record keeps saying it did not finish, and its one line says why.
        """
        if hasattr(self._config, "workerinput") or not (self._collected or self._selected):
            return
        if exitstatus == pytest.ExitCode.USAGE_ERROR and not self._collected:
            return
        summary = self.summary()
        self._remove_stale_replays(summary)
        figures = self.api_figures()
        terminalreporter.write_sep("=", "acceptance summary")
        terminalreporter.write_line(summary.text())
        markdown = summary.markdown()
        if isinstance(figures, str):
            terminalreporter.write_line(f"API coverage and latency: not measured: {figures}")
            markdown += f"\nAPI coverage and latency: not measured: {figures}.\n"
        else:
            coverage, latency = figures
            terminalreporter.write_line(coverage.text())
            terminalreporter.write_line(latency.text())
            markdown += f"\n{coverage.markdown()}\n{latency.markdown()}"
        try:
            target = self._write_run_files(summary, markdown, figures)
        except OSError as error:
            terminalreporter.write_line(
                f"acceptance suite: cannot write the run summary ({error.filename}): "
                f"{error.strerror or error}; choose another place with --run-summary FILE",
                red=True,
            )
            if self._session is not None and self._session.exitstatus == pytest.ExitCode.OK:
                self._session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
            return
        terminalreporter.write_line(f"summary written to {_shown(target, self._config)}")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item) -> bool | None:
    """Run no scenario once the run has stopped: it stays "not run" (no report at all)."""
    plugin = item.config.pluginmanager.get_plugin("acceptance-report")
    if _INFO in item.stash and isinstance(plugin, ReportPlugin) and plugin.run_stopped():
        return True
    return None


def written_parameters(step: Step, step_func: Any) -> dict[str, str]:
    """The words of a step its definition reads as arguments, exactly as the step writes
    them (``amount: 8,500.00``, not ``Decimal('8500.00')``); fixtures are not among them."""
    contexts: list[StepFunctionContext] = [
        context
        for context in list(step_function_context_registry.values())
        if context.step_func is step_func and context.parser.is_matching(step.name)
    ]
    if not contexts:
        return {}
    parser = contexts[0].parser
    found = getattr(parser, "parser", None)  # parsers.parse and cfparse: a parse.Parser
    if found is not None:
        result = found.parse(step.name)
        spans = result.spans if result is not None else {}
        return {
            name: step.name[start:end]
            for name, (start, end) in spans.items()
            if isinstance(name, str)
        }
    regex = getattr(parser, "regex", None)  # parsers.re
    match = regex.fullmatch(step.name) if regex is not None else None
    return {name: value for name, value in match.groupdict().items() if value} if match else {}


def _longrepr(bug: BugReport) -> ReprExceptionInfo:
    """The bug report as pytest's failure representation: printed as it is, its first line
    the crash message (JUnit's ``message``, the short summary's line)."""
    where = bug.step.where if bug.step is not None else bug.scenario_where
    path, _, line = where.rpartition(":")
    return ReprExceptionInfo(
        reprtraceback=ReprTraceback(
            reprentries=[ReprEntryNative(bug.text().splitlines(keepends=True))],
            extraline=None,
            style="native",
        ),
        reprcrash=ReprFileLocation(path=path, lineno=int(line or 0), message=bug.headline),
    )


def _code_line(excinfo: pytest.ExceptionInfo[BaseException], root: Path) -> str | None:
    """``steps/accounts.py:21``: the suite's own line the failure came from (not the
    framework's, not a library's)."""
    found = None
    for entry in excinfo.traceback.filter(excinfo):
        try:
            path = Path(entry.path).relative_to(root)
        except ValueError:
            continue
        if path.parts[0] not in (".venv", "framework", "reporting"):
            found = f"{path.as_posix()}:{entry.lineno + 1}"
    return found


def _attempts_shown(requests: int, attempts: int) -> str:
    """``1 request, 1 attempt`` / ``2 requests, 5 attempts (3 retried)``."""
    shown = f"{requests} request{'s' if requests != 1 else ''}, "
    shown += f"{attempts} attempt{'s' if attempts != 1 else ''}"
    return shown + (f" ({attempts - requests} retried)" if attempts > requests else "")


def _suite_sections(report: pytest.TestReport) -> list[tuple[str, str]]:
    """Report sections the suite added (``item.add_report_section``: a missing step's
    definition), by their own name; not the captured output pytest adds."""
    found = []
    for title, text in report.sections:
        match = _SECTION.fullmatch(title)
        if match and match.group(1) not in ("stdout", "stderr", "log"):
            found.append((match.group(1), text))
    return found


def _xpass_line(longrepr: str) -> str:
    """The line pytest writes for a strict expected failure that passed (xdist adds others)."""
    return first_line(next((line for line in longrepr.splitlines() if "XPASS" in line), longrepr))


def _skip_reason(report: pytest.TestReport | None) -> str:
    if report is None:
        return "skipped"
    if hasattr(report, "wasxfail"):
        return f"XFAIL {report.wasxfail}"
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):
        return str(longrepr[2])
    return str(longrepr)


def _shown(path: Path | None, config: pytest.Config) -> str | None:
    """A path relative to where pytest was started, when it lies below it."""
    if path is None:
        return None
    try:
        return str(path.relative_to(config.invocation_params.dir))
    except ValueError:
        return str(path)


def _rerun_prefix(config: pytest.Config) -> str:
    """``.venv/bin/pytest`` when the run's own pytest lies below the current folder."""
    executable = Path(sys.executable).parent / "pytest"
    shown = _shown(executable, config)
    return shown if executable.exists() and shown and not Path(shown).is_absolute() else "pytest"


class HookSpecs:
    """The hook through which the suite tells the report which requests stage trouble."""

    @pytest.hookspec(firstresult=True)
    def pytest_acceptance_arms_faults(self, method: str, path: str, status: int) -> bool | None:
        """Whether a request (its method, its path below the base URL, its answer's status)
        armed faults that the scenario's later requests meet on purpose: the transient
        faults its retries absorb from then on were staged by the scenario, not weather."""


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register :class:`HookSpecs`."""
    pluginmanager.add_hookspecs(HookSpecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--run-summary``, ``--replay-dir`` and ``--html-report``."""
    group = parser.getgroup("reporting")
    group.addoption(
        "--run-summary",
        dest="run_summary",
        default=str(DEFAULT_SUMMARY),
        metavar="FILE",
        help="write the acceptance summary (Markdown) here, relative to the rootdir "
        "(default: %(default)s)",
    )
    group.addoption(
        "--replay-dir",
        dest="replay_dir",
        default=str(DEFAULT_REPLAY_DIR),
        metavar="FOLDER",
        help="write the replay of each failed scenario here, relative to the rootdir; the "
        "replays of an earlier run are removed (default: %(default)s)",
    )
    group.addoption(
        "--html-report",
        dest="html_report",
        default=None,
        metavar="FOLDER",
        help="the folder the caller builds the HTML report into once the run is over "
        "(make acceptance): the summary names it instead of saying how to build one",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """An ``--alluredir`` that cannot be created is one line, before allure-pytest-bdd's
    start-up would fail on it with a traceback."""
    folder = getattr(config.option, "allure_report_dir", None)
    if folder:
        try:
            make_folder(Path(folder), what="the Allure results", option="--alluredir FOLDER")
        except OSError as error:
            raise pytest.UsageError(f"acceptance suite: {error}") from None


def _register_markers(config: pytest.Config, lines: Iterable[str]) -> None:
    for line in lines:
        config.addinivalue_line("markers", line)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register the tags' markers and the plugin (after allure-pytest-bdd's own set-up)."""
    _register_markers(
        config,
        [f"{name}: severity {name} in the report (tag @{name})" for name in SEVERITIES]
        + [
            "defect(id): a known defect, a strict expected failure linked to the tracker "
            "(tag @defect:ID)",
            "issue(id): links the scenario to a tracker issue (tag @issue:ID)",
            "req(id): links the scenario to the requirement it checks (tag @req:ID)",
        ],
    )
    plugin = ReportPlugin(config)
    config.pluginmanager.register(plugin, "acceptance-report")
    allure_commons.plugin_manager.register(plugin)
    config.add_cleanup(lambda: allure_commons.plugin_manager.unregister(plugin))


@pytest.hookimpl(optionalhook=True)
def pytest_bdd_apply_tag(tag: str, function: Any) -> bool | None:
    """``@defect:TRD-123`` -> the marker ``defect("TRD-123")`` (likewise issue, req)."""
    match = _LINK_TAG.match(tag)
    if match is None:
        return None
    kind, identifier = match.groups()
    if not identifier or not _TRACKER_ID.match(identifier):
        raise pytest.UsageError(
            f"the tag @{tag} needs a tracker id after a colon, e.g. @{kind}:TRD-123"
        )
    getattr(pytest.mark, kind)(identifier)(function)
    return True
