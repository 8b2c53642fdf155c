@orders
Feature: Order history
  A customer looks up her orders one by one or as a list, newest first, and can narrow
  the list to one status. (Nobody else's orders are ever shown to her: see
  security/other_customers.feature.)

  Rule: A customer looks up her own orders by their numbers

    Scenario: A customer looks up an order she placed
      Given Alice is a customer with 1,000.00 in cash
      And Alice has placed a limit order to buy 2 AAPL at 1.00
      When Alice looks up the order
      Then the order shown is the one Alice placed

    Scenario: An order number that does not exist is not found
      Given Alice is a customer
      When Alice looks up an order that does not exist
      Then the order lookup is refused with reason ORDER_NOT_FOUND

  Rule: Orders are listed newest first, a page at a time

    Scenario: A customer lists her orders newest first
      Given Alice is a customer with 1,000.00 in cash
      And Alice has placed limit orders to buy AAPL at 1.00 for 1, 2 and 3 shares
      When Alice lists her orders
      Then the orders listed are for 3, 2 and 1 shares

    Scenario: A long list of orders comes a page at a time
      Given Alice is a customer with 1,000.00 in cash
      And Alice has placed limit orders to buy AAPL at 1.00 for 1, 2, 3, 4 and 5 shares
      When Alice lists her orders 2 at a time
      Then following the pages, Alice sees orders for 5 and 4, then 3 and 2, then 1 shares

    Scenario: An empty page of orders cannot be asked for
      Given Alice is a customer
      When Alice lists her orders 0 at a time
      Then the order list is refused with reason INVALID_PAGINATION

    Scenario: A made-up page marker is refused
      Given Alice is a customer
      When Alice lists her orders from a made-up page marker
      Then the order list is refused with reason INVALID_PAGINATION

    Scenario Outline: A page marker of her <other> is refused for her orders
      Given Alice is a customer
      And Alice has deposited 10.00, 20.00 and 30.00
      And Alice has placed limit orders to buy AAPL at 1.00 for 1 and 2 shares
      When Alice lists her orders from a page marker of her <other>
      Then the order list is refused with reason INVALID_PAGINATION

      Examples:
        | other         |
        | notifications |
        | payments      |

  Rule: The list can be narrowed to one status

    @sandbox

    Scenario Outline: A customer lists only her <status> orders
      Given Alice has a filled, a pending and a cancelled order
      When Alice lists her <status> orders
      Then only her <status> order is listed

      Examples:
        | status    |
        | PENDING   |
        | FILLED    |
        | CANCELLED |

    Scenario: An unknown status cannot be listed
      Given Alice is a customer
      When Alice lists her OPEN orders
      Then the order list is refused with reason INVALID_STATUS
