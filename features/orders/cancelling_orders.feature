@orders
Feature: Cancelling orders
  A customer cancels an order that is still waiting. Cancelling releases what the order
  reserved and tells her so; an order that has already filled cannot be cancelled.

  Rule: A pending order can be cancelled, releasing its reservation

    @smoke
    Scenario: A waiting order can be cancelled
      Given Alice is a customer
      And Alice has deposited 10.00
      And Alice has placed a limit order to buy 1 AAPL at 1.00
      When Alice cancels the order
      Then the order is cancelled
      And Alice is notified that her order was cancelled

    Scenario: Cancelling a waiting buy gives back its buying power
      Given Alice is a customer with 1,000.00 in cash
      And Alice has placed a limit order to buy 10 AAPL at 1.00
      When Alice cancels the order
      Then the order is cancelled
      And Alice has 1,000.00 of buying power
      And Alice is notified that her order was cancelled

    @sandbox
    Scenario: Cancelling a waiting sell frees the shares to sell again
      Given Alice holds 10 AAPL shares bought at 150.00
      And Alice has placed a limit order to sell 10 AAPL at 200.00
      And Alice has cancelled the order
      When Alice places a market order to sell 10 AAPL
      Then the order is filled at 150.00

    @sandbox
    Scenario: A cancelled order never fills
      Given Alice is a customer with 10,000.00 in cash
      And AAPL trades at 190.00 in Alice's market
      And Alice has placed a limit order to buy 10 AAPL at 150.00
      And Alice has cancelled the order
      When AAPL moves to 140.00 in Alice's market
      Then Alice's order is cancelled
      And Alice has 10,000.00 in cash
      And Alice holds no shares

  Rule: Cancelling is idempotent

    Scenario: Cancelling a cancelled order again changes nothing
      Given Alice is a customer with 1,000.00 in cash
      And Alice has placed a limit order to buy 10 AAPL at 1.00
      And Alice has cancelled the order
      When Alice cancels the order
      Then the order is cancelled
      And Alice has 1,000.00 of buying power
      And Alice is notified that her order was cancelled

  Rule: A filled order cannot be cancelled

    (Nobody cancels another customer's order: see security/other_customers.feature.)

    @sandbox
    Scenario: A filled order cannot be cancelled
      Given Alice holds 10 AAPL shares bought at 150.00
      When Alice cancels the order
      Then the cancellation is refused with reason ORDER_NOT_CANCELLABLE
      And Alice holds 10 AAPL at an average price of 150.00
