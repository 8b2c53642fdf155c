@resilience @sandbox
Feature: A gateway's brief trouble never doubles a payment, an order or a cancellation
  Between the customer's app and the service sits a gateway. When the service is briefly
  unavailable the gateway answers for it, and when the service is slow the gateway stops
  waiting. The app sends the same request again under the same key, so money moves, an
  order is placed and a cancellation happens exactly once. The sandbox causes each trouble
  on purpose, and confirms it happened.

  Rule: Money moves once through a gateway's trouble

    Scenario Outline: A deposit through <trouble> is paid in exactly once
      Given Alice is a customer
      And Alice's next deposit meets <trouble>
      When Alice deposits 250.00 by card
      Then the deposit of 250.00 USD is completed
      And Alice has 250.00 in cash
      And Alice has 1 payment on record
      And Alice met that trouble 1 time

      Examples:
        | trouble           |
        | an outage         |
        | a bad gateway     |
        | a gateway timeout |

    Scenario Outline: A withdrawal through <trouble> is paid out exactly once
      Given Alice is a customer with 1,000.00 in cash
      And Alice's next withdrawal meets <trouble>
      When Alice withdraws 300.00 by bank transfer
      Then the withdrawal of 300.00 USD is completed
      And Alice has 700.00 in cash
      And Alice met that trouble 1 time

      Examples:
        | trouble           |
        | an outage         |
        | a bad gateway     |
        | a gateway timeout |

  Rule: An order is placed once, and cancelled once, through a gateway's trouble

    Scenario Outline: An order through <trouble> is placed exactly once
      Given Alice is a customer with 1,000.00 in cash
      And AAPL trades at 100.00 in Alice's market
      And Alice's next order meets <trouble>
      When Alice places a market order to buy 2 AAPL
      Then the order is filled at 100.00
      And Alice has 1 order on record
      And Alice met that trouble 1 time

      Examples:
        | trouble           |
        | a bad gateway     |
        | a gateway timeout |

    Scenario Outline: A cancellation through <trouble> cancels once
      Given Alice is a customer with 100.00 in cash
      And Alice has placed a limit order to buy 1 AAPL at 1.00
      And Alice's next cancellation meets <trouble>
      When Alice cancels the order
      Then the order is cancelled
      And Alice is notified that her order was cancelled
      And Alice met that trouble 1 time

      Examples:
        | trouble           |
        | an outage         |
        | a bad gateway     |
        | a gateway timeout |
