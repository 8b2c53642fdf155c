@security
Feature: Nobody sees or touches another customer's things
  Another customer's account, order or payment looks exactly as if it did not exist:
  it cannot be read, listed, cancelled or used as a starting point.

  Rule: Another customer's things read as not found

    Scenario: Another customer's order reads as not found
      Given Alice is a customer
      And Bob is a customer with 100.00 in cash
      And Bob has placed a limit order to buy 1 AAPL at 1.00
      When Alice looks up Bob's order
      Then the order lookup is refused with reason ORDER_NOT_FOUND
      And the refusal gives nothing away

    Scenario: Another customer's payment reads as not found
      Given Alice is a customer
      And Bob is a customer with 100.00 in cash
      When Alice looks up Bob's payment
      Then the payment lookup is refused with reason PAYMENT_NOT_FOUND
      And the refusal gives nothing away

    Scenario: Another customer's account reads as not found
      Given Alice is a customer
      And Bob is a customer
      When Alice looks up Bob's account
      Then the account lookup is refused with reason ACCOUNT_NOT_FOUND
      And the refusal gives nothing away

    Scenario: Two customers cannot read each other's accounts
      Given Alice is a customer
      And Bob is a customer
      When Alice and Bob each look up the other's account
      Then both account lookups are refused with reason ACCOUNT_NOT_FOUND

  Rule: Another customer's things cannot be changed

    Scenario: A customer cannot cancel another customer's order
      Given Alice is a customer
      And Bob is a customer with 100.00 in cash
      And Bob has placed a limit order to buy 1 AAPL at 1.00
      When Alice cancels the order
      Then the cancellation is refused with reason ORDER_NOT_FOUND
      And Bob's order is still pending

    Scenario: Another customer's orders are not listed
      Given Alice is a customer
      And Bob is a customer with 100.00 in cash
      And Bob has placed a limit order to buy 1 AAPL at 1.00
      When Alice lists her orders
      Then nothing is listed

    Scenario: Another customer's payments are not listed
      Given Alice is a customer
      And Bob is a customer with 100.00 in cash
      When Alice lists her payments
      Then nothing is listed
