@resilience
Feature: The service says whether it is up
  Anybody may ask whether the service is up, without signing in; monitoring does.

  Rule: The service answers whether it is up, and which version it runs

    @smoke
    Scenario: The service says it is up
      When someone checks whether the service is up
      Then the service says it is up and names its version
