@orders
Feature: What an order must say
  An order names a listed symbol, whether it buys or sells, a whole number of shares
  from 1 to 100,000 and its type; a limit order also names its limit price, a market
  order must not. An order that breaks these rules is refused and creates nothing.
  (What only the service sets, and forms that are not orders at all: see
  security/self_set_fields.feature and security/throttling_and_leaks.feature.)

  Rule: The quantity is a whole number of shares from 1 to 100,000

    Scenario Outline: An order for <quantity> shares is refused
      Given Alice is a customer with 1,000.00 in cash
      When Alice places a market order to buy <quantity> AAPL
      Then the order is refused with reason INVALID_QUANTITY
      And Alice has no orders

      Examples:
        | quantity |
        | 0        |
        | 100001   |
        | 1.5      |

    Scenario: An order that does not say how many shares is refused
      Given Alice is a customer
      When Alice places a market order to buy AAPL without saying how many
      Then the order is refused with reason INVALID_QUANTITY

  Rule: An order buys or sells, at the market or at a limit

    Scenario: An order that neither buys nor sells is refused
      Given Alice is a customer
      When Alice places a market order with the side "SHORT" for 1 AAPL
      Then the order is refused with reason INVALID_SIDE

    Scenario: An order that is neither a market nor a limit order is refused
      Given Alice is a customer
      When Alice places an order of type "STOP" to buy 1 AAPL
      Then the order is refused with reason INVALID_ORDER_TYPE

  Rule: A limit order names a positive limit price in cents; a market order names none

    Scenario: A limit order without a limit price is refused
      Given Alice is a customer
      When Alice places a limit order to buy 1 AAPL without a limit price
      Then the order is refused with reason INVALID_PRICE

    Scenario Outline: A limit price of <price> is refused
      Given Alice is a customer with 1,000.00 in cash
      When Alice places a limit order to buy 1 AAPL at <price>
      Then the order is refused with reason INVALID_PRICE
      And Alice has no orders

      Examples:
        | price   |
        | 0.00    |
        | 150.001 |

    Scenario: A market order with a limit price is refused
      Given Alice is a customer with 1,000.00 in cash
      When Alice places a market order to buy 1 AAPL with a limit of 150.00
      Then the order is refused with reason INVALID_PRICE

  Rule: The symbol is well-formed and listed

    Scenario: An order for a malformed symbol is refused
      Given Alice is a customer with 1,000.00 in cash
      When Alice places a market order to buy 1 aapl
      Then the order is refused with reason INVALID_SYMBOL

    Scenario: An order for an unlisted symbol is not found
      Given Alice is a customer with 1,000.00 in cash
      When Alice places a market order to buy 1 ZZZZ
      Then the order is refused with reason SYMBOL_NOT_FOUND
      And Alice has no orders
