"""The sandbox's own speed: requests per second and latency under a small concurrent load.

Starts `python -m sandbox --port 0`, then drives `GET /account` and `POST /orders` from
client processes (each with several threads, one keep-alive session per thread) and
prints, per operation, the throughput and the median and 95th-percentile latency.

    .venv/bin/python benchmarks/sandbox_load.py [--processes 2] [--threads 4] [--requests 200]
"""

from __future__ import annotations

import argparse
import multiprocessing
import select
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
#: seconds to wait for the sandbox to say it listens
STARTUP_TIMEOUT = 60
#: seconds before one benchmark request gives up
TIMEOUT = 30
ORDER = {"symbol": "AAPL", "side": "BUY", "quantity": 1, "order_type": "MARKET"}


@dataclass(frozen=True, kw_only=True)
class Job:
    """What one client thread does."""

    base_url: str
    token: str
    requests: int


def _customer(base_url: str) -> str:
    """A new customer with plenty of cash; their token."""
    username = f"bench_{uuid.uuid4().hex[:20]}"
    password = "benchmark password"  # noqa: S105 - a throwaway account of the benchmark
    credentials = {"username": username, "password": password}
    requests.post(base_url + "/accounts", json=credentials, timeout=TIMEOUT).raise_for_status()
    login = requests.post(base_url + "/auth/token", json=credentials, timeout=TIMEOUT)
    token: str = login.json()["access_token"]
    requests.post(
        base_url + "/payments/deposits",
        json={"amount": 1_000_000, "method": "BANK_TRANSFER"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    ).raise_for_status()
    return token


def _thread(job: Job) -> dict[str, list[float]]:
    """Alternate GET /account and POST /orders on one keep-alive session."""
    latencies: dict[str, list[float]] = {"GET /account": [], "POST /orders": []}
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {job.token}"
        for index in range(job.requests):
            if index % 2:
                label, start = "POST /orders", time.perf_counter()
                response = session.post(job.base_url + "/orders", json=ORDER, timeout=TIMEOUT)
                expected = 201
            else:
                label, start = "GET /account", time.perf_counter()
                response = session.get(job.base_url + "/account", timeout=TIMEOUT)
                expected = 200
            latencies[label].append(time.perf_counter() - start)
            if response.status_code != expected:
                raise RuntimeError(f"{label} answered {response.status_code}: {response.text}")
    return latencies


def _process(jobs: list[Job]) -> dict[str, list[float]]:
    """One client process: its threads, their latencies merged."""
    merged: dict[str, list[float]] = {}
    with ThreadPoolExecutor(len(jobs)) as pool:
        for result in pool.map(_thread, jobs):
            for label, values in result.items():
                merged.setdefault(label, []).extend(values)
    return merged


def start_sandbox() -> tuple[subprocess.Popen[str], str]:
    """`python -m sandbox --port 0` without a practical rate limit; the process and its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--rate-limit", "1000000"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], STARTUP_TIMEOUT)
    line = process.stdout.readline() if ready else ""
    if not line.startswith("sandbox listening on "):
        process.kill()
        raise SystemExit(f"the sandbox did not start within {STARTUP_TIMEOUT} s: {line!r}")
    return process, line.split()[-1]


def main() -> None:
    """Run the load and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per client process")
    parser.add_argument("--requests", type=int, default=200, help="requests per thread")
    args = parser.parse_args()
    process, base_url = start_sandbox()
    try:
        per_process = [
            [
                Job(base_url=base_url, token=_customer(base_url), requests=args.requests)
                for _ in range(args.threads)
            ]
            for _ in range(args.processes)
        ]
        started = time.perf_counter()
        with multiprocessing.Pool(args.processes) as pool:
            results = pool.map(_process, per_process)
        elapsed = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=30)
    merged: dict[str, list[float]] = {}
    for result in results:
        for label, values in result.items():
            merged.setdefault(label, []).extend(values)
    total = sum(len(values) for values in merged.values())
    clients = args.processes * args.threads
    print(
        f"sandbox load: {clients} concurrent clients ({args.processes} processes), {total} requests"
    )
    print(f"  all        {total / elapsed:8.0f} requests/s over {elapsed:.1f} s")
    for label, values in merged.items():
        values.sort()
        median = statistics.median(values) * 1000
        p95 = values[int(len(values) * 0.95) - 1] * 1000
        print(
            f"  {label:<14} median {median:6.1f} ms   p95 {p95:6.1f} ms   ({len(values)} requests)"
        )


if __name__ == "__main__":
    main()
