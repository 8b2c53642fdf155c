"""The words steps parse: names, amounts, symbols, quantities and lists, in one place."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from parse import with_pattern
from pytest_bdd import parsers

from models.common import ErrorCode


def _text(pattern: str) -> Callable[[str], str]:
    """A field of plain text that must match ``pattern``, handed on as it is."""

    def as_written(text: str) -> str:
        return text

    return with_pattern(pattern)(as_written)  # type: ignore[no-any-return]


@with_pattern(r"-?\d[\d,]*(?:\.\d+)?")
def _money(text: str) -> Decimal:
    return money(text)


@with_pattern(r"-?\d+(?:\.\d+)?")
def _quantity(text: str) -> int | Decimal:
    return int(text) if text.lstrip("-").isdigit() else Decimal(text)


@with_pattern(r"[A-Z][A-Z_]+")
def _code(text: str) -> ErrorCode:
    try:
        return ErrorCode(text)
    except ValueError:
        raise ValueError(f"{text} is not an error code of the contract") from None


@with_pattern(r"buy|sell")
def _side(text: str) -> str:
    return text.upper()


#: The types step texts may use, as `{field:Type}`.
TYPES: dict[str, Any] = {
    "Name": _text(r"[A-Z][a-z]+"),
    "Money": _money,
    "Quantity": _quantity,
    "Symbol": _text(r"\S+"),
    "Symbols": _text(r"[A-Za-z_.]+(?:,\s*[A-Za-z_.]+)*"),
    "Amounts": _text(r"\d[\d,]*\.\d{2}(?:(?:, | and )\d[\d,]*\.\d{2})*"),
    "Word": _text(r"\S+"),
    "Pronoun": _text(r"her|his|their"),
    "Listable": _text(r"orders|payments|notifications"),
    "Code": _code,
    "Side": _side,
    "Status": _text(r"[A-Z]+"),
    "Currency": _text(r"[A-Z]{3}"),
    "Which": _text(r"(?:her|his|their) (?:oldest|newest)|a made-up"),
    "Access": _text(r"no|made-up|empty|malformed|forged"),
    "Thing": _text(r"order|payment"),
    "PaymentDone": _text(r"deposited|withdrawn"),
    "PaymentDoing": _text(r"deposits|withdraws"),
    "Method": _text(r"[a-z]+(?: [a-z]+)?"),
    "MalformedKey": _text(r"a key (?:of \d+ characters|with [a-z ]+)"),
}


def phrase(text: str) -> parsers.parse:
    """A step text with typed fields, e.g. ``"{name:Name} has {amount:Money} in cash"``."""
    return parsers.parse(text, extra_types=TYPES)


def money(text: str) -> Decimal:
    """``"10,000.00"`` as ``Decimal("10000.00")``."""
    return Decimal(text.replace(",", ""))


def written(amount: Decimal) -> str:
    """Money as the features write it: ``Decimal("8500.0")`` as ``"8,500.00"``."""
    return f"{amount:,.2f}"


def listing(text: str) -> list[str]:
    """``"1,000.00, 2.00 and 3.00"`` or ``"MSFT, AAPL, TSLA"`` as its items.

    Items are separated by a comma and a space, or by "and"; a comma inside a number
    (a thousands separator) has no space after it.
    """
    return [item for item in re.split(r",\s+|\s+and\s+", text.strip()) if item]


def pages(text: str) -> list[list[str]]:
    """``"5 and 4, then 3 and 2, then 1"`` as the items of each page."""
    return [listing(part) for part in re.split(r",?\s+then\s+", text.strip())]


#: How people name payment methods, and the contract's values for them.
PAYMENT_METHODS = {"card": "CARD", "bank transfer": "BANK_TRANSFER"}


def payment_method(words: str) -> str:
    """``"bank transfer"`` as ``BANK_TRANSFER``; any other words as they would be spelled."""
    return PAYMENT_METHODS.get(words, words.upper().replace(" ", "_"))
