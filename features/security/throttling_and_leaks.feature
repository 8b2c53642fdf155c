@security
Feature: Guessing is slowed down and refusals give nothing away
  Repeated wrong sign-ins lock the username for a minute, whether or not it exists.
  Each access may make only so many requests a minute. No refusal shows how the
  service is built or whether a username exists.

  Rule: Repeated wrong sign-ins lock the username, whether or not it exists

    Scenario: A username nobody has is locked the same way
      Given Eve has no account
      And Eve has failed to sign in 5 times
      When Eve signs in
      Then the sign-in is refused with reason TOO_MANY_ATTEMPTS
      And Eve is told to try again within 60 seconds

    Scenario: A wrong password reads exactly like an unknown username
      Given Alice is a customer
      When Alice signs in with a wrong password
      Then the sign-in is refused with reason INVALID_CREDENTIALS
      And the refusal reads exactly as for a username nobody has
      And the refusal gives nothing away

  Rule: Each access may make only so many requests a minute

    @sandbox
    Scenario Outline: Past its limit of <limit>, access is asked to wait
      Given Alice is a customer
      And Alice may make <limit> requests a minute
      And Alice has made <limit> requests
      When Alice asks for a quote for AAPL
      Then the quote is refused with reason RATE_LIMITED
      And Alice is told to try again within 60 seconds

      Examples:
        | limit |
        | 3     |
        | 300   |

    @sandbox
    Scenario: Within its limit, access is told how many requests are left
      Given Alice is a customer
      And Alice may make 5 requests a minute
      And Alice has made 2 requests
      When Alice asks for a quote for AAPL
      Then the quote is for AAPL with a positive price and the shares traded so far
      And Alice is told there is one request fewer left this minute

    Scenario: A new access starts with all its requests left
      Given Alice is a customer
      And Alice signs in again
      When Alice asks for a quote for AAPL
      Then Alice is told all but one of her requests are left this minute

    @sandbox
    Scenario: Setting up her market does not count against an access's requests
      Given Alice is a customer
      And Alice signs in again
      When Alice asks for AAPL to trade at 150.00 in her market
      Then Alice is told all of her requests are left this minute

    @sandbox
    Scenario: The limit belongs to the access, not to the customer
      Given Alice is a customer
      And Alice may make 2 requests a minute
      And Alice has made 2 requests
      When Alice signs in again
      Then Alice can see her account

    @sandbox
    Scenario: The limit starts again after a minute
      Given Alice is a customer
      And Alice may make 3 requests a minute
      And Alice has made 3 requests
      And 61 seconds pass for Alice
      When Alice asks for a quote for AAPL
      Then the quote is for AAPL with a positive price and the shares traded so far

  Rule: No refusal shows how the service is built

    Scenario: A garbled order is refused without showing internals
      Given Alice is a customer
      When Alice sends an order form that is not an order
      Then the order is refused with reason INVALID_JSON
      And the refusal gives nothing away

    Scenario: A malformed symbol is refused without showing internals
      Given Alice is a customer
      When Alice asks for a quote for AAPL;DROP
      Then the quote is refused with reason INVALID_SYMBOL
      And the refusal gives nothing away
