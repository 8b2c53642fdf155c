"""Steps about the market: prices as a customer sees them, quotes and shares traded."""

from __future__ import annotations

import itertools
from decimal import Decimal

from pytest_bdd import given, then, when

from models.market import Quote, Quotes
from steps.domain.customers import Cast
from steps.domain.outcome import Outcome
from steps.vocabulary import listing, money, phrase, written

#: The symbols every deployment lists.
LISTED = ("AAPL", "MSFT", "GOOGL", "AMZN", "TSLA", "NVDA")


@given(phrase("{symbol:Symbol} trades at {price:Money} in {name:Name}'s market"))
def trades_at(cast: Cast, symbol: str, price: Decimal, name: str) -> None:
    """Given AAPL trades at 150.00 in Alice's market

    Sets the price as Alice sees it (sandbox; prices are per customer there).
    """
    cast[name].see_price(symbol, price)


@when(phrase("{symbol:Symbol} moves to {price:Money} in {name:Name}'s market"))
def moves_to(cast: Cast, symbol: str, price: Decimal, name: str) -> None:
    """When AAPL moves to 140.00 in Alice's market

    Alice's waiting orders that the new price reaches fill at once.
    """
    cast[name].see_price(symbol, price)


@when(phrase("{name:Name} asks for a quote for {symbol:Symbol}"), target_fixture="outcome")
def asks_for_quote(cast: Cast, name: str, symbol: str) -> Outcome[Quote]:
    """When Alice asks for a quote for AAPL"""
    return cast[name].market.quote(symbol)


@when(phrase("{name:Name} asks for quotes for {count:d} symbols at once"), target_fixture="outcome")
def asks_for_many_quotes(cast: Cast, name: str, count: int) -> Outcome[Quotes]:
    """When Alice asks for quotes for 20 symbols at once"""
    return cast[name].market.quotes(list(itertools.islice(itertools.cycle(LISTED), count)))


@when(phrase("{name:Name} asks for quotes without naming a symbol"), target_fixture="outcome")
def asks_for_no_quotes(cast: Cast, name: str) -> Outcome[Quotes]:
    """When Alice asks for quotes without naming a symbol"""
    return cast[name].market.quotes([])


@when(phrase("{name:Name} asks for quotes for {symbols:Symbols}"), target_fixture="outcome")
def asks_for_quotes(cast: Cast, name: str, symbols: str) -> Outcome[Quotes]:
    """When Alice asks for quotes for MSFT, AAPL, TSLA"""
    return cast[name].market.quotes(listing(symbols))


@when(
    phrase("{name:Name} asks for quotes for {symbols:Symbols}, naming each symbol apart"),
    target_fixture="outcome",
)
def asks_for_quotes_apart(cast: Cast, name: str, symbols: str) -> Outcome[Quotes]:
    """When Alice asks for quotes for AAPL, MSFT, naming each symbol apart

    Each symbol is a request detail of its own instead of one list; a service that read
    only one of them would answer half the question.
    """
    return cast[name].market.quotes(listing(symbols), apart=True)


@then(phrase("the quote is for {symbol:Symbol} with a positive price and the shares traded so far"))
def quote_is_for(outcome: Outcome[Quote], symbol: str) -> None:
    """Then the quote is for AAPL with a positive price and the shares traded so far

    The model already requires a positive price and a volume of at least zero.
    """
    given = outcome.value.symbol
    outcome.expect("symbol", symbol, f"the quote is for {given}, not {symbol}")


@then(phrase("the quote shows a price of {price:Money}"))
def quote_shows_price(outcome: Outcome[Quote], price: Decimal) -> None:
    """Then the quote shows a price of 155.55"""
    quoted = written(outcome.value.price)
    outcome.expect("price", price, f"quoted at {quoted}, expected {written(price)}")


@then(phrase("the quotes are for {symbols:Symbols} in that order"))
def quotes_in_order(outcome: Outcome[Quotes], symbols: str) -> None:
    """Then the quotes are for MSFT, AAPL, TSLA in that order"""
    given = ", ".join(quote.symbol for quote in outcome.value.quotes)
    message = f"the quotes are for {given}, not {symbols} in that order"
    outcome.expect("quotes.*.symbol", listing(symbols), message)


@then(phrase("{count:d} quotes are given"))
def quotes_given(outcome: Outcome[Quotes], count: int) -> None:
    """Then 20 quotes are given"""
    given = outcome.count("quotes")
    outcome.expect_count("quotes", count, f"{given} quotes are given, expected {count}")


@then(phrase("{name:Name} sees these prices:"))
def sees_prices(cast: Cast, name: str, datatable: list[list[str]]) -> None:
    """Then Alice sees these prices:
    | symbol | price  |
    | AAPL   | 190.00 |
    """
    header, *rows = datatable
    expected = {row[header.index("symbol")]: money(row[header.index("price")]) for row in rows}
    quotes = cast[name].market.quotes(list(expected)).value.quotes
    assert {quote.symbol: quote.price for quote in quotes} == expected


@given(
    phrase("{name:Name} notes the shares traded in {symbol:Symbol} so far"),
    target_fixture="volume_before",
)
def notes_volume(cast: Cast, name: str, symbol: str) -> int:
    """Given Alice notes the shares traded in AAPL so far"""
    return cast[name].market.quote(symbol).value.volume


@then(
    phrase("{name:Name} sees the shares traded in {symbol:Symbol} grown by at least {quantity:d}")
)
def volume_grew(cast: Cast, volume_before: int, name: str, symbol: str, quantity: int) -> None:
    """Then Alice sees the shares traded in AAPL grown by at least 7

    Other customers trade at the same time, so only "at least" can be expected.
    """
    volume = cast[name].market.quote(symbol).value.volume
    assert volume >= volume_before + quantity, (
        f"shares traded went from {volume_before} to {volume}"
    )


@when(
    phrase(
        "{name:Name} asks for {symbol:Symbol} to trade at {price:Money} in {pronoun:Pronoun} market"
    ),
    target_fixture="outcome",
)
def asks_for_price(
    cast: Cast, name: str, symbol: str, price: Decimal, pronoun: str
) -> Outcome[Quote]:
    """When Alice asks for ZZZZ to trade at 100.00 in her market

    Asks the sandbox to set the price as Alice sees it; unlike "AAPL moves to 140.00 in
    Alice's market", the answer may be a refusal, which a later step reads.
    """
    return cast[name].sandbox.set_price(symbol, price)


@then(phrase("{name:Name} can get a quote for {symbol:Symbol}"))
def can_get_quote(cast: Cast, name: str, symbol: str) -> None:
    """Then Alice can get a quote for AAPL"""
    answer = cast[name].market.quote(symbol)
    given = answer.value.symbol
    answer.expect("symbol", symbol, f"{name} asked for a quote for {symbol} and got {given}")
