@payments
Feature: Payment history
  A customer looks up her payments one by one or as a list, newest first. (Nobody
  else's payments are ever shown to her: see security/other_customers.feature.)

  Rule: A customer looks up her own payments by their numbers

    Scenario: A customer looks up a payment she made
      Given Alice is a customer
      And Alice has deposited 75.50
      When Alice looks up the payment
      Then the payment shown is a deposit of 75.50

    Scenario: A payment number that does not exist is not found
      Given Alice is a customer
      When Alice looks up a payment that does not exist
      Then the payment lookup is refused with reason PAYMENT_NOT_FOUND

  Rule: Payments are listed newest first, a page at a time

    Scenario: A customer lists her payments newest first
      Given Alice is a customer
      And Alice has deposited 10.00, 20.00 and 30.00
      And Alice has withdrawn 5.00
      When Alice lists her payments
      Then the payments listed are a withdrawal of 5.00, then deposits of 30.00, 20.00 and 10.00

    Scenario: A long list of payments comes a page at a time
      Given Alice is a customer
      And Alice has deposited 1.00, 2.00, 3.00, 4.00 and 5.00
      When Alice lists her payments 2 at a time
      Then following the pages, Alice sees payments of 5.00 and 4.00, then 3.00 and 2.00, then 1.00

    Scenario: An empty page of payments cannot be asked for
      Given Alice is a customer
      When Alice lists her payments 0 at a time
      Then the payment list is refused with reason INVALID_PAGINATION

    Scenario: Two page sizes at once are refused for payments
      Given Alice is a customer
      When Alice lists her payments 2 and 3 at a time
      Then the payment list is refused with reason INVALID_PAGINATION

    Scenario: A made-up page marker is refused for payments
      Given Alice is a customer
      When Alice lists her payments from a made-up page marker
      Then the payment list is refused with reason INVALID_PAGINATION
