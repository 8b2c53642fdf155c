@accounts
Feature: Signing in and out
  A customer signs in with username and password and gets access for a limited time.
  Every action on the account needs that access; signing out ends it.

  Rule: Signing in with the right password gives access for up to an hour

    @smoke
    Scenario: A customer signs in and sees her account
      Given Alice has opened an account
      When Alice signs in
      Then Alice stays signed in for 3600 seconds
      And Alice can see her account

    Scenario: A customer may ask for shorter access
      Given Alice has opened an account
      When Alice signs in for 60 seconds
      Then Alice stays signed in for 60 seconds

    Scenario Outline: Access of <seconds> seconds cannot be asked for
      Given Alice has opened an account
      When Alice signs in for <seconds> seconds
      Then the sign-in is refused with reason INVALID_EXPIRES_IN

      Examples:
        | seconds |
        | 0       |
        | 3601    |

  Rule: Wrong credentials are refused without saying which part was wrong

    Scenario: A wrong password is refused
      Given Alice has opened an account
      When Alice signs in with a wrong password
      Then the sign-in is refused with reason INVALID_CREDENTIALS

    Scenario: An unknown username is refused the same way
      When someone signs in with a username nobody has
      Then the sign-in is refused with reason INVALID_CREDENTIALS

  Rule: A sign-in that is not readable text is refused, and is not a failed attempt

    Scenario: A username ending in half a character is refused as unreadable
      Given Alice is a customer
      And Alice has failed to sign in 4 times
      When Alice signs in with a username ending in half a character
      Then the sign-in is refused with reason INVALID_JSON
      And Alice can sign in

  Rule: After five failed sign-ins within a minute, the username is locked for that minute

    Scenario: Five failed sign-ins lock out even the right password
      Given Alice is a customer
      And Alice has failed to sign in 5 times
      When Alice signs in
      Then the sign-in is refused with reason TOO_MANY_ATTEMPTS
      And Alice is told to try again within 60 seconds

    Scenario: Four failed sign-ins do not lock the customer out
      Given Alice is a customer
      And Alice has failed to sign in 4 times
      When Alice signs in
      Then Alice stays signed in for 3600 seconds

    Scenario: One customer's failed sign-ins do not lock out another
      Given Alice is a customer
      And Bob is a customer
      And Bob has failed to sign in 5 times
      When Alice signs in
      Then Alice stays signed in for 3600 seconds

    @sandbox
    Scenario: The lock ends a minute after the first failed sign-in
      Given Alice is a customer
      And Alice has failed to sign in 5 times
      And 61 seconds pass for Alice
      When Alice signs in
      Then Alice stays signed in for 3600 seconds

  Rule: Everything but opening an account and signing in needs valid access

    (When access expires: security/access.feature.)

    Scenario: Without signing in, no account is shown
      When someone who has not signed in asks to see their account
      Then the account lookup is refused with reason UNAUTHENTICATED
      And they are asked to sign in

    Scenario: Made-up access is refused
      When someone with made-up access asks to see their account
      Then the account lookup is refused with reason UNAUTHENTICATED

  Rule: Signing out ends the access at once, and may be repeated harmlessly

    @smoke
    Scenario: After signing out the access no longer works
      Given Alice is a customer
      When Alice signs out
      Then the sign-out is accepted
      And Alice's access no longer works

    Scenario: Signing out twice is harmless
      Given Alice is a customer
      And Alice has signed out
      When Alice signs out
      Then the sign-out is accepted

    Scenario: Signing out with made-up access is harmless
      When someone with made-up access signs out
      Then the sign-out is accepted

    Scenario: Signing out without any access is refused
      When someone who has not signed in signs out
      Then the sign-out is refused with reason UNAUTHENTICATED

    Scenario: Signing out ends only the access it was given with
      Given Alice is a customer
      And Alice has signed in on a second device
      When Alice signs out on the second device
      Then Alice can see her account
