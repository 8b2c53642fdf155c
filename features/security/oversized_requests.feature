@security
Feature: A request larger than the service accepts is refused before anything else
  No order, payment or sign-in comes anywhere near a megabyte. A request larger than the
  service accepts is refused at once, whoever sends it and whatever it says, before the
  service even looks at who is asking: reading such requests in full would let anyone tie
  the service up. The refusal reaches the customer as an answer, not as a broken line.

  Rule: Every kind of form is refused when it is larger than the service accepts

    Scenario Outline: An oversized <action> is refused and changes nothing
      Given Alice is a customer with 1,000.00 in cash
      And Alice's app sends forms larger than the service accepts
      When <request>
      Then the <action> is refused with reason PAYLOAD_TOO_LARGE
      And Alice has 1,000.00 in cash

      Examples:
        | action     | request                                   |
        | deposit    | Alice deposits 100.00 by card             |
        | withdrawal | Alice withdraws 100.00 by card            |
        | order      | Alice places a market order to buy 1 AAPL |
        | sign-in    | Alice signs in                            |

    Scenario: An oversized account opening is refused
      When Alice opens an account with a form larger than the service accepts
      Then the account opening is refused with reason PAYLOAD_TOO_LARGE

    @sandbox
    Scenario Outline: An oversized sandbox <action> is refused
      Given Alice is a customer
      And Alice's app sends forms larger than the service accepts
      When <request>
      Then the <action> is refused with reason PAYLOAD_TOO_LARGE

      Examples:
        | action            | request                                              |
        | price change      | Alice asks for AAPL to trade at 100.00 in her market |
        | fault injection   | Alice asks the sandbox for a fault it does not know  |
        | clock change      | Alice moves her clock on by 10 seconds               |
        | rate-limit change | Alice limits her access to 5 requests a minute       |

  Rule: The size is checked first: before access, and before the request limit

    Scenario: An oversized deposit with signed-out access is refused for its size
      Given Alice is a customer
      And Alice has signed out
      And Alice's app sends forms larger than the service accepts
      When Alice deposits 100.00 by card
      Then the deposit is refused with reason PAYLOAD_TOO_LARGE

    @sandbox
    Scenario: Past its request limit, an oversized deposit is still refused for its size
      Given Alice is a customer with 1,000.00 in cash
      And Alice signs in again
      And Alice may make 3 requests a minute
      And Alice has made 3 requests
      And Alice's app sends forms larger than the service accepts
      When Alice deposits 100.00 by card
      Then the deposit is refused with reason PAYLOAD_TOO_LARGE
