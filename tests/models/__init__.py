"""Tests of the suite's hand-written API models."""
