@resilience @sandbox
Feature: Staged trouble can be cleared away
  A scenario stages trouble for itself through the sandbox. Clearing it away puts the
  customer back on a quiet network at once: trouble cleared away is never met, and is
  no longer listed, even trouble already met.

  Rule: Cleared trouble is gone

    Scenario: Trouble cleared away is not met any more
      Given Alice is a customer
      And Alice's quotes meet an outage longer than her retries last
      When Alice clears her staged trouble
      Then Alice can get a quote for AAPL
      And Alice has no staged trouble
