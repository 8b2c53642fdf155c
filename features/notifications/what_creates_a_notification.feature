@notifications
Feature: What a customer is told about
  A customer is told when an order of hers is filled or cancelled and when a deposit or
  a withdrawal of hers completes: one notification per event, about that order or
  payment. Nothing else creates a notification, and nobody is told about anybody else.

  Rule: Every completed event creates exactly one notification about it

    @smoke
    Scenario: A deposit is notified
      Given Alice is a customer
      When Alice deposits 25.00 by card
      Then Alice is notified that her deposit completed

    Scenario: A withdrawal is notified
      Given Alice is a customer with 100.00 in cash
      When Alice withdraws 40.00 by bank transfer
      Then Alice is notified that her withdrawal completed

    @sandbox
    Scenario: A market order that fills is notified
      Given Alice is a customer with 1,000.00 in cash
      And AAPL trades at 100.00 in Alice's market
      When Alice places a market order to buy 2 AAPL
      Then Alice is notified that her order was filled

    @sandbox
    Scenario: A waiting limit order is notified when the price reaches it
      Given Alice is a customer with 1,000.00 in cash
      And AAPL trades at 190.00 in Alice's market
      And Alice has placed a limit order to buy 2 AAPL at 150.00
      When AAPL moves to 140.00 in Alice's market
      Then Alice is notified that her order was filled

    @sandbox
    Scenario: A sale is notified
      Given Alice holds 5 AAPL shares bought at 100.00
      When Alice places a market order to sell 5 AAPL
      Then Alice is notified that her order was filled
      And Alice holds no AAPL shares

    Scenario: A cancellation is notified
      Given Alice is a customer with 100.00 in cash
      And Alice has placed a limit order to buy 1 AAPL at 1.00
      When Alice cancels the order
      Then Alice is notified that her order was cancelled

  Rule: A notification says in words what it is about

    @sandbox
    Scenario: The notification of a fill names the shares and the symbol
      Given Alice is a customer with 1,000.00 in cash
      And AAPL trades at 100.00 in Alice's market
      When Alice places a market order to buy 2 AAPL
      Then Alice's notification of the fill names 2 AAPL

  Rule: Nothing that did not complete creates a notification

    Scenario: A limit order that waits is not notified yet
      Given Alice is a customer with 100.00 in cash
      When Alice places a limit order to buy 1 AAPL at 1.00
      Then Alice is not notified that her order was filled

    Scenario: A refused order creates no notification
      Given Alice is a customer
      When Alice places a market order to buy 1 AAPL
      Then the order is refused with reason INSUFFICIENT_FUNDS
      And Alice has no notifications

    Scenario: A refused withdrawal creates no notification
      Given Alice is a customer
      When Alice withdraws 10.00 by bank transfer
      Then the withdrawal is refused with reason INSUFFICIENT_FUNDS
      And Alice has no notifications

  Rule: A customer is told only about her own orders and payments

    Scenario: Another customer's deposit is not told to her
      Given Alice is a customer
      And Bob is a customer
      And Bob has deposited 10.00
      When Alice lists her notifications
      Then nothing is listed
