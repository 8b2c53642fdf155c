@orders
Feature: Market orders
  A market order buys or sells at once at the current price, wherever the price stands,
  and the customer is told. A buy needs the buying power to pay for it; a sell needs
  shares that are not already promised to another order (no short selling).

  Rule: A market order fills at once at the current price

    @smoke
    Scenario: A market buy is filled at once at the market price
      Given Alice is a customer
      And Alice has deposited 1,000.00
      When Alice places a market order to buy 1 AAPL
      Then the order is filled
      And Alice is notified that her order was filled

    @sandbox
    Scenario: A market buy fills at once and moves cash into shares
      Given Alice is a customer with 10,000.00 in cash
      And AAPL trades at 150.00 in Alice's market
      When Alice places a market order to buy 10 AAPL
      Then the order is filled at 150.00
      And Alice has 8,500.00 in cash
      And Alice holds 10 AAPL at an average price of 150.00
      And Alice is notified that her order was filled

    @sandbox
    Scenario: A market sell fills at once and moves shares into cash
      Given Alice holds 10 AAPL shares bought at 150.00
      And AAPL trades at 160.00 in Alice's market
      When Alice places a market order to sell 4 AAPL
      Then the order is filled at 160.00
      And Alice has 640.00 in cash
      And Alice holds 6 AAPL at an average price of 150.00
      And Alice is notified that her order was filled

  Rule: A buy needs buying power for its cost

    @sandbox
    Scenario: A buy costing more than the buying power is refused
      Given Alice is a customer with 1,499.99 in cash
      And AAPL trades at 150.00 in Alice's market
      When Alice places a market order to buy 10 AAPL
      Then the order is refused with reason INSUFFICIENT_FUNDS
      And Alice has 1,499.99 in cash
      And Alice holds no shares
      And Alice has no orders

    @sandbox
    Scenario: A buy costing exactly the buying power fills
      Given Alice is a customer with 1,500.00 in cash
      And AAPL trades at 150.00 in Alice's market
      When Alice places a market order to buy 10 AAPL
      Then the order is filled at 150.00
      And Alice has 0.00 in cash

    @sandbox
    Scenario: Cash reserved by a pending buy cannot pay for another
      Given Alice is a customer with 2,000.00 in cash
      And AAPL trades at 150.00 in Alice's market
      And Alice has placed a limit order to buy 10 AAPL at 100.00
      When Alice places a market order to buy 10 AAPL
      Then the order is refused with reason INSUFFICIENT_FUNDS
      And Alice has 1,000.00 of buying power

  Rule: A sell needs shares held and not reserved by another sell

    @sandbox
    Scenario: Shares not held cannot be sold
      Given Alice is a customer with 1,000.00 in cash
      When Alice places a market order to sell 1 AAPL
      Then the order is refused with reason INSUFFICIENT_POSITION
      And Alice has no orders

    @sandbox
    Scenario: More shares than held cannot be sold
      Given Alice holds 5 AAPL shares bought at 150.00
      When Alice places a market order to sell 6 AAPL
      Then the order is refused with reason INSUFFICIENT_POSITION
      And Alice holds 5 AAPL at an average price of 150.00

    @sandbox
    Scenario: Shares reserved by a pending sell cannot be sold again
      Given Alice holds 10 AAPL shares bought at 150.00
      And Alice has placed a limit order to sell 8 AAPL at 200.00
      When Alice places a market order to sell 5 AAPL
      Then the order is refused with reason INSUFFICIENT_POSITION
      And Alice holds 10 AAPL at an average price of 150.00
