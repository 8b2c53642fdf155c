Feature: A new customer's first trade, a hundred times over
  The workflow of the speed benchmark (python -m trust speed): six requests a row, sent
  through the suite's own steps. It is not part of the acceptance suite.

  Scenario Outline: A new customer pays in, asks for a quote and buys shares (row <row>)
    Given Alice has opened an account
    And Alice has signed in for 3600 seconds
    And Alice has deposited 10,000.00
    When Alice asks for a quote for <symbol>
    Then the quote is for <symbol> with a positive price and the shares traded so far
    When Alice places a market order to buy <quantity> <symbol>
    Then the order is filled
    And Alice can see her account

    Examples:
      | row | symbol | quantity |
      |   1 | AAPL   |        1 |
      |   2 | MSFT   |        2 |
      |   3 | TSLA   |        3 |
      |   4 | GOOGL  |        4 |
      |   5 | AMZN   |        5 |
      |   6 | AAPL   |        1 |
      |   7 | MSFT   |        2 |
      |   8 | TSLA   |        3 |
      |   9 | GOOGL  |        4 |
      |  10 | AMZN   |        5 |
      |  11 | AAPL   |        1 |
      |  12 | MSFT   |        2 |
      |  13 | TSLA   |        3 |
      |  14 | GOOGL  |        4 |
      |  15 | AMZN   |        5 |
      |  16 | AAPL   |        1 |
      |  17 | MSFT   |        2 |
      |  18 | TSLA   |        3 |
      |  19 | GOOGL  |        4 |
      |  20 | AMZN   |        5 |
      |  21 | AAPL   |        1 |
      |  22 | MSFT   |        2 |
      |  23 | TSLA   |        3 |
      |  24 | GOOGL  |        4 |
      |  25 | AMZN   |        5 |
      |  26 | AAPL   |        1 |
      |  27 | MSFT   |        2 |
      |  28 | TSLA   |        3 |
      |  29 | GOOGL  |        4 |
      |  30 | AMZN   |        5 |
      |  31 | AAPL   |        1 |
      |  32 | MSFT   |        2 |
      |  33 | TSLA   |        3 |
      |  34 | GOOGL  |        4 |
      |  35 | AMZN   |        5 |
      |  36 | AAPL   |        1 |
      |  37 | MSFT   |        2 |
      |  38 | TSLA   |        3 |
      |  39 | GOOGL  |        4 |
      |  40 | AMZN   |        5 |
      |  41 | AAPL   |        1 |
      |  42 | MSFT   |        2 |
      |  43 | TSLA   |        3 |
      |  44 | GOOGL  |        4 |
      |  45 | AMZN   |        5 |
      |  46 | AAPL   |        1 |
      |  47 | MSFT   |        2 |
      |  48 | TSLA   |        3 |
      |  49 | GOOGL  |        4 |
      |  50 | AMZN   |        5 |
      |  51 | AAPL   |        1 |
      |  52 | MSFT   |        2 |
      |  53 | TSLA   |        3 |
      |  54 | GOOGL  |        4 |
      |  55 | AMZN   |        5 |
      |  56 | AAPL   |        1 |
      |  57 | MSFT   |        2 |
      |  58 | TSLA   |        3 |
      |  59 | GOOGL  |        4 |
      |  60 | AMZN   |        5 |
      |  61 | AAPL   |        1 |
      |  62 | MSFT   |        2 |
      |  63 | TSLA   |        3 |
      |  64 | GOOGL  |        4 |
      |  65 | AMZN   |        5 |
      |  66 | AAPL   |        1 |
      |  67 | MSFT   |        2 |
      |  68 | TSLA   |        3 |
      |  69 | GOOGL  |        4 |
      |  70 | AMZN   |        5 |
      |  71 | AAPL   |        1 |
      |  72 | MSFT   |        2 |
      |  73 | TSLA   |        3 |
      |  74 | GOOGL  |        4 |
      |  75 | AMZN   |        5 |
      |  76 | AAPL   |        1 |
      |  77 | MSFT   |        2 |
      |  78 | TSLA   |        3 |
      |  79 | GOOGL  |        4 |
      |  80 | AMZN   |        5 |
      |  81 | AAPL   |        1 |
      |  82 | MSFT   |        2 |
      |  83 | TSLA   |        3 |
      |  84 | GOOGL  |        4 |
      |  85 | AMZN   |        5 |
      |  86 | AAPL   |        1 |
      |  87 | MSFT   |        2 |
      |  88 | TSLA   |        3 |
      |  89 | GOOGL  |        4 |
      |  90 | AMZN   |        5 |
      |  91 | AAPL   |        1 |
      |  92 | MSFT   |        2 |
      |  93 | TSLA   |        3 |
      |  94 | GOOGL  |        4 |
      |  95 | AMZN   |        5 |
      |  96 | AAPL   |        1 |
      |  97 | MSFT   |        2 |
      |  98 | TSLA   |        3 |
      |  99 | GOOGL  |        4 |
      | 100 | AMZN   |        5 |
