"""Tests of the report build: Allure 3 output, third-party scripts, rendering."""
