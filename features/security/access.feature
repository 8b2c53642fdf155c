@security
Feature: Only valid access opens a customer's account
  Every action but opening an account and signing in needs access a customer got by
  signing in, that has not expired and has not been signed out. Anything else is refused
  the same way, and the refusal asks to sign in.

  Rule: Missing access, or access that was never issued, is refused

    @smoke
    Scenario: Made-up access cannot place an order
      When someone with made-up access places a market order to buy 1 AAPL
      Then the order is refused with reason UNAUTHENTICATED
      And they are asked to sign in

    Scenario Outline: An order with <kind> access is refused
      When someone with <kind> access places a market order to buy 1 AAPL
      Then the order is refused with reason UNAUTHENTICATED
      And the refusal gives nothing away

      Examples:
        | kind      |
        | no        |
        | empty     |
        | malformed |
        | forged    |

  Rule: Access ends when its time is up, by the customer's clock

    @sandbox
    Scenario: Expired access cannot place an order
      Given Alice is a customer with 1,000.00 in cash
      And Alice has signed in for 60 seconds
      And 61 seconds pass for Alice
      When Alice places a market order to buy 1 AAPL
      Then the order is refused with reason UNAUTHENTICATED
      And Alice's access no longer works
      And after signing in again, Alice has no orders

    @sandbox
    Scenario: Access still works just before it expires
      Given Alice is a customer with 1,000.00 in cash
      And Alice has signed in for 60 seconds
      And 58 seconds pass for Alice
      When Alice places a market order to buy 1 AAPL
      Then the order is filled

  Rule: Signed-out access stays refused

    Scenario: Signed-out access cannot place an order
      Given Alice is a customer with 1,000.00 in cash
      And Alice has signed out
      When Alice places a market order to buy 1 AAPL
      Then the order is refused with reason UNAUTHENTICATED
      And after signing in again, Alice has no orders

    Scenario: Signing in again does not revive signed-out access
      Given Alice is a customer
      And Alice has signed out
      When Alice signs in on another device
      Then Alice's access no longer works
