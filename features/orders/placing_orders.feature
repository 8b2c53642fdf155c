@orders
Feature: Placing an order at whatever the market price is
  Wherever the price stands, a market order the customer can pay for is filled at once,
  and she is told. (The market-order rules at set prices are in market_orders.feature.)

  Rule: A market order the customer can pay for fills at once

    @smoke
    Scenario: A market buy is filled at once at the market price
      Given Alice is a customer
      And Alice has deposited 1,000.00
      When Alice places a market order to buy 1 AAPL
      Then the order is filled
      And Alice is notified that her order was filled
