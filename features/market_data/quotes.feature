@market_data
Feature: Quotes
  A customer asks for the current price of a listed symbol, and how many shares of it
  have been traded.

  Rule: A listed symbol has a quote with a positive price

    @smoke

    Scenario: A customer gets a quote for a listed symbol
      Given Alice is a customer
      When Alice asks for a quote for AAPL
      Then the quote is for AAPL with a positive price and the shares traded so far

    @sandbox
    Scenario: A new customer sees the market at its starting prices
      Given Alice is a customer
      Then Alice sees these prices:
        | symbol | price  |
        | AAPL   | 190.00 |
        | MSFT   | 420.00 |
        | GOOGL  | 170.00 |
        | AMZN   | 185.00 |
        | TSLA   | 250.00 |
        | NVDA   | 120.00 |

    @sandbox
    Scenario: A quote shows the price as it moved
      Given Alice is a customer
      And AAPL trades at 155.55 in Alice's market
      When Alice asks for a quote for AAPL
      Then the quote shows a price of 155.55

  Rule: A symbol is one to five capital letters, and must be listed

    Scenario Outline: A malformed symbol "<symbol>" is refused
      Given Alice is a customer
      When Alice asks for a quote for <symbol>
      Then the quote is refused with reason INVALID_SYMBOL

      Examples:
        | symbol |
        | aapl   |
        | TOOLONG |
        | AB1    |

    Scenario: A quote for an unlisted symbol is not found
      Given Alice is a customer
      When Alice asks for a quote for ZZZZ
      Then the quote is refused with reason SYMBOL_NOT_FOUND

  Rule: The shares traded grow with every fill, whoever trades

    @sandbox

    Scenario: A customer's fill adds to the shares traded
      Given Alice is a customer with 2,000.00 in cash
      And AAPL trades at 100.00 in Alice's market
      And Alice notes the shares traded in AAPL so far
      When Alice places a market order to buy 7 AAPL
      Then Alice sees the shares traded in AAPL grown by at least 7
