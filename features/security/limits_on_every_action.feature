@security @sandbox
Feature: The request limit covers every action
  Each access may make only so many requests a minute, whatever it asks for: a limit that
  guarded only some actions would leave the others open to abuse. Past the limit, every
  kind of request is turned away before anything is done, and told when to try again.

  Rule: Past its limit, every kind of request is asked to wait

    Scenario Outline: Past its limit, each <action> is asked to wait
      Given Alice is a customer with 1,000.00 in cash
      And Alice signs in again
      And Alice may make 3 requests a minute
      And Alice has made 3 requests
      When <request>
      Then the <action> is refused with reason RATE_LIMITED
      And Alice is told to try again within 60 seconds

      Examples:
        | action            | request                                 |
        | sign-out          | Alice signs out                         |
        | quote             | Alice asks for quotes for AAPL, MSFT    |
        | order list        | Alice lists her orders                  |
        | payment list      | Alice lists her payments                |
        | notification list | Alice lists her notifications           |
        | deposit           | Alice deposits 100.00 by card           |
        | withdrawal        | Alice withdraws 100.00 by card          |
        | account lookup    | Alice asks to see her account           |

    Scenario Outline: Past its limit, the <action> of a pending order is asked to wait
      Given Alice is a customer with 100.00 in cash
      And Alice has placed a limit order to buy 1 AAPL at 1.00
      And Alice signs in again
      And Alice may make 3 requests a minute
      And Alice has made 3 requests
      When <request>
      Then the <action> is refused with reason RATE_LIMITED

      Examples:
        | action       | request                |
        | order lookup | Alice looks up the order |
        | cancellation | Alice cancels the order  |

    Scenario: Past its limit, the lookup of a payment is asked to wait
      Given Alice is a customer with 1,000.00 in cash
      And Alice has withdrawn 100.00
      And Alice signs in again
      And Alice may make 3 requests a minute
      And Alice has made 3 requests
      When Alice looks up the payment
      Then the payment lookup is refused with reason RATE_LIMITED

    Scenario: Past its limit, the lookup of an account by its number is asked to wait
      Given Alice is a customer
      And Bob is a customer
      And Alice signs in again
      And Alice may make 3 requests a minute
      And Alice has made 3 requests
      When Alice looks up Bob's account
      Then the account lookup is refused with reason RATE_LIMITED
