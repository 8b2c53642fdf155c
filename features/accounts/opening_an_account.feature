@accounts
Feature: Opening an account
  Anybody can open a brokerage account with a username, a password and a currency.
  A new account starts empty: no cash and no shares.

  Rule: A new account starts with no cash and no positions, in US dollars unless chosen otherwise

    Scenario: A newly opened account is empty
      When Alice opens an account
      Then the account opening is accepted
      And Alice has 0.00 in cash
      And Alice has 0.00 of buying power
      And Alice holds no shares
      And Alice's account is kept in USD

    Scenario Outline: An account can be kept in <currency>
      When Alice opens an account in <currency>
      Then Alice's account is kept in <currency>

      Examples:
        | currency |
        | EUR      |
        | GBP      |

  Rule: The currency is one of US dollars, euros and pounds sterling

    Scenario Outline: An account cannot be kept in <currency>
      When Alice opens an account in <currency>
      Then the account opening is refused with reason INVALID_CURRENCY

      Examples:
        | currency |
        | JPY      |
        | usd      |

  Rule: A username is 3 to 32 lowercase letters, digits or underscores, and unique

    Scenario Outline: A username that <problem> is refused
      When someone opens an account with the username "<username>"
      Then the account opening is refused with reason INVALID_USERNAME

      Examples:
        | problem              | username                          |
        | is too short         | ab                                |
        | has capital letters  | Alice_Smith                       |

    Scenario: An account whose username ends in half a character is refused as unreadable
      When Alice opens an account with a username ending in half a character
      Then the account opening is refused with reason INVALID_JSON

    Scenario: A username already in use cannot be taken again
      Given Alice is a customer
      When someone else opens an account with Alice's username
      Then the account opening is refused with reason USERNAME_TAKEN

  Rule: A password has at least 12 characters

    Scenario: A password of 11 characters is too weak
      When Alice opens an account with a password of 11 characters
      Then the account opening is refused with reason WEAK_PASSWORD

    Scenario: A password of exactly 12 characters is strong enough
      When Alice opens an account with a password of 12 characters
      Then the account opening is accepted
      And Alice can sign in
