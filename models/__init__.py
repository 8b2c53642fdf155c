"""Pydantic models of the trading API, written by hand from the contract document."""
