@resilience @sandbox
Feature: The sandbox sets up what a scenario asks for, or refuses it
  Scenarios set up trouble, time and limits through the sandbox. A setting the sandbox
  cannot honour is refused at once, and one it accepts is what it reports, so a scenario
  never runs on a wrong premise.

  Rule: Faults, clocks and limits outside what the sandbox offers are refused

    Scenario: A fault the sandbox does not know is refused
      Given Alice is a customer
      When Alice asks the sandbox for a fault it does not know
      Then the fault injection is refused with reason INVALID_FAULT

    Scenario: A clock moved more than ten years is refused
      Given Alice is a customer
      When Alice moves her clock on by 400000000 seconds
      Then the clock change is refused with reason INVALID_OFFSET

    Scenario: A limit of no requests at all is refused
      Given Alice is a customer
      When Alice limits her access to 0 requests a minute
      Then the rate-limit change is refused with reason INVALID_LIMIT

    Scenario: Trouble the sandbox causes is told as such
      Given Alice is a customer
      And Alice's quotes meet a rate limit on every try
      When Alice asks for a quote for AAPL, taking staged trouble as the answer
      Then the quote is refused with reason INJECTED_FAULT

  Rule: A setting the sandbox accepts is what it reports

    Scenario: A clock moved on a day shows a day later
      Given Alice is a customer
      When Alice moves her clock on by 86400 seconds
      Then Alice's clock shows about 86400 seconds later than the real time

  Rule: Prices the sandbox cannot set are refused

    Scenario: A price for a symbol that is not listed is refused
      Given Alice is a customer
      When Alice asks for ZZZZ to trade at 100.00 in her market
      Then the price change is refused with reason SYMBOL_NOT_FOUND

    Scenario: A price of nothing is refused
      Given Alice is a customer
      When Alice asks for AAPL to trade at 0.00 in her market
      Then the price change is refused with reason INVALID_PRICE
