@accounts
Feature: The account overview
  A customer sees her cash, her buying power and the shares she holds. (Nobody else's
  account: see security/other_customers.feature.)

  Rule: A customer sees her own account by its number

    Scenario: A customer looks up her own account by its number
      Given Alice is a customer with 500.00 in cash
      When Alice looks up her account by its number
      Then the account shown is Alice's
      And it shows 500.00 in cash

    Scenario: An account number that does not exist is not found
      Given Alice is a customer
      When Alice looks up an account that does not exist
      Then the account lookup is refused with reason ACCOUNT_NOT_FOUND

  Rule: Buying power is cash minus what every pending buy order reserves

    Scenario: Each pending buy order reserves its cost, and the cash stays
      Given Alice is a customer with 10,000.00 in cash
      And Alice has placed a limit order to buy 10 AAPL at 1.00
      When Alice places a limit order to buy 5 MSFT at 2.00
      Then the order is pending
      And Alice has 10,000.00 in cash
      And Alice has 9,980.00 of buying power

  Rule: A position's average price is the average cost of the shares held

    @sandbox
    Scenario Outline: Buying more shares averages their cost, rounded half to even
      Given Alice holds <first> AAPL shares bought at <first price>
      And Alice has deposited 10,000.00
      And AAPL trades at <second price> in Alice's market
      When Alice places a market order to buy <second> AAPL
      Then Alice holds <total> AAPL at an average price of <average>

      Examples:
        | first | first price | second | second price | total | average |
        | 10    | 100.00      | 10     | 200.00       | 20    | 150.00  |
        | 1     | 10.00       | 1      | 10.01        | 2     | 10.00   |
        | 1     | 10.01       | 1      | 10.02        | 2     | 10.02   |

    @sandbox
    Scenario: Selling shares leaves the average price unchanged
      Given Alice holds 10 AAPL shares bought at 150.00
      And AAPL trades at 170.00 in Alice's market
      When Alice places a market order to sell 4 AAPL
      Then Alice holds 6 AAPL at an average price of 150.00

    @sandbox
    Scenario: Selling every share closes the position
      Given Alice holds 10 AAPL shares bought at 150.00
      When Alice places a market order to sell 10 AAPL
      Then Alice holds no AAPL shares
