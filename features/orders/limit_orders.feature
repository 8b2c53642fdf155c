@orders @sandbox
Feature: Limit orders
  A limit order trades only at its limit price or better. When the market is already
  there it fills at once at the current price; otherwise it waits, reserving what it
  would cost (a buy) or the shares (a sell), and fills at its limit as soon as the
  price reaches it.

  Rule: A limit buy at or above the price fills at once at the current price

    Scenario: A limit buy at the current price fills at once
      Given Alice is a customer with 10,000.00 in cash
      And AAPL trades at 160.00 in Alice's market
      When Alice places a limit order to buy 10 AAPL at 160.00
      Then the order is filled at 160.00
      And Alice has 8,400.00 in cash

    Scenario: A limit buy that fills at once needs only the cost at the current price
      Given Alice is a customer with 1,000.00 in cash
      And AAPL trades at 90.00 in Alice's market
      When Alice places a limit order to buy 10 AAPL at 200.00
      Then the order is filled at 90.00
      And Alice has 100.00 in cash

  Rule: A limit buy below the price waits, reserving its cost at the limit

    Scenario: A limit buy below the price waits and reserves buying power
      Given Alice is a customer with 10,000.00 in cash
      And AAPL trades at 190.00 in Alice's market
      When Alice places a limit order to buy 10 AAPL at 150.00
      Then the order is pending
      And Alice has 10,000.00 in cash
      And Alice has 8,500.00 of buying power
      And Alice holds no shares

    Scenario: A waiting limit buy needs buying power for its cost at the limit
      Given Alice is a customer with 1,000.00 in cash
      And AAPL trades at 190.00 in Alice's market
      When Alice places a limit order to buy 10 AAPL at 150.00
      Then the order is refused with reason INSUFFICIENT_FUNDS
      And Alice has 1,000.00 of buying power

    Scenario Outline: A waiting limit buy fills at its limit when the price falls to <price>
      Given Alice is a customer with 10,000.00 in cash
      And AAPL trades at 190.00 in Alice's market
      And Alice has placed a limit order to buy 10 AAPL at 150.00
      When AAPL moves to <price> in Alice's market
      Then Alice's order is filled at 150.00
      And Alice has 8,500.00 in cash
      And Alice has 8,500.00 of buying power
      And Alice holds 10 AAPL at an average price of 150.00
      And Alice is notified that her order was filled

      Examples:
        | price  |
        | 150.00 |
        | 140.00 |

    Scenario: A waiting limit buy keeps waiting while the price stays above its limit
      Given Alice is a customer with 10,000.00 in cash
      And AAPL trades at 190.00 in Alice's market
      And Alice has placed a limit order to buy 10 AAPL at 150.00
      When AAPL moves to 150.01 in Alice's market
      Then Alice's order is still pending
      And Alice has 8,500.00 of buying power

  Rule: A limit sell at or below the price fills at once at the current price

    Scenario Outline: A limit sell at <limit> fills at once when the price is <price>
      Given Alice holds 10 AAPL shares bought at 150.00
      And AAPL trades at <price> in Alice's market
      When Alice places a limit order to sell 10 AAPL at <limit>
      Then the order is filled at <price>
      And Alice has <cash> in cash
      And Alice holds no AAPL shares

      Examples:
        | price  | limit  | cash     |
        | 200.00 | 180.00 | 2,000.00 |
        | 200.00 | 200.00 | 2,000.00 |

  Rule: A limit sell above the price waits, reserving the shares, and fills at its limit

    Scenario: A limit sell above the price waits and keeps the shares
      Given Alice holds 10 AAPL shares bought at 150.00
      When Alice places a limit order to sell 10 AAPL at 180.00
      Then the order is pending
      And Alice has 0.00 in cash
      And Alice holds 10 AAPL at an average price of 150.00

    Scenario: A waiting limit sell fills at its limit when the price rises to it
      Given Alice holds 10 AAPL shares bought at 150.00
      And Alice has placed a limit order to sell 10 AAPL at 180.00
      When AAPL moves to 185.00 in Alice's market
      Then Alice's order is filled at 180.00
      And Alice has 1,800.00 in cash
      And Alice holds no AAPL shares
      And Alice is notified that her order was filled
