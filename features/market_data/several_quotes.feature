@market_data
Feature: Quotes for several symbols at once
  A customer asks for up to twenty symbols in one go and gets their quotes in the
  order she asked for them.

  Rule: Quotes come back in the order asked

    @smoke
    Scenario: A customer gets quotes for three symbols in her order
      Given Alice is a customer
      When Alice asks for quotes for MSFT, AAPL, TSLA
      Then the quotes are for MSFT, AAPL, TSLA in that order

    Scenario: Twenty symbols may be asked for at once
      Given Alice is a customer
      When Alice asks for quotes for 20 symbols at once
      Then 20 quotes are given

  Rule: One to twenty well-formed, listed symbols must be named

    Scenario: Asking without naming a symbol is refused
      Given Alice is a customer
      When Alice asks for quotes without naming a symbol
      Then the quote is refused with reason MISSING_FIELD

    Scenario: More than twenty symbols are refused
      Given Alice is a customer
      When Alice asks for quotes for 21 symbols at once
      Then the quote is refused with reason TOO_MANY_SYMBOLS

    Scenario: Symbols named apart are refused rather than half answered
      Given Alice is a customer
      When Alice asks for quotes for AAPL, MSFT, naming each symbol apart
      Then the quote is refused with reason INVALID_SYMBOL

    Scenario: The first malformed symbol is named in the refusal
      Given Alice is a customer
      When Alice asks for quotes for AAPL, msft, tsla
      Then the quote is refused with reason INVALID_SYMBOL
      And the refusal names msft

    Scenario: The first unlisted symbol is named in the refusal
      Given Alice is a customer
      When Alice asks for quotes for AAPL, ZZZZ, QQQQ
      Then the quote is refused with reason SYMBOL_NOT_FOUND
      And the refusal names ZZZZ
