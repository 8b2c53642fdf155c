"""The acceptance runner: picks the target API (or starts the sandbox) and marks every scenario.

- With no ``API_URL`` configured, the controller process starts ONE sandbox on a free port
  (only when acceptance scenarios may run) and hands its URL to every xdist worker.
- With ``API_URL`` set, that API is used as it is; if it is unreachable the run stops at once.
- Every pytest-bdd scenario gets the ``acceptance`` marker and a time budget: its requests
  end within ``SUITE_SCENARIO_TIMEOUT`` seconds of its start, and pytest-timeout fails it as
  hung only :data:`TIMEOUT_GRACE` seconds after that.
- Scenarios tagged ``@sandbox`` need the sandbox controls: they are skipped, with the reason,
  when the target turns out (by asking it) not to be a sandbox.
"""

from __future__ import annotations

import difflib
import itertools
import json
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
from _pytest.mark import _parse_expression, _validate_marker_names
from pytest_bdd.parser import FeatureParser, ScenarioTemplate
from pytest_bdd.scenario import scenario_wrapper_template_registry

from framework.client import ApiClient
from framework.errors import ConfigurationError, FrameworkError, UnexpectedStatus
from framework.settings import Settings, load_settings, source_of
from models.accounts import AccessToken
from models.health import Health
from steps import lookup
from steps.definitions import closest, entries
from steps.domain.customers import Cast
from steps.lint import FEATURES, feature_files, registered_tags
from steps.sandbox_process import SandboxProcess, SandboxStartError
from steps.suite_settings import SuiteSettings, load_suite_settings

#: The project's root folder, where `python -m sandbox` runs from.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Where the modules binding the feature files live.
BINDINGS_DIR = PROJECT_ROOT / "tests" / "acceptance"
#: Seconds pytest-timeout gives a scenario past its time budget before failing it as hung: the
#: client's report of the request the budget cut short, the scenario's report and its teardown
#: come within them, however short the budget and however busy the machine.
TIMEOUT_GRACE = 10.0
#: The key under which the controller hands the API's URL to xdist workers.
WORKER_URL_KEY = "acceptance_api_url"
#: Seconds the health check may take, retries included (less when API_DEADLINE is less).
HEALTH_TIMEOUT = 10.0
#: Seconds of silence from the health check after which the run says what it waits for.
HEALTH_NOTICE_AFTER = 1.0
#: The tests' durations of an earlier run (pytest-split's file, refreshed for CI's shards).
DURATIONS = PROJECT_ROOT / ".test_durations"
#: Seconds from which a test counts as long: it is started before the others.
LONG_TEST = 0.5
#: xdist workers a core with ``-n auto``, for scenarios against the built-in sandbox: a
#: scenario spends most of its time waiting (delays, Retry-After, backoff, the sandbox's
#: answers), so that two workers a core keep the cores busier than one.
WORKERS_PER_CORE = 2
#: The name Hypothesis' pytest plugin is registered under.
HYPOTHESIS_PLUGIN = "hypothesispytest"

_url_key = pytest.StashKey[str]()
_suite_key = pytest.StashKey[SuiteSettings]()
#: A scenario's time budget (seconds), and when it started (``time.monotonic()``).
_budget_key = pytest.StashKey[float]()
_started_key = pytest.StashKey[float]()
#: The scenario names under the part's feature paths; the binding modules a run needs.
_names_key = pytest.StashKey[dict[str, tuple[str, Path]]]()
_bindings_key = pytest.StashKey[frozenset[Path] | None]()
#: The built-in sandbox this process started, if it did.
_sandbox_key = pytest.StashKey[SandboxProcess]()

#: Why a scenario is skipped when the suite may not open accounts.
NO_OWN_CUSTOMERS = (
    "needs customers of its own; with SUITE_OPEN_ACCOUNTS=false only the @smoke set runs, "
    "as the pre-provisioned customer API_USERNAME"
)


@dataclass(frozen=True, kw_only=True)
class Target:
    """The API the scenarios run against, and whether it offers the sandbox controls."""

    url: str
    is_sandbox: bool


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def _is_scenario(item: pytest.Item) -> bool:
    """Every pytest-bdd scenario function takes the `_pytest_bdd_example` argument."""
    return "_pytest_bdd_example" in getattr(item, "fixturenames", ())


def _may_select_acceptance(config: pytest.Config) -> bool:
    """Whether the paths and ``-m`` given can select a scenario, decided before collection.

    xdist's controller collects nothing, yet must start the sandbox before the workers
    start; so it reads the command line: a path that overlaps ``tests/acceptance`` and a
    marker expression that some set of an acceptance scenario's markers satisfies.
    """
    paths = [
        Path(config.invocation_params.dir, arg.split("::")[0]).resolve() for arg in config.args
    ]
    overlaps = any(
        path == BINDINGS_DIR or path in BINDINGS_DIR.parents or BINDINGS_DIR in path.parents
        for path in paths
    )
    expression = config.option.markexpr
    if not expression:
        return overlaps
    # pytest checks -m where it collects; under xdist that is in every worker, whose
    # UsageError the controller cannot show. Check here, with pytest's own words.
    compiled = _parse_expression(expression, "Wrong expression passed to '-m'")
    _validate_marker_names(compiled, config)
    if not overlaps:
        return False
    names = sorted(set(re.findall(r"[A-Za-z_][\w]*", expression)) - {"and", "or", "not"})
    for values in itertools.product((False, True), repeat=len(names)):
        chosen = {name for name, value in zip(names, values, strict=True) if value}
        if compiled.evaluate(_markers_matcher(chosen | {"acceptance"})):
            return True
    return False


def _markers_matcher(markers: set[str]) -> Callable[..., bool]:
    """A ``-m`` matcher for an item that carries exactly ``markers``."""

    def matches(name: str, /, **_: object) -> bool:
        return name in markers

    return matches


def _stop(why: str) -> NoReturn:
    """Stop the run before any scenario with one line (pytest prints a UsageError once)."""
    raise pytest.UsageError(f"acceptance suite: {why}")


class AcceptanceHooks:
    """The hook the runner calls, for plugins that keep a run's artifacts."""

    @pytest.hookspec
    def pytest_acceptance_run_starting(self, config: pytest.Config) -> None:
        """An acceptance run starts: once, in the controller (or the only process), before
        the target is checked and before any scenario. Raise ``pytest.UsageError`` to
        refuse the run with one line."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--feature-file`` and ``--scenario-name``: run a part of the suite."""
    group = parser.getgroup("acceptance", "the acceptance suite")
    group.addoption(
        "--feature-file",
        action="append",
        default=[],
        metavar="PATH",
        help="run only the scenarios of this feature file, or of the feature files under this "
        "folder (repeatable)",
    )
    group.addoption(
        "--scenario-name",
        action="append",
        default=[],
        metavar="NAME",
        help="run only the scenario of this name, as its feature file writes it or as a row of "
        "an outline renders it; case does not matter (repeatable)",
    )


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Declare :class:`AcceptanceHooks`."""
    pluginmanager.add_hookspecs(AcceptanceHooks)


def _provide_target(config: pytest.Config) -> None:
    """Use ``API_URL`` if set (stopping at once if unreachable), else start the sandbox;
    then check the pre-provisioned customer's credentials, if any, once for the run."""
    config.hook.pytest_acceptance_run_starting(config=config)
    try:
        settings = load_settings()
        _suite(config)
    except ConfigurationError as error:
        _stop(str(error))
    if settings.api_url:
        url = settings.api_url
        _check_reachable(
            config, settings, url, hint="start it, or unset API_URL to use the sandbox"
        )
    else:
        sandbox = config.stash.get(_sandbox_key, None) or _launch(config)
        try:
            sandbox.wait_ready()
        except SandboxStartError as error:
            _stop(str(error))
        url = sandbox.url
        _check_reachable(
            config, settings, url, hint=f"the sandbox's output is in {sandbox.log_path}"
        )
    if settings.api_username is not None and settings.api_password is not None:
        _check_customer(config, settings, url)
    config.stash[_url_key] = url


def _launch(config: pytest.Config) -> SandboxProcess:
    """Start the built-in sandbox without waiting for it; it is stopped when the run ends."""
    sandbox = config.stash[_sandbox_key] = SandboxProcess.launch(project_root=PROJECT_ROOT)
    config.add_cleanup(sandbox.stop)
    return sandbox


def _suite(config: pytest.Config) -> SuiteSettings:
    """The suite's settings, read once per process (a wrong one stops the run in one line)."""
    if _suite_key not in config.stash:
        try:
            config.stash[_suite_key] = load_suite_settings(load_settings())
        except ConfigurationError as error:
            _stop(str(error))
    return config.stash[_suite_key]


def _check_reachable(config: pytest.Config, settings: Settings, url: str, *, hint: str) -> None:
    """Stop the run at once, in one line, when the API does not pass its health check.

    The check has its own short bound (:data:`HEALTH_TIMEOUT`, retries included: a transient
    fault is retried within it); when it is slow to answer, the run says what it waits for.
    """
    bound = min(HEALTH_TIMEOUT, settings.api_deadline)
    client = ApiClient(settings.model_copy(update={"api_deadline": bound}), base_url=url)
    reporter = config.pluginmanager.get_plugin("terminalreporter")

    def say_what_it_waits_for() -> None:
        if reporter is not None:
            reporter.write_line(
                f"acceptance suite: waiting up to {bound:g} s for the API's health check "
                f"(GET {client.redactor.url(url)}/health) …"
            )

    notice = threading.Timer(HEALTH_NOTICE_AFTER, say_what_it_waits_for)
    notice.start()
    try:
        client.request("GET", "/health", expect={200: Health})
    except FrameworkError as error:
        _stop(
            f"the API at {url} is unreachable or unhealthy ({error.summary}; the health "
            f"check waits up to {bound:g} s); {hint}",
        )
    finally:
        notice.cancel()
        client.close()


def _check_customer(config: pytest.Config, settings: Settings, url: str) -> None:
    """Sign in once as the pre-provisioned customer, before any scenario does.

    A wrong password stops the run after this one request: every scenario signing in with
    it would lock the account. A 429 or an outage on it is waited out and retried by the
    client, as neither is a failed sign-in.
    """
    assert settings.api_username is not None
    assert settings.api_password is not None
    password = settings.api_password.get_secret_value()
    with ApiClient(settings, base_url=url) as client:
        try:
            client.request(
                "POST",
                "/auth/token",
                json={"username": settings.api_username, "password": password},
                expect={200: AccessToken},
            )
        except UnexpectedStatus as refused:
            _stop(
                f"the pre-provisioned customer API_USERNAME={settings.api_username!r} cannot "
                f"sign in ({refused.summary}); check API_USERNAME and API_PASSWORD (no scenario "
                "ran, so that the account is not locked by repeated failed sign-ins)",
            )
        except FrameworkError as error:
            _stop(
                f"the pre-provisioned customer API_USERNAME={settings.api_username!r} could "
                f"not be checked ({error.summary})",
            )


def pytest_configure(config: pytest.Config) -> None:
    """Register the runner's markers; an xdist worker takes the API URL from its controller.
    pytest-bdd's step search is remembered per step text (:mod:`steps.lookup`).

    In the controller (or the only process), SIGTERM interrupts the run as Ctrl-C does, so
    that its clean-up (stopping the sandbox) runs instead of the process simply ending.
    """
    config.addinivalue_line("markers", "acceptance: a Gherkin scenario of the acceptance suite")
    config.addinivalue_line("markers", "sandbox: a scenario that needs the sandbox controls")
    config.add_cleanup(lookup.install())
    hypothesis = config.pluginmanager.get_plugin(HYPOTHESIS_PLUGIN)
    if hypothesis is not None and _wanted_bindings(config) is not None:
        # A run of scenarios alone has no Hypothesis test, yet Hypothesis' plugin imports
        # Hypothesis at the end of every run (to list what its tests observed): a second of
        # a one-scenario run on a busy machine.
        config.pluginmanager.unregister(hypothesis)
    if not _is_worker(config) and getattr(config.option, "maxschedchunk", 0) is None:
        # xdist's load scheduling hands each worker a chunk of tests at first (a quarter of
        # its share): the long tests, all at the front, would land on one worker. One test at
        # a time, each worker takes the next as it finishes one, longest first.
        config.option.maxschedchunk = 1
    if _is_worker(config):
        url = config.workerinput.get(WORKER_URL_KEY)  # type: ignore[attr-defined]
        if url:
            config.stash[_url_key] = url
    elif (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    ):
        signal.signal(signal.SIGTERM, _interrupt)
        config.add_cleanup(_uninterrupt)


def _interrupt(number: int, frame: object) -> None:
    raise KeyboardInterrupt(f"{signal.Signals(number).name} received")


def _uninterrupt() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Check the part of the suite asked for; under xdist the controller collects nothing, so
    it starts the target here, deciding from the command line, and says first which it is.
    Without xdist, the built-in sandbox (if it is the target) is launched here too."""
    config = session.config
    if _is_worker(config) or not _may_select_acceptance(config):
        return
    _check_part(config)
    if config.pluginmanager.hasplugin("dsession"):
        _say_target(config)
        _provide_target(config)
        return
    try:
        needs_sandbox = load_settings().api_url is None
    except ConfigurationError:
        return  # said in one line when the target is provided
    if needs_sandbox:
        # Started now, it comes up while the scenarios are collected; the run waits for it
        # only once they are (pytest_collection_finish), and stops it if none is selected.
        _launch(config)


def _say_target(config: pytest.Config) -> None:
    """Say which API the run targets and where that was configured, before anything else."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"acceptance suite, target: {target_line()}")


def target_line() -> str:
    """Which API the run targets and where that was configured, in one line."""
    try:
        settings = load_settings()
    except ConfigurationError:
        return "not known yet, a setting is wrong (the run says which)"
    if settings.api_url is None:
        return (
            "the built-in sandbox, started for this run (API_URL is set neither in "
            "the environment nor in .env or .env.<ENVIRONMENT>)"
        )
    source = source_of("API_URL")
    chosen = ""
    if source not in (None, "the environment", ".env"):
        chosen = f", chosen by ENVIRONMENT={settings.environment}"
    return f"{settings.api_url} (API_URL from {source}{chosen})"


@pytest.hookimpl(optionalhook=True, wrapper=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> Generator[None, int, int]:
    """``-n auto`` for scenarios against the built-in sandbox: :data:`WORKERS_PER_CORE`
    workers a core; and never more workers than the scenarios named with ``--scenario-name``
    (a worker more only starts up for nothing). Left as xdist counts it when
    ``PYTEST_XDIST_AUTO_NUM_WORKERS`` says how many, when the run may select other tests, and
    against a deployment (which is not to be sent more at once than before)."""
    counted = yield
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or _wanted_bindings(config) is None:
        return counted
    try:
        own_sandbox = load_settings().api_url is None
    except ConfigurationError:
        return counted  # said in one line when the target is provided
    workers = counted * WORKERS_PER_CORE if own_sandbox else counted
    _, names = _part(config)
    return min(workers, len(names)) if names else workers


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Hand the one API URL of the run to every xdist worker."""
    url = node.config.stash.get(_url_key, None)
    if url is not None:
        node.workerinput[WORKER_URL_KEY] = url


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every scenario `acceptance` and give it its time budget, before `-m` deselects.

    pytest-timeout's limit is the budget and :data:`TIMEOUT_GRACE` on top (a scenario that
    carries a limit of its own keeps it). When the suite may not open accounts, every
    scenario outside the smoke set is skipped. Scenarios known to be long go first.
    """
    _select_part(config, items)
    _long_ones_first(items)
    for item in items:
        if _is_scenario(item):
            item.add_marker(pytest.mark.acceptance)
            budget = item.stash[_budget_key] = _suite(config).scenario_timeout
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(budget + TIMEOUT_GRACE))
            if item.get_closest_marker("smoke") is None and not _suite(config).open_accounts:
                item.add_marker(pytest.mark.skip(reason=NO_OWN_CUSTOMERS))


def _long_ones_first(items: list[pytest.Item]) -> None:
    """Move the tests that took :data:`LONG_TEST` seconds or more (in :data:`DURATIONS`) to
    the front, longest first, the rest keeping their (random) order: under xdist a long one
    then starts while there is other work to share, instead of ending the run alone."""
    try:
        known: dict[str, float] = json.loads(DURATIONS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # no durations known: the order stays as it is
    long = [item for item in items if known.get(item.nodeid, 0.0) >= LONG_TEST]
    if long:
        long.sort(key=lambda item: known[item.nodeid], reverse=True)
        moved = set(long)
        items[:] = long + [item for item in items if item not in moved]


def _part(config: pytest.Config) -> tuple[list[Path], dict[str, str]]:
    """The feature paths (resolved) and scenario names (case folded, and as given) the run is
    limited to."""
    base = config.invocation_params.dir
    features = [(base / path).resolve() for path in config.getoption("feature_file")]
    names = {_folded(name): name for name in config.getoption("scenario_name")}
    return features, names


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


def _scenario_names(config: pytest.Config, features: list[Path]) -> dict[str, tuple[str, Path]]:
    """Every scenario name under the feature paths given (all of features/ if none), case
    folded: its name as written or rendered by an outline's row, and its feature file.
    Read once per process."""
    if _names_key not in config.stash:
        known: dict[str, tuple[str, Path]] = {}
        for path in feature_files(features or [FEATURES]):
            parsed = FeatureParser(str(path.parent), path.name).parse()
            for template in parsed.scenarios.values():
                rows = [row for examples in template.examples for row in examples.as_contexts()]
                for row in [{}, *rows]:
                    rendered = template.render(row).name
                    known[_folded(rendered)] = (rendered, path.resolve())
        config.stash[_names_key] = known
    return config.stash[_names_key]


def _check_part(config: pytest.Config) -> None:
    """Stop the run with one line when ``--feature-file`` or ``--scenario-name`` names nothing."""
    features, names = _part(config)
    for path in features:
        if not feature_files([path]) or not path.exists():
            _stop(f"--feature-file {path}: no such feature file or folder of feature files")
    if not names:
        return
    known = _scenario_names(config, features)
    for name in sorted(set(names) - set(known)):
        close = difflib.get_close_matches(name, list(known), n=3)
        hint = "; did you mean " + " or ".join(repr(known[c][0]) for c in close) if close else ""
        where = "under " + ", ".join(str(path) for path in features) if features else "in features/"
        _stop(f"--scenario-name {names[name]!r}: no scenario {where} has that name{hint}")


def _bindings() -> dict[str, Path]:
    """The module binding each domain's feature files, by domain: ``test_<domain>.py``."""
    return {
        folder.name: BINDINGS_DIR / f"test_{folder.name}.py"
        for folder in sorted(FEATURES.iterdir())
        if folder.is_dir()
    }


def _only_scenarios(config: pytest.Config) -> bool:
    """Whether ``-m`` can select nothing but scenarios: it is false for every item that carries
    none of the registered markers, which only scenarios carry (their tags, and
    ``acceptance``)."""
    expression = config.option.markexpr
    if not expression:
        return False
    compiled = _parse_expression(expression, "Wrong expression passed to '-m'")
    names = sorted(set(re.findall(r"[A-Za-z_][\w]*", expression)) - {"and", "or", "not"})
    tags = registered_tags()
    free = [name for name in names if name not in tags]
    for values in itertools.product((False, True), repeat=len(free)):
        chosen = {name for name, value in zip(free, values, strict=True) if value}
        if compiled.evaluate(_markers_matcher(chosen)):
            return False
    return True


def _wanted_bindings(config: pytest.Config) -> frozenset[Path] | None:
    """The binding modules a selected item can come from, or None when it can come from any
    test module. A part (``--feature-file``, ``--scenario-name``) keeps only scenarios, of the
    domains it names; a ``-m`` that only scenarios can match keeps every domain's."""
    if _bindings_key in config.stash:
        return config.stash[_bindings_key]
    features, names = _part(config)
    wanted: frozenset[Path] | None = None
    if features or names:
        paths = [*features]
        if names:
            known = _scenario_names(config, features)
            paths = [known[name][1] for name in names if name in known]
        domains = {
            (path.relative_to(FEATURES).parts or ("",))[0]
            for path in paths
            if path == FEATURES or FEATURES in path.parents
        }
        every = _bindings()
        chosen = every if "" in domains else {d: every[d] for d in domains if d in every}
        wanted = frozenset(chosen.values())
    elif _only_scenarios(config):
        wanted = frozenset(_bindings().values())
    config.stash[_bindings_key] = wanted
    return wanted


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave uncollected, under ``tests/``, the modules and folders no selected item can come
    from (:func:`_wanted_bindings`): running one scenario imports one binding module, not the
    whole tree of tests. A path given on the command line is always collected."""
    wanted = _wanted_bindings(config)
    path = collection_path.resolve()
    tests = PROJECT_ROOT / "tests"
    if wanted is None or (path != tests and tests not in path.parents):
        return None
    given = [
        Path(config.invocation_params.dir, arg.split("::")[0]).resolve() for arg in config.args
    ]
    if any(path == arg or path in arg.parents for arg in given):
        return None
    kept = path in wanted or any(path in binding.parents for binding in wanted)
    return None if kept else True


def _select_part(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the scenarios of ``--feature-file`` and ``--scenario-name``; deselect the rest."""
    features, names = _part(config)
    if not features and not names:
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        function = getattr(item, "obj", None)
        template = scenario_wrapper_template_registry.get(function) if function else None
        if not isinstance(template, ScenarioTemplate):
            dropped.append(item)
            continue
        path = Path(template.feature.filename).resolve()
        row = getattr(item, "callspec", None)
        values = dict(row.params.get("_pytest_bdd_example", {})) if row else {}
        in_feature = not features or any(
            path == feature or feature in path.parents for feature in features
        )
        named = not names or bool(
            {_folded(template.name), _folded(template.render(values).name)} & set(names)
        )
        (kept if in_feature and named else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_collection_finish(session: pytest.Session) -> None:
    """Without xdist, use the target only when a selected item is a scenario (else stop the
    sandbox launched at the session's start)."""
    config = session.config
    if _is_worker(config) or _url_key in config.stash:
        return
    if any(_is_scenario(item) for item in session.items):
        _say_target(config)
        _provide_target(config)
    elif _sandbox_key in config.stash:
        config.stash[_sandbox_key].stop()


def pytest_bdd_step_func_lookup_error(
    request: pytest.FixtureRequest, feature: Any, step: Any, exception: Exception
) -> None:
    """Show a ready-to-paste step definition for a step that has none."""
    request.node.add_report_section(
        "call",
        "missing step definition",
        snippet(step.type, step.keyword.strip(), step.name, Path(feature.filename)),
    )


#: What a snippet turns into a typed field, in order: (pattern, type, name, argument type).
_FIELDS = (
    (r"\b(?:Alice|Bob|Carol|Dave|Eve)\b", "Name", "name", "str"),
    (r"-?\d[\d,]*\.\d{2}\b", "Money", "amount", "Decimal"),
    (r"(?<![\w.,])\d+(?![\w.,])", "d", "count", "int"),
)


def snippet(kind: str, keyword: str, text: str, feature: Path) -> str:
    """A step definition to paste for an undefined step, where to paste it, and the existing
    sentences that read most like it.

    The definition fails as pending (a test defect) until its body is written, so a scenario
    never passes on a step that checks nothing.
    """
    phrase, arguments = text.replace('"', '\\"'), ["cast: Cast"]
    for pattern, field_type, field, argument in _FIELDS:
        parts = re.split(f"({pattern})", phrase)
        for index in range(1, len(parts), 2):
            name = field if index == 1 else f"{field}_{index // 2 + 1}"
            arguments.append(f"{name}: {argument}")
            parts[index] = f"{{{name}:{field_type}}}"
        phrase = "".join(parts)
    words = re.sub(r"\{[^}]*\}|[^a-z ]", " ", phrase.lower()).split()
    function = "_".join(words[:6]) or "step"
    known = entries()
    similar = closest(kind, text, known)
    module = similar[0].path if similar else _domain_module(feature)
    needs = ["from framework.errors import PendingStepError"]
    if "Decimal" in " ".join(arguments):
        needs.insert(0, "from decimal import Decimal")
    lines = [
        f"Add to {module.relative_to(PROJECT_ROOT)} (imports it needs, if missing: "
        f"{'; '.join(needs)}):",
        "",
        f'@{kind}(phrase("{phrase}"))',
        f"def {function}({', '.join(arguments)}) -> None:",
        f'    """{keyword} {text}"""',
        '    raise PendingStepError("this step\'s definition is not written yet")',
    ]
    if similar:
        lines += ["", "Or did you mean one of these existing sentences?"]
        lines += [
            f"  {keyword} {entry.example}    ({entry.path.relative_to(PROJECT_ROOT)}:{entry.line})"
            for entry in similar
        ]
    return "\n".join(lines) + "\n"


def _domain_module(feature: Path) -> Path:
    """The step module of a feature's domain: ``steps/<folder>.py``, or the module named by the
    folder's first word (``market_data`` → ``steps/market.py``)."""
    folder = feature.parent.name
    for name in (folder, folder.split("_")[0]):
        if (PROJECT_ROOT / "steps" / f"{name}.py").exists():
            return PROJECT_ROOT / "steps" / f"{name}.py"
    return PROJECT_ROOT / "steps" / f"{folder}.py"


@pytest.hookimpl(optionalhook=True)  # the report plugin declares it; a run may go without
def pytest_acceptance_arms_faults(method: str, path: str, status: int) -> bool | None:
    """A fault the sandbox accepted for a customer (POST /_sandbox/faults answered 201) is
    trouble the scenario staged: the report counts what it causes apart from the weather."""
    return (method, path, status) == ("POST", "/_sandbox/faults", 201) or None


@pytest.fixture(scope="session")
def api_settings() -> Settings:
    """The framework's settings (environment, `.env`, `.env.<ENVIRONMENT>`)."""
    return load_settings()


@pytest.fixture(scope="session")
def api_client(request: pytest.FixtureRequest, api_settings: Settings) -> Iterator[ApiClient]:
    """The one retrying client of this process, pointed at the run's target."""
    url = request.config.stash.get(_url_key, None)
    if url is None:
        pytest.fail(
            "no target API: the acceptance runner did not start the sandbox for this run; "
            "run the scenarios through tests/acceptance or set API_URL",
            pytrace=False,
        )
    client = ApiClient(api_settings, base_url=url)
    yield client
    client.close()


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest, api_settings: Settings, api_client: ApiClient) -> Target:
    """The target, asked (once per process) whether it offers the sandbox controls.

    The probe signs in as the pre-provisioned customer (``API_USERNAME``/``API_PASSWORD``)
    when there is one, else as a customer it opens for the purpose.
    """
    probe = Cast(api_client, controls_allowed=True).introduce("probe")
    if api_settings.api_username and api_settings.api_password:
        probe.session.username = api_settings.api_username
        probe.session.password = api_settings.api_password
        probe.auth.sign_in().check()
    else:
        probe.join()
    return Target(url=request.config.stash[_url_key], is_sandbox=probe.sandbox.is_sandbox())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    """Note when a scenario starts, before pytest-timeout starts its clock: the time budget
    counts from there, so that the set-up before its first request is counted too."""
    item.stash[_started_key] = time.monotonic()
    return (yield)


@pytest.fixture(autouse=True)
def _scenario_time_budget(request: pytest.FixtureRequest) -> Iterator[None]:
    """Hold a scenario's requests to its time budget, counted from the scenario's start."""
    budget = request.node.stash.get(_budget_key, None)
    if budget is None:
        yield
        return
    client: ApiClient = request.getfixturevalue("api_client")
    with client.time_budget(budget, since=request.node.stash.get(_started_key, None)):
        yield


@pytest.fixture(autouse=True)
def _sandbox_scenarios_need_a_sandbox(request: pytest.FixtureRequest) -> None:
    """Skip a `@sandbox` scenario, saying why, when the target has no sandbox controls."""
    if request.node.get_closest_marker("sandbox") is None:
        return
    found: Target = request.getfixturevalue("target")
    if not found.is_sandbox:
        pytest.skip(
            f"needs the sandbox controls (prices, faults, clock); {found.url} is not a sandbox"
        )


@pytest.fixture
def cast(request: pytest.FixtureRequest, api_settings: Settings, api_client: ApiClient) -> Cast:
    """The customers of this scenario; the sandbox controls only for `@sandbox` scenarios.

    With ``SUITE_OPEN_ACCOUNTS=false`` the scenario's one customer is the pre-provisioned one.
    """
    allowed = request.node.get_closest_marker("sandbox") is not None
    provisioned = None
    if not _suite(request.config).open_accounts and api_settings.api_password is not None:
        provisioned = (api_settings.api_username or "", api_settings.api_password)
    return Cast(api_client, controls_allowed=allowed, provisioned=provisioned)
