@idempotency
Feature: A request sent again under the same key is carried out once
  A customer's app gives every order, payment, sign-in and account opening a key. When
  it is not sure a request arrived, it sends the same request again under the same key:
  the action is carried out once, and the repeat answers what the first answer said.

  Rule: The same request under the same key is carried out once

    @sandbox
    Scenario: An order sent again is placed once
      Given Alice is a customer with 10,000.00 in cash
      And AAPL trades at 150.00 in Alice's market
      And Alice has placed a market order to buy 10 AAPL under the key "A"
      When Alice sends it again under the key "A"
      Then the answer repeats the first one under the key "A"
      And Alice has 1 order on record
      And Alice has 8,500.00 in cash

    @smoke
    Scenario: A deposit sent again is paid in once
      Given Alice is a customer
      And Alice has deposited 250.00 by card under the key "A"
      When Alice sends it again under the key "A"
      Then the answer repeats the first one under the key "A"

    Scenario: A deposit sent again raises the cash once
      Given Alice is a customer
      And Alice has deposited 250.00 by card under the key "A"
      When Alice sends it again under the key "A"
      Then Alice has 250.00 in cash
      And Alice has 1 payment on record
      And Alice is notified that her deposit completed

    Scenario: A withdrawal sent again is paid out once
      Given Alice is a customer
      And Alice has deposited 1,000.00
      And Alice has withdrawn 100.00 by bank transfer under the key "A"
      When Alice sends it again under the key "A"
      Then the answer repeats the first one under the key "A"
      And Alice has 900.00 in cash
      And Alice has 2 payments on record

    Scenario: An account opening sent again opens one account
      Given Alice has opened an account under the key "A"
      When Alice sends it again under the key "A"
      Then the answer repeats the first one under the key "A"
      And Alice can sign in

    Scenario: Different keys are different requests
      Given Alice is a customer
      And Alice has deposited 250.00 by card under the key "A"
      When Alice deposits 250.00 by card under the key "B"
      Then the answer is new, not a repeat of the first one under the key "A"
      And Alice has 500.00 in cash

    Scenario: Keys are each customer's own
      Given Alice is a customer
      And Bob is a customer
      And Alice has deposited 250.00 by card under the key "A"
      When Bob deposits 250.00 by card under the key "A"
      Then the answer is new, not a repeat of the first one under the key "A"
      And Bob has 250.00 in cash

  Rule: A refusal that came from carrying out the request is kept like a success

    Scenario: An order refused for want of cash stays refused under its key
      Given Alice is a customer
      And Alice has placed a market order to buy 1 AAPL under the key "A"
      And Alice has deposited 10,000.00
      When Alice sends it again under the key "A"
      Then the order is refused with reason INSUFFICIENT_FUNDS
      And the answer repeats the first one under the key "A"
      And Alice holds no shares

    Scenario: A repeated wrong sign-in does not count as another failure
      Given Alice is a customer
      And Alice has failed to sign in 3 times
      And Alice has signed in with a wrong password under the key "A"
      When Alice sends it 3 more times under the key "A"
      Then Alice can sign in

  Rule: A request that was refused before it was carried out may be sent again

    Scenario: A key whose order was malformed can be used for a good order
      Given Alice is a customer with 1,000.00 in cash
      And Alice has placed a market order to buy 0 AAPL under the key "A"
      When Alice places a market order to buy 1 AAPL under the key "A"
      Then the order is filled
      And Alice has 1 order on record

  Rule: A key cannot be used for a different request

    Scenario: A key reused for a different order is refused
      Given Alice is a customer with 10,000.00 in cash
      And Alice has placed a market order to buy 1 AAPL under the key "A"
      When Alice places a market order to buy 2 AAPL under the key "A"
      Then the order is refused with reason IDEMPOTENCY_KEY_REUSED
      And Alice has 1 order on record

    Scenario: A key reused for a different amount is refused
      Given Alice is a customer
      And Alice has deposited 250.00 by card under the key "A"
      When Alice deposits 300.00 by card under the key "A"
      Then the deposit is refused with reason IDEMPOTENCY_KEY_REUSED
      And Alice has 250.00 in cash

    Scenario: A deposit's key reused for a withdrawal is refused
      Given Alice is a customer
      And Alice has deposited 250.00 by card under the key "A"
      When Alice withdraws 250.00 by card under the key "A"
      Then the withdrawal is refused with reason IDEMPOTENCY_KEY_REUSED
      And Alice has 250.00 in cash

    Scenario: A key reused for a different sign-in is refused
      Given Alice is a customer
      And Alice has signed in with a wrong password under the key "A"
      When Alice signs in under the key "A"
      Then the sign-in is refused with reason IDEMPOTENCY_KEY_REUSED

  Rule: A key is 1 to 255 printable characters

    Scenario Outline: An order under <key> is refused
      Given Alice is a customer with 1,000.00 in cash
      When Alice places a market order to buy 1 AAPL under <key>
      Then the order is refused with reason INVALID_IDEMPOTENCY_KEY
      And Alice has no orders

      Examples:
        | key                           |
        | a key of 256 characters       |
        | a key with a tab in it        |
        | a key with an accented letter |
