@security
Feature: A customer cannot set what only the service decides
  Balances, statuses, numbers and times are the service's to set. A request that tries
  to set one is refused whole, and nothing is created.

  Rule: A request that sets a field only the service decides is refused

    # The smoke set's form: it holds for a pre-provisioned customer, who may have orders.
    @smoke
    Scenario: An order that sets its own status is refused
      Given Alice is a customer
      When Alice places a market order to buy 1 AAPL that sets its own status
      Then the order is refused with reason UNKNOWN_FIELD

    Scenario Outline: An order that sets its own <detail> is refused and creates nothing
      Given Alice is a customer with 1,000.00 in cash
      When Alice places a market order to buy 1 AAPL that sets its own <detail>
      Then the order is refused with reason UNKNOWN_FIELD
      And Alice has no orders

      Examples:
        | detail        |
        | status        |
        | fill price    |
        | account       |
        | order number  |
        | creation time |

    Scenario Outline: An account that sets its own <detail> is refused
      When Alice opens an account that sets its own <detail>
      Then the account opening is refused with reason UNKNOWN_FIELD

      Examples:
        | detail         |
        | balance        |
        | buying power   |
        | account number |

    Scenario Outline: A deposit that sets its own <detail> is refused
      Given Alice is a customer
      When Alice deposits 10.00 by card that sets its own <detail>
      Then the deposit is refused with reason UNKNOWN_FIELD
      And Alice has 0.00 in cash

      Examples:
        | detail         |
        | status         |
        | payment number |
