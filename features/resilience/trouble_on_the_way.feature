@resilience @sandbox
Feature: Trouble on the way does not change what the customer gets
  Between a customer's app and the service, requests meet rate limits, brief outages,
  broken connections and answers lost on the way back. The app waits and sends the
  same request again under the same key, so the customer gets exactly what she asked
  for, once. The sandbox causes each trouble on purpose, and confirms it happened.

  Rule: A brief rate limit or outage is waited out

    Scenario: An order turned away by a rate limit is placed once
      Given Alice is a customer with 1,000.00 in cash
      And AAPL trades at 100.00 in Alice's market
      And Alice's next order meets a rate limit
      When Alice places a market order to buy 1 AAPL
      Then the order is filled at 100.00
      And Alice has 900.00 in cash
      And Alice met that trouble 1 time

    Scenario: A rate limit that asks for a second is waited out
      Given Alice is a customer
      And Alice's next quote meets a one-second rate limit
      When Alice asks for a quote for AAPL
      Then the quote is for AAPL with a positive price and the shares traded so far
      And Alice met that trouble 1 time

    Scenario Outline: A quote through <trouble> is still given
      Given Alice is a customer
      And Alice's next 2 quotes meet <trouble>
      When Alice asks for a quote for MSFT
      Then the quote is for MSFT with a positive price and the shares traded so far
      And Alice met that trouble 2 times

      Examples:
        | trouble            |
        | an outage          |
        | a bad gateway      |
        | a gateway timeout  |
        | a connection reset |

    Scenario: A slow answer is waited for
      Given Alice is a customer
      And Alice's next account view meets a slow response
      When Alice looks up her account by its number
      Then the account shown is Alice's
      And Alice met that trouble 1 time

    Scenario: An order through an outage is placed once
      Given Alice is a customer with 1,000.00 in cash
      And AAPL trades at 100.00 in Alice's market
      And Alice's next 2 orders meet an outage
      When Alice places a market order to buy 3 AAPL
      Then the order is filled at 100.00
      And Alice has 1 order on record
      And Alice met that trouble 2 times

  Rule: A broken connection or a lost answer never doubles an action

    Scenario: An order whose connection broke is placed once
      Given Alice is a customer with 1,000.00 in cash
      And AAPL trades at 100.00 in Alice's market
      And Alice's next order meets a connection reset
      When Alice places a market order to buy 2 AAPL
      Then the order is filled at 100.00
      And Alice has 800.00 in cash
      And Alice met that trouble 1 time
      And Alice's app had to try again for the answer

    Scenario: An order whose answer was lost is placed exactly once
      Given Alice is a customer with 1,000.00 in cash
      And AAPL trades at 100.00 in Alice's market
      And Alice's next order meets a lost response
      When Alice places a market order to buy 2 AAPL
      Then the order is filled at 100.00
      And Alice has 1 order on record
      And Alice has 800.00 in cash
      And Alice met that trouble 1 time
      And Alice's app had to try again for the answer

    Scenario: A deposit whose answer was lost is paid in exactly once
      Given Alice is a customer
      And Alice's next deposit meets a lost response
      When Alice deposits 250.00 by card
      Then the deposit of 250.00 USD is completed
      And Alice has 250.00 in cash
      And Alice has 1 payment on record
      And Alice met that trouble 1 time
      And Alice's app had to try again for the answer

    Scenario: A withdrawal whose answer was lost is paid out exactly once
      Given Alice is a customer with 1,000.00 in cash
      And Alice's next withdrawal meets a lost response
      When Alice withdraws 300.00 by bank transfer
      Then the withdrawal of 300.00 USD is completed
      And Alice has 700.00 in cash
      And Alice is notified that her withdrawal completed
      And Alice met that trouble 1 time
      And Alice's app had to try again for the answer

    Scenario: A cancellation whose answer was lost cancels once
      Given Alice is a customer with 100.00 in cash
      And Alice has placed a limit order to buy 1 AAPL at 1.00
      And Alice's next cancellation meets a lost response
      When Alice cancels the order
      Then the order is cancelled
      And Alice is notified that her order was cancelled
      And Alice met that trouble 1 time
      And Alice's app had to try again for the answer

  Rule: Trouble that outlasts every retry is the environment's fault, not the product's

    Scenario: An outage longer than the retries is reported as an environment problem
      Given Alice is a customer
      And Alice's quotes meet an outage longer than her retries last
      When Alice tries to get a quote for AAPL
      Then Alice's attempt fails as an environment problem after every try her client allows
