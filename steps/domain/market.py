"""Market data: quotes for one symbol or several."""

from __future__ import annotations

from collections.abc import Sequence

from models.common import ErrorCode
from models.market import Quote, Quotes
from steps.domain.outcome import Outcome
from steps.domain.session import Resource, query


class MarketApi(Resource):
    """The quote resource, as one customer sees the market."""

    def quote(self, symbol: str) -> Outcome[Quote]:
        """The quote for one symbol."""
        return self.call(
            "quote",
            "GET",
            f"/market/{symbol}",
            ok={200: Quote},
            refusals=(ErrorCode.INVALID_SYMBOL, ErrorCode.SYMBOL_NOT_FOUND),
        )

    def quotes(self, symbols: Sequence[str], *, apart: bool = False) -> Outcome[Quotes]:
        """Quotes for several symbols at once, in the order asked.

        ``apart`` names each symbol in a parameter of its own instead of one list (a request
        the contract refuses).
        """
        return self.call(
            "quote",
            "GET",
            "/market",
            ok={200: Quotes},
            refusals=(
                ErrorCode.MISSING_FIELD,
                ErrorCode.INVALID_SYMBOL,
                ErrorCode.TOO_MANY_SYMBOLS,
                ErrorCode.SYMBOL_NOT_FOUND,
            ),
            params=query(symbols=tuple(symbols) if apart else ",".join(symbols)),
        )
