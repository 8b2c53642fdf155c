"""Tests of the trust tools: statistics, drift, seeded defects, chaos and the audit's counters."""
