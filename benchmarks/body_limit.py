"""What a body over the limit costs: 100 MB refused, side by side with requests read whole.

Starts `python -m sandbox --port 0`, then, round after round, sends unauthenticated
`POST /orders` requests with `requests` (a new connection each) and times each until its
answer: 100 MB with a Content-Length and 100 MB chunked (both 413 PAYLOAD_TOO_LARGE), the
largest body the API reads (1 MiB, read whole, then 401) and an empty one (401). Prints the
median of each and the ratios to the empty request.

    .venv/bin/python benchmarks/body_limit.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

# Run as a script: the project's root holds the packages imported below.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from steps.sandbox_process import SandboxProcess  # noqa: E402

#: seconds before one benchmark request gives up
TIMEOUT = 30

#: bytes: the body of the issue, a hundred times the limit
HUNDRED_MB = 100 * 10**6
#: bytes: the largest body the API reads
LIMIT = 1 << 20


def _chunks(body: bytes, size: int = LIMIT) -> Iterator[bytes]:
    """The body as a generator: requests sends it chunked, without a Content-Length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _timed(url: str, body: bytes, *, chunked: bool, status: int) -> float:
    """Seconds from sending to the whole answer, which must be ``status``."""
    started = time.perf_counter()
    data = _chunks(body) if chunked else body
    response = requests.post(url, data=data, timeout=TIMEOUT)
    elapsed = time.perf_counter() - started
    if response.status_code != status:
        raise SystemExit(f"expected {status}, got {response.status_code}: {response.text[:200]}")
    return elapsed


def main() -> None:
    """Run the rounds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="rounds of the four requests")
    args = parser.parse_args()
    big = b" " * HUNDRED_MB
    at_limit = b" " * LIMIT
    variants = {
        "100 MB, Content-Length (413)": (big, False, 413),
        "100 MB, chunked (413)": (big, True, 413),
        "1 MiB, read whole (401)": (at_limit, False, 401),
        "empty (401)": (b"", False, 401),
    }
    times: dict[str, list[float]] = {label: [] for label in variants}
    sandbox = SandboxProcess.start(project_root=ROOT)
    url = sandbox.url + "/orders"
    try:
        for _ in range(args.rounds):
            for label, (body, chunked, status) in variants.items():
                times[label].append(_timed(url, body, chunked=chunked, status=status))
    finally:
        sandbox.stop()
    baseline = statistics.median(times["empty (401)"])
    print(f"body limit: {args.rounds} rounds, medians, ratio to the empty request")
    for label, values in times.items():
        median = statistics.median(values)
        print(f"  {label:<30} {median * 1000:8.1f} ms   {median / baseline:6.1f}x")


if __name__ == "__main__":
    main()
