@notifications
Feature: Reading notifications
  Notifications are listed newest first, a page at a time. A customer who has read up
  to one notification asks for those after it, and is told only what is new.

  Rule: Notifications are listed newest first, a page at a time

    Scenario: A customer lists her notifications newest first
      Given Alice is a customer
      And Alice has deposited 10.00, 20.00 and 30.00
      And Alice has withdrawn 5.00
      When Alice lists her notifications
      Then the notifications listed tell Alice of a withdrawal of 5.00, then deposits of 30.00, 20.00 and 10.00

    Scenario: A long list of notifications comes a page at a time
      Given Alice is a customer
      And Alice has deposited 1.00, 2.00, 3.00, 4.00 and 5.00
      When Alice lists her notifications 2 at a time
      Then following the pages, Alice is told of deposits of 5.00 and 4.00, then 3.00 and 2.00, then 1.00

    Scenario Outline: A page of <size> notifications cannot be asked for
      Given Alice is a customer
      When Alice lists her notifications <size> at a time
      Then the notification list is refused with reason INVALID_PAGINATION

      Examples:
        | size |
        | 0    |
        | 101  |

    Scenario: A made-up page marker for notifications is refused
      Given Alice is a customer
      When Alice lists her notifications from a made-up page marker
      Then the notification list is refused with reason INVALID_PAGINATION

  Rule: Asking for what came after one notification shows only the newer ones

    Scenario: Only what is newer than the oldest one is shown
      Given Alice is a customer
      And Alice has deposited 10.00, 20.00 and 30.00
      When Alice lists her notifications after her oldest one
      Then the notifications listed tell Alice of deposits of 30.00 and 20.00

    Scenario: Nothing is newer than the newest one
      Given Alice is a customer
      And Alice has deposited 10.00 and 20.00
      When Alice lists her notifications after her newest one
      Then nothing is listed

    Scenario: What is newer comes a page at a time too
      Given Alice is a customer
      And Alice has deposited 1.00, 2.00, 3.00, 4.00 and 5.00
      When Alice lists her notifications after her oldest one, 2 at a time
      Then the notifications listed tell Alice of deposits of 5.00 and 4.00
      And more are listed on the next page

    Scenario: A made-up notification to start after is refused
      Given Alice is a customer
      When Alice lists her notifications after a made-up one
      Then the notification list is refused with reason INVALID_PAGINATION

    Scenario: Another customer's notification cannot be started after
      Given Alice is a customer
      And Bob is a customer
      And Bob has deposited 10.00
      When Alice lists her notifications after one of Bob's
      Then the notification list is refused with reason INVALID_PAGINATION
