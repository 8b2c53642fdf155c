@idempotency @sandbox
Feature: How long a key holds
  A key holds while its first request is still being carried out, and for 24 hours after.

  Rule: A key is busy while its first request is being carried out

    Scenario: The same order sent again while the first is under way is placed once
      Given Alice is a customer with 1,000.00 in cash
      And Alice's next order meets a two-second delay
      When Alice places a market order to buy 1 AAPL again under the key "A" while the first runs
      Then one order is accepted and the other is refused with reason IDEMPOTENCY_KEY_IN_USE
      And Alice has 1 order on record

    Scenario: The same deposit sent again while the first is under way is paid in once
      Given Alice is a customer
      And Alice's next deposit meets a two-second delay
      When Alice deposits 100.00 by card again under the key "A" while the first runs
      Then one deposit is accepted and the other is refused with reason IDEMPOTENCY_KEY_IN_USE
      And Alice has 100.00 in cash

    Scenario: The same withdrawal sent again while the first is under way is paid out once
      Given Alice is a customer with 1,000.00 in cash
      And Alice's next withdrawal meets a two-second delay
      When Alice withdraws 100.00 by bank transfer again under the key "A" while the first runs
      Then one withdrawal is accepted and the other is refused with reason IDEMPOTENCY_KEY_IN_USE
      And Alice has 900.00 in cash

  Rule: A key is kept for 24 hours

    Scenario: Within a day, the same order is still answered from the key
      Given Alice is a customer with 10,000.00 in cash
      And Alice has placed a market order to buy 1 AAPL under the key "A"
      And 23 hours have passed for Alice
      When Alice sends it again under the key "A"
      Then the answer repeats the first one under the key "A"
      And Alice has 1 order on record

    Scenario: After a day, the same key places a new order
      Given Alice is a customer with 10,000.00 in cash
      And Alice has placed a market order to buy 1 AAPL under the key "A"
      And 25 hours have passed for Alice
      When Alice sends it again under the key "A"
      Then the answer is new, not a repeat of the first one under the key "A"
      And Alice has 2 orders on record
