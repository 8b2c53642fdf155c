@idempotency
Feature: A key sent before there is a customer belongs to the key alone
  Opening an account has no customer yet, so its key is not anybody's: it belongs to the
  key itself. A key already used to open one account cannot open another, whoever sends
  it, so a resend can never be mistaken for a different request.

  Rule: A key used for one account opening cannot be used for another

    Scenario: Opening another account under a key already used is refused
      Given Alice has opened an account under the key "A"
      And Bob has no account
      When Bob opens an account under the key "A"
      Then the account opening is refused with reason IDEMPOTENCY_KEY_REUSED
