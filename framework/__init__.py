"""A layered HTTP client for testing any JSON API: transport, retry policy, contracts, redaction."""
