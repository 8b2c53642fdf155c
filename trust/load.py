"""`python -m trust load`: load and soak on Locust from the suite's journeys, money checked after.

Importing this module imports Locust, which patches the process with gevent: it runs only
in a process of its own (`python -m trust load`), never inside pytest.

One run:

1. the target: `API_URL`, or a sandbox started for the run (with a seeded defect when
   asked); a target that is not a sandbox needs ``--allow-real-target``;
2. the customers: accounts the run opens and funds, or (``SUITE_OPEN_ACCOUNTS=false``) the
   customers of ``--customers FILE``; each is read before the load (the snapshot);
3. the load: Locust users (`Trader`), each signed in as one of those customers (users share
   them, so that their actions race), taking the journeys of `trust.journeys`; in one
   process, or a Locust master with workers (``--workers N`` here, more from other
   machines). Every request is reported to Locust under its operation's name twice: each
   attempt (type ``attempt``) and the logical request with its retries (type ``request``).
   On a sandbox each user raises its token's rate limit through the sandbox control first;
   the 429s that still come are counted;
4. afterwards: requests of unknown outcome resolved by resending them under their key, and
   every account checked for money conservation (`trust.conservation`); the run's figures
   judged against the load profile (`trust.load_profile`); Locust's HTML report and CSV
   files and the summary written to the output folder.
"""

from __future__ import annotations

import contextlib
import math
import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gevent
import psutil
from locust import User, events, task
from locust.env import Environment
from locust.html import get_html_report
from locust.runners import STATE_STOPPED, MasterRunner, Runner
from locust.stats import (
    CSV_STATS_INTERVAL_SEC,
    PERCENTILES_TO_REPORT,
    StatsCSVFileWriter,
    calculate_response_time_percentile,
    diff_response_time_dicts,
    stats_history,
)
from pydantic import SecretStr

from framework.checks import CheckFailed
from framework.client import ApiClient, Exchange
from framework.errors import ConfigurationError, FrameworkError
from framework.settings import Settings, load_settings
from models.common import error_code
from steps.domain.customers import Customer, new_password, unique_username
from steps.domain.session import Session
from steps.sandbox_process import SandboxStartError
from steps.suite_settings import load_suite_settings
from trust.conservation import OPENED, Holdings, Verdict, audit, read_holdings
from trust.coverage import Operation, PathMatcher, api_call, documented_operations
from trust.journeys import JOURNEYS, OPENING_DEPOSIT, PAUSE, Journey
from trust.ledger import Ledger, RecordingClient
from trust.load_profile import Figures, ProfileError, Run, breaches, load_profile
from trust.load_summary import Minute, ProcessReading, Summary
from trust.openapi_source import DocumentError, fetch_document
from trust.suite import PROJECT_ROOT, RunOptions, serving_processes

#: The rate limit each user's token gets on a sandbox (requests a minute): out of the way.
LOAD_RATE_LIMIT = 100_000
#: Seconds a stopping user may take to finish its journey before Locust kills it (a request
#: cut off is resolved afterwards by its key, like any request of unknown outcome).
STOP_TIMEOUT = 30.0
#: Seconds to wait for the workers to connect, and for their records at the end.
WORKER_WAIT = 60.0
#: Seconds between two readings of the per-minute figures.
MINUTE = 60.0
#: Seconds after which a user signs in again (tokens last an hour at most).
SIGN_IN_AGAIN = 3000.0
#: Locust's request type of an attempt, and of a logical request with its retries.
ATTEMPT, REQUEST = "attempt", "request"
#: Custom messages between the master and its workers.
HELLO, PLAN, FINISH, RECORD = "trust_hello", "trust_plan", "trust_finish", "trust_record"


class LoadError(Exception):
    """The run cannot go on; the message is one line saying why and what to do."""


class JourneyStopped(Exception):  # noqa: N818 - says what happened to the journey
    """An answer the journey does not accept: the request is reported failed, the journey ends."""


@dataclass(frozen=True, kw_only=True)
class LoadOptions:
    """How to run the load (the command line, see `trust.__main__`)."""

    users: int = 10
    spawn_rate: float = 10.0
    duration: float = 60.0  #: seconds
    seed: int = 0
    workers: int = 0  #: Locust workers started on this machine (0: one process)
    remote_workers: int = 0  #: Locust workers expected from other machines
    master_bind: str = "127.0.0.1"
    master_port: int = 0  #: 0 picks a free one
    web: bool = False
    web_port: int = 8089
    allow_real_target: bool = False
    customers: Path | None = None
    accounts: int | None = None  #: accounts the run opens (default: one for every two users)
    profile: Path = Path("load-profile.toml")
    output: Path = Path("reports") / "load"
    defect: str | None = None
    #: seconds between two journeys of a user, drawn from this range ((0, 0): none, the most
    #: each user can send)
    pause: tuple[float, float] = PAUSE

    @property
    def distributed(self) -> bool:
        """Whether a master and workers run the users."""
        return self.workers + self.remote_workers > 0


@dataclass(frozen=True, kw_only=True)
class Plan:
    """What every process running users needs to know; the master sends it to its workers."""

    url: str
    sandbox: bool
    customers: tuple[tuple[str, str], ...]  #: username and password of each
    open_accounts: bool
    seed: int
    processes: int  #: processes running users
    operations: tuple[str, ...]  #: the API's documented operations, to name requests by
    pause: tuple[float, float] = PAUSE  #: seconds between two journeys of a user

    def to_json(self) -> dict[str, Any]:
        """Plain data (passwords included: for the processes of the run only)."""
        return {
            "url": self.url,
            "sandbox": self.sandbox,
            "customers": [list(each) for each in self.customers],
            "open_accounts": self.open_accounts,
            "seed": self.seed,
            "processes": self.processes,
            "operations": list(self.operations),
            "pause": list(self.pause),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        """The inverse of `to_json`."""
        return cls(
            url=data["url"],
            sandbox=data["sandbox"],
            customers=tuple((name, password) for name, password in data["customers"]),
            open_accounts=data["open_accounts"],
            seed=data["seed"],
            processes=data["processes"],
            operations=tuple(data["operations"]),
            pause=(float(data["pause"][0]), float(data["pause"][1])),
        )


@dataclass
class _Process:
    """This process's share of the run: the plan, its users' record, how to name requests."""

    plan: Plan | None = None
    ledger: Ledger = field(default_factory=Ledger)
    matcher: PathMatcher | None = None
    index: int = 0  #: this process's index among those running users
    users: int = 0  #: users started here so far
    settings: Settings | None = None

    def take(self, plan: Plan, index: int) -> None:
        """Run users under this plan, as process ``index`` of the plan's."""
        self.plan, self.index = plan, index
        self.matcher = PathMatcher(Operation.parse(key) for key in plan.operations)
        self.settings = load_settings()

    def next_user(self) -> int:
        """A number for a new user, unique across the run's processes."""
        assert self.plan is not None
        number = self.users * self.plan.processes + self.index
        self.users += 1
        return number


_here = _Process()


def _operation(exchange: Exchange, base_path: str) -> str:
    """The documented operation an exchange belongs to (``POST /orders``), never its URL."""
    call = api_call(exchange, base_path)
    found = _here.matcher.match(call.method, call.path) if _here.matcher else None
    return str(found) if found else f"{call.method} (outside the API's document)"


class Trader(User):
    """One user of the run: a customer of the plan, taking weighted journeys with pauses."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        plan, settings = _here.plan, _here.settings
        assert plan is not None, "a user started before the plan came"
        assert settings is not None, "a user started before the plan came"
        self._plan, self._settings = plan, settings
        number = _here.next_user()
        self._rng = random.Random(f"{plan.seed}:{number}")
        username, password = plan.customers[number % len(plan.customers)]
        self._customer = self._customer_of(username, SecretStr(password), provisioned=True)
        self._journeys = [j for j in JOURNEYS if plan.open_accounts or not j.opens_accounts]
        self._journey: Journey | None = None
        self._signed_in = 0.0
        self._newcomers: list[ApiClient] = []

    @property
    def customer(self) -> Customer:
        """The customer this user acts as."""
        return self._customer

    @property
    def rng(self) -> random.Random:
        """This user's random numbers."""
        return self._rng

    def wait_time(self) -> float:
        """The pause between two journeys."""
        return self._rng.uniform(*self._plan.pause)

    def _customer_of(self, username: str, password: SecretStr, *, provisioned: bool) -> Customer:
        book = _here.ledger.book(
            username, password=None if provisioned else password.get_secret_value()
        )
        client = RecordingClient(self._settings, base_url=self._plan.url, book=book)
        client.add_listener(self._report)
        session = Session(client=client, username=username, password=password)
        session.learn_secrets()
        return Customer(
            username, session, controls_allowed=self._plan.sandbox, provisioned=provisioned
        )

    def newcomer(self) -> Customer:
        """A new customer with a client of their own (their account is opened by the journey)."""
        customer = self._customer_of(unique_username("load"), new_password(), provisioned=False)
        self._newcomers.append(customer.session.client)
        return customer

    def _sign_in(self) -> None:
        self._customer.auth.sign_in().check()
        self._signed_in = time.monotonic()
        if self._plan.sandbox:
            # Out of the rate limit's way for the load, through the control made for it.
            self._customer.sandbox.set_rate_limit(LOAD_RATE_LIMIT).check()

    @task
    def take_a_journey(self) -> None:
        """Pick a journey by weight and take it; a failed request ends it (already reported)."""
        self._journey = self._rng.choices(self._journeys, [j.weight for j in self._journeys])[0]
        try:
            if not self._signed_in or time.monotonic() - self._signed_in > SIGN_IN_AGAIN:
                self._sign_in()
            self._journey.run(self)
        except (JourneyStopped, FrameworkError, CheckFailed):
            pass  # every failed request was reported to Locust when its answer came
        finally:
            for client in self._newcomers:
                client.close()
            self._newcomers.clear()

    def on_stop(self) -> None:
        """Close the user's connections."""
        self._customer.session.client.close()

    def _report(self, exchange: Exchange) -> None:
        """Report one logical request to Locust: each attempt, then the request as a whole."""
        base_path = _base_path(self._plan.url)
        name = _operation(exchange, base_path)
        fire = self.environment.events.request.fire
        received = exchange.received
        length = len(received.content) if received is not None else 0
        failure = self._failure(exchange)
        call = api_call(exchange, base_path)
        for number, (attempt, (_, seconds)) in enumerate(
            zip(exchange.attempts, call.attempts, strict=True), start=1
        ):
            last = number == len(exchange.attempts)
            fire(
                request_type=ATTEMPT,
                name=name,
                response_time=seconds * 1000,
                response_length=length if last else 0,
                exception=None if last and failure is None else attempt.outcome,
                context={},
            )
        fire(
            request_type=REQUEST,
            name=name,
            response_time=exchange.duration_seconds * 1000,
            response_length=length,
            exception=failure,
            context={},
        )
        if failure is not None:
            raise JourneyStopped(failure)

    def _failure(self, exchange: Exchange) -> str | None:
        """Why the request failed for this journey (None: it got an answer the journey takes)."""
        if exchange.error is not None:
            return exchange.error.summary
        status = exchange.status or 0
        if 200 <= status < 300:
            return None
        received = exchange.received
        code = error_code(received.content) if received is not None else None
        allowed = self._journey.may_meet if self._journey else frozenset()
        if code in allowed:
            return None
        where = f"the journey '{self._journey.name}'" if self._journey else "signing in"
        return f"{status} {code}: not a refusal {where} may meet"


def _base_path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path.rstrip("/")


# -- the processes -------------------------------------------------------------------------------


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host if host not in ("*", "0.0.0.0") else "127.0.0.1", 0))  # noqa: S104
        return int(probe.getsockname()[1])


def _environment() -> Environment:
    environment = Environment(user_classes=[Trader], events=events, stop_timeout=STOP_TIMEOUT)
    environment.parsed_options = None
    return environment


def run_worker(master_host: str, master_port: int) -> int:
    """Be a Locust worker of a master: take its plan, run users, send the record when told."""
    environment = _environment()
    try:
        runner = environment.create_worker_runner(master_host, master_port)
    except ConnectionError:
        print(
            f"trust: no load master answered at {master_host}:{master_port}: start the master"
            " first (python -m trust load --remote-workers N …) and check the address",
            file=sys.stderr,
        )
        return 2

    def on_plan(environment: Environment, msg: Any, **_: Any) -> None:
        _here.take(Plan.from_json(msg.data), int(msg.data["index"]))

    def on_finish(environment: Environment, msg: Any, **_: Any) -> None:
        runner.stop()
        # The last statistics go before the record, on the same channel: the master has both.
        data: dict[str, Any] = {}
        environment.events.report_to_master.fire(client_id=runner.client_id, data=data)
        runner.send_message("stats", data)
        runner.send_message(RECORD, {"ledger": _here.ledger.to_json()})

    runner.register_message(PLAN, on_plan)
    runner.register_message(FINISH, on_finish)
    runner.send_message(HELLO, {})
    assert runner.greenlet is not None
    runner.greenlet.join()
    return 0


@dataclass
class _Master:
    """The master's side of the workers: who said hello, whose record came."""

    runner: MasterRunner
    expected: int
    hello: list[str] = field(default_factory=list)
    records: dict[str, Ledger] = field(default_factory=dict)

    def listen(self) -> None:
        def on_hello(environment: Environment, msg: Any, **_: Any) -> None:
            self.hello.append(msg.node_id)

        def on_record(environment: Environment, msg: Any, **_: Any) -> None:
            self.records[msg.node_id] = Ledger.from_json(msg.data["ledger"])

        self.runner.register_message(HELLO, on_hello)
        self.runner.register_message(RECORD, on_record)

    def wait_for_workers(self, plan: Plan) -> None:
        deadline = time.monotonic() + WORKER_WAIT
        while len(self.hello) < self.expected or self.runner.worker_count < self.expected:
            if time.monotonic() > deadline:
                raise LoadError(
                    f"{len(self.hello)} of {self.expected} Locust workers connected within"
                    f" {WORKER_WAIT:g} s: start the remote ones with the command the README gives"
                )
            gevent.sleep(0.1)
        for index, client_id in enumerate(self.hello):
            data = Plan.from_json({**plan.to_json(), "processes": self.expected}).to_json()
            self.runner.send_message(PLAN, {**data, "index": index}, client_id=client_id)

    def collect(self) -> Ledger:
        for client_id in self.hello:
            self.runner.send_message(FINISH, {}, client_id=client_id)
        deadline = time.monotonic() + STOP_TIMEOUT + WORKER_WAIT
        while len(self.records) < len(self.hello) and time.monotonic() < deadline:
            gevent.sleep(0.1)
        missing = [worker for worker in self.hello if worker not in self.records]
        if missing:
            raise LoadError(
                f"{len(missing)} Locust worker(s) sent no record of what the API acknowledged"
                " to them: money conservation cannot be judged; see the workers' logs"
            )
        ledger = Ledger()
        for record in self.records.values():
            ledger.merge(record)
        return ledger


def _start_workers(count: int, port: int, output: Path) -> list[subprocess.Popen[bytes]]:
    started = []
    for number in range(count):
        log = (output / f"worker-{number + 1}.log").open("wb")
        started.append(
            subprocess.Popen(  # noqa: S603 - our interpreter and our own options
                [
                    *(sys.executable, "-m", "trust", "load", "--worker"),
                    *("--master-host", "127.0.0.1", "--master-port", str(port)),
                ],
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        log.close()
    return started


def _stop_workers(workers: Sequence[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for worker in workers:
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(10)


@dataclass(frozen=True, kw_only=True)
class LoadResult:
    """What the Locust part of a run gives back."""

    ledger: Ledger
    run: Run
    latency: dict[str, float]
    minutes: tuple[Minute, ...]
    journey_errors: int


def _figures(runner: Runner) -> list[Figures]:
    """Each operation's logical requests, attempts and 429s, from Locust's statistics."""
    stats = runner.stats
    limited: dict[str, int] = {}
    for error in stats.errors.values():
        if error.method == ATTEMPT and str(error.error).startswith("429"):
            limited[error.name] = limited.get(error.name, 0) + error.occurrences
    rows = []
    for (name, method), entry in stats.entries.items():
        if method != REQUEST:
            continue
        attempts = stats.entries.get((name, ATTEMPT))
        rows.append(
            Figures(
                operation=name,
                requests=entry.num_requests,
                failures=entry.num_failures,
                percentiles={
                    "p50": entry.get_response_time_percentile(0.5),
                    "p95": entry.get_response_time_percentile(0.95),
                    "p99": entry.get_response_time_percentile(0.99),
                },
                attempts=attempts.num_requests if attempts else 0,
                rate_limited=limited.get(name, 0),
            )
        )
    return sorted(rows, key=lambda each: each.operation)


@dataclass
class _Minutes:
    """Per-minute figures of the logical requests, read from Locust's running statistics."""

    runner: Runner
    reading: Callable[[], ProcessReading | None]
    rows: list[Minute] = field(default_factory=list)
    _times: dict[int, int] = field(default_factory=dict)
    _counts: tuple[int, int] = (0, 0)

    def overall(self) -> dict[str, float]:
        """p50, p95 and p99 (ms) of every logical request of the run so far."""
        times, requests, _ = self._totals()
        return {
            name: calculate_response_time_percentile(times, requests, share) if requests else 0
            for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
        }

    def _totals(self) -> tuple[dict[int, int], int, int]:
        times: dict[int, int] = {}
        requests = failures = 0
        for (_, method), entry in self.runner.stats.entries.items():
            if method == REQUEST:
                for bucket, count in entry.response_times.items():
                    times[bucket] = times.get(bucket, 0) + count
                requests += entry.num_requests
                failures += entry.num_failures
        return times, requests, failures

    def sample(self, *, last: bool = False) -> None:
        """Add the row of the minute since the previous one (the last, partial one only when
        it has requests)."""
        times, requests, failures = self._totals()
        window = diff_response_time_dicts(times, self._times)
        count = requests - self._counts[0]
        if last and not count:
            return

        def percentile(share: float) -> float:
            return calculate_response_time_percentile(window, count, share) if count else 0

        self.rows.append(
            Minute(
                minute=len(self.rows) + 1,
                requests=count,
                failures=failures - self._counts[1],
                p50=percentile(0.5),
                p95=percentile(0.95),
                p99=percentile(0.99),
                sandbox=self.reading(),
            )
        )
        self._times, self._counts = times, (requests, failures)

    def every_minute(self) -> None:
        while True:
            gevent.sleep(MINUTE)
            self.sample()


def run_locust(
    plan: Plan, options: LoadOptions, reading: Callable[[], ProcessReading | None]
) -> LoadResult:
    """Run the users as the options say; Locust's report and CSV files go to the output."""
    environment = _environment()
    environment.host = plan.url
    workers: list[subprocess.Popen[bytes]] = []
    master: _Master | None = None
    runner: Runner
    if options.distributed:
        port = options.master_port or _free_port(options.master_bind)
        runner = environment.create_master_runner(options.master_bind, port)
        master = _Master(runner=runner, expected=options.workers + options.remote_workers)
        master.listen()
        workers = _start_workers(options.workers, port, options.output)
    else:
        runner = environment.create_local_runner()
        _here.take(plan, 0)
    greenlets: list[gevent.Greenlet] = []
    csv = StatsCSVFileWriter(
        environment, PERCENTILES_TO_REPORT, str(options.output / "load"), full_history=True
    )
    try:
        if master is not None:
            master.wait_for_workers(plan)
        if options.web:
            environment.create_web_ui("127.0.0.1", options.web_port)
            print(f"Locust's web UI: http://127.0.0.1:{options.web_port}/", flush=True)
        minutes = _Minutes(runner=runner, reading=reading)
        greenlets += [
            gevent.spawn(csv.stats_writer),
            gevent.spawn(stats_history, runner),
            gevent.spawn(minutes.every_minute),
        ]
        started = time.monotonic()
        runner.start(options.users, spawn_rate=options.spawn_rate)
        gevent.sleep(options.duration)
        seconds = time.monotonic() - started
        if master is not None:
            ledger = master.collect()
            gevent.sleep(1)  # the workers' last statistics, sent before their records
        else:
            runner.stop()
            ledger = _here.ledger
        if options.duration >= 2 * MINUTE:
            minutes.sample(last=True)
        gevent.sleep(CSV_STATS_INTERVAL_SEC)  # the CSV writer's last round: the final figures
        for greenlet in greenlets:
            greenlet.kill(block=True)
        (options.output / "load.html").write_text(
            get_html_report(environment, show_download_link=False), encoding="utf-8"
        )
        run = Run(operations=_figures(runner), users=options.users, seconds=seconds)
        latency = minutes.overall()
        errors = sum(int(error["count"]) for error in runner.exceptions.values())
    finally:
        for greenlet in greenlets:
            greenlet.kill(block=True)
        csv.close_files()
        if runner.state != STATE_STOPPED:
            runner.quit()
        _stop_workers(workers)
    return LoadResult(
        ledger=ledger,
        run=run,
        latency=latency,
        minutes=tuple(minutes.rows) if options.duration >= 2 * MINUTE else (),
        journey_errors=errors,
    )


# -- the run -------------------------------------------------------------------------------------


def read_customers(path: Path) -> list[tuple[str, str]]:
    """`--customers FILE`: one customer a line, a username, spaces, then the password.

    The password is the rest of the line (it may hold spaces); blank lines and lines starting
    with ``#`` are skipped. A bad line is named by its number, never quoted (it holds a secret).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        why = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        raise LoadError(f"cannot read the customers file {path}: {why}") from None
    customers = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        username, _, password = line.strip().partition(" ")
        if not username or not password.strip():
            raise LoadError(
                f"{path}, line {number}: expected a username and a password separated by a space"
            )
        customers.append((username, password.strip()))
    if not customers:
        raise LoadError(f"{path} names no customer: one username and password a line")
    return customers


@contextlib.contextmanager
def _target(options: LoadOptions, settings: Settings) -> Iterator[tuple[str, int | None]]:
    """The API to load and, when the run started it, the sandbox's process id."""
    if settings.api_url:
        if options.defect:
            raise LoadError(
                "--defect seeds a defect into the sandbox the run starts: unset API_URL"
            )
        yield settings.api_url, None
        return
    with contextlib.ExitStack() as stack:
        try:
            # No stats file: its counters hold every request's id, which a soak would
            # measure as the sandbox's memory growing.
            started = stack.enter_context(
                serving_processes(RunOptions(defect=options.defect), None)
            )
        except SandboxStartError as error:
            raise LoadError(str(error)) from None
        yield started[-1].url, started[0].pid


def _reader(pid: int | None) -> Callable[[], ProcessReading | None]:
    """How to read the sandbox process's memory, open descriptors and CPU time (nothing without
    one)."""

    def reading() -> ProcessReading | None:
        if pid is None:
            return None
        try:
            process = psutil.Process(pid)
            with process.oneshot():
                cpu = process.cpu_times()
                main = [t.user_time + t.system_time for t in process.threads() if t.id == pid]
                return ProcessReading(
                    rss=process.memory_info().rss,
                    descriptors=process.num_fds(),
                    cpu_seconds=cpu.user + cpu.system,
                    main_thread_cpu_seconds=main[0] if main else cpu.user + cpu.system,
                )
        except psutil.Error:
            return None

    return reading


def _cpu_seconds() -> float:
    """CPU time (user and system) this process has used so far."""
    times = psutil.Process().cpu_times()
    return float(times.user + times.system)


def _busy(before: Any, after: Any) -> float:
    """The share of all the machine's CPU time that was busy between two `psutil.cpu_times()`."""
    total = sum(after) - sum(before)
    idle = after.idle - before.idle + after.iowait - before.iowait
    return float((total - idle) / total) if total > 0 else 0.0


@dataclass
class _Customers:
    """The customers the users act as: credentials, snapshots, and those the run opened."""

    credentials: list[tuple[str, str]] = field(default_factory=list)
    snapshots: dict[str, Holdings] = field(default_factory=dict)
    opened: list[str] = field(default_factory=list)
    sandbox: bool = False


def _prepare(
    options: LoadOptions,
    client: ApiClient,
    given: list[tuple[str, str]] | None,
    *,
    on_sandbox: Callable[[bool], None],
) -> _Customers:
    """Open and fund the run's accounts (or sign in as the given customers), and read each."""
    prepared = _Customers()
    wanted = given or [
        (unique_username("load"), new_password().get_secret_value())
        for _ in range(options.accounts or max(1, math.ceil(options.users / 2)))
    ]
    for number, (username, password) in enumerate(wanted, start=1):
        session = Session(client=client, username=username, password=SecretStr(password))
        session.learn_secrets()
        customer = Customer(username, session, controls_allowed=True, provisioned=bool(given))
        if given is None:
            opened = customer.accounts.open().value
            prepared.opened.append(f"{username} {opened.account_id}")
        signed_in = customer.auth.sign_in()
        if signed_in.error is not None:
            raise LoadError(
                f"customer {number} of {options.customers} could not sign in:"
                f" {signed_in.status} {signed_in.error.code}"
            )
        if number == 1:
            prepared.sandbox = customer.sandbox.is_sandbox()
            on_sandbox(prepared.sandbox)
        if given is None:
            customer.fund(OPENING_DEPOSIT)
        prepared.credentials.append((username, password))
        prepared.snapshots[username] = read_holdings(customer)
    return prepared


def _check(
    settings: Settings, url: str, ledger: Ledger, prepared: _Customers
) -> tuple[list[Verdict], list[str]]:
    """Every account's conservation verdict, and the newcomers the run opened."""
    passwords = dict(prepared.credentials)
    verdicts, opened = [], []
    for username in [*passwords, *(name for name in ledger.books if name not in passwords)]:
        book = ledger.book(username)
        password = passwords.get(username) or book.password
        assert password is not None, f"the record of {username} lacks the password"
        client = RecordingClient(settings, base_url=url, book=book)
        session = Session(client=client, username=username, password=SecretStr(password))
        session.learn_secrets()
        customer = Customer(username, session, controls_allowed=False, provisioned=True)
        before = prepared.snapshots.get(username)
        if before is None:
            for sent in book.unresolved():
                if sent.path == "/accounts":
                    client.resolve(sent, None)
            if book.opened is None:
                client.close()
                continue  # never opened: nothing to check
            opened.append(f"{username} {book.opened}")
            before = OPENED
        verdicts.append(audit(before, client, customer))
        client.close()
    return verdicts, opened


def _clean(output: Path) -> None:
    """Remove what an earlier run left in the output folder (its files only)."""
    output.mkdir(parents=True, exist_ok=True)
    for pattern in ("load*.csv", "load.html", "summary.*", "worker-*.log", "opened-accounts.txt"):
        for old in output.glob(pattern):
            old.unlink()


def _shape(options: LoadOptions, plan: Plan) -> str:
    processes = (
        f"a Locust master and {options.workers + options.remote_workers} workers"
        + (f" ({options.remote_workers} remote)" if options.remote_workers else "")
        if options.distributed
        else "one Locust process"
    )
    journeys = ", ".join(
        f"{j.name} ×{j.weight}" for j in JOURNEYS if plan.open_accounts or not j.opens_accounts
    )
    low, high = options.pause
    return (
        f"{options.users} users (spawned {options.spawn_rate:g}/s) for {options.duration:g} s,"
        f" pausing {low:g}–{high:g} s between journeys,"
        f" {processes}, seed {options.seed}, {len(plan.customers)} customers shared;"
        f" journeys {journeys}"
    )


def _refuse_a_real_target(client: ApiClient, url: str) -> None:
    """Stop before anything is opened when the target plainly has no sandbox controls.

    A sandbox asks for a token (401) on its controls; a deployment has no such path (404).
    Signed in, the first customer asks again (`SandboxApi.is_sandbox`), for an API that
    answers 401 to every path.
    """
    probe = client.request("GET", "/_sandbox/faults", expect={401: None, 404: None, 200: None})
    if probe.status != 401:
        raise LoadError(
            f"{url} is not a sandbox (GET /_sandbox/faults answered {probe.status}): a load run"
            " against it needs --allow-real-target"
        )


def run(options: LoadOptions) -> Summary:
    """One load run, start to verdict (see the module docstring)."""
    settings = load_settings()
    suite = load_suite_settings(settings, customer_required=False)
    given = read_customers(options.customers) if options.customers else None
    if not suite.open_accounts and given is None:
        raise LoadError(
            "SUITE_OPEN_ACCOUNTS=false: the run may not open accounts; give its customers with"
            " --customers FILE (one username and password a line)"
        )
    _clean(options.output)
    reading_of: Callable[[], ProcessReading | None]
    with _target(options, settings) as (url, pid):
        reading_of = _reader(pid)
        try:
            document, _ = fetch_document(url=url, file=None)
        except DocumentError as error:
            raise LoadError(f"{error}: a load run names requests by the API's operations") from None
        operations = tuple(str(each) for each in documented_operations(document))
        profile = load_profile(options.profile, known=operations)
        client = ApiClient(settings, base_url=url)
        if settings.api_url and not options.allow_real_target:
            _refuse_a_real_target(client, settings.api_url)

        def on_sandbox(sandbox: bool) -> None:
            if settings.api_url and not sandbox and not options.allow_real_target:
                raise LoadError(
                    f"{settings.api_url} is not a sandbox (it has no sandbox controls): a load"
                    " run against it needs --allow-real-target"
                )

        try:
            prepared = _prepare(options, client, given, on_sandbox=on_sandbox)
        finally:
            client.close()
        plan = Plan(
            url=url,
            sandbox=prepared.sandbox,
            customers=tuple(prepared.credentials),
            open_accounts=suite.open_accounts,
            seed=options.seed,
            processes=1,
            operations=operations,
            pause=options.pause,
        )
        start, generator_start, machine_start = reading_of(), _cpu_seconds(), psutil.cpu_times()
        result = run_locust(plan, options, reading_of)
        end, generator_cpu = reading_of(), _cpu_seconds() - generator_start
        machine_busy = _busy(machine_start, psutil.cpu_times())
        verdicts, newcomers = _check(settings, url, result.ledger, prepared)
    opened = [*prepared.opened, *newcomers]
    files = {
        "Locust's HTML report": str(options.output / "load.html"),
        "Locust's CSV files": str(options.output / "load_*.csv"),
        "this summary": str(options.output / "summary.md"),
    }
    if opened:
        (options.output / "opened-accounts.txt").write_text(
            "".join(f"{line}\n" for line in opened), encoding="utf-8"
        )
        files["opened"] = str(options.output / "opened-accounts.txt")
    summary = Summary(
        target=url if settings.api_url else f"the built-in sandbox ({url})",
        shape=_shape(options, plan),
        run=result.run,
        latency=result.latency,
        minutes=result.minutes,
        sandbox_start=start,
        sandbox_end=end,
        generator_cpu=None if options.distributed else generator_cpu,
        machine_busy=machine_busy,
        verdicts=verdicts,
        breaches=breaches(result.run, profile),
        journey_errors=result.journey_errors,
        opened=opened,
        files=files,
    )
    (options.output / "summary.md").write_text(summary.text(), encoding="utf-8")
    (options.output / "summary.json").write_text(summary.to_json(), encoding="utf-8")
    return summary


def main(options: LoadOptions) -> int:
    """Run, print the summary; the exit status says what was found (`Summary.exit_status`)."""
    try:
        summary = run(options)
    except (LoadError, ConfigurationError, ProfileError) as error:
        print(f"trust: {error}", file=sys.stderr)
        return 2
    except FrameworkError as error:
        print(
            f"trust: the target did not answer as the contract says while preparing the run:"
            f" {error.summary}",
            file=sys.stderr,
        )
        return 2
    print(summary.text())
    return summary.exit_status()
