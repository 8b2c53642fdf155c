"""`python -m sandbox`: serve the sandbox; a bad start ends with one line on stderr."""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import socket
import ssl
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from sandbox.rules import CONTRACT, Rules
from sandbox.store import DatabaseError, Store


class StartupError(Exception):
    """The sandbox cannot start; the message says why and what to do."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line instead of argparse's usage block, so a parent process can show it whole.
        self.exit(2, f"sandbox: {message} (see python -m sandbox --help)\n")


def _positive(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 1000000, not {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0 (any free port) to 65535, not {text!r}")
    return int(text)


def _rate(text: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        rate = -1.0
    if not 0 <= rate <= 1:
        raise argparse.ArgumentTypeError(f"must be a share from 0 to 1 (0.10 is 10%), not {text!r}")
    return rate


def _seed(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}")
    return int(text)


def parse(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = _Parser(prog="python -m sandbox", description="Serve the trading API sandbox.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=_port, default=8000, help="0 picks a free port")
    parser.add_argument(
        "--db", type=Path, help="SQLite file (default: a new one in a temporary folder)"
    )
    parser.add_argument(
        "--rate-limit",
        type=_positive,
        default=CONTRACT.rate_limit,
        help="requests per token a minute (default %(default)s)",
    )
    parser.add_argument("--tls-cert", type=Path, help="PEM certificate: serve HTTPS")
    parser.add_argument("--tls-key", type=Path, help="PEM private key of --tls-cert")
    parser.add_argument(
        "--chaos",
        type=_rate,
        metavar="RATE",
        help="inject random transient faults into this share of requests (0.10: 10%%)",
    )
    parser.add_argument("--seed", type=_seed, default=0, help="random seed of --chaos")
    parser.add_argument(
        "--stats-file", type=Path, metavar="PATH", help="write request and fault counters here"
    )
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop (and clean up) as soon as the process that started this one has ended",
    )
    args = parser.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together: give both or neither")
    return args


def _bind(host: str, port: int) -> socket.socket:
    try:
        return socket.create_server((host, port), family=_family(host), backlog=1024)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(
                f"port {port} on {host} is already in use: choose another with --port"
                " (--port 0 picks a free one)"
            ) from None
        raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _check_tls(cert: Path, key: Path) -> None:
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise StartupError(f"cannot use --tls-cert {cert} with --tls-key {key}: {exc}") from None


def serve(
    args: argparse.Namespace,
    db: Path,
    *,
    rules: Rules = CONTRACT,
    cleanup: Callable[[], None] = lambda: None,
) -> None:
    """Bind, open the database, and serve under `rules` until interrupted; then ``cleanup()``.

    ``cleanup`` runs once serving has stopped, also after SIGTERM (which ends the process
    before ``serve`` could return).
    """
    if args.tls_cert:
        _check_tls(args.tls_cert, args.tls_key)
    sock = _bind(args.host, args.port)
    try:
        store = Store(db)
    except DatabaseError as exc:
        sock.close()
        raise StartupError(f"{exc}: give a writable file with --db") from None
    # Imported only now: the web stack takes seconds to import on a busy machine, and a
    # bad option, a taken port or a bad database path should be told at once.
    from sandbox.chaos import ChaosOptions, Stats
    from sandbox.server import ServerOptions, build_server

    options = ServerOptions(
        host=args.host,
        rules=replace(rules, rate_limit=args.rate_limit),
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        chaos=None if args.chaos is None else ChaosOptions(rate=args.chaos, seed=args.seed),
        parent=os.getppid() if args.exit_with_parent else None,
    )
    stats = Stats() if args.stats_file else None

    def on_stop() -> None:
        if stats is not None:
            stats.write(args.stats_file)
        store.close()
        cleanup()

    build_server(options, store, stats=stats, on_stop=on_stop).run(sockets=[sock])


def main(argv: list[str] | None = None, *, rules: Rules = CONTRACT) -> int:
    """Run the sandbox under `rules` (the contract's unless given others).

    0 when stopped, 1 when it cannot start, 2 for a bad option.
    """
    args = parse(sys.argv[1:] if argv is None else argv)
    try:
        if args.db is not None:
            serve(args, args.db, rules=rules)
        else:
            folder = Path(tempfile.mkdtemp(prefix="sandbox-"))

            def remove() -> None:
                shutil.rmtree(folder, ignore_errors=True)

            try:
                serve(args, folder / "sandbox.sqlite3", rules=rules, cleanup=remove)
            finally:
                remove()
    except StartupError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
