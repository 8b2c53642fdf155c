"""The sandbox: a reference implementation of the trading API, with fault injection."""

from __future__ import annotations

__version__ = "1.0.0"
