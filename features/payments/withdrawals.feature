@payments
Feature: Withdrawals
  A customer takes money out of her account, up to her buying power and up to
  50,000.00 a day.

  Rule: A withdrawal lowers cash, up to the buying power

    @smoke
    Scenario: A withdrawal is paid out
      Given Alice is a customer
      And Alice has deposited 100.00
      When Alice withdraws 40.00 by bank transfer
      Then the withdrawal of 40.00 USD is completed
      And Alice is notified that her withdrawal completed

    Scenario: A withdrawal lowers the cash
      Given Alice is a customer with 1,000.00 in cash
      When Alice withdraws 400.00 by bank transfer
      Then the withdrawal of 400.00 USD is completed
      And Alice has 600.00 in cash
      And Alice is notified that her withdrawal completed

    Scenario: All the cash can be withdrawn
      Given Alice is a customer with 1,000.00 in cash
      When Alice withdraws 1,000.00 by card
      Then the withdrawal of 1,000.00 USD is completed
      And Alice has 0.00 in cash

    Scenario: More than the cash cannot be withdrawn
      Given Alice is a customer with 1,000.00 in cash
      When Alice withdraws 1,000.01 by bank transfer
      Then the withdrawal is refused with reason INSUFFICIENT_FUNDS
      And Alice has 1,000.00 in cash

    Scenario: Cash reserved by a pending buy cannot be withdrawn
      Given Alice is a customer with 1,000.00 in cash
      And Alice has placed a limit order to buy 600 AAPL at 1.00
      When Alice withdraws 500.00 by bank transfer
      Then the withdrawal is refused with reason INSUFFICIENT_FUNDS
      And Alice has 1,000.00 in cash

    Scenario: Two withdrawals at the same time never overdraw the account
      Given Alice is a customer with 1,000.00 in cash
      When Alice makes two withdrawals of 600.00 at the same time
      Then one withdrawal is completed and the other is refused with reason INSUFFICIENT_FUNDS
      And Alice has 400.00 in cash

  Rule: At most 50,000.00 can be withdrawn in a day

    Scenario: Withdrawals may reach exactly 50,000.00 in a day
      Given Alice is a customer with 60,000.00 in cash
      And Alice has withdrawn 30,000.00
      When Alice withdraws 20,000.00 by bank transfer
      Then the withdrawal of 20,000.00 USD is completed
      And Alice has 10,000.00 in cash

    Scenario: Withdrawals cannot pass 50,000.00 in a day
      Given Alice is a customer with 60,000.00 in cash
      And Alice has withdrawn 30,000.00
      When Alice withdraws 20,000.01 by bank transfer
      Then the withdrawal is refused with reason LIMIT_EXCEEDED
      And Alice has 30,000.00 in cash

    Scenario: The day's limit is named before missing funds
      Given Alice is a customer with 10,000.00 in cash
      When Alice withdraws 50,000.01 by bank transfer
      Then the withdrawal is refused with reason LIMIT_EXCEEDED

    @sandbox
    Scenario: The limit starts again the next day
      Given Alice is a customer with 60,000.00 in cash
      And Alice has withdrawn 50,000.00
      And a day has passed for Alice
      When Alice withdraws 10,000.00 by bank transfer
      Then the withdrawal of 10,000.00 USD is completed
      And Alice has 0.00 in cash

    @sandbox
    Scenario: The day's limit starts again at midnight UTC
      Given Alice is a customer with 60,000.00 in cash
      And Alice's clock shows 23:30 UTC
      And Alice has withdrawn 30,000.00
      And Alice's clock shows 00:30 UTC the next day
      When Alice withdraws 30,000.00 by bank transfer
      Then the withdrawal of 30,000.00 USD is completed

  Rule: A withdrawal states a valid amount and method, in the account's currency

    Scenario Outline: A withdrawal of <amount> <currency> by <method> is refused with <reason>
      Given Alice is a customer with 100.00 in cash
      When Alice withdraws <amount> <currency> by <method>
      Then the withdrawal is refused with reason <reason>
      And Alice has 100.00 in cash

      Examples:
        | amount | currency | method        | reason            |
        | 10.005 | USD      | card          | INVALID_AMOUNT    |
        | 10.00  | USD      | cash          | INVALID_METHOD    |
        | 10.00  | GBP      | bank transfer | CURRENCY_MISMATCH |
