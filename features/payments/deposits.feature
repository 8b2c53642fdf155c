@payments
Feature: Deposits
  A customer pays money into her account by card or bank transfer, in the account's
  currency. The cash is there at once and she is told about it.

  Rule: A deposit raises cash and buying power at once

    Scenario: A card deposit raises the cash
      Given Alice is a customer
      When Alice deposits 250.00 by card
      Then the deposit of 250.00 USD is completed
      And Alice has 250.00 in cash
      And Alice has 250.00 of buying power
      And Alice is notified that her deposit completed

    Scenario: Money can also be deposited by bank transfer
      Given Alice is a customer with 100.00 in cash
      When Alice deposits 50.25 by bank transfer
      Then the deposit of 50.25 USD is completed
      And Alice has 150.25 in cash

    Scenario Outline: An amount of <amount> can be deposited
      Given Alice is a customer
      When Alice deposits <amount> by bank transfer
      Then the deposit of <amount> USD is completed
      And Alice has <amount> in cash

      Examples:
        | amount       |
        | 0.01         |
        | 1,000,000.00 |

  Rule: A deposit is in the account's currency

    Scenario: A deposit naming the account's own currency is accepted
      Given Alice is a customer whose account is kept in EUR
      When Alice deposits 80.00 EUR by card
      Then the deposit of 80.00 EUR is completed
      And Alice has 80.00 in cash

    Scenario: A deposit in euros into a US dollar account is refused
      Given Alice is a customer with 100.00 in cash
      When Alice deposits 80.00 EUR by card
      Then the deposit is refused with reason CURRENCY_MISMATCH
      And Alice has 100.00 in cash

  Rule: An amount is from 0.01 to 1,000,000.00, in cents, by a known method

    Scenario Outline: A deposit of <amount> is refused
      Given Alice is a customer
      And Alice has deposited 100.00
      When Alice deposits <amount> by card
      Then the deposit is refused with reason INVALID_AMOUNT
      And Alice has 100.00 in cash
      And Alice has 1 payment on record

      Examples:
        | amount       |
        | 0.00         |
        | 10.001       |
        | 1,000,000.01 |

    Scenario: A deposit by a method other than card or bank transfer is refused
      Given Alice is a customer
      When Alice deposits 10.00 by cash
      Then the deposit is refused with reason INVALID_METHOD
      And Alice has 0.00 in cash

  Rule: A deposit form says each thing once

    Scenario: A deposit form that names its amount twice is refused, not guessed at
      Given Alice is a customer
      When Alice sends a deposit form that names the amount twice, 10.00 and 999,999.00
      Then the deposit is refused with reason INVALID_JSON
      And Alice has 0.00 in cash
