@security
Feature: Access that was signed out opens nothing
  Signing out ends the access at once, for every action: a service that still honoured it
  somewhere would let a forgotten or stolen session keep working. Every action asked with
  signed-out access is refused as if no access had been presented.

  Rule: Signed-out access is refused by every action

    Scenario Outline: Signed-out access is refused when <request>
      Given Alice is a customer with 1,000.00 in cash
      And Alice has signed out
      When <request>
      Then the <action> is refused with reason UNAUTHENTICATED

      Examples:
        | action            | request                              |
        | quote             | Alice asks for a quote for AAPL      |
        | quote             | Alice asks for quotes for AAPL, MSFT |
        | order list        | Alice lists her orders               |
        | payment list      | Alice lists her payments             |
        | notification list | Alice lists her notifications        |
        | deposit           | Alice deposits 100.00 by card        |
        | withdrawal        | Alice withdraws 100.00 by card       |

    Scenario Outline: Signed-out access cannot reach a placed order for its <action>
      Given Alice is a customer with 100.00 in cash
      And Alice has placed a limit order to buy 1 AAPL at 1.00
      And Alice has signed out
      When <request>
      Then the <action> is refused with reason UNAUTHENTICATED

      Examples:
        | action       | request                  |
        | order lookup | Alice looks up the order |
        | cancellation | Alice cancels the order  |

    Scenario: Signed-out access cannot look up a payment
      Given Alice is a customer with 1,000.00 in cash
      And Alice has withdrawn 100.00
      And Alice has signed out
      When Alice looks up the payment
      Then the payment lookup is refused with reason UNAUTHENTICATED

    Scenario: Signed-out access cannot look up an account
      Given Alice is a customer
      And Bob is a customer
      And Alice has signed out
      When Alice looks up Bob's account
      Then the account lookup is refused with reason UNAUTHENTICATED

    @sandbox
    Scenario Outline: Signed-out access cannot use the sandbox for a <action>
      Given Alice is a customer
      And Alice has signed out
      When <request>
      Then the <action> is refused with reason UNAUTHENTICATED

      Examples:
        | action            | request                                              |
        | fault injection   | Alice asks the sandbox for a fault it does not know  |
        | clock change      | Alice moves her clock on by 10 seconds               |
        | rate-limit change | Alice limits her access to 5 requests a minute       |
        | price change      | Alice asks for AAPL to trade at 100.00 in her market |
        | fault list        | Alice looks at her staged trouble                    |
        | fault clearing    | Alice clears her staged trouble                      |
