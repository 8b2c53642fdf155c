"""Building the acceptance suite's HTML report (Allure 3) and keeping it self-contained."""
