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

import itertools
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

from framework.client import ApiClient
from framework.errors import ConfigurationError, FrameworkError, UnexpectedStatus
from framework.settings import Settings, load_settings
from models.accounts import AccessToken
from models.health import Health
from steps.domain.customers import Cast
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

_url_key = pytest.StashKey[str]()
_suite_key = pytest.StashKey[SuiteSettings]()
#: A scenario's time budget (seconds), and when it started (``time.monotonic()``).
_budget_key = pytest.StashKey[float]()
_started_key = pytest.StashKey[float]()

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
        try:
            sandbox = SandboxProcess.start(project_root=PROJECT_ROOT)
        except SandboxStartError as error:
            _stop(str(error))
        config.add_cleanup(sandbox.stop)
        url = sandbox.url
        _check_reachable(
            config, settings, url, hint=f"the sandbox's output is in {sandbox.log_path}"
        )
    if settings.api_username is not None and settings.api_password is not None:
        _check_customer(config, settings, url)
    config.stash[_url_key] = url


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

    In the controller (or the only process), SIGTERM interrupts the run as Ctrl-C does, so
    that its clean-up (stopping the sandbox) runs instead of the process simply ending.
    """
    config.addinivalue_line("markers", "acceptance: a Gherkin scenario of the acceptance suite")
    config.addinivalue_line("markers", "sandbox: a scenario that needs the sandbox controls")
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


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under xdist the controller collects nothing: decide from the command line."""
    config = session.config
    if config.pluginmanager.hasplugin("dsession") and _may_select_acceptance(config):
        _provide_target(config)


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
    scenario outside the smoke set is skipped.
    """
    for item in items:
        if _is_scenario(item):
            item.add_marker(pytest.mark.acceptance)
            budget = item.stash[_budget_key] = _suite(config).scenario_timeout
            if item.get_closest_marker("timeout") is None:
                item.add_marker(pytest.mark.timeout(budget + TIMEOUT_GRACE))
            if item.get_closest_marker("smoke") is None and not _suite(config).open_accounts:
                item.add_marker(pytest.mark.skip(reason=NO_OWN_CUSTOMERS))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Without xdist, start only when a selected item is a scenario."""
    config = session.config
    if _is_worker(config) or _url_key in config.stash:
        return
    if any(_is_scenario(item) for item in session.items):
        _provide_target(config)


def pytest_bdd_step_func_lookup_error(
    request: pytest.FixtureRequest, step: Any, exception: Exception
) -> None:
    """Show a ready-to-paste step definition for a step that has none."""
    words = re.sub(r"\b(Alice|Bob)\b", "{name:Name}", step.name)
    words = re.sub(r"-?\d[\d,]*\.\d{2}\b", "{amount:Money}", words)
    arguments = [
        f"{field}: {kind}"
        for field, kind in (("name", "str"), ("amount", "Decimal"))
        if f"{{{field}:" in words
    ]
    request.node.add_report_section(
        "call",
        "missing step definition",
        f"Add to the steps module of its domain (steps/<domain>.py):\n\n"
        f'@{step.type}(phrase("{words}"))\n'
        f"def _({', '.join(['cast: Cast', *arguments])}) -> None:\n"
        f'    """{step.keyword.strip()} {step.name}"""\n',
    )


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
